// Host unit tests for lib::CommandLine (kernel/lib/command_line.cpp).
#include "lib/command_line.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace {

// value() as a std::string, or "<absent>" when it returns false.
std::string value_of(const lib::CommandLine& cl, const char* key, size_t capacity = 64) {
    char out[128];
    std::memset(out, 'X', sizeof out);
    if (!cl.value(key, out, capacity)) return "<absent>";
    EXPECT_LT(std::strlen(out), capacity);
    return out;
}

TEST(CommandLine, NullText) {
    lib::CommandLine cl(nullptr);
    EXPECT_STREQ(cl.text(), "");
    EXPECT_FALSE(cl.flag("anything"));
    EXPECT_EQ(value_of(cl, "anything"), "<absent>");
}

TEST(CommandLine, EmptyAndBlank) {
    for (const char* text : {"", " ", "   ", "\t", " \t\n "}) {
        lib::CommandLine cl(text);
        EXPECT_STREQ(cl.text(), text);
        EXPECT_FALSE(cl.flag("a")) << '"' << text << '"';
        EXPECT_EQ(value_of(cl, "a"), "<absent>");
    }
}

TEST(CommandLine, TextIsKept) {
    const char* text = "log=debug selftest";
    lib::CommandLine cl(text);
    EXPECT_EQ(cl.text(), text);
}

TEST(CommandLine, BareKey) {
    lib::CommandLine cl("selftest");
    EXPECT_TRUE(cl.flag("selftest"));
    // A bare key has no value.
    EXPECT_EQ(value_of(cl, "selftest"), "<absent>");
    EXPECT_FALSE(cl.flag("other"));
}

TEST(CommandLine, KeyValue) {
    lib::CommandLine cl("log=debug init=/bin/sh root=ramfs");
    EXPECT_EQ(value_of(cl, "log"), "debug");
    EXPECT_EQ(value_of(cl, "init"), "/bin/sh");
    EXPECT_EQ(value_of(cl, "root"), "ramfs");
    EXPECT_EQ(value_of(cl, "missing"), "<absent>");
}

TEST(CommandLine, ValueMayContainEquals) {
    lib::CommandLine cl("opt=a=b=c next");
    EXPECT_EQ(value_of(cl, "opt"), "a=b=c");
    EXPECT_EQ(value_of(cl, "opt=a"), "<absent>");
    EXPECT_TRUE(cl.flag("next"));
}

TEST(CommandLine, SeparatorsSpacesTabsNewlines) {
    lib::CommandLine cl("   a=1 \t\t b=two\n\nc   \td=4\n");
    EXPECT_EQ(value_of(cl, "a"), "1");
    EXPECT_EQ(value_of(cl, "b"), "two");
    EXPECT_TRUE(cl.flag("c"));
    EXPECT_EQ(value_of(cl, "d"), "4");
    EXPECT_FALSE(cl.flag(""));
}

TEST(CommandLine, KeyPrefixesDoNotMatch) {
    lib::CommandLine cl("selftests loglevel=x verbose=1");
    EXPECT_FALSE(cl.flag("selftest"));  // a prefix of the word
    EXPECT_FALSE(cl.flag("selftestsx"));  // longer than the word
    EXPECT_TRUE(cl.flag("selftests"));
    EXPECT_FALSE(cl.flag("log"));
    EXPECT_EQ(value_of(cl, "log"), "<absent>");
    EXPECT_EQ(value_of(cl, "loglevel"), "x");
    EXPECT_FALSE(cl.flag("loglevel"));  // "x" is not a true value
    EXPECT_FALSE(cl.flag("verb"));
    EXPECT_FALSE(cl.flag("verbose1"));
    EXPECT_TRUE(cl.flag("verbose"));
}

TEST(CommandLine, KeyLongerThanWordDoesNotMatch) {
    lib::CommandLine cl("log=1");
    EXPECT_FALSE(cl.flag("loglevel"));
    EXPECT_EQ(value_of(cl, "loglevel"), "<absent>");
}

TEST(CommandLine, ValuesDoNotMatchAsKeys) {
    lib::CommandLine cl("init=selftest");
    EXPECT_FALSE(cl.flag("selftest"));
    EXPECT_EQ(value_of(cl, "selftest"), "<absent>");
}

TEST(CommandLine, EmptyKeyWordIgnored) {
    lib::CommandLine cl("=value a");
    EXPECT_FALSE(cl.flag(""));
    EXPECT_EQ(value_of(cl, ""), "<absent>");
    EXPECT_TRUE(cl.flag("a"));
}

TEST(CommandLine, LaterWordsWin) {
    lib::CommandLine cl("log=info x=1 log=debug x=0");
    EXPECT_EQ(value_of(cl, "log"), "debug");
    EXPECT_FALSE(cl.flag("x"));

    lib::CommandLine cl2("x=0 x");
    EXPECT_TRUE(cl2.flag("x"));
    EXPECT_EQ(value_of(cl2, "x"), "<absent>");  // the bare word has no value

    lib::CommandLine cl3("x x=no");
    EXPECT_FALSE(cl3.flag("x"));
    EXPECT_EQ(value_of(cl3, "x"), "no");
}

