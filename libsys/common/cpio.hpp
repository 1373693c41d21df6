// Reader for cpio "newc" archives (the initrd format).
//
// Works in place on a byte range: nothing is copied or allocated, so it is
// usable in the kernel before any allocator exists, and returned pointers stay
// valid only as long as the archive memory does. Every length in the archive
// is untrusted and checked against the range before anything is touched.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cpio {

enum class Error : uint8_t {
    none,
    truncated_header,     // archive ends inside a 110-byte header
    bad_magic,            // header does not start with "070701"
    bad_hex_field,        // a numeric header field holds a non-hex character
    bad_name_size,        // namesize is 0, or the name holds a NUL before its end
    name_not_terminated,  // last byte of the name is not NUL
    truncated_name,       // archive ends inside the name or its padding
    truncated_data,       // archive ends inside the file data or its padding
    missing_trailer,      // archive ends between entries without "TRAILER!!!"
};

// Short lower-case text for `e`, e.g. "truncated header"; never null.
const char* describe(Error e);

// File type bits of File::mode (same values as POSIX S_IF*).
inline constexpr uint32_t mode_type_mask = 0170000;
inline constexpr uint32_t mode_regular = 0100000;
inline constexpr uint32_t mode_directory = 0040000;

struct File {
    const char* name;      // NUL-terminated, exactly as stored (no "./" stripping)
    size_t name_length;    // excluding the NUL
    const uint8_t* data;   // `size` bytes inside the archive
    size_t size;
    uint32_t mode;         // type and permission bits
    size_t offset;         // of this entry's header within the archive
};

class Reader {
public:
    // `archive` must stay readable for `size` bytes while the Reader and any
    // File it returned are in use.
    Reader(const void* archive, size_t size);

    // Fills `out` with the next entry (directories included) and returns true;
    // returns false at the trailer or on the first error, and from then on.
    bool next(File& out);

    // Error::none while reading and after a clean trailer.
    Error error() const { return error_; }

    // Byte offset of the offending header field or of the truncated region
    // (the archive size for missing_trailer); 0 when error() is none.
    size_t error_offset() const { return error_offset_; }

private:
    bool fail(Error e, size_t offset);

    const uint8_t* base_;
    size_t size_;
    size_t pos_ = 0;
    bool done_ = false;
    Error error_ = Error::none;
    size_t error_offset_ = 0;
};

// Error::none only if the archive is well formed up to and including the
// trailer (bytes after it are ignored). `count` (may be null) receives the
// number of entries read before the trailer or the error.
Error validate(const void* archive, size_t size, size_t* count);

// True and fills `out` for the first entry named exactly `name`; false if it is
// absent or the archive is malformed before it is reached.
bool find(const void* archive, size_t size, const char* name, File& out);

}  // namespace cpio
