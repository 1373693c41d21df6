// CPU exceptions raised by user code. The offending thread alone is
// stopped, with the reason on the console; the system carries on. (Fault
// messages to a thread's fault handler come with the pager.)
#pragma once

#include "arch/x86_64/trap_frame.hpp"

namespace faults {

void user_exception(const arch::TrapFrame& frame);

}  // namespace faults
