#include "sys/console.hpp"

#include <cstdarg>

#include "common/format.hpp"
#include "sys/ipc.hpp"

namespace sys::serial_console {

int64_t write(Cptr server, const char* text, size_t length, bool flush) {
    do {
        size_t n = length < abi::ipc::max_message_bytes ? length : abi::ipc::max_message_bytes;
        bool last = n == length;
        uint64_t label = flush && last ? abi::console::flush : abi::console::write;
        if (int64_t s = ipc::call(server, ipc::pack_bytes(label, text, n)).status(); s < 0) return s;
        text += n;
        length -= n;
    } while (length);
    return 0;
}

int64_t vprint(Cptr server, const char* fmt, va_list args) {
    char line[abi::console::line_capacity];
    size_t n = lib::vformat_to(line, sizeof line, fmt, args);
    if (n >= sizeof line) n = sizeof line - 1;
    return write(server, line, n, true);
}

int64_t print(Cptr server, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int64_t result = vprint(server, fmt, args);
    va_end(args);
    return result;
}

int64_t attach_notification(Cptr server, Cptr notification) {
    ipc::buffer().caps[0] = notification;
    return ipc::call(server, ipc::Message{ipc::make_tag(abi::console::attach_notification, 0, 1), {}}).status();
}

int64_t try_read(Cptr server, char* out, size_t most, uint64_t mode) {
    if (most > abi::console::max_read) most = abi::console::max_read;
    ipc::Received r = ipc::call(server, ipc::Message{ipc::make_tag(abi::console::read, 16), {most, mode}});
    if (int64_t s = r.status(); s < 0) return s;
    return int64_t(ipc::unpack_bytes(r, out, most));
}

int64_t read(Cptr server, Cptr notification, char* out, size_t most, uint64_t mode) {
    for (;;) {
        int64_t n = try_read(server, out, most, mode);
        if (n != abi::error_code(abi::Error::would_block)) return n;
        if (int64_t e = sys::notification_wait(notification).status; e < 0) return e;
    }
}

Info info(Cptr server) {
    ipc::Received r = ipc::call(server, ipc::Message{ipc::make_tag(abi::console::info, 0), {}});
    if (int64_t s = r.status(); s < 0) return Info{s, 0, 0, 0, 0, 0, 0, 0};
    uint64_t w[abi::console::info_words] = {};
    ipc::unpack_bytes(r, w, sizeof w);
    return Info{0, w[0], w[1], w[2], w[3], w[4], w[5], w[6]};
}

}  // namespace sys::serial_console
