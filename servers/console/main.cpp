// The console server: a user-space driver for the 16550 UART on COM1
// (abi/console.hpp, docs/drivers.md).
//
// The kernel keeps writing its own log to COM1 by polling, from boot to the
// last panic line; it never reads. This server owns the receive side: the
// UART's receive interrupt (line 4, through an irq_handler capability and a
// notification bound to our thread) ends our wait for requests, and we drain
// the receive FIFO into a ring. Clients write text (kept per client until a
// line is complete) and read bytes or lines. Complete lines go out through
// the kernel's console call, whole: the transmitter keeps one master, and
// no line interleaves mid-line with another client's, the kernel's log or
// any program's.
//
// Started by the root task as `console`, with its endpoint, COM1's ports,
// the line-4 handler and a notification in its CNode (abi::console).
#include "abi/console.hpp"
#include "abi/task.hpp"
#include "common/string.hpp"
#include "sys/ipc.hpp"
#include "sys/print.hpp"
#include "sys/resources.hpp"
#include "sys/syscall.hpp"

namespace {

using abi::Cptr;
using abi::Error;
using abi::ObjectType;
namespace ipc = sys::ipc;
namespace con = abi::console;
namespace ts = abi::task_slot;

constexpr unsigned cnode_radix = 12;

// 16550 registers (offsets from the base) and the bits we use.
namespace reg {
constexpr uint64_t data = 0, interrupt_enable = 1, line_status = 5;
}
namespace lsr {
constexpr uint64_t data_ready = 0x01, overrun = 0x02, parity = 0x04, framing = 0x08, brk = 0x10;
}
namespace ier {
constexpr uint64_t receive = 0x01, line_status = 0x04;
}

struct Client {
    char pending[con::line_capacity];  // output not yet written: an incomplete line
    uint64_t pending_length;
    Cptr notification;                 // signalled when input arrives (0: none)
    bool waiting;                      // its last read found nothing
};
Client clients[con::max_clients + 1];  // by badge; 0 is unused

// The input ring: head counts bytes put in, tail bytes taken out.
char ring[con::ring_capacity];
uint64_t head, tail;

struct Counters {
    uint64_t received, overruns, dropped, written, interrupts, line_errors;
} counters;

sys::SlotAllocator slots;
Cptr staging;  // where a client's capability lands

// Two capabilities: the registers below the line control, and the status
// registers above the modem control (abi/console.hpp).
Cptr ports_of(uint64_t offset) { return offset < con::com1_ports ? con::ports_slot : con::status_ports_slot; }
uint64_t port_read(uint64_t offset) { return sys::io_port_read(ports_of(offset), con::com1_base + offset, 1).value; }
void port_write(uint64_t offset, uint64_t value) {
    sys::io_port_write(ports_of(offset), con::com1_base + offset, 1, value);
}

// Reading the line status clears its error bits: every read counts them.
uint64_t line_status() {
    uint64_t status = port_read(reg::line_status);
    if (status & lsr::overrun) ++counters.overruns;
    if (status & (lsr::parity | lsr::framing | lsr::brk)) ++counters.line_errors;
    return status;
}

// A client's line goes out whole through the kernel's console: the
// kernel writes each debug_write in one go, so the line cannot interleave
// with the kernel's log or with programs that print through the kernel
// (the UART's transmitter has one master, the kernel). One system call per
// line, where driving the transmitter ourselves would take two per byte.
void put_bytes(const char* text, uint64_t length) {
    if (length && sys::ok(sys::debug_write(ts::console, text, length))) counters.written += length;
}

// Everything the UART holds goes into the ring. Reading the line status
// with each byte reports (and clears) an overrun: bytes the FIFO lost before
// we came. Counted, never fatal.
void drain_receiver() {
    for (;;) {
        uint64_t status = line_status();
        if (!(status & lsr::data_ready)) return;
        char c = char(port_read(reg::data));
        ++counters.received;
        if (head - tail == con::ring_capacity) {
            ++counters.dropped;
            continue;
        }
        ring[head++ % con::ring_capacity] = c;
    }
}

void wake_readers() {
    if (head == tail) return;
    for (Client& c : clients)
        if (c.waiting && c.notification) {
            c.waiting = false;
            sys::notification_signal(c.notification);
        }
}

void interrupt() {
    ++counters.interrupts;
    drain_receiver();
    sys::irq_ack(con::irq_slot);
    // A byte that came between the last status read and the unmask raised
    // no new edge while the line was masked: take it now, so the UART's
    // interrupt output falls and the next byte raises it again.
    drain_receiver();
    wake_readers();
}

ipc::Message error(Error e) { return ipc::Message{ipc::make_tag(uint64_t(e), 0), {}}; }

void write_pending(Client& c) {
    put_bytes(c.pending, c.pending_length);
    c.pending_length = 0;
}

// Appends text to the client's pending output and writes every complete
// line (and a full buffer) whole.
void append(Client& c, const char* text, uint64_t length) {
    for (uint64_t i = 0; i < length; ++i) {
        c.pending[c.pending_length++] = text[i];
        if (text[i] == '\n' || c.pending_length == con::line_capacity) write_pending(c);
    }
}

ipc::Message read(Client& c, const ipc::Received& m) {
    uint64_t most = m.message.words[0], mode = m.message.words[1];
    if (most == 0 || most > con::max_read || mode > con::read_line) return error(Error::bad_argument);
    uint64_t available = head - tail;
    uint64_t n = available < most ? available : most;
    if (mode == con::read_line) {
        uint64_t end = 0;
        while (end < n && ring[(tail + end) % con::ring_capacity] != '\n' &&
               ring[(tail + end) % con::ring_capacity] != '\r')
            ++end;
        if (end < n) n = end + 1;  // through the end of the line
        else if (n < most) n = 0;  // no end of line yet, and room for more
    }
    if (n == 0) {
        c.waiting = true;
        return error(Error::would_block);
    }
    char out[con::max_read];
    for (uint64_t i = 0; i < n; ++i) out[i] = ring[tail++ % con::ring_capacity];
    return ipc::pack_bytes(0, out, n);
}

ipc::Message attach_notification(Client& c, const ipc::Received& m) {
    if (ipc::tag_caps(m.message.tag) != 1) return error(Error::bad_argument);
    sys::CapabilityInfo info = sys::cap_identify(staging);
    if (info.type != ObjectType::notification) return error(Error::wrong_type);
    if (!(info.rights & abi::rights::write)) return error(Error::insufficient_rights);
    if (c.notification) sys::cap_delete(ts::cnode, c.notification);
    else if (!(c.notification = slots.allocate())) return error(Error::out_of_memory);
    if (!sys::ok(sys::cap_move(ts::cnode, c.notification, ts::cnode, staging))) return error(Error::out_of_memory);
    return ipc::Message{};
}

ipc::Message serve(const ipc::Received& m) {
    if (m.label() == con::debug_crash) {
        if (m.badge != con::root_badge) return error(Error::not_permitted);
        sys::print("console: debug_crash: executing ud2\n");
        asm volatile("ud2");
    }
    if (m.label() == con::info) {
        ipc::Buffer& b = ipc::buffer();
        b.words[4] = counters.interrupts;
        b.words[5] = counters.line_errors;
        b.words[6] = head - tail;
        return ipc::Message{ipc::make_tag(0, con::info_words * 8),
                            {counters.received, counters.overruns, counters.dropped, counters.written}};
    }
    if (m.badge == 0 || m.badge > con::max_clients) return error(Error::not_permitted);
    Client& c = clients[m.badge];
    switch (m.label()) {
    case con::write:
    case con::flush: {
        char text[abi::ipc::max_message_bytes];
        size_t n = ipc::unpack_bytes(m, text, sizeof text);
        append(c, text, n);
        if (m.label() == con::flush) write_pending(c);
        return ipc::Message{};
    }
    case con::read: return read(c, m);
    case con::attach_notification: return attach_notification(c, m);
    default: return error(Error::bad_argument);
    }
}

}  // namespace

