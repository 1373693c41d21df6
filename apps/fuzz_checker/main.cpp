// fuzz_checker check SEED | fuzz_checker echo: the checker of run=fuzz.
//
// `check` runs beside the system-call fuzzer at the same priority, in an
// address space of its own, and keeps checking that the kernel leaves its
// memory and its IPC alone: it fills its pages with a pattern from its own
// PRNG and verifies each before refilling it, and makes 256-byte round trips
// with an `echo` partner (another task), checking payload and sequence.
// When the root task signals checker_slot::stop it reports its counts on
// checker_slot::report; the answer says whether to go on.
#include "abi/ipc.hpp"
#include "fuzz_protocol.hpp"
#include "sys/ipc.hpp"
#include "sys/print.hpp"
#include "sys/syscall.hpp"
#include "sys/text.hpp"

namespace {

namespace cs = fuzz::checker_slot;
constexpr uint64_t words_per_page = 4096 / 8;
constexpr uint64_t message_words = abi::ipc::max_message_words;

alignas(4096) uint64_t pages[fuzz::checker_pages][words_per_page];
uint64_t generation[fuzz::checker_pages];  // 0: never filled
uint64_t seed;
uint64_t errors;

uint64_t pattern(uint64_t page, uint64_t gen, uint64_t word) {
    uint64_t s = seed ^ (page << 48) ^ (gen << 20) ^ word;
    return fuzz::splitmix(s);
}

// Verifies page p against its last pattern, then refills it. Returns
// whether it was intact.
bool check_page(uint64_t p) {
    bool intact = true;
    if (generation[p]) {
        for (uint64_t w = 0; w < words_per_page; ++w) {
            uint64_t expected = pattern(p, generation[p], w);
            if (pages[p][w] != expected) {
                if (errors++ < 10)
                    sys::print("checker: ERROR: page %lu word %lu is 0x%lx, expected 0x%lx\n", p, w, pages[p][w],
                               expected);
                intact = false;
                break;
            }
        }
    }
    ++generation[p];
    for (uint64_t w = 0; w < words_per_page; ++w) pages[p][w] = pattern(p, generation[p], w);
    return intact;
}

uint64_t payload(uint64_t sequence, uint64_t word) { return sequence * 0x100000001B3ull ^ (word * 0x9E3779B97F4A7C15ull); }

// One round trip; echo answers each word inverted and the sequence plus one.
bool round_trip(uint64_t sequence) {
    uint64_t body[message_words];
    for (uint64_t w = 0; w < message_words; ++w) body[w] = payload(sequence, w);
    body[0] = sequence;
    sys::ipc::Received r = sys::ipc::call(cs::partner, sys::ipc::pack_bytes(7, body, sizeof body));
    uint64_t answer[message_words] = {};
    bool good = r.result == 0 && r.label() == 8 && sys::ipc::unpack_bytes(r, answer, sizeof answer) == sizeof answer &&
                answer[0] == sequence + 1;
    for (uint64_t w = 1; good && w < message_words; ++w) good = answer[w] == ~payload(sequence, w);
    if (!good && errors++ < 10)
        sys::print("checker: ERROR: round trip %lu: result %ld, label %lu, length %lu, sequence %lu\n", sequence,
                   r.result, r.label(), r.length(), answer[0]);
    return good;
}

[[noreturn]] void echo() {
    uint64_t body[message_words];
    sys::ipc::Received r = sys::ipc::receive(cs::partner);
    for (;;) {
        uint64_t n = sys::ipc::unpack_bytes(r, body, sizeof body);
        if (r.result < 0 || n != sizeof body) body[0] = ~0ull;
        for (uint64_t w = 1; w < message_words; ++w) body[w] = ~body[w];
        ++body[0];
        r = sys::ipc::reply_receive(cs::partner, sys::ipc::pack_bytes(8, body, sizeof body));
    }
}

}  // namespace

int main(int argc, char** argv, char**) {
    if (argc > 1 && argv[1][0] == 'e') echo();
    seed = argc > 2 ? sys::parse_number(argv[2]) : 1;
    uint64_t verified = 0, messages = 0;
    for (uint64_t i = 0;; ++i) {
        if (check_page(i % fuzz::checker_pages) && generation[i % fuzz::checker_pages] > 1) ++verified;
        if (round_trip(messages)) ++messages;
        if (sys::notification_poll(cs::stop).word) {
            sys::ipc::Received r =
                sys::ipc::call(cs::report, sys::ipc::Message{sys::ipc::make_tag(1, 24), {verified, messages, errors}});
            if (r.result < 0 || r.label() == fuzz::report_stop) break;
        }
    }
    sys::exit(0);
}
