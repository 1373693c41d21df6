#include "sys/blk.hpp"

#include "abi/task.hpp"
#include "sys/ipc.hpp"

namespace sys::blk {

namespace {
int64_t status_of(const ipc::Received& r) { return r.status(); }
}  // namespace

Info info(Cptr server) {
    ipc::Received r = ipc::call(server, ipc::Message{ipc::make_tag(abi::blk::info, 0), {}});
    if (int64_t s = status_of(r); s < 0) return Info{s, 0, 0, 0};
    return Info{0, r.message.words[0], r.message.words[1], r.message.words[2]};
}

int64_t attach_buffer(Cptr server, uint64_t page, Cptr receive) {
    ipc::Buffer& b = ipc::buffer();
    b.receive_cnode = abi::task_slot::cnode;
    b.receive_index = receive;
    ipc::Received r = ipc::call(server, ipc::Message{ipc::make_tag(abi::blk::attach_buffer, 16), {page, 1}});
    if (int64_t s = status_of(r); s < 0) return s;
    return ipc::tag_caps(r.message.tag) == 1 ? 0 : abi::error_code(Error::invalid_capability);
}

int64_t attach_buffer_pages(Cptr server, unsigned count, SlotAllocator& slots, UntypedPool& pool, uint64_t address) {
    for (unsigned i = 0; i < count; ++i) {
        Cptr frame = slots.allocate();
        if (!frame) return abi::error_code(Error::out_of_memory);
        if (int64_t e = attach_buffer(server, i, frame); e < 0) return e;
        if (int64_t e = pool.map_frame(frame, abi::task_slot::vspace, address + uint64_t(i) * 4096,
                                       abi::rights::read | abi::rights::write);
            e < 0)
            return e;
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