int main(int, char**, char**) {
    slots.init(ts::cnode, sys::first_empty_slot(con::first_image_slot, 1ull << cnode_radix), 1ull << cnode_radix);
    staging = slots.allocate();
    if (!staging) return 1;
    if (int64_t e = sys::irq_set_notification(con::irq_slot, con::irq_notification_slot); !sys::ok(e)) {
        sys::print("console: irq_set_notification: %s\n", sys::describe(sys::error_of(e)));
        return 1;
    }
    if (!sys::ok(sys::thread_bind_notification(ts::thread, con::irq_notification_slot))) {
        sys::print("console: cannot bind the interrupt's notification\n");
        return 1;
    }
    // The kernel set the line up (115200 8N1, FIFOs on, OUT2 so the UART's
    // interrupt reaches the PIC) and left its interrupts off: we turn on
    // "data received" and "line status" (overruns), and take what is there.
    drain_receiver();
    port_write(reg::interrupt_enable, ier::receive | ier::line_status);
    sys::irq_ack(con::irq_slot);
    drain_receiver();
    sys::print("console: COM1 at ports 0x%lx-0x%lx and 0x%lx-0x%lx, irq %lu; input ring of %lu bytes, %lu clients\n",
               con::com1_base, con::com1_base + con::com1_ports - 1, con::com1_status,
               con::com1_status + con::com1_status_ports - 1, con::com1_line, con::ring_capacity, con::max_clients);
    ipc::Buffer& b = ipc::buffer();
    b.receive_cnode = ts::cnode;
    b.receive_index = staging;
    ipc::Received r = ipc::receive(con::service_slot);
    for (;;) {
        if (r.result == 0 && r.is_notification()) {
            interrupt();
            r = ipc::receive(con::service_slot);
            continue;
        }
        ipc::Message answer = r.result == 0 ? serve(r) : ipc::Message{};
        if (r.result == 0 && ipc::tag_caps(r.message.tag)) sys::cap_delete(ts::cnode, staging);  // not kept
        b.receive_index = staging;
        r = ipc::reply_receive(con::service_slot, answer);
    }
}
