// A program that crashes on purpose, for the loader's fault supervision
// (run=crash): crash ud2|div0|gp|pf|int3|stack|ok.
//   ud2    an invalid opcode (vector 6)
//   div0   an integer division by zero (vector 0)
//   gp     a load from a non-canonical address: general protection (13)
//   pf     a write to a wild address outside its memory: page fault (14)
//   int3   a breakpoint (vector 3)
//   stack  unbounded recursion: the stack (8 pages below
//          abi::root_stack_top) has nothing mapped below it, so the
//          overflow is a page fault just below its lowest page
//   ok     exits with status 0
#include <cstdint>

#include "common/string.hpp"
#include "sys/print.hpp"

namespace {

volatile uint64_t sink;
volatile bool keep_going = true;  // never cleared: the recursion has no end

[[gnu::noinline]] uint64_t recurse(uint64_t depth) {
    volatile uint8_t frame[512];
    frame[0] = uint8_t(depth);
    frame[511] = uint8_t(depth >> 8);
    if (!keep_going) return depth;
    return recurse(depth + 1) + frame[0] + frame[511];  // not a tail call
}

}  // namespace

int main(int argc, char** argv, char**) {
    const char* kind = argc > 1 ? argv[1] : "";
    if (lib::equal(kind, "ok")) return 0;
    if (lib::equal(kind, "ud2")) {
        asm volatile("ud2");
    } else if (lib::equal(kind, "div0")) {
        // In assembly: a compiler may turn 1 / x into x == 1.
        uint64_t zero = 0, high = 0, low = 1;
        asm volatile("divq %2" : "+a"(low), "+d"(high) : "r"(zero));
        sink = low;
    } else if (lib::equal(kind, "gp")) {
        sink = *reinterpret_cast<volatile uint64_t*>(0x8000000000000000ull);
    } else if (lib::equal(kind, "pf")) {
        *reinterpret_cast<volatile uint64_t*>(0x00000dead0000000ull) = 1;
    } else if (lib::equal(kind, "int3")) {
        asm volatile("int3");
    } else if (lib::equal(kind, "stack")) {
        sink = recurse(0);
    } else {
        sys::print("crash: unknown kind '%s' (ud2, div0, gp, pf, int3, stack, ok)\n", kind);
        return 2;
    }
    sys::print("crash: %s did not fault\n", kind);
    return 1;
}
