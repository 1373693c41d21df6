// libFuzzer target for elf::parse. Whatever the input, parse must not crash,
// over-read (AddressSanitizer) or hit undefined behaviour (UBSan); and when it
// accepts a file, the image must keep every promise of elf.hpp. The promises
// are re-checked here with independent arithmetic, and a broken one traps so
// the fuzzer saves the input.
#include "common/elf.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace {

constexpr uint64_t page = 4096;
constexpr uint64_t top = ~uint64_t{0};

void require(bool ok) {
    if (!ok) __builtin_trap();
}

void check_image(const elf::Image& image, const elf::Limits& limits, size_t size) {
    require(image.segment_count >= 1 && image.segment_count <= elf::max_segments);
    bool entry_in_text = false;
    uint64_t previous_end = 0;  // page-rounded end of the previous segment
    for (size_t k = 0; k < image.segment_count; ++k) {
        const elf::Segment& s = image.segments[k];
        require(s.memory_size > 0);
        require(s.file_size <= s.memory_size);
        require(s.file_size == 0 || (s.file_offset <= size && s.file_size <= size - s.file_offset));
        require(s.memory_size <= top - s.vaddr);
        const uint64_t end = s.vaddr + s.memory_size;
        require(end <= top - (page - 1));
        const uint64_t first_page = s.vaddr / page * page;
        const uint64_t end_page = (end + page - 1) / page * page;
        require(first_page >= limits.lowest_address);
        require(end_page <= limits.user_limit);
        require(!(s.write && s.execute));
        // Sorted and not sharing a page with the previous segment.
        if (k > 0) require(first_page >= previous_end && s.vaddr >= image.segments[k - 1].vaddr);
        previous_end = end_page;
        if (s.execute && image.entry >= s.vaddr && image.entry < end) entry_in_text = true;
        // Placed at the bias: nothing below it.
        require(s.vaddr >= image.load_bias);
    }
    require(entry_in_text);
    require(image.load_bias == (image.position_independent ? limits.position_independent_base : 0));
    // Relocation tables lie inside the file.
    const elf::Relocations& r = image.relocations;
    require(r.rela_count == 0 || (r.rela_offset <= size && r.rela_count <= (size - r.rela_offset) / 24));
    require(r.relr_count == 0 || (r.relr_offset <= size && r.relr_count <= (size - r.relr_offset) / 8));
}

// Relocates the first page of every segment into a page-sized buffer:
// AddressSanitizer catches a write outside it or a read outside the file.
void relocate_pages(const uint8_t* data, const elf::Image& image) {
    static uint8_t page_bytes[page];
    for (size_t k = 0; k < image.segment_count; ++k)
        elf::relocate_page(data, image, image.segments[k].vaddr & ~(page - 1), page_bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // The defaults, and a caller that allows everything but the last page, so
    // that the overflow checks are reached and not masked by the limits.
    static const elf::Limits limits[] = {elf::Limits{}, elf::Limits{top - (page - 1), 0, 0}};
    for (const elf::Limits& l : limits) {
        elf::Image image;
        std::memset(&image, 0x5a, sizeof image);
        size_t index = 0;
        const elf::Error e = elf::parse(data, size, image, l, &index);
        require(elf::describe(e) != nullptr);
        if (e == elf::Error::none) {
            require(index == elf::no_index);
            check_image(image, l, size);
            relocate_pages(data, image);
        } else {
            // A refused file leaves the image alone; e_phnum is 16 bits.
            const auto* raw = reinterpret_cast<const uint8_t*>(&image);
            for (size_t i = 0; i < sizeof image; ++i) require(raw[i] == 0x5a);
            require(index == elf::no_index || index < 0xffff);
        }
    }
    return 0;
}
