// The shell's line editing, as pure logic: bytes typed in, a line (or an
// interrupt) out, and the bytes to echo to the terminal. No system calls,
// so the host tests (tests/unit/line_editor_test.cpp) run the same code.
//
// Keys: printable ASCII is inserted at the end; Backspace (0x7F or 0x08)
// erases the last character; Enter (CR, LF, or CR LF as one) ends the
// line; Ctrl-C (0x03) drops the line and reports an interrupt; the arrow
// keys Up and Down (ESC [ A / ESC [ B, or ESC O A / ESC O B) walk the
// history of entered lines, replacing what is typed. Other bytes and
// escape sequences are ignored.
#pragma once

#include <cstddef>
#include <cstdint>

namespace shell {

class LineEditor {
public:
    static constexpr size_t max_line = 200;      // characters in a line
    static constexpr size_t history_size = 16;   // lines remembered
    static constexpr size_t max_echo = 3 * max_line + 8;

    enum class Result { more, line, interrupt };

    // Takes one typed byte. The bytes to echo are appended to echo (the
    // caller writes and clears it; at most max_echo are added per call).
    Result feed(char c);

    // After Result::line: the line, NUL-terminated (valid until the next feed).
    const char* line() const { return done_; }

    const char* echo() const { return echo_; }
    size_t echo_length() const { return echo_length_; }
    void clear_echo() { echo_length_ = 0; }

    // The history, oldest first: entry(0 .. history_count() - 1).
    size_t history_count() const { return history_count_; }
    const char* history_entry(size_t i) const;

private:
    void emit(char c);
    void emit(const char* s);
    void erase_typed();            // on the terminal and in the buffer
    void replace_with(const char* s);
    void remember(const char* s);  // into the history
    Result finish();

    char buffer_[max_line + 1] = {};
    size_t length_ = 0;
    char done_[max_line + 1] = {};
    char history_[history_size][max_line + 1] = {};
    size_t history_count_ = 0;  // entries, at most history_size
    size_t history_first_ = 0;  // ring index of the oldest
    size_t browse_ = 0;         // while browsing: history_count_ - steps back (history_count_: not browsing)
    int escape_ = 0;            // 0 none, 1 after ESC, 2 after ESC [ or ESC O
    bool after_cr_ = false;     // a LF right after CR is the same Enter
    char echo_[max_echo] = {};
    size_t echo_length_ = 0;
};

}  // namespace shell
