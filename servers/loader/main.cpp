// The loader server: starts programs from the initrd in tasks of their own,
// reports and frees them when they end, and names them for the seed's
// send(pid, ...).
//
// Started by the root task as: loader INITRD_SIZE POOL_FIRST POOL_COUNT,
// with the initrd mapped read-only at abi::initrd_address, untyped regions
// in slots [POOL_FIRST, POOL_FIRST + POOL_COUNT), and its endpoint in
// abi::loader::service_slot. Each task is built from a region of its own
// (region_bits), so ending a task is one revoke.
//
// It is its tasks' supervisor: faults the pager does not resolve arrive as
// records in a ring shared with the pager (abi/pager.hpp), announced by a
// notification bound to our thread (abi::loader::fault_notification_slot),
// so they end our wait for requests. Each such task is reported in one line
// and ended with abi::loader::killed_by_fault_status(vector).
#include <initializer_list>

#include "abi/boot_info.hpp"
#include "abi/pager.hpp"
#include "abi/task.hpp"
#include "common/cpio.hpp"
#include "common/string.hpp"
#include "sys/ipc.hpp"
#include "sys/loader.hpp"
#include "sys/print.hpp"
#include "sys/text.hpp"
#include "sys/program.hpp"
#include "sys/resources.hpp"

