#include "registry.hpp"

#include "abi/task.hpp"
#include "root.hpp"
#include "sys/ipc.hpp"

namespace root {

namespace {

using sys::Cptr;
namespace ipc = sys::ipc;
namespace slot = abi::root_slot;

constexpr unsigned max_tasks = 128;
struct Entry {
    uint64_t pid;
    Cptr inbox;
    volatile bool exited;
    volatile int64_t status;
};
Entry tasks[max_tasks];
volatile unsigned task_count;
Cptr endpoint;
Cptr exit_notification;
Cptr scratch;  // a slot for the badged capability being handed out

Entry* find(uint64_t pid) {
    for (unsigned i = 0; i < task_count; ++i)
        if (tasks[i].pid == pid) return &tasks[i];
    return nullptr;
}

// Serves lookups and exit reports, one call at a time.
void serve(uint64_t) {
    abi::ipc::Buffer& b = *reinterpret_cast<abi::ipc::Buffer*>(thread_ipc_buffer());
    ipc::Received r = ipc::receive(endpoint);
    for (;;) {
        ipc::Message answer{ipc::make_tag(0, 0), {}};
        uint64_t caller = r.badge;
        if (r.result != 0) {
            r = ipc::receive(endpoint);
            continue;
        }
        if (r.label() == abi::registry::lookup) {
            Entry* target = find(r.message.words[0]);
            sys::cap_delete(slot::cnode, scratch);
            if (!target) {
                answer.tag = ipc::make_tag(uint64_t(abi::Error::bad_argument), 0);
            } else if (!sys::ok(sys::cap_mint(slot::cnode, scratch, slot::cnode, target->inbox, abi::rights::write,
                                              caller))) {
                answer.tag = ipc::make_tag(uint64_t(abi::Error::out_of_memory), 0);
            } else {
                b.caps[0] = scratch;
                answer.tag = ipc::make_tag(0, 0, 1);
            }
        } else if (r.label() == abi::registry::exited) {
            if (Entry* e = find(caller)) {
                e->status = int64_t(r.message.words[0]);
                e->exited = true;
                sys::notification_signal(exit_notification);
            }
        } else {
            answer.tag = ipc::make_tag(uint64_t(abi::Error::bad_argument), 0);
        }
        r = ipc::reply_receive(endpoint, answer);
    }
}

}  // namespace

bool start_registry() {
    if (endpoint) return true;
    endpoint = context.memory.allocate(abi::ObjectType::endpoint);
    exit_notification = context.memory.allocate(abi::ObjectType::notification);
    scratch = context.slots.allocate();
    Cptr thread = endpoint && exit_notification && scratch
                      ? make_thread(slot::vspace, serve, 0, abi::root_priority - 1, next_stack_top())
                      : 0;
    return thread && sys::ok(sys::thread_resume(thread));
}

Cptr registry_endpoint() { return endpoint; }

void register_task(const Task& task) {
    unsigned n = task_count;
    if (n == max_tasks) return;
    tasks[n] = Entry{task.pid, task.inbox, false, 0};
    task_count = n + 1;
}

int64_t wait_for_exit(uint64_t pid) {
    for (;;) {
        Entry* e = find(pid);
        if (!e) return -1;
        if (e->exited) return e->status;
        sys::notification_wait(exit_notification);
    }
}

}  // namespace root
