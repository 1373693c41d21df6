#include "test_support.hpp"

#include <cstdarg>

#include "abi/ipc.hpp"
#include "common/format.hpp"

namespace root::testing {

void Test::fail(const char* fmt, ...) {
    if (!passed) return;  // keep the first reason
    passed = false;
    va_list args;
    va_start(args, fmt);
    lib::vformat_to(reason, sizeof reason, fmt, args);
    va_end(args);
}

void Test::skip(const char* why) {
    skipped = true;
    lib::format_to(reason, sizeof reason, "%s", why);
}

void Test::expect(int64_t result, Error expected, const char* what) {
    if (sys::error_of(result) != expected)
        fail("%s: got \"%s\", expected \"%s\"", what, sys::describe(sys::error_of(result)), sys::describe(expected));
}

namespace {
Cptr shared_frames[shared_pages];

}  // namespace

bool setup_shared_pages() {
    for (uint64_t i = 0; i < shared_pages; ++i)
        if (!(shared_frames[i] = map_page(slot::vspace, shared_address + i * 4096))) return false;
    return true;
}

void reset_shared(uint64_t expected) {
    Cptr keep = shared.done_notification;
    __builtin_memset(const_cast<Shared*>(&shared), 0, sizeof shared);
    shared.done_notification = keep;
    shared.expected = expected;
    shared.turn_gap = context.info->tsc_hz / 1000;  // 1 ms without running = preempted
}

void finish_thread() {
    if (__atomic_add_fetch(&shared.done, 1, __ATOMIC_SEQ_CST) == shared.expected)
        sys::notification_signal(shared.done_notification);
    sys::exit(0);
}

// A new address space sharing the root task's code and the shared pages.
Cptr make_test_space() {
    Cptr vspace = make_code_sharing_space();
    if (!vspace) return 0;
    for (uint64_t i = 0; i < shared_pages; ++i)
        if (!share_page(shared_frames[i], vspace, shared_address + i * 4096)) return 0;
    return vspace;
}

// Runs `count` threads of entry(i) at `priority`, each in its own address
// space if asked, and waits until all have called finish_thread.
bool run_threads(Test& t, uint64_t count, ThreadEntry entry, uint8_t priority, bool own_spaces, Cptr* threads) {
    reset_shared(count);
    Cptr made[16];
    for (uint64_t i = 0; i < count; ++i) {
        Cptr vspace = own_spaces ? make_test_space() : slot::vspace;
        made[i] = vspace ? make_thread(vspace, entry, i, priority, next_stack_top()) : 0;
        if (!made[i]) {
            t.fail("could not create test thread %lu", i);
            return false;
        }
    }
    for (uint64_t i = 0; i < count; ++i) sys::thread_resume(made[i]);
    sys::notification_wait(shared.done_notification);
    for (uint64_t i = 0; i < count; ++i) {
        if (threads) threads[i] = made[i];
        else sys::cap_delete(slot::cnode, made[i]);
    }
    return true;
}

abi::ipc::Buffer& my_ipc_buffer() { return *reinterpret_cast<abi::ipc::Buffer*>(thread_ipc_buffer()); }

}  // namespace root::testing
