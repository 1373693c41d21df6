// A client of the block server (abi/blk.hpp), started by the root task
// (servers/root/blk_tests.cpp) with its server capability in slot 9 and an
// untyped region in slot 10, from which it makes the 64 frames it lends
// the driver and the notification the driver signals.
//
//     blk_test NAME FIRST_SECTOR SECTORS ROUNDS MODE TSC_KHZ
//
// It works on the disk's sectors [FIRST_SECTOR, FIRST_SECTOR + SECTORS)
// only, so two clients can run at once. MODE "test": single-page,
// multi-page, unaligned and whole-buffer transfers, bad requests, too many
// in flight, then ROUNDS rounds of 8 concurrent writes and 8 concurrent
// reads, every byte checked. MODE "forever": rounds until the server goes
// away, telling the root task after the first one (run=blk-dies).
//
// Exit status: 0 all checked, 1 a check failed, 3 the server went away
// (its calls fail), 2 bad arguments or no resources.
#include "abi/blk.hpp"
#include "abi/task.hpp"
#include "common/string.hpp"
#include "sys/blk.hpp"
#include "sys/clock.hpp"
#include "sys/ipc.hpp"
#include "sys/messages.hpp"
#include "sys/print.hpp"
#include "sys/resources.hpp"
#include "sys/text.hpp"

