// The kernel trace buffer's records and the operations of trace_control,
// shared by the kernel (which writes records) and user space (which reads
// them with trace_read). docs/tracing.md describes the buffer; docs/abi.md
// the two calls.
#pragma once

#include <cstddef>
#include <cstdint>

namespace abi::trace {

// What a record says happened. The meaning of the fields per kind is in
// the comment of Record.
enum class Kind : uint8_t {
    none,
    switch_to,     // the CPU switches to thread `tid` from thread `peer`
    syscall_enter, // `tid` enters system call `object`
    syscall_exit,  // `tid` leaves system call `object` with status `value` (not on the IPC fast path)
    ipc_send,      // `tid` sends (or calls) on endpoint `object` with badge `value`
    ipc_recv,      // `tid` is given the message of `peer` from endpoint `object`, badge `value`
    ipc_reply,     // `tid` answers the call of `peer`
    fault,         // `tid` raised exception `object` (error code `peer`) at address `value`
    fault_served,  // `peer` (the fault handler) answered the fault of `tid` at address `value`
    interrupt,     // interrupt vector `object` struck while `tid` ran
    name,          // thread `tid` is called the 16 bytes from `peer` on (NUL-padded): for every
                   // named thread when recording starts, and at each thread_set_name
    count
};

// Kind-specific bits of Record::flags.
namespace flag {
inline constexpr uint8_t call = 1;     // ipc_send, ipc_recv: a call, so a reply follows
inline constexpr uint8_t fault = 2;    // ipc_send, ipc_recv: the kernel's fault message
inline constexpr uint8_t resumed = 1;  // fault_served: the thread retries the access
                                       // (clear: its handler refused it, the thread stopped)
}  // namespace flag

// One event, 32 bytes. Thread ids are the kernel's (the idle thread is 0);
// endpoint ids are the endpoint object's physical address / 64, stable for
// the object's life; timestamps are TSC counts (trace_control returns the
// TSC frequency).
struct Record {
    uint64_t tsc;
    uint32_t tid;
    uint8_t kind;      // a Kind
    uint8_t flags;
    uint16_t reserved;
    uint32_t peer;
    uint32_t object;
    uint64_t value;
};
static_assert(sizeof(Record) == 32);
inline constexpr size_t name_offset = offsetof(Record, peer);
inline constexpr size_t name_bytes = sizeof(Record) - name_offset;

// trace_control's operation (its second argument).
enum class Op : uint64_t {
    off = 0,     // stop recording; the records stay
    on = 1,      // start recording
    clear = 2,   // drop every record and the count of lost ones; the state stays
    count
};

// Records the kernel keeps; when they are all unread, new ones are dropped
// and counted as lost until trace_read makes room.
inline constexpr size_t buffer_records = 8192;

}  // namespace abi::trace
