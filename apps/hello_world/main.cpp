// Prints its name and first argument: the smallest complete user program.
#include "sys/syscall.hpp"

namespace {
size_t length(const char* s) {
    size_t n = 0;
    while (s[n]) ++n;
    return n;
}
void print(const char* s) { sys::debug_write(s, length(s)); }
}  // namespace

int main(int argc, char** argv, char**) {
    print("hello, world from ");
    print(argc > 0 ? argv[0] : "hello_world");
    if (argc > 1) {
        print(" ");
        print(argv[1]);
    }
    print("\n");
    return 0;
}
