#include "object/irq.hpp"

#include "arch/x86_64/idt.hpp"
#include "arch/x86_64/interrupt_lines.hpp"
#include "arch/x86_64/ioapic.hpp"
#include "arch/x86_64/lapic.hpp"
#include "arch/x86_64/pic.hpp"
#include "object/derive.hpp"
#include "object/ipc.hpp"
#include "object/lifecycle.hpp"

namespace object::irq {

namespace {

namespace lines = arch::interrupt_lines;
namespace vectors = arch::interrupts;

// Sources 0..max_lines-1 are lines; max_lines + i is MSI vector msi_base + i.
// A handler capability names its source in `object`, as index + 1.
constexpr unsigned max_lines = arch::ioapic::max_gsis > arch::pic::line_count ? arch::ioapic::max_gsis
                                                                                : arch::pic::line_count;
constexpr unsigned source_count = max_lines + vectors::msi_count;

struct Source {
    Slot notification;  // the kernel's copy of the bound notification capability
    bool issued;
    bool unacknowledged;  // signalled, and irq_ack not yet called
    bool latched;         // an MSI that came while unacknowledged
};
Source sources[source_count];

bool is_msi(unsigned source) { return source >= max_lines; }
unsigned source_of(const Capability& handler) { return unsigned(handler.object - 1); }

void signal(Source& s) {
    const Capability& n = s.notification.cap;
    if (n.type != ObjectType::notification) return;
    s.unacknowledged = true;
    ipc::signal(reinterpret_cast<Notification*>(n.object), n.data ? n.data : 1);
}

void on_line(arch::TrapFrame& frame) {
    unsigned line;
    if (!lines::line_of_vector(uint8_t(frame.vector), line) || !lines::take(line)) return;
    // An interrupt that was in flight when its handler went finds no
    // notification and stays masked.
    signal(sources[line]);
}

void on_msi(arch::TrapFrame& frame) {
    Source& s = sources[max_lines + (frame.vector - vectors::msi_base)];
    // A device may still send a vector whose handler is gone (its driver
    // died before the device was reset): nothing is bound, nothing happens.
    if (!s.issued) return;
    if (s.unacknowledged) s.latched = true;
    else signal(s);
}

void mask(unsigned source) {
    if (!is_msi(source)) lines::mask(source);
}

}  // namespace

void init() {
    lines::init();
    for (unsigned line = 0; line < lines::count(); ++line)
        if (!lines::reserved(line)) vectors::set_handler(lines::vector_of(line), on_line);
    for (unsigned i = 0; i < vectors::msi_count; ++i) vectors::set_handler(uint8_t(vectors::msi_base + i), on_msi);
}

Error issue(unsigned line, Capability& out) {
    if (line >= lines::count() || lines::reserved(line)) return Error::bad_argument;
    if (sources[line].issued) return Error::not_permitted;
    sources[line] = Source{};
    sources[line].issued = true;
    out = Capability{ObjectType::irq_handler, abi::rights::all, 0, 0, 0, uint64_t(line) + 1, 0, 0};
    return Error::none;
}

Error issue_msi(Capability& out, uint64_t& message) {
    for (unsigned i = 0; i < vectors::msi_count; ++i) {
        Source& s = sources[max_lines + i];
        if (s.issued) continue;
        s = Source{};
        s.issued = true;
        out = Capability{ObjectType::irq_handler, abi::rights::all, 0, 0, 0, uint64_t(max_lines + i) + 1, 0, 0};
        // Intel SDM vol. 3, 11.11: the address names the destination local
        // APIC (physical mode), the data the vector (fixed delivery, edge).
        uint64_t address = 0xFEE00000u | uint32_t(arch::lapic::id()) << 12;
        message = address | uint64_t(vectors::msi_base + i) << 32;
        return Error::none;
    }
    return Error::out_of_memory;
}

void release(const Capability& handler) {
    unsigned source = source_of(handler);
    mask(source);
    delete_capability(&sources[source].notification);
    sources[source].issued = sources[source].unacknowledged = sources[source].latched = false;
}

Error bind(const Capability& handler, Slot* notification) {
    unsigned source = source_of(handler);
    Source& s = sources[source];
    mask(source);
    delete_capability(&s.notification);
    s.unacknowledged = s.latched = false;
    if (!notification) return Error::none;
    if (Error e = derive_into(notification, &s.notification); e != Error::none) return e;
    if (!is_msi(source)) lines::unmask(source);
    return Error::none;
}

Error acknowledge(const Capability& handler) {
    unsigned source = source_of(handler);
    Source& s = sources[source];
    if (s.notification.cap.type != ObjectType::notification) return Error::not_permitted;
    s.unacknowledged = false;
    if (!is_msi(source)) {
        lines::unmask(source);
    } else if (s.latched) {
        s.latched = false;
        signal(s);
    }
    return Error::none;
}

uint64_t describe_routing() {
    unsigned free = 0;
    for (unsigned i = 0; i < vectors::msi_count; ++i) free += !sources[max_lines + i].issued;
    return uint64_t(lines::count()) | uint64_t(lines::controller() == lines::Controller::ioapic) << 16 |
           uint64_t(free) << 32;
}

}  // namespace object::irq
