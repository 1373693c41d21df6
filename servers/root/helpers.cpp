#include "root.hpp"

namespace root {

namespace {
constexpr uint64_t stack_region = 0x0000200000000000ull;
constexpr uint64_t stack_stride = 0x10000;  // 64 KiB apart, 16 KiB used: guard gaps between stacks
constexpr uint64_t stack_pages = 4;
uint64_t stacks_made;

bool matches(const char* text, const char* word, const char*& value) {
    uint64_t i = 0;
    for (; word[i]; ++i)
        if (text[i] != word[i]) return false;
    if (text[i] != '\0' && text[i] != ' ' && text[i] != '=') return false;
    value = text[i] == '=' ? text + i + 1 : nullptr;
    return true;
}

// Finds `key` as a word of the command line; value points after '='.
bool find_word(const char* key, const char*& value) {
    const char* p = context.info->cmdline;
    bool found = false;
    while (*p) {
        while (*p == ' ') ++p;
        const char* v;
        if (*p && matches(p, key, v)) found = true, value = v;
        while (*p && *p != ' ') ++p;
    }
    return found;
}
}  // namespace

bool command_line_has(const char* word) {
    const char* value;
    return find_word(word, value);
}

bool command_line_value(const char* key, char* out, uint64_t capacity) {
    const char* value;
    if (!find_word(key, value) || !value || !capacity) return false;
    uint64_t n = 0;
    while (value[n] && value[n] != ' ' && n + 1 < capacity) out[n] = value[n], ++n;
    out[n] = '\0';
    return true;
}

sys::Cptr map_page(sys::Cptr vspace, uint64_t address) {
    return context.memory.map_new_frame(vspace, address, abi::rights::read | abi::rights::write);
}

bool share_page(sys::Cptr frame, sys::Cptr vspace, uint64_t address, uint8_t frame_rights) {
    sys::Cptr copy = context.slots.allocate();
    if (!copy) return false;
    if (!sys::ok(sys::cap_copy(abi::root_slot::cnode, copy, abi::root_slot::cnode, frame))) return false;
    return sys::ok(context.memory.map_frame(copy, vspace, address, frame_rights));
}

sys::Cptr make_code_sharing_space() {
    sys::Cptr vspace = context.memory.allocate(abi::ObjectType::address_space);
    if (!vspace) return 0;
    const abi::BootInfo& info = *context.info;
    for (uint32_t s = 0; s < info.image_segment_count; ++s) {
        const abi::ImageSegment& seg = info.image[s];
        if (seg.rights & abi::rights::write) continue;  // private data stays private
        for (uint64_t i = 0; i < seg.pages; ++i) {
            sys::Cptr copy = context.slots.allocate();
            if (!copy || !sys::ok(sys::cap_copy(abi::root_slot::cnode, copy, abi::root_slot::cnode, seg.first_frame + i)))
                return 0;
            if (!sys::ok(context.memory.map_frame(copy, vspace, seg.address + i * 4096, seg.rights))) return 0;
        }
    }
    return vspace;
}

uint64_t next_stack_top() { return stack_region + ++stacks_made * stack_stride; }

uint64_t ipc_buffer_of(uint64_t stack_top) { return stack_top - (stack_pages + 2) * 4096; }

uint64_t thread_ipc_buffer() {
    uint64_t rsp;
    asm("mov %%rsp, %0" : "=r"(rsp));
    return ipc_buffer_of((rsp | (stack_stride - 1)) + 1);  // stacks end at stack_stride boundaries
}

sys::Cptr make_thread(sys::Cptr vspace, ThreadEntry entry, uint64_t argument, uint8_t priority, uint64_t stack_top) {
    for (uint64_t i = 1; i <= stack_pages; ++i)
        if (!map_page(vspace, stack_top - i * 4096)) return 0;
    sys::Cptr ipc_buffer = map_page(vspace, ipc_buffer_of(stack_top));
    sys::Cptr thread = context.memory.allocate(abi::ObjectType::thread);
    if (!thread || !ipc_buffer) return 0;
    if (!sys::ok(sys::thread_configure(thread, abi::root_slot::cnode, vspace, ipc_buffer, ipc_buffer_of(stack_top))))
        return 0;
    abi::ThreadRegisters r{};
    r.rip = uint64_t(entry);
    r.rsp = stack_top - 8;  // as if just called: rsp + 8 is 16-byte aligned
    r.rdi = argument;
    if (!sys::ok(sys::thread_write_registers(thread, r))) return 0;
    if (!sys::ok(sys::thread_set_priority(thread, priority))) return 0;
    return thread;
}

}  // namespace root
