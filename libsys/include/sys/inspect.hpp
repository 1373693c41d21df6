// Introspection from user space (abi/inspect.hpp, docs/abi.md
// "Introspection"): naming threads, and the kernel's lists of threads,
// capabilities and IPC waits, read through the console capability with
// the read right. The console shell and the root task's tests use these.
#pragma once

#include <cstddef>
#include <cstdint>

#include "abi/inspect.hpp"
#include "sys/syscall.hpp"

namespace sys {

// Names a thread (thread capability with the write right). Up to 15
// printable characters: a longer name is refused by the kernel, so the
// caller shortens it first (short_name below).
inline int64_t thread_set_name(Cptr thread, const char* name) {
    uint64_t words[2] = {0, 0};
    char* bytes = reinterpret_cast<char*>(words);
    for (size_t i = 0; name[i]; ++i) {
        if (i == abi::inspect::name_size - 1) return abi::error_code(Error::bad_argument);
        bytes[i] = name[i];
    }
    return syscall(abi::Syscall::thread_set_name, thread, words[0], words[1]).rax;
}

// The last path component of a program's path, cut to a thread name's size.
void short_name(const char* path, char (&name)[abi::inspect::name_size]);

// One call's worth of a listing: `count` records written, the cursor to
// pass next, and whether the listing is complete. radix: the CNode's, for
// list_capabilities.
struct Listing {
    int64_t status;
    uint64_t count;
    uint64_t next;
    bool complete;
    unsigned radix;
};

inline Listing listing_of(const Registers& r) {
    if (r.rax < 0) return Listing{r.rax, 0, 0, false, 0};
    return Listing{r.rax, r.rdx, r.rsi, r.r10 != 0, unsigned(r.r8)};
}

// Live threads with id >= cursor, in order of id.
inline Listing list_threads(Cptr console, uint64_t cursor, abi::inspect::ThreadInfo* out, uint64_t count) {
    return listing_of(syscall(abi::Syscall::debug_thread_info, console, cursor, uint64_t(out), count));
}
// The non-empty slots >= cursor of the CNode at path (abi::inspect::path_append)
// in thread `thread_id`'s CSpace. The kernel looks at a bounded number of
// slots per call, so a call may return no records without being complete.
inline Listing list_capabilities(Cptr console, uint64_t thread_id, uint64_t path, uint64_t cursor,
                                 abi::inspect::CapInfo* out, uint64_t count) {
    return listing_of(
        syscall(abi::Syscall::debug_cspace_info, console, thread_id, path, cursor, uint64_t(out), count));
}
// Threads blocked on endpoints and notifications, thread id >= cursor.
inline Listing list_waits(Cptr console, uint64_t cursor, abi::inspect::WaitInfo* out, uint64_t count) {
    return listing_of(syscall(abi::Syscall::debug_endpoint_info, console, cursor, uint64_t(out), count));
}

// The record of one thread: 0, or a negated error (bad_argument: no live
// thread has that id).
int64_t thread_info(Cptr console, uint64_t id, abi::inspect::ThreadInfo& out);

// Words for the shell and the tests.
const char* describe(abi::inspect::ThreadState state);
const char* describe(abi::inspect::WaitKind kind);
const char* describe(abi::ObjectType type);

}  // namespace sys