namespace {

namespace blk = abi::blk;
namespace ts = abi::task_slot;
using abi::Cptr;
using abi::Error;

constexpr Cptr server = 9, memory_slot = 10;
constexpr unsigned memory_bits = 19;
constexpr uint64_t buffer_address = 0x0000400000000000ull;
constexpr uint64_t pages = blk::max_buffer_pages;
constexpr uint64_t buffer_bytes = pages * 4096;
constexpr uint64_t progress_label = 100;

const char* name = "?";
uint8_t* buffer = reinterpret_cast<uint8_t*>(buffer_address);
Cptr notification;
uint64_t first_sector, sector_count, max_sectors;
int failures;

// Results by tag, as they are collected.
constexpr unsigned max_results = 64;
struct Result {
    uint64_t tag;
    int64_t status;
};
Result results[max_results];
unsigned result_count;

[[noreturn]] void server_gone(const char* what, int64_t e) {
    sys::print("blk_test %s: the block server is gone (%s: %s)\n", name, what, sys::describe(sys::error_of(e)));
    sys::report_exit(3);
    sys::exit(3);
}

void check(bool ok, const char* what) {
    if (!ok) {
        ++failures;
        sys::print("blk_test %s: FAILED: %s\n", name, what);
    }
}

// Collects finished requests until `tag` has finished; returns its status.
int64_t wait_for(uint64_t tag) {
    for (;;) {
        for (unsigned i = 0; i < result_count; ++i)
            if (results[i].tag == tag) {
                int64_t s = results[i].status;
                results[i] = results[--result_count];
                return s;
            }
        sys::blk::Completion done[4];
        int64_t n = sys::blk::complete(server, done);
        if (n < 0) server_gone("complete", n);
        for (int64_t i = 0; i < n; ++i)
            if (result_count < max_results) results[result_count++] = Result{done[i].tag, done[i].status};
        if (n == 0) sys::notification_wait(notification);  // until the driver signals
    }
}

uint64_t submit(uint64_t sector, uint64_t sectors, uint64_t offset, bool write) {
    sys::blk::Submitted s = sys::blk::submit(server, blk::Request{sector, sectors, offset, write ? 1u : 0u});
    if (s.status == abi::error_code(Error::would_block)) return 0;
    if (s.status < 0) server_gone("submit", s.status);
    return s.tag;
}

int64_t transfer(uint64_t sector, uint64_t sectors, uint64_t offset, bool write) {
    uint64_t tag = submit(sector, sectors, offset, write);
    return tag ? wait_for(tag) : abi::error_code(Error::would_block);
}

// The pattern: a word per 8 bytes of the disk, from its position and the round.
uint64_t pattern(uint64_t sector, uint64_t word, uint64_t round) {
    uint64_t x = (sector * 64 + word) * 0x9E3779B97F4A7C15ull ^ (round + 1) * 0xC2B2AE3D27D4EB4Full;
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    return x ^ (x >> 32);
}

void fill(uint64_t offset, uint64_t sector, uint64_t sectors, uint64_t round) {
    for (uint64_t s = 0; s < sectors; ++s)
        for (uint64_t w = 0; w < 64; ++w) {
            uint64_t v = pattern(sector + s, w, round);
            memcpy(buffer + offset + s * 512 + w * 8, &v, 8);
        }
}

// Every byte, against the pattern; returns the number of bad sectors.
uint64_t verify(uint64_t offset, uint64_t sector, uint64_t sectors, uint64_t round) {
    uint64_t bad = 0;
    for (uint64_t s = 0; s < sectors; ++s)
        for (uint64_t w = 0; w < 64; ++w) {
            uint64_t v = pattern(sector + s, w, round), got;
            memcpy(&got, buffer + offset + s * 512 + w * 8, 8);
            if (got != v) {
                if (!bad)
                    sys::print("blk_test %s: sector %lu word %lu: 0x%lx, expected 0x%lx\n", name, sector + s, w, got, v);
                ++bad;
                break;
            }
        }
    return bad;
}

// Write sectors from the buffer at `offset`, clear, read them back into
// `back`, check every byte.
void round_trip(const char* what, uint64_t sector, uint64_t sectors, uint64_t offset, uint64_t back, uint64_t round) {
    fill(offset, sector, sectors, round);
    int64_t w = transfer(sector, sectors, offset, true);
    memset(buffer + back, 0xCC, sectors * 512);
    int64_t r = transfer(sector, sectors, back, false);
    uint64_t bad = verify(back, sector, sectors, round);
    sys::print("blk_test %s: %s: %lu sectors, write %s, read %s, %lu bad sectors\n", name, what, sectors,
               w ? sys::describe(sys::error_of(w)) : "ok", r ? sys::describe(sys::error_of(r)) : "ok", bad);
    check(w == 0 && r == 0 && bad == 0, what);
}

// One round: 8 writes in flight at once, then 8 reads, each spanning
// pages at an unaligned buffer offset; every byte checked.
constexpr unsigned batch = 8;
uint64_t concurrent_round(uint64_t round) {
    uint64_t sector[batch], sectors[batch], offset[batch], tags[batch];
    uint64_t disk = first_sector + (round * 97) % (sector_count / 2), buffer_at = 512;
    for (unsigned i = 0; i < batch; ++i) {
        sectors[i] = 16 + 4 * i;
        sector[i] = disk;
        offset[i] = buffer_at;
        disk += sectors[i];
        buffer_at += (sectors[i] + 1) * 512;
        fill(offset[i], sector[i], sectors[i], round);
    }
    for (unsigned i = 0; i < batch; ++i) tags[i] = submit(sector[i], sectors[i], offset[i], true);
    int64_t bad_status = 0;
    for (unsigned i = 0; i < batch; ++i) bad_status |= tags[i] ? wait_for(tags[i]) : 1;
    memset(buffer + buffer_bytes / 2, 0xCC, buffer_bytes / 2);
    for (unsigned i = 0; i < batch; ++i) tags[i] = submit(sector[i], sectors[i], buffer_bytes / 2 + offset[i], false);
    for (unsigned i = 0; i < batch; ++i) bad_status |= tags[i] ? wait_for(tags[i]) : 1;
    uint64_t bad = 0, bytes = 0;
    for (unsigned i = 0; i < batch; ++i) {
        bad += verify(buffer_bytes / 2 + offset[i], sector[i], sectors[i], round);
        bytes += sectors[i] * 512;
    }
    check(bad_status == 0 && bad == 0, "a round of 8 concurrent writes and reads");
    return 2 * bytes;
}

void bad_requests() {
    // Past the disk, past the buffer: bad_address; unaligned: bad_argument.
    int64_t past_disk = transfer(first_sector + sector_count - 1 + (1ull << 40), 1, 0, false);
    int64_t across_end = transfer(first_sector + sector_count - 1, 8, 0, false);  // fine if it is not the disk's end
    int64_t past_buffer = transfer(first_sector, 16, buffer_bytes - 4096, false);
    int64_t unaligned = transfer(first_sector, 1, 100, false);
    int64_t too_long = transfer(first_sector, max_sectors + 1, 0, false);
    int64_t none = transfer(first_sector, 0, 0, false);
    sys::print("blk_test %s: bad requests: past the disk %s, past the buffer %s, unaligned %s, too long %s, "
               "no sectors %s\n", name, sys::describe(sys::error_of(past_disk)), sys::describe(sys::error_of(past_buffer)),
               sys::describe(sys::error_of(unaligned)), sys::describe(sys::error_of(too_long)),
               sys::describe(sys::error_of(none)));
    (void)across_end;
    check(past_disk == abi::error_code(Error::bad_address), "past the disk is bad_address");
    check(past_buffer == abi::error_code(Error::bad_address), "past the buffer is bad_address");
    check(unaligned == abi::error_code(Error::bad_argument), "an unaligned buffer offset is bad_argument");
    check(too_long == abi::error_code(Error::bad_argument) || too_long == abi::error_code(Error::bad_address),
          "more than the most sectors per request is refused");
    check(none == abi::error_code(Error::bad_argument), "no sectors is bad_argument");
    // Too many in flight: the 17th submit is refused with would_block;
    // the 16 complete.
    uint64_t tags[blk::max_in_flight + 1];
    unsigned accepted = 0;
    for (unsigned i = 0; i <= blk::max_in_flight; ++i) {
        tags[i] = submit(first_sector + i * 8, 8, (i % 32) * 8192, false);
        accepted += tags[i] != 0;
    }
    bool refused = tags[blk::max_in_flight] == 0;
    unsigned ok = 0;
    for (unsigned i = 0; i <= blk::max_in_flight; ++i)
        if (tags[i]) ok += wait_for(tags[i]) == 0;
    sys::print("blk_test %s: %u submits at once: %u accepted, the last %s; %u completed\n", name,
               unsigned(blk::max_in_flight + 1), accepted, refused ? "refused (would block)" : "accepted", ok);
    check(accepted == blk::max_in_flight && refused && ok == blk::max_in_flight, "max_in_flight is enforced");
}

// Throughput: `count` requests of the most sectors a request may have,
// `depth` in flight at once, over our part of the disk from sector 2048
// on (the sectors before keep what the checked phases wrote, which the
// boot test reads back from the image); nothing checked, the buffer
// reused by every request.
void throughput(bool write, unsigned count, unsigned depth, uint64_t tsc_khz) {
    constexpr uint64_t skip = 2048;
    uint64_t span = ((sector_count - skip) / max_sectors) * max_sectors, next = 0, tags[blk::max_in_flight];
    unsigned issued = 0, finished = 0;
    int64_t errors = 0;
    uint64_t start = sys::rdtsc();
    while (finished < count) {
        while (issued < count && issued - finished < depth) {
            uint64_t tag = submit(first_sector + skip + next, max_sectors, 0, write);
            if (!tag) break;
            tags[issued++ % blk::max_in_flight] = tag;
            next = (next + max_sectors) % span;
        }
        errors |= wait_for(tags[finished++ % blk::max_in_flight]);
    }
    uint64_t us = tsc_khz ? (sys::rdtsc() - start) * 1000 / tsc_khz : 0;
    uint64_t kib = count * max_sectors / 2;
    sys::print("blk_test %s: throughput: %s of %lu KiB, %u in flight: %lu KiB in %lu us (%lu KiB/s)%s\n", name,
               write ? "writes" : "reads", max_sectors / 2, depth, kib, us, us ? kib * 1000000 / us : 0,
               errors ? " (with errors)" : "");
    check(errors == 0, "the throughput requests succeed");
}

bool set_up() {
    static sys::SlotAllocator slots;
    slots.init(ts::cnode, sys::first_empty_slot(memory_slot + 1, 1u << abi::task_cnode_radix),
               1u << abi::task_cnode_radix);
    static sys::UntypedPool pool{slots};
    pool.add(memory_slot, memory_bits);
    notification = pool.allocate(abi::ObjectType::notification);
    if (!notification) return false;
    // The buffer pages are the server's memory, mapped here.
    if (int64_t e = sys::blk::attach_buffer_pages(server, pages, slots, pool, buffer_address); e < 0)
        server_gone("attach_buffer", e);
    if (int64_t e = sys::blk::attach_notification(server, notification); e < 0) server_gone("attach_notification", e);
    return true;
}

}  // namespace

