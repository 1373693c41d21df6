// exit_code N: returns N from main, so that a parent can check the exit
// status it gets from the loader. Returns 99 instead if the start-up
// contract is broken: no PID in the environment, or argv not terminated.
#include "sys/messages.hpp"

int main(int argc, char** argv, char**) {
    if (sys::my_pid() == 0 || argv[argc] != nullptr) return 99;
    int n = 0;
    for (const char* p = argc > 1 ? argv[1] : ""; *p >= '0' && *p <= '9'; ++p) n = n * 10 + (*p - '0');
    return n;
}
