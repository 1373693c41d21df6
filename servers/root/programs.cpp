// Running programs through the loader: the boot configuration (the
// initrd's boot.cfg, the default run), the scale test (run=scale), the
// pager stress test (run=pager, and kill_pager_after=N for a pager that
// dies mid-run) and the crash test (run=crash).
#include "abi/blk.hpp"
#include "abi/pager.hpp"
#include "abi/task.hpp"
#include "common/cpio.hpp"
#include "common/format.hpp"
#include "common/string.hpp"
#include "root.hpp"
#include "services.hpp"
#include "sys/ipc.hpp"
#include "sys/text.hpp"

namespace root {

namespace {

constexpr uint8_t program_priority = 100;
constexpr unsigned max_programs = 4096;  // as many as the loader keeps
sys::loader::Task started[max_programs];

// Splits one line of boot.cfg into words (in place); returns their number.
int split(char* line, const char** words, int capacity) {
    int n = 0;
    for (char* p = line; *p && n < capacity;) {
        while (*p == ' ' || *p == '\t') *p++ = '\0';
        if (!*p) break;
        words[n++] = p;
        while (*p && *p != ' ' && *p != '\t') ++p;
    }
    return n;
}

}  // namespace

int run_configuration() {
    cpio::File config;
    if (!cpio::find(reinterpret_cast<const void*>(abi::initrd_address), context.info->initrd_size, "boot.cfg", config)) {
        sys::print("root: no boot.cfg in the initrd: nothing to run\n");
        return 0;
    }
    // One program per line: name and arguments; '#' starts a comment.
    char lines[2048];
    uint64_t length = config.size < sizeof lines - 1 ? config.size : sizeof lines - 1;
    __builtin_memcpy(lines, config.data, length);
    lines[length] = '\0';
    unsigned count = 0;
    int failures = 0;
    for (char* line = lines; line && *line && count < max_programs;) {
        char* next = line;
        while (*next && *next != '\n') ++next;
        if (*next) *next++ = '\0';
        else next = nullptr;
        if (line[0] != '#') {
            const char* argv[16];
            int argc = split(line, argv, 16);
            if (argc > 0) {
                if (run_program(argc, argv, program_priority, started[count])) ++count;
                else ++failures;
            }
        }
        line = next;
    }
    sys::print("root: started %u programs from boot.cfg\n", count);
    for (unsigned i = 0; i < count; ++i) {
        int64_t status = sys::loader::wait(start_loader(), started[i]);
        sys::print("root: task %lu exited with status %ld\n", started[i].pid, status);
        if (status != 0) ++failures;
    }
    return failures;
}

// run=pager [pages=N] [beside=0] [stress=quick|swap]: pager_stress over N pages
// (default 4 x the budget), with two hello_world tasks running beside it at
// the same priority unless beside=0.
int run_pager_stress() {
    char frames[24], pages[24];
    if (!start_loader() || !pager()) {
        sys::print("root: run=pager needs the pager, which did not start\n");
        return 1;
    }
    uint64_t budget = pager_frames();
    lib::format_to(frames, sizeof frames, "%lu", budget);
    if (!command_line_value("pages", pages, sizeof pages)) lib::format_to(pages, sizeof pages, "%lu", budget * 4);
    sys::loader::Task stress, beside[2];
    // kill_pager_after=N: the pager dies (executes ud2) at its Nth fault
    // from now, in the middle of the run.
    char kill_after[16] = "";
    bool kill_pager = command_line_value("kill_pager_after", kill_after, sizeof kill_after);
    if (kill_pager) {
        uint64_t n = sys::parse_number(kill_after);
        if (kill_after[0] < '0' || kill_after[0] > '9' || n == 0) {
            sys::print("root: kill_pager_after needs a number of faults above 0, not '%s'\n", kill_after);
            return 1;
        }
        if (!start_loader() || !pager()) return 1;
        sys::ipc::Received r = sys::ipc::call(pager(), sys::ipc::Message{sys::ipc::make_tag(abi::pager::debug_crash, 8), {n}});
        if (r.result != 0 || r.label() != 0) {
            sys::print("root: the pager refused debug_crash\n");
            return 1;
        }
        sys::print("root: the pager will die at its fault %lu from now\n", n);
    }
    // kill_blk_after=N: the block server dies at its Nth request from now,
    // under the pager's swapping.
    char kill_blk[16] = "";
    if (command_line_value("kill_blk_after", kill_blk, sizeof kill_blk)) {
        uint64_t n = sys::parse_number(kill_blk);
        sys::ipc::Received r =
            blk() && n ? sys::ipc::call(blk(), sys::ipc::Message{sys::ipc::make_tag(abi::blk::debug_crash, 8), {n}})
                       : sys::ipc::Received{-1, 0, {}};
        if (r.result != 0 || r.label() != 0) {
            sys::print("root: kill_blk_after needs a disk and a number of requests above 0, not '%s'\n", kill_blk);
            return 1;
        }
        sys::print("root: the block server will die at its request %lu from now\n", n);
    }
    // stress=quick: fewer random and hot-set touches (pager_stress's quick
    // mode); stress=swap: the swap benchmark, which needs the TSC's rate.
    char mode[8] = "full", tsc[24];
    command_line_value("stress", mode, sizeof mode);
    lib::format_to(tsc, sizeof tsc, "%lu", context.info->tsc_hz);
    const char* argv[] = {"pager_stress", pages, frames, mode, tsc};
    if (!run_program(5, argv, program_priority, stress)) return 1;
    char beside_value[4] = "2";
    command_line_value("beside", beside_value, sizeof beside_value);
    unsigned beside_count = beside_value[0] == '0' ? 0 : 2;
    for (unsigned i = 0; i < beside_count; ++i) {
        const char* hello_argv[] = {"hello_world", i ? "beside-2" : "beside-1", "3"};
        if (!run_program(3, hello_argv, program_priority, beside[i])) return 1;
    }
    int64_t status = sys::loader::wait(start_loader(), stress);
    char text[64];
    if (kill_pager) {
        // Everything that depended on the pager ends, and says why; what
        // does not depend on it still runs.
        int failures = status == abi::loader::pager_died_status && pager_has_died() ? 0 : 1;
        sys::print("root: pager_stress %s\n", sys::loader::describe_status(status, text, sizeof text));
        for (unsigned i = 0; i < beside_count; ++i) {
            int64_t s = sys::loader::wait(start_loader(), beside[i]);
            sys::print("root: beside-%u %s\n", i + 1, sys::loader::describe_status(s, text, sizeof text));
            failures += s != abi::loader::pager_died_status && s != 0;
        }
        sys::loader::Task after;
        const char* hello_argv[] = {"hello_world", "after-the-pager", "1"};
        if (!run_program(3, hello_argv, program_priority, after)) return failures + 1;
        int64_t s = sys::loader::wait(start_loader(), after);
        sys::print("root: a task started after the pager died %s\n", sys::loader::describe_status(s, text, sizeof text));
        return failures + (s != 0);
    }
    int failures = status == 0 ? 0 : 1;
    for (unsigned i = 0; i < beside_count; ++i) failures += sys::loader::wait(start_loader(), beside[i]) != 0;
    sys::print("root: pager_stress %s; %u tasks beside it\n", sys::loader::describe_status(status, text, sizeof text),
               beside_count);
    return failures;
}

// run=loader-dies: the loader dies (debug_crash) while we call it; our
// call and every later one must fail, not hang.
int run_loader_dies() {
    sys::Cptr loader = start_loader();
    if (!loader) return 1;
    sys::ipc::Received r = sys::ipc::call(loader, sys::ipc::Message{sys::ipc::make_tag(abi::loader::debug_crash, 0), {}});
    sys::print("root: our call to the dying loader returned: %s\n",
               r.result ? sys::describe(sys::error_of(r.result)) : "a reply (unexpected)");
    sys::loader::Task task;
    const char* argv[] = {"hello_world", "after-the-loader", "1"};
    bool started = run_program(3, argv, program_priority, task);
    sys::print("root: a spawn after the loader died %s\n", started ? "succeeded (unexpected)" : "failed, as it must");
    return (r.result == 0) + started;
}

// run=crash [count=N]: one task of each kind of fault (apps/crash), each
// waited for, its status checked; then N crashing tasks in a row (default
// 600, more than the loader's pool holds at once: a task whose memory were
// not freed would make a later spawn fail).
int run_crash() {
    struct Kind {
        const char* name;
        int64_t status;
    };
    static constexpr Kind kinds[] = {
        {"ud2", abi::loader::killed_by_fault_status(6)},   {"div0", abi::loader::killed_by_fault_status(0)},
        {"gp", abi::loader::killed_by_fault_status(13)},   {"pf", abi::loader::killed_by_fault_status(14)},
        {"int3", abi::loader::killed_by_fault_status(3)},  {"stack", abi::loader::killed_by_fault_status(14)},
        {"ok", 0},
        {"bogus", 2},  // bad input: the program says so and exits with 2
    };
    constexpr unsigned crashing_kinds = 6;
    int failures = 0;
    char text[64];
    for (const Kind& k : kinds) {
        sys::loader::Task task;
        const char* argv[] = {"crash", k.name};
        if (!run_program(2, argv, program_priority, task)) {
            ++failures;
            continue;
        }
        int64_t status = sys::loader::wait(start_loader(), task);
        bool as_expected = status == k.status;
        failures += !as_expected;
        sys::print("root: crash %s: task %lu %s%s\n", k.name, task.pid, sys::loader::describe_status(status, text, sizeof text),
                   as_expected ? "" : " (unexpected)");
    }
    char value[8] = "600";
    command_line_value("count", value, sizeof value);
    unsigned count = unsigned(sys::parse_number(value));
    unsigned unexpected = 0, done = 0;
    for (; done < count; ++done) {
        const Kind& k = kinds[done % crashing_kinds];
        sys::loader::Task task;
        const char* argv[] = {"crash", k.name};
        if (!run_program(2, argv, program_priority, task)) break;
        unexpected += sys::loader::wait(start_loader(), task) != k.status;
    }
    sys::print("root: crash: %u of %u crashing tasks started, killed and reaped in a row; %u unexpected statuses\n",
               done, count, unexpected);
    return failures + (done != count) + (unexpected != 0);
}

// run=scale [count=N|max] [lines=L]: N hello_world tasks (default 64)
// started before any of them runs (they are below our priority), so all
// are alive at once; count=max starts them until the system refuses one.
// Each prints L lines (default 1; each line is 3 million loop turns).
int run_scale() {
    char value[8] = "64", lines[8] = "1";
    command_line_value("count", value, sizeof value);
    command_line_value("lines", lines, sizeof lines);
    bool until_refused = lib::equal(value, "max");
    unsigned count = until_refused ? max_programs : unsigned(sys::parse_number(value));
    if (count == 0 || count > max_programs) count = 64;
    if (!start_loader()) return 1;
    for (unsigned i = 0; i < count; ++i) {
        char name[8];
        lib::format_to(name, sizeof name, "%u", i + 1);
        const char* argv[] = {"hello_world", name, lines};
        if (!run_program(3, argv, program_priority, started[i])) {
            sys::print("root: scale: only %u tasks could start\n", i);
            if (!until_refused || i == 0) return 1;
            count = i;
            break;
        }
    }
    sys::print("root: scale: %u tasks started at once, all alive before the first runs\n", count);
    int failures = 0;
    for (unsigned i = 0; i < count; ++i)
        if (sys::loader::wait(start_loader(), started[i]) != 0) ++failures;
    const sys::loader::Task& t = started[0];
    // Kernel objects of one task: its thread, CNode, address space, inbox
    // endpoint and page tables; the rest of its memory is user pages.
    uint64_t kernel_bytes = (1ull << abi::thread_size_bits) +
                            (1ull << (abi::task_cnode_radix + abi::cnode_slot_size_bits)) +
                            (1ull << abi::page_size_bits) + (1ull << abi::endpoint_size_bits) +
                            t.page_tables * (1ull << abi::page_size_bits);
    uint64_t per_task = kernel_bytes + t.pages * 4096;
    uint64_t memory = 0;
    for (uint64_t i = 0; i < context.info->untyped.count; ++i)
        if (!context.info->untyped_list[i].is_device) memory += 1ull << context.info->untyped_list[i].size_bits;
    sys::print("root: scale: %u tasks ran at once, %d failed; each hello_world task: %lu KiB of kernel objects "
               "(thread 4, CNode %lu, address space 4, %lu page tables), %lu KiB of stack and IPC buffer; its "
               "program pages come from the pager's budget on demand\n",
               count, failures, kernel_bytes >> 10, uint64_t(1) << (abi::task_cnode_radix + abi::cnode_slot_size_bits - 10),
               t.page_tables, t.pages * 4);
    sys::print("root: scale: %lu MiB of RAM handed to user space fit about %lu such tasks (%lu KiB each)\n",
               memory >> 20, memory / per_task, per_task >> 10);
    return failures;
}

}  // namespace root
