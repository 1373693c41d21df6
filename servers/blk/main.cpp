// The block server: a virtio-blk driver in user space (docs/drivers.md),
// serving the protocol of abi/blk.hpp.
//
// Started by the root task as: blk PORT_BASE PORT_COUNT IRQ_LINE, with the
// capabilities of abi/blk_server.hpp in its CNode: its endpoint, the
// device's BAR0 ports (the legacy virtio interface), the handler of its
// interrupt line, and an untyped region of its own for DMA memory.
//
// One thread does everything. Its receive ends either with a client's
// request or, through the notification bound to it, with the device's
// interrupt: then it reads the ISR status port (which lowers the
// device's interrupt), acknowledges the line, takes every finished
// request off the used ring, and signals the notification of each client
// with a finished request. Nothing waits for the disk: requests are
// queued to the device and answered with a tag at once.
//
// Data moves by DMA straight between the disk and clients' buffer pages:
// frames of our own DMA memory that each client maps (attach_buffer), so
// that no memory the device may still write is ever reclaimed under it.
// Each request is one descriptor chain, a header, a descriptor per
// physically contiguous run of the client's buffer, and a status byte.
#include <cstddef>

#include "abi/blk.hpp"
#include "abi/blk_server.hpp"
#include "abi/task.hpp"
#include "common/format.hpp"
#include "common/string.hpp"
#include "sys/ipc.hpp"
#include "sys/print.hpp"
#include "sys/resources.hpp"
#include "sys/syscall.hpp"
#include "sys/text.hpp"