TEST(CommandLine, FlagTrueValues) {
    for (const char* text : {"f", "f=1", "f=yes", "f=on", "f=true", "  f=true  "}) {
        lib::CommandLine cl(text);
        EXPECT_TRUE(cl.flag("f")) << text;
    }
}

TEST(CommandLine, FlagFalseValues) {
    for (const char* text : {"f=0", "f=no", "f=off", "f=false", "f=", "f=2", "f=yess", "f=ye",
                             "f=Yes", "f=TRUE", "f=10", "f=1x", "g", "ff", "f_", ""}) {
        lib::CommandLine cl(text);
        EXPECT_FALSE(cl.flag("f")) << text;
    }
}

TEST(CommandLine, EmptyValue) {
    lib::CommandLine cl("key= other=x");
    // "key=" is present with an empty value.
    EXPECT_EQ(value_of(cl, "key"), "");
    EXPECT_FALSE(cl.flag("key"));
    EXPECT_EQ(value_of(cl, "other"), "x");

    lib::CommandLine at_end("other=x key=");
    EXPECT_EQ(value_of(at_end, "key"), "");
}

TEST(CommandLine, ValueTruncatedToCapacity) {
    lib::CommandLine cl("path=/a/long/value next=1");
    EXPECT_EQ(value_of(cl, "path", 64), "/a/long/value");
    EXPECT_EQ(value_of(cl, "path", 14), "/a/long/value");  // exactly fits with the NUL
    EXPECT_EQ(value_of(cl, "path", 13), "/a/long/valu");
    EXPECT_EQ(value_of(cl, "path", 5), "/a/l");
    EXPECT_EQ(value_of(cl, "path", 2), "/");
}

TEST(CommandLine, ValueWritesNoMoreThanCapacity) {
    lib::CommandLine cl("k=abcdefgh");
    char out[16];
    std::memset(out, 'X', sizeof out);
    ASSERT_TRUE(cl.value("k", out, 4));
    EXPECT_STREQ(out, "abc");
    for (size_t i = 4; i < sizeof out; ++i) EXPECT_EQ(out[i], 'X') << i;
}

TEST(CommandLine, CapacityOne) {
    lib::CommandLine cl("k=abc");
    char out[4] = {'X', 'X', 'X', 'X'};
    ASSERT_TRUE(cl.value("k", out, 1));
    EXPECT_EQ(out[0], '\0');
    EXPECT_EQ(out[1], 'X');
}

TEST(CommandLine, CapacityZero) {
    lib::CommandLine cl("k=abc");
    char out[2] = {'X', 'X'};
    EXPECT_FALSE(cl.value("k", out, 0));
    EXPECT_EQ(out[0], 'X');
    // Nothing is written, so a null buffer is fine too.
    EXPECT_FALSE(cl.value("k", nullptr, 0));
}

TEST(CommandLine, AbsentKeyLeavesOutputUntouched) {
    lib::CommandLine cl("a=1 b");
    char out[4] = {'X', 'X', 'X', 'X'};
    EXPECT_FALSE(cl.value("c", out, sizeof out));
    EXPECT_FALSE(cl.value("b", out, sizeof out));
    for (char c : out) EXPECT_EQ(c, 'X');
}

TEST(CommandLine, ValueDoesNotRunIntoNextWord) {
    lib::CommandLine cl("a=1\tb=2\nc=3");
    EXPECT_EQ(value_of(cl, "a"), "1");
    EXPECT_EQ(value_of(cl, "b"), "2");
    EXPECT_EQ(value_of(cl, "c"), "3");
}

// Numeric option values (timercheck=N): whole decimal numbers only.
TEST(CommandLine, NumberAcceptsWholeDecimalNumbersOnly) {
    uint64_t n = 7;
    bool malformed = true;
    EXPECT_FALSE(lib::CommandLine("other=5").number("n", n, &malformed));
    EXPECT_FALSE(malformed);
    EXPECT_EQ(n, 7u);
    EXPECT_TRUE(lib::CommandLine("a n=0 b").number("n", n, &malformed));
    EXPECT_EQ(n, 0u);
    EXPECT_TRUE(lib::CommandLine("n=10000").number("n", n));
    EXPECT_EQ(n, 10000u);
    EXPECT_TRUE(lib::CommandLine("n=18446744073709551615").number("n", n));
    EXPECT_EQ(n, UINT64_MAX);
    for (const char* bad : {"n", "n=", "n=12x", "n=x12", "n=-1", "n=+1", "n=18446744073709551616",
                            "n=99999999999999999999"}) {
        n = 7;
        malformed = false;
        EXPECT_FALSE(lib::CommandLine(bad).number("n", n, &malformed)) << bad;
        EXPECT_TRUE(malformed) << bad;
        EXPECT_EQ(n, 7u) << "left unchanged for " << bad;
    }
}

}  // namespace
