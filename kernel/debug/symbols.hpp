// Names for kernel code addresses, from the table embedded at link time.
#pragma once

#include "lib/symbol_table.hpp"

namespace debug {

using Symbol = lib::Symbol;

namespace symbols {
// False when the address is in no known function (or no table is linked).
bool lookup(uint64_t address, Symbol& out);
uint32_t count();
}  // namespace symbols

}  // namespace debug
