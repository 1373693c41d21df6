#include "common/cpio.hpp"

namespace cpio {
namespace {

// newc header: 6-byte magic, then 13 fields of 8 hex digits each.
constexpr size_t header_size = 110;
constexpr size_t field_width = 8;
constexpr size_t mode_field = 1;
constexpr size_t filesize_field = 6;
constexpr size_t namesize_field = 11;
constexpr size_t field_count = 13;

constexpr char magic[] = "070701";
constexpr char trailer_name[] = "TRAILER!!!";

// Padding is relative to the archive start, not to the address it is loaded at.
constexpr size_t padding_after(size_t offset) { return (4 - offset % 4) % 4; }

bool equal(const uint8_t* a, const char* b, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        if (a[i] != static_cast<uint8_t>(b[i])) return false;
    }
    return true;
}

size_t length_of(const char* s) {
    size_t n = 0;
    while (s[n] != '\0') ++n;
    return n;
}

// Strict on purpose: no "0x", sign or whitespace, which a lenient strtoul
// would accept and a corrupted header could exploit.
bool parse_hex(const uint8_t* text, uint32_t& out) {
    uint32_t value = 0;
    for (size_t i = 0; i < field_width; ++i) {
        const uint8_t c = text[i];
        uint32_t digit;
        if (c >= '0' && c <= '9') digit = c - '0';
        else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
        else return false;
        value = value << 4 | digit;
    }
    out = value;
    return true;
}

}  // namespace

const char* describe(Error e) {
    switch (e) {
    case Error::none: return "no error";
    case Error::truncated_header: return "truncated header";
    case Error::bad_magic: return "bad magic (not newc)";
    case Error::bad_hex_field: return "non-hex header field";
    case Error::bad_name_size: return "bad name size";
    case Error::name_not_terminated: return "name not NUL-terminated";
    case Error::truncated_name: return "truncated name";
    case Error::truncated_data: return "truncated data";
    case Error::missing_trailer: return "missing trailer";
    }
    return "unknown error";
}

Reader::Reader(const void* archive, size_t size)
    : base_(static_cast<const uint8_t*>(archive)), size_(size) {}

bool Reader::fail(Error e, size_t offset) {
    done_ = true;
    error_ = e;
    error_offset_ = offset;
    return false;
}

// Invariant: pos_ <= size_, so `size_ - x` for any checked x <= size_ never
// wraps. Each length is compared against the remaining bytes rather than added
// to an offset, which is what keeps huge fields from overflowing.
bool Reader::next(File& out) {
    if (done_) return false;

    const size_t start = pos_;
    const size_t remaining = size_ - start;
    if (remaining == 0) return fail(Error::missing_trailer, start);
    if (remaining < header_size) return fail(Error::truncated_header, start);

    const uint8_t* header = base_ + start;
    if (!equal(header, magic, sizeof magic - 1)) return fail(Error::bad_magic, start);

    uint32_t fields[field_count];
    for (size_t i = 0; i < field_count; ++i) {
        const size_t at = sizeof magic - 1 + i * field_width;
        if (!parse_hex(header + at, fields[i])) return fail(Error::bad_hex_field, start + at);
    }

    const size_t name_start = start + header_size;
    const size_t name_size = fields[namesize_field];
    if (name_size == 0) {
        return fail(Error::bad_name_size, start + sizeof magic - 1 + namesize_field * field_width);
    }
    if (name_size > size_ - name_start) return fail(Error::truncated_name, name_start);

    const char* name = reinterpret_cast<const char*>(base_ + name_start);
    const size_t name_length = name_size - 1;
    if (name[name_length] != '\0') return fail(Error::name_not_terminated, name_start + name_length);
    // An earlier NUL would make C-string users see a different name than we
    // compare against, so namesize must describe the name exactly.
    for (size_t i = 0; i < name_length; ++i) {
        if (name[i] == '\0') return fail(Error::bad_name_size, name_start + i);
    }

    const size_t name_end = name_start + name_size;
    if (padding_after(name_end) > size_ - name_end) return fail(Error::truncated_name, name_start);
    const size_t data_start = name_end + padding_after(name_end);

    if (name_length == sizeof trailer_name - 1 && equal(base_ + name_start, trailer_name, name_length)) {
        done_ = true;
        pos_ = data_start;
        return false;
    }

    const size_t data_size = fields[filesize_field];
    if (data_size > size_ - data_start) return fail(Error::truncated_data, data_start);
    const size_t data_end = data_start + data_size;
    if (padding_after(data_end) > size_ - data_end) return fail(Error::truncated_data, data_start);

    out.name = name;
    out.name_length = name_length;
    out.data = base_ + data_start;
    out.size = data_size;
    out.mode = fields[mode_field];
    out.offset = start;
    pos_ = data_end + padding_after(data_end);
    return true;
}

Error validate(const void* archive, size_t size, size_t* count) {
    Reader reader(archive, size);
    File file;
    size_t n = 0;
    while (reader.next(file)) ++n;
    if (count != nullptr) *count = n;
    return reader.error();
}

bool find(const void* archive, size_t size, const char* name, File& out) {
    const size_t length = length_of(name);
    Reader reader(archive, size);
    File file;
    while (reader.next(file)) {
        if (file.name_length == length && equal(reinterpret_cast<const uint8_t*>(file.name), name, length)) {
            out = file;
            return true;
        }
    }
    return false;
}

}  // namespace cpio