namespace {

namespace blk = abi::blk;
namespace srv = abi::blk::server;
namespace ts = abi::task_slot;
namespace ipc = sys::ipc;
using abi::Cptr;
using abi::Error;
using abi::ObjectType;

// --- the legacy virtio PCI interface (virtio 0.9.5, BAR0 in I/O space) --------

namespace reg {
constexpr uint16_t device_features = 0x00, guest_features = 0x04, queue_address = 0x08, queue_size = 0x0C,
                   queue_select = 0x0E, queue_notify = 0x10, device_status = 0x12, isr_status = 0x13,
                   config = 0x14;  // device-specific (no MSI-X): virtio-blk's capacity first
// With MSI-X on, two registers come first and the device-specific
// configuration moves behind them.
constexpr uint16_t config_msix_vector = 0x14, queue_msix_vector = 0x16, config_with_msix = 0x18;
}
constexpr uint16_t no_vector = 0xFFFF;

// How the device interrupts: on a line (INTx), or by MSI-X through entry 0
// of its table, which the root task filled in and enabled.
bool msix;
uint16_t config_base() { return msix ? reg::config_with_msix : reg::config; }
namespace status {
constexpr uint8_t acknowledge = 1, driver = 2, driver_ok = 4, failed = 128;
}
namespace feature {
constexpr uint32_t seg_max = 1u << 2;
}
constexpr uint16_t desc_next = 1, desc_write = 2;
constexpr uint32_t type_in = 0, type_out = 1;  // read from the disk, write to it
constexpr uint8_t device_ok = 0, device_unsupported = 2;

struct Descriptor {
    uint64_t address;
    uint32_t length;
    uint16_t flags;
    uint16_t next;
};
struct UsedElement {
    uint32_t id;
    uint32_t length;
};
struct Header {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};
// What the device reads and writes for one request, beside the client's data.
struct DeviceSlot {
    Header header;
    uint8_t status;
    uint8_t pad[15];
};
static_assert(sizeof(DeviceSlot) == 32);

constexpr unsigned max_queue_size = 1024;
constexpr unsigned max_requests = srv::max_clients * blk::max_in_flight;  // 256
constexpr uint64_t page = 4096;
constexpr uint64_t dma_address = 0x0000500000000000ull;  // our view of the DMA pages
constexpr unsigned cnode_radix = 12;

Cptr ports, irq;
uint64_t port_base;
sys::SlotAllocator slots;
sys::UntypedPool dma_pool{slots};  // after the contiguous frames: page tables, the notification

// The virtqueue (legacy layout: descriptors, available ring, used ring on
// the next 4 KiB boundary) and the device slots, in contiguous frames.
unsigned queue_size;
Descriptor* descriptors;
volatile uint16_t* avail;  // flags, idx, ring[queue_size], used_event
volatile uint16_t* used;   // flags, idx, then UsedElement ring[queue_size]
DeviceSlot* device_slots;
uint64_t device_slots_physical;
uint16_t free_head, free_count;
uint16_t last_used;
uint16_t owner[max_queue_size];  // head descriptor -> request

uint64_t capacity;      // sectors
uint64_t max_sectors;   // per request

struct Request {
    enum State : uint8_t { free, waiting, in_device, done } state;
    uint8_t client;
    uint16_t next;  // free list / waiting FIFO
    uint64_t tag;
    int64_t status;
    blk::Request r;
};
Request requests[max_requests];
constexpr uint16_t none = 0xFFFF;
uint16_t free_requests = none, waiting_head = none, waiting_tail = none;

struct Client {
    Cptr pages[blk::max_buffer_pages];
    uint64_t physical[blk::max_buffer_pages];
    Cptr notification;
    uint64_t next_tag;
    unsigned pending;  // submitted and not yet collected with complete
    uint16_t done[blk::max_in_flight];  // finished requests, oldest first
    unsigned done_first, done_count;
};
Client clients[srv::max_clients + 1];  // by badge; 0 unused
uint32_t to_signal;                     // clients with newly finished requests (bit per badge)

Cptr staging;  // three consecutive slots where received capabilities land

uint32_t port_read(uint16_t offset, unsigned width) { return sys::io_port_read(ports, port_base + offset, width).value; }
void port_write(uint16_t offset, unsigned width, uint32_t value) { sys::io_port_write(ports, port_base + offset, width, value); }

void barrier() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

// --- requests ------------------------------------------------------------------

void finish(uint16_t index, int64_t result) {
    Request& q = requests[index];
    Client& c = clients[q.client];
    q.state = Request::done;
    q.status = result;
    c.done[(c.done_first + c.done_count++) % blk::max_in_flight] = index;
    to_signal |= 1u << q.client;
}

void signal_clients() {
    for (unsigned b = 1; b <= srv::max_clients; ++b)
        if ((to_signal & (1u << b)) && clients[b].notification)
            sys::notification_signal(clients[b].notification);  // a dead client's is gone: no matter
    to_signal = 0;
}

// The client's buffer as physically contiguous runs: (address, length) for
// the bytes [offset, offset + length) of its buffer. Returns the number of
// runs, at most `capacity`.
struct Run {
    uint64_t address;
    uint32_t length;
};
unsigned runs_of(const Client& c, uint64_t offset, uint64_t length, Run* out, unsigned capacity) {
    unsigned n = 0;
    while (length) {
        uint64_t p = offset / page, within = offset % page;
        uint64_t chunk = page - within < length ? page - within : length;
        uint64_t address = c.physical[p] + within;
        if (n && out[n - 1].address + out[n - 1].length == address) out[n - 1].length += uint32_t(chunk);
        else if (n < capacity) out[n++] = Run{address, uint32_t(chunk)};
        else return capacity + 1;
        offset += chunk;
        length -= chunk;
    }
    return n;
}

// Gives the device as many waiting requests as it has descriptors for,
// then tells it once.
void dispatch() {
    uint16_t added = 0;
    uint16_t avail_index = avail[1];
    while (waiting_head != none) {
        uint16_t index = waiting_head;
        Request& q = requests[index];
        Client& c = clients[q.client];
        Run runs[blk::max_buffer_pages + 1];
        unsigned n = runs_of(c, q.r.buffer_offset, q.r.sectors * blk::sector_size, runs, blk::max_buffer_pages + 1);
        if (n + 2u > free_count) break;  // when requests finish
        waiting_head = q.next;
        if (waiting_head == none) waiting_tail = none;
        // The chain: header (device reads), data, status (device writes).
        DeviceSlot& slot = device_slots[index];
        slot.header = Header{q.r.write ? type_out : type_in, 0, q.r.sector};
        slot.status = 0xFF;
        uint64_t slot_physical = device_slots_physical + uint64_t(index) * sizeof(DeviceSlot);
        uint16_t head = free_head, d = head;
        auto take = [&](uint64_t address, uint32_t length, uint16_t flags) {
            Descriptor& desc = descriptors[d];
            desc.address = address;
            desc.length = length;
            desc.flags = flags;
            --free_count;
            uint16_t following = desc.next;
            if (flags & desc_next) d = following;
            else free_head = following;
        };
        take(slot_physical, sizeof(Header), desc_next);
        for (unsigned i = 0; i < n; ++i) take(runs[i].address, runs[i].length, uint16_t(desc_next | (q.r.write ? 0 : desc_write)));
        take(slot_physical + offsetof(DeviceSlot, status), 1, desc_write);
        owner[head] = index;
        q.state = Request::in_device;
        avail[2 + (avail_index + added) % queue_size] = head;
        ++added;
    }
    if (!added) return;
    barrier();  // the ring entries before the index
    avail[1] = uint16_t(avail_index + added);
    barrier();  // the index before the notify
    if (!(used[0] & 1)) port_write(reg::queue_notify, 2, 0);  // VRING_USED_F_NO_NOTIFY clear
}

// Takes every request the device has finished off the used ring.
void harvest() {
    barrier();
    while (last_used != used[1]) {
        barrier();  // the entry after the index
        const volatile UsedElement& e =
            reinterpret_cast<const volatile UsedElement*>(used + 2)[last_used % queue_size];
        uint16_t head = uint16_t(e.id);
        ++last_used;
        if (head >= queue_size) continue;
        uint16_t index = owner[head];
        // The chain goes back on the free list.
        uint16_t d = head, count = 1;
        while (descriptors[d].flags & desc_next) d = descriptors[d].next, ++count;
        descriptors[d].next = free_head;
        free_head = head;
        free_count = uint16_t(free_count + count);
        if (index >= max_requests || requests[index].state != Request::in_device) continue;
        uint8_t s = device_slots[index].status;
        finish(index, s == device_ok            ? 0
                      : s == device_unsupported ? abi::error_code(Error::bad_argument)
                                                : abi::error_code(Error::cancelled));  // an I/O error
    }
}

void interrupt() {
    // Reading the ISR lowers the device's INTx line; with MSI-X nothing
    // needs lowering, and the read is harmless.
    if (!msix) port_read(reg::isr_status, 1);
    harvest();
    sys::irq_ack(irq);
    dispatch();  // into the descriptors just freed
    signal_clients();
}

// --- the protocol ----------------------------------------------------------------

ipc::Message error(Error e) { return ipc::Message{ipc::make_tag(uint64_t(e), 0), {}}; }

Client* client_of(uint64_t badge) { return badge >= 1 && badge <= srv::max_clients ? &clients[badge] : nullptr; }

// Why the request cannot be done (0: it can).
int64_t check(const Client& c, const blk::Request& r) {
    if (r.write > 1 || r.sectors == 0 || r.buffer_offset % blk::sector_size) return abi::error_code(Error::bad_argument);
    if (r.sectors > max_sectors) return abi::error_code(Error::bad_argument);
    if (r.sector >= capacity || r.sectors > capacity - r.sector) return abi::error_code(Error::bad_address);
    uint64_t buffer = blk::max_buffer_pages * page;
    if (r.buffer_offset >= buffer || r.sectors * blk::sector_size > buffer - r.buffer_offset)
        return abi::error_code(Error::bad_address);
    uint64_t first = r.buffer_offset / page, last = (r.buffer_offset + r.sectors * blk::sector_size - 1) / page;
    for (uint64_t p = first; p <= last; ++p)  // lent, and still there (the client may have died)
        if (!c.pages[p] || sys::cap_identify(c.pages[p]).type != ObjectType::frame) return abi::error_code(Error::bad_address);
    return 0;
}

// debug_crash: requests until the driver dies on purpose (0: never).
uint64_t crash_countdown;

[[noreturn]] void crash_now() {
    sys::print("blk: debug_crash: executing ud2\n");
    asm volatile("ud2");
    __builtin_unreachable();
}

ipc::Message submit(Client& c, const ipc::Received& m) {
    if (crash_countdown && --crash_countdown == 0) crash_now();
    blk::Request r;
    if (!ipc::unpack(m, r)) return error(Error::bad_argument);
    if (c.pending >= blk::max_in_flight || free_requests == none) return error(Error::would_block);
    uint16_t index = free_requests;
    Request& q = requests[index];
    free_requests = q.next;
    q = Request{Request::waiting, uint8_t(&c - clients), none, ++c.next_tag, 0, r};
    ++c.pending;
    if (int64_t why = check(c, r); why < 0) {
        finish(index, why);  // at once: the client collects it with complete like any other
        signal_clients();
    } else {
        if (waiting_tail == none) waiting_head = index;
        else requests[waiting_tail].next = index;
        waiting_tail = index;
        dispatch();
    }
    return ipc::Message{ipc::make_tag(0, 8), {q.tag}};
}

ipc::Message complete(Client& c) {
    uint64_t words[1 + 2 * 4] = {};
    uint64_t n = 0;
    while (n < 4 && c.done_count) {
        uint16_t index = c.done[c.done_first];
        c.done_first = (c.done_first + 1) % blk::max_in_flight;
        --c.done_count;
        Request& q = requests[index];
        words[1 + 2 * n] = q.tag;
        words[2 + 2 * n] = uint64_t(q.status);
        ++n;
        q.state = Request::free;
        q.next = free_requests;
        free_requests = index;
        --c.pending;
    }
    words[0] = n;
    return ipc::pack_bytes(0, words, 8 * (1 + 2 * n));
}

// Keeps a received capability in a slot of ours: the client's slot `kept`
// (replaced) or a new one.
bool keep(Cptr received, Cptr& kept) {
    if (kept) sys::cap_delete(ts::cnode, kept);
    else if (!(kept = slots.allocate())) return false;
    return sys::ok(sys::cap_move(ts::cnode, kept, ts::cnode, received));
}

ipc::Message attach_buffer(Client& c, const ipc::Received& m) {
    uint64_t first = m.message.words[0], n = m.message.words[1];
    if (n == 0 || n > abi::ipc::max_caps || first >= blk::max_buffer_pages || n > blk::max_buffer_pages - first)
        return error(Error::bad_argument);
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t page = first + i;
        if (!c.pages[page]) {
            Cptr frame = dma_pool.allocate(ObjectType::frame);
            if (!frame) return error(Error::out_of_memory);
            sys::ValueResult a = sys::frame_physical_address(frame);
            if (!sys::ok(a.status)) return error(sys::error_of(a.status));
            c.pages[page] = frame;
            c.physical[page] = a.value;
        }
        ipc::buffer().caps[i] = c.pages[page];
    }
    return ipc::Message{ipc::make_tag(0, 0, n), {}};
}

