// Trace-driven simulation of page replacement: how many page faults a
// reference string causes under a frame budget. FIFO, random, CLOCK and LRU
// run the pager's own pager::Replacement; Belady's OPT (evict the page whose
// next use is farthest away) needs the future, so it lives only here.
//
// Freestanding-clean (no heap: fixed static arrays, limits below), so not
// reentrant: one simulation at a time. The std::vector helpers at the end
// exist only in hosted builds.
#pragma once

#include <cstddef>
#include <cstdint>

#include "replacement.hpp"

#if __STDC_HOSTED__
#include <vector>
#endif

namespace pager {

// The first five are pager::Policy's, in the same order.
enum class SimPolicy : uint8_t { fifo, random, clock, lru, clockpro, opt };
inline constexpr SimPolicy sim_policies[] = {SimPolicy::fifo, SimPolicy::random, SimPolicy::clock,
                                             SimPolicy::lru, SimPolicy::clockpro, SimPolicy::opt};

const char* sim_policy_name(SimPolicy p);  // "fifo", "random", "clock", "lru", "clockpro", "opt"
bool parse_sim_policy(const char* name, SimPolicy& out);

// Limits of the static arrays: page numbers must be below max_pages, the
// budget at most max_frames, the trace at most max_length references.
inline constexpr size_t sim_max_pages = 4096;
inline constexpr size_t sim_max_frames = 1024;
inline constexpr size_t sim_max_length = size_t{1} << 18;
inline constexpr uint64_t sim_error = UINT64_MAX;  // a limit was exceeded, or frames == 0

// Faults (every first touch counts) of `trace` under `frames` frames. The
// budget fills in frame order; then each fault evicts the victim chosen by
// the policy. Every access is reported to Replacement::accessed (only LRU
// uses it) and sets the frame's referenced bit, which CLOCK's and
// CLOCK-Pro's ReferencedFn reads and clears, as the hardware accessed bit
// would be. A fault loads the page with loaded(frame, page): the page
// number is CLOCK-Pro's ghost key. `seed` feeds the random policy.
uint64_t simulate(const uint32_t* trace, size_t length, size_t frames, SimPolicy policy, uint64_t seed = 1);

// ---- Trace generators -------------------------------------------------
// Each writes at most `capacity` references to `out` and returns how many
// it wrote (the full length when capacity suffices). Deterministic: the
// same arguments give the same trace.

// 0, 1, ..., pages-1, repeated `repeats` times.
size_t sequential_loop(uint32_t* out, size_t capacity, uint32_t pages, uint32_t repeats);

// `length` references drawn uniformly from pages 0..pages-1.
size_t uniform_random(uint32_t* out, size_t capacity, uint32_t pages, size_t length, uint64_t seed);

// A hot set (pages 0..hot_pages-1) takes hot_percent of the references;
// the rest go uniformly to a large cold background (the next cold_pages
// pages): a program's working data plus scattered lookups into big tables.
size_t hot_cold(uint32_t* out, size_t capacity, uint32_t hot_pages, uint32_t cold_pages, uint32_t hot_percent,
                size_t length, uint64_t seed);

// Locality that moves: phase k's working set is the `working_set` pages
// starting at k * shift (mod total_pages), so consecutive phases share
// working_set - shift pages. Each phase makes phase_length references,
// locality_percent of them uniformly inside the working set and the rest
// uniformly over all total_pages.
struct PhaseParams {
    uint32_t phases;
    uint32_t phase_length;
    uint32_t working_set;
    uint32_t shift;
    uint32_t total_pages;
    uint32_t locality_percent;
};
size_t working_set_phases(uint32_t* out, size_t capacity, const PhaseParams& params, uint64_t seed);

// A loop over frames + extra pages: FIFO and LRU evict exactly the page
// needed next, so every reference faults.
size_t loop_slightly_larger(uint32_t* out, size_t capacity, uint32_t frames, uint32_t extra = 1,
                            uint32_t repeats = 20);

// A loop over frames * percent / 100 pages (rounded), `repeats` times: a
// loop a given factor larger than memory.
size_t loop_times_memory(uint32_t* out, size_t capacity, uint32_t frames, uint32_t percent, uint32_t repeats);

// Zipf's law with exponent 1: page i (0..pages-1) is referenced with
// probability proportional to 1 / (i + 1). `length` references.
size_t zipf(uint32_t* out, size_t capacity, uint32_t pages, size_t length, uint64_t seed);

// A hot set with scans: `cycles` times, `hot_run` references uniformly
// over the hot set (pages 0..hot_pages-1), then one sequential scan of
// scan_pages pages. With fresh = false every scan reads the same pages
// (hot_pages.. hot_pages+scan_pages-1: a table scanned again and again);
// with fresh = true each scan goes on where the last one stopped, over
// sim_max_pages - hot_pages pages (pages read once).
size_t hot_with_scans(uint32_t* out, size_t capacity, uint32_t hot_pages, uint32_t hot_run, uint32_t scan_pages,
                      uint32_t cycles, bool fresh, uint64_t seed);

// ---- The traces of docs/paging.md -------------------------------------
// One description drives the tests, the table (tests/unit/paging_table.cpp)
// and the plot, so they all speak of the same traces.
enum class TraceKind : uint8_t {
    sequential_loop,
    uniform_random,
    hot_cold,
    working_set_phases,
    loop_slightly_larger,
    zipf,              // pages, length
    loop_times_memory, // percent (of the budget), repeats
    hot_with_scans,    // hot_percent and percent (of the budget: hot set, scan), hot_run, repeats (cycles)
};

struct TraceSpec {
    const char* name;
    TraceKind kind;
    uint32_t pages;        // sequential_loop, uniform_random
    uint32_t repeats;      // sequential_loop, loop_slightly_larger
    size_t length;         // uniform_random, hot_cold
    uint32_t hot_pages;    // hot_cold
    uint32_t cold_pages;   // hot_cold
    uint32_t hot_percent;  // hot_cold
    PhaseParams phases;    // working_set_phases
    uint32_t extra;        // loop_slightly_larger: the loop is frames + extra pages
    uint64_t seed;
    uint32_t percent = 0;  // loop_times_memory: loop size; hot_with_scans: scan size (of the budget)
    uint32_t hot_run = 0;  // hot_with_scans
};

// Writes the trace (loop_slightly_larger depends on the budget `frames`).
size_t generate(const TraceSpec& spec, size_t frames, uint32_t* out, size_t capacity);

// The standard set: see the definitions in simulate.cpp and docs/paging.md.
extern const TraceSpec standard_traces[];
extern const size_t standard_trace_count;
const TraceSpec* find_standard_trace(const char* name);  // null if unknown

#if __STDC_HOSTED__
inline std::vector<uint32_t> generate(const TraceSpec& spec, size_t frames) {
    std::vector<uint32_t> trace(sim_max_length);
    trace.resize(generate(spec, frames, trace.data(), trace.size()));
    return trace;
}
inline uint64_t simulate(const std::vector<uint32_t>& trace, size_t frames, SimPolicy policy, uint64_t seed = 1) {
    return simulate(trace.data(), trace.size(), frames, policy, seed);
}
#endif

}  // namespace pager
