// Page replacement policies (see replacement.hpp for the protocol).
//
// Every policy is a linear scan over the budget's frames at eviction time.
// Budgets are small (tens to a few thousand frames) and an eviction already
// costs an unmap, a write to the backing store and IPC, so a scan is cheaper
// than keeping a heap or a list in order, and it needs no storage beyond one
// FrameState per frame.
#include "replacement.hpp"

namespace pager {

namespace {

constexpr const char* names[] = {"fifo", "random", "clock", "lru"};

bool equal(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}

}  // namespace

const char* policy_name(Policy p) {
    auto i = static_cast<size_t>(p);
    return i < sizeof names / sizeof names[0] ? names[i] : "?";
}

bool parse_policy(const char* name, Policy& out) {
    if (!name) return false;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i) {
        if (equal(name, names[i])) {
            out = static_cast<Policy>(i);
            return true;
        }
    }
    return false;
}

void Replacement::init(Policy policy, FrameState* storage, size_t capacity, uint64_t seed) {
    policy_ = policy;
    frames_ = storage;
    capacity_ = storage ? capacity : 0;
    hand_ = 0;
    clock_ = 0;
    rng_.seed(seed);
    for (size_t i = 0; i < capacity_; ++i) frames_[i] = FrameState{0, false};
}

void Replacement::loaded(size_t frame) {
    if (frame >= capacity_) return;
    // FIFO and LRU both start the page's age at its load; CLOCK needs nothing
    // here: the faulting access sets the hardware bit when it is retried, and
    // a victim's frame sits just behind the hand, so the new page gets a full
    // revolution before it is looked at.
    frames_[frame] = FrameState{++clock_, true};
}

void Replacement::accessed(size_t frame) {
    // Only exact LRU orders by use; FIFO ignores uses by definition and CLOCK
    // reads them from the accessed bit instead (the pager never sees a hit).
    if (policy_ != Policy::lru || frame >= capacity_ || !frames_[frame].used) return;
    frames_[frame].stamp = ++clock_;
}

void Replacement::freed(size_t frame) {
    if (frame >= capacity_) return;
    frames_[frame].used = false;
}

size_t Replacement::choose_victim(ReferencedFn referenced, void* context) {
    switch (policy_) {
    case Policy::fifo:
    case Policy::lru: return oldest_stamp();  // load order vs. use order: same scan
    case Policy::random: return random_used();
    case Policy::clock: return clock_sweep(referenced, context);
    }
    return none;
}

size_t Replacement::oldest_stamp() const {
    size_t victim = none;
    for (size_t i = 0; i < capacity_; ++i) {
        if (frames_[i].used && (victim == none || frames_[i].stamp < frames_[victim].stamp)) victim = i;
    }
    return victim;
}

size_t Replacement::random_used() {
    if (capacity_ == 0) return none;
    // With a full budget the first pick is used; otherwise walk on to the
    // next used frame (slightly favouring frames after a hole, which only
    // matters for the off-protocol case of a partly empty budget).
    size_t start = static_cast<size_t>(rng_.below(capacity_));
    for (size_t k = 0; k < capacity_; ++k) {
        size_t i = (start + k) % capacity_;
        if (frames_[i].used) return i;
    }
    return none;
}

size_t Replacement::clock_sweep(ReferencedFn referenced, void* context) {
    // Second chance: a referenced frame has its bit cleared (by the call) and
    // is passed over; the first unreferenced one is the victim. After one
    // revolution every bit has been cleared, so two revolutions always find
    // one, unless pages are touched during the sweep (another CPU running the
    // task): then the first used frame the hand met is taken.
    size_t fallback = none;
    for (size_t step = 0; step < 2 * capacity_; ++step) {
        size_t i = hand_;
        hand_ = (hand_ + 1) % capacity_;
        if (!frames_[i].used) continue;
        if (!referenced || !referenced(context, i)) return i;
        if (fallback == none) fallback = i;
    }
    if (fallback != none) hand_ = (fallback + 1) % capacity_;
    return fallback;  // none: no frame is used
}

}  // namespace pager
