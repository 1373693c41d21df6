#include "sys/loader.hpp"

#include "abi/task.hpp"
#include "common/format.hpp"
#include "common/string.hpp"
#include "sys/ipc.hpp"

namespace sys::loader {

int64_t spawn(Cptr loader, int argc, const char* const* argv, const Options& options, Cptr receive_slot, Task& task,
              char* reason, size_t reason_size) {
    abi::loader::SpawnRequest request{};
    if (argc < 1 || argc > 16 || options.envc < 0 || options.envc > 16) return abi::error_code(Error::bad_argument);
    request.priority = options.priority;
    request.argc = uint8_t(argc);
    request.envc = uint8_t(options.envc);
    size_t used = 0;
    for (int i = 0; i < argc + options.envc; ++i) {
        const char* s = i < argc ? argv[i] : options.envp[i - argc];
        size_t n = strlen(s) + 1;
        if (used + n > sizeof request.strings) return abi::error_code(Error::bad_argument);
        memcpy(request.strings + used, s, n);
        used += n;
    }
    ipc::Buffer& b = ipc::buffer();
    b.receive_cnode = abi::task_slot::cnode;
    b.receive_index = receive_slot;
    if (options.lend) b.caps[0] = options.lend;
    ipc::Received r = ipc::call(loader, ipc::pack(abi::loader::spawn, request, options.lend ? 1 : 0));
    b.receive_cnode = 0;
    if (r.result != 0) return r.result;
    if (r.label() != 0) {
        if (reason && reason_size) {
            size_t n = ipc::unpack_bytes(r, reason, reason_size - 1);
            reason[n < reason_size ? n : reason_size - 1] = '\0';
        }
        return -int64_t(r.label());
    }
    task = Task{r.message.words[0], receive_slot, r.message.words[1], r.message.words[2], r.message.words[3]};
    return 0;
}

int64_t status(Cptr loader, uint64_t pid, int64_t& status) {
    ipc::Received r = ipc::call(loader, ipc::Message{ipc::make_tag(abi::loader::status, 8), {pid}});
    if (int64_t s = r.status(); s < 0) return s;
    status = int64_t(r.message.words[1]);
    return r.message.words[0] ? 1 : 0;
}

int64_t wait(Cptr loader, const Task& task) {
    for (;;) {
        int64_t exit_status = 0;
        int64_t ended = status(loader, task.pid, exit_status);
        if (ended < 0) return ended;
        if (ended) return exit_status;
        notification_wait(task.exited);
    }
}

int64_t kill(Cptr loader, const Task& task) {
    ipc::Received r = ipc::call(loader, ipc::Message{ipc::make_tag(abi::loader::kill, 8), {task.pid}});
    if (r.result != 0) return r.result;
    return r.label() ? -int64_t(r.label()) : 0;
}

const char* exception_name(uint64_t vector) {
    static constexpr const char* names[] = {
        "divide error", "debug", "non-maskable interrupt", "breakpoint", "overflow", "bound range exceeded",
        "invalid opcode", "device not available", "double fault", "coprocessor segment overrun", "invalid TSS",
        "segment not present", "stack-segment fault", "general protection fault", "page fault", "reserved",
        "x87 floating-point error", "alignment check", "machine check", "SIMD floating-point error",
        "virtualization exception", "control protection exception"};
    if (vector < sizeof names / sizeof names[0]) return names[vector];
    if (vector == abi::fault_vector::lost_address_space) return "lost its address space";
    if (vector == abi::fault_vector::lost_cspace) return "lost its CNode";
    return "unknown vector";
}

const char* describe_status(int64_t status, char* out, size_t size) {
    namespace l = abi::loader;
    if (l::is_fault_status(status)) {
        uint64_t vector = l::fault_status_vector(status);
        lib::format_to(out, size, "killed by %s (vector %lu)", exception_name(vector), vector);
    } else if (status == l::pager_died_status) {
        lib::format_to(out, size, "ended: its pager died");
    } else if (status == l::killed_status) {
        lib::format_to(out, size, "killed");
    } else {
        lib::format_to(out, size, "exited with status %ld", status);
    }
    return out;
}

}  // namespace sys::loader
