// Calls for drivers in user space: I/O ports, interrupt lines, and the
// physical addresses of frames for DMA (docs/drivers.md).
#include "arch/x86_64/cpu.hpp"
#include "mm/physmap.hpp"
#include "object/irq.hpp"
#include "object/lifecycle.hpp"
#include "syscall/call.hpp"

namespace syscall {

namespace {

constexpr uint64_t port_count = 65536;

// Ports the kernel drives itself: the PICs and their trigger-mode
// registers, the PIT, and COM1's line control and modem control registers
// (0x3FB-0x3FC). No capability ever names them. The rest of COM1 is shared:
// the kernel only ever writes its log there by polling, so the root task
// may issue those ports to the console server, which owns the receive side
// (docs/drivers.md, "The console server"). Keeping the line and modem
// control means no driver can slow the baud rate (the divisor needs the
// line control's DLAB bit) or loop the transmitter back: the kernel's
// polled writes never wait longer than the line the kernel set up.
struct PortRange {
    uint64_t first, count;
};
constexpr PortRange kernel_ports[] = {{0x20, 2}, {0xA0, 2}, {0x4D0, 2}, {0x40, 4}, {0x3FB, 2}};

bool overlaps_kernel_ports(uint64_t first, uint64_t count) {
    for (const PortRange& r : kernel_ports)
        if (first < r.first + r.count && r.first < first + count) return true;
    return false;
}

// An io_ports capability names its range in `object`: first << 20 | count.
uint64_t first_port(const Capability& c) { return c.object >> 20; }
uint64_t ports_in(const Capability& c) { return c.object & ((1ull << 20) - 1); }

Error check_port(const Capability& ports, uint64_t port, uint64_t width) {
    if (width != 1 && width != 2 && width != 4) return Error::bad_argument;
    if (port < first_port(ports) || port > port_count - width ||
        port + width > first_port(ports) + ports_in(ports))
        return Error::bad_argument;
    return Error::none;
}

// The destination of an issue: an empty slot in a CNode of the caller's.
Error empty_target(Call& c, uint64_t cnode, uint64_t index, Slot*& out) {
    TRY(lookup_slot(c, cnode, index, out));
    return out->cap.is_null() ? Error::none : Error::slot_occupied;
}

}  // namespace

Error sys_io_ports_issue(Call& c) {
    Slot *control, *target;
    TRY(lookup(c, c.arg(0), ObjectType::io_port_control, rights::write, control));
    uint64_t first = c.arg(1), count = c.arg(2);
    if (count == 0 || first >= port_count || count > port_count - first) return Error::bad_argument;
    if (overlaps_kernel_ports(first, count)) return Error::not_permitted;
    TRY(empty_target(c, c.arg(3), c.arg(4), target));
    object::install(control, target,
                    Capability{ObjectType::io_ports, rights::read | rights::write, 0, 0, 0, first << 20 | count, 0, 0});
    return Error::none;
}

Error sys_io_port_read(Call& c) {
    Slot* ports;
    TRY(lookup(c, c.arg(0), ObjectType::io_ports, rights::read, ports));
    uint64_t port = c.arg(1), width = c.arg(2);
    TRY(check_port(ports->cap, port, width));
    c.frame.rdx = width == 1 ? arch::inb(uint16_t(port)) : width == 2 ? arch::inw(uint16_t(port)) : arch::inl(uint16_t(port));
    return Error::none;
}

Error sys_io_port_write(Call& c) {
    Slot* ports;
    TRY(lookup(c, c.arg(0), ObjectType::io_ports, rights::write, ports));
    uint64_t port = c.arg(1), width = c.arg(2), value = c.arg(3);
    TRY(check_port(ports->cap, port, width));
    if (width == 1) arch::outb(uint16_t(port), uint8_t(value));
    else if (width == 2) arch::outw(uint16_t(port), uint16_t(value));
    else arch::outl(uint16_t(port), uint32_t(value));
    return Error::none;
}

Error sys_irq_issue(Call& c) {
    Slot *control, *target;
    TRY(lookup(c, c.arg(0), ObjectType::irq_control, rights::write, control));
    TRY(empty_target(c, c.arg(2), c.arg(3), target));
    Capability handler;
    TRY(object::irq::issue(c.arg(1) < 256 ? unsigned(c.arg(1)) : 256, handler));
    object::install(control, target, handler);
    return Error::none;
}

Error sys_irq_set_notification(Call& c) {
    Slot *handler, *n = nullptr;
    TRY(lookup(c, c.arg(0), ObjectType::irq_handler, rights::write, handler));
    if (c.arg(1)) TRY(lookup(c, c.arg(1), ObjectType::notification, rights::write, n));
    return object::irq::bind(handler->cap, n);
}

Error sys_irq_ack(Call& c) {
    Slot* handler;
    TRY(lookup(c, c.arg(0), ObjectType::irq_handler, rights::write, handler));
    return object::irq::acknowledge(handler->cap);
}

Error sys_irq_issue_msi(Call& c) {
    Slot *control, *target;
    TRY(lookup(c, c.arg(0), ObjectType::irq_control, rights::write, control));
    TRY(empty_target(c, c.arg(1), c.arg(2), target));
    Capability handler;
    uint64_t message;
    TRY(object::irq::issue_msi(handler, message));
    object::install(control, target, handler);
    c.frame.rdx = message;
    return Error::none;
}

Error sys_irq_control_info(Call& c) {
    Slot* control;
    TRY(lookup(c, c.arg(0), ObjectType::irq_control, rights::read, control));
    c.frame.rdx = object::irq::describe_routing();
    return Error::none;
}

Error sys_frame_physical_address(Call& c) {
    Slot* frame;
    TRY(lookup(c, c.arg(0), ObjectType::frame, rights::read, frame));
    c.frame.rdx = frame->cap.object - mm::direct_map_base;
    return Error::none;
}

}  // namespace syscall
