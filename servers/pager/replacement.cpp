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

constexpr const char* names[] = {"fifo", "random", "clock", "lru", "clockpro"};

// CLOCK-Pro entry flags.
constexpr uint8_t in_list = 1;  // on the circle
constexpr uint8_t hot = 2;      // resident hot page (else cold)
constexpr uint8_t test = 4;     // cold page in its test period
constexpr uint8_t fresh = 8;    // loaded since its accessed bit was last read
constexpr uint16_t nil = Replacement::History::nil;

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

void Replacement::init(Policy policy, FrameState* storage, size_t capacity, uint64_t seed, History* history) {
    policy_ = policy;
    frames_ = storage;
    capacity_ = storage ? capacity : 0;
    hand_ = 0;
    clock_ = 0;
    rng_.seed(seed);
    for (size_t i = 0; i < capacity_; ++i) frames_[i] = FrameState{0, false};
    history_ = nullptr;
    hand_hot_ = hand_cold_ = hand_test_ = nil;
    hot_count_ = cold_count_ = ghost_count_ = 0;
    recent_count_ = 0;
    owed_ = 0;
    batch_ = false;
    if (policy_ != Policy::clockpro) return;
    if (!history || capacity_ > max_policy_frames) {
        policy_ = Policy::clock;  // no room for the history: plain CLOCK
        return;
    }
    history_ = history;
    for (size_t e = 0; e < 2 * capacity_; ++e) history_->entries[e] = Entry{no_key, nil, nil, nil, 0};
    bucket_mask_ = 1;
    while (bucket_mask_ < capacity_) bucket_mask_ <<= 1;
    for (size_t b = 0; b < bucket_mask_; ++b) history_->buckets[b] = nil;
    --bucket_mask_;
    free_ghost_count_ = capacity_;
    for (size_t g = 0; g < capacity_; ++g) history_->free_ghosts[g] = static_cast<uint16_t>(2 * capacity_ - 1 - g);
    // The cold allocation m_c adapts between 5% of the budget (rounded up)
    // and all but one frame; it starts at the minimum. LIRS's HIR share is
    // 1%, but with 1% a working set that moves keeps too few of its new
    // pages long enough to see their reuse (`phases` was 5.9% behind exact
    // LRU at 1.3x its working set). A loop keeps m - m_c of its pages, so
    // much more than 5% would cost the 50% saving on a loop of 1.75x
    // memory. docs/paging.md, "CLOCK-Pro", has the figures.
    min_cold_ = (capacity_ + 19) / 20;
    max_cold_ = capacity_ > 1 ? capacity_ - 1 : 1;
    cold_target_ = min_cold_;
}

void Replacement::loaded(size_t frame) { loaded(frame, no_key); }

void Replacement::loaded(size_t frame, uint32_t key) {
    if (frame >= capacity_) return;
    if (policy_ == Policy::clockpro) pro_loaded(frame, key);
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
    if (policy_ == Policy::clockpro) pro_freed(frame);
    frames_[frame].used = false;
}

