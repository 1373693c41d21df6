#include "fault_around.hpp"

namespace pager {

void FaultAround::init(unsigned max_pages) {
    max_ = max_pages ? max_pages : 1;
    window_ = 1;
    ahead_ = 0;
    next_ = ~0ull;
    run_start_ = 0;
}

unsigned FaultAround::plan(uint64_t page) {
    if (!continues(page)) {
        run_start_ = page;
        return 1;
    }
    // A run that went on without pages ahead (its first step, or after
    // the window had shrunk to nothing) earns a small cluster again: the
    // only way back up once random touches have closed the window.
    if (window_ < first_window && max_ >= first_window) window_ = first_window;
    uint64_t run = page - run_start_;
    unsigned cap = run < first_window ? first_window : run < max_ ? unsigned(run) : max_;
    return window_ < cap ? window_ : cap;
}

void FaultAround::mapped(uint64_t page, unsigned count) {
    if (!count) return;
    next_ = page + count;
    ahead_ = count - 1;
}

void FaultAround::feedback(unsigned used, unsigned unused) {
    ahead_ = 0;
    if (used + unused == 0) return;
    if (unused == 0) {
        window_ = window_ * 2 > max_ ? max_ : window_ * 2;
    } else if (used < unused) {
        window_ = window_ / 2 ? window_ / 2 : 1;
    }
}

}  // namespace pager
