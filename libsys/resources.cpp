#include "sys/resources.hpp"

namespace sys {


Cptr first_empty_slot(Cptr from, Cptr end) {
    for (Cptr c = from; c < end; ++c)
        if (error_of(cap_identify(c).result) == Error::invalid_capability) return c;
    return 0;
}

void SlotAllocator::init(Cptr cnode, Cptr first, Cptr end) {
    cnode_ = cnode;
    next_ = first;
    end_ = end;
    freed_count_ = 0;
}

Cptr SlotAllocator::allocate() {
    if (freed_count_) return freed_[--freed_count_];
    return next_ < end_ ? next_++ : 0;
}

void SlotAllocator::free(Cptr slot) {
    if (slot && freed_count_ < free_list_capacity) freed_[freed_count_++] = slot;
}

bool UntypedPool::add(Cptr untyped, uint8_t size_bits) {
    if (count_ == capacity) return false;
    regions_[count_++] = Region{untyped, size_bits, 0};
    return true;
}

uint64_t UntypedPool::free_bytes() const {
    uint64_t bytes = 0;
    for (unsigned i = 0; i < count_; ++i) bytes += (1ull << regions_[i].size_bits) - regions_[i].used;
    return bytes;
}

Cptr UntypedPool::allocate(ObjectType type, unsigned size_bits, int64_t* result) {
    Cptr slot = slots_.allocate();
    int64_t r = slot ? allocate_into(type, size_bits, slot) : abi::error_code(Error::slot_occupied);
    if (result) *result = r;
    if (ok(r)) return slot;
    if (slot) slots_.free(slot);
    return 0;
}

int64_t UntypedPool::allocate_into(ObjectType type, unsigned size_bits, Cptr slot) {
    uint64_t size = abi::object_size(type, size_bits);
    int64_t r = abi::error_code(Error::out_of_memory);
    for (unsigned i = 0; i < count_; ++i) {
        Region& region = regions_[i];
        uint64_t offset = (region.used + size - 1) & ~(size - 1);
        if (offset + size > (1ull << region.size_bits)) continue;
        if (type == ObjectType::untyped && size_bits >= region.size_bits) continue;  // must be smaller
        r = untyped_retype(region.cptr, type, size_bits, slots_.cnode(), slot);
        if (ok(r)) {
            region.used = offset + size;
            return r;
        }
        if (error_of(r) != Error::out_of_memory) break;
        region.used = 1ull << region.size_bits;  // our view was stale: the region is full
    }
    return r;
}

int64_t UntypedPool::map_frame(Cptr frame, Cptr vspace, uint64_t address, uint8_t rights) {
    for (;;) {
        unsigned level = 0;
        int64_t r = sys::frame_map(frame, vspace, address, rights, &level);
        if (error_of(r) != Error::missing_page_table) return r;
        int64_t made;
        Cptr table = allocate(ObjectType::page_table, level, &made);
        if (!table) return made;
        r = page_table_map(table, vspace, address);
        if (!ok(r)) return r;
    }
}

Cptr UntypedPool::map_new_frame(Cptr vspace, uint64_t address, uint8_t rights) {
    Cptr frame = allocate(ObjectType::frame);
    if (!frame) return 0;
    if (!ok(map_frame(frame, vspace, address, rights))) return 0;
    return frame;
}


}  // namespace sys
