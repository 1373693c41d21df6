#include "sys/messages.hpp"

#include "abi/ipc.hpp"
#include "abi/task.hpp"
#include "sys/ipc.hpp"
#include "sys/resources.hpp"
#include "sys/syscall.hpp"
#include "sys/text.hpp"

namespace sys {

namespace {

uint64_t pid;
constexpr unsigned cache_size = 16;
struct Route {
    uint64_t pid;
    Cptr endpoint;
};
Route routes[cache_size];
unsigned route_count;
Cptr next_slot;  // found on first use: the slots after what we were given

bool has_registry() { return cap_identify(abi::task_slot::registry).type == ObjectType::endpoint; }

// A send capability to pid's inbox, asked of the registry once.
int64_t route_to(uint64_t target, Cptr& endpoint) {
    for (unsigned i = 0; i < route_count; ++i)
        if (routes[i].pid == target) return endpoint = routes[i].endpoint, 0;
    if (!next_slot) next_slot = first_empty_slot(abi::task_slot::first_free, 1u << abi::task_cnode_radix);
    if (route_count == cache_size || !next_slot || next_slot >= (1u << abi::task_cnode_radix))
        return abi::error_code(Error::out_of_memory);
    ipc::Buffer& b = ipc::buffer();
    b.receive_cnode = abi::task_slot::cnode;
    b.receive_index = next_slot;
    ipc::Received r = ipc::call(abi::task_slot::registry,
                                ipc::Message{ipc::make_tag(abi::registry::lookup, 8), {target}});
    b.receive_cnode = 0;
    if (r.result != 0) return r.result;
    if (r.label() != 0) return -int64_t(r.label());
    if (ipc::tag_caps(r.message.tag) != 1) return abi::error_code(Error::invalid_capability);
    endpoint = next_slot++;
    routes[route_count++] = Route{target, endpoint};
    return 0;
}

}  // namespace

void set_pid_from_environment(char** envp) {
    for (; envp && *envp; ++envp) {
        const char* e = *envp;
        if (e[0] == 'P' && e[1] == 'I' && e[2] == 'D' && e[3] == '=') pid = parse_number(e + 4);
    }
}

uint64_t my_pid() { return pid; }

int64_t send(uint64_t target, const void* buf, size_t len) {
    if (len > abi::ipc::max_message_bytes) return abi::error_code(Error::bad_argument);
    Cptr endpoint = 0;
    if (int64_t r = route_to(target, endpoint); r < 0) return r;
    int64_t r = ipc::send(endpoint, ipc::pack_bytes(0, buf, len));
    return r < 0 ? r : int64_t(len);
}

int64_t recv(void* buf, size_t len, uint64_t* from) {
    ipc::Received r = ipc::receive(abi::task_slot::inbox);
    if (r.result < 0) return r.result;
    if (from) *from = r.badge;
    ipc::unpack_bytes(r, buf, len);
    return int64_t(r.length());
}

void report_exit(int status) {
    if (!has_registry()) return;  // the root task itself has no registry slot
    ipc::call(abi::task_slot::registry, ipc::Message{ipc::make_tag(abi::registry::exited, 8), {uint64_t(status)}});
}

}  // namespace sys