int main(int argc, char** argv, char**) {
    if (argc < 7) {
        sys::print("blk_test: usage: blk_test NAME FIRST_SECTOR SECTORS ROUNDS test|forever TSC_KHZ\n");
        return 2;
    }
    name = argv[1];
    first_sector = sys::parse_number(argv[2]);
    sector_count = sys::parse_number(argv[3]);
    uint64_t rounds = sys::parse_number(argv[4]);
    bool forever = argv[5][0] == 'f';
    uint64_t tsc_khz = sys::parse_number(argv[6]);
    sys::blk::Info info = sys::blk::info(server);
    if (info.status < 0) server_gone("info", info.status);
    max_sectors = info.max_sectors;
    if (sector_count < 4096 || info.sector_size != blk::sector_size || max_sectors < 64) {
        sys::print("blk_test %s: %lu sectors of %lu bytes, %lu per request: too small to test\n", name, sector_count,
                   info.sector_size, max_sectors);
        return 2;
    }
    if (!set_up()) {
        sys::print("blk_test %s: no memory for its buffer\n", name);
        return 2;
    }
    sys::print("blk_test %s: sectors %lu-%lu, a buffer of %lu pages lent\n", name, first_sector,
               first_sector + sector_count - 1, pages);
    if (forever) {
        for (uint64_t round = 0;; ++round) {
            concurrent_round(round);
            if (failures) return 1;
            if (round == 0) {
                sys::print("blk_test %s: round 1 done; going on until the server goes\n", name);
                sys::ipc::call(ts::registry, sys::ipc::Message{sys::ipc::make_tag(progress_label, 0), {}});
            }
        }
    }
    round_trip("one page", first_sector, 8, 0, 4096 * 32, 1);
    round_trip("17 pages at an unaligned offset", first_sector + 100, 130, 512 * 3, 4096 * 32 + 512 * 5, 2);
    round_trip("the whole buffer", first_sector + 1000, max_sectors, 0, 0, 3);
    bad_requests();
    uint64_t start = sys::rdtsc(), bytes = 0;
    for (uint64_t round = 0; round < rounds; ++round) bytes += concurrent_round(round + 10);
    uint64_t cycles = sys::rdtsc() - start;
    uint64_t us = tsc_khz ? cycles * 1000 / tsc_khz : 0;
    sys::print("blk_test %s: %lu rounds of 8 concurrent writes and 8 concurrent reads: %lu KiB in %lu us (%lu KiB/s)\n",
               name, rounds, bytes >> 10, us, us ? (bytes >> 10) * 1000000 / us : 0);
    throughput(true, 64, 8, tsc_khz);
    throughput(false, 64, 8, tsc_khz);
    sys::print("blk_test %s: %s\n", name, failures ? "FAILED" : "every byte checked");
    return failures ? 1 : 0;
}
