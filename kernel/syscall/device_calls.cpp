// Calls for drivers in user space: I/O ports, interrupt lines, and the
// physical addresses of frames for DMA (docs/drivers.md).
#include "syscall/call.hpp"

namespace syscall {

Error sys_io_ports_issue(Call&) { return Error::unknown_syscall; }
Error sys_io_port_read(Call&) { return Error::unknown_syscall; }
Error sys_io_port_write(Call&) { return Error::unknown_syscall; }
Error sys_irq_issue(Call&) { return Error::unknown_syscall; }
Error sys_irq_set_notification(Call&) { return Error::unknown_syscall; }
Error sys_irq_ack(Call&) { return Error::unknown_syscall; }
Error sys_frame_physical_address(Call&) { return Error::unknown_syscall; }

}  // namespace syscall
