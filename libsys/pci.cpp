#include "sys/pci.hpp"

namespace sys::pci {

namespace {
constexpr uint64_t address_port = config_first_port, data_port = config_first_port + 4;
}

bool Config::select(Address a, uint8_t offset) const {
    uint32_t address = 0x80000000u | uint32_t(a.bus) << 16 | uint32_t(a.device & 31) << 11 |
                       uint32_t(a.function & 7) << 8 | (offset & 0xFC);
    return ok(io_port_write(ports_, address_port, 4, address));
}

uint32_t Config::read32(Address a, uint8_t offset) const {
    if (!select(a, offset)) return 0xFFFFFFFFu;
    sys::ValueResult r = io_port_read(ports_, data_port, 4);
    return ok(r.status) ? uint32_t(r.value) : 0xFFFFFFFFu;
}

uint16_t Config::read16(Address a, uint8_t offset) const {
    if (!select(a, offset)) return 0xFFFF;
    sys::ValueResult r = io_port_read(ports_, data_port + (offset & 2), 2);
    return ok(r.status) ? uint16_t(r.value) : 0xFFFF;
}

uint8_t Config::read8(Address a, uint8_t offset) const {
    if (!select(a, offset)) return 0xFF;
    sys::ValueResult r = io_port_read(ports_, data_port + (offset & 3), 1);
    return ok(r.status) ? uint8_t(r.value) : 0xFF;
}

bool Config::write32(Address a, uint8_t offset, uint32_t value) const {
    return select(a, offset) && ok(io_port_write(ports_, data_port, 4, value));
}

bool Config::write16(Address a, uint8_t offset, uint16_t value) const {
    return select(a, offset) && ok(io_port_write(ports_, data_port + (offset & 2), 2, value));
}

bool Config::usable() const { return select(Address{0, 0, 0}, 0); }

Device describe(const Config& config, Address a) {
    return Device{a,
                  config.read16(a, reg::vendor),
                  config.read16(a, reg::device),
                  config.read8(a, reg::class_code),
                  config.read8(a, reg::subclass),
                  config.read8(a, reg::interrupt_line),
                  config.read8(a, reg::interrupt_pin)};
}

bool find(const Config& config, uint16_t vendor, uint16_t device, Device& out) {
    bool found = false;
    scan(config, [&](const Device& d) {
        if (d.vendor == vendor && d.device == device) out = d, found = true;
        return !found;
    });
    return found;
}

uint8_t find_capability(const Config& config, Address a, uint8_t id) {
    constexpr uint16_t status_capabilities = 0x10;
    constexpr uint8_t capabilities_pointer = 0x34;
    if (!(config.read16(a, reg::status) & status_capabilities)) return 0;
    uint8_t at = config.read8(a, capabilities_pointer) & 0xFC;
    for (unsigned n = 0; at >= 0x40 && n < 48; ++n) {
        if (config.read8(a, at) == id) return at;
        at = config.read8(a, uint8_t(at + 1)) & 0xFC;
    }
    return 0;
}

Msix read_msix(const Config& config, Address a) {
    Msix m{};
    m.at = find_capability(config, a, capability_msix);
    if (!m.at) return m;
    m.entries = (config.read16(a, uint8_t(m.at + 2)) & 0x7FF) + 1;
    uint32_t table = config.read32(a, uint8_t(m.at + 4));
    m.table_bar = table & 7;
    m.table_offset = table & ~7u;
    return m;
}

Bar read_bar(const Config& config, Address a, unsigned index) {
    Bar bar{};
    if (index > 5) return bar;
    uint8_t offset = uint8_t(reg::bar0 + 4 * index);
    uint32_t original = config.read32(a, offset);
    if (original == 0xFFFFFFFFu) return bar;
    // Sizing: with decoding off, write all ones and read back the mask.
    uint16_t command = config.read16(a, reg::command);
    config.write16(a, reg::command, command & ~(command::io_space | command::memory_space));
    config.write32(a, offset, 0xFFFFFFFFu);
    uint32_t mask = config.read32(a, offset);
    config.write32(a, offset, original);
    config.write16(a, reg::command, command);
    bar.io = original & 1;
    if (bar.io) {
        bar.base = original & ~3u;
        uint32_t m = mask & ~3u & 0xFFFF;
        bar.size = m ? (~m & 0xFFFF) + 1 : 0;
    } else {
        bar.base = original & ~15u;
        uint32_t m = mask & ~15u;
        bar.size = m ? uint64_t(~m) + 1 : 0;
        if (((original >> 1) & 3) == 2 && index < 5) bar.base |= uint64_t(config.read32(a, uint8_t(offset + 4))) << 32;
    }
    bar.present = bar.size != 0 && (bar.base != 0 || !bar.io);
    return bar;
}

}  // namespace sys::pci
