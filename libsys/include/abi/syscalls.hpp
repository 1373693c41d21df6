// The system call ABI, shared by the kernel and libsys: call numbers, error
// codes, object types and rights. One place, so the two sides cannot drift
// apart. docs/abi.md describes each call.
//
// Convention (x86_64 `syscall`): number in rax; arguments in rdi, rsi, rdx,
// r10, r8, r9. rax comes back as the status, and only the status: 0 on
// success, a negated abi::Error on failure. Values a call returns travel in
// other registers (named per call below), so no value can ever be mistaken
// for an error or the other way round. rcx and r11 are clobbered by the
// instruction itself; every other register is preserved unless the call
// returns a value in it.
//
// Capabilities are named by a "capability pointer" (cptr): the index of a
// slot in the caller's capability space root (a CNode). Slot 0 is never
// valid. Calls that name a slot in some CNode (copy, mint, retype targets)
// take a pair: the cptr of a CNode capability and an index into that CNode.
#pragma once

#include <cstdint>

namespace abi {

using Cptr = uint64_t;

enum class Syscall : uint64_t {
    debug_write,         // (console, const char* text, size_t length)
    exit,                // (int status): stops the calling thread for good
    yield,               // (): gives up the rest of the time slice
    cap_copy,            // (dst_cnode, dst_index, src_cnode, src_index)
    cap_mint,            // (dst_cnode, dst_index, src_cnode, src_index, rights, badge)
    cap_move,            // (dst_cnode, dst_index, src_cnode, src_index)
    cap_delete,          // (cnode, index)
    cap_revoke,          // (cnode, index): deletes every capability derived from it
    cap_identify,        // (cptr) -> rsi = type | rights << 8 | size_bits << 16, rdx = data (badge, ...)
    untyped_retype,      // (untyped, type, size_bits, dst_cnode, dst_index, count)
    thread_configure,    // (thread, cspace_cnode, vspace, ipc_buffer_frame, ipc_buffer_address, fault_endpoint)
    thread_set_priority, // (thread, priority, time_slice_ticks)
    thread_write_registers, // (thread, const ThreadRegisters*)
    thread_read_registers,  // (thread, ThreadRegisters*)
    thread_resume,       // (thread)
    thread_suspend,      // (thread)
    page_table_map,      // (page_table, vspace, address)
    frame_map,           // (frame, vspace, address, rights)
    frame_unmap,         // (frame)
    notification_signal, // (notification): ORs the capability's badge into the word
    notification_wait,   // (notification) -> rdi = the word's bits, cleared; blocks while 0
    notification_poll,   // (notification) -> rdi = the word's bits (0: none), cleared; never blocks
    // IPC (abi/ipc.hpp): a message is a tag and words 0..3 in rsi, rdx,
    // r10, r8, r9; the rest in the IPC buffer. A received message comes
    // back in the same registers, with rdi = the sender's badge.
    endpoint_send,       // (endpoint, tag, w0, w1, w2, w3)
    endpoint_recv,       // (endpoint, options) -> message
    endpoint_call,       // (endpoint, tag, w0, w1, w2, w3) -> the reply
    endpoint_reply,      // (tag, w0, w1, w2, w3): answers the call received last
    endpoint_reply_recv, // (endpoint, tag, w0, w1, w2, w3) -> next message: reply, then receive
    thread_bind_notification, // (thread, notification or 0): its signals also end a receive
    frame_protect,       // (frame, rights): changes the rights of the frame's mapping
    address_space_query, // (vspace, address, count, uint8_t* out): reads and clears accessed/dirty bits
    system_poweroff,     // (console, success): ends the machine (tests and demos)
    debug_timer_latency, // (console, reset) -> rdx = the longest timer-interrupt latency seen, in ns
    // Drivers in user space (docs/drivers.md):
    io_ports_issue,      // (io_port_control, first_port, count, dst_cnode, dst_index): a capability to ports
                         // [first_port, first_port + count)
    io_port_read,        // (io_ports, port, width 1|2|4) -> rdx = the value read
    io_port_write,       // (io_ports, port, width 1|2|4, value)
    irq_issue,           // (irq_control, line, dst_cnode, dst_index): the handler capability of an
                         // interrupt line (a GSI of the I/O APIC, or a PIC line without one), one per line
    irq_set_notification,// (irq_handler, notification or 0): where the line's interrupts are signalled
    irq_ack,             // (irq_handler): the driver has served the interrupt; the line is unmasked
    frame_physical_address, // (frame) -> rdx = the frame's physical address (for DMA)
    // Tracing (docs/tracing.md, abi/trace.hpp):
    trace_control = 40,  // (console, op) -> rdx = previous state, r10 = TSC Hz
    trace_read = 41,     // (console, Record* buffer, max) -> rdx = records copied, r10 = records lost
    // Introspection (records in abi/inspect.hpp); the debug_* calls need the
    // console's read right, and return rdx = records written, rsi = the next
    // cursor, r10 = 1 when the listing is complete:
    thread_set_name = 42,     // (thread, name bytes 0-7, name bytes 8-15): up to 15 printable characters
    debug_thread_info = 43,   // (console, cursor, ThreadInfo* out, count): live threads, id >= cursor
    debug_cspace_info = 44,   // (console, thread id, path, cursor, CapInfo* out, count): the non-empty slots
                              // >= cursor of the CNode at path in the thread's CSpace; r8 = its radix
    debug_endpoint_info = 45, // (console, cursor, WaitInfo* out, count): threads blocked on endpoints and
                              // notifications, thread id >= cursor
    // MSI and interrupt routing (docs/drivers.md, "Interrupt routing"):
    irq_issue_msi = 47,  // (irq_control, dst_cnode, dst_index) -> rdx = MSI address (bits 0-31) | data << 32:
                         // the handler capability of a free MSI vector and the message that raises it
    irq_control_info = 48, // (irq_control) -> rdx = line count | controller << 16 (0: 8259 PICs, 1: I/O APIC)
                           //   | free MSI vectors << 32
    count
};

enum class Error : int64_t {
    none = 0,
    unknown_syscall = 1,   // rax held no valid call number
    invalid_capability = 2,// the cptr names an empty or out-of-range slot
    wrong_type = 3,        // the capability is of another object type
    insufficient_rights = 4,
    bad_address = 5,       // a user pointer outside the user half, or unmapped
    bad_argument = 6,      // an argument out of range
    slot_occupied = 7,     // the destination slot is not empty
    out_of_memory = 8,     // the untyped region has no room left
    already_mapped = 9,
    missing_page_table = 10, // map needs a page table at a level not yet mapped
    not_mapped = 11,
    partner_died = 13,     // the IPC partner was destroyed while we waited
    object_destroyed = 14, // the object we waited on was destroyed
    would_block = 15,
    no_caller = 16,        // reply with no call to answer
    not_permitted = 17,    // e.g. a priority above the caller's own
    cancelled = 18,        // a blocked call was cut short: the thread was suspended, or the
                           // badged capability it was sending through was deleted
};

inline constexpr int64_t error_code(Error e) { return -int64_t(e); }

enum class ObjectType : uint8_t {
    null,
    untyped,       // size_bits: log2 of its size (12..47)
    cnode,         // size_bits: log2 of its slot count (radix, 2..16)
    thread,
    address_space, // a top-level page table (PML4)
    page_table,    // size_bits: level 3 (PDPT), 2 (page directory) or 1 (page table)
    frame,         // one 4 KiB page of memory
    endpoint,
    notification,
    debug_console,
    io_port_control,  // the authority to issue io_ports capabilities (the root task's)
    io_ports,         // a range of I/O ports
    irq_control,      // the authority to issue irq_handler capabilities (the root task's)
    irq_handler,      // one interrupt line
    count
};

// Rights, as bits. Meaning by object type: frames map readable/writable/
// executable; endpoints need write to send, read to receive, grant to pass
// capabilities; notifications need write to signal, read to wait; other
// objects need write to be changed and read to be inspected.
namespace rights {
inline constexpr uint8_t read = 1;
inline constexpr uint8_t write = 2;
inline constexpr uint8_t execute = 4;
inline constexpr uint8_t grant = 8;
inline constexpr uint8_t all = read | write | execute | grant;
}  // namespace rights

// Object sizes fixed by the kernel, as log2 of bytes (untyped and CNode
// sizes are chosen by the caller).
inline constexpr unsigned thread_size_bits = 12;
inline constexpr unsigned endpoint_size_bits = 6;
inline constexpr unsigned notification_size_bits = 6;
inline constexpr unsigned page_size_bits = 12;
inline constexpr unsigned cnode_slot_size_bits = 6;
inline constexpr unsigned cnode_min_radix = 2;
inline constexpr unsigned cnode_max_radix = 16;
inline constexpr unsigned untyped_min_bits = 12;
inline constexpr unsigned untyped_max_bits = 47;
inline constexpr uint64_t max_retype_count = 256;  // objects per untyped_retype

// The one definition of object sizes, for the kernel's retype and for user
// space's bookkeeping: bytes of untyped memory an object of `type` takes
// (objects are aligned to their size), or 0 when size_bits is out of range
// for the type. size_bits: untyped log2 size, CNode radix, page-table level.
constexpr uint64_t object_size(ObjectType type, uint64_t size_bits) {
    switch (type) {
    case ObjectType::untyped:
        return size_bits >= untyped_min_bits && size_bits <= untyped_max_bits ? 1ull << size_bits : 0;
    case ObjectType::cnode:
        return size_bits >= cnode_min_radix && size_bits <= cnode_max_radix ? 1ull << (size_bits + cnode_slot_size_bits)
                                                                          : 0;
    case ObjectType::page_table: return size_bits >= 1 && size_bits <= 3 ? 1ull << page_size_bits : 0;
    case ObjectType::thread: return 1ull << thread_size_bits;
    case ObjectType::address_space:
    case ObjectType::frame: return 1ull << page_size_bits;
    case ObjectType::endpoint: return 1ull << endpoint_size_bits;
    case ObjectType::notification: return 1ull << notification_size_bits;
    default: return 0;
    }
}

// The user half ends one page short of the canonical boundary, so no code
// can sit where `syscall` would leave a non-canonical return address.
inline constexpr uint64_t user_address_limit = 0x00007FFFFFFFF000ull;

inline constexpr uint64_t priority_max = 255;

// address_space_query: one byte per page.
namespace page_state {
inline constexpr uint8_t present = 1;
inline constexpr uint8_t accessed = 2;
inline constexpr uint8_t dirty = 4;
}  // namespace page_state
inline constexpr uint64_t max_query_pages = 512;

// Fault messages (abi/ipc.hpp) carry the CPU's exception vector; these
// values beyond the hardware's 0..255 report that a thread lost what it
// needs to run, and was stopped for it.
namespace fault_vector {
inline constexpr uint64_t lost_address_space = 256;
inline constexpr uint64_t lost_cspace = 257;
}  // namespace fault_vector

struct ThreadRegisters {
    uint64_t rip, rsp, rflags;
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

}  // namespace abi
