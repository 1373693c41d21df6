// Interrupts for drivers in user space: lines and message-signalled
// interrupts (MSI).
//
// The root task holds the irq_control capability and issues handler
// capabilities: one per interrupt line (a GSI of the I/O APIC, or a PIC
// input where there is no I/O APIC; arch/x86_64/interrupt_lines.hpp), or
// one per MSI vector, which the kernel picks from a pool. The handler's
// holder names a notification: each interrupt signals it, and no other
// comes until the driver acknowledges with irq_ack. A line is masked at
// its controller meanwhile (level-triggered PCI lines would fire again at
// once); an MSI, which the kernel cannot mask at the device, is latched
// and signalled at the acknowledgement. The kernel keeps its own derived
// copy of the notification capability, so a notification that is bound
// cannot disappear under an interrupt, and revoking the driver's
// notification capability unbinds the handler.
#pragma once

#include "object/capability.hpp"

namespace object::irq {

using Error = abi::Error;

// Picks the interrupt controller and registers the kernel's handler for
// every line and MSI vector.
void init();

// The handler capability for line: bad_argument for a line that does not
// exist or that the kernel keeps (interrupt_lines::reserved); not_permitted
// when the line already has one.
Error issue(unsigned line, Capability& out);
// A handler capability for a free MSI vector, and the message a device
// must write to raise it: address (low 32 bits) and data (high 32 bits).
// out_of_memory when every vector is taken.
Error issue_msi(Capability& out, uint64_t& message);
// The handler's last capability is gone: unbind it, mask its line or free
// its vector. An interrupt still pending is dropped.
void release(const Capability& handler);

// Binds the handler to the notification in `notification` (nullptr:
// unbinds) and unmasks it (masks it when unbound).
Error bind(const Capability& handler, Slot* notification);
// not_permitted when unbound; otherwise unmasks (an acknowledgement with
// nothing pending changes nothing).
Error acknowledge(const Capability& handler);

// What irq_control_info reports: lines, controller, free MSI vectors.
uint64_t describe_routing();

}  // namespace object::irq
