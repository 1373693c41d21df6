// The reading side of the trace buffer, for trace_read.
#pragma once

#include <cstddef>
#include <cstdint>

namespace trace {

// Copies up to max of the oldest unread records to the user buffer and
// marks them read; copied says how many, lost how many were dropped for
// want of room since the last read. False (nothing consumed) if the
// buffer faults; the caller has checked it lies in the user half.
bool read_to_user(uint64_t buffer, size_t max, size_t& copied, uint64_t& lost);

}  // namespace trace