ipc::Message attach_notification(Client& c, const ipc::Received& m) {
    if (ipc::tag_caps(m.message.tag) != 1) return error(Error::bad_argument);
    sys::CapabilityInfo info = sys::cap_identify(staging);
    if (info.type != ObjectType::notification) return error(Error::wrong_type);
    if (!(info.rights & abi::rights::write)) return error(Error::insufficient_rights);
    if (!keep(staging, c.notification)) return error(Error::out_of_memory);
    if (c.done_count) sys::notification_signal(c.notification);  // results already waiting
    return ipc::Message{};
}

ipc::Message serve(const ipc::Received& m) {
    if (m.label() == blk::info)
        return ipc::Message{ipc::make_tag(0, 24), {capacity, blk::sector_size, max_sectors}};
    if (m.label() == blk::debug_crash) {
        if (m.badge != srv::root_badge) return error(Error::not_permitted);
        crash_countdown = m.message.words[0];
        if (!crash_countdown) crash_now();
        sys::print("blk: debug_crash: dying at request %lu from now\n", crash_countdown);
        return ipc::Message{};
    }
    Client* c = client_of(m.badge);
    if (!c) return error(Error::not_permitted);
    switch (m.label()) {
    case blk::attach_buffer: return attach_buffer(*c, m);
    case blk::attach_notification: return attach_notification(*c, m);
    case blk::submit: return submit(*c, m);
    case blk::complete: return complete(*c);
    default: return error(Error::bad_argument);
    }
}

