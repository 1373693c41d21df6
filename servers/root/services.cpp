#include "services.hpp"

#include "abi/blk.hpp"
#include "abi/blk_server.hpp"
#include "abi/pager.hpp"
#include "abi/task.hpp"
#include "common/cpio.hpp"
#include "common/format.hpp"
#include "common/string.hpp"
#include "root.hpp"
#include "sys/inspect.hpp"
#include "sys/ipc.hpp"
#include "sys/pci.hpp"
#include "sys/program.hpp"
#include "sys/text.hpp"

namespace root {

namespace {

using abi::ObjectType;
using sys::Cptr;
namespace slot = abi::root_slot;

constexpr unsigned loader_memory_bits = 22;   // its own image (~600 KiB with its task table), CNode (1 MiB) and stack
constexpr unsigned server_cnode_radix = 12;
constexpr unsigned pool_region_max_bits = 25; // regions of up to 32 MiB
constexpr unsigned pool_region_min_bits = 20; // a task takes 512 KiB, its notifications 1 MiB
constexpr unsigned max_pool_regions = 16;
constexpr uint64_t pool_target = 128ull << 20;  // the loader's pool: 128 MiB (1,024 small tasks) when the machine has it
constexpr uint64_t pool_minimum = 4ull << 20;   // else at least this (a few tasks)
constexpr uint8_t loader_priority = 254;      // below us: it runs when we wait
constexpr uint64_t scratch_address = 0x0000310000000000ull;

bool fail(const char* why) {
    sys::print("root: cannot start a server: %s\n", why);
    return false;
}

// Slots of ours for a server's objects, built from `memory`; its image goes
// to its CNode from first_task_slot on (the slots before are for what we
// hand it).
sys::ProgramResources server_resources(Cptr memory, Cptr first_task_slot) {
    auto slot = [] { return context.slots.allocate(); };
    return sys::ProgramResources{memory, slot(), slot(), slot(), slot(), {slot(), slot()},
                                 scratch_address, server_cnode_radix, first_task_slot};
}

// Builds a server from its file in the initrd with its arguments, not yet
// running: we hand it its capabilities (and become its fault handler)
// before it starts.
bool build_server(const cpio::File& file, int argc, const char* const* argv, sys::ProgramResources& r) {
    sys::ProgramRequest request{file.data, file.size, argc, argv, 0, nullptr, 0, loader_priority, slot::console, 0};
    request.resume = false;
    const char* why = "";
    if (int64_t e = sys::start_program(r, request, &why); e < 0) {
        sys::print("root: %s: %s\n", argv[0], sys::describe(sys::error_of(e)));
        return fail(why);
    }
    return true;
}

// Servers read programs from the initrd: map it read-only at the same place
// as in our own address space. Every mapping needs a frame capability of
// its own: each is made in one staging slot of ours, mapped, and moved into
// a CNode kept for that server's copies, so that however large the initrd,
// our own slots are not spent on it.
bool map_initrd_into(Cptr vspace) {
    const abi::BootInfo& info = *context.info;
    uint64_t pages = info.initrd_frames.count;
    unsigned radix = abi::cnode_min_radix;
    while (radix < abi::cnode_max_radix && (uint64_t(1) << radix) <= pages) ++radix;  // slot 0 stays empty
    if ((uint64_t(1) << radix) <= pages) return fail("the initrd has more pages than a CNode has slots");
    Cptr copies = context.memory.allocate(ObjectType::cnode, radix);
    Cptr staging = context.slots.allocate();
    if (!copies || !staging) return fail("no memory for the initrd's mappings");
    for (uint64_t i = 0; i < pages; ++i)
        if (!sys::ok(sys::cap_copy(slot::cnode, staging, slot::cnode, info.initrd_frames.first + i)) ||
            !sys::ok(context.memory.map_frame(staging, vspace, abi::initrd_address + i * 4096, abi::rights::read)) ||
            !sys::ok(sys::cap_move(copies, i + 1, slot::cnode, staging)))
            return fail("cannot map the initrd");
    context.slots.free(staging);
    return true;
}

Cptr loader_capability;
Cptr loader_endpoint;  // the original: revoked when the loader dies
Cptr pager_endpoint;  // unbadged: the manager's capability

// What the pager and the loader share for fault supervision (abi/pager.hpp):
// the notification the pager signals and the page of the fault ring.
Cptr fault_notification, fault_ring_frame;

// Our supervision of the servers: their threads' fault endpoint, badged
// with which server it is, and a thread of ours that receives on it.
Cptr server_faults;
volatile bool pager_dead, loader_dead;
constexpr uint64_t pager_badge = 1, loader_badge = 2, blk_badge = 3;
constexpr uint8_t supervisor_priority = 255;

// A server built with resume = false gets our fault endpoint (badged) and
// starts.
bool supervise_and_start(const sys::ProgramResources& r, uint64_t badge) {
    Cptr ipc_copy = context.slots.allocate(), fault = context.slots.allocate();
    if (!ipc_copy || !fault) return fail("out of slots");
    if (!sys::ok(sys::cap_copy(slot::cnode, ipc_copy, r.cnode, abi::task_slot::ipc_buffer)) ||
        !sys::ok(sys::cap_mint(slot::cnode, fault, slot::cnode, server_faults, abi::rights::write, badge)) ||
        !sys::ok(sys::thread_configure(r.thread, r.cnode, r.vspace, ipc_copy, abi::ipc_buffer_address, fault)))
        return fail("cannot make us its fault handler");
    // The thread holds copies of its own.
    sys::cap_delete(slot::cnode, ipc_copy);
    sys::cap_delete(slot::cnode, fault);
    context.slots.free(ipc_copy);
    context.slots.free(fault);
    return sys::ok(sys::thread_resume(r.thread)) || fail("cannot start it");
}

// --- the swap disk ---------------------------------------------------------
//
// When the machine has a disk the block server runs (start_blk, before
// the pager) and the pager is one of its clients: a badged capability in
// its CNode (abi::pager::blk_slot) and a notification of its own for the
// completions (blk_notification_slot), which it lends the server. If the
// block server dies, blk_died signals the notifications its clients lent
// it, so a pager waiting for a completion wakes and finds the endpoint
// gone.
bool give_pager_the_disk(Cptr pager_cnode) {
    uint64_t id = 0;
    Cptr client = blk_client(id);
    Cptr notification = context.memory.allocate(ObjectType::notification);
    if (!client || !notification ||
        !sys::ok(sys::cap_move(pager_cnode, abi::pager::blk_notification_slot, slot::cnode, notification)) ||
        !sys::ok(sys::cap_move(pager_cnode, abi::pager::blk_slot, slot::cnode, client)))
        return fail("the pager's swap disk");
    context.slots.free(client);
    context.slots.free(notification);
    return true;
}

constexpr Cptr pager_memory_first = 12;  // after abi::pager::blk_slot and blk_notification_slot
constexpr uint64_t MiB = 1ull << 20;

uint64_t command_line_number(const char* key, uint64_t fallback, bool* given = nullptr) {
    char value[24];
    if (given) *given = false;
    if (!command_line_value(key, value, sizeof value)) return fallback;
    if (given) *given = true;
    if (value[0] < '0' || value[0] > '9') return ~0ull;  // not a number: refused by the checks
    return sys::parse_number(value);
}

unsigned bits_for(uint64_t bytes) {
    unsigned bits = 12;
    while ((1ull << bits) < bytes) ++bits;
    return bits;
}

// All untyped memory the kernel handed us.
uint64_t total_memory() {
    uint64_t memory = 0;
    for (uint64_t i = 0; i < context.info->untyped.count; ++i)
        if (!context.info->untyped_list[i].is_device) memory += 1ull << context.info->untyped_list[i].size_bits;
    return memory;
}

// What the servers take, worked out from the machine (docs/paging.md,
// "Sizing"). Everything the pager gets is sized here and told to it.
struct PagerPlan {
    uint64_t frames, store_pages;
    uint64_t cluster, readahead;  // swap: pages written together, pages read together
    unsigned budget_bits, store_bits, tables_bits, image_bits, cnode_radix;
    uint64_t bytes;  // the sum of its regions
};
PagerPlan pager_plan;
uint64_t pager_bytes;  // what the pager took (0 when it did not start)

bool refuse(const char* option, uint64_t value, const char* why) {
    sys::print("root: %s=%lu refused: %s; the pager is not started\n", option, value, why);
    return false;
}

// The pager's budget, store, page-table memory and CNode for this machine,
// or false with a line saying which does not fit.
bool plan_pager(PagerPlan& p) {
    uint64_t memory = total_memory();
    p.frames = command_line_number("pager_frames", PAGER_FRAMES_DEFAULT);
    if (p.frames < abi::pager::min_frames)
        return refuse("pager_frames", p.frames,
                      "the budget must be at least 8 frames (one instruction can need 6 pages at once)");
    if (p.frames > abi::pager::max_frames) return refuse("pager_frames", p.frames, "the pager keeps at most 8192 frames");
    // The store: pager_store=MiB, else the build's default; 0 means a
    // quarter of RAM, at most 64 MiB (a power of two: one untyped region).
    // With a swap disk the store is the disk, and the RAM region only holds
    // the pages the pager lends the block server: 1 MiB unless told.
    bool store_given = false;
    uint64_t store_mib = command_line_number("pager_store", PAGER_STORE_MIB_DEFAULT, &store_given);
    if (store_given && store_mib == 0) return refuse("pager_store", 0, "the store must be at least 1 MiB");
    if (!store_given && blk()) store_mib = 1;
    uint64_t store_bytes = store_mib ? store_mib * MiB : 0;
    if (!store_mib) {
        store_bytes = 1ull << 20;
        while (store_bytes * 2 <= memory / 4 && store_bytes < 64 * MiB) store_bytes *= 2;
    }
    if (store_mib > abi::pager::max_store_pages / 256)
        return refuse("pager_store", store_mib, "the pager keeps at most 256 MiB of store (65536 pages)");
    p.store_pages = store_bytes / 4096;
    // Page tables: our windows over the budget and the store, then tasks'
    // tables (a task needs about one per 2 MiB of memory it touches, three
    // at least, taken four at a time): 1 MiB on small machines, where pages
    // matter more than many tasks, else M/32 of RAM up to 16 MiB, for the
    // pager's 1,024 tasks at once in 512 MiB.
    uint64_t own_tables = (p.frames + p.store_pages) / 512 + 8;
    uint64_t task_table_bytes = memory < 128 * MiB ? MiB : memory / 32 > 16 * MiB ? 16 * MiB : memory / 32;
    p.tables_bits = bits_for(task_table_bytes > 2 * own_tables * 4096 ? task_table_bytes : 2 * own_tables * 4096);
    // Slots: two per budget frame, one per store page, one per page table,
    // one per task attached (abi::pager::max_clients at most), and room for
    // its image's frames.
    uint64_t slots = 2 * p.frames + p.store_pages + (1ull << p.tables_bits) / 4096 + abi::pager::max_clients + 1024;
    p.cnode_radix = server_cnode_radix;
    while ((1ull << p.cnode_radix) < slots) ++p.cnode_radix;
    if (p.cnode_radix > abi::cnode_max_radix) {
        sys::print("root: pager_frames=%lu with a store of %lu MiB needs %lu capability slots, more than a CNode's "
                   "65536; the pager is not started\n", p.frames, store_bytes / MiB, slots);
        return false;
    }
    // Swap: pages written together (a cluster of victims) and read together
    // (a faulting page and the ones after it on the disk), 1 to 32 each.
    p.cluster = command_line_number("pager_cluster", 16);
    p.readahead = command_line_number("pager_readahead", 16);
    if (p.cluster < 1 || p.cluster > abi::blk::max_buffer_pages / 2)
        return refuse("pager_cluster", p.cluster, "clusters of 1 to 32 pages");
    if (p.readahead < 1 || p.readahead > abi::blk::max_buffer_pages / 2)
        return refuse("pager_readahead", p.readahead, "read-ahead of 1 to 32 pages (1: none)");
    // Its image (about 3.5 MiB with its page records, client table, page
    // tables and CLOCK-Pro's history) and its CNode share one region.
    p.image_bits = bits_for(7 * MiB / 2 + (1ull << (p.cnode_radix + abi::cnode_slot_size_bits)));
    p.budget_bits = bits_for(p.frames * 4096);
    p.store_bits = bits_for(store_bytes);
    p.bytes = (1ull << p.image_bits) + (1ull << p.budget_bits) + (1ull << p.store_bits) + (1ull << p.tables_bits);
    // It must leave the loader and us enough: the loader's own region, its
    // smallest pool, and an eighth of RAM for ourselves.
    uint64_t others = (1ull << loader_memory_bits) + pool_minimum + memory / 8;
    if (p.bytes + others > memory) {
        sys::print("root: the pager's memory does not fit: %lu MiB (budget %lu frames = %lu KiB, store %lu MiB, "
                   "page tables %lu KiB, image and CNode %lu MiB) + %lu MiB for the loader and the root task > %lu MiB "
                   "of RAM; lower pager_frames= or pager_store=; the pager is not started\n",
                   p.bytes / MiB, p.frames, p.frames * 4, store_bytes / MiB, uint64_t(1) << (p.tables_bits - 10),
                   uint64_t(1) << (p.image_bits - 20), others / MiB, memory / MiB);
        return false;
    }
    return true;
}

// The pager server: its budget, backing store and page-table memory are
// its own untyped regions; its endpoint goes to the loader (unbadged).
bool build_pager() {
    cpio::File file;
    if (!cpio::find(reinterpret_cast<const void*>(abi::initrd_address), context.info->initrd_size, "pager", file))
        return fail("no pager in the initrd");
    PagerPlan& p = pager_plan;
    if (!plan_pager(p)) return false;
    char policy[16] = "clockpro";
    command_line_value("pager_policy", policy, sizeof policy);
    Cptr image = context.memory.allocate(ObjectType::untyped, p.image_bits);
    Cptr regions[3] = {context.memory.allocate(ObjectType::untyped, p.budget_bits),
                       context.memory.allocate(ObjectType::untyped, p.store_bits),
                       context.memory.allocate(ObjectType::untyped, p.tables_bits)};
    pager_endpoint = context.memory.allocate(ObjectType::endpoint);
    sys::ProgramResources r = server_resources(image, pager_memory_first + 3);
    r.cnode_radix = p.cnode_radix;
    if (!image || !regions[0] || !regions[1] || !regions[2] || !pager_endpoint || !r.staging[1] ||
        !sys::prepare_scratch_page(context.memory, scratch_address)) {
        sys::print("root: no untyped region for the pager's %s (%lu MiB in all)\n",
                   !image ? "image and CNode" : !regions[0] ? "budget" : !regions[1] ? "store" : "page tables",
                   p.bytes / MiB);
        return fail("out of memory for the pager");
    }
    char frames_text[24], first[8], initrd[24], store[24], radix[8], cluster[8], readahead[8];
    lib::format_to(frames_text, sizeof frames_text, "%lu", p.frames);
    lib::format_to(cluster, sizeof cluster, "%lu", p.cluster);
    lib::format_to(readahead, sizeof readahead, "%lu", p.readahead);
    lib::format_to(first, sizeof first, "%lu", pager_memory_first);
    lib::format_to(initrd, sizeof initrd, "%lu", context.info->initrd_size);
    lib::format_to(store, sizeof store, "%lu", p.store_pages);
    lib::format_to(radix, sizeof radix, "%u", p.cnode_radix);
    const char* argv[] = {"pager", frames_text, policy, first, "3", initrd, store, radix, cluster, readahead};
    if (!build_server(file, 10, argv, r)) return false;
    if (!sys::ok(sys::cap_copy(r.cnode, abi::pager::service_slot, slot::cnode, pager_endpoint))) return fail("pager endpoint");
    for (unsigned i = 0; i < 3; ++i)
        if (!sys::ok(sys::cap_move(r.cnode, pager_memory_first + i, slot::cnode, regions[i]))) return fail("pager memory");
    // The fault ring: the pager writes records and signals the loader.
    fault_notification = context.memory.allocate(ObjectType::notification);
    fault_ring_frame = context.memory.allocate(ObjectType::frame);
    if (!fault_notification || !fault_ring_frame ||
        !sys::ok(sys::cap_mint(r.cnode, abi::pager::fault_notification_slot, slot::cnode, fault_notification,
                               abi::rights::write, 0)) ||
        !share_page(fault_ring_frame, r.vspace, abi::pager::fault_ring_address))
        return fail("the pager's fault ring");
    if (blk() && !give_pager_the_disk(r.cnode)) return false;
    pager_bytes = p.bytes;
    return map_initrd_into(r.vspace) && supervise_and_start(r, pager_badge);
}

bool build_loader() {
    cpio::File file;
    if (!cpio::find(reinterpret_cast<const void*>(abi::initrd_address), context.info->initrd_size, "loader", file))
        return fail("no loader in the initrd");
    Cptr memory = context.memory.allocate(ObjectType::untyped, loader_memory_bits);
    Cptr endpoint = context.memory.allocate(ObjectType::endpoint);
    // Its pool: 128 MiB, or what the machine has once the pager and an
    // eighth of RAM for us are set aside, in regions as large as fit.
    uint64_t memory_total = total_memory();
    uint64_t taken = pager_bytes + (1ull << loader_memory_bits) + memory_total / 8;
    uint64_t want = memory_total > taken ? memory_total - taken : 0;
    if (want > pool_target) want = pool_target;
    if (want < pool_minimum) {
        sys::print("root: the loader's pool does not fit: %lu MiB of RAM, %lu MiB for the pager, %lu MiB for the "
                   "loader's image and an eighth for us leave %lu MiB, below the %lu MiB it needs\n",
                   memory_total / MiB, pager_bytes / MiB, uint64_t(1) << (loader_memory_bits - 20), want / MiB,
                   pool_minimum / MiB);
        return fail("out of memory");
    }
    Cptr pool[max_pool_regions];
    unsigned pool_regions = 0;
    uint64_t pool_bytes = 0;
    for (unsigned bits = pool_region_max_bits; bits >= pool_region_min_bits && pool_regions < max_pool_regions;) {
        if (pool_bytes + (1ull << bits) > want) {
            --bits;
            continue;
        }
        Cptr region = context.memory.allocate(ObjectType::untyped, bits);
        if (!region) {
            --bits;
            continue;
        }
        pool[pool_regions++] = region;
        pool_bytes += 1ull << bits;
    }
    if (pool_bytes < pool_minimum) {
        sys::print("root: the loader's pool does not fit: only %lu MiB found of the %lu MiB wanted\n",
                   pool_bytes / MiB, want / MiB);
        return fail("out of memory");
    }
    // Its endpoint and its pool go right after the standard slots, and its
    // image after those.
    constexpr Cptr pool_first = abi::loader::fault_notification_slot + 1;
    sys::ProgramResources r = server_resources(memory, pool_first + pool_regions);
    r.cnode_radix = abi::loader::cnode_radix;
    if (!memory || !endpoint || !r.staging[1] || !sys::prepare_scratch_page(context.memory, scratch_address))
        return fail("out of memory");

    // Its arguments say where its pool is.
    char size[24], first[8], count[8];
    lib::format_to(size, sizeof size, "%lu", context.info->initrd_size);
    lib::format_to(first, sizeof first, "%lu", pool_first);
    lib::format_to(count, sizeof count, "%u", pool_regions);
    const char* argv[] = {"loader", size, first, count};
    if (!build_server(file, 4, argv, r)) return false;

    // It sleeps below our priority until we wait: hand it what it needs.
    if (!sys::ok(sys::cap_copy(r.cnode, abi::loader::service_slot, slot::cnode, endpoint))) return fail("endpoint");
    if (pager_endpoint && !sys::ok(sys::cap_copy(r.cnode, abi::task_slot::pager, slot::cnode, pager_endpoint)))
        return fail("pager endpoint");
    for (unsigned i = 0; i < pool_regions; ++i)
        if (!sys::ok(sys::cap_move(r.cnode, pool_first + i, slot::cnode, pool[i]))) return fail("memory pool");
    if (pager_endpoint && fault_notification &&
        (!sys::ok(sys::cap_mint(r.cnode, abi::loader::fault_notification_slot, slot::cnode, fault_notification,
                                abi::rights::read, 0)) ||
         !share_page(fault_ring_frame, r.vspace, abi::pager::fault_ring_address)))
        return fail("the loader's fault ring");
    if (!map_initrd_into(r.vspace)) return false;
    loader_endpoint = endpoint;
    loader_capability = context.slots.allocate();
    if (!sys::ok(sys::cap_mint(slot::cnode, loader_capability, slot::cnode, endpoint, abi::rights::write, 1)))
        return false;
    return supervise_and_start(r, loader_badge);
}

// --- the block server: a virtio-blk driver, when the machine has a disk -------

constexpr unsigned blk_memory_bits = 21;  // its image, CNode (256 KiB) and stack
constexpr uint16_t virtio_vendor = 0x1AF4, virtio_blk_legacy = 0x1001;
Cptr blk_endpoint;    // the original: revoked when the driver dies
Cptr blk_capability;  // ours, badged abi::blk::server::root_badge
Cptr blk_cnode;       // the driver's CNode: where its clients' notifications are when it dies
Cptr blk_device_ports;  // ours too: to reset the device when the driver dies
uint64_t blk_port_base;
uint64_t blk_next_client = 1;
bool blk_tried;
volatile bool blk_dead;

// What find_disk learns: where the disk is, for its MSI-X set-up.
Cptr pci_config_ports;
sys::pci::Address disk_at;
sys::pci::Msix disk_msix;

// Finds the disk with our own capability to the PCI configuration ports.
// Fills in its BAR0 ports and interrupt line; false (saying why, unless
// there is simply no such device) when there is none we can drive.
bool find_disk(uint64_t& base, uint64_t& count, unsigned& line) {
    Cptr config_ports = context.slots.allocate();
    int64_t e = sys::io_ports_issue(slot::io_port_control, sys::pci::config_first_port, sys::pci::config_port_count,
                                    slot::cnode, config_ports);
    if (!sys::ok(e)) {
        sys::print("root: no PCI configuration access (io_ports_issue: %s); no block server\n",
                   sys::describe(sys::error_of(e)));
        return false;
    }
    sys::pci::Config config(config_ports);
    sys::pci::Device d;
    if (!sys::pci::find(config, virtio_vendor, virtio_blk_legacy, d)) return false;
    sys::pci::Bar bar = sys::pci::read_bar(config, d.at, 0);
    line = d.interrupt_line;
    sys::print("root: virtio-blk at PCI %u:%u.%u: BAR0 %s 0x%lx (%lu bytes), interrupt line %u (pin %u)\n", d.at.bus,
               d.at.device, d.at.function, bar.io ? "ports" : "memory", bar.base, bar.size, line, d.interrupt_pin);
    if (!bar.present || !bar.io || bar.base + bar.size > 0x10000)
        return fail("its BAR0 is not the legacy interface in I/O space");
    disk_msix = sys::pci::read_msix(config, d.at);
    if (!disk_msix.at && (line == 0 || line > 15 || line == 2))
        return fail("it has no MSI-X and its interrupt line is not an ISA line (1-15 but 2)");
    // It decodes its ports and its memory (the MSI-X table) and may
    // master the bus (DMA), with its interrupt on.
    uint16_t command = config.read16(d.at, sys::pci::reg::command);
    config.write16(d.at, sys::pci::reg::command,
                   uint16_t((command | sys::pci::command::io_space | sys::pci::command::memory_space |
                             sys::pci::command::bus_master) &
                            ~sys::pci::command::interrupt_disable));
    base = bar.base;
    count = bar.size;
    pci_config_ports = config_ports;
    disk_at = d.at;
    return true;
}

// Routes the disk's queue interrupt by MSI-X: a free MSI vector's handler
// into the driver's CNode, its message in entry 0 of the device's table
// (in a memory BAR, reached through a device frame of ours), MSI-X on and
// INTx off. False (saying why) when any step fails; the driver then takes
// the line.
constexpr uint64_t msix_table_window = 0x00003A0000000000ull;

bool route_disk_by_msix(Cptr handler) {
    namespace pci = sys::pci;
    pci::Config config(pci_config_ports);
    pci::Bar bar = pci::read_bar(config, disk_at, disk_msix.table_bar);
    if (!bar.present || bar.io || disk_msix.table_offset + 16 > bar.size) {
        sys::print("root: the disk's MSI-X table is not in a memory BAR; INTx\n");
        return false;
    }
    sys::ValueResult msi = sys::irq_issue_msi(slot::irq_control, slot::cnode, handler);
    if (!sys::ok(msi.status)) {
        sys::print("root: irq_issue_msi: %s; INTx\n", sys::describe(sys::error_of(msi.status)));
        return false;
    }
    uint64_t entry = bar.base + disk_msix.table_offset;
    Cptr frame = device_frame(entry);
    if (!frame || !sys::ok(context.memory.map_frame(frame, slot::vspace, msix_table_window,
                                                     abi::rights::read | abi::rights::write))) {
        sys::print("root: no device frame for the MSI-X table at 0x%lx; INTx\n", entry);
        sys::cap_delete(slot::cnode, handler);
        return false;
    }
    // Entry 0, masked while it is written: address, upper address, data,
    // then the vector control word unmasks it.
    auto table = reinterpret_cast<volatile uint32_t*>(msix_table_window + (entry & 0xFFF));
    table[3] = 1;
    table[0] = uint32_t(msi.value);
    table[1] = 0;
    table[2] = uint32_t(msi.value >> 32);
    table[3] = 0;
    sys::frame_unmap(frame);
    uint8_t control_at = uint8_t(disk_msix.at + 2);
    uint16_t control = config.read16(disk_at, control_at);
    config.write16(disk_at, control_at, uint16_t((control | pci::msix_enable) & ~pci::msix_function_mask));
    uint16_t command = config.read16(disk_at, pci::reg::command);
    config.write16(disk_at, pci::reg::command, uint16_t(command | pci::command::interrupt_disable));
    sys::print("root: virtio-blk interrupts by MSI-X: entry 0 of %u in BAR%u at 0x%lx, vector 0x%lx\n",
               disk_msix.entries, disk_msix.table_bar, entry, (msi.value >> 32) & 0xFF);
    return true;
}

// The interrupt route the disk's driver gets: MSI-X when the device has it
// (unless the command line says blk_irq=intx), else its line. The handler
// goes into our slot `handler` (the driver's CNode does not exist yet); fills
// in the driver's last argument: "msix" or the line.
bool route_disk_interrupt(Cptr handler, unsigned line, char* argument, uint64_t size) {
    char choice[8] = "";
    command_line_value("blk_irq", choice, sizeof choice);
    bool force_intx = lib::equal(choice, "intx");
    if (disk_msix.at && !force_intx && route_disk_by_msix(handler)) {
        lib::format_to(argument, size, "msix");
        return true;
    }
    if (line == 0 || line > 15 || line == 2) return fail("its interrupt line is not an ISA line (1-15 but 2)");
    int64_t e = sys::irq_issue(slot::irq_control, line, slot::cnode, handler);
    if (!sys::ok(e)) {
        sys::print("root: irq_issue(%u): %s\n", line, sys::describe(sys::error_of(e)));
        return false;
    }
    sys::ValueResult routing = sys::irq_control_info(slot::irq_control);
    bool ioapic = (routing.value >> 16) & 1;
    sys::print("root: virtio-blk interrupts on line %u through the %s (INTx%s)\n", line,
               ioapic ? "I/O APIC" : "8259 PICs", force_intx ? ", as blk_irq=intx asks" : "");
    lib::format_to(argument, size, "%u", line);
    return true;
}

bool build_blk() {
    uint64_t base = 0, count = 0;
    unsigned line = 0;
    if (!find_disk(base, count, line)) return false;
    namespace srv = abi::blk::server;
    cpio::File file;
    if (!cpio::find(reinterpret_cast<const void*>(abi::initrd_address), context.info->initrd_size, "blk", file))
        return fail("no blk in the initrd");
    Cptr memory = context.memory.allocate(ObjectType::untyped, blk_memory_bits);
    Cptr dma = context.memory.allocate(ObjectType::untyped, srv::dma_memory_bits);
    Cptr endpoint = context.memory.allocate(ObjectType::endpoint);
    sys::ProgramResources r = server_resources(memory, srv::first_image_slot);
    if (!memory || !dma || !endpoint || !r.staging[1] || !sys::prepare_scratch_page(context.memory, scratch_address))
        return fail("out of memory for the block server");
    char base_text[24], count_text[24], line_text[8];
    lib::format_to(base_text, sizeof base_text, "%lu", base);
    lib::format_to(count_text, sizeof count_text, "%lu", count);
    const char* argv[] = {"blk", base_text, count_text, line_text};
    // The interrupt's route is one of the driver's arguments: its handler
    // is made (in a slot of ours) before the driver is.
    Cptr handler = context.slots.allocate();
    if (!handler || !route_disk_interrupt(handler, line, line_text, sizeof line_text))
        return fail("cannot route the disk's interrupt");
    if (!build_server(file, 4, argv, r)) return false;
    // Exactly what it needs: its endpoint, the device's ports, the
    // handler of its interrupt, memory for its queue.
    int64_t e = 0;
    if (!sys::ok(sys::cap_copy(r.cnode, srv::service_slot, slot::cnode, endpoint)) ||
        !sys::ok(e = sys::io_ports_issue(slot::io_port_control, base, count, r.cnode, srv::ports_slot)) ||
        !sys::ok(sys::cap_move(r.cnode, srv::irq_slot, slot::cnode, handler)) ||
        !sys::ok(sys::cap_move(r.cnode, srv::dma_memory_slot, slot::cnode, dma))) {
        if (e < 0) sys::print("root: the block server's device capabilities: %s\n", sys::describe(sys::error_of(e)));
        return fail("cannot hand the block server its capabilities");
    }
    blk_device_ports = context.slots.allocate();
    if (!sys::ok(sys::io_ports_issue(slot::io_port_control, base, count, slot::cnode, blk_device_ports)))
        blk_device_ports = 0;
    blk_port_base = base;
    blk_endpoint = endpoint;
    blk_cnode = r.cnode;
    blk_capability = context.slots.allocate();
    if (!sys::ok(sys::cap_mint(slot::cnode, blk_capability, slot::cnode, endpoint, abi::rights::write, srv::root_badge)))
        return fail("cannot make our capability to the block server");
    return supervise_and_start(r, blk_badge);
}

// --- the servers' supervisor: a thread of ours -------------------------------

// The pager died: its endpoint goes, so every thread blocked on it wakes
// (a caller with object_destroyed, a faulting thread stopped), every later
// call fails, and the loader ends the tasks that depended on it.
void pager_died() {
    pager_dead = true;
    Cptr endpoint = pager_endpoint;
    sys::cap_revoke(slot::cnode, endpoint);
    sys::cap_delete(slot::cnode, endpoint);
    sys::print("root: the pager's endpoint is revoked; telling the loader\n");
    if (loader_dead) return;
    sys::ipc::Received r = sys::ipc::call(loader_capability, sys::ipc::Message{sys::ipc::make_tag(abi::loader::pager_died, 0), {}});
    if (r.result != 0 || r.label() != 0)
        sys::print("root: the loader did not take the news: %s\n",
                   r.result ? sys::describe(sys::error_of(r.result)) : "refused");
}

// The loader died: its endpoint goes, so its clients' pending and later
// calls fail instead of waiting.
void loader_died() {
    loader_dead = true;
    sys::cap_revoke(slot::cnode, loader_endpoint);
    sys::cap_delete(slot::cnode, loader_endpoint);
    sys::print("root: the loader's endpoint is revoked: calls to it fail from now on\n");
}

// The block server died: the device is reset (no more DMA into its
// clients' frames, no more interrupts), its endpoint goes (calls to it
// fail from now on), and every notification it held is signalled, so a
// client waiting for a completion wakes, asks, and gets the error.
void blk_died() {
    blk_dead = true;
    if (blk_device_ports) sys::io_port_write(blk_device_ports, blk_port_base + 0x12, 1, 0);  // virtio status: reset
    sys::cap_revoke(slot::cnode, blk_endpoint);
    sys::cap_delete(slot::cnode, blk_endpoint);
    sys::cap_delete(blk_cnode, abi::blk::server::irq_slot);  // the line is free for another driver
    unsigned signalled = 0;
    Cptr staging = context.slots.allocate();
    for (uint64_t i = 1; staging && i < (1ull << server_cnode_radix); ++i) {
        if (!sys::ok(sys::cap_copy(slot::cnode, staging, blk_cnode, i))) continue;
        if (sys::cap_identify(staging).type == ObjectType::notification && sys::ok(sys::notification_signal(staging)))
            ++signalled;
        sys::cap_delete(slot::cnode, staging);
    }
    context.slots.free(staging);
    sys::print("root: the block server's endpoint is revoked and the device reset; %u notifications signalled\n",
               signalled);
}

void supervise(uint64_t) {
    for (;;) {
        sys::ipc::Received r = sys::ipc::receive(server_faults);
        if (r.result != 0 || r.label() != abi::ipc::fault_label) continue;
        const char* who = r.badge == pager_badge    ? "pager"
                          : r.badge == loader_badge ? "loader"
                          : r.badge == blk_badge    ? "block server"
                                                    : "server";
        uint64_t vector = r.message.words[3];
        sys::print("root: %s died: %s (vector %lu) at 0x%lx, rip 0x%lx\n", who, sys::loader::exception_name(vector),
                   vector, r.message.words[0], r.message.words[2]);
        // Any label but 0 stops its thread: a thread waiting for its reply
        // wakes with partner_died (or, if it was faulting, is stopped).
        sys::ipc::reply(sys::ipc::Message{sys::ipc::make_tag(1, 0), {}});
        if (r.badge == pager_badge && !pager_dead) pager_died();
        else if (r.badge == loader_badge && !loader_dead) loader_died();
        else if (r.badge == blk_badge && !blk_dead) blk_died();
    }
}

bool start_supervisor() {
    server_faults = context.memory.allocate(ObjectType::endpoint);
    Cptr thread = server_faults ? make_thread(slot::vspace, supervise, 0, supervisor_priority, next_stack_top()) : 0;
    if (!thread) return fail("no memory for the supervisor");
    sys::thread_set_name(thread, "supervisor");
    return sys::ok(sys::thread_resume(thread)) || fail("cannot start the supervisor");
}

}  // namespace

bool start_blk() {
    if (!blk_tried) {
        blk_tried = true;
        if (!server_faults && !start_supervisor()) return false;
        if (!build_blk()) blk_capability = 0;
    }
    return blk_capability && !blk_dead;
}

Cptr blk() { return blk_dead ? 0 : blk_capability; }

bool blk_has_died() { return blk_dead; }

Cptr blk_client(uint64_t& id) {
    if (!start_blk() || blk_next_client > abi::blk::server::max_clients) return 0;
    Cptr c = context.slots.allocate();
    if (!c || !sys::ok(sys::cap_mint(slot::cnode, c, slot::cnode, blk_endpoint, abi::rights::write | abi::rights::grant,
                                     blk_next_client)))
        return 0;
    id = blk_next_client++;
    return c;
}

Cptr start_loader() {
    if (!loader_capability && !loader_dead) {
        if (!server_faults && !start_supervisor()) return 0;
        start_blk();  // when the machine has a disk: before the pager, which may swap to it
        if (!pager_endpoint && !build_pager()) pager_endpoint = 0;
        if (!build_loader()) loader_capability = 0;
    }
    return loader_capability;
}

Cptr pager() { return pager_dead ? 0 : pager_endpoint; }

bool pager_has_died() { return pager_dead; }

uint64_t pager_frames() { return pager_endpoint ? pager_plan.frames : 0; }

bool run_program(int argc, const char* const* argv, uint8_t priority, sys::loader::Task& task) {
    Cptr loader = start_loader();
    if (!loader) return false;
    char reason[128] = "";
    int64_t e = sys::loader::spawn(loader, argc, argv, sys::loader::Options{priority}, context.slots.allocate(), task, reason,
                                   sizeof reason);
    if (e < 0) {
        sys::print("root: cannot run %s: %s (%s)\n", argv[0], reason, sys::describe(sys::error_of(e)));
        return false;
    }
    return true;
}

}  // namespace root
