#include "sys/loader.hpp"

#include "abi/task.hpp"
#include "common/string.hpp"
#include "sys/ipc.hpp"

namespace sys::loader {

int64_t spawn(Cptr loader, int argc, const char* const* argv, const Options& options, Cptr receive_slot, Task& task,
              char* reason, size_t reason_size) {
    abi::loader::SpawnRequest request{};
    if (argc < 1 || argc > 16 || options.envc < 0 || options.envc > 16) return abi::error_code(Error::bad_argument);
    request.priority = options.priority;
    request.argc = uint8_t(argc);
    request.envc = uint8_t(options.envc);
    size_t used = 0;
    for (int i = 0; i < argc + options.envc; ++i) {
        const char* s = i < argc ? argv[i] : options.envp[i - argc];
        size_t n = strlen(s) + 1;
        if (used + n > sizeof request.strings) return abi::error_code(Error::bad_argument);
        memcpy(request.strings + used, s, n);
        used += n;
    }
    ipc::Buffer& b = ipc::buffer();
    b.receive_cnode = abi::task_slot::cnode;
    b.receive_index = receive_slot;
    ipc::Received r = ipc::call(loader, ipc::pack(abi::loader::spawn, request));
    b.receive_cnode = 0;
    if (r.result != 0) return r.result;
    if (r.label() != 0) {
        if (reason && reason_size) {
            size_t n = ipc::unpack_bytes(r, reason, reason_size - 1);
            reason[n < reason_size ? n : reason_size - 1] = '\0';
        }
        return -int64_t(r.label());
    }
    task = Task{r.message.words[0], receive_slot, r.message.words[1], r.message.words[2], r.message.words[3]};
    return 0;
}

int64_t wait(Cptr loader, const Task& task) {
    for (;;) {
        ipc::Received r =
            ipc::call(loader, ipc::Message{ipc::make_tag(abi::loader::status, 8), {task.pid}});
        if (r.result != 0) return r.result;
        if (r.label() != 0) return -int64_t(r.label());
        if (r.message.words[0]) return int64_t(r.message.words[1]);
        notification_wait(task.exited);
    }
}

int64_t kill(Cptr loader, const Task& task) {
    ipc::Received r = ipc::call(loader, ipc::Message{ipc::make_tag(abi::loader::kill, 8), {task.pid}});
    if (r.result != 0) return r.result;
    return r.label() ? -int64_t(r.label()) : 0;
}

}  // namespace sys::loader
