// The shell (`run=shell`): a command line on the serial console, through
// the console server. It starts programs from the initrd through the
// loader, waits for them (Ctrl-C stops waiting, never the shell), kills
// them, and shows what the root task, the pager and the console know.
//
// Built by the root task with the capabilities of abi/shell.hpp. It waits on
// one notification of its own for everything: the console signals it
// (badge input_bit) when input arrives, and the loader (badge child_bit)
// when a program the shell started ends.
#include <cstdarg>

#include "abi/pager.hpp"
#include "abi/shell.hpp"
#include "common/format.hpp"
#include "common/string.hpp"
#include "line_editor.hpp"
#include "shell.hpp"
#include "sys/clock.hpp"
#include "sys/console.hpp"
#include "sys/ipc.hpp"
#include "sys/loader.hpp"
#include "sys/print.hpp"
#include "sys/resources.hpp"
#include "sys/text.hpp"
#include "sys/trace.hpp"

namespace {

using abi::Cptr;
using abi::Error;
namespace sh = abi::shell;
namespace ts = abi::task_slot;
namespace ipc = sys::ipc;

constexpr Cptr console = sh::console_slot, loader = sh::loader_slot, events = sh::notification_slot;
constexpr Cptr root = ts::registry, pager = ts::pager;
constexpr uint64_t input_bit = 1, child_bit = 2;
constexpr unsigned cnode_radix = 12;
constexpr uint8_t program_priority = 100;  // below ours: a busy program never starves the shell
constexpr char ctrl_c = 0x03;
constexpr const char* prompt = "shell> ";

sys::SlotAllocator slots;
shell::LineEditor editor;
bool console_gone;
uint64_t tsc_rate;  // from the root task, at start

}  // namespace

namespace shell {

void say(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    if (sys::serial_console::vprint(console, fmt, args) < 0) console_gone = true;
    va_end(args);
}

const char* error_text(int64_t e) { return sys::describe(sys::error_of(e)); }

uint64_t tsc_hz() { return tsc_rate; }

}  // namespace shell

