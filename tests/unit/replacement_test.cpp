// Host unit tests for the pager's page replacement (servers/pager/replacement.cpp)
// and the trace simulator built on it (servers/pager/simulate.cpp).
#include "replacement.hpp"
#include "simulate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

namespace {

using pager::Policy;
using pager::Replacement;
using pager::SimPolicy;
using Trace = std::vector<uint32_t>;

// ---- Replacement on its own ---------------------------------------------

// Accessed bits as the pager would read them from the page tables.
struct Bits {
    std::vector<bool> referenced;
    std::vector<size_t> asked;  // frames referenced() was called for, in order
};

bool read_bits(void* context, size_t frame) {
    auto* bits = static_cast<Bits*>(context);
    bits->asked.push_back(frame);
    bool was = bits->referenced.at(frame);
    bits->referenced[frame] = false;
    return was;
}

bool always_referenced(void*, size_t) { return true; }

struct Fixture {
    explicit Fixture(Policy policy, size_t frames = 4, uint64_t seed = 1)
        : storage(frames), history(std::make_unique<Replacement::History>()) {
        r.init(policy, storage.data(), frames, seed, history.get());
        for (size_t f = 0; f < frames; ++f) r.loaded(f);
    }
    // Evicts and reloads the victim, as the pager does on a fault.
    size_t evict(pager::ReferencedFn fn = nullptr, void* context = nullptr) {
        size_t v = r.choose_victim(fn, context);
        if (v != Replacement::none) r.loaded(v);
        return v;
    }
    std::vector<Replacement::FrameState> storage;
    std::unique_ptr<Replacement::History> history;
    Replacement r;
};

TEST(Replacement, PolicyNamesRoundTrip) {
    for (Policy p : {Policy::fifo, Policy::random, Policy::clock, Policy::lru, Policy::clockpro}) {
        Policy parsed = p == Policy::fifo ? Policy::lru : Policy::fifo;
        ASSERT_TRUE(pager::parse_policy(pager::policy_name(p), parsed)) << pager::policy_name(p);
        EXPECT_EQ(parsed, p);
    }
    EXPECT_STREQ(pager::policy_name(Policy::clock), "clock");
    Policy untouched = Policy::random;
    EXPECT_STREQ(pager::policy_name(Policy::clockpro), "clockpro");
    for (const char* bad : {"", "LRU", "fif", "fifoo", "opt", "clock-pro", "clockpr"}) EXPECT_FALSE(pager::parse_policy(bad, untouched)) << bad;
    EXPECT_FALSE(pager::parse_policy(nullptr, untouched));
    EXPECT_EQ(untouched, Policy::random);
}

TEST(Replacement, FifoEvictsInLoadOrderAndIgnoresAccesses) {
    Fixture fx(Policy::fifo);
    for (size_t f : {3, 2, 1, 0}) fx.r.accessed(f);  // a FIFO does not care
    // Each reloaded victim becomes the newest, so the order cycles 0,1,2,3,0.
    for (size_t expected : {0, 1, 2, 3, 0, 1}) EXPECT_EQ(fx.evict(), expected);
}

TEST(Replacement, FifoReloadAfterFreeIsNewest) {
    Fixture fx(Policy::fifo);
    fx.r.freed(1);
    fx.r.loaded(1);  // the caller refilled the hole: now the newest frame
    for (size_t expected : {0, 2, 3, 1}) EXPECT_EQ(fx.evict(), expected);
}

TEST(Replacement, LruEvictsLeastRecentlyUsed) {
    Fixture fx(Policy::lru);
    fx.r.accessed(0);
    fx.r.accessed(2);
    EXPECT_EQ(fx.evict(), 1u);  // order of last use: 1, 3, 0, 2 (1 now reloaded)
    EXPECT_EQ(fx.evict(), 3u);
    fx.r.accessed(0);
    EXPECT_EQ(fx.evict(), 2u);  // 2, 1, 3, 0
    EXPECT_EQ(fx.evict(), 1u);
}

TEST(Replacement, ClockReferencedFrameSurvivesOneSweep) {
    Fixture fx(Policy::clock);
    Bits bits{{true, false, true, false}, {}};
    // Frame 0 gets its second chance (bit cleared by the call), 1 is taken.
    EXPECT_EQ(fx.r.choose_victim(read_bits, &bits), 1u);
    EXPECT_EQ(bits.asked, (std::vector<size_t>{0, 1}));
    EXPECT_FALSE(bits.referenced[0]);
    EXPECT_EQ(fx.r.hand(), 2u);  // the hand moved past the victim
    // From 2: 2 is referenced (second chance), 3 is not.
    bits.asked.clear();
    EXPECT_EQ(fx.r.choose_victim(read_bits, &bits), 3u);
    EXPECT_EQ(bits.asked, (std::vector<size_t>{2, 3}));
    // Frame 0 used its chance and was not touched since: it goes now.
    EXPECT_EQ(fx.r.choose_victim(read_bits, &bits), 0u);
}

TEST(Replacement, ClockAllReferencedTakesTheFrameUnderTheHand) {
    Fixture fx(Policy::clock);
    Bits bits{{true, true, true, true}, {}};
    // A full revolution clears every bit, then the hand's first frame goes.
    EXPECT_EQ(fx.r.choose_victim(read_bits, &bits), 0u);
    EXPECT_EQ(bits.asked, (std::vector<size_t>{0, 1, 2, 3, 0}));
    EXPECT_EQ(bits.referenced, (std::vector<bool>{false, false, false, false}));
    EXPECT_EQ(fx.r.hand(), 1u);
}

TEST(Replacement, ClockWithoutBitsSweepsInOrder) {
    Fixture fx(Policy::clock);
    for (size_t expected : {0, 1, 2, 3, 0}) EXPECT_EQ(fx.evict(), expected);
}

TEST(Replacement, ClockTerminatesWhenPagesAreTouchedDuringTheSweep) {
    Fixture fx(Policy::clock);
    size_t v = fx.r.choose_victim(always_referenced, nullptr);
    EXPECT_EQ(v, 0u);  // the first frame the hand met
    EXPECT_EQ(fx.r.hand(), 1u);
}

TEST(Replacement, RandomIsDeterministicAndCoversAllFrames) {
    Fixture a(Policy::random, 8, 42), b(Policy::random, 8, 42), c(Policy::random, 8, 43);
    std::set<size_t> seen;
    bool differs = false;
    for (int i = 0; i < 200; ++i) {
        size_t va = a.evict(), vb = b.evict(), vc = c.evict();
        EXPECT_EQ(va, vb);
        differs |= va != vc;
        seen.insert(va);
    }
    EXPECT_EQ(seen.size(), 8u);
    EXPECT_TRUE(differs);
    Fixture zero(Policy::random, 8, 0);  // seed 0 must not stall xorshift
    std::set<size_t> seen_zero;
    for (int i = 0; i < 200; ++i) seen_zero.insert(zero.evict());
    EXPECT_EQ(seen_zero.size(), 8u);
}

TEST(Replacement, FreedFramesAreNeverChosen) {
    for (Policy p : {Policy::fifo, Policy::random, Policy::clock, Policy::lru, Policy::clockpro}) {
        Fixture fx(p, 6, 7);
        fx.r.freed(0);  // the oldest for FIFO/LRU, under the hand for CLOCK
        fx.r.freed(3);
        EXPECT_FALSE(fx.r.used(0));
        Bits bits{std::vector<bool>(6, false), {}};
        for (int i = 0; i < 50; ++i) {
            size_t v = fx.r.choose_victim(read_bits, &bits);
            EXPECT_NE(v, 0u) << pager::policy_name(p);
            EXPECT_NE(v, 3u) << pager::policy_name(p);
            ASSERT_LT(v, 6u);
            fx.r.loaded(v);
        }
        for (size_t f : bits.asked) EXPECT_TRUE(f != 0 && f != 3) << "referenced() asked about an empty frame";
        for (size_t f = 0; f < 6; ++f) fx.r.freed(f);
        EXPECT_EQ(fx.r.choose_victim(read_bits, &bits), Replacement::none) << pager::policy_name(p);
    }
}

// The pager's take_frame: a victim whose page cannot be saved (the store
// is full) stays resident and is handed back with loaded(). No frame may be
// lost by that: afterwards every used frame is still chosen in turn, and
// the policy's counts stay whole.
TEST(Replacement, AVictimPutBackIsChosenAgainLater) {
    for (Policy p : {Policy::fifo, Policy::random, Policy::clock, Policy::lru, Policy::clockpro}) {
        constexpr size_t frames = 8;
        Fixture fx(p, frames, 11);
        for (size_t f = 0; f < frames; ++f) fx.r.loaded(f, uint32_t(100 + f));
        Bits bits{std::vector<bool>(frames, false), {}};
        for (int round = 0; round < 5; ++round) {
            size_t v = fx.r.choose_victim(read_bits, &bits);
            ASSERT_LT(v, frames) << pager::policy_name(p);
            fx.r.loaded(v, uint32_t(100 + v));  // put back: it could not be evicted
        }
        // Now empty the budget the normal way: each frame chosen once.
        std::vector<bool> chosen(frames, false);
        for (size_t i = 0; i < frames; ++i) {
            size_t v = fx.r.choose_victim(read_bits, &bits);
            ASSERT_LT(v, frames) << pager::policy_name(p) << ": a used frame was lost after " << i;
            EXPECT_FALSE(chosen[v]) << pager::policy_name(p);
            chosen[v] = true;
            fx.r.freed(v);
        }
        EXPECT_EQ(fx.r.choose_victim(read_bits, &bits), Replacement::none) << pager::policy_name(p);
    }
}

TEST(Replacement, InitEmptiesEveryFrameAndZeroCapacityHasNoVictim) {
    std::vector<Replacement::FrameState> storage(3, Replacement::FrameState{99, true});
    Replacement r;
    r.init(Policy::lru, storage.data(), 3, 1);
    EXPECT_EQ(r.policy(), Policy::lru);
    for (size_t f = 0; f < 3; ++f) EXPECT_FALSE(r.used(f));
    EXPECT_EQ(r.choose_victim(nullptr, nullptr), Replacement::none);
    r.loaded(2);
    EXPECT_EQ(r.choose_victim(nullptr, nullptr), 2u);
    r.loaded(7);  // out of range: ignored
    EXPECT_FALSE(r.used(7));

    Replacement empty;
    for (Policy p : {Policy::fifo, Policy::random, Policy::clock, Policy::lru, Policy::clockpro}) {
        empty.init(p, nullptr, 0, 1);
        EXPECT_EQ(empty.choose_victim(always_referenced, nullptr), Replacement::none);
    }
}

// ---- CLOCK-Pro on its own -------------------------------------------------

TEST(ClockPro, WithoutHistoryItRunsAsClock) {
    std::vector<Replacement::FrameState> storage(4);
    Replacement r;
    r.init(Policy::clockpro, storage.data(), 4, 1);
    EXPECT_EQ(r.policy(), Policy::clock);
    auto history = std::make_unique<Replacement::History>();
    std::vector<Replacement::FrameState> big(pager::max_policy_frames + 1);
    r.init(Policy::clockpro, big.data(), big.size(), 1, history.get());
    EXPECT_EQ(r.policy(), Policy::clock);
    r.init(Policy::clockpro, storage.data(), 4, 1, history.get());
    EXPECT_EQ(r.policy(), Policy::clockpro);
}

// Fills 100 frames with keys 0..99: the first 95 (m - m_c, m_c = 5% = 5)
// are hot, the last five cold.
struct ProFixture {
    static constexpr size_t frames = 100;
    ProFixture() : storage(frames), history(std::make_unique<Replacement::History>()), bits{std::vector<bool>(frames), {}} {
        r.init(Policy::clockpro, storage.data(), frames, 1, history.get());
        for (size_t f = 0; f < frames; ++f) load(f, uint32_t(f));
    }
    void load(size_t f, uint32_t key) {
        r.loaded(f, key);
        bits.referenced[f] = true;  // the faulting access
        page[f] = key;
    }
    // A fault on `key`: evict the victim and load key in its place.
    size_t fault(uint32_t key) {
        size_t v = r.choose_victim(read_bits, &bits);
        EXPECT_LT(v, frames);
        if (v < frames) load(v, key);
        return v;
    }
    std::vector<Replacement::FrameState> storage;
    std::unique_ptr<Replacement::History> history;
    Bits bits;
    uint32_t page[frames] = {};
    Replacement r;
};

TEST(ClockPro, FillsHotFirstThenColdAndEvictsCold) {
    ProFixture fx;
    EXPECT_EQ(fx.r.cold_target(), 5u);
    EXPECT_EQ(fx.r.hot_pages(), 95u);
    EXPECT_EQ(fx.r.cold_pages(), 5u);
    for (size_t f = 95; f < 100; ++f) EXPECT_FALSE(fx.r.is_hot(f));
    // A scan of new pages: each one replaces a cold page, and no hot page
    // is touched.
    for (uint32_t key = 1000; key < 1300; ++key) {
        size_t v = fx.fault(key);
        EXPECT_GE(v, 95u) << key;
    }
    for (size_t f = 0; f < 95; ++f) EXPECT_TRUE(fx.r.is_hot(f));
    EXPECT_EQ(fx.r.hot_pages(), 95u);
    // The scanned pages evicted in their test period are remembered (up to
    // one ghost per frame); the five last scanned are resident.
    EXPECT_EQ(fx.r.ghost_pages(), 100u);
    EXPECT_TRUE(fx.r.is_ghost(1294));
    for (uint32_t key = 1295; key < 1300; ++key) EXPECT_FALSE(fx.r.is_ghost(key));  // resident
    EXPECT_FALSE(fx.r.is_ghost(1000));  // the oldest ghosts made room
}

// A caller that takes a cluster of frames (fault-around: up to 32) chooses
// every victim before it loads any page. The frames so emptied are not an
// empty budget: the cluster's pages come in cold, and the hot pages the
// budget was filled with stay hot (they used to be replaced, one cluster
// after another, by the newest pages). Frames emptied for good (freed)
// are still filled hot.
TEST(ClockPro, AClustersFramesAreNotAnEmptyBudget) {
    ProFixture fx;
    std::set<uint32_t> first_hot;
    for (size_t f = 0; f < ProFixture::frames; ++f)
        if (fx.r.is_hot(f)) first_hot.insert(fx.page[f]);
    ASSERT_EQ(first_hot.size(), 95u);
    uint32_t key = 1000;
    for (int cluster = 0; cluster < 20; ++cluster) {
        size_t victims[20];
        for (size_t& v : victims) {
            v = fx.r.choose_victim(read_bits, &fx.bits);
            ASSERT_LT(v, ProFixture::frames);
        }
        for (size_t v : victims) {
            fx.load(v, key++);
            EXPECT_FALSE(fx.r.is_hot(v)) << "a page loaded into a victim's frame is cold";
        }
        // The task touches the cluster's pages once, before its next fault.
        for (size_t v : victims) fx.bits.referenced[v] = true;
    }
    // The first cluster found 5 cold pages and demoted 15 hot ones; after
    // that each cluster evicts the previous one. 80 of the first hot pages
    // are still resident and hot.
    size_t kept = 0;
    for (size_t f = 0; f < ProFixture::frames; ++f) kept += fx.r.is_hot(f) && first_hot.count(fx.page[f]);
    EXPECT_EQ(kept, 80u);
    EXPECT_EQ(fx.r.hot_pages() + fx.r.cold_pages(), ProFixture::frames);
    // Emptied for good, then loaded: the budget is filled hot again.
    size_t f = 0;
    while (!fx.r.is_hot(f)) ++f;
    fx.r.freed(f);
    fx.load(f, 5000);
    EXPECT_TRUE(fx.r.is_hot(f));
}

// The faulting access sets a new page's bit; the next fault reads (clears)
// it, so a reuse after that is seen at the cold hand's first look and
// makes the page hot, while the load's access alone never does.
TEST(ClockPro, AReuseAfterTheLoadIsSeenAtTheColdHandsFirstLook) {
    for (bool reused : {false, true}) {
        ProFixture fx;
        size_t v = fx.fault(1000);  // cold, in its test period; bit set by the load
        bool evicted = false;
        for (uint32_t key = 1001; key < 1020 && !evicted && !fx.r.is_hot(v); ++key) {
            size_t before = fx.bits.asked.size();
            size_t w = fx.fault(key);
            if (key == 1001) {
                ASSERT_GT(fx.bits.asked.size(), before);
                EXPECT_EQ(fx.bits.asked[before], v) << "the new page's bit is read first";
            }
            evicted = w == v;
            if (reused && key == 1001) {
                ASSERT_FALSE(evicted);
                fx.bits.referenced[v] = true;  // 1000 used again
            }
        }
        if (reused) {
            EXPECT_TRUE(fx.r.is_hot(v)) << "reused once after its load: hot at the first look";
        } else {
            EXPECT_TRUE(evicted) << "never reused: evicted, its load's access does not count";
            EXPECT_TRUE(fx.r.is_ghost(1000));
        }
    }
}

TEST(ClockPro, AFaultOnAGhostMakesItHotAndDemotesAnUnreferencedHotPage) {
    ProFixture fx;
    size_t gone = fx.fault(1000);  // a cold page (frames 95..99) goes, as a ghost
    ASSERT_GE(gone, 95u);
    auto key = uint32_t(gone);  // the fixture loaded key f into frame f
    EXPECT_TRUE(fx.r.is_ghost(key));
    size_t target_before = fx.r.cold_target();
    // Every hot page but page 5 was used again; the evicted page comes back.
    for (size_t f = 0; f < ProFixture::frames; ++f) fx.bits.referenced[f] = f < 95 && f != 5;
    size_t v = fx.fault(key);
    EXPECT_EQ(fx.page[v], key);
    EXPECT_TRUE(fx.r.is_hot(v)) << "a ghost faulted on is hot at once";
    EXPECT_FALSE(fx.r.is_ghost(key));
    EXPECT_EQ(fx.r.cold_target(), target_before + 1) << "a ghost hit grows the cold allocation";
    EXPECT_EQ(fx.r.hot_pages(), 96u);  // one too many until the next fault reads bits
    // The next fault settles the hot count (at most m - m_c): the hot page
    // not used since (frame 5) is demoted first. (HAND_hot also ends the
    // test periods it passes, which shrinks m_c again.)
    v = fx.fault(2000);
    EXPECT_FALSE(fx.r.is_hot(5));
    EXPECT_LT(fx.r.hot_pages(), 96u);
    EXPECT_LE(fx.r.hot_pages() + fx.r.cold_target(), ProFixture::frames);
    EXPECT_EQ(fx.page[v], 2000u);
}

TEST(ClockPro, FreedFramesLeaveNoGhostAndCountsStayConsistent) {
    ProFixture fx;
    fx.r.freed(99);
    fx.r.freed(3);
    EXPECT_EQ(fx.r.hot_pages() + fx.r.cold_pages(), 98u);
    EXPECT_FALSE(fx.r.is_ghost(99));
    fx.load(3, 500);
    fx.load(99, 501);
    EXPECT_EQ(fx.r.hot_pages() + fx.r.cold_pages(), 100u);
    // Reloading a frame without freed() forgets the old page.
    fx.load(7, 502);
    EXPECT_EQ(fx.r.hot_pages() + fx.r.cold_pages(), 100u);
    // Random use and faults (only on pages not resident, as in the pager).
    std::vector<int> frame_of(400, -1);
    for (size_t f = 0; f < ProFixture::frames; ++f)
        if (fx.page[f] < 400) frame_of[fx.page[f]] = int(f);
    pager::Xorshift64 stream;
    for (int i = 0; i < 5000; ++i) {
        for (size_t f = 0; f < ProFixture::frames; ++f) fx.bits.referenced[f] = stream.next() % 3 == 0;
        auto key = uint32_t(stream.next() % 400);
        if (frame_of[key] >= 0) continue;
        size_t v = fx.r.choose_victim(read_bits, &fx.bits);
        ASSERT_LT(v, ProFixture::frames);
        if (fx.page[v] < 400) frame_of[fx.page[v]] = -1;
        fx.load(v, key);
        frame_of[key] = int(v);
        ASSERT_EQ(fx.r.hot_pages() + fx.r.cold_pages(), 100u);
        ASSERT_LE(fx.r.ghost_pages(), ProFixture::frames);
    }
}

// ---- The simulator ------------------------------------------------------

uint64_t faults(const Trace& t, size_t frames, SimPolicy p) { return pager::simulate(t, frames, p); }

const Trace classic = {7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1};
const Trace belady = {1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5};

TEST(Simulate, ClassicReferenceString) {
    EXPECT_EQ(faults(classic, 3, SimPolicy::fifo), 15u);
    EXPECT_EQ(faults(classic, 3, SimPolicy::lru), 12u);
    EXPECT_EQ(faults(classic, 3, SimPolicy::opt), 9u);
    // Second chance lands between FIFO and OPT on this string (14 by hand).
    EXPECT_EQ(faults(classic, 3, SimPolicy::clock), 14u);
}

TEST(Simulate, BeladysAnomalyForFifoOnly) {
    EXPECT_EQ(faults(belady, 3, SimPolicy::fifo), 9u);
    EXPECT_EQ(faults(belady, 4, SimPolicy::fifo), 10u);  // more frames, more faults
    EXPECT_EQ(faults(belady, 3, SimPolicy::lru), 10u);
    EXPECT_EQ(faults(belady, 4, SimPolicy::lru), 8u);
    EXPECT_EQ(faults(belady, 3, SimPolicy::opt), 7u);
    EXPECT_EQ(faults(belady, 4, SimPolicy::opt), 6u);
}

TEST(Simulate, EdgeCases) {
    EXPECT_EQ(faults({}, 4, SimPolicy::lru), 0u);
    EXPECT_EQ(faults({5, 5, 5}, 1, SimPolicy::clock), 1u);
    EXPECT_EQ(faults({1, 2, 1, 2}, 1, SimPolicy::opt), 4u);
    EXPECT_EQ(faults({1, 2}, 0, SimPolicy::fifo), pager::sim_error);
    EXPECT_EQ(faults({1, 2}, pager::sim_max_frames + 1, SimPolicy::fifo), pager::sim_error);
    EXPECT_EQ(faults({static_cast<uint32_t>(pager::sim_max_pages)}, 4, SimPolicy::fifo), pager::sim_error);
    for (SimPolicy p : pager::sim_policies) {
        SimPolicy parsed = SimPolicy::opt;
        ASSERT_TRUE(pager::parse_sim_policy(pager::sim_policy_name(p), parsed));
        EXPECT_EQ(parsed, p);
    }
}

TEST(Simulate, OnlyFirstTouchesFaultWhenEverythingFits) {
    const pager::TraceSpec* spec = pager::find_standard_trace("uniform");
    ASSERT_NE(spec, nullptr);
    Trace t = pager::generate(*spec, 0);
    std::set<uint32_t> distinct(t.begin(), t.end());
    ASSERT_LE(distinct.size(), pager::sim_max_frames);
    for (SimPolicy p : pager::sim_policies) EXPECT_EQ(faults(t, pager::sim_max_frames, p), distinct.size());
}

// Small random strings (few pages, so frames matter) plus the standard set.
std::vector<Trace> small_traces() {
    std::vector<Trace> out{classic, belady};
    for (uint64_t seed = 1; seed <= 40; ++seed) {
        Trace t(60 + seed * 5);
        t.resize(pager::uniform_random(t.data(), t.size(), 3 + seed % 9, t.size(), seed));
        out.push_back(t);
        t.assign(300, 0);
        t.resize(pager::hot_cold(t.data(), t.size(), 3, 12, 80, t.size(), seed));
        out.push_back(t);
    }
    return out;
}

TEST(Simulate, OptIsNeverBeaten) {
    for (const Trace& t : small_traces())
        for (size_t frames = 1; frames <= 10; ++frames)
            for (SimPolicy p : pager::sim_policies)
                EXPECT_LE(faults(t, frames, SimPolicy::opt), faults(t, frames, p))
                    << pager::sim_policy_name(p) << " with " << frames << " frames on a trace of " << t.size();
    for (size_t i = 0; i < pager::standard_trace_count; ++i)
        for (size_t frames : {8, 16, 32, 48, 64, 80, 96, 128}) {
            Trace t = pager::generate(pager::standard_traces[i], frames);
            uint64_t opt = faults(t, frames, SimPolicy::opt);
            for (SimPolicy p : pager::sim_policies)
                EXPECT_LE(opt, faults(t, frames, p))
                    << pager::sim_policy_name(p) << " on " << pager::standard_traces[i].name << " with " << frames;
        }
}

// LRU and OPT are stack algorithms: the pages resident with n frames are
// always a subset of those with n + 1, so faults cannot grow with frames.
TEST(Simulate, NoBeladyAnomalyForLruAndOpt) {
    std::vector<Trace> traces = small_traces();
    for (const char* name : {"uniform", "hot-cold", "phases", "loop"})
        traces.push_back(pager::generate(*pager::find_standard_trace(name), 0));
    for (const Trace& t : traces)
        for (SimPolicy p : {SimPolicy::lru, SimPolicy::opt}) {
            uint64_t previous = faults(t, 1, p);
            for (size_t frames = 2; frames <= 40; ++frames) {
                uint64_t now = faults(t, frames, p);
                EXPECT_LE(now, previous) << pager::sim_policy_name(p) << " at " << frames << " frames";
                previous = now;
            }
        }
}

TEST(Simulate, LoopOneLargerThanMemoryDefeatsFifoAndLru) {
    for (size_t frames : {8, 32, 100}) {
        Trace t(pager::sim_max_length);
        t.resize(pager::loop_slightly_larger(t.data(), t.size(), frames, 1, 10));
        EXPECT_EQ(t.size(), (frames + 1) * 10);
        EXPECT_EQ(faults(t, frames, SimPolicy::fifo), t.size());
        EXPECT_EQ(faults(t, frames, SimPolicy::lru), t.size());
        EXPECT_EQ(faults(t, frames, SimPolicy::clock), t.size());  // all bits set: CLOCK degenerates to FIFO
        EXPECT_LT(faults(t, frames, SimPolicy::random), t.size() / 2);
        EXPECT_LT(faults(t, frames, SimPolicy::opt), t.size() / 4);
    }
}

TEST(Simulate, GeneratorsAreDeterministicAndInRange) {
    for (size_t i = 0; i < pager::standard_trace_count; ++i) {
        const pager::TraceSpec& spec = pager::standard_traces[i];
        Trace a = pager::generate(spec, 32), b = pager::generate(spec, 32);
        EXPECT_EQ(a, b) << spec.name;
        EXPECT_FALSE(a.empty()) << spec.name;
        for (uint32_t page : a) ASSERT_LT(page, pager::sim_max_pages) << spec.name;
    }
    // hot_cold: about hot_percent of the references hit the hot set.
    Trace t(100000);
    t.resize(pager::hot_cold(t.data(), t.size(), 10, 1000, 90, t.size(), 5));
    size_t hot = 0;
    for (uint32_t page : t) hot += page < 10;
    EXPECT_NEAR(static_cast<double>(hot) / t.size(), 0.90, 0.01);
    // Capacity bounds the output.
    uint32_t small[5];
    EXPECT_EQ(pager::sequential_loop(small, 5, 4, 3), 5u);
}

// The claim of docs/paging.md: with locality, CLOCK (the LRU approximation
// the pager runs on hardware accessed bits) cuts faults by at least 37%
// against FIFO and stays within 15% of exact LRU.
//
// The traces (simulate.cpp, standard_traces):
//   hot-cold: 200,000 references, 98% uniformly over a 48-page hot set, 2%
//             uniformly over 2,048 cold pages;
//   phases:   10 phases x 20,000 references, 98% uniformly inside a 48-page
//             working set that moves by 24 pages each phase, 2% uniformly
//             over 2,048 pages.
// The budgets 64, 80 and 96 frames are 1.33x to 2x the hot set: it fits, with
// room to spare but not plenty, the case an eviction policy is for. (With 48
// frames the hot set barely fits and CLOCK's single bit of history costs it
// about 22% against LRU; with 128 frames FIFO too keeps most of the hot set
// and is only ~35% behind. docs/paging.md shows both.)
TEST(Simulate, ClockApproximatesLruAndBeatsFifoWithLocality) {
    constexpr double min_reduction_vs_fifo = 0.37;
    constexpr double max_excess_over_lru = 0.15;
    for (const char* name : {"hot-cold", "phases"}) {
        const pager::TraceSpec* spec = pager::find_standard_trace(name);
        ASSERT_NE(spec, nullptr);
        for (size_t frames : {64, 80, 96}) {
            Trace t = pager::generate(*spec, frames);
            double fifo = faults(t, frames, SimPolicy::fifo);
            double clock = faults(t, frames, SimPolicy::clock);
            double lru = faults(t, frames, SimPolicy::lru);
            double reduction = 1 - clock / fifo, excess = clock / lru - 1;
            std::printf("  %-8s %3zu frames: fifo %6.0f clock %6.0f lru %6.0f  clock %.1f%% fewer than fifo, "
                        "%.1f%% more than lru\n",
                        name, frames, fifo, clock, lru, 100 * reduction, 100 * excess);
            EXPECT_GE(reduction, min_reduction_vs_fifo) << name << " at " << frames << " frames";
            EXPECT_LE(excess, max_excess_over_lru) << name << " at " << frames << " frames";
        }
    }
}

// ---- CLOCK-Pro against exact LRU (issue 13) -------------------------------
//
// CLOCK-Pro sees what the pager sees: its own faults and evictions, the
// accessed bits (read and cleared through the callback), and the keys of
// the pages it evicted. The simulator reports every hit to accessed(),
// which only exact LRU uses. OPT is printed for reference.

struct Figures {
    double clock, lru, pro, opt;
};

// with_opt = false leaves OPT out (printed as 0): the locality sweep runs
// hundreds of simulations and compares with LRU only.
Figures measure(const Trace& t, size_t frames, const char* family, const char* name, bool with_opt = true) {
    Figures f{double(faults(t, frames, SimPolicy::clock)), double(faults(t, frames, SimPolicy::lru)),
              double(faults(t, frames, SimPolicy::clockpro)), with_opt ? double(faults(t, frames, SimPolicy::opt)) : 0};
    std::printf("  %-9s %-22s %4zu frames: clock %7.0f lru %7.0f clockpro %7.0f opt %7.0f  clockpro vs lru %+6.1f%%\n",
                family, name, frames, f.clock, f.lru, f.pro, f.opt, 100 * (f.pro / f.lru - 1));
    return f;
}

// Locality (hot set with a cold background, Zipf, moving working sets): at
// most 5% more faults than exact LRU at every budget from the hot set
// (1.0x, 48 frames) to 2x of it, on the standard traces and on the same
// families drawn with two more seeds. At 48 to 56 frames CLOCK is 23-50%
// behind LRU; CLOCK-Pro is ahead of LRU there. Measured worst: +4.8%
// (phases, seed 5, at 60 frames; the standard phases trace was +5.9%
// there before the next fault took the load's own access off a new page's
// bit and the minimum cold allocation went from 1% to 5%).
TEST(ClockPro, WithinFivePercentOfLruWithLocality) {
    constexpr double max_excess = 0.05;
    double worst = 0;
    for (const char* name : {"hot-cold", "phases", "zipf"}) {
        pager::TraceSpec spec = *pager::find_standard_trace(name);
        for (uint64_t seed : {spec.seed, uint64_t{5}, uint64_t{77}}) {
            spec.seed = seed;
            Trace t = pager::generate(spec, 0);
            char label[32];
            std::snprintf(label, sizeof label, "%s/seed %llu", name, static_cast<unsigned long long>(seed));
            for (size_t frames : {48, 50, 52, 56, 60, 62, 64, 68, 72, 80, 88, 96}) {
                Figures f = measure(t, frames, "locality", label, false);
                worst = std::max(worst, f.pro / f.lru - 1);
                EXPECT_LE(f.pro, (1 + max_excess) * f.lru) << label << " at " << frames << " frames";
                if (std::strcmp(name, "phases") != 0) {
                    EXPECT_LE(f.pro, f.clock * 1.01) << label << " at " << frames << " frames";
                }
            }
        }
    }
    // Zipf over more pages and larger budgets.
    for (size_t frames : {128, 256, 512}) {
        Trace t(200000);
        t.resize(pager::zipf(t.data(), t.size(), 4096, t.size(), 23));
        Figures f = measure(t, frames, "locality", "zipf-4096");
        worst = std::max(worst, f.pro / f.lru - 1);
        EXPECT_LE(f.pro, (1 + max_excess) * f.lru) << "zipf-4096 at " << frames << " frames";
    }
    std::printf("  worst excess over exact LRU: %+.1f%%\n", 100 * worst);
}

// Where the 5% does not hold: working sets that move and are larger than
// the standard 48 pages (100 and 200 pages, half replaced each phase, 98%
// of the references). Each phase brings 50 or 100 pages never seen before,
// in a burst; LRU faults once on each, while CLOCK-Pro's small cold
// allocation evicts many before their reuse is seen and they fault again
// as ghosts. Measured: up to +7.9% (100 pages) and +14.4% (200 pages)
// against LRU at 1.15-2x the working set, and up to 6.1% behind CLOCK.
// Asserted so that it gets no worse, not as a goal.
TEST(ClockPro, LargerMovingWorkingSetsAreBehindLru) {
    for (uint32_t ws : {100u, 200u}) {
        Trace t(pager::sim_max_length);
        pager::PhaseParams params{.phases = 10, .phase_length = 20000, .working_set = ws, .shift = ws / 2,
                                  .total_pages = 2048, .locality_percent = 98};
        t.resize(pager::working_set_phases(t.data(), t.size(), params, 13));
        char label[32];
        std::snprintf(label, sizeof label, "phases, %u pages", ws);
        for (uint32_t percent : {100, 115, 130, 150, 175, 200}) {
            size_t frames = ws * percent / 100;
            Figures f = measure(t, frames, "locality", label);
            EXPECT_LE(f.pro, 1.17 * f.lru) << label << " at " << frames << " frames";
            EXPECT_LE(f.pro, 1.08 * f.clock) << label << " at " << frames << " frames";
        }
    }
}

// Loops larger than memory: LRU and CLOCK fault on every reference.
// CLOCK-Pro keeps all but one frame of the loop (as OPT does) after the
// first pass: at least 50% fewer faults than LRU from 1.05x to 1.75x
// memory. From 1.9x on, OPT itself saves less than 50% in 20 passes
// (1.9x: 49.8%, 2x: 47.5% at 64 frames); there CLOCK-Pro is within 7% of
// OPT (its first pass costs a few faults more).
TEST(ClockPro, LoopsLargerThanMemory) {
    for (size_t frames : {16, 64, 256, 1024}) {
        for (uint32_t percent : {105, 125, 150, 175, 190, 200}) {
            Trace t(pager::sim_max_length);
            t.resize(pager::loop_times_memory(t.data(), t.size(), uint32_t(frames), percent, 20));
            char name[32];
            std::snprintf(name, sizeof name, "loop %u.%02ux", percent / 100, percent % 100);
            Figures f = measure(t, frames, "loop", name);
            EXPECT_EQ(f.lru, double(t.size()));
            if (percent <= 175) EXPECT_LE(f.pro, 0.5 * f.lru) << name << " at " << frames << " frames";
            else EXPECT_LE(f.pro, 1.07 * f.opt) << name << " at " << frames << " frames";
        }
    }
}

// Scans mixed with a hot set. A table scanned again and again beside a hot
// set (together 1.5x memory): at least 50% fewer faults than LRU. Scans of
// pages read once: every scanned page faults under any policy, OPT
// included, so the most a policy can save is the hot set LRU loses per
// scan (here 42-44%); CLOCK-Pro saves it and is within 2.5% of OPT
// (measured 0.0-2.0%).
TEST(ClockPro, ScansMixedWithAHotSet) {
    for (size_t frames : {64, 128, 256, 1024}) {
        Trace t(pager::sim_max_length);
        uint32_t f32 = uint32_t(frames);
        t.resize(pager::hot_with_scans(t.data(), t.size(), f32 / 2, 2000, f32, 50, false, 3));
        Figures f = measure(t, frames, "scan", "table scans + hot set");
        EXPECT_LE(f.pro, 0.5 * f.lru) << "table scans at " << frames << " frames";
        t.assign(pager::sim_max_length, 0);
        t.resize(pager::hot_with_scans(t.data(), t.size(), f32 * 3 / 4, 2000, f32, 50, true, 3));
        f = measure(t, frames, "scan", "fresh scans + hot set");
        EXPECT_LE(f.pro, 1.025 * f.opt) << "fresh scans at " << frames << " frames";
        EXPECT_LE(f.pro, 0.6 * f.lru) << "fresh scans at " << frames << " frames";
    }
}

// No locality: nothing to gain, and nothing lost.
TEST(ClockPro, UniformLikeLru) {
    Trace t = pager::generate(*pager::find_standard_trace("uniform"), 0);
    for (size_t frames : {16, 64, 128}) {
        Figures f = measure(t, frames, "none", "uniform");
        EXPECT_LE(f.pro, 1.01 * f.lru);
    }
}

TEST(Simulate, RandomPolicyDependsOnlyOnTheSeed) {
    Trace t = pager::generate(*pager::find_standard_trace("uniform"), 0);
    EXPECT_EQ(pager::simulate(t, 32, SimPolicy::random, 9), pager::simulate(t, 32, SimPolicy::random, 9));
    EXPECT_NE(pager::simulate(t, 32, SimPolicy::random, 9), pager::simulate(t, 32, SimPolicy::random, 10));
}

}  // namespace
