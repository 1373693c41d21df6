#include "common/cpio.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Bytes = std::vector<uint8_t>;

// Header field offsets (magic is 6 bytes, then 8 hex digits per field).
constexpr size_t field_offset(size_t index) { return 6 + 8 * index; }
constexpr size_t kMode = field_offset(1);
constexpr size_t kFileSize = field_offset(6);
constexpr size_t kNameSize = field_offset(11);
constexpr size_t kHeaderSize = 110;

// Where each entry's parts start, so tests can predict which error a given
// truncation or corruption must produce.
struct Layout {
    size_t header, name, data, end;
};

// Builds newc archives independently of the reader under test.
class Builder {
public:
    Builder& add(const std::string& name, const std::string& content, uint32_t mode = 0100644) {
        const std::string stored = name + '\0';
        Layout l;
        l.header = bytes_.size();
        char header[kHeaderSize + 1];
        std::snprintf(header, sizeof header,
                      "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                      next_ino_++, mode, 0u, 0u, 1u, 0u, static_cast<unsigned>(content.size()),
                      0u, 0u, 0u, 0u, static_cast<unsigned>(stored.size()), 0u);
        append(header, kHeaderSize);
        l.name = bytes_.size();
        append(stored.data(), stored.size());
        pad();
        l.data = bytes_.size();
        append(content.data(), content.size());
        pad();
        l.end = bytes_.size();
        layouts_.push_back(l);
        return *this;
    }

    Builder& trailer() { return add("TRAILER!!!", "", 0); }

    const Bytes& bytes() const { return bytes_; }
    const std::vector<Layout>& layouts() const { return layouts_; }

private:
    void append(const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        bytes_.insert(bytes_.end(), b, b + n);
    }
    void pad() {
        while (bytes_.size() % 4 != 0) bytes_.push_back(0);
    }

    Bytes bytes_;
    std::vector<Layout> layouts_;
    uint32_t next_ino_ = 1;
};

void set_field(Bytes& archive, size_t offset, const char* eight_chars) {
    std::memcpy(archive.data() + offset, eight_chars, 8);
}

std::string name_of(const cpio::File& f) { return std::string(f.name, f.name_length); }
std::string data_of(const cpio::File& f) {
    return std::string(reinterpret_cast<const char*>(f.data), f.size);
}

cpio::Error validate(const Bytes& archive, size_t* count = nullptr) {
    return cpio::validate(archive.data(), archive.size(), count);
}

// Reads the archive to its end and returns the Reader's final state.
struct Outcome {
    std::vector<std::string> names;
    cpio::Error error;
    size_t offset;
};
Outcome read_all(const Bytes& archive) {
    cpio::Reader reader(archive.data(), archive.size());
    Outcome o;
    cpio::File f;
    while (reader.next(f)) o.names.push_back(name_of(f));
    o.error = reader.error();
    o.offset = reader.error_offset();
    return o;
}

Builder sample() {
    Builder b;
    b.add("init", "#!init\n", 0100755)
        .add("empty", "")
        .add("etc", "", 040755)
        .add("etc/motd", "four")
        .add("./dotted/name.txt", "seventeen bytes!!")
        .trailer();
    return b;
}

std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr ? v : "";
}

Bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << "cannot open " << path;
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(Cpio, ParsesEveryEntryInOrder) {
    const Builder b = sample();
    const Bytes& a = b.bytes();
    cpio::Reader reader(a.data(), a.size());
    cpio::File f;

    struct Expect { const char* name; std::string data; uint32_t mode; };
    const Expect expected[] = {
        {"init", "#!init\n", 0100755},
        {"empty", "", 0100644},
        {"etc", "", 040755},
        {"etc/motd", "four", 0100644},
        {"./dotted/name.txt", "seventeen bytes!!", 0100644},
    };
    for (size_t i = 0; i < std::size(expected); ++i) {
        ASSERT_TRUE(reader.next(f)) << i << ": " << cpio::describe(reader.error());
        EXPECT_EQ(name_of(f), expected[i].name);
        EXPECT_EQ(f.name[f.name_length], '\0');
        EXPECT_EQ(data_of(f), expected[i].data);
        EXPECT_EQ(f.mode, expected[i].mode);
        EXPECT_EQ(f.offset, b.layouts()[i].header);
        EXPECT_EQ(f.data, a.data() + b.layouts()[i].data);
    }
    EXPECT_FALSE(reader.next(f));
    EXPECT_EQ(reader.error(), cpio::Error::none);
    EXPECT_EQ(reader.error_offset(), 0u);
    EXPECT_FALSE(reader.next(f));  // stays finished
    EXPECT_EQ(reader.error(), cpio::Error::none);

    EXPECT_EQ(f.mode & cpio::mode_type_mask, cpio::mode_regular);
}

