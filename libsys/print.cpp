#include "sys/print.hpp"

#include "common/format.hpp"
#include "sys/syscall.hpp"

namespace sys {

namespace {
abi::Cptr console_cptr;
}

void set_console(abi::Cptr console) { console_cptr = console; }
abi::Cptr console() { return console_cptr; }

void vprint(const char* fmt, va_list args) {
    char buffer[512];
    size_t n = lib::vformat_to(buffer, sizeof buffer, fmt, args);
    if (n >= sizeof buffer) n = sizeof buffer - 1;
    if (console_cptr) debug_write(console_cptr, buffer, n);
}

void print(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vprint(fmt, args);
    va_end(args);
}

const char* describe(Error e) {
    switch (e) {
    case Error::none: return "no error";
    case Error::unknown_syscall: return "unknown system call";
    case Error::invalid_capability: return "invalid capability";
    case Error::wrong_type: return "wrong object type";
    case Error::insufficient_rights: return "insufficient rights";
    case Error::bad_address: return "bad address";
    case Error::bad_argument: return "bad argument";
    case Error::slot_occupied: return "slot occupied";
    case Error::out_of_memory: return "out of memory";
    case Error::already_mapped: return "already mapped";
    case Error::missing_page_table: return "missing page table";
    case Error::not_mapped: return "not mapped";
    case Error::partner_died: return "partner died";
    case Error::object_destroyed: return "object destroyed";
    case Error::would_block: return "would block";
    case Error::no_caller: return "no caller";
    case Error::not_permitted: return "not permitted";
    case Error::cancelled: return "cancelled";
    }
    return "unknown error";
}

}  // namespace sys
