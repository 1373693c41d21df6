// In-guest tests of the kernel's primitives for drivers in user space:
// I/O port capabilities, interrupt lines routed to notifications, and the
// physical addresses of frames for DMA. They drive real devices of QEMU's
// pc machine: the PCI host bridge and the CMOS real-time clock.
#include <initializer_list>

#include "edu.hpp"
#include "test_support.hpp"

namespace root::testing {

namespace {

constexpr uint64_t pci_address = 0xCF8, pci_data = 0xCFC;
constexpr uint64_t cmos_index = 0x70, cmos_data = 0x71;
constexpr unsigned rtc_line = 8;

Cptr issue_ports(uint64_t first, uint64_t count) {
    Cptr c = free_slot();
    return sys::ok(sys::io_ports_issue(slot::io_port_control, first, count, slot::cnode, c)) ? c : 0;
}

void port_ranges_are_checked(Test& t) {
    Cptr c = free_slot();
    t.expect(sys::io_ports_issue(slot::io_port_control, 0x80, 0, slot::cnode, c), Error::bad_argument, "no ports");
    t.expect(sys::io_ports_issue(slot::io_port_control, 0x10000, 1, slot::cnode, c), Error::bad_argument,
             "port 65536");
    t.expect(sys::io_ports_issue(slot::io_port_control, 0xFFFF, 2, slot::cnode, c), Error::bad_argument,
             "past port 65535");
    t.expect(sys::io_ports_issue(slot::io_port_control, 1, ~0ull, slot::cnode, c), Error::bad_argument,
             "a count that wraps");
    for (uint64_t kernel_port : {0x20ull, 0xA1ull, 0x40ull, 0x4D0ull, 0x3FBull, 0x3FCull})
        t.expect(sys::io_ports_issue(slot::io_port_control, kernel_port, 1, slot::cnode, c), Error::not_permitted,
                 "a port the kernel drives");
    t.expect(sys::io_ports_issue(slot::io_port_control, 0x0, 0x100, slot::cnode, c), Error::not_permitted,
             "a range over the PIC");
    t.expect(sys::io_ports_issue(slot::console, 0x80, 1, slot::cnode, c), Error::wrong_type, "issued by a console");
    t.expect(sys::io_ports_issue(slot::io_port_control, 0x80, 1, slot::cnode, slot::console), Error::slot_occupied,
             "onto a full slot");
    if (sys::cap_identify(c).result >= 0) t.fail("a refused issue left a capability");
    // COM1 is shared: the kernel only writes its log there, the console
    // server may own the rest, never the line and modem control.
    t.expect(sys::io_ports_issue(slot::io_port_control, 0x3F8, 8, slot::cnode, c), Error::not_permitted,
             "all of COM1");
    t.expect(sys::io_ports_issue(slot::io_port_control, 0x3F8, 3, slot::cnode, c), Error::none, "COM1's data ports");
    sys::cap_delete(slot::cnode, c);
    t.expect(sys::io_ports_issue(slot::io_port_control, 0x3FD, 3, slot::cnode, c), Error::none, "COM1's status ports");
    sys::cap_delete(slot::cnode, c);
}

void ports_stay_in_their_range(Test& t) {
    Cptr pci = issue_ports(pci_address, 8);
    if (!pci) return t.fail("cannot issue the PCI configuration ports");
    t.expect(sys::io_port_read(pci, pci_address - 1, 1).status, Error::bad_argument, "below the range");
    t.expect(sys::io_port_read(pci, pci_data + 1, 4).status, Error::bad_argument, "a dword over its end");
    t.expect(sys::io_port_read(pci, pci_address, 3).status, Error::bad_argument, "width 3");
    t.expect(sys::io_port_read(pci, pci_address, 8).status, Error::bad_argument, "width 8");
    t.expect(sys::io_port_write(pci, 0x20, 1, 0xFF), Error::bad_argument, "the PIC through another range");
    Cptr read_only = free_slot();
    t.expect(sys::cap_mint(slot::cnode, read_only, slot::cnode, pci, rights::read, 0), Error::none, "read-only copy");
    t.expect(sys::io_port_write(read_only, pci_address, 4, 0x80000000), Error::insufficient_rights,
             "write through a read-only capability");
    // A real device through the capability: the host bridge's vendor.
    t.expect(sys::io_port_write(pci, pci_address, 4, 0x80000000), Error::none, "select 0:0.0 register 0");
    sys::ValueResult id = sys::io_port_read(pci, pci_data, 4);
    t.expect(id.status, Error::none, "read the vendor and device");
    if ((id.value & 0xFFFF) != 0x8086) t.fail("host bridge vendor 0x%lx, expected 0x8086 (Intel)", id.value & 0xFFFF);
    sys::cap_delete(slot::cnode, read_only);
    sys::cap_delete(slot::cnode, pci);
}

// The routing as the kernel reports it: how many lines, which controller,
// how many MSI vectors are free.
struct Routing {
    unsigned lines;
    bool ioapic;
    unsigned free_msi;
};
Routing routing() {
    uint64_t v = sys::irq_control_info(slot::irq_control).value;
    return Routing{unsigned(v & 0xFFFF), bool((v >> 16) & 1), unsigned(v >> 32)};
}

void interrupt_lines_are_issued_once(Test& t) {
    Cptr c = free_slot();
    Routing r = routing();
    // Lines 0 and 2 are the kernel's (the PIT's and, on the PICs, the
    // cascade; on QEMU's I/O APIC, GSI 0 and the PIT's GSI 2); the lines
    // stop at the controller's count.
    for (unsigned line : {0u, 2u, r.lines, r.lines + 1, 255u, 1000u})
        t.expect(sys::irq_issue(slot::irq_control, line, slot::cnode, c), Error::bad_argument, "an unusable line");
    t.expect(sys::syscall(abi::Syscall::irq_issue, slot::irq_control, 0x100000005ull, slot::cnode, c).rax,
             Error::bad_argument, "line 5 plus 2^32");
    t.expect(sys::irq_issue(slot::irq_control, r.lines - 1, slot::cnode, c), Error::none, "the last line");
    t.expect(sys::cap_delete(slot::cnode, c), Error::none, "delete it");
    t.expect(sys::irq_issue(slot::irq_control, 5, slot::cnode, c), Error::none, "line 5");
    Cptr again = free_slot();
    t.expect(sys::irq_issue(slot::irq_control, 5, slot::cnode, again), Error::not_permitted, "line 5 a second time");
    t.expect(sys::irq_ack(c), Error::not_permitted, "acknowledge while unbound");
    Cptr n = allocate(ObjectType::notification), wait_only = free_slot();
    sys::cap_mint(slot::cnode, wait_only, slot::cnode, n, rights::read, 0);
    t.expect(sys::irq_set_notification(c, wait_only), Error::insufficient_rights, "bind to a wait-only capability");
    t.expect(sys::irq_set_notification(c, n), Error::none, "bind");
    t.expect(sys::irq_set_notification(c, 0), Error::none, "unbind");
    t.expect(sys::cap_delete(slot::cnode, c), Error::none, "delete the handler");
    t.expect(sys::irq_issue(slot::irq_control, 5, slot::cnode, again), Error::none, "the line is free again");
    for (Cptr s : {again, wait_only, n}) sys::cap_delete(slot::cnode, s);
}

uint8_t cmos_read(Cptr cmos, uint8_t index) {
    sys::io_port_write(cmos, cmos_index, 1, index);
    return uint8_t(sys::io_port_read(cmos, cmos_data, 1).value);
}
void cmos_write(Cptr cmos, uint8_t index, uint8_t value) {
    sys::io_port_write(cmos, cmos_index, 1, index);
    sys::io_port_write(cmos, cmos_data, 1, value);
}

// Waits up to about a second for the notification and returns its bits
// (0: nothing came); polls, so a line that never fires cannot hang the test.
uint64_t wait_for_interrupt(Cptr n) {
    uint64_t end = sys::rdtsc() + context.info->tsc_hz;
    while (sys::rdtsc() < end) {
        if (uint64_t word = sys::notification_poll(n).word) return word;
        sys::yield();
    }
    return 0;
}

// The RTC's periodic interrupt (line 8, on the slave PIC) reaches a
// notification, is masked until acknowledged, and stops when the handler
// capability goes.
void rtc_interrupts_reach_a_notification(Test& t) {
    Cptr cmos = issue_ports(cmos_index, 2), handler = free_slot();
    Cptr n = allocate(ObjectType::notification), badged = free_slot();
    if (!cmos || !n) return t.fail("cannot set up");
    sys::cap_mint(slot::cnode, badged, slot::cnode, n, rights::write, 0x100);
    t.expect(sys::irq_issue(slot::irq_control, rtc_line, slot::cnode, handler), Error::none, "the RTC's line");
    t.expect(sys::irq_set_notification(handler, badged), Error::none, "bind it");
    cmos_write(cmos, 0x0A, uint8_t((cmos_read(cmos, 0x0A) & 0xF0) | 0x06));  // 1024 Hz
    cmos_write(cmos, 0x0B, uint8_t(cmos_read(cmos, 0x0B) | 0x40));           // periodic interrupts on
    cmos_read(cmos, 0x0C);                                                     // clear what is pending
    t.expect(sys::irq_ack(handler), Error::none, "acknowledge");
    int arrived = 0;
    for (int i = 0; i < 3; ++i) {
        uint64_t word = wait_for_interrupt(n);
        if (!word) break;
        if (word != 0x100) t.fail("the notification got bits 0x%lx, expected the badge 0x100", word);
        ++arrived;
        cmos_read(cmos, 0x0C);  // the RTC's own acknowledgement
        if (i < 2) sys::irq_ack(handler);
    }
    if (arrived != 3) t.fail("%d of 3 interrupts arrived", arrived);
    // Unacknowledged, the line stays masked: nothing arrives while the RTC
    // ticks on (about 20 of its periods), and the next comes after irq_ack.
    uint64_t quiet_until = sys::rdtsc() + context.info->tsc_hz / 50;
    while (sys::rdtsc() < quiet_until) sys::yield();
    if (arrived == 3 && sys::notification_poll(n).word) t.fail("an interrupt arrived before the acknowledgement");
    cmos_read(cmos, 0x0C);
    t.expect(sys::irq_ack(handler), Error::none, "acknowledge the third");
    if (arrived == 3 && !wait_for_interrupt(n)) t.fail("no interrupt after the acknowledgement");
    cmos_write(cmos, 0x0B, uint8_t(cmos_read(cmos, 0x0B) & ~0x40));
    cmos_read(cmos, 0x0C);
    t.expect(sys::cap_delete(slot::cnode, handler), Error::none, "delete the handler");
    for (Cptr s : {badged, n, cmos}) sys::cap_delete(slot::cnode, s);
}

// Nothing reaches n for about 20 ms (some 20 RTC periods): the bits that
// came anyway, 0 when none did.
uint64_t quiet_for_a_while(Cptr n) {
    uint64_t until = sys::rdtsc() + context.info->tsc_hz / 50;
    while (sys::rdtsc() < until) sys::yield();
    return sys::notification_poll(n).word;
}

void rtc_periodic(Cptr cmos, bool on) {
    uint8_t b = cmos_read(cmos, 0x0B);
    cmos_write(cmos, 0x0B, uint8_t(on ? b | 0x40 : b & ~0x40));
    cmos_read(cmos, 0x0C);
}

// An acknowledgement with nothing pending is harmless: no signal, and the
// next real interrupt comes as before. A handler deleted while its
// interrupt waits for irq_ack takes the interrupt with it: the old
// notification hears nothing more, and the line's next owner gets the
// line's interrupts.
void handler_deleted_with_an_interrupt_pending(Test& t) {
    Cptr cmos = issue_ports(cmos_index, 2), handler = free_slot(), again = free_slot();
    Cptr n = allocate(ObjectType::notification), other = allocate(ObjectType::notification);
    if (!cmos || !n || !other) return t.fail("cannot set up");
    t.expect(sys::irq_issue(slot::irq_control, rtc_line, slot::cnode, handler), Error::none, "the RTC's line");
    t.expect(sys::irq_set_notification(handler, n), Error::none, "bind it");
    // The RTC quiet. An edge the last test's RTC raised while the line was
    // masked may still be latched in the 8259 (QEMU keeps it, as the PIC
    // does): it comes once when the line is first unmasked. Let it come and
    // go before the check, which is about acknowledgements, not about
    // what the line's previous owner left.
    rtc_periodic(cmos, false);
    sys::irq_ack(handler);
    quiet_for_a_while(n);
    t.expect(sys::irq_ack(handler), Error::none, "acknowledge with nothing pending");
    t.expect(sys::irq_ack(handler), Error::none, "and again");
    if (uint64_t word = quiet_for_a_while(n)) t.fail("acknowledgements without interrupts signalled 0x%lx", word);
    cmos_write(cmos, 0x0A, uint8_t((cmos_read(cmos, 0x0A) & 0xF0) | 0x06));  // 1024 Hz
    rtc_periodic(cmos, true);
    if (!wait_for_interrupt(n)) t.fail("no interrupt from the RTC");
    cmos_read(cmos, 0x0C);  // the RTC raises the next; the line stays masked, waiting for irq_ack
    t.expect(sys::cap_delete(slot::cnode, handler), Error::none, "delete the handler, its interrupt unacknowledged");
    if (uint64_t word = quiet_for_a_while(n)) t.fail("the deleted handler's notification got 0x%lx", word);
    t.expect(sys::irq_ack(handler), Error::invalid_capability, "acknowledge through the deleted handler");
    t.expect(sys::irq_issue(slot::irq_control, rtc_line, slot::cnode, again), Error::none, "the line again");
    t.expect(sys::irq_set_notification(again, other), Error::none, "bind it elsewhere");
    cmos_read(cmos, 0x0C);
    if (!wait_for_interrupt(other)) t.fail("the line's next owner gets no interrupt");
    rtc_periodic(cmos, false);
    if (sys::notification_poll(n).word) t.fail("the first notification got an interrupt of the second handler");
    for (Cptr s : {again, n, other, cmos}) sys::cap_delete(slot::cnode, s);
}

// MSI vectors come from a pool: each issue gets a distinct vector and the
// message that raises it on this CPU; when the pool is spent the issue is
// refused with out_of_memory and leaves nothing behind; deleting the
// handlers gives their vectors back.
void msi_vectors_run_out_and_come_back(Test& t) {
    Routing before = routing();
    if (before.free_msi == 0 || before.free_msi > 256) return t.fail("%u free MSI vectors reported", before.free_msi);
    Cptr handlers[256];
    unsigned issued = 0;
    uint64_t seen[4] = {};
    for (; issued < 256; ++issued) {
        Cptr c = free_slot();
        sys::ValueResult m = sys::irq_issue_msi(slot::irq_control, slot::cnode, c);
        if (!sys::ok(m.status)) {
            t.expect(m.status, Error::out_of_memory, "the issue after the last vector");
            if (sys::cap_identify(c).result >= 0) t.fail("a refused issue left a capability");
            break;
        }
        handlers[issued] = c;
        uint32_t address = uint32_t(m.value), data = uint32_t(m.value >> 32);
        if ((address & 0xFFF00000u) != 0xFEE00000u || (address & 0xFFF))
            t.fail("MSI address 0x%x is not a local APIC's", address);
        unsigned vector = data & 0xFF;
        if ((data & ~0xFFu) || vector < 32) t.fail("MSI data 0x%x is not a fixed edge-triggered vector", data);
        if (seen[vector / 64] & (1ull << (vector % 64))) t.fail("vector 0x%x issued twice", vector);
        seen[vector / 64] |= 1ull << (vector % 64);
    }
    if (issued != before.free_msi) t.fail("%u vectors issued, %u reported free", issued, before.free_msi);
    if (routing().free_msi != 0) t.fail("%u reported free with the pool spent", routing().free_msi);
    Cptr c = free_slot();  // (slots are not given back: later cases want fresh ones in order)
    t.expect(sys::irq_issue_msi(slot::console, slot::cnode, c).status, Error::wrong_type, "issued by a console");
    t.expect(sys::irq_issue_msi(slot::irq_control, slot::cnode, slot::console).status, Error::slot_occupied,
             "onto a full slot");
    t.expect(sys::irq_control_info(slot::console).status, Error::wrong_type, "routing asked of a console");
    for (unsigned i = 0; i < issued; ++i) sys::cap_delete(slot::cnode, handlers[i]);
    if (routing().free_msi != before.free_msi) t.fail("%u free after the deletes, %u before", routing().free_msi,
                                                     before.free_msi);
    sys::ValueResult m = sys::irq_issue_msi(slot::irq_control, slot::cnode, c);
    t.expect(m.status, Error::none, "a vector after the deletes");
    sys::cap_delete(slot::cnode, c);
    sys::print("# interrupt routing: %u lines through the %s, %u MSI vectors\n", before.lines,
               before.ioapic ? "I/O APIC" : "8259 PICs", before.free_msi);
}

// An MSI reaches the bound notification; one that comes before irq_ack is
// held and signalled at the acknowledgement (never lost, never doubled);
// an acknowledgement with nothing held signals nothing; a handler deleted
// with an MSI held drops it, and an MSI arriving on the freed vector
// harms nothing; the vector's next owner gets its interrupts.
void msi_reaches_a_notification(Test& t) {
    Cptr handler = free_slot(), again = free_slot();
    Cptr n = allocate(ObjectType::notification), other = allocate(ObjectType::notification);
    sys::ValueResult m = sys::irq_issue_msi(slot::irq_control, slot::cnode, handler);
    t.expect(m.status, Error::none, "an MSI vector");
    Edu edu;
    Edu::Open opened = edu.open(m.value);
    if (opened == Edu::Open::absent) t.skip("no edu device (qemu-system-x86_64 ... -device edu)");
    if (opened == Edu::Open::unusable) t.fail("edu: cannot map its registers or find its MSI capability");
    if (opened == Edu::Open::ok) {
        t.expect(sys::irq_set_notification(handler, n), Error::none, "bind it");
        edu.raise();
        if (wait_for_interrupt(n) != 1) t.fail("the MSI did not reach the notification");
        edu.clear();
        edu.raise();  // before irq_ack: held
        if (uint64_t word = quiet_for_a_while(n)) t.fail("an MSI before the acknowledgement signalled 0x%lx", word);
        edu.clear();
        t.expect(sys::irq_ack(handler), Error::none, "acknowledge the first");
        if (sys::notification_poll(n).word != 1) t.fail("the held MSI was not signalled at the acknowledgement");
        t.expect(sys::irq_ack(handler), Error::none, "acknowledge the held one");
        t.expect(sys::irq_ack(handler), Error::none, "acknowledge with nothing pending");
        if (uint64_t word = quiet_for_a_while(n)) t.fail("acknowledgements without MSIs signalled 0x%lx", word);
        edu.raise();
        if (wait_for_interrupt(n) != 1) t.fail("no MSI after the acknowledgements");
        edu.clear();
        edu.raise();  // held again, then the handler goes
        quiet_for_a_while(n);
        edu.clear();
        t.expect(sys::cap_delete(slot::cnode, handler), Error::none, "delete the handler with an MSI held");
        if (uint64_t word = quiet_for_a_while(n)) t.fail("the deleted handler's notification got 0x%lx", word);
        edu.raise();  // the device still sends the freed vector: nothing happens
        if (uint64_t word = quiet_for_a_while(n)) t.fail("an MSI on a freed vector signalled 0x%lx", word);
        edu.clear();
        sys::ValueResult next = sys::irq_issue_msi(slot::irq_control, slot::cnode, again);
        t.expect(next.status, Error::none, "a vector again");
        if (next.value != m.value) t.fail("the freed vector was not the first free one");
        t.expect(sys::irq_set_notification(again, other), Error::none, "bind it elsewhere");
        edu.raise();
        if (wait_for_interrupt(other) != 1) t.fail("the vector's next owner gets no MSI");
        if (sys::notification_poll(n).word) t.fail("the first notification got the next owner's MSI");
        edu.clear();
        // A message the kernel never issued: a vector no one routed, then
        // the vector of an I/O APIC input nobody holds. Both are ignored
        // (the first logged), and the kernel goes on.
        t.expect(sys::irq_ack(again), Error::none, "acknowledge");
        for (uint64_t vector : {0xC5ull, 0x6Full}) {
            edu.point(uint32_t(next.value) | vector << 32);
            edu.raise();
            if (uint64_t word = quiet_for_a_while(other)) t.fail("a stray vector 0x%lx signalled 0x%lx", vector, word);
            edu.clear();
        }
        edu.point(next.value);
        edu.raise();
        if (wait_for_interrupt(other) != 1) t.fail("no MSI after the stray ones");
    }
    edu.close();
    for (Cptr s : {handler, again, n, other}) sys::cap_delete(slot::cnode, s);
}

void frames_tell_their_physical_address(Test& t) {
    Cptr region = allocate(ObjectType::untyped, 13);  // two frames, contiguous
    Cptr first = free_slot(), second = free_slot();
    if (!region || second != first + 1) return t.fail("cannot set up");
    t.expect(sys::untyped_retype(region, ObjectType::frame, 0, slot::cnode, first, 2), Error::none, "two frames");
    sys::ValueResult a = sys::frame_physical_address(first), b = sys::frame_physical_address(second);
    t.expect(a.status, Error::none, "the first frame's address");
    if (a.value % 4096 || a.value < (1u << 20)) t.fail("address 0x%lx is not a page above 1 MiB", a.value);
    if (b.value != a.value + 4096) t.fail("frames 0x%lx and 0x%lx of one region are not contiguous", a.value, b.value);
    Cptr no_read = free_slot();
    sys::cap_mint(slot::cnode, no_read, slot::cnode, first, rights::write, 0);
    t.expect(sys::frame_physical_address(no_read).status, Error::insufficient_rights, "without the read right");
    t.expect(sys::frame_physical_address(slot::console).status, Error::wrong_type, "of a console");
    sys::cap_delete(slot::cnode, no_read);
    sys::cap_revoke(slot::cnode, region);
    sys::cap_delete(slot::cnode, region);
}

// Device memory: the PCI window comes as untyped regions marked device.
// They give frames (never cleared, mapped uncached) and nothing else.
void device_memory_gives_frames_only(Test& t) {
    const abi::BootInfo& info = *context.info;
    Cptr device = 0;
    uint64_t base = 0;
    for (uint64_t i = 0; i < info.untyped.count && !device; ++i)
        if (info.untyped_list[i].is_device && info.untyped_list[i].size_bits >= 16)
            device = info.untyped.first + i, base = info.untyped_list[i].physical_address;
    if (!device) return t.fail("no device memory region in the boot info");
    if (base < (1ull << 28) || base >= 0xFEC00000) t.fail("device memory at 0x%lx, outside the PCI window", base);
    for (uint64_t i = 0; i < info.untyped.count; ++i)
        if (!info.untyped_list[i].is_device && info.untyped_list[i].physical_address == base)
            t.fail("the device region is also RAM");
    Cptr c = free_slot();
    for (ObjectType type : {ObjectType::cnode, ObjectType::notification, ObjectType::thread, ObjectType::page_table,
                            ObjectType::address_space, ObjectType::endpoint})
        t.expect(sys::untyped_retype(device, type, type == ObjectType::cnode ? 4 : type == ObjectType::page_table ? 1 : 0,
                                     slot::cnode, c, 1),
                 Error::bad_argument, "a kernel object from device memory");
    t.expect(sys::untyped_retype(device, ObjectType::frame, 0, slot::cnode, c, 1), Error::none, "a device frame");
    sys::ValueResult where = sys::frame_physical_address(c);
    if (where.value != base) t.fail("the device frame is at 0x%lx, expected 0x%lx", where.value, base);
    constexpr uint64_t window = 0x0000350000000000ull;
    t.expect(context.memory.map_frame(c, slot::vspace, window, rights::read | rights::write), Error::none,
             "map it");
    (void)*reinterpret_cast<volatile uint32_t*>(window);  // an MMIO read: no fault
    Cptr thread = allocate(ObjectType::thread);
    t.expect(sys::thread_configure(thread, slot::cnode, slot::vspace, c, 0x0000360000000000ull, 0), Error::bad_argument,
             "a device frame as an IPC buffer");
    sys::frame_unmap(c);
    for (Cptr s : {thread, c}) sys::cap_delete(slot::cnode, s);
    sys::cap_revoke(slot::cnode, device);
}

}  // namespace

const Case device_cases[] = {
    {"devices: I/O port ranges are checked; the kernel's own ports are never issued, COM1's others are",
     port_ranges_are_checked},
    {"devices: port access stays in the capability's range and rights; the PCI host bridge answers",
     ports_stay_in_their_range},
    {"devices: interrupt lines are issued once, bound only to signalable notifications", interrupt_lines_are_issued_once},
    {"devices: the RTC's interrupts reach a notification, masked until acknowledged", rtc_interrupts_reach_a_notification},
    {"devices: an acknowledgement without an interrupt is harmless; a handler deleted with its interrupt pending "
     "takes it along",
     handler_deleted_with_an_interrupt_pending},
    {"devices: MSI vectors run out with out_of_memory and come back when their handlers go",
     msi_vectors_run_out_and_come_back},
    {"devices: an MSI (QEMU's edu device) reaches a notification, held until acknowledged, dropped with its handler",
     msi_reaches_a_notification},
    {"devices: frames tell their physical address; a region's frames are contiguous", frames_tell_their_physical_address},
    {"devices: the PCI window is device memory: frames only, never RAM, never an IPC buffer",
     device_memory_gives_frames_only},
};
const uint64_t device_case_count = sizeof device_cases / sizeof *device_cases;

}  // namespace root::testing
