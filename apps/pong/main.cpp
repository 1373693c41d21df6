// pong COUNT: answers COUNT messages, each checked (sequence in order,
// checksum), with its payload inverted and a fresh checksum.
#include "pingpong_protocol.hpp"
#include "sys/messages.hpp"
#include "sys/print.hpp"
#include "sys/text.hpp"

int main(int argc, char** argv, char**) {
    uint64_t count = argc > 1 ? sys::parse_number(argv[1]) : 0;
    sys::print("pong: task %lu answering %lu messages\n", sys::my_pid(), count);
    uint64_t errors = 0;
    for (uint64_t expected = 1; expected <= count; ++expected) {
        pingpong::Message m;
        uint64_t from = 0;
        int64_t n = sys::recv(&m, sizeof m, &from);
        if (n != sizeof m || m.sequence != expected || m.checksum != pingpong::checksum(m)) {
            if (errors++ < 5) sys::print("pong: message %lu arrived wrong (sequence %lu)\n", expected, m.sequence);
        }
        for (uint8_t& byte : m.payload) byte = uint8_t(~byte);
        m.checksum = pingpong::checksum(m);
        if (sys::send(from, &m, sizeof m) < 0) {
            sys::print("pong: answer %lu failed\n", expected);
            return 1;
        }
    }
    sys::print("pong: done: %lu messages, %lu errors\n", count, errors);
    return errors ? 1 : 0;
}
