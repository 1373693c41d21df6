// The memory functions GCC may emit calls to even in freestanding code
// (struct copies, zero-initialisation). They are the string instructions,
// by quadwords when everything is 8-byte aligned: a page then costs 512
// iterations instead of 4096 (and under QEMU's -icount each iteration
// counts as an instruction).
#include <cstddef>
#include <cstdint>

extern "C" {

void* memcpy(void* dst, const void* src, size_t n) {
    void* ret = dst;
    if (!((uintptr_t(dst) | uintptr_t(src) | n) & 7)) {
        n /= 8;
        asm volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
    } else {
        asm volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
    }
    return ret;
}

void* memset(void* dst, int value, size_t n) {
    void* ret = dst;
    if (!((uintptr_t(dst) | n) & 7)) {
        uint64_t pattern = uint64_t(uint8_t(value)) * 0x0101010101010101ull;
        n /= 8;
        asm volatile("rep stosq" : "+D"(dst), "+c"(n) : "a"(pattern) : "memory");
    } else {
        asm volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(value) : "memory");
    }
    return ret;
}

void* memmove(void* dst, const void* src, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    auto* s = static_cast<const unsigned char*>(src);
    if (d <= s || d >= s + n) return memcpy(dst, src, n);
    // Overlapping with dst above src: copy backwards, with the direction flag
    // restored at once since the ABI requires it clear.
    const unsigned char* s_last = s + n - 1;
    unsigned char* d_last = d + n - 1;
    asm volatile("std; rep movsb; cld" : "+D"(d_last), "+S"(s_last), "+c"(n) : : "memory");
    return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
    auto* x = static_cast<const unsigned char*>(a);
    auto* y = static_cast<const unsigned char*>(b);
    for (size_t i = 0; i < n; ++i)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t strlen(const char* s) {
    size_t n = 0;
    while (s[n]) ++n;
    return n;
}

}
