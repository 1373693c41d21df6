// Trace-driven page replacement simulation (see simulate.hpp).
#include "simulate.hpp"

namespace pager {

namespace {

constexpr const char* sim_names[] = {"fifo", "random", "clock", "lru", "clockpro", "opt"};
constexpr uint32_t no_frame = UINT32_MAX;

bool equal(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}

// Static state of the one simulation at a time (no heap in freestanding).
uint32_t page_frame[sim_max_pages];  // page -> frame, or no_frame
uint32_t frame_page[sim_max_frames];
bool frame_referenced[sim_max_frames];           // the simulated accessed bit
Replacement::FrameState frame_state[sim_max_frames];
Replacement::History history;  // CLOCK-Pro's circle and ghosts
static_assert(sim_max_frames <= max_policy_frames);
uint32_t next_use[sim_max_length];  // OPT: index of the next reference to the same page
uint32_t frame_next_use[sim_max_frames];  // OPT: next use of each frame's page

// The ReferencedFn of the simulation: read and clear the accessed bit.
bool read_and_clear(void* context, size_t frame) {
    auto* bits = static_cast<bool*>(context);
    bool was = bits[frame];
    bits[frame] = false;
    return was;
}

// OPT's victim: the resident page used again farthest in the future (never
// again counts as farthest); ties go to the lowest frame.
size_t opt_victim(size_t frames) {
    size_t victim = 0;
    for (size_t f = 1; f < frames; ++f)
        if (frame_next_use[f] > frame_next_use[victim]) victim = f;
    return victim;
}

}  // namespace

const char* sim_policy_name(SimPolicy p) {
    auto i = static_cast<size_t>(p);
    return i < sizeof sim_names / sizeof sim_names[0] ? sim_names[i] : "?";
}

bool parse_sim_policy(const char* name, SimPolicy& out) {
    if (!name) return false;
    for (size_t i = 0; i < sizeof sim_names / sizeof sim_names[0]; ++i) {
        if (equal(name, sim_names[i])) {
            out = static_cast<SimPolicy>(i);
            return true;
        }
    }
    return false;
}

uint64_t simulate(const uint32_t* trace, size_t length, size_t frames, SimPolicy policy, uint64_t seed) {
    if (frames == 0 || frames > sim_max_frames || length > sim_max_length || (length && !trace)) return sim_error;
    for (size_t i = 0; i < length; ++i)
        if (trace[i] >= sim_max_pages) return sim_error;

    const bool opt = policy == SimPolicy::opt;
    static Replacement replacement;
    if (!opt) replacement.init(static_cast<Policy>(policy), frame_state, frames, seed, &history);
    if (opt) {
        // Backward pass: next_use[i] = the next i' > i with the same page,
        // or length. page_frame doubles as "last seen" during the pass.
        for (size_t p = 0; p < sim_max_pages; ++p) page_frame[p] = static_cast<uint32_t>(length);
        for (size_t i = length; i-- > 0;) {
            next_use[i] = page_frame[trace[i]];
            page_frame[trace[i]] = static_cast<uint32_t>(i);
        }
    }
    for (size_t p = 0; p < sim_max_pages; ++p) page_frame[p] = no_frame;

    uint64_t faults = 0;
    size_t filled = 0;
    for (size_t i = 0; i < length; ++i) {
        uint32_t page = trace[i];
        size_t frame = page_frame[page];
        if (frame == no_frame) {
            ++faults;
            if (filled < frames) {
                frame = filled++;
            } else {
                frame = opt ? opt_victim(frames) : replacement.choose_victim(read_and_clear, frame_referenced);
                page_frame[frame_page[frame]] = no_frame;
            }
            page_frame[page] = static_cast<uint32_t>(frame);
            frame_page[frame] = page;
            if (!opt) replacement.loaded(frame, page);
        } else if (!opt) {
            replacement.accessed(frame);
        }
        frame_referenced[frame] = true;  // the access itself, faulting or not
        if (opt) frame_next_use[frame] = next_use[i];
    }
    return faults;
}

// ---- Trace generators -------------------------------------------------

size_t sequential_loop(uint32_t* out, size_t capacity, uint32_t pages, uint32_t repeats) {
    size_t n = 0;
    for (uint32_t r = 0; r < repeats; ++r)
        for (uint32_t p = 0; p < pages && n < capacity; ++p) out[n++] = p;
    return n;
}

size_t uniform_random(uint32_t* out, size_t capacity, uint32_t pages, size_t length, uint64_t seed) {
    if (pages == 0) return 0;
    Xorshift64 rng;
    rng.seed(seed);
    size_t n = 0;
    while (n < length && n < capacity) out[n++] = static_cast<uint32_t>(rng.below(pages));
    return n;
}

size_t hot_cold(uint32_t* out, size_t capacity, uint32_t hot_pages, uint32_t cold_pages, uint32_t hot_percent,
                size_t length, uint64_t seed) {
    if (hot_pages == 0 || cold_pages == 0) return 0;
    Xorshift64 rng;
    rng.seed(seed);
    size_t n = 0;
    while (n < length && n < capacity) {
        bool hot = rng.below(100) < hot_percent;
        out[n++] = hot ? static_cast<uint32_t>(rng.below(hot_pages))
                       : hot_pages + static_cast<uint32_t>(rng.below(cold_pages));
    }
    return n;
}

size_t working_set_phases(uint32_t* out, size_t capacity, const PhaseParams& params, uint64_t seed) {
    if (params.total_pages == 0 || params.working_set == 0 || params.working_set > params.total_pages) return 0;
    Xorshift64 rng;
    rng.seed(seed);
    size_t n = 0;
    for (uint32_t k = 0; k < params.phases; ++k) {
        uint64_t base = static_cast<uint64_t>(k) * params.shift;
        for (uint32_t j = 0; j < params.phase_length && n < capacity; ++j) {
            bool local = rng.below(100) < params.locality_percent;
            uint64_t page = local ? base + rng.below(params.working_set) : rng.below(params.total_pages);
            out[n++] = static_cast<uint32_t>(page % params.total_pages);
        }
    }
    return n;
}

size_t loop_slightly_larger(uint32_t* out, size_t capacity, uint32_t frames, uint32_t extra, uint32_t repeats) {
    return sequential_loop(out, capacity, frames + extra, repeats);
}

size_t loop_times_memory(uint32_t* out, size_t capacity, uint32_t frames, uint32_t percent, uint32_t repeats) {
    return sequential_loop(out, capacity, static_cast<uint32_t>((uint64_t{frames} * percent + 50) / 100), repeats);
}

size_t zipf(uint32_t* out, size_t capacity, uint32_t pages, size_t length, uint64_t seed) {
    static double cdf[sim_max_pages];  // cumulative weights 1/1 + 1/2 + ... (no libm needed)
    if (pages == 0 || pages > sim_max_pages) return 0;
    double sum = 0;
    for (uint32_t i = 0; i < pages; ++i) cdf[i] = sum += 1.0 / (i + 1);
    Xorshift64 rng;
    rng.seed(seed);
    size_t n = 0;
    while (n < length && n < capacity) {
        double u = static_cast<double>(rng.next() >> 11) * (1.0 / 9007199254740992.0) * sum;  // [0, sum)
        uint32_t lo = 0, hi = pages - 1;
        while (lo < hi) {
            uint32_t mid = (lo + hi) / 2;
            if (cdf[mid] <= u) lo = mid + 1;
            else hi = mid;
        }
        out[n++] = lo;
    }
    return n;
}

size_t hot_with_scans(uint32_t* out, size_t capacity, uint32_t hot_pages, uint32_t hot_run, uint32_t scan_pages,
                      uint32_t cycles, bool fresh, uint64_t seed) {
    if (hot_pages == 0 || hot_pages >= sim_max_pages || (!fresh && hot_pages + scan_pages > sim_max_pages)) return 0;
    Xorshift64 rng;
    rng.seed(seed);
    const uint32_t cold = static_cast<uint32_t>(sim_max_pages) - hot_pages;
    uint32_t next = 0;
    size_t n = 0;
    for (uint32_t c = 0; c < cycles && n < capacity; ++c) {
        for (uint32_t i = 0; i < hot_run && n < capacity; ++i) out[n++] = static_cast<uint32_t>(rng.below(hot_pages));
        for (uint32_t i = 0; i < scan_pages && n < capacity; ++i) {
            out[n++] = hot_pages + (fresh ? next : i);
            next = (next + 1) % cold;
        }
    }
    return n;
}

// ---- The standard traces ----------------------------------------------

size_t generate(const TraceSpec& spec, size_t frames, uint32_t* out, size_t capacity) {
    switch (spec.kind) {
    case TraceKind::sequential_loop: return sequential_loop(out, capacity, spec.pages, spec.repeats);
    case TraceKind::uniform_random: return uniform_random(out, capacity, spec.pages, spec.length, spec.seed);
    case TraceKind::hot_cold:
        return hot_cold(out, capacity, spec.hot_pages, spec.cold_pages, spec.hot_percent, spec.length, spec.seed);
    case TraceKind::working_set_phases: return working_set_phases(out, capacity, spec.phases, spec.seed);
    case TraceKind::loop_slightly_larger:
        return loop_slightly_larger(out, capacity, static_cast<uint32_t>(frames), spec.extra, spec.repeats);
    case TraceKind::zipf: return zipf(out, capacity, spec.pages, spec.length, spec.seed);
    case TraceKind::loop_times_memory:
        return loop_times_memory(out, capacity, static_cast<uint32_t>(frames), spec.percent, spec.repeats);
    case TraceKind::hot_with_scans: {
        auto of_budget = [frames](uint32_t percent) {
            return static_cast<uint32_t>((uint64_t{frames} * percent + 50) / 100);
        };
        uint32_t hot = of_budget(spec.hot_percent);
        return hot_with_scans(out, capacity, hot ? hot : 1, spec.hot_run, of_budget(spec.percent), spec.repeats,
                              false, spec.seed);
    }
    }
    return 0;
}

// Chosen to look like programs, not to flatter a policy (docs/paging.md).
// The two traces with locality share a 48-page (192 KiB) hot set taking 98%
// of the references; the other 2% land anywhere in 8 MiB, i.e. a fault
// every ~50 references, a harsh but not absurd rate.
// - loop: a sequential sweep over 100 pages, 50 times;
// - uniform: no locality at all, 50,000 references over 512 pages;
// - hot-cold: 200,000 references, 98% to 48 hot pages, 2% over 2,048 cold
//   pages;
// - phases: 10 phases of 20,000 references; 98% inside a 48-page working set
//   that moves by 24 pages a phase (half of it changes), 2% over 2,048 pages;
// - loop+1: a loop one page larger than the budget, 20 times;
// - zipf: 200,000 references over 1,024 pages, Zipf's law (exponent 1);
// - loop-1.5x: a loop over 1.5 times the budget, 20 times;
// - scan+hot: 50 cycles of 2,000 references over a hot set half the budget
//   and a scan of a table as large as the budget (the same table each time).
const TraceSpec standard_traces[] = {
    {.name = "loop", .kind = TraceKind::sequential_loop, .pages = 100, .repeats = 50, .length = 0, .hot_pages = 0,
     .cold_pages = 0, .hot_percent = 0, .phases = {}, .extra = 0, .seed = 0},
    {.name = "uniform", .kind = TraceKind::uniform_random, .pages = 512, .repeats = 0, .length = 50000,
     .hot_pages = 0, .cold_pages = 0, .hot_percent = 0, .phases = {}, .extra = 0, .seed = 11},
    {.name = "hot-cold", .kind = TraceKind::hot_cold, .pages = 0, .repeats = 0, .length = 200000, .hot_pages = 48,
     .cold_pages = 2048, .hot_percent = 98, .phases = {}, .extra = 0, .seed = 12},
    {.name = "phases", .kind = TraceKind::working_set_phases, .pages = 0, .repeats = 0, .length = 0,
     .hot_pages = 0, .cold_pages = 0, .hot_percent = 0,
     .phases = {.phases = 10, .phase_length = 20000, .working_set = 48, .shift = 24, .total_pages = 2048,
                .locality_percent = 98},
     .extra = 0, .seed = 13},
    {.name = "loop+1", .kind = TraceKind::loop_slightly_larger, .pages = 0, .repeats = 20, .length = 0,
     .hot_pages = 0, .cold_pages = 0, .hot_percent = 0, .phases = {}, .extra = 1, .seed = 0},
    {.name = "zipf", .kind = TraceKind::zipf, .pages = 1024, .repeats = 0, .length = 200000, .hot_pages = 0,
     .cold_pages = 0, .hot_percent = 0, .phases = {}, .extra = 0, .seed = 21},
    {.name = "loop-1.5x", .kind = TraceKind::loop_times_memory, .pages = 0, .repeats = 20, .length = 0,
     .hot_pages = 0, .cold_pages = 0, .hot_percent = 0, .phases = {}, .extra = 0, .seed = 0, .percent = 150},
    {.name = "scan+hot", .kind = TraceKind::hot_with_scans, .pages = 0, .repeats = 50, .length = 0, .hot_pages = 0,
     .cold_pages = 0, .hot_percent = 50, .phases = {}, .extra = 0, .seed = 22, .percent = 100, .hot_run = 2000},
};

const size_t standard_trace_count = sizeof standard_traces / sizeof standard_traces[0];

const TraceSpec* find_standard_trace(const char* name) {
    if (!name) return nullptr;
    for (size_t i = 0; i < standard_trace_count; ++i)
        if (equal(name, standard_traces[i].name)) return &standard_traces[i];
    return nullptr;
}

}  // namespace pager
