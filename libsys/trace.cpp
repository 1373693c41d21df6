#include "sys/trace.hpp"

#include "common/format.hpp"
#include "common/string.hpp"
#include "sys/print.hpp"

namespace sys::trace {

uint64_t format_record(const Record& r, char* out, uint64_t capacity) {
    if (r.kind == uint8_t(abi::trace::Kind::name)) {
        char name[abi::trace::name_bytes + 1] = {};
        memcpy(name, reinterpret_cast<const char*>(&r) + abi::trace::name_offset, abi::trace::name_bytes);
        // The name is the thread's, given by whoever started it: keep the
        // line one token, so a space cannot shift the fields.
        for (char& c : name)
            if (c && (c <= ' ' || c > '~')) c = '_';
        return lib::format_to(out, capacity, "n %lx %u %s", r.tsc, r.tid, name);
    }
    return lib::format_to(out, capacity, "t %lx %u %u %u %x %lx %u", r.tsc, unsigned(r.kind), r.tid, r.peer, r.object,
                          r.value, unsigned(r.flags));
}

DumpResult dump(Cptr control_console, Cptr read_console) {
    ControlResult before = control(control_console, Op::off);
    if (before.status) return DumpResult{before.status, 0, 0};
    print("trace: begin tsc_hz=%lu\n", before.tsc_hz);
    DumpResult result{0, 0, 0};
    Record batch[64];
    for (;;) {
        ReadResult got = read(read_console, batch, sizeof batch / sizeof *batch);
        if (got.status) {
            result.status = got.status;
            break;
        }
        result.lost += got.lost;
        if (!got.count) break;
        for (uint64_t i = 0; i < got.count; ++i) {
            char line[128];
            format_record(batch[i], line, sizeof line - 1);
            print("%s\n", line);
        }
        result.records += got.count;
    }
    // Recording is off while we read, and a full buffer drops new records,
    // so every lost record came after the last one printed.
    if (result.lost) print("trace: lost %lu\n", result.lost);
    print("trace: end records=%lu lost=%lu\n", result.records, result.lost);
    if (before.was_on) control(control_console, Op::on);
    return result;
}

}  // namespace sys::trace
