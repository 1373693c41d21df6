#include "sys/blk.hpp"

#include "sys/ipc.hpp"

namespace sys::blk {

namespace {
int64_t status_of(const ipc::Received& r) { return r.result ? r.result : r.label() ? -int64_t(r.label()) : 0; }
}  // namespace

Info info(Cptr server) {
    ipc::Received r = ipc::call(server, ipc::Message{ipc::make_tag(abi::blk::info, 0), {}});
    if (int64_t s = status_of(r); s < 0) return Info{s, 0, 0, 0};
    return Info{0, r.message.words[0], r.message.words[1], r.message.words[2]};
}

int64_t attach_buffer(Cptr server, uint64_t first_page, const Cptr* frames, unsigned count) {
    if (count == 0 || count > abi::ipc::max_caps) return abi::error_code(Error::bad_argument);
    ipc::Buffer& b = ipc::buffer();
    for (unsigned i = 0; i < count; ++i) b.caps[i] = frames[i];
    return status_of(ipc::call(server, ipc::Message{ipc::make_tag(abi::blk::attach_buffer, 8, count), {first_page}}));
}

int64_t attach_buffer_pages(Cptr server, const Cptr* frames, unsigned count) {
    for (unsigned i = 0; i < count; i += abi::ipc::max_caps) {
        unsigned n = count - i < abi::ipc::max_caps ? count - i : unsigned(abi::ipc::max_caps);
        if (int64_t e = attach_buffer(server, i, frames + i, n); e < 0) return e;
    }
    return 0;
}

int64_t attach_notification(Cptr server, Cptr notification) {
    ipc::buffer().caps[0] = notification;
    return status_of(ipc::call(server, ipc::Message{ipc::make_tag(abi::blk::attach_notification, 0, 1), {}}));
}

Submitted submit(Cptr server, const abi::blk::Request& request) {
    ipc::Received r = ipc::call(server, ipc::pack(abi::blk::submit, request));
    if (int64_t s = status_of(r); s < 0) return Submitted{s, 0};
    return Submitted{0, r.message.words[0]};
}

int64_t complete(Cptr server, Completion* out) {
    ipc::Received r = ipc::call(server, ipc::Message{ipc::make_tag(abi::blk::complete, 0), {}});
    if (int64_t s = status_of(r); s < 0) return s;
    uint64_t words[9] = {};
    ipc::unpack_bytes(r, words, sizeof words);
    uint64_t n = words[0] <= 4 ? words[0] : 4;
    for (uint64_t i = 0; i < n; ++i) out[i] = Completion{words[1 + 2 * i], int64_t(words[2 + 2 * i])};
    return int64_t(n);
}

}  // namespace sys::blk
