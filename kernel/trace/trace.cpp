#include "trace/trace.hpp"

#include "arch/x86_64/cpu.hpp"
#include "common/string.hpp"
#include "debug/log.hpp"
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

}  // namespace

// Out of line, so a hook on a fast path stays a load and a branch.
[[gnu::noinline]] void detail::append(Kind kind, uint32_t tid, uint32_t peer, uint32_t object, uint64_t value,
                                      uint8_t flags) {
    ring.push(Record{arch::rdtsc(), tid, uint8_t(kind), flags, 0, peer, object, value});
}

void configure(const lib::CommandLine& cmdline) {
    if (!cmdline.flag("trace")) return;
    if (!config::trace) {
        klog::warn("cmdline: trace=1 ignored: this kernel was built with -Dtrace=false");
        return;
    }
    detail::recording = true;
    klog::info("trace: recording from boot (%zu records)", ring.capacity());
}

void set_recording(bool on) { detail::recording = on && config::trace; }

void clear() { ring.clear(); }

void record_name(uint32_t tid, uint64_t bytes_0_7, uint64_t bytes_8_15) {
    if (!detail::recording) return;
    Record r{arch::rdtsc(), tid, uint8_t(Kind::name), 0, 0, 0, 0, 0};
    auto* name = reinterpret_cast<uint8_t*>(&r) + abi::trace::name_offset;
    memcpy(name, &bytes_0_7, 8);
    memcpy(name + 8, &bytes_8_15, 8);
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