size_t Replacement::choose_victim(ReferencedFn referenced, void* context) {
    switch (policy_) {
    case Policy::fifo:
    case Policy::lru: return oldest_stamp();  // load order vs. use order: same scan
    case Policy::random: return random_used();
    case Policy::clock: return clock_sweep(referenced, context);
    case Policy::clockpro: return pro_victim(referenced, context);
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

// ---- CLOCK-Pro ------------------------------------------------------------
//
// After Song Jiang, Feng Chen and Xiaodong Zhang, "CLOCK-Pro: an effective
// improvement of the CLOCK replacement", USENIX ATC 2005, which carries
// LIRS (Jiang and Zhang, SIGMETRICS 2002) over to a clock of accessed bits.
// Written here from the paper's description, for a pager that sees only its
// own faults and evictions and reads accessed bits on demand.
//
// Pages are hot (reused at a short distance: kept) or cold (one frame or so
// in a small cold allocation m_c, evicted first). All resident pages and
// the ghosts of recently evicted cold pages sit on one circle. New pages go
// to the head, which is just behind HAND_hot, so that a hand passing an
// entry leaves it at the head. A cold page starts a test period when it is
// placed at the head; the period ends when HAND_hot (which stops at the
// oldest hot page) or HAND_test passes it. A cold page used again within
// its test period has a reuse distance shorter than the oldest hot page's
// recency and becomes hot; the oldest unreferenced hot page is demoted.
//
//   HAND_cold (a fault needs a frame): a resident cold page whose bit is
//     clear is evicted; if it is in its test period it stays on the circle
//     as a ghost. One whose bit is set is promoted to hot if in its test
//     period, else it starts a new one; either way it goes to the head.
//   HAND_hot (more hot pages than m - m_c): a hot page whose bit is set is
//     spared (bit cleared), the first one whose bit is clear becomes cold.
//     Cold pages it passes end their test periods; ghosts it passes go.
//   HAND_test (more ghosts than m): ends test periods and removes the first
//     ghost it meets.
//   A fault on a ghost makes the page hot at once.
//
// Adaptation (the paper's): a ghost faulted on means a larger cold
// allocation would have kept it, so m_c grows by one; a test period that
// ends without a reuse shrinks m_c by one.
//
// Where this differs from the paper, because a pager is not a simulator:
// - The bit of a newly loaded page is set by the faulting access itself,
//   which is no reuse (the `fresh` flag). The next choose_victim reads
//   and clears the bits of the pages loaded since the previous one
//   (settle_recent), so that a bit set later is a reuse. A page still
//   fresh when HAND_cold first reaches it (past max_recent loads in one
//   go) has its bit cleared and goes to the head, in its test period,
//   without promotion: a reuse is only one seen after that first look.
//   Several touches before the first look count as one, as LIRS counts
//   repeated references to one block once. HAND_hot takes a fresh hot
//   page's bit as it is: it earned its place by a reuse.
// - The cold allocation's minimum is 5% of the budget, not 1% (init).
// - HAND_hot runs only inside choose_victim, where the pager can read
//   bits; a promotion at load time leaves the demotion to the next fault.
// - Ghosts are keyed by the caller's page identity (loaded(frame, key)).
// Fixed storage: 2 x capacity entries (frames, then ghost slots), linked
// by 16-bit indexes; a hash of the ghosts' keys; no allocation.

bool Replacement::is_hot(size_t frame) const {
    return policy_ == Policy::clockpro && frame < capacity_ && (entry(uint16_t(frame)).flags & hot);
}

bool Replacement::is_ghost(uint32_t key) const { return policy_ == Policy::clockpro && find_ghost(key) != nil; }

void Replacement::link_before(uint16_t e, uint16_t position) {
    Entry& x = entry(e);
    if (position == nil) {
        x.next = x.prev = e;
    } else {
        Entry& p = entry(position);
        x.next = position;
        x.prev = p.prev;
        entry(p.prev).next = e;
        p.prev = e;
    }
    x.flags |= in_list;
}

void Replacement::unlink(uint16_t e) {
    Entry& x = entry(e);
    if (!(x.flags & in_list)) return;
    uint16_t next = x.next == e ? nil : x.next;  // nil: the circle is now empty
    if (next != nil) {
        entry(x.prev).next = x.next;
        entry(x.next).prev = x.prev;
    }
    if (hand_hot_ == e) hand_hot_ = next;
    if (hand_cold_ == e) hand_cold_ = next;
    if (hand_test_ == e) hand_test_ = next;
    x.next = x.prev = nil;
    x.flags &= static_cast<uint8_t>(~in_list);
}

void Replacement::insert_at_head(uint16_t e) {
    link_before(e, hand_hot_);
    if (hand_hot_ == nil) hand_hot_ = e;
    if (hand_cold_ == nil) hand_cold_ = e;
    if (hand_test_ == nil) hand_test_ = e;
}

uint16_t Replacement::find_ghost(uint32_t key) const {
    if (!history_ || key == no_key) return nil;
    for (uint16_t g = history_->buckets[(key * 0x9e3779b1u >> 7) & bucket_mask_]; g != nil; g = entry(g).chain)
        if (entry(g).key == key) return g;
    return nil;
}

void Replacement::hash_insert(uint16_t g) {
    uint16_t& bucket = history_->buckets[(entry(g).key * 0x9e3779b1u >> 7) & bucket_mask_];
    entry(g).chain = bucket;
    bucket = g;
}

void Replacement::hash_remove(uint16_t g) {
    uint16_t* link = &history_->buckets[(entry(g).key * 0x9e3779b1u >> 7) & bucket_mask_];
    while (*link != nil && *link != g) link = &entry(*link).chain;
    if (*link == g) *link = entry(g).chain;
    entry(g).chain = nil;
}

void Replacement::remove_ghost(uint16_t g) {
    unlink(g);
    hash_remove(g);
    entry(g) = Entry{no_key, nil, nil, nil, 0};
    history_->free_ghosts[free_ghost_count_++] = g;
    --ghost_count_;
}

void Replacement::adjust_target(bool grow) {
    if (grow && cold_target_ < max_cold_) ++cold_target_;
    if (!grow && cold_target_ > min_cold_) --cold_target_;
}

// A hand passes cold entry e: its test period ends without a reuse.
void Replacement::end_test(uint16_t e) {
    if (!(entry(e).flags & test)) return;
    adjust_target(false);
    if (e >= capacity_) {
        remove_ghost(e);
    } else {
        entry(e).flags &= static_cast<uint8_t>(~test);
    }
}

void Replacement::pro_loaded(size_t frame, uint32_t key) {
    auto f = static_cast<uint16_t>(frame);
    if (entry(f).flags & in_list) pro_freed(frame);  // reloaded without freed(): forget the old page
    Entry& x = entry(f);
    x = Entry{key, nil, nil, nil, fresh};
    bool in_batch = batch_;
    if (owed_ && --owed_ == 0) batch_ = false;
    uint16_t g = find_ghost(key);
    if (g != nil) {
        // Reused within its test period: a larger cold allocation would
        // have kept it. Hot at once; HAND_hot demotes at the next fault.
        adjust_target(true);
        remove_ghost(g);
        x.flags |= hot;
        ++hot_count_;
    } else if (!in_batch && hot_count_ + cold_count_ < capacity_ && hot_count_ + cold_target_ < capacity_) {
        // Filling an empty budget: the first m - m_c pages are hot, as in
        // the paper's simulator (nothing yet says which pages deserve it).
        // Not the frames of a batch of victims: a cluster of 32 frames
        // taken at once empties 19 hot pages' frames when 13 cold pages are
        // all there are (HAND_hot demotes them), and its pages would
        // be made hot in their place, cluster after cluster, until the
        // hot set were the last pages loaded. (One victim at a time keeps
        // the rule as it was: a new page may refill the hot set up to
        // m - m_c after a demotion.)
        x.flags |= hot;
        ++hot_count_;
    } else {
        x.flags |= test;
        ++cold_count_;
    }
    insert_at_head(f);
    if (recent_count_ < max_recent) recent_[recent_count_++] = f;
}

void Replacement::pro_freed(size_t frame) {
    auto f = static_cast<uint16_t>(frame);
    Entry& x = entry(f);
    if (!(x.flags & in_list)) return;
    if (x.flags & hot) --hot_count_;
    else --cold_count_;
    unlink(f);
    x = Entry{no_key, nil, nil, nil, 0};
}

void Replacement::run_hand_hot(ReferencedFn referenced, void* context) {
    if (hot_count_ == 0) return;
    // Two revolutions clear every bit; more only if pages are touched
    // during the sweep: then the hot page under the hand is demoted.
    size_t limit = 2 * (hot_count_ + cold_count_ + ghost_count_) + 1;
    for (size_t step = 0; hand_hot_ != nil; ++step) {
        uint16_t e = hand_hot_;
        Entry& x = entry(e);
        hand_hot_ = x.next;  // passing e leaves it at the head
        if (x.flags & hot) {
            // The load's own access counts here: a hot page got its
            // place by a reuse already.
            x.flags &= static_cast<uint8_t>(~fresh);
            if (step < limit && referenced && referenced(context, e)) continue;
            x.flags &= static_cast<uint8_t>(~hot);  // demoted: cold, not in a test period
            --hot_count_;
            ++cold_count_;
            return;
        }
        end_test(e);  // may remove e (a ghost); hand_hot_ already moved on
    }
}

void Replacement::run_hand_test() {
    while (hand_test_ != nil) {
        uint16_t e = hand_test_;
        hand_test_ = entry(e).next;
        if (entry(e).flags & hot) continue;
        bool ghost = e >= capacity_;
        end_test(e);
        if (ghost) return;
    }
}

// The pages loaded since the last call: read (and so clear) their bits
// now, which takes off the load's own access while it is still the only
// one, or nearly so. A set bit at a hand's later look is then a reuse.
// Without this, the first look could not tell the load from a reuse, so
// it could count neither, and a new page had to be reused again after it:
// with a small cold allocation, many new pages of a moving working set
// were evicted before that second look and faulted back as ghosts.
// A frame freed or reloaded meanwhile is skipped (no longer fresh or
// not on the circle); past max_recent loads, the rest keep the old rule.
void Replacement::settle_recent(ReferencedFn referenced, void* context) {
    for (size_t i = 0; i < recent_count_; ++i) {
        Entry& x = entry(recent_[i]);
        if ((x.flags & (in_list | fresh)) != (in_list | fresh)) continue;
        if (referenced) referenced(context, recent_[i]);
        x.flags &= static_cast<uint8_t>(~fresh);
    }
    recent_count_ = 0;
}

size_t Replacement::pro_victim(ReferencedFn referenced, void* context) {
    settle_recent(referenced, context);
    // Demotions owed by promotions (at loads, or just now by HAND_cold),
    // and at least one cold page to evict.
    while (hot_count_ && (hot_count_ + cold_target_ > capacity_ || cold_count_ == 0)) {
        size_t before = hot_count_;
        run_hand_hot(referenced, context);
        if (hot_count_ == before) break;
    }
    if (cold_count_ == 0) return none;
    size_t limit = 4 * (hot_count_ + cold_count_ + ghost_count_) + 4;
    for (size_t step = 0; hand_cold_ != nil; ++step) {
        uint16_t e = hand_cold_;
        Entry& x = entry(e);
        hand_cold_ = x.next;
        if (e >= capacity_ || (x.flags & hot)) continue;  // ghosts and hot pages
        bool bit = referenced && referenced(context, e);
        if ((x.flags & fresh) && step < limit) {
            x.flags &= static_cast<uint8_t>(~fresh);
            // The bit was set by the load itself: no reuse yet, but no
            // reason to evict either. One more revolution to show one.
            unlink(e);
            insert_at_head(e);
            continue;
        }
        if (bit && step < limit) {
            unlink(e);
            if (x.flags & test) {
                // Reused within its test period: hot.
                x.flags = static_cast<uint8_t>((x.flags & ~test) | hot);
                --cold_count_;
                ++hot_count_;
            } else {
                x.flags |= test;  // reused, but later than that: a new test period
            }
            insert_at_head(e);
            while (hot_count_ && (hot_count_ + cold_target_ > capacity_ || cold_count_ == 0)) {
                size_t before = hot_count_;
                run_hand_hot(referenced, context);
                if (hot_count_ == before) break;
            }
            continue;
        }
        // The victim. In its test period it stays on the circle as a ghost.
        --cold_count_;
        // At most `capacity` ghosts: HAND_test makes room first (it may end
        // the victim's own test period on its way).
        if ((x.flags & test) && x.key != no_key && free_ghost_count_ == 0) run_hand_test();
        if ((x.flags & test) && x.key != no_key && free_ghost_count_) {
            uint16_t g = history_->free_ghosts[--free_ghost_count_];
            entry(g) = Entry{x.key, nil, nil, nil, test};
            link_before(g, e);
            if (hand_hot_ == e) hand_hot_ = g;
            if (hand_test_ == e) hand_test_ = g;
            hash_insert(g);
            ++ghost_count_;
        }
        unlink(e);
        x = Entry{no_key, nil, nil, nil, 0};
        if (owed_) batch_ = true;
        if (owed_ < capacity_) ++owed_;
        return e;
    }
    return none;
}

}  // namespace pager
