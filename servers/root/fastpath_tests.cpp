// In-guest tests of the kernel's fast paths (docs/abi.md, "Registers";
// docs/benchmarks.md, "Where the instructions go"): every register the ABI
// keeps is kept, and every register a call returns is returned, across the
// IPC fast path (call and reply_recv between two address spaces), the
// general path it falls back to, a null call and a yield that switches
// address spaces. The same calls run with xmm0-xmm15 and MXCSR loaded with
// a per-thread pattern, in two threads that both use them: the kernel's
// lazy FPU switching must hand each its own state back.
#include "sys/ipc.hpp"
#include "test_support.hpp"

namespace root::testing {

namespace {

// What a test system call runs with and leaves behind.
struct Image {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;  // 0..112
    uint64_t mxcsr;                                                                    // 120
    uint64_t xmm[32];                                                                  // 128: xmm0..xmm15
};
static_assert(__builtin_offsetof(Image, mxcsr) == 120 && __builtin_offsetof(Image, xmm) == 128);

}  // namespace

}  // namespace root::testing

// void fastpath_test_syscall(const Image* in, Image* out): loads every
// general register but RSP, xmm0-xmm15 and MXCSR from `in`, executes
// `syscall`, and stores them all to `out`, untouched by compiled code in
// between. Restores the default MXCSR before it returns.
extern "C" void fastpath_test_syscall(const root::testing::Image* in, root::testing::Image* out);
asm(R"(
        # xmm0-15 from and to the Registers record at rdi (offset 128 on).
        .macro load_xmm_from_rdi
        .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
        movdqu  128 + 16 * \n(%rdi), %xmm\n
        .endr
        .endm
        .macro store_xmm_to_rdi
        .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
        movdqu  %xmm\n, 128 + 16 * \n(%rdi)
        .endr
        .endm
)");

asm(R"(
        .text
        .globl  fastpath_test_syscall
        .type   fastpath_test_syscall, @function
fastpath_test_syscall:
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        push    %rsi
        ldmxcsr 120(%rdi)
        load_xmm_from_rdi
        mov     0(%rdi), %rax
        mov     8(%rdi), %rbx
        mov     16(%rdi), %rcx
        mov     24(%rdi), %rdx
        mov     32(%rdi), %rsi
        mov     48(%rdi), %rbp
        mov     56(%rdi), %r8
        mov     64(%rdi), %r9
        mov     72(%rdi), %r10
        mov     80(%rdi), %r11
        mov     88(%rdi), %r12
        mov     96(%rdi), %r13
        mov     104(%rdi), %r14
        mov     112(%rdi), %r15
        mov     40(%rdi), %rdi
        syscall
        push    %rdi
        mov     8(%rsp), %rdi
        mov     %rax, 0(%rdi)
        mov     %rbx, 8(%rdi)
        mov     %rcx, 16(%rdi)
        mov     %rdx, 24(%rdi)
        mov     %rsi, 32(%rdi)
        mov     %rbp, 48(%rdi)
        mov     %r8, 56(%rdi)
        mov     %r9, 64(%rdi)
        mov     %r10, 72(%rdi)
        mov     %r11, 80(%rdi)
        mov     %r12, 88(%rdi)
        mov     %r13, 96(%rdi)
        mov     %r14, 104(%rdi)
        mov     %r15, 112(%rdi)
        pop     %rax
        mov     %rax, 40(%rdi)
        stmxcsr 120(%rdi)
        store_xmm_to_rdi
        pushq   $0x1F80
        ldmxcsr (%rsp)
        add     $16, %rsp
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        ret
        .size   fastpath_test_syscall, . - fastpath_test_syscall
)");

