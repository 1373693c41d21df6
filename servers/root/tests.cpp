// The in-guest test run (run=tests): every case reports one TAP line on
// the console, so the boot test shows each.
#include "test_support.hpp"

namespace root {

int run_kernel_tests() {
    using namespace testing;
    if (!setup_shared_pages() || !(shared.done_notification = allocate(ObjectType::notification))) {
        sys::print("Bail out! cannot set up the test pages\n");
        return 1;
    }
    struct Suite {
        const Case* cases;
        uint64_t count;
    };
    const Suite suites[] = {
        {kernel_cases, kernel_case_count}, {ipc_cases, ipc_case_count}, {loader_cases, loader_case_count},
        {paging_cases, paging_case_count}, {device_cases, device_case_count}, {inspect_cases, inspect_case_count},
        {fastpath_cases, fastpath_case_count},
        {trace_cases, trace_case_count}, {console_cases, console_case_count}};
    uint64_t total = 0;
    for (const Suite& s : suites) total += s.count;
    sys::print("TAP version 13\n1..%lu\n", total);
    int failures = 0;
    uint64_t number = 0;
    for (const Suite& s : suites) {
        for (uint64_t i = 0; i < s.count; ++i) {
            Test t;
            s.cases[i].run(t);
            ++number;
            if (t.passed && t.skipped) {
                sys::print("ok %lu - %s # SKIP %s\n", number, s.cases[i].name, t.reason);
            } else if (t.passed) {
                sys::print("ok %lu - %s\n", number, s.cases[i].name);
            } else {
                ++failures;
                sys::print("not ok %lu - %s\n# %s\n", number, s.cases[i].name, t.reason);
            }
        }
    }
    return failures;
}

// The adversarial suite (run=attack): attacks that must end in an error or
// in the attacker alone being stopped, with a victim task checked last.
int run_attack_tests() { return testing::run_attack_suite(); }

}  // namespace root
