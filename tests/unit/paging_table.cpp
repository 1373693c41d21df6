// Fault counts of every replacement policy on the standard traces
// (servers/pager/simulate.cpp) for a list of frame budgets.
//
//   paging_table                 Markdown, one table per trace (docs/paging.md)
//   paging_table --csv           CSV: trace,frames,policy,faults (tools/plot_faults.py)
//   paging_table --frames 8,16   other budgets (default 8,16,32,48,64,80,96,128)
#include "simulate.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using namespace pager;

std::string describe(const TraceSpec& t) {
    char buf[256];
    switch (t.kind) {
    case TraceKind::sequential_loop:
        std::snprintf(buf, sizeof buf, "sequential loop over %u pages, %u times", t.pages, t.repeats);
        break;
    case TraceKind::uniform_random:
        std::snprintf(buf, sizeof buf, "%zu references uniformly over %u pages", t.length, t.pages);
        break;
    case TraceKind::hot_cold:
        std::snprintf(buf, sizeof buf, "%zu references, %u%% to %u hot pages, the rest over %u cold pages",
                      t.length, t.hot_percent, t.hot_pages, t.cold_pages);
        break;
    case TraceKind::working_set_phases:
        std::snprintf(buf, sizeof buf,
                      "%u phases of %u references; %u%% in a %u-page working set moving %u pages a phase, "
                      "the rest over %u pages",
                      t.phases.phases, t.phases.phase_length, t.phases.locality_percent, t.phases.working_set,
                      t.phases.shift, t.phases.total_pages);
        break;
    case TraceKind::loop_slightly_larger:
        std::snprintf(buf, sizeof buf, "loop over frames + %u pages, %u times", t.extra, t.repeats);
        break;
    case TraceKind::zipf:
        std::snprintf(buf, sizeof buf, "%zu references over %u pages, Zipf's law (page i weighs 1/(i+1))", t.length,
                      t.pages);
        break;
    case TraceKind::loop_times_memory:
        std::snprintf(buf, sizeof buf, "loop over %u.%02u times the frames, %u times", t.percent / 100,
                      t.percent % 100, t.repeats);
        break;
    case TraceKind::hot_with_scans:
        std::snprintf(buf, sizeof buf,
                      "%u cycles: %u references over a hot set of %u%% of the frames, then a scan of the same "
                      "table of %u%% of the frames",
                      t.repeats, t.hot_run, t.hot_percent, t.percent);
        break;
    }
    return buf;
}

bool parse_frames(const char* text, std::vector<size_t>& out) {
    out.clear();
    while (*text) {
        char* end;
        unsigned long v = std::strtoul(text, &end, 10);
        if (end == text || v == 0 || v > sim_max_frames) return false;
        out.push_back(v);
        text = *end == ',' ? end + 1 : end;
        if (*end && *end != ',') return false;
    }
    return !out.empty();
}

}  // namespace

int main(int argc, char** argv) {
    bool csv = false;
    std::vector<size_t> budgets = {8, 16, 32, 48, 64, 80, 96, 128};
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--csv")) {
            csv = true;
        } else if (!std::strcmp(argv[i], "--frames") && i + 1 < argc && parse_frames(argv[i + 1], budgets)) {
            ++i;
        } else {
            std::fprintf(stderr, "usage: %s [--csv] [--frames N,N,...]\n", argv[0]);
            return 2;
        }
    }

    if (csv) std::printf("trace,frames,policy,faults\n");
    for (size_t t = 0; t < standard_trace_count; ++t) {
        const TraceSpec& spec = standard_traces[t];
        if (!csv) {
            std::printf("%s**%s**: %s.\n\n| frames | references |", t ? "\n" : "", spec.name, describe(spec).c_str());
            for (SimPolicy p : sim_policies) std::printf(" %s |", sim_policy_name(p));
            std::printf("\n| ---: | ---: |");
            for (size_t k = 0; k < std::size(sim_policies); ++k) std::printf(" ---: |");
            std::printf("\n");
        }
        for (size_t frames : budgets) {
            std::vector<uint32_t> trace = generate(spec, frames);
            if (!csv) std::printf("| %zu | %zu |", frames, trace.size());
            for (SimPolicy p : sim_policies) {
                uint64_t faults = simulate(trace, frames, p);
                if (faults == sim_error) {
                    std::fprintf(stderr, "%s: simulation limits exceeded\n", spec.name);
                    return 1;
                }
                if (csv)
                    std::printf("%s,%zu,%s,%llu\n", spec.name, frames, sim_policy_name(p),
                                static_cast<unsigned long long>(faults));
                else
                    std::printf(" %llu |", static_cast<unsigned long long>(faults));
            }
            if (!csv) std::printf("\n");
        }
    }
    return 0;
}
