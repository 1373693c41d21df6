// In-guest tests of the console server's protocol (abi/console.hpp): every
// bad request refused with its error, output held per client until a line
// is complete, the write counter checked against what was written. The
// boot runs with nothing on COM1's input, so reads find nothing.
#include <initializer_list>

#include "abi/console.hpp"
#include "services.hpp"
#include "sys/console.hpp"
#include "sys/ipc.hpp"
#include "test_support.hpp"

namespace root::testing {

namespace {

namespace con = abi::console;
namespace ipc = sys::ipc;

int64_t call(Cptr server, uint64_t label, uint64_t w0 = 0, uint64_t w1 = 0) {
    return ipc::call(server, ipc::Message{ipc::make_tag(label, 16), {w0, w1}}).status();
}

uint64_t written(Cptr server) { return sys::serial_console::info(server).written; }

void console_refuses_bad_requests(Test& t) {
    uint64_t id = 0;
    Cptr client = console_client(id);
    if (!client) return t.fail("no console server");
    t.expect(call(client, con::read, 0, con::read_bytes), Error::bad_argument, "a read of 0 bytes");
    t.expect(call(client, con::read, con::max_read + 1, con::read_bytes), Error::bad_argument, "a read of 257 bytes");
    t.expect(call(client, con::read, 1, 2), Error::bad_argument, "an unknown read mode");
    t.expect(call(client, con::read, 16, con::read_line), Error::would_block, "a read with nothing typed");
    t.expect(call(client, 99), Error::bad_argument, "an unknown request");
    t.expect(call(client, con::debug_crash), Error::not_permitted, "debug_crash from a client");
    t.expect(call(client, con::attach_notification), Error::bad_argument, "attach_notification without a capability");
    Cptr endpoint = allocate(ObjectType::endpoint), n = allocate(ObjectType::notification), wait_only = free_slot();
    t.expect(sys::serial_console::attach_notification(client, endpoint), Error::wrong_type, "an endpoint as notification");
    sys::cap_mint(slot::cnode, wait_only, slot::cnode, n, abi::rights::read, 0);
    t.expect(sys::serial_console::attach_notification(client, wait_only), Error::insufficient_rights,
             "a notification it cannot signal");
    t.expect(sys::serial_console::attach_notification(client, n), Error::none, "a notification");
    // Our own capability's badge (root_badge) is no client id: it may ask
    // for info, never read or write.
    t.expect(call(console_server(), con::write), Error::not_permitted, "a write through a badge that is no client");
    t.expect(call(console_server(), con::read, 1, con::read_bytes), Error::not_permitted,
             "a read through a badge that is no client");
    for (Cptr s : {endpoint, n, wait_only}) sys::cap_delete(slot::cnode, s);
}

void console_writes_whole_lines(Test& t) {
    uint64_t id = 0;
    Cptr a = console_client(id), b = console_client(id);
    Cptr root = console_server();
    if (!a || !b || !root) return t.fail("no console clients");
    uint64_t before = written(root);
    t.expect(sys::serial_console::write(a, "console test: a's line, ", 24), Error::none, "a's partial line");
    t.expect(sys::serial_console::write(b, "console test: b's whole line\n", 29), Error::none, "b's whole line");
    uint64_t after_b = written(root);
    if (after_b - before != 29) t.fail("b's line of 29 bytes wrote %lu bytes", after_b - before);
    t.expect(sys::serial_console::write(a, "ended\n", 6), Error::none, "the end of a's line");
    uint64_t after_a = written(root);
    if (after_a - after_b != 30) t.fail("a's line of 30 bytes went out as %lu", after_a - after_b);
    t.expect(sys::serial_console::write(a, "console test: flushed", 21, true), Error::none, "a flushed partial line");
    uint64_t after_flush = written(root);
    if (after_flush - after_a != 21) t.fail("a flush wrote %lu bytes of 21", after_flush - after_a);
    t.expect(sys::serial_console::write(a, "\n", 1), Error::none, "a new line");
    // A line longer than a client's buffer goes out in buffer-sized pieces.
    char long_line[con::line_capacity + 100];
    for (char& c : long_line) c = 'x';
    uint64_t start = written(root);
    t.expect(sys::serial_console::write(a, long_line, sizeof long_line), Error::none, "a line past the buffer");
    if (written(root) - start != con::line_capacity) t.fail("a full buffer wrote %lu", written(root) - start);
    sys::serial_console::write(a, "\n", 1);
    sys::serial_console::Info info = sys::serial_console::info(root);
    if (info.status != 0 || info.dropped != 0 || info.buffered != 0) t.fail("info: status %ld, %lu dropped, %lu buffered",
                                                                         info.status, info.dropped, info.buffered);
}

}  // namespace

const Case console_cases[] = {
    {"console: the console server refuses bad requests, each with its error", console_refuses_bad_requests},
    {"console: output is written a whole line at a time per client; flush writes the rest", console_writes_whole_lines},
};
const uint64_t console_case_count = sizeof console_cases / sizeof *console_cases;

}  // namespace root::testing
