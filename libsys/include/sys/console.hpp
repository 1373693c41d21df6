// Client side of the console server (abi/console.hpp): write text, read
// bytes or lines. Each call returns 0 (or a count) on success and a negated
// abi::Error on failure: the server's refusal, or the IPC error of a server
// that is gone (invalid_capability once the root task has revoked its
// endpoint).
#pragma once

#include <cstdarg>
#include <cstddef>
#include <cstdint>

#include "abi/console.hpp"
#include "sys/syscall.hpp"

namespace sys::serial_console {

// Writes text in messages of up to 256 bytes. With flush, the part after
// the last new line goes out too (a prompt); without, it waits for the
// rest of its line.
int64_t write(Cptr server, const char* text, size_t length, bool flush = false);
// printf-style into write, flushed (up to 511 bytes at a time).
[[gnu::format(printf, 2, 3)]] int64_t print(Cptr server, const char* fmt, ...);
int64_t vprint(Cptr server, const char* fmt, va_list args);

// Lends the server `notification` (a copy of ours, badged as we like; the
// call needs the grant right on server): signalled when input arrives after
// a read found nothing.
int64_t attach_notification(Cptr server, Cptr notification);

// Takes up to `most` bytes (abi::console::read_bytes or read_line) into
// out; returns the count, or would_block when there is nothing yet.
int64_t try_read(Cptr server, char* out, size_t most, uint64_t mode = abi::console::read_bytes);
// The same, waiting on `notification` (attached before) until there is
// something: the blocking read.
int64_t read(Cptr server, Cptr notification, char* out, size_t most, uint64_t mode = abi::console::read_bytes);

struct Info {
    int64_t status;
    uint64_t received, overruns, dropped, written, interrupts, line_errors, buffered;
};
Info info(Cptr server);

}  // namespace sys::serial_console
