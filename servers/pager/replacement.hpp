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

// lru = exact LRU (needs every access reported); clockpro = CLOCK-Pro, the
// adaptive, scan-resistant policy (accessed bits and ghosts of evicted pages).
enum class Policy : uint8_t { fifo, random, clock, lru, clockpro };

// The largest budget the policies keep history for (abi::pager::max_frames).
inline constexpr size_t max_policy_frames = 8192;

const char* policy_name(Policy p);                 // "fifo", "random", "clock", "lru", "clockpro"
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
    // A page's identity for CLOCK-Pro's ghosts (the pager's page record,
    // the simulator's page number); no_key: the page is never remembered.
    static constexpr uint32_t no_key = UINT32_MAX;

    // CLOCK-Pro's bookkeeping, caller-owned like FrameState (about 200 KiB,
    // sized for max_policy_frames): one clock entry per frame (index = frame)
    // and one per ghost (a non-resident cold page still in its test period,
    // at most `capacity` of them), linked in a circle in the order the hands
    // visit them, and a hash of the ghosts' keys.
    struct History {
        static constexpr uint16_t nil = UINT16_MAX;
        struct Entry {
            uint32_t key;
            uint16_t next, prev;  // the circle
            uint16_t chain;       // ghosts: the next ghost in the same hash bucket
            uint8_t flags;        // in_list, hot, test, fresh (replacement.cpp)
        };
        Entry entries[2 * max_policy_frames];
        uint16_t buckets[max_policy_frames];
        uint16_t free_ghosts[max_policy_frames];
    };

    // stamp: FIFO = load time, LRU = last load/access time, on one logical
    // clock that ticks per event. used: the frame holds a page.
    struct FrameState {
        uint64_t stamp;
        bool used;
    };

    // choose_victim's answer when no frame is used.
    static constexpr size_t none = SIZE_MAX;

    // All frames start empty. A seed of 0 is replaced by a fixed constant.
    // CLOCK-Pro needs `history`; without it (or with more than
    // max_policy_frames frames) it runs as CLOCK, and policy() says so.
    void init(Policy policy, FrameState* storage, size_t capacity, uint64_t seed, History* history = nullptr);
    void loaded(size_t frame);    // a page was just placed in frame (after a fault)
    // The same, naming the page: CLOCK-Pro looks the key up among the ghosts
    // of pages it evicted (a fault on a page evicted not long ago makes it
    // hot) and remembers the key when it evicts the page. The other
    // policies ignore the key.
    void loaded(size_t frame, uint32_t key);
    void accessed(size_t frame);  // an access to frame's page (only exact LRU uses it)
    void freed(size_t frame);     // the frame became empty (its page unmapped for good)

    // Picks the victim among used frames. Meant for a full budget (all frames
    // used); empty frames are skipped all the same, and `none` comes back if
    // no frame is used. `referenced` is only called by CLOCK and CLOCK-Pro
    // (which first reads the bits of the pages loaded since its previous
    // call: their load's own access), only on used frames; null means
    // "never referenced" (CLOCK then behaves like FIFO in hand order).
    size_t choose_victim(ReferencedFn referenced, void* context);

    Policy policy() const { return policy_; }
    size_t capacity() const { return capacity_; }
    bool used(size_t frame) const { return frame < capacity_ && frames_[frame].used; }
    size_t hand() const { return hand_; }  // CLOCK: the next frame the hand looks at

    // CLOCK-Pro's state, for tests and statistics.
    size_t hot_pages() const { return hot_count_; }
    size_t cold_pages() const { return cold_count_; }   // resident cold pages
    size_t ghost_pages() const { return ghost_count_; }
    size_t cold_target() const { return cold_target_; }  // m_c, adapted
    bool is_hot(size_t frame) const;
    bool is_ghost(uint32_t key) const;

private:
    size_t oldest_stamp() const;
    size_t random_used();
    size_t clock_sweep(ReferencedFn referenced, void* context);

    // CLOCK-Pro (replacement.cpp).
    using Entry = History::Entry;
    Entry& entry(uint16_t e) { return history_->entries[e]; }
    const Entry& entry(uint16_t e) const { return history_->entries[e]; }
    void link_before(uint16_t e, uint16_t position);
    void unlink(uint16_t e);
    void insert_at_head(uint16_t e);
    uint16_t find_ghost(uint32_t key) const;
    void hash_insert(uint16_t g);
    void hash_remove(uint16_t g);
    void remove_ghost(uint16_t g);
    void end_test(uint16_t e);
    void run_hand_hot(ReferencedFn referenced, void* context);
    void run_hand_test();
    void pro_loaded(size_t frame, uint32_t key);
    void pro_freed(size_t frame);
    size_t pro_victim(ReferencedFn referenced, void* context);
    void adjust_target(bool grow);
    void settle_recent(ReferencedFn referenced, void* context);

    History* history_ = nullptr;
    uint16_t hand_hot_ = History::nil, hand_cold_ = History::nil, hand_test_ = History::nil;
    // Frames loaded since the last choose_victim: their load's own access
    // is taken off their accessed bit at the next one (pro_victim).
    static constexpr size_t max_recent = 32;
    uint16_t recent_[max_recent] = {};
    size_t recent_count_ = 0;
    // Victims chosen whose frames no page has been loaded into yet, and
    // whether more than one was chosen before a load (a batch). A caller
    // that needs several frames at once (a fault-around cluster, the
    // disk's cluster of evictions) chooses them all before it loads any,
    // so for a while the budget looks partly empty; a batch's frames are
    // not the empty budget that pro_loaded fills with hot pages. A victim
    // whose frame is never loaded into (its task was killed meanwhile)
    // only makes as many later loads come in cold.
    size_t owed_ = 0;
    bool batch_ = false;
    size_t hot_count_ = 0, cold_count_ = 0, ghost_count_ = 0;
    size_t free_ghost_count_ = 0;
    size_t cold_target_ = 0, min_cold_ = 0, max_cold_ = 0;
    uint32_t bucket_mask_ = 0;

    FrameState* frames_ = nullptr;
    size_t capacity_ = 0;
    size_t hand_ = 0;
    uint64_t clock_ = 0;  // logical time for stamps
    Xorshift64 rng_;
    Policy policy_ = Policy::fifo;
};

}  // namespace pager