namespace {

using abi::Cptr;
using abi::Error;
using abi::ObjectType;
namespace ipc = sys::ipc;
namespace ts = abi::task_slot;

// A task is built from a region of one of two sizes: a demand-paged task
// needs room only for its kernel objects, stack and IPC buffer, so it gets
// a small region first; a task whose segments are copied at spawn (no
// pager), or whose objects do not fit, gets a large one.
constexpr unsigned region_bits[] = {17, 19};  // 128 KiB, 512 KiB
constexpr unsigned region_classes = sizeof region_bits / sizeof *region_bits;
constexpr unsigned small_objects_bits = 20;  // exit notifications come from here
constexpr uint64_t scratch_address = 0x0000310000000000ull;
constexpr Cptr service = abi::loader::service_slot;
constexpr uint64_t root_badge = 1;

struct Task {
    uint64_t pid;
    uint64_t parent;       // badge of whoever spawned it
    bool running;
    int64_t status;
    Cptr memory;           // its untyped region: revoke it and the task is gone
    unsigned region_class; // the size of that region (region_bits)
    Cptr cnode, thread, vspace, inbox;
    Cptr exited;           // notification signalled when it ends
    Cptr lent;             // the spawner's own notification, signalled too (0: none)
    uint64_t bytes;        // memory the task was built from
    bool paged;            // attached to the pager: it cannot run without it
    char name[24];         // its program
};

constexpr unsigned max_tasks = 4096;
Task tasks[max_tasks];
unsigned task_count;
uint64_t next_pid = 2;  // 1 is the root task
uint64_t initrd_size;
Cptr staging[2];
Cptr lent_slot;  // where a notification lent with spawn lands
// Task regions free for reuse (already revoked), by size.
Cptr spare_regions[region_classes][max_tasks];
unsigned spare_count[region_classes];

void keep_spare(Cptr region, unsigned size_class) { spare_regions[size_class][spare_count[size_class]++] = region; }

sys::SlotAllocator slots;
sys::UntypedPool pool{slots};          // task regions
sys::UntypedPool small_objects{slots}; // 64-byte notifications, kept apart so they
                                       // do not break the alignment of task regions

Task* find(uint64_t pid) {
    for (unsigned i = 0; i < task_count; ++i)
        if (tasks[i].pid == pid) return &tasks[i];
    return nullptr;
}

// A record for a new task: a fresh one, or when the table is full the one
// of a task that ended longest ago (its status can no longer be asked for).
Task* new_record() {
    for (unsigned i = 0; i < task_count; ++i)
        if (tasks[i].pid == 0) return &tasks[i];  // left by a spawn that failed
    if (task_count < max_tasks) return &tasks[task_count++];
    Task* oldest = nullptr;
    for (Task& t : tasks)
        if (!t.running && (!oldest || t.pid < oldest->pid)) oldest = &t;
    if (oldest) sys::cap_delete(ts::cnode, oldest->exited), slots.free(oldest->exited);
    return oldest;
}

ipc::Message failure(Error e, const char* reason) {
    return ipc::pack_bytes(uint64_t(e), reason, strlen(reason) + 1);
}

bool have_pager;  // a pager capability in ts::pager: tasks get demand paging

// Everything the task was made of goes back: its region is revoked and kept
// for the next task. (A dead pager answers detach with an error: nothing
// of the task is left in it to free.)
void end(Task& t, int64_t status) {
    if (have_pager)
        ipc::call(ts::pager, ipc::Message{ipc::make_tag(abi::pager::detach, 8), {t.pid}});
    sys::cap_revoke(ts::cnode, t.memory);
    keep_spare(t.memory, t.region_class);
    for (Cptr c : {t.cnode, t.thread, t.vspace, t.inbox}) slots.free(c);
    t.running = false;
    t.status = status;
    sys::notification_signal(t.exited);
    if (t.lent) {
        sys::notification_signal(t.lent);
        sys::cap_delete(ts::cnode, t.lent);
        slots.free(t.lent);
        t.lent = 0;
    }
}

// Gives the task to the pager before it first runs: its address space, and
// its segments as regions filled from the initrd on first touch (unless
// start_program loaded them: a relocated PIE, or too many segments).
bool page_in_lazily(Task& t, const cpio::File& file, const sys::ProgramReport& report) {
    ipc::buffer().caps[0] = t.vspace;
    ipc::Received r = ipc::call(ts::pager, ipc::Message{ipc::make_tag(abi::pager::attach, 8, 1), {t.pid}});
    if (r.result != 0 || r.label() != 0) return false;
    uint64_t file_start = uint64_t(file.data) - abi::initrd_address;
    for (size_t s = 0; !report.segments_loaded && s < report.image.segment_count; ++s) {
        const elf::Segment& seg = report.image.segments[s];
        abi::pager::RegionRequest region{t.pid, seg.vaddr, seg.memory_size, file_start + seg.file_offset,
                                         seg.file_size,
                                         uint8_t(abi::rights::read | (seg.write ? abi::rights::write : 0) |
                                                 (seg.execute ? abi::rights::execute : 0)),
                                         {}};
        r = ipc::call(ts::pager, ipc::pack(abi::pager::add_region, region));
        if (r.result != 0 || r.label() != 0) return false;
    }
    return sys::ok(sys::thread_resume(t.thread));
}

ipc::Message spawn(uint64_t caller, const ipc::Received& r) {
    abi::loader::SpawnRequest request{};
    ipc::unpack_bytes(r, &request, sizeof request);
    const char* strings[32];
    unsigned count = 0, wanted = unsigned(request.argc) + request.envc;
    const char* p = request.strings;
    const char* end_of_strings = request.strings + sizeof request.strings;
    while (count < wanted && count < 32 && p < end_of_strings) {
        strings[count++] = p;
        while (p < end_of_strings && *p) ++p;
        ++p;
    }
    if (request.argc == 0 || count != wanted || p > end_of_strings)
        return failure(Error::bad_argument, "malformed request");
    const char* const* argv = strings;
    unsigned argc = request.argc;
    Task* record = new_record();
    if (!record) return failure(Error::out_of_memory, "too many tasks");

    cpio::File file;
    if (!cpio::find(reinterpret_cast<const void*>(abi::initrd_address), initrd_size, argv[0], file))
        return failure(Error::bad_argument, "no such program in the initrd");

    // The staging slots may still hold what the last reply handed out.
    for (Cptr c : staging) sys::cap_delete(ts::cnode, c);
    Task t{};
    t.pid = next_pid;
    t.parent = caller;
    for (Cptr* c : {&t.cnode, &t.thread, &t.vspace, &t.inbox, &t.exited}) *c = slots.allocate();
    *record = Task{};  // pid 0 until the task runs: free again if this fails
    if (!t.exited || !sys::ok(small_objects.allocate_into(ObjectType::notification, 0, t.exited))) {
        for (Cptr c : {t.cnode, t.thread, t.vspace, t.inbox, t.exited}) slots.free(c);
        return failure(Error::out_of_memory, "no memory for another task");
    }

    sys::ProgramResources resources{0, t.cnode, t.thread, t.vspace, t.inbox,
                                    {staging[0], staging[1]}, scratch_address, abi::task_cnode_radix};
    sys::ProgramRequest program{file.data,     file.size,        int(argc),   argv, int(request.envc),
                                strings + argc, t.pid, request.priority, ts::console, service,
                                have_pager ? ts::pager : 0, !have_pager, have_pager,
                                abi::pager::max_regions / 2};
    const char* why = "no memory for another task";
    sys::ProgramReport report{};
    int64_t e = int64_t(Error::out_of_memory);
    for (t.region_class = have_pager ? 0 : region_classes - 1; t.region_class < region_classes; ++t.region_class) {
        unsigned& spares = spare_count[t.region_class];
        t.memory = spares ? spare_regions[t.region_class][--spares]
                          : pool.allocate(ObjectType::untyped, region_bits[t.region_class]);
        if (!t.memory) continue;
        resources.untyped = t.memory;
        e = sys::start_program(resources, program, &why, &report);
        if (e >= 0) break;
        sys::cap_revoke(ts::cnode, t.memory);
        keep_spare(t.memory, t.region_class);
        for (Cptr c : staging) sys::cap_delete(ts::cnode, c);
        if (sys::error_of(e) != Error::out_of_memory) break;  // a bigger region would not help
    }
    if (e < 0) {
        sys::cap_delete(ts::cnode, t.exited);
        for (Cptr c : {t.cnode, t.thread, t.vspace, t.inbox, t.exited}) slots.free(c);
        sys::print("loader: cannot start %s: %s\n", argv[0], why);
        return failure(sys::error_of(e), why);
    }
    if (have_pager && !page_in_lazily(t, file, report)) {
        end(t, -1);
        record->pid = 0;
        return failure(Error::out_of_memory, "the pager refused the task");
    }
    t.bytes = sys::cap_identify(t.memory).data;
    // A notification of the spawner's, lent with the request (it can then
    // wait for this task and for other things at once): kept, and
    // signalled when the task ends.
    if (ipc::tag_caps(r.message.tag) == 1 && sys::cap_identify(lent_slot).type == ObjectType::notification &&
        (t.lent = slots.allocate()) && !sys::ok(sys::cap_move(ts::cnode, t.lent, ts::cnode, lent_slot))) {
        slots.free(t.lent);
        t.lent = 0;
    }
    t.running = true;
    t.paged = have_pager;
    {
        size_t n = strlen(argv[0]);
        if (n >= sizeof t.name) n = sizeof t.name - 1;
        memcpy(t.name, argv[0], n);
        t.name[n] = '\0';
    }
    ++next_pid;
    *record = t;
    // The spawner gets a wait-only copy of the exit notification.
    sys::cap_delete(ts::cnode, staging[0]);
    sys::cap_mint(ts::cnode, staging[0], ts::cnode, t.exited, abi::rights::read, 0);
    ipc::buffer().caps[0] = staging[0];
    return ipc::Message{ipc::make_tag(0, 32, 1), {t.pid, t.bytes, report.pages, report.page_tables}};
}

// --- supervision -------------------------------------------------------------

abi::pager::FaultRing* fault_ring;  // null: no pager, or no ring from the root task

// Takes every record the pager has put in the ring: one line per task, and
// the task ends with a status that says which fault killed it.
void reap_faulted() {
    while (fault_ring && fault_ring->tail != fault_ring->head) {
        __atomic_thread_fence(__ATOMIC_ACQUIRE);  // the record after its head
        abi::pager::FaultRecord f = fault_ring->records[fault_ring->tail % abi::pager::fault_ring_capacity];
        fault_ring->tail = fault_ring->tail + 1;
        Task* t = find(f.task);
        if (!t || !t->running) continue;  // it ended another way meanwhile
        const char* exception = sys::loader::exception_name(f.vector);
        if (f.vector == 14)
            sys::print("loader: task %lu (%s) killed: %s (vector 14) at 0x%lx (%s), rip 0x%lx\n", t->pid, t->name,
                       exception, f.address, abi::pager::describe(f.reason), f.ip);
        else if (f.vector >= 256)
            sys::print("loader: task %lu (%s) killed: %s (vector %u) at rip 0x%lx\n", t->pid, t->name, exception,
                       unsigned(f.vector), f.ip);
        else
            sys::print("loader: task %lu (%s) killed: %s (vector %u, error code 0x%x) at rip 0x%lx\n", t->pid,
                       t->name, exception, unsigned(f.vector), f.code, f.ip);
        end(*t, abi::loader::killed_by_fault_status(f.vector));
    }
}

// The root task says the pager is gone: every task that depended on it
// ends, and later tasks get their segments copied at spawn.
void pager_gone() {
    reap_faulted();  // what the pager reported before it died
    have_pager = false;
    fault_ring = nullptr;
    sys::thread_bind_notification(ts::thread, 0);
    unsigned ended = 0;
    for (unsigned i = 0; i < task_count; ++i) {
        Task& t = tasks[i];
        if (!t.pid || !t.running || !t.paged) continue;
        sys::print("loader: task %lu (%s) ended: its pager died\n", t.pid, t.name);
        end(t, abi::loader::pager_died_status);
        ++ended;
    }
    sys::print("loader: the pager is gone: %u tasks ended; new tasks get their pages at spawn\n", ended);
}

ipc::Message serve(const ipc::Received& r) {
    uint64_t caller = r.badge;
    switch (r.label()) {
    case abi::loader::pager_died:
        if (caller != root_badge) return failure(Error::not_permitted, "only the root task may say so");
        pager_gone();
        return ipc::Message{};
    case abi::loader::debug_crash:
        if (caller != root_badge) return failure(Error::not_permitted, "only the root task may");
        sys::print("loader: debug_crash: executing ud2\n");
        asm volatile("ud2");
        return ipc::Message{};
    case abi::registry::lookup: {
        Task* target = find(r.message.words[0]);
        if (!target || !target->running) return failure(Error::bad_argument, "no such task");
        sys::cap_delete(ts::cnode, staging[1]);
        if (!sys::ok(sys::cap_mint(ts::cnode, staging[1], ts::cnode, target->inbox, abi::rights::write, caller)))
            return failure(Error::out_of_memory, "cannot make the capability");
        ipc::buffer().caps[0] = staging[1];
        return ipc::Message{ipc::make_tag(0, 0, 1), {}};
    }
    case abi::registry::exited:
        if (Task* t = find(caller); t && t->running) end(*t, int64_t(r.message.words[0]));
        return ipc::Message{};  // the caller is gone: this reply goes nowhere
    case abi::loader::spawn: return spawn(caller, r);
    case abi::loader::status: {
        Task* t = find(r.message.words[0]);
        if (!t) return failure(Error::bad_argument, "no such task");
        return ipc::Message{ipc::make_tag(0, 16), {t->running ? 0u : 1u, uint64_t(t->status)}};
    }
    case abi::loader::kill: {
        Task* t = find(r.message.words[0]);
        if (!t || !t->running) return failure(Error::bad_argument, "no such task");
        if (caller != root_badge && caller != t->parent) return failure(Error::not_permitted, "not its parent");
        end(*t, abi::loader::killed_status);
        return ipc::Message{};
    }
    default: return failure(Error::bad_argument, "unknown request");
    }
}

}  // namespace

