#include "syscall/user_access.hpp"

#include "abi/syscalls.hpp"

extern "C" bool user_copy(void* dst, const void* src, size_t n);
extern "C" uint8_t user_copy_smap;

namespace syscall {

bool is_user_range(uint64_t address, size_t size) {
    return address < abi::user_address_limit && size <= abi::user_address_limit - address;
}

bool copy_from_user(void* kernel_destination, uint64_t user_source, size_t size) {
    if (!is_user_range(user_source, size)) return false;
    return size == 0 || user_copy(kernel_destination, reinterpret_cast<const void*>(user_source), size);
}

bool copy_to_user(uint64_t user_destination, const void* kernel_source, size_t size) {
    if (!is_user_range(user_destination, size)) return false;
    return size == 0 || user_copy(reinterpret_cast<void*>(user_destination), kernel_source, size);
}

void set_smap(bool enabled) { user_copy_smap = enabled; }

}  // namespace syscall
