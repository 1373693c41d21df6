// pager_stress PAGES [ROUNDS]: touches a working set of PAGES pages (many
// times the pager's budget) in several patterns, writing into each page a
// pattern derived from its address and a generation number and checking
// every page when it comes back. Prints progress and a summary: pages
// touched, faults, evictions, write-backs, read-backs, pages written to and
// read from the swap disk (when the pager swaps to one), errors.
#include "abi/pager.hpp"
#include "abi/task.hpp"
#include "sys/clock.hpp"
#include "sys/ipc.hpp"
#include "sys/print.hpp"
#include "sys/text.hpp"

namespace {

constexpr uint64_t page = 4096;
constexpr uint64_t max_pages = 262144;  // 1 GiB; the array below is paged in as used
uint32_t generation[max_pages];  // 0: never written
uint64_t base, pages, errors, touches;
uint64_t progress_every = ~0ull;  // touches between progress lines (large runs only)
uint64_t state = 0x9E3779B97F4A7C15ull;
uint64_t tsc_hz;  // the TSC's rate (the last argument in every mode), 0 when not given

uint64_t next_random() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

uint64_t expected_word(uint64_t index, uint64_t word, uint32_t gen) {
    return (base + index * page + word * 8) * 0x9E3779B97F4A7C15ull ^ (uint64_t(gen) << 32 | gen);
}

// Checks what the page holds, then (when writing) stamps a new generation
// over the whole page.
void progress();

void touch(uint64_t index, bool write) {
    if (++touches % progress_every == 0) progress();
    auto* words = reinterpret_cast<volatile uint64_t*>(base + index * page);
    uint32_t gen = generation[index];
    for (uint64_t w = 0; w < page / 8; w += 61) {  // a spread of words, every one checked
        uint64_t want = gen ? expected_word(index, w, gen) : 0;
        if (words[w] != want && errors++ < 5)
            sys::print("pager_stress: page %lu word %lu holds 0x%lx, expected 0x%lx (generation %u)\n", index, w,
                       words[w], want, gen);
    }
    if (!write) return;
    gen = generation[index] = gen + 1;
    for (uint64_t w = 0; w < page / 8; w += 61) words[w] = expected_word(index, w, gen);
}

void sequential(bool write) {
    for (uint64_t i = 0; i < pages; ++i) touch(i, write);
}

void random_pages(uint64_t count) {
    for (uint64_t i = 0; i < count; ++i) touch(next_random() % pages, next_random() % 3 == 0);
}

// Locality: 95% of touches go to a hot set half the size of the budget,
// the rest anywhere (a cold background). An LRU-like policy keeps the hot
// set resident; FIFO evicts it over and over.
void hot_and_cold(uint64_t count, uint64_t hot) {
    if (hot == 0 || hot > pages) hot = pages / 8 ? pages / 8 : 1;
    for (uint64_t i = 0; i < count; ++i) {
        bool to_hot = next_random() % 20 != 0;
        touch(to_hot ? next_random() % hot : next_random() % pages, next_random() % 4 == 0);
    }
}

// A loop over slightly more pages than fit: FIFO's and LRU's worst case.
void loop_over(uint64_t loop_pages, uint64_t rounds) {
    if (loop_pages > pages) loop_pages = pages;
    for (uint64_t r = 0; r < rounds; ++r)
        for (uint64_t i = 0; i < loop_pages; ++i) touch(i, r % 2 == 0);
}

struct Statistics {
    uint64_t faults, evictions, write_backs, read_backs;
    uint64_t write_requests, read_requests, read_ahead;  // the pager's, for the swap disk
    uint64_t ahead_mapped, ahead_used, ahead_unused;     // the pager's fault-around
    bool on_disk;
    uint64_t disk_cycles;  // the pager's TSC cycles inside disk requests
    uint64_t disk_writes() const { return on_disk ? write_backs : 0; }
    uint64_t disk_reads() const { return on_disk ? read_backs : 0; }
};
Statistics last;

// quiet: the pager does not print its own lines (progress reports).
Statistics statistics(bool quiet = false) {
    auto r = sys::ipc::call(abi::task_slot::pager,
                            sys::ipc::Message{sys::ipc::make_tag(abi::pager::statistics, 8), {quiet ? 1u : 0u}});
    const uint64_t* more = sys::ipc::buffer().words;
    bool full = r.length() >= abi::pager::statistics_words * 8;
    return Statistics{r.message.words[0], r.message.words[1], r.message.words[2], r.message.words[3],
                      full ? more[4] : 0, full ? more[5] : 0, full ? more[6] : 0,
                      full ? more[8] : 0, full ? more[9] : 0, full ? more[10] : 0, full && more[7],
                      full ? more[11] : 0};
}

// Prints the phase's own figures (the change since the last report).
void report(const char* phase, uint64_t phase_touches) {
    Statistics s = statistics();
    sys::print("pager_stress: phase %s: %lu touches, %lu faults, %lu evictions, %lu write-backs, %lu read-backs; "
               "%lu errors so far\n",
               phase, phase_touches, s.faults - last.faults, s.evictions - last.evictions,
               s.write_backs - last.write_backs, s.read_backs - last.read_backs, errors);
    if (s.on_disk)
        sys::print("pager_stress: phase %s: disk: %lu pages written in %lu requests, %lu pages read in %lu requests "
                   "(%lu read ahead), %lu us in them\n",
                   phase, s.write_backs - last.write_backs, s.write_requests - last.write_requests,
                   s.read_backs - last.read_backs, s.read_requests - last.read_requests, s.read_ahead - last.read_ahead,
                   tsc_hz >= 1000000 ? (s.disk_cycles - last.disk_cycles) / (tsc_hz / 1000000) : 0);
    sys::print("pager_stress: phase %s: fault-around: %lu pages mapped ahead, %lu found used, %lu unused\n", phase,
               s.ahead_mapped - last.ahead_mapped, s.ahead_used - last.ahead_used, s.ahead_unused - last.ahead_unused);
    last = s;
}

// A line every progress_every touches: how far, and what it cost.
void progress() {
    Statistics s = statistics(true);
    sys::print("pager_stress: progress: %lu touches, %lu faults, %lu pages written to disk, %lu read from disk, %lu "
               "errors\n",
               touches, s.faults, s.disk_writes(), s.disk_reads(), errors);
}

}  // namespace

