// Introspection helpers (sys/inspect.hpp).
#include "sys/inspect.hpp"

#include "common/string.hpp"

namespace sys {

namespace inspect = abi::inspect;

void short_name(const char* path, char (&name)[inspect::name_size]) {
    const char* base = path;
    for (const char* p = path; *p; ++p)
        if (*p == '/') base = p + 1;
    size_t n = 0;
    // Unprintable bytes would be refused by the kernel: they become '?'.
    for (; base[n] && n < inspect::name_size - 1; ++n) name[n] = base[n] >= 0x20 && base[n] < 0x7F ? base[n] : '?';
    memset(name + n, 0, inspect::name_size - n);
}

int64_t thread_info(Cptr console, uint64_t id, inspect::ThreadInfo& out) {
    Listing l = list_threads(console, id, &out, 1);
    if (l.status < 0) return l.status;
    if (l.count != 1 || out.id != id) return abi::error_code(Error::bad_argument);
    return 0;
}

const char* describe(inspect::ThreadState state) {
    switch (state) {
    case inspect::ThreadState::inactive: return "inactive";
    case inspect::ThreadState::ready: return "ready";
    case inspect::ThreadState::running: return "running";
    case inspect::ThreadState::blocked_send: return "send";
    case inspect::ThreadState::blocked_receive: return "receive";
    case inspect::ThreadState::blocked_reply: return "reply";
    case inspect::ThreadState::blocked_notification: return "wait";
    }
    return "?";
}

const char* describe(inspect::WaitKind kind) {
    switch (kind) {
    case inspect::WaitKind::send: return "send";
    case inspect::WaitKind::call: return "call";
    case inspect::WaitKind::receive: return "receive";
    case inspect::WaitKind::notification: return "wait";
    }
    return "?";
}

const char* describe(abi::ObjectType type) {
    static const char* const names[] = {"null", "untyped", "cnode", "thread", "address_space", "page_table",
                                        "frame", "endpoint", "notification", "console", "io_port_control",
                                        "io_ports", "irq_control", "irq_handler"};
    static_assert(sizeof names / sizeof *names == size_t(abi::ObjectType::count));
    return uint8_t(type) < size_t(abi::ObjectType::count) ? names[uint8_t(type)] : "?";
}

}  // namespace sys
