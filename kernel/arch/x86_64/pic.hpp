// The legacy 8259A PIC pair: remapped away from the exception vectors and
// fully masked, since interrupts come through the local APIC.
#pragma once

namespace arch::pic {
void remap_and_mask();
}
