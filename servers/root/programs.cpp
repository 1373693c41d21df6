// Running programs through the loader: the boot configuration (the
// initrd's boot.cfg, the default run) and the scale test (run=scale).
#include "abi/pager.hpp"
#include "abi/task.hpp"
#include "common/cpio.hpp"
#include "common/format.hpp"
#include "root.hpp"
#include "services.hpp"
#include "sys/ipc.hpp"
#include "sys/text.hpp"

namespace root {

namespace {

constexpr uint8_t program_priority = 100;
constexpr unsigned max_programs = 128;
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

// Waits for a task the pager may kill. A task whose working set outgrows
// the backing store is killed by the pager: it refuses the task's fault,
// which stops its thread, so the task never reports its end. We poll, at
// the tasks' own priority so they run between our looks, and ask the loader
// to end a task the pager killed (status -9).
int64_t wait_unless_killed(const sys::loader::Task& task) {
    sys::thread_set_priority(abi::root_slot::thread, program_priority);
    for (;;) {
        auto r = sys::ipc::call(start_loader(), sys::ipc::Message{sys::ipc::make_tag(abi::loader::status, 8), {task.pid}});
        if (r.result != 0 || r.label() != 0) return -1;
        if (r.message.words[0]) return int64_t(r.message.words[1]);
        auto k = sys::ipc::call(pager(), sys::ipc::Message{sys::ipc::make_tag(abi::pager::killed, 8), {task.pid}});
        if (k.result == 0 && k.label() == 0 && k.message.words[0] == 1) {
            sys::print("root: the pager killed task %lu; the loader ends it\n", task.pid);
            sys::loader::kill(start_loader(), task);
            return sys::loader::wait(start_loader(), task);
        }
        sys::yield();
    }
}

// run=pager [pages=N] [beside=0]: pager_stress over N pages (default 4 x
// the budget), with two hello_world tasks running beside it at the same
// priority unless beside=0.
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
    const char* argv[] = {"pager_stress", pages, frames};
    if (!run_program(3, argv, program_priority, stress)) return 1;
    char beside_value[4] = "2";
    command_line_value("beside", beside_value, sizeof beside_value);
    unsigned beside_count = beside_value[0] == '0' ? 0 : 2;
    for (unsigned i = 0; i < beside_count; ++i) {
        const char* hello_argv[] = {"hello_world", i ? "beside-2" : "beside-1", "3"};
        if (!run_program(3, hello_argv, program_priority, beside[i])) return 1;
    }
    int64_t status = wait_unless_killed(stress);
    int failures = status == 0 ? 0 : 1;
    for (unsigned i = 0; i < beside_count; ++i) failures += sys::loader::wait(start_loader(), beside[i]) != 0;
    sys::print("root: pager_stress exited with status %ld; %u tasks beside it\n", status, beside_count);
    return failures;
}

int run_scale() {
    char value[8] = "64";
    command_line_value("count", value, sizeof value);
    unsigned count = unsigned(sys::parse_number(value));
    if (count == 0 || count > max_programs) count = 64;
    for (unsigned i = 0; i < count; ++i) {
        char name[8];
        lib::format_to(name, sizeof name, "%u", i + 1);
        const char* argv[] = {"hello_world", name, "1"};
        if (!run_program(3, argv, program_priority, started[i])) {
            sys::print("root: scale: only %u tasks could start\n", i);
            return 1;
        }
    }
    sys::print("root: scale: %u tasks started at once\n", count);
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
    for (uint64_t i = 0; i < context.info->untyped.count; ++i) memory += 1ull << context.info->untyped_list[i].size_bits;
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
