// exit_code N [VAR=VALUE]: returns N from main, so that a parent can check
// the exit status it gets from the loader. Returns 99 instead if the start-up
// contract is broken: no PID in the environment, argv not terminated, the
// given VAR=VALUE not in the environment, or an auxiliary vector without
// AT_PAGESZ = 4096 and AT_ENTRY = _start.
#include <cstdint>

#include "common/string.hpp"
#include "sys/messages.hpp"
#include "sys/text.hpp"

extern "C" char _start[];

namespace {
bool in_environment(char** envp, const char* wanted) {
    for (; *envp; ++envp)
        if (lib::equal(*envp, wanted)) return true;
    return false;
}

bool auxiliary_vector_ok(char** envp) {
    while (*envp) ++envp;
    auto* aux = reinterpret_cast<uint64_t*>(envp + 1);
    bool page_size = false, entry = false;
    for (; aux[0] != 0; aux += 2) {
        if (aux[0] == 6) page_size = aux[1] == 4096;
        if (aux[0] == 9) entry = aux[1] == uint64_t(_start);
    }
    return page_size && entry;
}
}  // namespace

int main(int argc, char** argv, char** envp) {
    if (sys::my_pid() == 0 || argv[argc] != nullptr || !auxiliary_vector_ok(envp)) return 99;
    if (argc > 2 && !in_environment(envp, argv[2])) return 99;
    return int(sys::parse_number(argc > 1 ? argv[1] : nullptr));
}
