#include "debug/symbols.hpp"

extern "C" const uint8_t __ksymtab_start[];
extern "C" const uint8_t __ksymtab_end[];

namespace debug::symbols {

namespace {
// Built on first use: a panic may come before anything else has run.
const lib::SymbolTable& table() {
    static const lib::SymbolTable t(__ksymtab_start, size_t(__ksymtab_end - __ksymtab_start));
    return t;
}
}  // namespace

bool lookup(uint64_t address, Symbol& out) { return table().lookup(address, out); }
uint32_t count() { return table().count(); }

}  // namespace debug::symbols