TEST(Cpio, HandlesEveryPaddingCombination) {
    Builder b;
    std::vector<std::pair<std::string, std::string>> files;
    for (size_t name_len = 1; name_len <= 8; ++name_len) {
        for (size_t data_len = 0; data_len <= 8; ++data_len) {
            std::string name(name_len, 'n');
            name[0] = static_cast<char>('a' + data_len);
            std::string data(data_len, static_cast<char>('0' + name_len));
            b.add(name, data);
            files.emplace_back(name, data);
        }
    }
    b.trailer();
    cpio::Reader reader(b.bytes().data(), b.bytes().size());
    cpio::File f;
    for (const auto& [name, data] : files) {
        ASSERT_TRUE(reader.next(f));
        EXPECT_EQ(name_of(f), name);
        EXPECT_EQ(data_of(f), data);
    }
    EXPECT_FALSE(reader.next(f));
    EXPECT_EQ(reader.error(), cpio::Error::none);
}

TEST(Cpio, ValidateCountsEntries) {
    size_t count = 99;
    EXPECT_EQ(validate(sample().bytes(), &count), cpio::Error::none);
    EXPECT_EQ(count, 5u);
    EXPECT_EQ(validate(sample().bytes()), cpio::Error::none);

    EXPECT_EQ(validate(Builder().trailer().bytes(), &count), cpio::Error::none);
    EXPECT_EQ(count, 0u);
}

TEST(Cpio, AcceptsLowercaseHexAndIgnoresBytesAfterTrailer) {
    Bytes a = sample().bytes();
    for (size_t i = 6; i < kHeaderSize; ++i) {
        a[i] = static_cast<uint8_t>(std::tolower(a[i]));
    }
    a.resize(a.size() + 512, 0);  // GNU cpio pads to its block size
    cpio::File f;
    ASSERT_TRUE(cpio::find(a.data(), a.size(), "init", f));
    EXPECT_EQ(f.mode, 0100755u);
    EXPECT_EQ(validate(a), cpio::Error::none);
}

TEST(Cpio, FindMatchesExactNamesOnly) {
    const Bytes a = sample().bytes();
    cpio::File f{};
    ASSERT_TRUE(cpio::find(a.data(), a.size(), "etc/motd", f));
    EXPECT_EQ(data_of(f), "four");
    ASSERT_TRUE(cpio::find(a.data(), a.size(), "empty", f));
    EXPECT_EQ(f.size, 0u);
    ASSERT_TRUE(cpio::find(a.data(), a.size(), "./dotted/name.txt", f));

    EXPECT_FALSE(cpio::find(a.data(), a.size(), "ini", f));
    EXPECT_FALSE(cpio::find(a.data(), a.size(), "initx", f));
    EXPECT_FALSE(cpio::find(a.data(), a.size(), "dotted/name.txt", f));
    EXPECT_FALSE(cpio::find(a.data(), a.size(), "", f));
    EXPECT_FALSE(cpio::find(a.data(), a.size(), "TRAILER!!!", f));
}

TEST(Cpio, FindStopsAtCorruption) {
    const Builder b = sample();
    Bytes a = b.bytes();
    a[b.layouts()[2].header] = 'X';  // breaks "etc"
    cpio::File f;
    EXPECT_TRUE(cpio::find(a.data(), a.size(), "empty", f));
    EXPECT_FALSE(cpio::find(a.data(), a.size(), "etc/motd", f));
}

