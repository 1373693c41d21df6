#include "line_editor.hpp"

namespace shell {

namespace {
constexpr char ctrl_c = 0x03, backspace = 0x08, escape = 0x1B, del = 0x7F;

size_t length_of(const char* s) {
    size_t n = 0;
    while (s[n]) ++n;
    return n;
}

void copy(char* to, const char* from, size_t capacity) {
    size_t n = 0;
    for (; from[n] && n + 1 < capacity; ++n) to[n] = from[n];
    to[n] = '\0';
}
}  // namespace

void LineEditor::emit(char c) {
    if (echo_length_ < max_echo) echo_[echo_length_++] = c;
}

void LineEditor::emit(const char* s) {
    while (*s) emit(*s++);
}

const char* LineEditor::history_entry(size_t i) const {
    return i < history_count_ ? history_[(history_first_ + i) % history_size] : "";
}

void LineEditor::erase_typed() {
    for (; length_; --length_) emit("\b \b");
    buffer_[0] = '\0';
}

void LineEditor::replace_with(const char* s) {
    erase_typed();
    copy(buffer_, s, sizeof buffer_);
    length_ = length_of(buffer_);
    emit(buffer_);
}

void LineEditor::remember(const char* s) {
    if (!*s) return;
    if (history_count_ && length_of(history_entry(history_count_ - 1)) == length_of(s)) {
        const char* last = history_entry(history_count_ - 1);
        size_t i = 0;
        while (s[i] && s[i] == last[i]) ++i;
        if (!s[i]) return;  // the same as the last: kept once
    }
    if (history_count_ == history_size) {
        copy(history_[history_first_], s, max_line + 1);
        history_first_ = (history_first_ + 1) % history_size;
    } else {
        copy(history_[(history_first_ + history_count_) % history_size], s, max_line + 1);
        ++history_count_;
    }
}

LineEditor::Result LineEditor::finish() {
    emit('\n');
    buffer_[length_] = '\0';
    copy(done_, buffer_, sizeof done_);
    remember(done_);
    length_ = 0;
    buffer_[0] = '\0';
    browse_ = history_count_;
    return Result::line;
}

LineEditor::Result LineEditor::feed(char c) {
    bool cr_before = after_cr_;
    after_cr_ = false;
    if (escape_ == 1) {
        escape_ = c == '[' || c == 'O' ? 2 : 0;
        return Result::more;
    }
    if (escape_ == 2) {
        if (c >= '0' && c <= '9') return Result::more;  // parameters of a sequence we ignore
        escape_ = 0;
        if (c == 'A' && browse_ > 0) replace_with(history_entry(--browse_));
        else if (c == 'B' && browse_ < history_count_) {
            ++browse_;
            replace_with(browse_ == history_count_ ? "" : history_entry(browse_));
        }
        return Result::more;
    }
    switch (c) {
    case escape: escape_ = 1; return Result::more;
    case '\r': after_cr_ = true; return finish();
    case '\n': return cr_before ? Result::more : finish();
    case ctrl_c:
        emit("^C\n");
        length_ = 0;
        buffer_[0] = '\0';
        browse_ = history_count_;
        return Result::interrupt;
    case backspace:
    case del:
        if (length_) {
            buffer_[--length_] = '\0';
            emit("\b \b");
        }
        return Result::more;
    default:
        if (c >= 0x20 && c < 0x7F && length_ < max_line) {
            buffer_[length_++] = c;
            buffer_[length_] = '\0';
            emit(c);
        }
        return Result::more;
    }
}

}  // namespace shell
