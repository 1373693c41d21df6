// ps, caps and ipc: the kernel's own view of threads, capability spaces and
// IPC waits (sys/inspect.hpp), printed for people.
#include "abi/task.hpp"
#include "common/format.hpp"
#include "common/string.hpp"
#include "shell.hpp"
#include "sys/inspect.hpp"
#include "sys/text.hpp"

namespace shell {

namespace {

namespace in = abi::inspect;
using abi::Cptr;
using abi::ObjectType;
constexpr Cptr console = abi::task_slot::console;

// Every live thread, in order of id, into out (at most capacity); the count
// or a negated error.
int64_t all_threads(in::ThreadInfo* out, uint64_t capacity) {
    uint64_t count = 0, cursor = 0;
    while (count < capacity) {
        uint64_t want = capacity - count < in::max_records ? capacity - count : in::max_records;
        sys::Listing l = sys::list_threads(console, cursor, out + count, want);
        if (l.status < 0) return l.status;
        count += l.count;
        cursor = l.next;
        if (l.complete) break;
    }
    return int64_t(count);
}

constexpr uint64_t max_threads = 512;
in::ThreadInfo threads[max_threads];

const char* name_of(uint64_t id, uint64_t count) {
    for (uint64_t i = 0; i < count; ++i)
        if (threads[i].id == id) return threads[i].name[0] ? threads[i].name : "-";
    return "?";
}

void rights_text(uint8_t rights, char (&out)[5]) {
    out[0] = rights & abi::rights::read ? 'r' : '-';
    out[1] = rights & abi::rights::write ? 'w' : '-';
    out[2] = rights & abi::rights::execute ? 'x' : '-';
    out[3] = rights & abi::rights::grant ? 'g' : '-';
    out[4] = '\0';
}

// The CNodes already printed (a CNode holds a capability to itself, and
// may to its parent): each is shown once.
constexpr unsigned max_shown = 64;
uint64_t shown[max_shown];
unsigned shown_count;
uint64_t caps_printed;

bool seen(uint64_t object) {
    for (unsigned i = 0; i < shown_count; ++i)
        if (shown[i] == object) return true;
    if (shown_count < max_shown) shown[shown_count++] = object;
    return false;
}

// Two spaces per level (the formatter has no '*' width).
const char* indent(unsigned depth) {
    static const char spaces[] = "                    ";
    unsigned n = depth * 2 < sizeof spaces - 1 ? depth * 2 : unsigned(sizeof spaces - 1);
    return spaces + (sizeof spaces - 1 - n);
}

void print_run(unsigned depth, const in::CapInfo& first, uint64_t last_slot, uint64_t n) {
    char rights[5];
    rights_text(first.rights, rights);
    const char* type = sys::describe(ObjectType(first.type));
    if (n > 1) {
        say("%sslots %lu-%lu: %lu %ss %s\n", indent(depth), first.slot, last_slot, n, type, rights);
        return;
    }
    char extra[48] = "";
    if (first.type == uint8_t(ObjectType::cnode)) lib::format_to(extra, sizeof extra, " radix %u", first.size_bits);
    else if (first.type == uint8_t(ObjectType::untyped))
        lib::format_to(extra, sizeof extra, " %lu KiB", (uint64_t(1) << first.size_bits) >> 10);
    else if (first.badge) lib::format_to(extra, sizeof extra, " badge 0x%lx", first.badge);
    say("%sslot %lu: %s %s%s (object 0x%lx)\n", indent(depth), first.slot, type, rights, extra, first.object);
}

// Whether the CNode capability c (in slot c.slot of the CNode being listed)
// names that CNode itself, as every task's slot 1 does: then the CNode it
// names holds, in that same slot, a capability to itself.
bool holds_itself(uint64_t thread, uint64_t path_to_it, const in::CapInfo& c) {
    in::CapInfo first;
    sys::Listing l = sys::list_capabilities(console, thread, path_to_it, c.slot, &first, 1);
    return l.status >= 0 && l.count == 1 && first.slot == c.slot && first.object == c.object &&
           first.type == uint8_t(ObjectType::cnode);
}

// Prints the CNode at path, and the CNodes below it, indented by depth.
// Runs of frames or of page tables with the same rights (a program's
// image) are one line each.
int64_t print_cnode(uint64_t thread, uint64_t path, unsigned depth) {
    in::CapInfo caps[in::max_records];
    in::CapInfo run{};
    uint64_t run_last = 0, run_count = 0;
    uint64_t cursor = 0;
    for (;;) {
        sys::Listing l = sys::list_capabilities(console, thread, path, cursor, caps, in::max_records);
        if (l.status < 0) return l.status;
        for (uint64_t i = 0; i < l.count; ++i) {
            const in::CapInfo& c = caps[i];
            ++caps_printed;
            bool foldable = c.type == uint8_t(ObjectType::frame) || c.type == uint8_t(ObjectType::page_table);
            bool joins = foldable && run_count && c.slot == run_last + 1 && c.type == run.type && c.rights == run.rights;
            if (joins) {
                run_last = c.slot;
                ++run_count;
                continue;
            }
            if (run_count) print_run(depth, run, run_last, run_count);
            run = c;
            run_last = c.slot;
            run_count = 1;
            if (c.type == uint8_t(ObjectType::cnode)) {
                print_run(depth, run, run_last, run_count);
                run_count = 0;
                uint64_t below = path;
                if (!in::path_append(below, c.slot)) say("%s(deeper than a path reaches)\n", indent(depth + 1));
                else if (holds_itself(thread, below, c)) say("%s(this CNode itself)\n", indent(depth + 1));
                else if (seen(c.object)) say("%s(shown above)\n", indent(depth + 1));
                else if (int64_t e = print_cnode(thread, below, depth + 1); e < 0)
                    say("%s(cannot list: %s)\n", indent(depth + 1), error_text(e));
            }
        }
        cursor = l.next;
        if (l.complete) break;
    }
    if (run_count) print_run(depth, run, run_last, run_count);
    return 0;
}

}  // namespace

void command_ps() {
    int64_t n = all_threads(threads, max_threads);
    if (n < 0) return say("shell: cannot list threads: %s\n", error_text(n));
    // Tasks are address spaces: numbered in order of first appearance.
    uint64_t spaces[max_threads];
    uint64_t space_count = 0;
    say("%5s %-15s %-8s %4s %5s %10s %8s\n", "ID", "NAME", "STATE", "PRI", "TASK", "CPU ms", "FAULTS");
    for (int64_t i = 0; i < n; ++i) {
        const in::ThreadInfo& t = threads[i];
        uint64_t task = 0;
        if (t.address_space) {
            while (task < space_count && spaces[task] != t.address_space) ++task;
            if (task == space_count) spaces[space_count++] = t.address_space;
            ++task;
        }
        uint64_t ms = tsc_hz() ? t.cpu_ticks / (tsc_hz() / 1000) : 0;
        char task_text[8] = "-";
        if (task) lib::format_to(task_text, sizeof task_text, "%lu", task);
        say("%5lu %-15s %-8s %4u %5s %10lu %8lu\n", t.id, t.name[0] ? t.name : "-",
            (t.flags & in::thread_flags::idle) ? "idle" : sys::describe(t.state), t.priority, task_text, ms, t.faults);
    }
    say("%ld threads in %lu tasks (TASK: by address space)\n", n, space_count);
}

void command_caps(int argc, char** argv) {
    if (argc != 2 || !argv[1][0] || argv[1][0] < '0' || argv[1][0] > '9') return say("usage: caps THREAD_ID (see ps)\n");
    uint64_t id = sys::parse_number(argv[1]);
    in::ThreadInfo t;
    if (int64_t e = sys::thread_info(console, id, t); e < 0) return say("shell: no thread %lu: %s\n", id, error_text(e));
    shown_count = 0;
    caps_printed = 0;
    say("capability space of thread %lu (%s):\n", id, t.name[0] ? t.name : "-");
    if (int64_t e = print_cnode(id, 0, 1); e < 0) return say("shell: cannot list its capabilities: %s\n", error_text(e));
    say("%lu capabilities\n", caps_printed);
}

void command_ipc() {
    int64_t n = all_threads(threads, max_threads);
    if (n < 0) return say("shell: cannot list threads: %s\n", error_text(n));
    in::WaitInfo waits[in::max_records];
    uint64_t cursor = 0, total = 0;
    say("%-18s %-8s %5s %-15s %s\n", "OBJECT", "KIND", "ID", "THREAD", "BADGE");
    for (;;) {
        sys::Listing l = sys::list_waits(console, cursor, waits, in::max_records);
        if (l.status < 0) return say("shell: cannot list waits: %s\n", error_text(l.status));
        for (uint64_t i = 0; i < l.count; ++i) {
            const in::WaitInfo& w = waits[i];
            char badge[24] = "";
            if (w.kind == in::WaitKind::send || w.kind == in::WaitKind::call)
                lib::format_to(badge, sizeof badge, "0x%lx", w.badge);
            say("0x%-16lx %-8s %5lu %-15s %s\n", w.object, sys::describe(w.kind), w.thread,
                name_of(w.thread, uint64_t(n)), badge);
        }
        total += l.count;
        cursor = l.next;
        if (l.complete) break;
    }
    uint64_t replies = 0;
    for (int64_t i = 0; i < n; ++i)
        if (threads[i].state == in::ThreadState::blocked_reply) {
            say("%-18s %-8s %5lu %-15s from %lu (%s)\n", "-", "reply", threads[i].id, name_of(threads[i].id, uint64_t(n)),
                threads[i].partner, name_of(threads[i].partner, uint64_t(n)));
            ++replies;
        }
    say("%lu threads wait on endpoints and notifications, %lu for a reply\n", total, replies);
}

}  // namespace shell
