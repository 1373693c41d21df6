#include "sys/program.hpp"

#include <initializer_list>

#include "abi/boot_info.hpp"
#include "abi/task.hpp"
#include "common/format.hpp"
#include "common/string.hpp"
#include "sys/inspect.hpp"
#include "sys/resources.hpp"
#include "sys/syscall.hpp"

namespace sys {

namespace {

using abi::ObjectType;
namespace rights = abi::rights;
namespace ts = abi::task_slot;

constexpr uint64_t page = 4096;
constexpr uint64_t stack_pages = 8;
// Our own CNode and address space: the same slots in the root task and in
// every task started this way.
constexpr Cptr own_cnode = ts::cnode;
constexpr Cptr own_vspace = ts::vspace;

#define TRY(expression)                         \
    do {                                        \
        if (int64_t e_ = (expression); e_ < 0) return e_; \
    } while (0)

// Makes objects for one task. Capabilities are prepared in our staging
// slots (the kernel maps only what the caller can name) and then moved into
// the task's CNode, which ends up holding everything the task is made of.
struct Builder {
    const ProgramResources& r;
    Cptr next_slot = r.first_task_slot;
    ProgramReport report{};

    int64_t hand_over(Cptr staged) {
        if (next_slot >= (1ull << r.cnode_radix)) return abi::error_code(Error::out_of_memory);
        return cap_move(r.cnode, next_slot++, own_cnode, staged);
    }

    // Maps the staged frame into the task, making the page tables it needs.
    int64_t map_into_task(uint64_t address, uint8_t frame_rights) {
        for (;;) {
            unsigned level = 0;
            int64_t e = frame_map(r.staging[0], r.vspace, address, frame_rights, &level);
            if (error_of(e) != Error::missing_page_table) {
                if (e < 0) return e;
                ++report.pages;
                return hand_over(r.staging[0]);
            }
            TRY(untyped_retype(r.untyped, ObjectType::page_table, level, own_cnode, r.staging[1]));
            ++report.page_tables;
            TRY(page_table_map(r.staging[1], r.vspace, address));
            TRY(hand_over(r.staging[1]));
        }
    }

