// The only way the kernel touches user memory: range-checked against the
// user half (with overflow checks), and fault-safe, so a bad pointer is an
// error code for the caller rather than a kernel fault.
#pragma once

#include <cstddef>
#include <cstdint>

namespace syscall {

bool copy_from_user(void* kernel_destination, uint64_t user_source, size_t size);
bool copy_to_user(uint64_t user_destination, const void* kernel_source, size_t size);

// True if [address, address + size) lies inside the user half.
bool is_user_range(uint64_t address, size_t size);

// Turns SMAP-aware stac/clac on in the copy routine.
void set_smap(bool enabled);

}  // namespace syscall

// A page fault at this instruction is a failed user copy (see trap_dispatch).
extern "C" const char user_copy_fault_ip[];
extern "C" const char user_copy_fixup[];