// --- start-up ----------------------------------------------------------------------

bool fail(const char* why) {
    sys::print("blk: %s\n", why);
    port_write(reg::device_status, 1, status::failed);
    return false;
}

// The virtqueue's frames, physically contiguous: retyped in one go from
// our DMA region, checked, and mapped at dma_address.
bool set_up_queue() {
    port_write(reg::queue_select, 2, 0);
    queue_size = port_read(reg::queue_size, 2);
    if (queue_size == 0 || queue_size > max_queue_size || (queue_size & (queue_size - 1)))
        return fail("the device's queue size is not one we handle (1..1024, a power of two)");
    uint64_t avail_end = uint64_t(queue_size) * sizeof(Descriptor) + 2 * (3 + queue_size);
    uint64_t used_offset = (avail_end + page - 1) & ~(page - 1);
    uint64_t used_end = used_offset + 6 + uint64_t(queue_size) * sizeof(UsedElement);
    uint64_t queue_pages = (used_end + page - 1) / page;
    uint64_t slot_pages = (max_requests * sizeof(DeviceSlot) + page - 1) / page;
    uint64_t pages = queue_pages + slot_pages;
    Cptr first = slots.allocate();
    for (uint64_t i = 1; i < pages; ++i)
        if (slots.allocate() != first + i) return fail("no consecutive slots for the queue's frames");
    if (!sys::ok(sys::untyped_retype(srv::dma_memory_slot, ObjectType::frame, 0, ts::cnode, first, pages)))
        return fail("cannot make the queue's frames");
    dma_pool.add(srv::dma_memory_slot, srv::dma_memory_bits);
    uint64_t base = 0;
    for (uint64_t i = 0; i < pages; ++i) {
        sys::ValueResult a = sys::frame_physical_address(first + i);
        if (!sys::ok(a.status)) return fail("frame_physical_address refused");
        if (i == 0) base = a.value;
        else if (a.value != base + i * page) return fail("the queue's frames are not physically contiguous");
        if (!sys::ok(dma_pool.map_frame(first + i, ts::vspace, dma_address + i * page,
                                        abi::rights::read | abi::rights::write)))
            return fail("cannot map the queue");
    }
    memset(reinterpret_cast<void*>(dma_address), 0, pages * page);
    descriptors = reinterpret_cast<Descriptor*>(dma_address);
    avail = reinterpret_cast<volatile uint16_t*>(dma_address + queue_size * sizeof(Descriptor));
    used = reinterpret_cast<volatile uint16_t*>(dma_address + used_offset);
    device_slots = reinterpret_cast<DeviceSlot*>(dma_address + queue_pages * page);
    device_slots_physical = base + queue_pages * page;
    for (unsigned i = 0; i < queue_size; ++i) descriptors[i].next = uint16_t(i + 1 < queue_size ? i + 1 : 0);
    free_head = 0;
    free_count = uint16_t(queue_size);
    if (base >> 44) return fail("the queue lies above what a legacy device can address");
    port_write(reg::queue_address, 4, uint32_t(base / page));
    return true;
}

