#include "edu.hpp"

#include "root.hpp"

namespace root {

namespace {

namespace pci = sys::pci;
namespace slot = abi::root_slot;

constexpr uint16_t edu_vendor = 0x1234, edu_device = 0x11E8;
constexpr uint64_t edu_window = 0x00003B0000000000ull;
constexpr uint16_t msi_enable = 1, msi_multiple_enable = 0x70, msi_64bit = 0x80;

sys::Cptr config_ports;
bool mapped;

}  // namespace

Edu::Open Edu::open(uint64_t message) {
    if (!config_ports) {
        config_ports = context.slots.allocate();
        if (!sys::ok(sys::io_ports_issue(slot::io_port_control, pci::config_first_port, pci::config_port_count,
                                         slot::cnode, config_ports)))
            return Open::unusable;
    }
    config_ = config_ports;
    pci::Config config(config_);
    pci::Device d;
    if (!pci::find(config, edu_vendor, edu_device, d)) return Open::absent;
    at_ = d.at;
    msi_ = pci::find_capability(config, d.at, pci::capability_msi);
    pci::Bar bar = pci::read_bar(config, d.at, 0);
    if (!msi_ || !bar.present || bar.io) return Open::unusable;
    if (!mapped) {
        sys::Cptr frame = device_frame(bar.base);
        if (!frame || !sys::ok(context.memory.map_frame(frame, slot::vspace, edu_window,
                                                         abi::rights::read | abi::rights::write)))
            return Open::unusable;
        mapped = true;
    }
    registers_ = reinterpret_cast<volatile uint32_t*>(edu_window);
    config.write16(d.at, pci::reg::command, uint16_t(config.read16(d.at, pci::reg::command) | pci::command::memory_space |
                                                     pci::command::bus_master | pci::command::interrupt_disable));
    point(message);
    uint16_t control = config.read16(d.at, uint8_t(msi_ + 2));
    config.write16(d.at, uint8_t(msi_ + 2), uint16_t((control & ~msi_multiple_enable) | msi_enable));  // one vector
    clear();
    return Open::ok;
}

void Edu::close() {
    if (!registers_) return;
    pci::Config config(config_);
    clear();
    uint8_t control = uint8_t(msi_ + 2);
    config.write16(at_, control, uint16_t(config.read16(at_, control) & ~msi_enable));
}

void Edu::point(uint64_t message) {
    pci::Config config(config_);
    bool wide = config.read16(at_, uint8_t(msi_ + 2)) & msi_64bit;
    config.write32(at_, uint8_t(msi_ + 4), uint32_t(message));
    if (wide) config.write32(at_, uint8_t(msi_ + 8), 0);
    config.write16(at_, uint8_t(msi_ + (wide ? 12 : 8)), uint16_t(message >> 32));
}

}  // namespace root
