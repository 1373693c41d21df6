// busy ID: computes forever without yielding, so that other tasks run only
// because the timer preempts it. Stopped by whoever started it.
#include "sys/print.hpp"

int main(int argc, char** argv, char**) {
    sys::print("busy %s: spinning\n", argc > 1 ? argv[1] : "?");
    volatile uint64_t x = 0;
    for (;;) x = x * 6364136223846793005ull + 1;
}
