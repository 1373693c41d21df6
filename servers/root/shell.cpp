// run=shell: the console server and the shell (apps/shell). We build the
// shell ourselves (abi/shell.hpp says why and what it gets) and answer its
// questions on an endpoint of ours until it ends or dies.
#include "abi/console.hpp"
#include "abi/ipc.hpp"
#include "abi/shell.hpp"
#include "root.hpp"
#include "services.hpp"
#include "sys/console.hpp"
#include "sys/ipc.hpp"
#include "sys/text.hpp"

namespace root {

namespace {

using abi::ObjectType;
using sys::Cptr;
namespace slot = abi::root_slot;
namespace sh = abi::shell;

constexpr unsigned shell_memory_bits = 20;  // its image (~60 pages with its buffers), CNode (256 KiB), page tables, stack
constexpr uint64_t shell_fault_badge = sh::operator_badge + 1;

bool refuse(const char* why) {
    sys::print("root: cannot start the shell: %s\n", why);
    return false;
}

// memory and notification: taken before the loader's pool (see run_shell).
bool build_shell(Cptr endpoint, Cptr memory, Cptr notification) {
    cpio::File file;
    if (!cpio::find(reinterpret_cast<const void*>(abi::initrd_address), context.info->initrd_size, "shell", file))
        return refuse("no shell in the initrd");
    uint64_t client = 0;
    Cptr console = console_client(client);
    if (!console) return refuse("no console client");
    sys::ProgramResources r = server_resources(memory, sh::first_image_slot);
    if (!r.staging[1]) return refuse("out of slots");
    const char* argv[] = {"shell"};
    if (!build_server(file, 1, argv, r, endpoint, sh::operator_badge)) return false;
    constexpr uint8_t call_and_lend = abi::rights::write | abi::rights::grant;
    // Its debug console has the read right too: ps, caps and ipc read the
    // kernel's records through it (docs/abi.md, "Introspection").
    if (!sys::ok(sys::cap_delete(r.cnode, abi::task_slot::console)) ||
        !sys::ok(sys::cap_mint(r.cnode, abi::task_slot::console, slot::cnode, slot::console,
                               abi::rights::read | abi::rights::write, 0)) ||
        !sys::ok(sys::cap_move(r.cnode, sh::console_slot, slot::cnode, console)) ||
        !sys::ok(sys::cap_move(r.cnode, sh::notification_slot, slot::cnode, notification)) ||
        !mint_server_capability(loader_original(), call_and_lend, sh::operator_badge, r.cnode, sh::loader_slot) ||
        !mint_server_capability(pager(), abi::rights::write, sh::operator_badge, r.cnode, abi::task_slot::pager))
        return refuse("cannot hand it its capabilities");
    context.slots.free(console);
    context.slots.free(notification);
    sys::print("root: the shell starts (console client %lu)\n", client);
    return supervise_and_start(r, shell_fault_badge, endpoint);
}

sys::ipc::Message memory_report() {
    uint64_t boot = 0;
    for (uint64_t i = 0; i < context.info->untyped.count; ++i)
        if (!context.info->untyped_list[i].is_device) boot += 1ull << context.info->untyped_list[i].size_bits;
    sys::ipc::Buffer& b = sys::ipc::buffer();
    b.words[4] = pager_frames();
    b.words[5] = context.info->tsc_hz;
    return sys::ipc::Message{sys::ipc::make_tag(0, sh::memory_words * 8),
                             {boot, context.memory.free_bytes(), loader_memory(), pager_memory()}};
}

// The pattern run=console-flood expects: byte i of what is typed.
char flood_byte(uint64_t i) { return char('a' + i % 26); }

}  // namespace

// run=console-flood bytes=N: N bytes are typed at once (the boot test
// writes them) while nobody reads. The console server must keep the first
// ring_capacity of them, in order, and count the rest as dropped, and go on
// serving. We poll its counters below its priority, so it drains the UART
// whenever its interrupt comes.
int run_console_flood() {
    namespace con = abi::console;
    char value[24] = "5000";
    command_line_value("bytes", value, sizeof value);
    uint64_t bytes = sys::parse_number(value);
    uint64_t id = 0;
    Cptr client = start_console() ? console_client(id) : 0;
    if (!client || bytes == 0) return 1;
    sys::thread_set_priority(slot::thread, 100);
    sys::print("root: console flood: type %lu bytes now\n", bytes);
    uint64_t start = rdtsc(), limit = 60 * context.info->tsc_hz;
    sys::serial_console::Info info;
    do {
        sys::yield();
        info = sys::serial_console::info(console_server());
    } while (info.status == 0 && info.received < bytes && rdtsc() - start < limit);
    uint64_t kept = 0, wrong = 0;
    for (;;) {
        char chunk[con::max_read];
        int64_t n = sys::serial_console::try_read(client, chunk, sizeof chunk);
        if (n <= 0) break;
        for (int64_t i = 0; i < n; ++i, ++kept) wrong += chunk[i] != flood_byte(kept);
    }
    uint64_t expect_kept = bytes < con::ring_capacity ? bytes : con::ring_capacity;
    bool ok = info.received == bytes && kept == expect_kept && wrong == 0 && info.dropped == bytes - expect_kept;
    sys::print("root: console flood: %lu of %lu bytes received, %lu kept in order (%lu out of order), %lu dropped "
               "(ring full), %lu overruns: %s\n",
               info.received, bytes, kept, wrong, info.dropped, info.overruns, ok ? "as expected" : "WRONG");
    // The server still serves: a line out through it.
    int64_t e = sys::serial_console::write(client, "root: console flood: the console server still writes\n", 54);
    return ok && e == 0 ? 0 : 1;
}

int run_shell() {
    // The console's memory and the shell's come before the loader's pool,
    // which takes what the machine has but an eighth, and the servers
    // started with it (a block server, say) eat into that eighth.
    Cptr memory = context.memory.allocate(ObjectType::untyped, shell_memory_bits);
    Cptr notification = context.memory.allocate(ObjectType::notification);
    Cptr endpoint = context.memory.allocate(ObjectType::endpoint);
    if (!memory || !notification || !endpoint) return refuse("out of memory"), 1;
    if (!start_console() || !start_loader()) return 1;
    if (!build_shell(endpoint, memory, notification)) return 1;
    // Answer and wait for the next request in one call (reply_recv), so
    // the shell's bench measures the fast path both ways.
    sys::ipc::Received r = sys::ipc::receive(endpoint);
    for (;;) {
        sys::ipc::Message answer{};
        if (r.result != 0) {
            r = sys::ipc::receive(endpoint);
            continue;
        }
        switch (r.label()) {
        case abi::ipc::fault_label: {
            uint64_t vector = r.message.words[3];
            sys::print("root: the shell died: %s (vector %lu) at 0x%lx, rip 0x%lx\n",
                       sys::loader::exception_name(vector), vector, r.message.words[0], r.message.words[2]);
            sys::ipc::reply(sys::ipc::Message{sys::ipc::make_tag(1, 0), {}});  // stops it
            return 1;
        }
        case abi::registry::exited: {
            int64_t status = int64_t(r.message.words[0]);
            sys::print("root: the shell ended with status %ld\n", status);
            sys::ipc::reply(sys::ipc::Message{});
            return status == 0 ? 0 : 1;
        }
        case sh::memory: answer = memory_report(); break;
        case sh::ping: break;
        case sh::crash_console: {
            // The call ends when the server dies under it (our supervisor
            // has then revoked its endpoint).
            sys::ipc::Received c =
                sys::ipc::call(console_server(), sys::ipc::Message{sys::ipc::make_tag(abi::console::debug_crash, 0), {}});
            sys::print("root: the console server's debug_crash call ended: %s\n",
                       c.status() < 0 ? sys::describe(sys::error_of(c.status())) : "it answered");
            break;
        }
        default: answer = sys::ipc::Message{sys::ipc::make_tag(uint64_t(abi::Error::bad_argument), 0), {}};
        }
        r = sys::ipc::reply_receive(endpoint, answer);
    }
}

}  // namespace root
