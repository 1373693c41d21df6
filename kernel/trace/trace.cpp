#include "trace/trace.hpp"

#include "arch/x86_64/cpu.hpp"
#include "common/string.hpp"
#include "debug/log.hpp"
#include "mm/physmap.hpp"
#include "object/thread.hpp"
#include "syscall/user_access.hpp"
#include "trace/reader.hpp"
#include "trace/ring.hpp"

namespace trace {

namespace detail {
bool recording;
}  // namespace detail

namespace {

using abi::trace::Record;

// A build without tracing keeps a one-record ring that nothing writes, so
// it pays no memory for the buffer either.
constinit Ring<Record, config::trace ? abi::trace::buffer_records : 1> ring;

// Each hook's no-op and the recording code it jumps to when on: the
// section the linker gathers from every record() (trace.hpp).
struct Site {
    uint64_t hook;
    uint64_t target;
};
// Weak: a build without tracing has no such section.
extern "C" [[gnu::weak]] const Site __start_trace_sites[];
extern "C" [[gnu::weak]] const Site __stop_trace_sites[];

extern "C" [[gnu::weak]] const CallSite __start_trace_calls[];
extern "C" [[gnu::weak]] const CallSite __stop_trace_calls[];

constexpr uint8_t nop5[5] = {0x0f, 0x1f, 0x44, 0x00, 0x00};  // nopl 0(%rax,%rax,1)
constexpr uint8_t jmp_rel32 = 0xE9;
constexpr uint8_t call_rel32 = 0xE8;

// The rel32 that makes the 5-byte jump or call at `from` reach `to`. Both
// lie in the kernel image (2 GiB at most): it always reaches.
int32_t rel32(uint64_t from, uint64_t to) { return int32_t(int64_t(to - (from + sizeof nop5))); }

// Where to write the instruction at a kernel text address: kernel text is
// mapped read-only and executable, so through the direct map's writable
// alias of the same frame.
uint8_t* writable(uint64_t text) {
    return mm::phys_to_virt<uint8_t>(mm::kernel_virt_to_phys(reinterpret_cast<const void*>(text)));
}

// Rewrites every hook and every traced call site. Interrupts are off and
// there is one CPU: no hook runs half-written. A hook may run again within
// this very system call (its exit hook), so the CPU is serialized
// afterwards, as the Intel SDM asks of code modified through another
// linear address. A call site only changes its target: the call that is
// running now (trace_control's, through the untraced dispatch) returns to
// the instruction after it as before.
void patch_hooks(bool on) {
    for (const Site* site = __start_trace_sites; site != __stop_trace_sites; ++site) {
        uint8_t* code = writable(site->hook);
        if (!on) {
            memcpy(code, nop5, sizeof nop5);
            continue;
        }
        int32_t offset = rel32(site->hook, site->target);
        code[0] = jmp_rel32;
        memcpy(code + 1, &offset, sizeof offset);
    }
    for (const CallSite* call = __start_trace_calls; call != __stop_trace_calls; ++call) {
        uint8_t* code = writable(call->site);
        int32_t offset = rel32(call->site, on ? call->traced : call->untraced);
        code[0] = call_rel32;
        memcpy(code + 1, &offset, sizeof offset);
    }
    arch::cpuid(0);  // serializing
}

}  // namespace

detail::Pending detail::pending;

// Reached only from record()'s asm call (trace.hpp), with interrupts off.
[[gnu::noinline, gnu::no_caller_saved_registers, gnu::used]] void detail::append() {
    const Pending& p = pending;
    ring.push(Record{arch::rdtsc(), uint32_t(p.tid), uint8_t(p.kind), uint8_t(p.flags), 0, uint32_t(p.peer),
                     uint32_t(p.object), p.value});
}

void configure(const lib::CommandLine& cmdline) {
    if (!cmdline.flag("trace")) return;
    if (!config::trace) {
        klog::warn("cmdline: trace=1 ignored: this kernel was built with -Dtrace=false");
        return;
    }
    set_recording(true);
    klog::info("trace: recording from boot (%zu records)", ring.capacity());
}

void set_recording(bool on) {
    on = on && config::trace;
    if (on == detail::recording) return;
    patch_hooks(on);
    detail::recording = on;
    if (!on) return;
    for (lib::ListNode* n = object::thread_registry.front(); n; n = n->next) record_name(object::registry_thread(n));
}

void clear() { ring.clear(); }

void record_name(const object::Thread* t) {
    if (!detail::recording || !t->name[0]) return;
    Record r{arch::rdtsc(), uint32_t(t->id), uint8_t(Kind::name), 0, 0, 0, 0, 0};
    static_assert(sizeof t->name == abi::trace::name_bytes);
    memcpy(reinterpret_cast<uint8_t*>(&r) + abi::trace::name_offset, t->name, sizeof t->name);
    ring.push(r);
}

bool read_to_user(uint64_t buffer, size_t max, size_t& copied, uint64_t& lost) {
    decltype(ring)::Span first, second;
    ring.peek(max, first, second);
    if (!syscall::copy_to_user(buffer, first.first, first.count * sizeof(Record)) ||
        !syscall::copy_to_user(buffer + first.count * sizeof(Record), second.first, second.count * sizeof(Record)))
        return false;
    copied = first.count + second.count;
    ring.consume(copied);
    lost = ring.take_lost();
    return true;
}

}  // namespace trace
