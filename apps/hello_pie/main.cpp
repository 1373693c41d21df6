// hello_pie: a static position-independent program (gcc -static-pie, with
// libsys built -fPIE and libsys/user_pie.ld). It is linked at address 0 and
// runs only if the loader placed it elsewhere and applied its
// R_X86_64_RELATIVE relocations: the pointers stored in its data (a pointer
// to a global, a function pointer table, a string) must equal the addresses
// its code computes relative to the instruction pointer, and AT_ENTRY must
// be where _start really is. Prints what it found; exits 0 when all hold.
#include <cstdint>

#include "sys/print.hpp"

extern "C" char _start[];

namespace {

int counter = 7;
void first() {}
void second() {}

// Volatile so the compiler reads them from memory rather than folding the
// link-time initialisers: each holds a relocated address.
int* volatile counter_pointer = &counter;
void (*volatile table[2])() = {first, second};
const char* volatile greeting = "relocated";

uint64_t auxiliary(char** envp, uint64_t type) {
    while (*envp) ++envp;
    for (auto* aux = reinterpret_cast<uint64_t*>(envp + 1); aux[0] != 0; aux += 2)
        if (aux[0] == type) return aux[1];
    return 0;
}

}  // namespace

int main(int, char**, char** envp) {
    constexpr uint64_t at_entry = 9;
    const uint64_t entry = auxiliary(envp, at_entry);
    const uint64_t here = uint64_t(&counter);
    bool pointer_ok = counter_pointer == &counter && *counter_pointer == 7;
    bool table_ok = table[0] == &first && table[1] == &second;
    bool string_ok = greeting[0] == 'r' && greeting[8] == 'd';
    bool entry_ok = entry == uint64_t(_start);
    // Linked at 0: a program that ran where it was linked would have its
    // globals in the first few pages.
    bool moved = here >= 0x100000;
    sys::print("hello_pie: &counter 0x%lx, stored pointer 0x%lx; table[1] 0x%lx, second 0x%lx; _start 0x%lx, "
               "AT_ENTRY 0x%lx\n",
               here, uint64_t(counter_pointer), uint64_t(table[1]), uint64_t(&second), uint64_t(_start), entry);
    bool ok = pointer_ok && table_ok && string_ok && entry_ok && moved;
    sys::print("hello_pie: %s (pointer %s, table %s, string %s, entry %s, moved %s)\n",
               ok ? "relocated and running" : "NOT RELOCATED CORRECTLY", pointer_ok ? "ok" : "wrong",
               table_ok ? "ok" : "wrong", string_ok ? "ok" : "wrong", entry_ok ? "ok" : "wrong", moved ? "yes" : "no");
    return ok ? 0 : 1;
}
