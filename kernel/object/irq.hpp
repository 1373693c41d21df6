// Interrupt lines for drivers in user space.
//
// The root task holds the irq_control capability and issues the handler
// capability of a line (one per line). The handler's holder names a
// notification: each interrupt on the line masks it at the PIC,
// acknowledges the PIC, and signals the notification; the driver serves
// its device and acknowledges with irq_ack, which unmasks the line. The
// kernel keeps its own derived copy of the notification capability, so a
// notification that is bound cannot disappear under an interrupt, and
// revoking the driver's notification capability unbinds the line.
#pragma once

#include "object/capability.hpp"

namespace object::irq {

using Error = abi::Error;

// Registers the kernel's handler for every PIC line.
void init();

// The handler capability for line: bad_argument for line 0 (the PIT, which
// the kernel does not use), 2 (the PIC cascade) and above 15; not_permitted
// when the line already has one.
Error issue(unsigned line, Capability& out);
// The line's last handler capability is gone: unbind and mask it.
void release(const Capability& handler);

// Binds the line to the notification in `notification` (nullptr: unbinds)
// and unmasks it (masks it when unbound).
Error bind(const Capability& handler, Slot* notification);
Error acknowledge(const Capability& handler);

inline unsigned line_of(const Capability& handler) { return unsigned(handler.object - 1); }

}  // namespace object::irq