namespace {

using shell::error_text;
using shell::say;

// --- input -------------------------------------------------------------------

// Bytes read but not yet given to the line editor (typed ahead while a
// program ran).
char typeahead[abi::console::ring_capacity];
size_t typeahead_length;

// Takes everything the console has into typeahead, until it says
// would_block (which asks it to signal us when more comes). Returns whether
// Ctrl-C was among the bytes; those before it stay, those after it go.
bool take_input() {
    for (;;) {
        char bytes[abi::console::max_read];
        int64_t n = sys::serial_console::try_read(console, bytes, sizeof bytes);
        if (n == abi::error_code(Error::would_block)) return false;
        if (n < 0) {
            console_gone = true;
            return false;
        }
        for (int64_t i = 0; i < n; ++i) {
            if (bytes[i] == ctrl_c) return true;
            if (typeahead_length < sizeof typeahead) typeahead[typeahead_length++] = bytes[i];
        }
    }
}

// --- jobs --------------------------------------------------------------------

struct Job {
    bool used;
    sys::loader::Task task;
    char name[24];
};
constexpr unsigned max_jobs = 16;
Job jobs[max_jobs];

Job* job_of(uint64_t pid) {
    for (Job& j : jobs)
        if (j.used && j.task.pid == pid) return &j;
    return nullptr;
}

// If the job has ended: says how, forgets it, and returns true.
bool reap(Job& j) {
    int64_t status = 0;
    int64_t ended = sys::loader::status(loader, j.task.pid, status);
    if (ended == 0) return false;
    char text[64];
    if (ended < 0) say("[%lu] %s: the loader cannot say (%s)\n", j.task.pid, j.name, error_text(ended));
    else say("[%lu] %s: %s\n", j.task.pid, j.name, sys::loader::describe_status(status, text, sizeof text));
    sys::cap_delete(ts::cnode, j.task.exited);
    slots.free(j.task.exited);
    j.used = false;
    return true;
}

void reap_all() {
    for (Job& j : jobs)
        if (j.used) reap(j);
}

// Waits until the job ends (and says how) or Ctrl-C is typed: then it runs
// on in the background. Returns whether it ended.
bool wait_for(Job& j) {
    for (;;) {
        if (take_input()) {
            say("^C\nshell: stopped waiting for [%lu] %s; it runs on (kill %lu stops it)\n", j.task.pid, j.name,
                j.task.pid);
            return false;
        }
        if (console_gone || reap(j)) return !console_gone;
        sys::WordResult w = sys::notification_wait(events);
        if (w.status < 0) return false;
        if (w.word & child_bit)
            for (Job& other : jobs)
                if (other.used && &other != &j) reap(other);
    }
}

// --- commands ----------------------------------------------------------------

constexpr unsigned max_words = 16;

bool parse_id(const char* s, uint64_t& value) {
    if (!*s) return false;
    for (const char* p = s; *p; ++p)
        if (*p < '0' || *p > '9') return false;
    value = sys::parse_number(s);
    return true;
}

void command_run(int argc, char** argv) {
    bool background = false;
    if (argc > 1 && lib::equal(argv[argc - 1], "&")) {
        background = true;
        --argc;
    } else if (size_t n = strlen(argv[argc - 1]); argc > 1 && n > 1 && argv[argc - 1][n - 1] == '&') {
        background = true;
        argv[argc - 1][n - 1] = '\0';
    }
    if (argc < 2) return say("usage: run NAME [ARGS...] [&]\n");
    Job* j = nullptr;
    for (Job& candidate : jobs)
        if (!candidate.used) {
            j = &candidate;
            break;
        }
    if (!j) return say("shell: %u programs run already; wait for or kill one\n", max_jobs);
    // The loader signals a copy of our notification, badged child_bit,
    // when the program ends.
    Cptr lend = slots.allocate(), exited = slots.allocate();
    if (!lend || !exited || !sys::ok(sys::cap_mint(ts::cnode, lend, ts::cnode, events, abi::rights::write, child_bit))) {
        if (lend) slots.free(lend);
        if (exited) slots.free(exited);
        return say("shell: out of slots\n");
    }
    sys::loader::Options options;
    options.priority = program_priority;
    options.lend = lend;
    char reason[96] = "";
    int64_t e = sys::loader::spawn(loader, argc - 1, argv + 1, options, exited, j->task, reason, sizeof reason);
    sys::cap_delete(ts::cnode, lend);
    slots.free(lend);
    if (e < 0) {
        slots.free(exited);
        return say("shell: cannot run %s: %s (%s)\n", argv[1], reason[0] ? reason : "refused", error_text(e));
    }
    j->used = true;
    size_t n = strlen(argv[1]) < sizeof j->name - 1 ? strlen(argv[1]) : sizeof j->name - 1;
    memcpy(j->name, argv[1], n);
    j->name[n] = '\0';
    say("[%lu] %s started%s\n", j->task.pid, j->name, background ? " in the background" : "");
    if (!background) wait_for(*j);
}

void command_wait(int argc, char** argv) {
    uint64_t pid = 0;
    if (argc > 1) {
        if (!parse_id(argv[1], pid)) return say("usage: wait [ID]\n");
        Job* j = job_of(pid);
        if (!j) return say("shell: %lu is not a program of this shell that runs\n", pid);
        wait_for(*j);
        return;
    }
    unsigned waited = 0;
    for (Job& j : jobs)
        if (j.used) {
            ++waited;
            if (!wait_for(j)) return;  // Ctrl-C: stop waiting for the others too
        }
    if (!waited) say("shell: no programs running\n");
}

void command_kill(int argc, char** argv) {
    uint64_t pid = 0;
    if (argc != 2 || !parse_id(argv[1], pid)) return say("usage: kill ID\n");
    sys::loader::Task task;
    task.pid = pid;
    if (int64_t e = sys::loader::kill(loader, task); e < 0)
        return say("shell: cannot kill %lu: %s\n", pid, error_text(e));
    if (Job* j = job_of(pid)) reap(*j);
}

void command_jobs() {
    unsigned n = 0;
    for (Job& j : jobs)
        if (j.used && !reap(j)) {
            say("[%lu] %s: running\n", j.task.pid, j.name);
            ++n;
        }
    if (!n) say("shell: no programs running\n");
}

struct PagerState {
    int64_t status;
    uint64_t w[abi::pager::state_words];
};

PagerState pager_state() {
    PagerState s{};
    ipc::Received r = ipc::call(pager, ipc::Message{ipc::make_tag(abi::pager::state, 0), {}});
    s.status = r.status();
    if (s.status == 0) ipc::unpack_bytes(r, s.w, sizeof s.w);
    return s;
}

void print_store(const PagerState& p) {
    say("store: %lu of %lu pages in use (%s)\n", p.w[2], p.w[3], p.w[10] ? "swap disk" : "RAM");
}

void print_pager(const PagerState& p) {
    char policy[9] = {};
    memcpy(policy, &p.w[4], 8);
    say("pager: policy %s; budget %lu frames, %lu resident; %lu faults, %lu evictions, %lu write-backs, %lu "
        "read-backs; %lu tasks attached, %lu killed\n",
        policy, p.w[0], p.w[1], p.w[5], p.w[6], p.w[7], p.w[8], p.w[9], p.w[11]);
    print_store(p);
}

struct RootMemory {
    int64_t status;
    uint64_t w[sh::memory_words];
};

RootMemory root_memory() {
    RootMemory m{};
    ipc::Received r = ipc::call(root, ipc::Message{ipc::make_tag(sh::memory, 0), {}});
    m.status = r.status();
    if (m.status == 0) ipc::unpack_bytes(r, m.w, sizeof m.w);
    return m;
}

constexpr uint64_t KiB = 1024, MiB = 1024 * 1024;

void command_mem() {
    RootMemory m = root_memory();
    if (m.status < 0) say("shell: the root task does not answer: %s\n", error_text(m.status));
    else
        say("memory: %lu MiB of RAM (%lu frames of 4 KiB); root holds %lu KiB unallocated; the loader's pool %lu MiB; "
            "the pager %lu MiB\n",
            m.w[0] / MiB, m.w[0] / 4096, m.w[1] / KiB, m.w[2] / MiB, m.w[3] / MiB);
    PagerState p = pager_state();
    if (p.status < 0) return say("shell: the pager does not answer: %s\n", error_text(p.status));
    say("frames: pager budget %lu, resident %lu (%lu KiB)\n", p.w[0], p.w[1], p.w[1] * 4);
    print_store(p);
}

void command_pager(int argc, char** argv) {
    if (argc == 3 && lib::equal(argv[1], "policy")) {
        ipc::Received r = ipc::call(pager, ipc::pack_bytes(abi::pager::set_policy, argv[2], strlen(argv[2])));
        if (int64_t e = r.status(); e < 0)
            return say("shell: the pager refuses policy %s: %s (clockpro, clock, fifo, random)\n", argv[2], error_text(e));
    } else if (argc != 1) {
        return say("usage: pager [policy clockpro|clock|fifo|random]\n");
    }
    PagerState p = pager_state();
    if (p.status < 0) return say("shell: the pager does not answer: %s\n", error_text(p.status));
    print_pager(p);
}

void command_console() {
    sys::serial_console::Info i = sys::serial_console::info(console);
    if (i.status < 0) return say("shell: the console does not answer: %s\n", error_text(i.status));
    say("console: %lu bytes received in %lu interrupts, %lu written; %lu overruns, %lu line errors, %lu dropped "
        "(ring full), %lu unread\n",
        i.received, i.interrupts, i.written, i.overruns, i.line_errors, i.dropped, i.buffered);
}

// Cycles per operation over n rounds, and nanoseconds from the TSC's rate.
void report(const char* what, uint64_t cycles, uint64_t n, uint64_t tsc_hz) {
    uint64_t per = cycles / n;
    say("bench: %s: %lu cycles (%lu ns) per operation, %lu rounds\n", what, per,
        tsc_hz ? per * uint64_t(1000000000) / tsc_hz : 0, n);
}

void command_bench() {
    uint64_t tsc_hz = tsc_rate;
    constexpr uint64_t rounds = 20000;
    uint64_t t0 = sys::rdtsc();
    for (uint64_t i = 0; i < rounds; ++i) sys::cap_identify(ts::cnode);
    report("null system call (cap_identify)", sys::rdtsc() - t0, rounds, tsc_hz);
    t0 = sys::rdtsc();
    for (uint64_t i = 0; i < rounds; ++i) ipc::call(root, ipc::Message{ipc::make_tag(sh::ping, 0), {}});
    report("IPC round trip to the root task (two address spaces)", sys::rdtsc() - t0, rounds, tsc_hz);
    t0 = sys::rdtsc();
    for (uint64_t i = 0; i < rounds; ++i) sys::yield();
    report("yield (no other thread at the shell's priority)", sys::rdtsc() - t0, rounds, tsc_hz);
}

// trace on|off|clear|dump: the kernel's trace buffer (docs/tracing.md). The
// dump goes to the serial log between "trace: begin" and "trace: end" lines,
// through the kernel's console, for tools/trace2perfetto.py.
void command_trace(int argc, char** argv) {
    namespace tr = sys::trace;
    const char* what = argc == 2 ? argv[1] : "";
    if (lib::equal(what, "dump")) {
        tr::DumpResult d = tr::dump(ts::console, ts::console);
        if (d.status < 0) return say("shell: cannot read the trace: %s\n", error_text(d.status));
        return say("trace: %lu records dumped, %lu lost\n", d.records, d.lost);
    }
    tr::Op op = lib::equal(what, "on") ? tr::Op::on : lib::equal(what, "off") ? tr::Op::off
                                                    : lib::equal(what, "clear") ? tr::Op::clear : tr::Op::count;
    if (op == tr::Op::count) return say("usage: trace on|off|clear|dump\n");
    tr::ControlResult r = tr::control(ts::console, op);
    if (r.status == abi::error_code(Error::unknown_syscall))
        return say("shell: this kernel was built without tracing (meson configure -Dtrace=true)\n");
    if (r.status < 0) return say("shell: trace %s: %s\n", what, error_text(r.status));
    say("trace: %s (it was %s)\n", op == tr::Op::clear ? "cleared" : what, r.was_on ? "on" : "off");
}

void command_help() {
    say("commands:\n"
        "  help                   this list\n"
        "  run NAME [ARGS] [&]    start NAME from the initrd; & runs it in the background\n"
        "  wait [ID]              wait for a program (or all); Ctrl-C stops waiting\n"
        "  kill ID                stop a program\n"
        "  jobs                   the programs this shell started that run\n"
        "  mem                    memory: RAM, the loader's pool, the pager's frames and store\n");
    say("  pager [policy NAME]    the pager's statistics; switch its replacement policy\n"
        "  ps                     threads: id, name, state, priority, task, CPU time, faults\n"
        "  caps ID                the capability space of thread ID, as a tree\n"
        "  ipc                    threads waiting on endpoints and notifications, and for replies\n"
        "  console                the console driver's counters (overruns, ...)\n"
        "  trace on|off|clear|dump  the kernel's trace buffer; dump prints it for tools/trace2perfetto.py\n"
        "  bench                  quick benchmarks: null call, IPC round trip, yield\n"
        "  echo TEXT              print TEXT\n"
        "  crash console          have the root task crash the console server (supervision test)\n"
        "  exit [STATUS]          end the shell\n");
}

// Returns false when the shell should end, with its status in status.
bool execute(char* line, int& status) {
    char* argv[max_words + 1];
    int argc = 0;
    for (char* p = line; *p && argc < int(max_words);) {
        while (*p == ' ') ++p;
        if (!*p) break;
        argv[argc++] = p;
        while (*p && *p != ' ') ++p;
        if (*p) *p++ = '\0';
    }
    argv[argc] = nullptr;
    if (argc == 0) return true;
    const char* c = argv[0];
    if (lib::equal(c, "help")) command_help();
    else if (lib::equal(c, "run")) command_run(argc, argv);
    else if (lib::equal(c, "wait")) command_wait(argc, argv);
    else if (lib::equal(c, "kill")) command_kill(argc, argv);
    else if (lib::equal(c, "jobs")) command_jobs();
    else if (lib::equal(c, "mem")) command_mem();
    else if (lib::equal(c, "pager")) command_pager(argc, argv);
    else if (lib::equal(c, "console")) command_console();
    else if (lib::equal(c, "ps")) shell::command_ps();
    else if (lib::equal(c, "caps")) shell::command_caps(argc, argv);
    else if (lib::equal(c, "ipc")) shell::command_ipc();
    else if (lib::equal(c, "trace")) command_trace(argc, argv);
    else if (lib::equal(c, "bench")) command_bench();
    else if (lib::equal(c, "echo")) {
        // The words again, one space apart (the line had at most max_line).
        char text[shell::LineEditor::max_line + 2];
        size_t n = 0;
        for (int i = 1; i < argc; ++i) {
            if (i > 1) text[n++] = ' ';
            for (const char* p = argv[i]; *p;) text[n++] = *p++;
        }
        text[n] = '\0';
        say("%s\n", text);
    } else if (lib::equal(c, "crash") && argc == 2 && lib::equal(argv[1], "console")) {
        ipc::Received r = ipc::call(root, ipc::Message{ipc::make_tag(sh::crash_console, 0), {}});
        if (r.status() < 0) say("shell: the root task refuses: %s\n", error_text(r.status()));
    } else if (lib::equal(c, "exit")) {
        uint64_t value = 0;
        status = argc > 1 && parse_id(argv[1], value) ? int(value) : 0;
        return false;
    } else {
        say("shell: unknown command '%s' (help lists the commands)\n", c);
    }
    return true;
}

}  // namespace

