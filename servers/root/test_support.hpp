// Shared by the in-guest test files: a tiny harness and the pages and
// threads the tests run on.
#pragma once

#include <cstdint>

#include "abi/ipc.hpp"
#include "root.hpp"

namespace root::testing {

using abi::Error;
using abi::ObjectType;
using sys::Cptr;
namespace slot = abi::root_slot;
namespace rights = abi::rights;

struct Test {
    bool passed = true;
    bool skipped = false;
    char reason[200] = "";

    // Marks the case as not applicable here (TAP "# SKIP reason").
    void skip(const char* why);
    [[gnu::format(printf, 2, 3)]] void fail(const char* fmt, ...);
    // Checks a call's result against the expected error (Error::none: success).
    void expect(int64_t result, Error expected, const char* what);
};

struct Case {
    const char* name;
    void (*run)(Test&);
};

inline Cptr allocate(ObjectType type, unsigned size_bits = 0) { return context.memory.allocate(type, size_bits); }
inline Cptr free_slot() { return context.slots.allocate(); }

// Pages every test thread can see at the same address, in the root task's
// space and in every space made by make_test_space.
inline constexpr uint64_t shared_address = 0x0000300000000000ull;
inline constexpr uint64_t shared_pages = 4;

struct Shared {
    volatile uint64_t done;              // threads finished (atomic increments)
    Cptr done_notification;               // signalled by the last one
    uint64_t expected;                    // how many threads to wait for
    uint64_t turn_gap;                    // TSC cycles in about 1 ms
    volatile int64_t results[16];
    volatile uint64_t counters[16];
    volatile uint64_t turns[16];          // turns each thread observed
    uint64_t runner;                      // (turn number << 8) | the thread running it
    volatile uint64_t order[256];         // which thread had each turn
    volatile uint64_t marks[16][2];       // per-thread start and end TSC
};
static_assert(sizeof(Shared) <= shared_pages * 4096);
inline Shared& shared = *reinterpret_cast<Shared*>(shared_address);

bool setup_shared_pages();
void reset_shared(uint64_t expected);
// Called by a test thread when it is done; the last one wakes the root task.
[[noreturn]] void finish_thread();
// A new address space sharing the root task's code and the shared pages.
Cptr make_test_space();
// Runs `count` threads of entry(i) at `priority`, each in its own address
// space if asked, and waits until all have called finish_thread. Their
// capabilities go to `threads` if given, else they are deleted.
bool run_threads(Test& t, uint64_t count, ThreadEntry entry, uint8_t priority, bool own_spaces,
                 Cptr* threads = nullptr);
// The IPC buffer of a thread made by run_threads or make_thread with
// next_stack_top: found from its stack, since threads share globals.
abi::ipc::Buffer& my_ipc_buffer();

extern const Case kernel_cases[];
extern const uint64_t kernel_case_count;
extern const Case ipc_cases[];
extern const uint64_t ipc_case_count;
extern const Case loader_cases[];
extern const uint64_t loader_case_count;
extern const Case paging_cases[];
extern const uint64_t paging_case_count;
extern const Case device_cases[];
extern const uint64_t device_case_count;
extern const Case inspect_cases[];
extern const uint64_t inspect_case_count;
extern const Case fastpath_cases[];
extern const uint64_t fastpath_case_count;
extern const Case console_cases[];
extern const uint64_t console_case_count;
extern const Case trace_cases[];
extern const uint64_t trace_case_count;

// The adversarial suite (run=attack, attack_tests.cpp): its cases, the group
// known to bring an old kernel down, and the runner (TAP on the console;
// returns the number of failures).
extern const Case attack_cases[];
extern const uint64_t attack_case_count;
extern const Case attack_crasher_cases[];
extern const uint64_t attack_crasher_count;
int run_attack_suite();

}  // namespace root::testing