TEST(Cpio, EveryTruncationIsRefusedWithTheRightError) {
    const Builder b = sample();
    const Bytes& full = b.bytes();
    for (size_t len = 0; len < full.size(); ++len) {
        SCOPED_TRACE("length " + std::to_string(len));
        // Exact-size copy so a sanitizer catches any read past the end.
        const Bytes cut(full.begin(), full.begin() + len);

        cpio::Error expected = cpio::Error::none;
        size_t expected_offset = 0;
        for (const Layout& l : b.layouts()) {
            if (len < l.header || len >= l.end) continue;
            if (len == l.header) {
                expected = cpio::Error::missing_trailer;
                expected_offset = len;
            } else if (len < l.name) {
                expected = cpio::Error::truncated_header;
                expected_offset = l.header;
            } else if (len < l.data) {
                expected = cpio::Error::truncated_name;
                expected_offset = l.name;
            } else {
                expected = cpio::Error::truncated_data;
                expected_offset = l.data;
            }
        }
        const Outcome o = read_all(cut);
        EXPECT_EQ(o.error, expected) << cpio::describe(o.error);
        EXPECT_EQ(o.offset, expected_offset);
        EXPECT_NE(validate(cut), cpio::Error::none);
    }
}

TEST(Cpio, EmptyArchiveHasNoTrailer) {
    const uint8_t byte = 0;
    EXPECT_EQ(cpio::validate(&byte, 0, nullptr), cpio::Error::missing_trailer);
    EXPECT_EQ(cpio::validate(nullptr, 0, nullptr), cpio::Error::missing_trailer);
}

