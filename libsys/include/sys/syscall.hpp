// System call stubs: one inline function per call in abi/syscalls.hpp.
// Each returns the kernel's status: 0 on success, a negated abi::Error on
// failure (sys::ok() tells them apart); calls that return a value return
// a struct with the status and the value.
#pragma once

#include <cstddef>
#include <cstdint>

#include "abi/syscalls.hpp"

namespace sys {

using abi::Cptr;
using abi::Error;
using abi::ObjectType;

// What a call leaves in the registers the ABI uses for results.
struct Registers {
    int64_t rax;
    uint64_t rdi, rsi, rdx, r10, r8, r9;
};

[[gnu::always_inline]] inline Registers syscall(abi::Syscall n, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
                                                uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0) {
    register uint64_t r10 asm("r10") = a3;
    register uint64_t r8 asm("r8") = a4;
    register uint64_t r9 asm("r9") = a5;
    uint64_t rax = uint64_t(n);
    // The syscall instruction itself clobbers rcx and r11.
    asm volatile("syscall"
                 : "+a"(rax), "+D"(a0), "+S"(a1), "+d"(a2), "+r"(r10), "+r"(r8), "+r"(r9)
                 :
                 : "rcx", "r11", "memory");
    return Registers{int64_t(rax), a0, a1, a2, r10, r8, r9};
}

inline bool ok(int64_t result) { return result >= 0; }
inline Error error_of(int64_t result) { return result < 0 ? Error(-result) : Error::none; }
const char* describe(Error e);

inline int64_t debug_write(Cptr console, const char* text, size_t length) {  // status
    return syscall(abi::Syscall::debug_write, console, uint64_t(text), length).rax;
}
[[noreturn]] inline void exit(int status) {
    syscall(abi::Syscall::exit, uint64_t(status));
    __builtin_trap();  // the kernel never returns from exit
}
inline int64_t yield() { return syscall(abi::Syscall::yield).rax; }

inline int64_t cap_copy(Cptr dst_cnode, uint64_t dst, Cptr src_cnode, uint64_t src) {
    return syscall(abi::Syscall::cap_copy, dst_cnode, dst, src_cnode, src).rax;
}
inline int64_t cap_mint(Cptr dst_cnode, uint64_t dst, Cptr src_cnode, uint64_t src, uint8_t rights,
                        uint64_t badge) {
    return syscall(abi::Syscall::cap_mint, dst_cnode, dst, src_cnode, src, rights, badge).rax;
}
inline int64_t cap_move(Cptr dst_cnode, uint64_t dst, Cptr src_cnode, uint64_t src) {
    return syscall(abi::Syscall::cap_move, dst_cnode, dst, src_cnode, src).rax;
}
inline int64_t cap_delete(Cptr cnode, uint64_t index) { return syscall(abi::Syscall::cap_delete, cnode, index).rax; }
inline int64_t cap_revoke(Cptr cnode, uint64_t index) { return syscall(abi::Syscall::cap_revoke, cnode, index).rax; }

struct CapabilityInfo {
    int64_t result;  // the status: < 0, the error; 0, the fields below are valid
    ObjectType type;
    uint8_t rights;
    uint8_t size_bits;
    uint64_t data;   // badge, bytes used of an untyped, or mapped address
};
inline CapabilityInfo cap_identify(Cptr cptr) {
    Registers r = syscall(abi::Syscall::cap_identify, cptr);
    if (r.rax < 0) return CapabilityInfo{r.rax, ObjectType::null, 0, 0, 0};
    return CapabilityInfo{0, ObjectType(r.rsi & 0xFF), uint8_t(r.rsi >> 8), uint8_t(r.rsi >> 16), r.rdx};
}

inline int64_t untyped_retype(Cptr untyped, ObjectType type, unsigned size_bits, Cptr dst_cnode, uint64_t dst,
                              uint64_t count = 1) {
    return syscall(abi::Syscall::untyped_retype, untyped, uint64_t(type), size_bits, dst_cnode, dst, count).rax;
}

inline int64_t thread_configure(Cptr thread, Cptr cspace, Cptr vspace, Cptr ipc_frame = 0, uint64_t ipc_address = 0,
                                Cptr fault_endpoint = 0) {
    return syscall(abi::Syscall::thread_configure, thread, cspace, vspace, ipc_frame, ipc_address, fault_endpoint).rax;
}
inline int64_t thread_set_priority(Cptr thread, uint8_t priority, uint32_t time_slice_ticks = 0) {
    return syscall(abi::Syscall::thread_set_priority, thread, priority, time_slice_ticks).rax;
}
inline int64_t thread_write_registers(Cptr thread, const abi::ThreadRegisters& r) {
    return syscall(abi::Syscall::thread_write_registers, thread, uint64_t(&r)).rax;
}
inline int64_t thread_read_registers(Cptr thread, abi::ThreadRegisters& r) {
    return syscall(abi::Syscall::thread_read_registers, thread, uint64_t(&r)).rax;
}
inline int64_t thread_resume(Cptr thread) { return syscall(abi::Syscall::thread_resume, thread).rax; }
inline int64_t thread_suspend(Cptr thread) { return syscall(abi::Syscall::thread_suspend, thread).rax; }

// On Error::missing_page_table, *missing_level (if given) receives the
// level of the table to map first (1: page table, 2: directory, 3: PDPT).
inline int64_t page_table_map(Cptr table, Cptr vspace, uint64_t address, unsigned* missing_level = nullptr) {
    Registers r = syscall(abi::Syscall::page_table_map, table, vspace, address);
    if (missing_level) *missing_level = unsigned(r.rdx);
    return r.rax;
}
inline int64_t frame_map(Cptr frame, Cptr vspace, uint64_t address, uint8_t rights, unsigned* missing_level = nullptr) {
    Registers r = syscall(abi::Syscall::frame_map, frame, vspace, address, rights);
    if (missing_level) *missing_level = unsigned(r.rdx);
    return r.rax;
}
inline int64_t frame_unmap(Cptr frame) { return syscall(abi::Syscall::frame_unmap, frame).rax; }
inline int64_t frame_protect(Cptr frame, uint8_t rights) { return syscall(abi::Syscall::frame_protect, frame, rights).rax; }
// out[i] gets abi::page_state bits of page i; accessed/dirty are cleared.
inline int64_t address_space_query(Cptr vspace, uint64_t address, uint64_t count, uint8_t* out) {
    return syscall(abi::Syscall::address_space_query, vspace, address, count, uint64_t(out)).rax;
}

inline int64_t notification_signal(Cptr n) { return syscall(abi::Syscall::notification_signal, n).rax; }
// A notification's word: all 64 bits are signal bits, so it travels apart
// from the status.
struct WordResult {
    int64_t status;
    uint64_t word;
};
inline WordResult notification_wait(Cptr n) {
    Registers r = syscall(abi::Syscall::notification_wait, n);
    return WordResult{r.rax, r.rax < 0 ? 0 : r.rdi};
}
inline WordResult notification_poll(Cptr n) {
    Registers r = syscall(abi::Syscall::notification_poll, n);
    return WordResult{r.rax, r.rax < 0 ? 0 : r.rdi};
}

inline int64_t thread_bind_notification(Cptr thread, Cptr notification) {
    return syscall(abi::Syscall::thread_bind_notification, thread, notification).rax;
}

// The longest timer-interrupt latency the kernel has seen, in ns (the
// longest stretch it kept interrupts off); reset starts a new measurement.
struct LatencyResult {
    int64_t status;
    uint64_t nanoseconds;
};
inline LatencyResult debug_timer_latency(Cptr console, bool reset) {
    Registers r = syscall(abi::Syscall::debug_timer_latency, console, reset);
    return LatencyResult{r.rax, r.rdx};
}

// --- drivers (docs/drivers.md) ---------------------------------------------

// A call's status and the one value it returns in rdx.
struct ValueResult {
    int64_t status;
    uint64_t value;
};

inline int64_t io_ports_issue(Cptr io_port_control, uint64_t first_port, uint64_t count, Cptr dst_cnode,
                              uint64_t dst_index) {
    return syscall(abi::Syscall::io_ports_issue, io_port_control, first_port, count, dst_cnode, dst_index).rax;
}
inline ValueResult io_port_read(Cptr ports, uint64_t port, unsigned width) {
    Registers r = syscall(abi::Syscall::io_port_read, ports, port, width);
    return ValueResult{r.rax, r.rax < 0 ? 0 : r.rdx};
}
inline int64_t io_port_write(Cptr ports, uint64_t port, unsigned width, uint64_t value) {
    return syscall(abi::Syscall::io_port_write, ports, port, width, value).rax;
}
inline int64_t irq_issue(Cptr irq_control, unsigned line, Cptr dst_cnode, uint64_t dst_index) {
    return syscall(abi::Syscall::irq_issue, irq_control, line, dst_cnode, dst_index).rax;
}
// notification 0 unbinds (and masks the line).
inline int64_t irq_set_notification(Cptr handler, Cptr notification) {
    return syscall(abi::Syscall::irq_set_notification, handler, notification).rax;
}
inline int64_t irq_ack(Cptr handler) { return syscall(abi::Syscall::irq_ack, handler).rax; }
// A free MSI vector's handler; value = the message: address (bits 0-31),
// data (bits 32-63).
inline ValueResult irq_issue_msi(Cptr irq_control, Cptr dst_cnode, uint64_t dst_index) {
    Registers r = syscall(abi::Syscall::irq_issue_msi, irq_control, dst_cnode, dst_index);
    return ValueResult{r.rax, r.rax < 0 ? 0 : r.rdx};
}
// value = line count | controller << 16 (1: I/O APIC) | free MSI vectors << 32.
inline ValueResult irq_control_info(Cptr irq_control) {
    Registers r = syscall(abi::Syscall::irq_control_info, irq_control);
    return ValueResult{r.rax, r.rax < 0 ? 0 : r.rdx};
}
inline ValueResult frame_physical_address(Cptr frame) {
    Registers r = syscall(abi::Syscall::frame_physical_address, frame);
    return ValueResult{r.rax, r.rax < 0 ? 0 : r.rdx};
}

[[noreturn]] inline void system_poweroff(Cptr console, bool success) {
    syscall(abi::Syscall::system_poweroff, console, success);
    __builtin_trap();
}

}  // namespace sys