bool start(uint64_t port_count, uint64_t line) {
    port_write(reg::device_status, 1, 0);  // reset
    port_write(reg::device_status, 1, status::acknowledge);
    port_write(reg::device_status, 1, status::acknowledge | status::driver);
    uint32_t offered = port_read(reg::device_features, 4);
    uint32_t accepted = offered & feature::seg_max;
    port_write(reg::guest_features, 4, accepted);
    if (!set_up_queue()) return false;
    if (msix) {
        // The queue's interrupts to table entry 0; none for configuration
        // changes. The device reads back no_vector if it cannot.
        port_write(reg::config_msix_vector, 2, no_vector);
        port_write(reg::queue_msix_vector, 2, 0);
        if (port_read(reg::queue_msix_vector, 2) != 0) return fail("the device refuses MSI-X entry 0 for its queue");
    }
    // The interrupt: its notification, bound to our thread, ends our receive.
    Cptr notification = dma_pool.allocate(ObjectType::notification);
    if (!notification) return fail("no memory for the interrupt's notification");
    if (int64_t e = sys::irq_set_notification(irq, notification); !sys::ok(e)) {
        sys::print("blk: irq_set_notification: %s\n", sys::describe(sys::error_of(e)));
        return fail("cannot take the device's interrupt");
    }
    if (!sys::ok(sys::thread_bind_notification(ts::thread, notification))) return fail("cannot bind the notification");
    port_write(reg::device_status, 1, status::acknowledge | status::driver | status::driver_ok);
    capacity = port_read(config_base(), 4) | uint64_t(port_read(uint16_t(config_base() + 4), 4)) << 32;
    // Segments a request may have: the queue's descriptors but header and
    // status, and the device's limit if it gives one; the first page of an
    // unaligned buffer may take one more.
    uint64_t segments = queue_size - 2;
    if (accepted & feature::seg_max) {
        uint32_t seg_max = port_read(uint16_t(config_base() + 12), 4);
        if (seg_max && seg_max < segments) segments = seg_max;
    }
    uint64_t pages = segments - 1 < blk::max_buffer_pages ? segments - 1 : blk::max_buffer_pages;
    max_sectors = pages * (page / blk::sector_size);
    sys::irq_ack(irq);  // the line starts unmasked
    char route[24];
    if (msix) lib::format_to(route, sizeof route, "MSI-X");
    else lib::format_to(route, sizeof route, "irq %lu", line);
    sys::print("blk: virtio-blk at ports 0x%lx-0x%lx, %s: %lu sectors (%lu MiB), queue of %u, %lu sectors "
               "per request at most\n",
               port_base, port_base + port_count - 1, route, capacity, capacity * blk::sector_size >> 20, queue_size,
               max_sectors);
    return true;
}

}  // namespace