int main(int, char**, char**) {
    slots.init(ts::cnode, sys::first_empty_slot(sh::first_image_slot, 1ull << cnode_radix), 1ull << cnode_radix);
    // The console signals a copy of our notification, badged input_bit.
    Cptr lend = slots.allocate();
    int64_t e = lend ? sys::cap_mint(ts::cnode, lend, ts::cnode, events, abi::rights::write, input_bit)
                     : abi::error_code(Error::out_of_memory);
    if (sys::ok(e)) e = sys::serial_console::attach_notification(console, lend);
    if (!sys::ok(e)) {
        sys::print("shell: cannot reach the console server: %s\n", error_text(e));
        return 1;
    }
    sys::cap_delete(ts::cnode, lend);
    slots.free(lend);
    RootMemory m = root_memory();
    tsc_rate = m.status == 0 ? m.w[5] : 0;
    say("shell: ready; 'help' lists the commands\n");
    say("%s", prompt);
    int status = 0;
    for (;;) {
        take_input();
        if (console_gone) break;
        if (!typeahead_length) {
            sys::WordResult w = sys::notification_wait(events);
            if (w.status < 0) break;
            if (w.word & child_bit) reap_all();
            continue;
        }
        // Feed what was typed; a command may run (and read more) between
        // two bytes, so take the bytes out of typeahead first.
        char bytes[sizeof typeahead];
        size_t n = typeahead_length;
        memcpy(bytes, typeahead, n);
        typeahead_length = 0;
        for (size_t i = 0; i < n; ++i) {
            shell::LineEditor::Result r = editor.feed(bytes[i]);
            if (editor.echo_length()) sys::serial_console::write(console, editor.echo(), editor.echo_length(), true);
            editor.clear_echo();
            if (r == shell::LineEditor::Result::more) continue;
            if (r == shell::LineEditor::Result::line) {
                char line[shell::LineEditor::max_line + 1];
                memcpy(line, editor.line(), strlen(editor.line()) + 1);
                if (!execute(line, status)) {
                    say("shell: bye\n");
                    return status;
                }
            }
            // Bytes typed while the command ran come after the rest of these.
            if (typeahead_length) {
                size_t rest = n - i - 1;
                if (rest + typeahead_length > sizeof bytes) typeahead_length = sizeof bytes - rest;
                memmove(typeahead + rest, typeahead, typeahead_length);
                memcpy(typeahead, bytes + i + 1, rest);
                typeahead_length += rest;
                n = i + 1;
            }
            say("%s", prompt);
        }
    }
    sys::print("shell: the console server is gone; ending\n");
    return 1;
}
