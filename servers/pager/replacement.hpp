// Page replacement for the pager: which resident page to evict when the
// frame budget is full. Pure logic, no allocation, no virtual functions:
// the same source runs in the pager (freestanding) and in the host tests
// and simulator (servers/pager/simulate.hpp, tests/unit/replacement_test.cpp).
//
// The caller owns the frames (indexes 0..capacity-1 of its budget) and the
// per-frame storage; this class only keeps the bookkeeping the policies need.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pager {

enum class Policy : uint8_t { fifo, random, clock, lru };  // lru = exact LRU (needs every access reported)

const char* policy_name(Policy p);                 // "fifo", "random", "clock", "lru"
bool parse_policy(const char* name, Policy& out);  // inverse of policy_name; false leaves out alone

// Hardware accessed-bit access for CLOCK: returns whether the page in frame
// `frame` was referenced since the last call, and clears that bit.
using ReferencedFn = bool (*)(void* context, size_t frame);

// xorshift64 (Marsaglia 2003): tiny, deterministic, good enough to pick a
// victim or to generate test traces. Never seeded with 0 (a fixed point).
struct Xorshift64 {
    uint64_t state = 0x9e3779b97f4a7c15ull;

    void seed(uint64_t s) { state = s ? s : 0x9e3779b97f4a7c15ull; }
    uint64_t next() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }
    // Uniform enough in [0, n) for n far below 2^64 (the modulo bias is
    // below n / 2^64). n must not be 0.
    uint64_t below(uint64_t n) { return next() % n; }
};

// Chooses which resident page to evict. Frames are indexes 0..capacity-1
// managed by the caller (the pager's frame budget). Storage is caller-owned.
//
// Protocol: loaded(f) after mapping a page into frame f; accessed(f) for
// every access the caller learns of (only exact LRU needs it); when the
// budget is full, v = choose_victim(...), unmap v's page, map the new page
// into v and call loaded(v). freed(f) only when a frame empties for good
// (the task unmapped or exited), so that f is never chosen while empty.
class Replacement {
public:
    // stamp: FIFO = load time, LRU = last load/access time, on one logical
    // clock that ticks per event. used: the frame holds a page.
    struct FrameState {
        uint64_t stamp;
        bool used;
    };

    // choose_victim's answer when no frame is used.
    static constexpr size_t none = SIZE_MAX;

    // All frames start empty. A seed of 0 is replaced by a fixed constant.
    void init(Policy policy, FrameState* storage, size_t capacity, uint64_t seed);
    void loaded(size_t frame);    // a page was just placed in frame (after a fault)
    void accessed(size_t frame);  // an access to frame's page (only exact LRU uses it)
    void freed(size_t frame);     // the frame became empty (its page unmapped for good)

    // Picks the victim among used frames. Meant for a full budget (all frames
    // used); empty frames are skipped all the same, and `none` comes back if
    // no frame is used. `referenced` is only called by CLOCK, only on used
    // frames; null means "never referenced" (CLOCK then behaves like FIFO in
    // hand order).
    size_t choose_victim(ReferencedFn referenced, void* context);

    Policy policy() const { return policy_; }
    size_t capacity() const { return capacity_; }
    bool used(size_t frame) const { return frame < capacity_ && frames_[frame].used; }
    size_t hand() const { return hand_; }  // CLOCK: the next frame the hand looks at

private:
    size_t oldest_stamp() const;
    size_t random_used();
    size_t clock_sweep(ReferencedFn referenced, void* context);

    FrameState* frames_ = nullptr;
    size_t capacity_ = 0;
    size_t hand_ = 0;
    uint64_t clock_ = 0;  // logical time for stamps
    Xorshift64 rng_;
    Policy policy_ = Policy::fifo;
};

}  // namespace pager
