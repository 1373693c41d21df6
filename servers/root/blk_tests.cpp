// The block server's tests: run=blk (two clients at once write and read
// back patterns, with bad requests among them) and run=blk-dies (the
// driver dies while its clients have requests in flight; they must get
// errors, not hang).
//
// The clients (apps/blk_test) are tasks the root task builds itself, not
// through the loader: each needs untyped memory of its own for the frames
// it lends the driver, and untyped capabilities never travel in messages.
// Each gets, beside the standard slots, its block-server capability in
// slot 9 and an untyped region in slot 10; our report endpoint is its
// registry (so its exit status comes to us) and its fault endpoint.
#include "abi/blk.hpp"
#include "abi/ipc.hpp"
#include "abi/task.hpp"
#include "common/cpio.hpp"
#include "common/format.hpp"
#include "root.hpp"
#include "services.hpp"
#include "sys/blk.hpp"
#include "sys/ipc.hpp"
#include "sys/loader.hpp"
#include "sys/program.hpp"
#include "sys/text.hpp"

namespace root {

namespace {

using sys::Cptr;
using abi::ObjectType;
namespace slot = abi::root_slot;

constexpr unsigned client_memory_bits = 20;  // image, CNode, stack
constexpr unsigned client_buffer_bits = 19;  // 64 frames lent to the driver, and their page tables
constexpr Cptr client_blk_slot = 9, client_memory_slot = 10, client_first_image_slot = 11;
constexpr uint8_t client_priority = 100;
constexpr uint64_t scratch_address = 0x0000320000000000ull;
constexpr uint64_t progress_label = 100;  // apps/blk_test: a round is done

Cptr reports;  // the clients' registry and fault endpoint, badged with their id

struct Client {
    uint64_t id = 0;
    Cptr memory = 0;
    bool running = false;
    int64_t status = 0;
    bool progressed = false;
};
constexpr unsigned max_clients = 4;
Client clients[max_clients];

bool start_client(Client& c, const char* name, uint64_t first_sector, uint64_t sectors, uint64_t rounds,
                  const char* mode) {
    cpio::File file;
    if (!cpio::find(reinterpret_cast<const void*>(abi::initrd_address), context.info->initrd_size, "blk_test", file)) {
        sys::print("root: no blk_test in the initrd\n");
        return false;
    }
    if (!reports && !(reports = context.memory.allocate(ObjectType::endpoint))) return false;
    Cptr server = blk_client(c.id);
    if (!server) {
        sys::print("root: no block-server capability for %s\n", name);
        return false;
    }
    c.memory = context.memory.allocate(ObjectType::untyped, client_memory_bits);
    Cptr buffers = context.memory.allocate(ObjectType::untyped, client_buffer_bits);
    auto new_slot = [] { return context.slots.allocate(); };
    sys::ProgramResources r{c.memory, new_slot(), new_slot(), new_slot(), new_slot(), {new_slot(), new_slot()},
                            scratch_address, abi::task_cnode_radix, client_first_image_slot};
    if (!c.memory || !buffers || !r.staging[1] || !sys::prepare_scratch_page(context.memory, scratch_address)) {
        sys::print("root: no memory for %s\n", name);
        return false;
    }
    char first_text[24], sectors_text[24], rounds_text[24], tsc_text[24];
    lib::format_to(tsc_text, sizeof tsc_text, "%lu", context.info->tsc_hz / 1000);
    lib::format_to(first_text, sizeof first_text, "%lu", first_sector);
    lib::format_to(sectors_text, sizeof sectors_text, "%lu", sectors);
    lib::format_to(rounds_text, sizeof rounds_text, "%lu", rounds);
    const char* argv[] = {"blk_test", name, first_text, sectors_text, rounds_text, mode, tsc_text};
    sys::ProgramRequest p{file.data, file.size, 7, argv, 0, nullptr, c.id, client_priority, slot::console, reports};
    p.resume = false;
    const char* why = "";
    Cptr ipc_copy = new_slot(), fault = new_slot();
    if (!sys::ok(sys::start_program(r, p, &why)) ||
        !sys::ok(sys::cap_move(r.cnode, client_blk_slot, slot::cnode, server)) ||
        !sys::ok(sys::cap_move(r.cnode, client_memory_slot, slot::cnode, buffers)) ||
        !sys::ok(sys::cap_copy(slot::cnode, ipc_copy, r.cnode, abi::task_slot::ipc_buffer)) ||
        !sys::ok(sys::cap_mint(slot::cnode, fault, slot::cnode, reports, abi::rights::write, c.id)) ||
        !sys::ok(sys::thread_configure(r.thread, r.cnode, r.vspace, ipc_copy, abi::ipc_buffer_address, fault)) ||
        !sys::ok(sys::thread_resume(r.thread))) {
        sys::print("root: cannot start %s: %s\n", name, why[0] ? why : "its capabilities");
        return false;
    }
    sys::cap_delete(slot::cnode, ipc_copy);
    sys::cap_delete(slot::cnode, fault);
    c.running = true;
    return true;
}

Client* client_by_id(uint64_t id) {
    for (Client& c : clients)
        if (c.id == id && c.running) return &c;
    return nullptr;
}

// Takes one report from a client: its exit (the registry's `exited`), a
// fault (it is stopped), or a round done. Returns the client it was from.
Client* take_report() {
    sys::ipc::Received r = sys::ipc::receive(reports);
    if (r.result != 0) return nullptr;
    Client* c = client_by_id(r.badge);
    if (r.label() == abi::ipc::fault_label) {
        sys::print("root: blk_test client %lu died: %s (vector %lu) at 0x%lx, rip 0x%lx\n", r.badge,
                   sys::loader::exception_name(r.message.words[3]), r.message.words[3], r.message.words[0],
                   r.message.words[2]);
        sys::ipc::reply(sys::ipc::Message{sys::ipc::make_tag(1, 0), {}});  // stops it
        if (c) c->running = false, c->status = abi::loader::killed_by_fault_status(r.message.words[3]);
        return c;
    }
    sys::ipc::reply(sys::ipc::Message{});
    if (!c) return nullptr;
    if (r.label() == abi::registry::exited) {
        c->running = false;
        c->status = int64_t(r.message.words[0]);
    } else if (r.label() == progress_label) {
        c->progressed = true;
    }
    return c;
}

bool any_running() {
    for (Client& c : clients)
        if (c.running) return true;
    return false;
}

// Its memory goes back (the frames it lent stay with their last holder).
void reap(Client& c) {
    if (c.memory) sys::cap_revoke(slot::cnode, c.memory);
}

bool need_disk() {
    if (start_blk()) return true;
    sys::print("root: this run needs a virtio-blk disk: qemu-system-x86_64 ... -drive file=disk.img,if=virtio,format=raw\n");
    return false;
}

}  // namespace

// run=blk: two clients at once, each on its own part of the disk.
int run_blk() {
    if (!need_disk()) return 1;
    sys::blk::Info info = sys::blk::info(blk());
    if (info.status < 0) {
        sys::print("root: the block server's info: %s\n", sys::describe(sys::error_of(info.status)));
        return 1;
    }
    sys::print("root: disk of %lu sectors of %lu bytes; %lu sectors per request at most\n", info.sectors,
               info.sector_size, info.max_sectors);
    char value[16] = "4";
    command_line_value("rounds", value, sizeof value);
    uint64_t rounds = sys::parse_number(value);
    uint64_t half = info.sectors / 2;
    if (!start_client(clients[0], "A", 0, half, rounds, "test") ||
        !start_client(clients[1], "B", half, info.sectors - half, rounds, "test"))
        return 1;
    while (any_running()) take_report();
    int failures = 0;
    for (unsigned i = 0; i < 2; ++i) {
        char text[64];
        sys::print("root: blk_test %c %s\n", 'A' + i, sys::loader::describe_status(clients[i].status, text, sizeof text));
        failures += clients[i].status != 0;
        reap(clients[i]);
    }
    return failures;
}

// run=blk-dies: two clients keep requests in flight until the driver dies
// under them (debug_crash, once both have done a round); both must end
// with the "driver gone" status (3), and a client started afterwards too.
int run_blk_dies() {
    if (!need_disk()) return 1;
    sys::blk::Info info = sys::blk::info(blk());
    if (info.status < 0) return 1;
    uint64_t half = info.sectors / 2;
    if (!start_client(clients[0], "A", 0, half, 0, "forever") ||
        !start_client(clients[1], "B", half, info.sectors - half, 0, "forever"))
        return 1;
    while (!(clients[0].progressed && clients[1].progressed) && any_running()) take_report();
    if (!clients[0].running || !clients[1].running) {
        sys::print("root: a client ended before the driver died\n");
        return 1;
    }
    sys::print("root: both clients are mid-run: killing the block server\n");
    Cptr ours = blk();
    sys::ipc::Received r = sys::ipc::call(ours, sys::ipc::Message{sys::ipc::make_tag(abi::blk::debug_crash, 0), {}});
    sys::print("root: our call to the dying block server returned: %s\n",
               r.result ? sys::describe(sys::error_of(r.result)) : "a reply (unexpected)");
    while (any_running()) take_report();
    int failures = r.result == 0;
    char text[64];
    for (unsigned i = 0; i < 2; ++i) {
        sys::print("root: blk_test %c %s\n", 'A' + i, sys::loader::describe_status(clients[i].status, text, sizeof text));
        failures += clients[i].status != 3;
        reap(clients[i]);
    }
    // A later call fails at once.
    sys::blk::Info after = sys::blk::info(ours);
    sys::print("root: a later call to the dead block server: %s\n",
               after.status < 0 ? sys::describe(sys::error_of(after.status)) : "answered (unexpected)");
    return failures + !blk_has_died() + (after.status >= 0);
}

}  // namespace root
