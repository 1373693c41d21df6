// Turns on the CPU's protection features the kernel relies on or can use.
#pragma once

namespace arch {

struct ProtectionFeatures {
    bool nx;    // no-execute pages (EFER.NXE)
    bool smep;  // supervisor mode execution prevention
    bool smap;  // supervisor mode access prevention
    bool umip;  // user-mode instruction prevention: sgdt, sidt, sldt, smsw, str #GP in ring 3
};

// Enables write protection in ring 0 (CR0.WP), global pages, NX where the
// setup stub turned it on, SMEP, SMAP and UMIP where the CPU has them. Must run
// before the kernel's page tables are built, so that map() knows about NX.
ProtectionFeatures enable_protection_features();

}  // namespace arch