    // A new page of the task at address: `length` bytes from `bytes` at
    // `offset` (the rest zero), then the relocations of `file` that touch it
    // if `relocated` is given.
    int64_t add_page(uint64_t address, uint8_t frame_rights, const void* bytes, uint64_t offset, uint64_t length,
                     const elf::Image* relocated = nullptr, const void* file = nullptr) {
        TRY(untyped_retype(r.untyped, ObjectType::frame, 0, own_cnode, r.staging[0]));
        if (length || relocated) {
            TRY(frame_map(r.staging[0], own_vspace, r.scratch_address, rights::read | rights::write));
            auto* page_bytes = reinterpret_cast<uint8_t*>(r.scratch_address);
            if (length) memcpy(page_bytes + offset, bytes, length);
            if (relocated) elf::relocate_page(file, *relocated, address, page_bytes);
            TRY(frame_unmap(r.staging[0]));
        }
        return map_into_task(address, frame_rights);
    }
};

// Copies every segment into frames of the task (relocated, for a PIE).
int64_t load_segments(Builder& b, const elf::Image& image, const uint8_t* file) {
    const elf::Image* relocated = image.needs_relocation() ? &image : nullptr;
    for (size_t s = 0; s < image.segment_count; ++s) {
        const elf::Segment& seg = image.segments[s];
        uint8_t r = rights::read | (seg.write ? rights::write : 0) | (seg.execute ? rights::execute : 0);
        uint64_t file_end = seg.vaddr + seg.file_size;
        for (uint64_t va = seg.vaddr & ~(page - 1); va < seg.vaddr + seg.memory_size; va += page) {
            // The file's bytes that fall in this page; the rest is zero (.bss).
            uint64_t from = va > seg.vaddr ? va : seg.vaddr;
            uint64_t to = va + page < file_end ? va + page : file_end;
            uint64_t length = from < to ? to - from : 0;
            TRY(b.add_page(va, r, file + seg.file_offset + (from - seg.vaddr), from - va, length, relocated, file));
        }
    }
    return 0;
}

// The System V initial stack in the top page: argc, argv[], NULL, envp[],
// NULL, the auxiliary vector (AT_PAGESZ, AT_ENTRY, AT_NULL), and the
// strings above them. Sets rsp.
int64_t build_stack(Builder& b, const ProgramRequest& p, uint64_t entry, uint64_t& rsp) {
    constexpr uint64_t at_null = 0, at_pagesz = 6, at_entry = 9;
    uint8_t image[page] = {};
    const uint64_t top = abi::root_stack_top;
    const uint64_t base = top - page;
    uint64_t strings = page;
    uint64_t words[48];
    unsigned n = 0;
    auto push_string = [&](const char* s) -> uint64_t {
        uint64_t length = strlen(s) + 1;
        if (length > strings - 512) return 0;  // leave room for the pointers
        strings -= length;
        memcpy(image + strings, s, length);
        return base + strings;
    };
    char environment[32];
    lib::format_to(environment, sizeof environment, "PID=%lu", p.pid);
    words[n++] = uint64_t(p.argc);
    for (int i = 0; i < p.argc; ++i)
        if (!(words[n++] = push_string(p.argv[i]))) return abi::error_code(Error::bad_argument);
    words[n++] = 0;
    for (int i = 0; i < p.envc; ++i)
        if (!(words[n++] = push_string(p.envp[i]))) return abi::error_code(Error::bad_argument);
    if (!(words[n++] = push_string(environment))) return abi::error_code(Error::bad_argument);
    words[n++] = 0;
    for (uint64_t value : {at_pagesz, page, at_entry, entry, at_null, uint64_t(0)}) words[n++] = value;
    rsp = ((base + strings) & ~15ull) - n * 8;
    rsp &= ~15ull;  // 16-byte aligned at _start
    memcpy(image + (rsp - base), words, n * 8);
    TRY(b.add_page(base, rights::read | rights::write, image, 0, page));
    for (uint64_t i = 2; i <= stack_pages; ++i) TRY(b.add_page(top - i * page, rights::read | rights::write, nullptr, 0, 0));
    return 0;
}

}  // namespace

bool prepare_scratch_page(UntypedPool& memory, uint64_t address) {
    Cptr frame = memory.map_new_frame(own_vspace, address, rights::read | rights::write);
    return frame && ok(frame_unmap(frame));
}

int64_t start_program(const ProgramResources& r, const ProgramRequest& p, const char** why, ProgramReport* report) {
    const char* ignored;
    if (!why) why = &ignored;
    elf::Image image;
    if (elf::Error e = elf::parse(p.file, p.size, image); e != elf::Error::none) {
        *why = elf::describe(e);
        return abi::error_code(Error::bad_argument);
    }
    if (p.argc < 1 || p.argc > 16 || p.envc < 0 || p.envc > 16) {
        *why = "between 1 and 16 arguments and at most 16 environment strings are allowed";
        return abi::error_code(Error::bad_argument);
    }
    *why = "out of memory for its kernel objects";
    TRY(untyped_retype(r.untyped, ObjectType::cnode, r.cnode_radix, own_cnode, r.cnode));
    TRY(untyped_retype(r.untyped, ObjectType::address_space, 0, own_cnode, r.vspace));
    TRY(untyped_retype(r.untyped, ObjectType::thread, 0, own_cnode, r.thread));
    TRY(untyped_retype(r.untyped, ObjectType::endpoint, 0, own_cnode, r.inbox));
    char name[abi::inspect::name_size];
    short_name(p.argv[0], name);  // the program's name, for ps and the GDB helpers
    TRY(thread_set_name(r.thread, name));

    Builder b{r};
    *why = "cannot load its image";
    // A page of a relocated image differs from the file, so it cannot be
    // filled from the file on first touch: such images are loaded here.
    const bool eager = !p.lazy_segments || image.needs_relocation() || image.segment_count > p.max_lazy_segments;
    if (eager) TRY(load_segments(b, image, static_cast<const uint8_t*>(p.file)));
    uint64_t rsp;
    *why = "its arguments do not fit on the stack";
    TRY(build_stack(b, p, image.entry, rsp));
    *why = "out of memory for its IPC buffer";
    TRY(b.add_page(abi::ipc_buffer_address, rights::read | rights::write, nullptr, 0, 0));
    Cptr ipc_frame = b.next_slot - 1;

    // The standard slots (abi/task.hpp).
    *why = "cannot give it its capabilities";
    TRY(cap_copy(r.cnode, ts::cnode, own_cnode, r.cnode));
    TRY(cap_copy(r.cnode, ts::thread, own_cnode, r.thread));
    TRY(cap_copy(r.cnode, ts::vspace, own_cnode, r.vspace));
    TRY(cap_mint(r.cnode, ts::console, own_cnode, p.console, rights::write, 0));
    TRY(cap_move(r.cnode, ts::ipc_buffer, r.cnode, ipc_frame));
    if (p.registry) TRY(cap_mint(r.cnode, ts::registry, own_cnode, p.registry, rights::write, p.pid));
    TRY(cap_mint(r.cnode, ts::inbox, own_cnode, r.inbox, rights::read, 0));
    if (p.pager) TRY(cap_mint(r.cnode, ts::pager, own_cnode, p.pager, rights::write, p.pid));

    *why = "cannot set up its thread";
    TRY(thread_configure(r.thread, r.cnode, r.vspace, 0, 0));
    // The IPC buffer frame and the pager capability live in the task's CNode
    // now: configure them through copies in our staging slots.
    TRY(cap_copy(own_cnode, r.staging[0], r.cnode, ts::ipc_buffer));
    if (p.pager) TRY(cap_copy(own_cnode, r.staging[1], r.cnode, ts::pager));
    int64_t configured = thread_configure(r.thread, r.cnode, r.vspace, r.staging[0], abi::ipc_buffer_address,
                                          p.pager ? r.staging[1] : 0);
    cap_delete(own_cnode, r.staging[0]);
    cap_delete(own_cnode, r.staging[1]);
    TRY(configured);
    abi::ThreadRegisters regs{};
    regs.rip = image.entry;
    regs.rsp = rsp;
    TRY(thread_write_registers(r.thread, regs));
    TRY(thread_set_priority(r.thread, p.priority));
    if (p.resume) TRY(thread_resume(r.thread));
    *why = "";
    if (report) {
        *report = b.report;
        report->image = image;
        report->segments_loaded = eager;
    }
    return 0;
}

#undef TRY

}  // namespace sys
