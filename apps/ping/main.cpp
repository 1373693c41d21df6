// ping COUNT PONG_PID TSC_HZ: sends COUNT numbered 256-byte messages to pong
// and checks every answer (sequence, checksum, inverted payload); prints
// progress and a summary with the round-trip time.
#include "pingpong_protocol.hpp"
#include "sys/clock.hpp"
#include "sys/messages.hpp"
#include "sys/print.hpp"
#include "sys/text.hpp"

int main(int argc, char** argv, char**) {
    if (argc < 4) {
        sys::print("ping: usage: ping COUNT PONG_PID TSC_HZ\n");
        return 2;
    }
    uint64_t count = sys::parse_number(argv[1]);
    uint64_t pong = sys::parse_number(argv[2]);
    uint64_t tsc_hz = sys::parse_number(argv[3]);
    sys::print("ping: task %lu sending %lu messages to task %lu\n", sys::my_pid(), count, pong);
    uint64_t errors = 0, start = sys::rdtsc();
    for (uint64_t sequence = 1; sequence <= count; ++sequence) {
        pingpong::Message out, back;
        pingpong::fill(out, sequence);
        if (sys::send(pong, &out, sizeof out) < 0) {
            sys::print("ping: send %lu failed\n", sequence);
            return 1;
        }
        uint64_t from = 0;
        int64_t n = sys::recv(&back, sizeof back, &from);
        bool payload_ok = true;
        for (size_t i = 0; i < sizeof back.payload; ++i) payload_ok &= back.payload[i] == uint8_t(~out.payload[i]);
        if (n != sizeof back || from != pong || back.sequence != sequence || back.checksum != pingpong::checksum(back) ||
            !payload_ok) {
            if (errors++ < 5) sys::print("ping: bad answer to message %lu (sequence %lu, from %lu)\n", sequence, back.sequence, from);
        }
        if (sequence % (count / 10 ? count / 10 : 1) == 0) sys::print("ping: %lu/%lu round trips\n", sequence, count);
    }
    uint64_t cycles = sys::rdtsc() - start;
    uint64_t ns = tsc_hz ? cycles * 1000000000ull / tsc_hz : 0;
    sys::print("ping: done: %lu round trips, %lu errors, %lu ns per round trip, %lu messages/s\n", count, errors,
               count ? ns / count : 0, ns ? 2 * count * uint64_t(1000000000) / ns : 0);
    return errors ? 1 : 0;
}