TEST(Cpio, MissingTrailerStillReturnsTheFiles) {
    Builder b;
    b.add("a", "x").add("b", "yy");
    const Outcome o = read_all(b.bytes());
    EXPECT_EQ(o.names, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(o.error, cpio::Error::missing_trailer);
    EXPECT_EQ(o.offset, b.bytes().size());
}

TEST(Cpio, RejectsBadMagic) {
    const Builder b = sample();
    for (const char* magic : {"070707", "070702", "07070", "\0\0\0\0\0\0", "170701"}) {
        Bytes a = b.bytes();
        std::memcpy(a.data() + b.layouts()[3].header, magic, 6);
        const Outcome o = read_all(a);
        EXPECT_EQ(o.names.size(), 3u);  // entries before the damage are still usable
        EXPECT_EQ(o.error, cpio::Error::bad_magic);
        EXPECT_EQ(o.offset, b.layouts()[3].header);
    }
}

TEST(Cpio, RejectsNonHexInAnyField) {
    const Builder b = sample();
    for (size_t field = 0; field < 13; ++field) {
        for (const char bad : {'g', 'G', ' ', 'x', '-', '+', '\0'}) {
            Bytes a = b.bytes();
            const size_t at = b.layouts()[1].header + field_offset(field);
            a[at + field % 8] = static_cast<uint8_t>(bad);
            const Outcome o = read_all(a);
            EXPECT_EQ(o.error, cpio::Error::bad_hex_field) << "field " << field << " char " << int(bad);
            EXPECT_EQ(o.offset, at);
        }
    }
}

TEST(Cpio, RejectsZeroNameSize) {
    Bytes a = sample().bytes();
    set_field(a, kNameSize, "00000000");
    const Outcome o = read_all(a);
    EXPECT_EQ(o.error, cpio::Error::bad_name_size);
    EXPECT_EQ(o.offset, kNameSize);
}

TEST(Cpio, RejectsNameWithoutNul) {
    const Builder b = sample();
    Bytes a = b.bytes();
    a[b.layouts()[0].name + 4] = '!';  // the NUL after "init"
    const Outcome o = read_all(a);
    EXPECT_EQ(o.error, cpio::Error::name_not_terminated);
    EXPECT_EQ(o.offset, b.layouts()[0].name + 4);

    // namesize one short of the real name: the byte it points at is not NUL.
    a = b.bytes();
    set_field(a, kNameSize, "00000004");
    EXPECT_EQ(read_all(a).error, cpio::Error::name_not_terminated);
}

TEST(Cpio, RejectsNulInsideName) {
    const Builder b = sample();
    Bytes a = b.bytes();
    a[b.layouts()[0].name + 2] = '\0';  // "in\0t"
    const Outcome o = read_all(a);
    EXPECT_EQ(o.error, cpio::Error::bad_name_size);
    EXPECT_EQ(o.offset, b.layouts()[0].name + 2);
}

TEST(Cpio, RejectsNameRunningPastTheEnd) {
    Bytes a = sample().bytes();
    for (const char* size : {"FFFFFFFF", "80000000", "00100000"}) {
        set_field(a, kNameSize, size);
        const Outcome o = read_all(a);
        EXPECT_EQ(o.error, cpio::Error::truncated_name) << size;
        EXPECT_EQ(o.offset, kHeaderSize);
    }
}

TEST(Cpio, RejectsHugeFileSize) {
    const Builder b = sample();
    for (const char* size : {"FFFFFFFF", "FFFFFFFC", "7FFFFFFF", "00010000"}) {
        Bytes a = b.bytes();
        set_field(a, b.layouts()[3].header + kFileSize, size);
        const Outcome o = read_all(a);
        EXPECT_EQ(o.names.size(), 3u);
        EXPECT_EQ(o.error, cpio::Error::truncated_data) << size;
        EXPECT_EQ(o.offset, b.layouts()[3].data);
    }
}

TEST(Cpio, FileSizeMisreadingTheLayoutIsCaught) {
    // A slightly wrong size lands the next header off its real position.
    const Builder b = sample();
    Bytes a = b.bytes();
    set_field(a, b.layouts()[0].header + kFileSize, "00000009");  // real size 7
    const Outcome o = read_all(a);
    EXPECT_EQ(o.error, cpio::Error::bad_magic);
    EXPECT_EQ(o.offset, b.layouts()[1].header + 4);
}

TEST(Cpio, ModeIsReportedVerbatim) {
    Bytes a = sample().bytes();
    set_field(a, kMode, "000021B6");  // character device 0666
    cpio::File f;
    ASSERT_TRUE(cpio::find(a.data(), a.size(), "init", f));
    EXPECT_EQ(f.mode, 020666u);
}

TEST(Cpio, DescribeNamesEveryError) {
    using cpio::Error;
    const Error all[] = {Error::none, Error::truncated_header, Error::bad_magic,
                         Error::bad_hex_field, Error::bad_name_size, Error::name_not_terminated,
                         Error::truncated_name, Error::truncated_data, Error::missing_trailer};
    std::vector<std::string> seen;
    for (Error e : all) {
        const char* text = cpio::describe(e);
        ASSERT_NE(text, nullptr);
        EXPECT_GT(std::strlen(text), 0u);
        for (const auto& other : seen) EXPECT_NE(other, text);
        seen.emplace_back(text);
    }
    EXPECT_STREQ(cpio::describe(Error::truncated_header), "truncated header");
    EXPECT_NE(cpio::describe(static_cast<Error>(200)), nullptr);
}

// Guards against the hand-written Builder and the reader sharing a
// misreading of the format: real GNU cpio output must parse too.
TEST(Cpio, ParsesGnuCpioArchive) {
    const std::string path = env_or_empty("CPIO_GNU_ARCHIVE");
    if (path.empty()) GTEST_SKIP() << "CPIO_GNU_ARCHIVE not set";
    const Bytes a = read_file(path);

    size_t count = 0;
    ASSERT_EQ(validate(a, &count), cpio::Error::none);
    EXPECT_GT(count, 0u);

    cpio::Reader reader(a.data(), a.size());
    cpio::File f;
    while (reader.next(f)) {
        EXPECT_EQ(f.name[f.name_length], '\0');
        EXPECT_LE(f.data + f.size, a.data() + a.size());
        cpio::File found;
        ASSERT_TRUE(cpio::find(a.data(), a.size(), f.name, found)) << f.name;
        EXPECT_EQ(found.offset, f.offset);
    }
    EXPECT_EQ(reader.error(), cpio::Error::none);
}

TEST(Cpio, ParsesMkinitrdArchive) {
    const std::string path = env_or_empty("CPIO_MKINITRD_ARCHIVE");
    if (path.empty()) GTEST_SKIP() << "CPIO_MKINITRD_ARCHIVE not set";
    const Bytes a = read_file(path);

    std::vector<std::string> expected;
    std::stringstream list(env_or_empty("CPIO_MKINITRD_FILES"));
    for (std::string name; std::getline(list, name, ',');) {
        if (!name.empty()) expected.push_back(name);
    }

    const Outcome o = read_all(a);
    EXPECT_EQ(o.error, cpio::Error::none) << cpio::describe(o.error) << " at " << o.offset;
    EXPECT_EQ(o.names, expected);
    for (const auto& name : expected) {
        cpio::File f;
        ASSERT_TRUE(cpio::find(a.data(), a.size(), name.c_str(), f)) << name;
        EXPECT_EQ(f.mode & cpio::mode_type_mask, cpio::mode_regular) << name;
    }
}

}  // namespace