int main(int argc, char** argv, char**) {
    if (argc < 4) {
        sys::print("blk: usage: blk PORT_BASE PORT_COUNT IRQ_LINE|msix\n");
        return 2;
    }
    port_base = sys::parse_number(argv[1]);
    msix = lib::equal(argv[3], "msix");
    uint64_t port_count = sys::parse_number(argv[2]), line = msix ? 0 : sys::parse_number(argv[3]);
    ports = srv::ports_slot;
    irq = srv::irq_slot;
    slots.init(ts::cnode, sys::first_empty_slot(srv::first_image_slot, 1ull << cnode_radix), 1ull << cnode_radix);
    for (uint16_t i = 0; i < max_requests; ++i) requests[i].next = uint16_t(i + 1u < max_requests ? i + 1 : none);
    free_requests = 0;
    staging = slots.allocate();
    if (slots.allocate() != staging + 1 || slots.allocate() != staging + 2) {
        sys::print("blk: no staging slots\n");
        return 1;
    }
    if (!start(port_count, line)) return 1;
    // Capabilities clients send land in the staging slots.
    ipc::Buffer& b = ipc::buffer();
    b.receive_cnode = ts::cnode;
    b.receive_index = staging;
    ipc::Received r = ipc::receive(srv::service_slot);
    for (;;) {
        if (r.result == 0 && r.is_notification()) {
            interrupt();
            r = ipc::receive(srv::service_slot);
            continue;
        }
        ipc::Message answer = r.result == 0 ? serve(r) : ipc::Message{};
        if (r.result == 0 && ipc::tag_caps(r.message.tag))
            for (Cptr c = staging; c < staging + 3; ++c) sys::cap_delete(ts::cnode, c);  // what we did not keep
        r = ipc::reply_receive(srv::service_slot, answer);
    }
}
