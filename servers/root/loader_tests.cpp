// In-guest tests of the loader server: programs run and report their exit
// status, malformed programs are refused with their reason, and a killed
// or finished task gives all its memory back.
#include <initializer_list>

#include "abi/pager.hpp"
#include "abi/task.hpp"
#include "sys/ipc.hpp"
#include "common/string.hpp"
#include "services.hpp"
#include "test_support.hpp"

namespace root::testing {

namespace {

namespace loader = sys::loader;

bool contains(const char* text, const char* part) {
    for (; *text; ++text) {
        size_t i = 0;
        while (part[i] && text[i] == part[i]) ++i;
        if (!part[i]) return true;
    }
    return false;
}

void a_program_runs_and_reports_its_status(Test& t) {
    loader::Task task;
    // exit_code checks its own stack: argv, this environment string, PID=,
    // and the auxiliary vector; 99 means something was missing.
    const char* argv[] = {"exit_code", "42", "GREETING=hello"};
    const char* envp[] = {"GREETING=hello"};
    loader::Options options{100, 1, envp};
    if (loader::spawn(start_loader(), 3, argv, options, free_slot(), task) < 0) return t.fail("exit_code did not start");
    int64_t status = loader::wait(start_loader(), task);
    if (status != 42) t.fail("exit status %ld, expected 42 (99: bad start-up stack)", status);
}

void malformed_programs_are_refused_with_their_reason(Test& t) {
    struct Case {
        const char* name;
        const char* reason;
    };
    const Case cases[] = {
        {"bad_wx", "writable and executable"},
        {"bad_kernel", "user address limit"},
        {"bad_entry", "entry"},
        {"bad_truncated", "program header"},
        {"bad_interp", "needs a dynamic linker (PT_INTERP)"},
        {"bad_needed", "needs a dynamic linker (DT_NEEDED"},
        {"bad_symbolic", "relocations other than R_X86_64_RELATIVE"},
        {"bad_segments", "too many loadable segments"},
        {"no_such_program", "no such program"},
    };
    for (const Case& c : cases) {
        loader::Task task;
        char reason[128] = "";
        const char* argv[] = {c.name};
        int64_t e = loader::spawn(start_loader(), 1, argv, loader::Options{}, free_slot(), task, reason, sizeof reason);
        if (e >= 0) t.fail("%s was started", c.name);
        else if (!contains(reason, c.reason)) t.fail("%s was refused with \"%s\", expected \"%s\"", c.name, reason, c.reason);
    }
    // And the system carries on.
    loader::Task task;
    const char* argv[] = {"exit_code", "0"};
    if (!run_program(2, argv, 100, task) || loader::wait(start_loader(), task) != 0)
        t.fail("a good program did not run after the refusals");
}

void killed_tasks_give_their_memory_back(Test& t) {
    // More busy tasks than the loader's pool could hold at once: each must
    // give its memory back when killed for the next to start.
    constexpr int rounds = 300;
    for (int i = 0; i < rounds; ++i) {
        loader::Task task;
        const char* argv[] = {"busy", "x"};
        if (!run_program(2, argv, 90, task)) return t.fail("round %d: busy did not start", i);
        t.expect(loader::kill(start_loader(), task), Error::none, "kill");
        if (loader::wait(start_loader(), task) != abi::loader::killed_status) t.fail("a killed task's status is wrong");
        sys::cap_delete(slot::cnode, task.exited);
        if (!t.passed) return;
    }
}

void finished_tasks_give_their_memory_back(Test& t) {
    constexpr int rounds = 300;
    for (int i = 0; i < rounds; ++i) {
        loader::Task task;
        const char* argv[] = {"exit_code", "3"};
        if (!run_program(2, argv, 100, task)) return t.fail("round %d: exit_code did not start", i);
        if (loader::wait(start_loader(), task) != 3) return t.fail("round %d: wrong status", i);
        sys::cap_delete(slot::cnode, task.exited);
    }
}

uint64_t pager_total_faults() {
    sys::ipc::Received r = sys::ipc::call(pager(), sys::ipc::Message{sys::ipc::make_tag(abi::pager::statistics, 0), {}});
    return r.result == 0 ? r.message.words[0] : 0;
}

void program_pages_come_from_the_pager(Test& t) {
    if (!pager()) return t.fail("no pager");
    uint64_t before = pager_total_faults();
    loader::Task task;
    const char* argv[] = {"exit_code", "5"};
    if (!run_program(2, argv, 100, task) || loader::wait(start_loader(), task) != 5) return t.fail("exit_code failed");
    uint64_t faults = pager_total_faults() - before;
    // Its text, read-only data and data pages are each filled on first touch.
    if (faults < 2) t.fail("only %lu page faults went to the pager for a whole program", faults);
}

// hello_pie checks its own relocation (pointers in its data against the
// addresses its code computes) and exits 0 only if all hold; it prints what
// it found, which the boot test reads.
void static_pies_are_relocated_and_run(Test& t) {
    for (const char* name : {"hello_pie", "hello_pie_relr"}) {
        loader::Task task;
        const char* argv[] = {name};
        if (!run_program(1, argv, 100, task)) return t.fail("%s did not start", name);
        int64_t status = loader::wait(start_loader(), task);
        if (status != 0) t.fail("%s exited with %ld: not relocated correctly", name, status);
        sys::cap_delete(slot::cnode, task.exited);
    }
}

void a_program_with_64_segments_runs(Test& t) {
    loader::Task task;
    const char* argv[] = {"many_segments"};
    if (!run_program(1, argv, 100, task)) return t.fail("many_segments did not start");
    int64_t status = loader::wait(start_loader(), task);
    if (status != 0) t.fail("many_segments exited with %ld (words wrong)", status);
    sys::cap_delete(slot::cnode, task.exited);
}

}  // namespace

// A spawner may lend the loader a notification with spawn (the shell waits
// so for a program and for input at once): it is signalled, with its
// badge, when the task ends. Anything else lent is dropped.
void a_lent_notification_is_signalled_when_the_task_ends(Test& t) {
    Cptr lender = free_slot();  // a spawner of its own, allowed to lend (grant)
    if (!mint_server_capability(loader_original(), rights::write | rights::grant, 1ull << 41, slot::cnode, lender))
        return t.fail("no loader capability with the grant right");
    Cptr n = allocate(ObjectType::notification), badged = free_slot(), endpoint = allocate(ObjectType::endpoint);
    sys::cap_mint(slot::cnode, badged, slot::cnode, n, rights::write, 0x20);
    loader::Options options;
    options.lend = badged;
    const char* argv[] = {"exit_code", "5"};
    loader::Task task;
    if (loader::spawn(lender, 2, argv, options, free_slot(), task) < 0) return t.fail("exit_code did not start");
    sys::WordResult w = sys::notification_wait(n);  // the loader's signal, or this test hangs and times out
    if (w.status != 0 || w.word != 0x20) t.fail("the lent notification carried 0x%lx, expected its badge 0x20", w.word);
    int64_t status = 0;
    if (loader::status(lender, task.pid, status) != 1 || status != 5) t.fail("status %ld after the signal", status);
    options.lend = endpoint;
    loader::Task other;
    if (loader::spawn(lender, 2, argv, options, free_slot(), other) < 0) return t.fail("an endpoint lent: refused");
    if (loader::wait(lender, other) != 5) t.fail("an endpoint lent: the task did not run to its end");
    if (sys::notification_poll(n).word) t.fail("the endpoint's spawn signalled the notification lent before");
    for (Cptr c : {lender, badged, n, endpoint}) sys::cap_delete(slot::cnode, c);
}

// The pager's state (anyone) and its policy switch (its manager or an
// operator only; the names it can run).
void the_pager_reports_its_state_and_switches_policy_for_its_manager(Test& t) {
    namespace pg = abi::pager;
    Cptr manager = pager();
    if (!manager) return t.fail("no pager");
    auto state = [](Cptr pager, uint64_t (&w)[pg::state_words]) {
        sys::ipc::Received r = sys::ipc::call(pager, sys::ipc::Message{sys::ipc::make_tag(pg::state, 0), {}});
        sys::ipc::unpack_bytes(r, w, sizeof w);
        return r.status();
    };
    auto set = [](Cptr pager, const char* name) {
        return sys::ipc::call(pager, sys::ipc::pack_bytes(pg::set_policy, name, strlen(name))).status();
    };
    uint64_t w[pg::state_words] = {};
    t.expect(state(manager, w), Error::none, "state");
    if (w[0] != pager_frames() || w[1] > w[0] || w[2] > w[3] || memcmp(&w[4], "clockpro", 8) != 0)
        t.fail("state: budget %lu (ours %lu), %lu resident, store %lu of %lu", w[0], pager_frames(), w[1], w[2], w[3]);
    Cptr task_like = free_slot();
    sys::cap_mint(slot::cnode, task_like, slot::cnode, manager, rights::write, 7);
    t.expect(state(task_like, w), Error::none, "state through a task's badge");
    t.expect(set(task_like, "fifo"), Error::not_permitted, "a policy from a task");
    t.expect(set(manager, "lru"), Error::bad_argument, "exact LRU (the pager cannot see every access)");
    t.expect(set(manager, "clockpro-ish"), Error::bad_argument, "an unknown name");
    t.expect(set(manager, ""), Error::bad_argument, "no name");
    t.expect(set(manager, "fifo"), Error::none, "fifo from the manager");
    state(manager, w);
    if (memcmp(&w[4], "fifo\0\0\0\0", 8) != 0) t.fail("the policy is not fifo after the switch");
    t.expect(set(manager, "clockpro"), Error::none, "back to clockpro");
    sys::cap_delete(slot::cnode, task_like);
}

const Case loader_cases[] = {
    {"loader: a program gets argv, envp and auxv, and its exit status comes back", a_program_runs_and_reports_its_status},
    {"loader: malformed programs are refused with their reason; the system carries on",
     malformed_programs_are_refused_with_their_reason},
    {"loader: a program's pages are filled by the pager on first touch", program_pages_come_from_the_pager},
    {"loader: static PIEs (DT_RELA, DT_RELR) are placed at the base, relocated and run", static_pies_are_relocated_and_run},
    {"loader: a program with 64 loadable segments runs", a_program_with_64_segments_runs},
    {"loader: killed tasks give all their memory back", killed_tasks_give_their_memory_back},
    {"loader: finished tasks give all their memory back", finished_tasks_give_their_memory_back},
    {"loader: a notification lent with spawn is signalled when the task ends; anything else lent is dropped",
     a_lent_notification_is_signalled_when_the_task_ends},
    {"pager: state for anyone; set_policy from its manager only, for the policies it can run",
     the_pager_reports_its_state_and_switches_policy_for_its_manager},
};
const uint64_t loader_case_count = sizeof loader_cases / sizeof *loader_cases;

}  // namespace root::testing
