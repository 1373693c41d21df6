#include "object/irq.hpp"

#include "arch/x86_64/idt.hpp"
#include "arch/x86_64/pic.hpp"
#include "object/derive.hpp"
#include "object/ipc.hpp"
#include "object/lifecycle.hpp"

namespace object::irq {

namespace {

struct Line {
    Slot notification;  // the kernel's copy of the bound notification capability
    bool issued;
};
Line lines[arch::pic::line_count];

void on_interrupt(arch::TrapFrame& frame) {
    unsigned line = unsigned(frame.vector - arch::interrupts::pic_base);
    bool last_of_chip = line == 7 || line == 15;
    if (last_of_chip && !arch::pic::in_service(line)) {
        // Spurious: withdrawn before the CPU took it. The master still
        // counts a spurious slave line as in service.
        if (line == 15) arch::pic::end_of_interrupt(0);
        return;
    }
    // Level-triggered lines (PCI) would fire again at once: the line stays
    // masked until the driver has served its device.
    arch::pic::mask(line);
    arch::pic::end_of_interrupt(line);
    const Capability& n = lines[line].notification.cap;
    if (n.type == ObjectType::notification)
        ipc::signal(reinterpret_cast<Notification*>(n.object), n.data ? n.data : 1);
}

bool usable(unsigned line) { return line != 0 && line != arch::pic::cascade_line && line < arch::pic::line_count; }

}  // namespace

void init() {
    for (unsigned line = 0; line < arch::pic::line_count; ++line)
        if (line != arch::pic::cascade_line)
            arch::interrupts::set_handler(uint8_t(arch::interrupts::pic_base + line), on_interrupt);
}

Error issue(unsigned line, Capability& out) {
    if (!usable(line)) return Error::bad_argument;
    if (lines[line].issued) return Error::not_permitted;
    lines[line].issued = true;
    out = Capability{ObjectType::irq_handler, abi::rights::all, 0, 0, 0, uint64_t(line) + 1, 0, 0};
    return Error::none;
}

void release(const Capability& handler) {
    unsigned line = line_of(handler);
    arch::pic::mask(line);
    delete_capability(&lines[line].notification);
    lines[line].issued = false;
}

Error bind(const Capability& handler, Slot* notification) {
    unsigned line = line_of(handler);
    arch::pic::mask(line);
    delete_capability(&lines[line].notification);
    if (!notification) return Error::none;
    if (Error e = derive_into(notification, &lines[line].notification); e != Error::none) return e;
    arch::pic::unmask(line);
    return Error::none;
}

Error acknowledge(const Capability& handler) {
    unsigned line = line_of(handler);
    if (lines[line].notification.cap.type != ObjectType::notification) return Error::not_permitted;
    arch::pic::unmask(line);
    return Error::none;
}

}  // namespace object::irq
