#include "arch/x86_64/cpu_features.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/paging.hpp"

namespace arch {

ProtectionFeatures enable_protection_features() {
    ProtectionFeatures f{};
    f.nx = rdmsr(msr::efer) & efer::nxe;
    paging::set_nx_enabled(f.nx);

    uint32_t max_leaf = cpuid(0).eax;
    if (max_leaf >= 7) {
        CpuidResult leaf7 = cpuid(7, 0);
        f.smep = leaf7.ebx & (1u << 7);
        f.smap = leaf7.ebx & (1u << 20);
        f.umip = leaf7.ecx & (1u << 2);
    }
    write_cr0(read_cr0() | cr0::write_protect);
    uint64_t cr4 = read_cr4() | cr4::pge;
    if (f.smep) cr4 |= cr4::smep;
    if (f.smap) cr4 |= cr4::smap;
    if (f.umip) cr4 |= cr4::umip;
    write_cr4(cr4);
    return f;
}

}  // namespace arch
