// Prints its name and first argument: the smallest complete user program.
#include "sys/print.hpp"

int main(int argc, char** argv, char**) {
    sys::print("hello, world from %s%s%s\n", argc > 0 ? argv[0] : "hello_world", argc > 1 ? " " : "",
               argc > 1 ? argv[1] : "");
    return 0;
}
