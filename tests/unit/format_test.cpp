// Host unit tests for lib::vformat / lib::format_to (libsys/common/format.cpp).
#include "common/format.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

namespace {

// Formats through lib::format_to into a generous buffer and checks that the
// returned length matches what was written.
[[gnu::format(printf, 1, 2)]] std::string fmt(const char* format, ...) {
    char buffer[512];
    std::memset(buffer, 'X', sizeof buffer);
    va_list args;
    va_start(args, format);
    size_t n = lib::vformat_to(buffer, sizeof buffer, format, args);
    va_end(args);
    EXPECT_LT(n, sizeof buffer);
    EXPECT_EQ(std::strlen(buffer), n) << "format: " << format;
    return std::string(buffer, n);
}

// The C library's answer, for conversions whose behaviour is standard.
[[gnu::format(printf, 1, 2)]] std::string libc(const char* format, ...) {
    char buffer[512];
    va_list args;
    va_start(args, format);
    int n = std::vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    EXPECT_GE(n, 0);
    return std::string(buffer, size_t(n));
}

// Unchecked variants, for formats that are deliberately non-standard (unknown
// conversions, a trailing '%', null strings, "-0" flags) and would trip
// -Wformat in the checked helpers above.
std::string fmt_raw(const char* format, ...) {
    char buffer[512];
    va_list args;
    va_start(args, format);
    size_t n = lib::vformat_to(buffer, sizeof buffer, format, args);
    va_end(args);
    EXPECT_LT(n, sizeof buffer);
    EXPECT_EQ(std::strlen(buffer), n) << "format: " << format;
    return std::string(buffer, n);
}

std::string libc_raw(const char* format, ...) {
    char buffer[512];
    va_list args;
    va_start(args, format);
    int n = std::vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    EXPECT_GE(n, 0);
    return std::string(buffer, size_t(n));
}

// Collects vformat's output through a custom sink.
void string_sink(void* context, char c) { static_cast<std::string*>(context)->push_back(c); }

size_t via_sink(std::string& out, const char* format, ...) {
    va_list args;
    va_start(args, format);
    size_t n = lib::vformat(string_sink, &out, format, args);
    va_end(args);
    return n;
}

// Same as the C library, for standard behaviour.
#define EXPECT_STD(...) EXPECT_EQ(fmt(__VA_ARGS__), libc(__VA_ARGS__))
#define EXPECT_EQ_RAW(...) EXPECT_EQ(fmt_raw(__VA_ARGS__), libc_raw(__VA_ARGS__))

TEST(Format, PlainText) {
    EXPECT_EQ(fmt("%s", ""), "");
    EXPECT_EQ(fmt("hello, world"), "hello, world");
    EXPECT_EQ(fmt("%%"), "%");
    EXPECT_EQ(fmt("100%% sure %%%%"), "100% sure %%");
}

TEST(Format, Characters) {
    EXPECT_EQ(fmt("%c", 'a'), "a");
    EXPECT_EQ(fmt("[%c%c%c]", 'x', 'y', 'z'), "[xyz]");
    EXPECT_STD("[%3c]", 'q');
    EXPECT_STD("[%-3c]", 'q');
    EXPECT_EQ(fmt("[%3c]", 'q'), "[  q]");
    EXPECT_EQ(fmt("[%-3c]", 'q'), "[q  ]");
}

TEST(Format, CharacterNulIsCounted) {
    char buffer[8];
    std::memset(buffer, 'X', sizeof buffer);
    size_t n = lib::format_to(buffer, sizeof buffer, "a%cb", 0);
    EXPECT_EQ(n, 3u);
    EXPECT_EQ(buffer[0], 'a');
    EXPECT_EQ(buffer[1], '\0');
    EXPECT_EQ(buffer[2], 'b');
    EXPECT_EQ(buffer[3], '\0');
}

TEST(Format, Strings) {
    EXPECT_EQ(fmt("%s", "abc"), "abc");
    EXPECT_EQ(fmt("<%s|%s>", "", "x"), "<|x>");
    EXPECT_STD("[%8s]", "abc");
    EXPECT_STD("[%-8s]", "abc");
    EXPECT_STD("[%2s]", "abcdef");
    EXPECT_STD("[%-2s]", "abcdef");
    EXPECT_EQ(fmt("[%6s]", "abc"), "[   abc]");
    EXPECT_EQ(fmt("[%-6s]", "abc"), "[abc   ]");
}

TEST(Format, NullString) {
    EXPECT_EQ(fmt_raw("%s", static_cast<const char*>(nullptr)), "(null)");
    EXPECT_EQ(fmt_raw("[%8s]", static_cast<const char*>(nullptr)), "[  (null)]");
    EXPECT_EQ(fmt_raw("[%-8s]", static_cast<const char*>(nullptr)), "[(null)  ]");
    EXPECT_EQ(fmt_raw("[%.3s]", static_cast<const char*>(nullptr)), "[(nu]");
}

TEST(Format, StringPrecision) {
    EXPECT_STD("[%.3s]", "abcdef");
    EXPECT_STD("[%.0s]", "abcdef");
    EXPECT_STD("[%.10s]", "abc");
    EXPECT_STD("[%.s]", "abc");  // "." alone means precision 0
    EXPECT_STD("[%6.2s]", "abcdef");
    EXPECT_STD("[%-6.2s]", "abcdef");
    EXPECT_STD("[%.*s]", 2, "abcdef");
    EXPECT_STD("[%.*s]", 0, "abcdef");
    EXPECT_STD("[%.*s]", 100, "abcdef");
    EXPECT_STD("[%8.*s]", 3, "abcdef");
    EXPECT_STD("[%-8.*s]", 3, "abcdef");
    EXPECT_EQ(fmt("[%.3s]", "abcdef"), "[abc]");
    EXPECT_EQ(fmt("[%.*s]", 4, "abcdef"), "[abcd]");
    // A negative precision from '*' is taken as if omitted (C11 7.21.6.1p5).
    EXPECT_STD("[%.*s]", -1, "abcdef");
    EXPECT_EQ(fmt("[%.*s]", -5, "abcdef"), "[abcdef]");
    // '*' consumes its int, then the string follows.
    EXPECT_EQ(fmt("%.*s|%d", 1, "xyz", 7), "x|7");
}

TEST(Format, StringPrecisionDoesNotReadPastLimit) {
    // C11 7.21.6.1p8: with a precision, the array need not be NUL-terminated
    // if it is at least that long, so no byte past the limit may be read.
    // The characters sit right before an inaccessible page; the formatting
    // runs in a child so that an over-read is reported as a failure.
    long page = sysconf(_SC_PAGESIZE);
    auto* map = static_cast<char*>(
        mmap(nullptr, size_t(2 * page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    ASSERT_NE(map, MAP_FAILED);
    ASSERT_EQ(mprotect(map + page, size_t(page), PROT_NONE), 0);
    char* unterminated = map + page - 4;
    std::memcpy(unterminated, "wxyz", 4);
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(
        {
            char buffer[8];
            bool ok = lib::format_to(buffer, sizeof buffer, "%.4s", unterminated) == 4 &&
                      std::strcmp(buffer, "wxyz") == 0;
            ok = ok && lib::format_to(buffer, sizeof buffer, "%.*s", 2, unterminated + 2) == 2 &&
                 std::strcmp(buffer, "yz") == 0;
            std::_Exit(ok ? 0 : 1);
        },
        testing::ExitedWithCode(0), "");
    munmap(map, size_t(2 * page));
}

TEST(Format, SignedDecimal) {
    EXPECT_EQ(fmt("%d", 0), "0");
    EXPECT_EQ(fmt("%d", 42), "42");
    EXPECT_EQ(fmt("%d", -42), "-42");
    EXPECT_EQ(fmt("%i", -7), "-7");
    EXPECT_STD("%d", INT_MAX);
    EXPECT_STD("%d", INT_MIN);
    EXPECT_STD("%i", INT_MIN);
    EXPECT_EQ(fmt("%d", INT_MIN), "-2147483648");
    EXPECT_STD("%ld", LONG_MAX);
    EXPECT_STD("%ld", LONG_MIN);
    EXPECT_STD("%lld", LLONG_MAX);
    EXPECT_STD("%lld", LLONG_MIN);
    EXPECT_STD("%lli", -1LL);
    EXPECT_EQ(fmt("%lld", static_cast<long long>(INT64_MIN)), "-9223372036854775808");
    EXPECT_EQ(fmt("%ld", static_cast<long>(INT64_MIN)), "-9223372036854775808");
    EXPECT_EQ(fmt("%lld", static_cast<long long>(INT64_MAX)), "9223372036854775807");
    EXPECT_STD("%zd", static_cast<ssize_t>(-12345));
    EXPECT_STD("%zi", static_cast<ssize_t>(INT64_MIN));
}

TEST(Format, IntArgumentIsSignExtendedWithoutModifier) {
    // %d reads an int: the upper half of a 64-bit register must not leak in.
    EXPECT_EQ(fmt("%d %d", -1, 5), "-1 5");
    EXPECT_EQ(fmt("%u", 0xFFFFFFFFu), "4294967295");
    EXPECT_EQ(fmt("%x", 0xFFFFFFFFu), "ffffffff");
}

TEST(Format, Unsigned) {
    EXPECT_EQ(fmt("%u", 0u), "0");
    EXPECT_EQ(fmt("%u", 3000000000u), "3000000000");
    EXPECT_STD("%u", UINT_MAX);
    EXPECT_STD("%lu", ULONG_MAX);
    EXPECT_STD("%llu", ULLONG_MAX);
    EXPECT_STD("%zu", SIZE_MAX);
    EXPECT_STD("%zu", static_cast<size_t>(0));
    EXPECT_EQ(fmt("%llu", static_cast<unsigned long long>(UINT64_MAX)), "18446744073709551615");
}

TEST(Format, OctalAndHex) {
    EXPECT_EQ(fmt("%o", 8u), "10");
    EXPECT_EQ(fmt("%o", 0u), "0");
    EXPECT_EQ(fmt("%x", 0u), "0");
    EXPECT_EQ(fmt("%x", 0xdeadbeefu), "deadbeef");
    EXPECT_EQ(fmt("%X", 0xdeadbeefu), "DEADBEEF");
    EXPECT_STD("%o", UINT_MAX);
    EXPECT_STD("%lo", ULONG_MAX);  // 22 octal digits: the longest number
    EXPECT_STD("%llo", ULLONG_MAX);
    EXPECT_STD("%lx", ULONG_MAX);
    EXPECT_STD("%llX", ULLONG_MAX);
    EXPECT_STD("%zx", static_cast<size_t>(0x123456789abcdefULL));
    EXPECT_STD("%lX", 0xABCDEF0123456789UL);
}

TEST(Format, WidthAndFlagsOnNumbers) {
    EXPECT_STD("[%5d]", 42);
    EXPECT_STD("[%-5d]", 42);
    EXPECT_STD("[%05d]", 42);
    EXPECT_STD("[%5d]", -42);
    EXPECT_STD("[%-5d]", -42);
    EXPECT_STD("[%1d]", 12345);
    EXPECT_STD("[%08x]", 0xbeefu);
    EXPECT_STD("[%-8x]", 0xbeefu);
    EXPECT_STD("[%8X]", 0xbeefu);
    EXPECT_STD("[%016lx]", 0x1234UL);
    EXPECT_STD("[%020lu]", ULONG_MAX);
    EXPECT_STD("[%06o]", 0755u);
    EXPECT_STD("[%10u]", 0u);
    EXPECT_STD("[%010u]", 0u);
    EXPECT_STD("[%3zu]", static_cast<size_t>(7));
    EXPECT_STD("[%03zu]", static_cast<size_t>(7));
    EXPECT_EQ(fmt("[%05d]", 42), "[00042]");
    EXPECT_EQ(fmt("[%-5d]", 42), "[42   ]");
    EXPECT_EQ(fmt("[%5d]", -42), "[  -42]");
}

TEST(Format, MinusOverridesZero) {
    // C11 7.21.6.1p6: if both '0' and '-' appear, '0' is ignored.
    EXPECT_EQ_RAW("[%-05d]", 42);
    EXPECT_EQ_RAW("[%0-5d]", 42);
    EXPECT_EQ_RAW("[%-05d]", -42);
    EXPECT_EQ_RAW("[%-08x]", 0xabu);
    EXPECT_EQ(fmt_raw("[%-05d]", -42), "[-42  ]");
    EXPECT_EQ(fmt_raw("[%0-6u]", 12u), "[12    ]");
}

TEST(Format, ZeroPaddedNegative) {
    // The sign goes before the zeros.
    EXPECT_STD("[%05d]", -42);
    EXPECT_STD("[%06d]", -1);
    EXPECT_STD("[%03d]", -42);  // exactly fits
    EXPECT_STD("[%02d]", -42);  // too narrow
    EXPECT_STD("[%01d]", -5);
    EXPECT_STD("[%020lld]", LLONG_MIN);
    EXPECT_STD("[%025lld]", LLONG_MIN);
    EXPECT_STD("[%010d]", INT_MIN);
    EXPECT_EQ(fmt("[%05d]", -42), "[-0042]");
    EXPECT_EQ(fmt("[%04d]", -123), "[-123]");
    // '0' without a width is just a flag with nothing to pad.
    EXPECT_EQ(fmt("[%0d]", -42), "[-42]");
}

TEST(Format, WideFields) {
    EXPECT_STD("[%40d]", -123456);
    EXPECT_STD("[%-40s]", "left");
    EXPECT_STD("[%040lx]", 0xfeedUL);
    EXPECT_EQ(fmt("%100d", 1).size(), 100u);
}

TEST(Format, Pointer) {
    int object;
    void* p = &object;
    char expected[32];
    std::snprintf(expected, sizeof expected, "0x%016lx", reinterpret_cast<unsigned long>(p));
    EXPECT_EQ(fmt("%p", p), expected);
    EXPECT_EQ(fmt("%p", static_cast<void*>(nullptr)), "0x0000000000000000");
    EXPECT_EQ(fmt("%p", reinterpret_cast<void*>(0xffffffff80000000UL)), "0xffffffff80000000");
    EXPECT_EQ(fmt("%p", reinterpret_cast<void*>(0x1234UL)), "0x0000000000001234");
    EXPECT_EQ(fmt("[%p|%d]", reinterpret_cast<void*>(0xabcUL), 9), "[0x0000000000000abc|9]");
}

TEST(Format, MixedArguments) {
    EXPECT_STD("%s=%d %c", "answer", 42, '!');
    EXPECT_STD("%s:%u:%ld:%llx:%zu:%c:%%", "f", 1u, -2L, 3ULL, static_cast<size_t>(4), 'e');
    EXPECT_EQ(fmt("%s:%u:%ld:%llx:%zu:%c:%%", "f", 1u, -2L, 0xabULL, static_cast<size_t>(4), 'e'),
              "f:1:-2:ab:4:e:%");
}

TEST(Format, UnknownConversionPrintedLiterally) {
    EXPECT_EQ(fmt_raw("%q"), "%q");
    EXPECT_EQ(fmt_raw("a%qb"), "a%qb");
    EXPECT_EQ(fmt_raw("%5q|%-3y"), "%5q|%-3y");
    EXPECT_EQ(fmt_raw("%lq"), "%lq");
    // An unknown conversion consumes no argument: the next one still lines up.
    EXPECT_EQ(fmt_raw("%k %d", 17), "%k 17");
    EXPECT_EQ(fmt_raw("%hd", 5), "%hd");  // 'h' is unsupported: printed as written
    EXPECT_EQ(fmt_raw("%f|%s", "next"), "%f|next");
}

TEST(Format, TrailingPercent) {
    EXPECT_EQ(fmt_raw("%"), "%");
    EXPECT_EQ(fmt_raw("abc%"), "abc%");
    EXPECT_EQ(fmt_raw("abc%-"), "abc%-");
    EXPECT_EQ(fmt_raw("abc%05"), "abc%05");
    EXPECT_EQ(fmt_raw("abc%l"), "abc%l");
    EXPECT_EQ(fmt_raw("abc%ll"), "abc%ll");
    EXPECT_EQ(fmt_raw("abc%z"), "abc%z");
    EXPECT_EQ(fmt_raw("abc%."), "abc%.");
    EXPECT_EQ(fmt_raw("%d%", 3), "3%");
    std::string out;
    EXPECT_EQ(via_sink(out, "x%"), 2u);
    EXPECT_EQ(out, "x%");
}

TEST(Format, SinkReceivesEverything) {
    std::string out;
    size_t n = via_sink(out, "%s-%05d-%x", "abc", -12, 255u);
    EXPECT_EQ(out, "abc--0012-ff");
    EXPECT_EQ(n, out.size());
    out.clear();
    const char* empty = "";
    EXPECT_EQ(via_sink(out, empty), 0u);
    EXPECT_EQ(out, "");
}

TEST(FormatTo, FitsExactly) {
    char buffer[6];
    std::memset(buffer, 'X', sizeof buffer);
    EXPECT_EQ(lib::format_to(buffer, sizeof buffer, "%s", "hello"), 5u);
    EXPECT_STREQ(buffer, "hello");
}

TEST(FormatTo, TruncatesAndTerminates) {
    for (size_t size = 1; size <= 12; ++size) {
        char buffer[16];
        char expected[16];
        std::memset(buffer, 'X', sizeof buffer);
        std::memset(expected, 'X', sizeof expected);
        size_t n = lib::format_to(buffer, size, "%s=%05d", "value", -42);
        int m = std::snprintf(expected, size, "%s=%05d", "value", -42);
        EXPECT_EQ(n, 11u) << "size " << size;  // "value=-0042"
        EXPECT_EQ(n, size_t(m)) << "size " << size;
        EXPECT_EQ(std::memcmp(buffer, expected, sizeof buffer), 0) << "size " << size;
        EXPECT_EQ(std::strlen(buffer), std::min(size - 1, n)) << "size " << size;
        // Nothing written past the buffer.
        for (size_t i = size; i < sizeof buffer; ++i) EXPECT_EQ(buffer[i], 'X') << size << ":" << i;
    }
}

TEST(FormatTo, SizeOneGivesEmptyString) {
    char buffer[4] = {'X', 'X', 'X', 'X'};
    EXPECT_EQ(lib::format_to(buffer, 1, "abc%d", 123), 6u);
    EXPECT_EQ(buffer[0], '\0');
    EXPECT_EQ(buffer[1], 'X');
}

TEST(FormatTo, SizeZeroWritesNothing) {
    char buffer[4] = {'X', 'X', 'X', 'X'};
    EXPECT_EQ(lib::format_to(buffer, 0, "abc%d", 123), 6u);
    for (char c : buffer) EXPECT_EQ(c, 'X');
    // With size 0 the buffer is never touched, so a null one is fine.
    EXPECT_EQ(lib::format_to(nullptr, 0, "%s %lu", "hello", 1234567UL), 13u);
}

TEST(FormatTo, ReturnsUntruncatedLength) {
    char buffer[4];
    EXPECT_EQ(lib::format_to(buffer, sizeof buffer, "%100d", 1), 100u);
    EXPECT_STREQ(buffer, "   ");
    EXPECT_EQ(lib::format_to(buffer, sizeof buffer, "%p", static_cast<void*>(nullptr)), 18u);
    EXPECT_STREQ(buffer, "0x0");
    EXPECT_EQ(lib::format_to(buffer, sizeof buffer, "%lld", LLONG_MIN), 20u);
    EXPECT_STREQ(buffer, "-92");
    EXPECT_EQ(lib::format_to(buffer, sizeof buffer, "%%%%%%%%%%"), 5u);
    EXPECT_STREQ(buffer, "%%%");
}

TEST(FormatTo, EmptyFormat) {
    char buffer[4] = {'X', 'X', 'X', 'X'};
    EXPECT_EQ(lib::format_to(buffer, sizeof buffer, "%s", ""), 0u);
    EXPECT_EQ(buffer[0], '\0');
    EXPECT_EQ(buffer[1], 'X');
}

}  // namespace
