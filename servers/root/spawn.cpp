#include "spawn.hpp"

#include "abi/task.hpp"
#include "lib/cpio.hpp"
#include "lib/elf.hpp"
#include "lib/format.hpp"
#include "lib/string.hpp"
#include "registry.hpp"
#include "root.hpp"

namespace root {

namespace {

using abi::ObjectType;
using sys::Cptr;
namespace rights = abi::rights;
namespace slot = abi::root_slot;

constexpr uint64_t page = 4096;
constexpr uint64_t stack_pages = 8;
// Where the root task maps a child's page for a moment to fill it.
constexpr uint64_t scratch_address = 0x0000310000000000ull;

uint64_t next_pid = 2;  // 1 is the root task

// A new frame with `bytes` copied in at `offset` (the rest zero), mapped
// into vspace at address with rights.
Cptr fill_and_map(Cptr vspace, uint64_t address, uint8_t frame_rights, const uint8_t* bytes, uint64_t offset,
                  uint64_t length) {
    Cptr frame = context.memory.allocate(ObjectType::frame);
    if (!frame) return 0;
    if (length) {
        if (!sys::ok(context.memory.map_frame(frame, slot::vspace, scratch_address, rights::read | rights::write)))
            return 0;
        memcpy(reinterpret_cast<uint8_t*>(scratch_address) + offset, bytes, length);
        sys::frame_unmap(frame);
    }
    return sys::ok(context.memory.map_frame(frame, vspace, address, frame_rights)) ? frame : 0;
}

// The System V initial stack: argc, argv[], NULL, envp[], NULL, an empty
// auxiliary vector; the strings above them. Returns the initial RSP.
uint64_t build_stack(Cptr vspace, int argc, const char* const* argv, const char* environment, Cptr& top_frame) {
    uint8_t image[page] = {};
    uint64_t top = abi::root_stack_top;
    uint64_t strings = page;
    uint64_t pointers[16];
    auto push_string = [&](const char* s) {
        uint64_t n = strlen(s) + 1;
        strings -= n;
        memcpy(image + strings, s, n);
        return top - page + strings;
    };
    for (int i = 0; i < argc; ++i) pointers[i] = push_string(argv[i]);
    uint64_t env = push_string(environment);
    uint64_t words[24];
    unsigned n = 0;
    words[n++] = uint64_t(argc);
    for (int i = 0; i < argc; ++i) words[n++] = pointers[i];
    words[n++] = 0;
    words[n++] = env;
    words[n++] = 0;
    words[n++] = 0;  // AT_NULL
    words[n++] = 0;
    uint64_t sp = ((top - page + strings) & ~15ull) - n * 8;
    sp &= ~15ull;  // RSP is 16-byte aligned at _start
    memcpy(image + (sp - (top - page)), words, n * 8);
    top_frame = fill_and_map(vspace, top - page, rights::read | rights::write, image, 0, page);
    return top_frame ? sp : 0;
}

bool copy_into(Cptr cnode, Cptr index, Cptr source) {
    return sys::ok(sys::cap_copy(cnode, index, slot::cnode, source));
}

bool fail(const char* name, const char* why) {
    sys::print("root: cannot start %s: %s\n", name, why);
    return false;
}

}  // namespace

bool spawn(const char* name, int argc, const char* const* argv, uint8_t priority, Task& task) {
    if (argc > 8) return fail(name, "too many arguments");
    cpio::File file;
    const void* initrd = reinterpret_cast<const void*>(abi::initrd_address);
    if (!cpio::find(initrd, context.info->initrd_size, name, file)) return fail(name, "no such program in the initrd");
    elf::Image image;
    if (elf::Error e = elf::parse(file.data, file.size, image); e != elf::Error::none) return fail(name, elf::describe(e));

    Cptr vspace = context.memory.allocate(ObjectType::address_space);
    Cptr cnode = context.memory.allocate(ObjectType::cnode, abi::task_cnode_radix);
    Cptr thread = context.memory.allocate(ObjectType::thread);
    Cptr inbox = context.memory.allocate(ObjectType::endpoint);
    if (!vspace || !cnode || !thread || !inbox) return fail(name, "out of memory");

    for (size_t s = 0; s < image.segment_count; ++s) {
        const elf::Segment& seg = image.segments[s];
        uint8_t r = rights::read | (seg.write ? rights::write : 0) | (seg.execute ? rights::execute : 0);
        uint64_t end = seg.vaddr + seg.memory_size;
        for (uint64_t va = seg.vaddr & ~(page - 1); va < end; va += page) {
            // The file's bytes that fall in this page; the rest is zero (.bss).
            uint64_t from = va > seg.vaddr ? va : seg.vaddr;
            uint64_t file_end = seg.vaddr + seg.file_size;
            uint64_t to = va + page < file_end ? va + page : file_end;
            uint64_t length = from < to ? to - from : 0;
            if (!fill_and_map(vspace, va, r, file.data + seg.file_offset + (from - seg.vaddr), from - va, length))
                return fail(name, "out of memory for its image");
        }
    }
    char environment[32];
    task.pid = next_pid++;
    lib::format_to(environment, sizeof environment, "PID=%lu", task.pid);
    Cptr top_frame;
    uint64_t sp = build_stack(vspace, argc, argv, environment, top_frame);
    for (uint64_t i = 2; sp && i <= stack_pages; ++i)
        if (!context.memory.map_new_frame(vspace, abi::root_stack_top - i * page, rights::read | rights::write)) sp = 0;
    Cptr ipc_buffer = context.memory.map_new_frame(vspace, abi::ipc_buffer_address, rights::read | rights::write);
    if (!sp || !ipc_buffer) return fail(name, "out of memory for its stack");

    namespace ts = abi::task_slot;
    Cptr registry_badged = context.slots.allocate();
    bool ok = registry_badged &&
              sys::ok(sys::cap_mint(slot::cnode, registry_badged, slot::cnode, registry_endpoint(), rights::write,
                                    task.pid)) &&
              copy_into(cnode, ts::cnode, cnode) && copy_into(cnode, ts::thread, thread) &&
              copy_into(cnode, ts::vspace, vspace) &&
              sys::ok(sys::cap_mint(cnode, ts::console, slot::cnode, slot::console, rights::write, 0)) &&
              copy_into(cnode, ts::ipc_buffer, ipc_buffer) &&
              sys::ok(sys::cap_move(cnode, ts::registry, slot::cnode, registry_badged)) &&
              sys::ok(sys::cap_mint(cnode, ts::inbox, slot::cnode, inbox, rights::read, 0));
    if (!ok) return fail(name, "cannot set up its capabilities");
    context.slots.free(registry_badged);

    abi::ThreadRegisters regs{};
    regs.rip = image.entry;
    regs.rsp = sp;
    if (!sys::ok(sys::thread_configure(thread, cnode, vspace, ipc_buffer, abi::ipc_buffer_address)) ||
        !sys::ok(sys::thread_write_registers(thread, regs)) || !sys::ok(sys::thread_set_priority(thread, priority)))
        return fail(name, "cannot set up its thread");
    task.cnode = cnode;
    task.thread = thread;
    task.vspace = vspace;
    task.inbox = inbox;
    register_task(task);
    sys::thread_resume(thread);
    return true;
}

}  // namespace root