int main(int argc, char** argv, char**) {
    if (argc < 4) {
        sys::print("loader: usage: loader INITRD_SIZE POOL_FIRST POOL_COUNT\n");
        return 2;
    }
    initrd_size = sys::parse_number(argv[1]);
    Cptr pool_first = sys::parse_number(argv[2]), pool_count = sys::parse_number(argv[3]);
    // Our own image's frames follow the pool; free slots begin after them.
    Cptr free_slots = sys::first_empty_slot(pool_first + pool_count, 1ull << abi::loader::cnode_radix);
    slots.init(ts::cnode, free_slots, 1ull << abi::loader::cnode_radix);
    uint64_t bytes = 0;
    for (Cptr c = pool_first; c < pool_first + pool_count; ++c) {
        auto info = sys::cap_identify(c);
        pool.add(c, info.size_bits);
        bytes += 1ull << info.size_bits;
    }
    staging[0] = slots.allocate();
    staging[1] = slots.allocate();
    lent_slot = slots.allocate();
    ipc::buffer().receive_cnode = ts::cnode;
    ipc::buffer().receive_index = lent_slot;
    have_pager = sys::cap_identify(ts::pager).type == ObjectType::endpoint;
    if (have_pager && sys::cap_identify(abi::loader::fault_notification_slot).type == ObjectType::notification &&
        sys::ok(sys::thread_bind_notification(ts::thread, abi::loader::fault_notification_slot)))
        fault_ring = reinterpret_cast<abi::pager::FaultRing*>(abi::pager::fault_ring_address);
    Cptr small = pool.allocate(ObjectType::untyped, small_objects_bits);
    if (!small || !small_objects.add(small, small_objects_bits)) {
        sys::print("loader: no memory for its own objects\n");
        return 1;
    }
    if (!sys::prepare_scratch_page(pool, scratch_address)) {
        sys::print("loader: cannot prepare its scratch page\n");
        return 1;
    }
    sys::print("loader: ready; %lu MiB for tasks (%lu or %lu KiB each)%s%s\n", bytes >> 20,
               uint64_t(1) << (region_bits[0] - 10), uint64_t(1) << (region_bits[region_classes - 1] - 10), have_pager ? "; tasks get demand paging" : "",
               fault_ring ? "; it supervises their faults" : "");
    ipc::Received r = ipc::receive(service);
    for (;;) {
        // The bound notification: the pager has put fault records in the ring.
        if (r.result == 0 && r.is_notification()) {
            reap_faulted();
            r = ipc::receive(service);
            continue;
        }
        // (A signal that comes while we serve stays in the notification's
        // word, and the next receive returns it.)
        ipc::Message answer = r.result == 0 ? serve(r) : ipc::Message{};
        sys::cap_delete(ts::cnode, lent_slot);  // a capability sent along and not kept
        ipc::buffer().receive_index = lent_slot;
        r = ipc::reply_receive(service, answer);
    }
}
