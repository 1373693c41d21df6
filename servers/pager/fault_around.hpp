// Fault-around: how many pages a fault maps, the faulting page and the
// pages after it in one batched call (frame_map_batch), adapted to how
// the pages mapped ahead were used (docs/paging.md, "Fault-around").
//
// Pure logic, no system calls: the pager tells it where each fault is and
// how many of the last cluster's pages ahead were accessed by the time of
// the next fault (their accessed bits); the host tests drive it directly.
#pragma once

#include <cstdint>

namespace pager {

class FaultAround {
public:
    // Pages per cluster at most (the faulting one included, 1 to
    // max_pages); 1 turns fault-around off. The pager passes
    // min(abi::max_map_batch, budget/8).
    void init(unsigned pages);

    // A fault on page number `page`: how many pages to map from it (the
    // caller may map fewer: region end, resident pages, no frame). A
    // fault that continues the run the last cluster ended gets the
    // window, but no more pages than the run has covered so far (so a
    // short run wastes at most about as much as it used); any other fault
    // starts a new run and gets its own page only, so random and strided
    // touches pay nothing for pages nobody asked for.
    unsigned plan(uint64_t page);

    // The caller mapped `count` pages from `page` (count >= 1), after
    // plan(page).
    void mapped(uint64_t page, unsigned count);

    // How the last cluster's pages ahead were used by the next fault:
    // `used` were accessed, `unused` were not (or were evicted first).
    // All used: the window doubles. More unused than used: it halves.
    void feedback(unsigned used, unsigned unused);

    unsigned window() const { return window_; }
    unsigned max_window() const { return max_; }
    // Pages ahead from the last mapped(), what feedback() is owed for: the
    // `ahead()` pages before `next()`.
    unsigned ahead() const { return ahead_; }
    uint64_t next() const { return next_; }
    bool continues(uint64_t page) const { return page == next_; }
    // The pages from next() up to `page` (excluded) were found resident:
    // a sequential walk went through them without faulting (pages the
    // replacement policy kept), so a fault at `page` continues the run,
    // which has covered them too. Ignored unless next() < page.
    void walked_to(uint64_t page);

    static constexpr unsigned first_window = 2;  // a run's first cluster: one page ahead

    static constexpr unsigned max_pages = 255;  // init() takes at most this many

private:
    // Small (16 bytes): the pager keeps one per task, for up to 1,024 tasks.
    uint64_t next_ = ~0ull;   // the page a sequential run faults on next
    uint8_t run_ = 0;         // pages the current run has covered (saturates: only min(run, max) matters)
    uint8_t max_ = 1;
    uint8_t window_ = 1;      // pages a sequential fault maps now
    uint8_t ahead_ = 0;
};

}  // namespace pager