// pager_stress bench PATTERN PAGES TSC_HZ: what a page costs when it is
// paged in by the pager: first touches of PAGES fresh pages of heap (each
// page is zeroed, mapped and the task resumed; with fault-around several
// pages come per fault), within the budget so nothing is evicted.
//   sequential: pages 0, 1, 2, ... in order (fault-around maps ahead);
//   strided:    every fourth page of a heap four times as large (no run:
//               one page per fault);
//   random:     every page once, in a random order (no run either);
//   hinted:     sequential, in a heap that asks for fault-around
//               (abi::pager::heap_sequential): every fault maps a whole
//               cluster from the first on.
// Prints the cost per page touched and the faults it took.
int bench(const char* pattern, uint64_t count) {
    constexpr uint64_t max_bench_pages = 1024;
    bool hinted = pattern[0] == 'h';
    uint64_t stride = pattern[0] == 's' && pattern[1] == 't' ? 4 : 1;
    bool shuffled = pattern[0] == 'r';
    if (count == 0 || count > max_bench_pages) return 2;
    auto r = sys::ipc::call(abi::task_slot::pager,
                            sys::ipc::Message{sys::ipc::make_tag(abi::pager::grow_heap, 16),
                                              {count * stride, hinted ? abi::pager::heap_sequential : 0}});
    if (r.result != 0 || r.label() != 0) return 1;
    uint64_t heap = r.message.words[0];
    static uint64_t order[max_bench_pages];  // in .bss, paged in here, before the clock starts
    for (uint64_t i = 0; i < count; ++i) order[i] = i * stride;
    for (uint64_t i = count - 1; shuffled && i > 0; --i) {  // Fisher-Yates
        uint64_t j = next_random() % (i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    Statistics before = statistics(true);
    uint64_t start = sys::rdtsc();
    for (uint64_t i = 0; i < count; ++i) *reinterpret_cast<volatile uint64_t*>(heap + order[i] * page) = i;
    uint64_t cycles = sys::rdtsc() - start;
    Statistics after = statistics(true);
    uint64_t ns100 = tsc_hz ? cycles * 100000000000ull / tsc_hz / count : 0;
    sys::print("bench: page paged in by the pager, %s touches (fault, IPC, zeroed frames mapped, resume): %lu.%02lu "
               "ns (%lu TSC cycles) per page, %lu pages, %lu faults, %lu pages mapped ahead\n",
               pattern, ns100 / 100, ns100 % 100, cycles / count, count, after.faults - before.faults,
               after.ahead_mapped - before.ahead_mapped);
    return 0;
}

// pager_stress PAGES BUDGET swap TSC_HZ (run=pager stress=swap): what a page
// costs when it goes to the swap disk and comes back. PAGES should be many
// times the budget, so that nearly every touch below faults and every
// eviction goes to the disk. One word per page is written or read, so the
// figures are the paging path's, not this program's; each page's word is
// checked when it comes back (no table of what was written: it would be
// paged too). Phases, each timed with the TSC:
//   fill:       first touches, writing: zeroed pages, the dirty ones
//               evicted in clusters (pager_cluster) and written;
//   sequential: every page read back in order (pager_readahead pages a
//               read); the pages evicted meanwhile are clean, so dropped;
//   random:     PAGES / 4 reads at random pages (read-ahead does not start);
//   rewrite:    every page read back in order and written: against
//               `sequential`, the write-back of the dirty victims.
// Per phase: time per page in all and the part inside the pager's disk
// requests (block server, device and idle time: under -icount the host's
// I/O time lands there), faults, disk traffic, pages/s and MB/s.
namespace swap_bench {

uint64_t nanoseconds(uint64_t cycles) {
    return cycles / tsc_hz * 1000000000ull + cycles % tsc_hz * 1000000000ull / tsc_hz;
}

void report(const char* phase, uint64_t count, uint64_t cycles, const Statistics& a, const Statistics& b) {
    uint64_t ns = nanoseconds(cycles), disk_ns = nanoseconds(b.disk_cycles - a.disk_cycles);
    if (ns == 0) ns = 1;
    uint64_t per100 = ns * 100 / count, disk100 = disk_ns * 100 / count, rest100 = per100 - disk100;
    uint64_t written = b.write_backs - a.write_backs, read = b.read_backs - a.read_backs;
    uint64_t mb10 = (written + read) * page * 10000 / ns;  // MB (10^6 bytes) per second, one decimal
    sys::print("bench: swap %s: %lu.%02lu ns per page (in disk requests %lu.%02lu, outside %lu.%02lu), %lu pages, "
               "%lu faults, %lu pages written in %lu requests, %lu read in %lu requests; %lu pages/s, %lu.%lu MB/s "
               "to and from the disk\n",
               phase, per100 / 100, per100 % 100, disk100 / 100, disk100 % 100, rest100 / 100, rest100 % 100, count,
               b.faults - a.faults, written, b.write_requests - a.write_requests, read,
               b.read_requests - a.read_requests, count * uint64_t(1000000000) / ns, mb10 / 10, mb10 % 10);
}

enum class Touch { fill, read, rewrite };

// Touches `count` pages, in order or at random, and reports the phase.
void phase(const char* name, uint64_t count, bool at_random, Touch how) {
    Statistics a = statistics(true);
    uint64_t start = sys::rdtsc();
    for (uint64_t i = 0; i < count; ++i) {
        uint64_t index = at_random ? next_random() % pages : i;
        auto* word = reinterpret_cast<volatile uint64_t*>(base + index * page);
        if (how != Touch::fill && *word != expected_word(index, 0, 1)) ++errors;
        if (how != Touch::read) *word = expected_word(index, 0, how == Touch::fill ? 1 : 2);
    }
    uint64_t cycles = sys::rdtsc() - start;
    report(name, count, cycles, a, statistics(true));
}

}  // namespace swap_bench

int swap() {
    if (tsc_hz < 1000000) return 2;
    using swap_bench::Touch;
    swap_bench::phase("fill (first touches, writing)", pages, false, Touch::fill);
    swap_bench::phase("sequential read-back", pages, false, Touch::read);
    swap_bench::phase("random read-back", pages / 4, true, Touch::read);
    swap_bench::phase("sequential rewrite", pages, false, Touch::rewrite);
    Statistics s = statistics(true);
    sys::print("pager_stress: swap benchmark: %lu pages, %lu faults, %lu disk writes, %lu disk reads, %lu errors\n",
               pages, s.faults, s.disk_writes(), s.disk_reads(), errors);
    return errors ? 1 : 0;
}

// A heap that asks for fault-around (abi::pager::heap_sequential), touched
// at every fourth page: each fault maps a whole cluster, so far fewer
// faults than touches; every page written is read back. Also checks that
// an unknown heap flag is refused.
void sequential_region() {
    constexpr uint64_t region_pages = 256, stride = 4;
    auto refused = sys::ipc::call(abi::task_slot::pager,
                                  sys::ipc::Message{sys::ipc::make_tag(abi::pager::grow_heap, 16), {4, 0x80}});
    auto r = sys::ipc::call(abi::task_slot::pager, sys::ipc::Message{sys::ipc::make_tag(abi::pager::grow_heap, 16),
                                                                     {region_pages, abi::pager::heap_sequential}});
    if (r.result != 0 || r.label() != 0) return (void)sys::print("pager_stress: no heap asking for fault-around\n");
    uint64_t region = r.message.words[0];
    Statistics before = statistics(true);
    for (uint64_t i = 0; i < region_pages; i += stride) *reinterpret_cast<volatile uint64_t*>(region + i * page) = i + 1;
    Statistics after = statistics(true);
    uint64_t wrong = 0;
    for (uint64_t i = 0; i < region_pages; ++i)
        wrong += *reinterpret_cast<volatile uint64_t*>(region + i * page) != (i % stride ? 0 : i + 1);
    errors += wrong;
    sys::print("pager_stress: a region asking for fault-around: %lu touches, %lu faults, %lu pages mapped ahead, %lu "
               "errors; an unknown heap flag %s\n",
               region_pages / stride, after.faults - before.faults, after.ahead_mapped - before.ahead_mapped, wrong,
               refused.label() == uint64_t(abi::Error::bad_argument) ? "is refused" : "was accepted");
}

int main(int argc, char** argv, char**) {
    tsc_hz = argc > 4 ? sys::parse_number(argv[4]) : 0;
    if (argc > 4 && argv[1][0] == 'b') return bench(argv[2], sys::parse_number(argv[3]));
    pages = argc > 1 ? sys::parse_number(argv[1]) : 1024;
    uint64_t budget = argc > 2 ? sys::parse_number(argv[2]) : 256;
    // "quick" (run=pager stress=quick): the same phases with fewer random
    // and hot-set touches, for boot tests over large working sets.
    bool quick = argc > 3 && argv[3][0] == 'q';
    if (pages == 0 || pages > max_pages) {
        sys::print("pager_stress: pages=%s refused: 1 to %lu pages\n", argc > 1 ? argv[1] : "", max_pages);
        return 2;
    }
    auto r = sys::ipc::call(abi::task_slot::pager,
                            sys::ipc::Message{sys::ipc::make_tag(abi::pager::grow_heap, 8), {pages}});
    if (r.result != 0 || r.label() != 0) {
        sys::print("pager_stress: the pager gave no heap (%ld/%lu)\n", r.result, r.label());
        return 1;
    }
    base = r.message.words[0];
    sys::print("pager_stress: %lu pages (%lu KiB) at 0x%lx, %lu times a budget of %lu frames\n", pages, pages * 4,
               base, budget ? pages / budget : 0, budget);
    if (argc > 4 && argv[3][0] == 's') return swap();
    last = statistics();
    if (pages >= 8192) progress_every = pages < 65536 ? pages : 65536;
    sequential(true);
    report("sequential-write", pages);
    sequential(false);
    report("sequential-read", pages);
    uint64_t random_touches = quick ? pages / 4 : pages * 2, hot_touches = quick ? pages : pages * 12;
    random_pages(random_touches);
    report("random", random_touches);
    hot_and_cold(hot_touches, budget / 2);
    report("hot-cold", hot_touches);
    loop_over(budget + budget / 8, 3);
    report("loop", (budget + budget / 8) * 3);
    sequential(false);  // every page checked one last time
    report("verify", pages);
    sequential_region();
    Statistics s = statistics();
    sys::print("pager_stress: summary: %lu pages, %lu touches, %lu faults, %lu evictions, %lu disk writes, %lu disk "
               "reads, %lu errors\n",
               pages, touches, s.faults, s.evictions, s.disk_writes(), s.disk_reads(), errors);
    return errors ? 1 : 0;
}
