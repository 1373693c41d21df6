// hello_world ARG [COUNT]: prints its name, argument and a counter COUNT
// times (default 5), computing for a while between lines without ever
// yielding, so that only preemption interleaves several of them.
#include "sys/messages.hpp"
#include "sys/print.hpp"
#include "sys/text.hpp"

int main(int argc, char** argv, char**) {
    const char* argument = argc > 1 ? argv[1] : "";
    uint64_t count = argc > 2 ? sys::parse_number(argv[2]) : 5;
    volatile uint64_t work = 0;
    for (uint64_t i = 1; i <= count; ++i) {
        sys::print("hello_world %s: line %lu of %lu (task %lu)\n", argument, i, count, sys::my_pid());
        for (uint64_t spin = 0; spin < 3000000; ++spin) work = work + spin;
    }
    return 0;
}
