#include "fault_around.hpp"

namespace pager {

void FaultAround::init(unsigned pages) {
    max_ = uint8_t(pages == 0 ? 1 : pages > max_pages ? max_pages : pages);
    window_ = 1;
    ahead_ = 0;
    next_ = ~0ull;
    run_ = 0;
}

unsigned FaultAround::plan(uint64_t page) {
    if (!continues(page)) {
        run_ = 0;
        return 1;
    }
    // A run that went on without pages ahead (its first step, or after
    // the window had shrunk to nothing) earns a small cluster again: the
    // only way back up once random touches have closed the window.
    if (window_ < first_window && max_ >= first_window) window_ = uint8_t(first_window);
    unsigned cap = run_ < first_window ? first_window : run_ < max_ ? run_ : max_;
    return window_ < cap ? window_ : cap;
}

void FaultAround::mapped(uint64_t page, unsigned count) {
    if (!count) return;
    next_ = page + count;
    ahead_ = uint8_t(count - 1);
    run_ = uint8_t(run_ + count > 255 ? 255 : run_ + count);
}

void FaultAround::walked_to(uint64_t page) {
    if (next_ == ~0ull || page <= next_) return;
    uint64_t covered = run_ + (page - next_);
    run_ = uint8_t(covered > 255 ? 255 : covered);
    next_ = page;
}

void FaultAround::feedback(unsigned used, unsigned unused) {
    ahead_ = 0;
    if (used + unused == 0) return;
    if (unused == 0) {
        window_ = uint8_t(window_ * 2 > max_ ? max_ : window_ * 2);
    } else if (used < unused) {
        window_ = uint8_t(window_ / 2 ? window_ / 2 : 1);
    }
}

}  // namespace pager
