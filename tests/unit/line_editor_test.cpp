// The shell's line editor: what a terminal sends in, lines and echo out.
#include <gtest/gtest.h>

#include <string>

#include "line_editor.hpp"

using shell::LineEditor;
using Result = LineEditor::Result;

namespace {

// Feeds every byte; returns the last result and collects the echo.
Result type(LineEditor& e, const std::string& keys, std::string* echo = nullptr) {
    Result r = Result::more;
    for (char c : keys) {
        r = e.feed(c);
        if (echo) echo->append(e.echo(), e.echo_length());
        e.clear_echo();
    }
    return r;
}

const std::string up = "\x1b[A", down = "\x1b[B";

}  // namespace

TEST(LineEditor, PrintableCharactersMakeALineEndedByEnter) {
    LineEditor e;
    std::string echo;
    EXPECT_EQ(type(e, "run hello", &echo), Result::more);
    EXPECT_EQ(echo, "run hello");
    EXPECT_EQ(type(e, "\r", &echo), Result::line);
    EXPECT_STREQ(e.line(), "run hello");
    EXPECT_EQ(echo, "run hello\n");
}

TEST(LineEditor, CrLfIsOneEnterAndLfAloneIsOne) {
    LineEditor e;
    EXPECT_EQ(type(e, "a\r"), Result::line);
    EXPECT_EQ(e.feed('\n'), Result::more);  // the LF of the same CR LF
    EXPECT_EQ(type(e, "b\n"), Result::line);
    EXPECT_STREQ(e.line(), "b");
    EXPECT_EQ(e.feed('\n'), Result::line);  // an LF after an LF is an empty line
    EXPECT_STREQ(e.line(), "");
}

TEST(LineEditor, BackspaceAndDeleteEraseTheLastCharacter) {
    LineEditor e;
    std::string echo;
    type(e, "echx\x7f", &echo);
    EXPECT_EQ(echo, "echx\b \b");
    type(e, "o\bO\r");
    EXPECT_STREQ(e.line(), "echO");
}

TEST(LineEditor, BackspaceOnAnEmptyLineEchoesNothing) {
    LineEditor e;
    std::string echo;
    type(e, "\x7f\x7f\b", &echo);
    EXPECT_EQ(echo, "");
    type(e, "x\r");
    EXPECT_STREQ(e.line(), "x");
}

TEST(LineEditor, CtrlCDropsTheLine) {
    LineEditor e;
    std::string echo;
    type(e, "half", &echo);
    EXPECT_EQ(e.feed(0x03), Result::interrupt);
    type(e, "new\r");
    EXPECT_STREQ(e.line(), "new");
    EXPECT_EQ(e.history_count(), 1u);  // the dropped line is not remembered
}

TEST(LineEditor, UpAndDownWalkTheHistory) {
    LineEditor e;
    type(e, "one\rtwo\rthree\r");
    std::string echo;
    type(e, up, &echo);
    EXPECT_EQ(echo, "three");
    echo.clear();
    type(e, up, &echo);
    EXPECT_EQ(echo, "\b \b\b \b\b \b\b \b\b \b" "two");  // "three" erased, "two" written
    type(e, up + up);  // past the oldest: stays at "one"
    EXPECT_EQ(type(e, "\r"), Result::line);
    EXPECT_STREQ(e.line(), "one");
    // The history is now one, two, three, one: Up Up reaches "three", Down
    // comes back to the newest.
    type(e, up + up + "\r");
    EXPECT_STREQ(e.line(), "three");
    // Now one, two, three, one, three: Up Up Up Down is "one".
    type(e, up + up + up + down + "\r");
    EXPECT_STREQ(e.line(), "one");
    type(e, up + down + "\r");  // down past the newest: an empty line
    EXPECT_STREQ(e.line(), "");
}

TEST(LineEditor, ARecalledLineCanBeEdited) {
    LineEditor e;
    type(e, "echo abc\r");
    type(e, up + "\x7f\x7f" + "xy\r");
    EXPECT_STREQ(e.line(), "echo axy");
}

TEST(LineEditor, SS3ArrowsAndUnknownSequencesAreHandled) {
    LineEditor e;
    type(e, "first\r");
    type(e, "\x1bOA\r");  // application-mode Up
    EXPECT_STREQ(e.line(), "first");
    type(e, "a\x1b[3~b\x1b[Cc\r");  // Delete and Right: ignored
    EXPECT_STREQ(e.line(), "abc");
}

TEST(LineEditor, RepeatedLinesAreRememberedOnceAndEmptyOnesNot) {
    LineEditor e;
    type(e, "same\rsame\r\r");
    EXPECT_EQ(e.history_count(), 1u);
    EXPECT_STREQ(e.history_entry(0), "same");
}

TEST(LineEditor, TheHistoryKeepsTheNewestEntries) {
    LineEditor e;
    for (size_t i = 0; i < LineEditor::history_size + 3; ++i) type(e, "cmd" + std::to_string(i) + "\r");
    EXPECT_EQ(e.history_count(), LineEditor::history_size);
    EXPECT_STREQ(e.history_entry(0), "cmd3");
    EXPECT_EQ(std::string(e.history_entry(LineEditor::history_size - 1)),
              "cmd" + std::to_string(LineEditor::history_size + 2));
}

TEST(LineEditor, ALineStopsAtItsCapacityAndControlBytesAreIgnored) {
    LineEditor e;
    std::string echo;
    type(e, std::string(LineEditor::max_line + 50, 'x') + "\x01\x07\t", &echo);
    EXPECT_EQ(echo.size(), LineEditor::max_line);
    type(e, "\r");
    EXPECT_EQ(std::string(e.line()), std::string(LineEditor::max_line, 'x'));
}

TEST(LineEditor, AnEscapeAtTheEndOfABurstCompletesWithTheNextBytes) {
    LineEditor e;
    type(e, "prev\r");
    type(e, "\x1b");
    type(e, "[");
    type(e, "A\r");
    EXPECT_STREQ(e.line(), "prev");
}