// fastpath_test_fpu_load(const Image*) and fastpath_test_fpu_store(Image*):
// xmm0-xmm15 from and to an image, and nothing else.
extern "C" void fastpath_test_fpu_load(const root::testing::Image* in);
extern "C" void fastpath_test_fpu_store(root::testing::Image* out);
asm(R"(
        .text
        .globl  fastpath_test_fpu_load
        .type   fastpath_test_fpu_load, @function
fastpath_test_fpu_load:
        load_xmm_from_rdi
        ret
        .size   fastpath_test_fpu_load, . - fastpath_test_fpu_load
        .globl  fastpath_test_fpu_store
        .type   fastpath_test_fpu_store, @function
fastpath_test_fpu_store:
        store_xmm_to_rdi
        ret
        .size   fastpath_test_fpu_store, . - fastpath_test_fpu_store
)");

namespace root::testing {

namespace {

using abi::ipc::make_tag;
using abi::Syscall;

constexpr uint64_t rounds = 200;
constexpr uint64_t stop_label = 0x5709;
constexpr uint64_t client_badge = 0xB0B;

// Where the threads below find their capabilities: they run in spaces of
// their own, which share only the test pages with the root task.
Cptr& shared_endpoint() { return *const_cast<Cptr*>(&shared.counters[14]); }
Cptr& shared_badged_endpoint() { return *const_cast<Cptr*>(&shared.counters[15]); }

// A pattern no other thread or round has: thread, round, register.
uint64_t value(uint64_t thread, uint64_t round, uint64_t reg) {
    return (thread + 1) << 56 | (round + 1) << 24 | (reg + 1) << 8 | 0x5A;
}

// An image of thread's pattern for round: every register that may carry
// something is set; the caller then puts the call's own arguments in.
// The threads run in spaces without the root task's data, read-only data
// included (one segment): the barrier keeps GCC from vectorising these
// loops with constants from there.
Image pattern(uint64_t thread, uint64_t round) {
    Image in{};
    uint64_t* words = &in.rax;
    for (uint64_t r = 0; r < 15; ++r) {
        uint64_t v = value(thread, round, r);
        asm("" : "+r"(v));
        words[r] = v;
    }
    for (uint64_t x = 0; x < 32; ++x) {
        uint64_t v = value(thread, round, 16 + x);
        asm("" : "+r"(v));
        in.xmm[x] = v;
    }
    // Round toward zero with precision exceptions unmasked: a state no
    // compiled code leaves behind.
    in.mxcsr = (round & 1) ? 0x7E80 : 0x5F00;
    return in;
}

// 0 when the registers the ABI keeps (RBX, RBP, R12-R15, xmm, MXCSR) came
// back as they went in; otherwise a code naming the first that did not.
uint64_t kept(const Image& in, const Image& out) {
    if (in.rbx != out.rbx) return 101;
    if (in.rbp != out.rbp) return 106;
    if (in.r12 != out.r12) return 111;
    if (in.r13 != out.r13) return 112;
    if (in.r14 != out.r14) return 113;
    if (in.r15 != out.r15) return 114;
    if (in.mxcsr != out.mxcsr) return 200;
    for (uint64_t x = 0; x < 32; ++x)
        if (in.xmm[x] != out.xmm[x]) return 300 + x / 2;
    return 0;
}

// 0 when the message registers hold what was sent: status 0, rdi the
// badge, rsi the tag, then the four words.
uint64_t received(const Image& out, uint64_t badge, uint64_t tag, const Image& sent) {
    if (out.rax != 0) return 400;
    if (out.rdi != badge) return 401;
    if (out.rsi != tag) return 402;
    if (out.rdx != sent.rdx || out.r10 != sent.r10 || out.r8 != sent.r8 || out.r9 != sent.r9) return 403;
    return 0;
}

// Index 0 serves, index 1 calls. The server answers each call with
// reply_recv and checks that the next call arrives in its registers. Both
// go on to the end after a failure (a server that stopped would leave the
// client waiting) and report the first.
void ipc_register_thread(uint64_t index) {
    Cptr ep = shared_endpoint();
    uint64_t failure = 0;
    if (index == 0) {
        uint64_t tag = sys::ipc::receive(ep).message.tag;  // the call of round 1
        for (uint64_t round = 0; abi::ipc::tag_label(tag) != stop_label; ++round) {
            Image in = pattern(0, round), out{};
            in.rax = uint64_t(Syscall::endpoint_reply_recv);
            in.rdi = ep;
            in.rsi = make_tag(round + 7, 32);
            fastpath_test_syscall(&in, &out);
            tag = out.rsi;
            if (abi::ipc::tag_label(tag) == stop_label || failure) continue;
            // The reply went to the call of round + 1; this is the call of
            // round + 2, as the client made it.
            failure = kept(in, out);
            if (!failure) failure = received(out, client_badge, make_tag(round + 2, 32), pattern(1, round + 2));
            if (failure) failure += 1000 * (round + 2);
        }
        sys::ipc::reply(sys::ipc::Message{make_tag(1, 0), {}});
    } else {
        Cptr badged = shared_badged_endpoint();
        for (uint64_t round = 1; round <= rounds; ++round) {
            Image in = pattern(1, round), out{};
            in.rax = uint64_t(Syscall::endpoint_call);
            in.rdi = badged;
            // Every eighth call asks not to wait: the fast path leaves that
            // to the general path, whose registers are checked the same way.
            in.rsi = make_tag(round, 32, 0, round % 8 == 0 ? abi::ipc::flag_nonblocking : 0);
            fastpath_test_syscall(&in, &out);
            if (failure) continue;
            failure = kept(in, out);
            // The reply: the server's pattern of the round before.
            if (!failure) failure = received(out, 0, make_tag(round - 1 + 7, 32), pattern(0, round - 1));
            if (failure) failure += 1000 * round;
        }
        sys::ipc::call(badged, sys::ipc::Message{make_tag(stop_label, 0), {}});
    }
    shared.results[index] = int64_t(failure);
    finish_thread();
}

const char* describe_failure(uint64_t code) {
    uint64_t what = code % 1000;
    if (what >= 300 && what < 400) return "an xmm register";
    switch (what) {
    case 101: return "RBX";
    case 106: return "RBP";
    case 111: return "R12";
    case 112: return "R13";
    case 113: return "R14";
    case 114: return "R15";
    case 200: return "MXCSR";
    case 400: return "the status in RAX";
    case 401: return "the badge in RDI";
    case 402: return "the tag in RSI";
    case 403: return "the words in RDX, R10, R8, R9";
    case 500: return "an argument register (RDI, RSI, RDX, R8-R10)";
    default: return "a register";
    }
}

// Two threads of their own spaces at one priority, the root task waiting.
bool run_pair(Test& t, ThreadEntry entry) {
    Cptr made[2];
    for (uint64_t i = 0; i < 2; ++i) {
        Cptr space = make_test_space();
        made[i] = space ? make_thread(space, entry, i, 100, next_stack_top()) : 0;
        if (!made[i]) {
            t.fail("could not create test thread %lu", i);
            return false;
        }
    }
    for (Cptr thread : made) sys::thread_resume(thread);
    sys::notification_wait(shared.done_notification);
    for (Cptr thread : made) sys::cap_delete(slot::cnode, thread);
    for (uint64_t i = 0; i < 2; ++i)
        if (shared.results[i])
            t.fail("thread %lu, round %lu: %s changed", i, uint64_t(shared.results[i]) / 1000,
                   describe_failure(uint64_t(shared.results[i])));
    return true;
}

void ipc_keeps_and_returns_registers(Test& t) {
    reset_shared(2);
    Cptr ep = allocate(ObjectType::endpoint);
    Cptr badged = free_slot();
    if (!ep || !badged || !sys::ok(sys::cap_mint(slot::cnode, badged, slot::cnode, ep, rights::all, client_badge)))
        return t.fail("could not make the endpoints");
    shared_endpoint() = ep;
    shared_badged_endpoint() = badged;
    sys::thread_set_priority(slot::thread, 255);
    run_pair(t, ipc_register_thread);
    sys::cap_delete(slot::cnode, badged);
    sys::cap_delete(slot::cnode, ep);
}

// Yields to each other: every yield switches address spaces and hands the
// FPU to a thread that uses it too. Every register but RAX (0), RCX and
// R11 comes back. Each tenth call is a null call (cap_identify of an empty
// slot) instead, which returns an error and nothing else.
void yield_register_thread(uint64_t index) {
    uint64_t failure = 0;
    for (uint64_t round = 0; round < rounds && !failure; ++round) {
        Image in = pattern(index, round), out{};
        bool null_call = round % 10 == 9;
        in.rax = uint64_t(null_call ? Syscall::cap_identify : Syscall::yield);
        if (null_call) in.rdi = 0;
        fastpath_test_syscall(&in, &out);
        failure = kept(in, out);
        int64_t expected = null_call ? abi::error_code(Error::invalid_capability) : 0;
        if (!failure && int64_t(out.rax) != expected) failure = 400;
        if (!failure && !null_call &&
            (out.rdi != in.rdi || out.rsi != in.rsi || out.rdx != in.rdx || out.r8 != in.r8 || out.r9 != in.r9 ||
             out.r10 != in.r10))
            failure = 500;
        if (failure) failure += 1000 * (round + 1);
    }
    shared.results[index] = int64_t(failure);
    finish_thread();
}

void yield_keeps_registers(Test& t) {
    reset_shared(2);
    sys::thread_set_priority(slot::thread, 255);
    run_pair(t, yield_register_thread);
}

// Loads its pattern into the FPU and blocks in a receive nobody answers:
// it owns the FPU registers when it is deleted.
void fpu_owner_thread(uint64_t) {
    shared.counters[0] = 1;
    Image in = pattern(2, 0), out{};
    in.rax = uint64_t(Syscall::endpoint_recv);
    in.rdi = shared_endpoint();
    in.rsi = 0;  // blocking
    fastpath_test_syscall(&in, &out);
    shared.results[0] = 1;  // never: nobody sends, and the thread is deleted
    finish_thread();
}

// The thread whose state the FPU registers hold dies; the next thread to
// use them gets its own state back, not the dead one's. Between loading
// our pattern and reading it back only inline system-call stubs run, which
// touch no SSE register: the owner's #NM saves our pattern, and ours, after
// its deletion, must restore it with no owner to save.
void a_dead_fpu_owner_leaves_its_state_behind(Test& t) {
    reset_shared(1);
    Cptr ep = allocate(ObjectType::endpoint);
    shared_endpoint() = ep;
    sys::thread_set_priority(slot::thread, 255);
    Cptr space = make_test_space();
    Cptr owner = space && ep ? make_thread(space, fpu_owner_thread, 0, 255, next_stack_top()) : 0;
    if (!owner) return t.fail("could not create the thread");
    Image mine = pattern(3, 0), back{};
    fastpath_test_fpu_load(&mine);
    sys::thread_resume(owner);
    sys::yield();  // it runs, takes the FPU, blocks in its receive
    int64_t deleted = sys::cap_delete(slot::cnode, owner);
    fastpath_test_fpu_store(&back);
    if (shared.counters[0] != 1) t.fail("the FPU owner never ran");
    t.expect(deleted, Error::none, "deleting the FPU owner");
    for (uint64_t x = 0; x < 32; ++x)
        if (back.xmm[x] != mine.xmm[x]) return t.fail("xmm%lu holds 0x%lx, not ours (0x%lx)", x / 2, back.xmm[x], mine.xmm[x]);
    if (shared.results[0]) t.fail("the deleted thread ran past its receive");
    sys::cap_delete(slot::cnode, ep);
}

}  // namespace

const Case fastpath_cases[] = {
    {"fast path: call and reply_recv between two spaces keep RBX, RBP, R12-R15, xmm0-15 and MXCSR of both threads "
     "and return status, badge, tag and words",
     ipc_keeps_and_returns_registers},
    {"fast path: yield between two spaces (and a null call) keeps every register but RAX, RCX, R11, with both "
     "threads using SSE",
     yield_keeps_registers},
    {"fast path: a thread deleted while it owns the FPU registers leaves the next user its own state",
     a_dead_fpu_owner_leaves_its_state_behind},
};
const uint64_t fastpath_case_count = sizeof fastpath_cases / sizeof *fastpath_cases;

}  // namespace root::testing
