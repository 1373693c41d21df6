// The pager server: demand paging for tasks' anonymous memory within a
// fixed budget of frames, with CLOCK-Pro (adaptive and scan-resistant, over
// the hardware accessed bits and the ghosts of evicted pages), CLOCK, or
// FIFO/random for comparison, and a backing store that keeps evicted pages'
// contents: in RAM, or on a swap disk through the block server when the
// root task gives us one (abi::pager::blk_slot; docs/paging.md, "Swap").
//
// Started by the root task as:
//   pager FRAMES POLICY FIRST COUNT INITRD_SIZE STORE_PAGES CNODE_RADIX [CLUSTER READAHEAD]
// with untyped regions in slots [FIRST, FIRST + COUNT): the first holds the
// budget frames, the second the backing store (STORE_PAGES pages), the
// third page tables (our windows', then tasks' in chunks). Its CNode has
// 2^CNODE_RADIX slots, sized by the root task: two per budget frame, one
// per store page, one per page table. The initrd is mapped read-only at
// abi::initrd_address, for file-backed regions (programs' segments,
// registered by the loader). Nothing is clamped: a budget or store that
// cannot be set up is refused with a line saying why.
#include <initializer_list>

#include "abi/boot_info.hpp"
#include "abi/ipc.hpp"
#include "abi/pager.hpp"
#include "abi/task.hpp"
#include "abi/blk.hpp"
#include "common/string.hpp"
#include "fault_around.hpp"
#include "replacement.hpp"
#include "swap_slots.hpp"
#include "sys/clock.hpp"
#include "sys/ipc.hpp"
#include "sys/print.hpp"
#include "sys/text.hpp"
#include "sys/resources.hpp"

namespace {

using abi::Cptr;
using abi::Error;
using abi::ObjectType;
namespace ipc = sys::ipc;
namespace ts = abi::task_slot;
namespace rights = abi::rights;

// Static limits of the bookkeeping (the root task checks budgets against
// them before it starts us, and we check again).
constexpr size_t min_frames = abi::pager::min_frames;
constexpr size_t max_frames = abi::pager::max_frames;
// Page records: pages in all regions of all tasks. A 1 GiB heap (what
// pager_stress may ask for) and its program fit.
constexpr size_t max_pages = 262144 + 8192;
constexpr size_t max_backing = abi::pager::max_store_pages;
constexpr unsigned max_clients = abi::pager::max_clients;
constexpr unsigned max_regions = abi::pager::max_regions;
constexpr uint64_t frame_window = 0x0000400000000000ull;    // our mapping of budget frame i
constexpr uint64_t backing_window = 0x0000500000000000ull;  // our mapping of backing page j
constexpr uint64_t disk_buffer_window = 0x0000580000000000ull;  // the pages we lend the block server
constexpr uint64_t page = 4096;

// Kept small (32 bytes): every client has max_regions of them.
struct Region {
    uint64_t start;              // page-aligned
    uint32_t pages;
    uint32_t first_record;
    uint32_t file_offset, file_size;  // in the initrd, which is below 4 GiB
    uint16_t vaddr_offset;       // where in the first page the segment begins
    uint8_t rights;
    bool file_backed;            // else anonymous: zero-filled
    bool sequential;             // asked for whole clusters on every fault (abi::pager::heap_sequential)
    uint64_t vaddr() const { return start + vaddr_offset; }
};
static_assert(sizeof(Region) == 32);

// Tasks' page tables come in chunks of four (16 KiB of untyped memory),
// as many chunks per task as it needs while the table memory lasts; a
// task's chunks are revoked when it goes and serve the next tasks.
constexpr unsigned chunk_bits = 14;
constexpr unsigned tables_per_chunk = 4;
constexpr unsigned max_chunks = 4096;  // 64 MiB of page tables (the root task gives at most 32)

struct Chunk {
    Cptr untyped;
    Cptr tables[tables_per_chunk];
    unsigned used;     // tables made from it
    int32_t owner;     // client index, -1 when spare
};
Chunk chunks[max_chunks];
unsigned chunk_count;

struct Client {
    uint64_t id;
    bool used;
    bool killed;                 // its pages were taken back; faults are refused
    Cptr vspace;
    int32_t chunk;               // the chunk its next page table comes from, -1 none
    unsigned chunks_held;
    Region regions[max_regions];
    unsigned region_count;
    uint32_t ahead_record;       // the record of the first of around.ahead() pages mapped ahead
    uint64_t heap_pages;
    uint64_t stored;             // its pages in the backing store
    abi::pager::FaultReason kill_reason;  // why it was killed (its later faults say so)
    // Where its faults' runs go, how many pages they map (docs/paging.md,
    // "Fault-around"), and whether the disk reads ahead (a run continues).
    pager::FaultAround around;
    uint64_t faults, evictions, write_backs, read_backs;
};

// A page's whereabouts. Not zero when empty, so the array is filled at
// start (it lives in .bss: 2 MiB of -1 would otherwise sit in the initrd).
// Six bytes each (packed): 1.6 MiB for the 270,336 records.
struct [[gnu::packed]] PageRecord {
    int16_t frame;    // budget frame holding it (below max_frames), -1 when not resident
    int32_t backing;  // store page (RAM) or disk slot with its saved contents, -1 when none
};
static_assert(sizeof(PageRecord) == 6 && max_frames <= 32767);
constexpr PageRecord empty_record{-1, -1};

struct Frame {
    Cptr own;              // mapped at frame_window + i * page for our copies
    Cptr mapped;           // the capability mapped into the client
    Client* client;
    uint64_t address;      // where its page is in the client
    uint32_t record;
    bool used, referenced, dirty;
};

Client clients[max_clients];
PageRecord records[max_pages];
uint32_t records_used;  // records below this have been handed out at some time

// Ranges of records given back by tasks that went away, for reuse.
struct RecordRange {
    uint32_t first, count;
};
constexpr unsigned max_free_ranges = 256;
RecordRange free_ranges[max_free_ranges];
unsigned free_range_count;

// Page records for a new region: a freed range that fits, else fresh ones.
// Returns max_pages when none are left.
uint32_t allocate_records(uint64_t pages) {
    for (unsigned i = 0; i < free_range_count; ++i) {
        RecordRange& r = free_ranges[i];
        if (r.count < pages) continue;
        uint32_t first = r.first;
        r.first += uint32_t(pages);
        r.count -= uint32_t(pages);
        if (!r.count) r = free_ranges[--free_range_count];
        return first;
    }
    if (pages > max_pages - records_used) return max_pages;
    uint32_t first = records_used;
    records_used += uint32_t(pages);
    return first;
}

void free_records(uint32_t first, uint64_t pages) {
    if (free_range_count < max_free_ranges) free_ranges[free_range_count++] = RecordRange{first, uint32_t(pages)};
}
Frame frames[max_frames];
size_t frame_count;
pager::Replacement replacement;
pager::Replacement::FrameState frame_states[max_frames];
pager::Replacement::History replacement_history;  // CLOCK-Pro's clock and ghosts
static_assert(max_frames <= pager::max_policy_frames);
uint32_t backing_used;      // store pages made so far (each mapped at backing_window)
uint32_t backing_capacity;  // STORE_PAGES
int32_t backing_free_list[max_backing];
uint32_t backing_free_count;
uint64_t total_faults, total_evictions, total_write_backs, total_read_backs, total_kills;
uint64_t ahead_mapped, ahead_used, ahead_unused;  // fault-around: pages mapped ahead, and how they were used
unsigned around_max = 1;  // pages per cluster at most (1: no fault-around)
uint64_t initrd_size;

sys::SlotAllocator slots;
sys::UntypedPool frame_memory{slots};    // the budget
sys::UntypedPool backing_memory{slots};  // the backing store
sys::UntypedPool table_memory{slots};    // page tables for clients and for our windows

Client* client_of(uint64_t id) {
    for (Client& c : clients)
        if (c.used && c.id == id) return &c;
    return nullptr;
}

uint8_t* frame_bytes(size_t f) { return reinterpret_cast<uint8_t*>(frame_window + f * page); }
uint8_t* backing_bytes(int32_t b) { return reinterpret_cast<uint8_t*>(backing_window + uint64_t(b) * page); }

int32_t index_of(const Client& c) { return int32_t(&c - clients); }

// Gives a client a chunk for its next page tables: a spare one first, else
// one of fresh table memory; false when the memory is used up.
bool take_chunk(Client& c) {
    c.chunk = -1;
    for (unsigned i = 0; i < chunk_count; ++i)
        if (chunks[i].owner < 0) {
            c.chunk = int32_t(i);
            break;
        }
    if (c.chunk < 0) {
        if (chunk_count == max_chunks) return false;
        Cptr untyped = table_memory.allocate(ObjectType::untyped, chunk_bits);
        if (!untyped) return false;
        chunks[chunk_count] = Chunk{untyped, {}, 0, -1};
        c.chunk = int32_t(chunk_count++);
    }
    chunks[c.chunk].owner = index_of(c);
    ++c.chunks_held;
    return true;
}

// A page table for a client, from its current chunk or a new one; 0 when
// the memory is used up.
Cptr new_client_table(Client& c, unsigned level) {
    if ((c.chunk < 0 || chunks[c.chunk].used == tables_per_chunk) && !take_chunk(c)) return 0;
    Chunk& chunk = chunks[c.chunk];
    Cptr table = slots.allocate();
    if (!table) return 0;
    if (!sys::ok(sys::untyped_retype(chunk.untyped, ObjectType::page_table, level, ts::cnode, table))) {
        slots.free(table);
        return 0;
    }
    chunk.tables[chunk.used++] = table;
    return table;
}

// Gives back a client's page tables: each chunk revoked, kept for reuse.
void free_client_tables(Client& c) {
    for (unsigned i = 0; i < chunk_count; ++i) {
        Chunk& chunk = chunks[i];
        if (chunk.owner != index_of(c)) continue;
        sys::cap_revoke(ts::cnode, chunk.untyped);
        for (unsigned t = 0; t < chunk.used; ++t) slots.free(chunk.tables[t]);
        chunk.used = 0;
        chunk.owner = -1;
    }
    c.chunk = -1;
    c.chunks_held = 0;
}

// Makes the page table of `level` that address needs in vspace and maps
// it: for a client from its own table region (freed when it goes), for our
// windows from table_memory.
int64_t add_table(Cptr vspace, uint64_t address, unsigned level, Client* client) {
    int64_t made;
    Cptr table;
    if (client) {
        if (!(table = new_client_table(*client, level))) return abi::error_code(Error::out_of_memory);
    } else if (!(table = table_memory.allocate(ObjectType::page_table, level, &made))) {
        return made;
    }
    return sys::page_table_map(table, vspace, address);
}

// Maps a frame capability of ours into vspace, making page tables as
// needed.
int64_t map(Cptr frame, Cptr vspace, uint64_t address, uint8_t frame_rights, Client* client = nullptr) {
    for (;;) {
        unsigned level = 0;
        int64_t e = sys::frame_map(frame, vspace, address, frame_rights, &level);
        if (sys::error_of(e) != Error::missing_page_table) return e;
        if (int64_t t = add_table(vspace, address, level, client); t < 0) return t;
    }
}

// Maps caps[i] at address + i pages into the client with frame_map_batch,
// making page tables where one is missing and going on from there.
// Returns how many were mapped, from the first on.
unsigned map_cluster(Client& c, uint64_t address, uint8_t frame_rights, const Cptr* caps, unsigned count) {
    unsigned done = 0;
    while (done < count) {
        sys::BatchResult r = sys::frame_map_batch(c.vspace, address + done * page, frame_rights, caps + done, count - done);
        done += unsigned(r.mapped);
        if (r.status >= 0 || sys::error_of(r.status) != Error::missing_page_table) break;
        if (add_table(c.vspace, address + done * page, r.missing_level, &c) < 0) break;
    }
    return done;
}

// The accessed and dirty bits of frame f's page, read (and cleared in the
// page table) when the CLOCK hand reaches the frame, or for the victim,
// and folded into the frame: one page per system call, only for the frames
// the hand looks at, whatever the size of the tasks' regions.
void query_frame(size_t f) {
    Frame& fr = frames[f];
    uint8_t state = 0;
    if (sys::address_space_query(fr.client->vspace, fr.address, 1, &state) < 0) return;
    fr.referenced |= (state & abi::page_state::accessed) != 0;
    fr.dirty |= (state & abi::page_state::dirty) != 0;
}

bool referenced(void*, size_t f) {
    query_frame(f);
    bool was = frames[f].referenced;
    frames[f].referenced = false;
    return was;
}

// A store page, made (and mapped in our window) on first use; -1 when the
// store is full.
int32_t new_backing_page() {
    if (backing_free_count) return backing_free_list[--backing_free_count];
    if (backing_used == backing_capacity) return -1;
    Cptr frame = backing_memory.allocate(ObjectType::frame);
    if (!frame || !sys::ok(map(frame, ts::vspace, backing_window + uint64_t(backing_used) * page, rights::read | rights::write))) {
        sys::print("pager: cannot make store page %u of %u\n", backing_used, backing_capacity);
        backing_capacity = backing_used;  // what we have is all there is (said once)
        return -1;
    }
    return int32_t(backing_used++);
}

// --- the swap disk (docs/paging.md, "Swap") ------------------------------
//
// With a block server (abi/blk.hpp) the store is the disk: slots of 4 KiB
// (8 sectors), one bit each. The server gives us 64 buffer pages of its
// own memory once (attach_buffer); pages go through them (a copy, 4 KiB
// each way):
// buffer pages 0..31 for write clusters, 32..63 for reads. The pager is
// single-threaded and simple about waiting: it submits one request, then
// waits on its block notification (notification_wait) until the request
// completes, and only then goes on (replies to the faulting task). Other
// tasks run meanwhile; their faults queue on our endpoint. When the block
// server dies the root task revokes its endpoint and signals our
// notification, so the wait ends and the next call fails.

constexpr uint32_t max_disk_slots = 1u << 20;  // 4 GiB of swap at most; the rest of a larger disk is unused
constexpr uint32_t max_cluster = abi::blk::max_buffer_pages / 2;
constexpr uint32_t read_buffer_first = max_cluster;  // reads land in buffer pages 32..63

bool disk;         // the store is the disk
bool disk_gone;    // the block server died or its endpoint went: every request fails from now on
uint64_t swap_words[max_disk_slots / 64];
pager::SwapSlots swap;
uint32_t cluster = 16;    // victims evicted (and written) together
uint32_t readahead = 16;  // pages read with a faulting page, it included (1: none)
uint64_t disk_write_requests, disk_read_requests, readahead_pages, disk_errors;
uint64_t disk_cycles;  // TSC cycles inside disk_transfer (statistics word 11)

uint8_t* disk_buffer(uint32_t p) { return reinterpret_cast<uint8_t*>(disk_buffer_window + uint64_t(p) * page); }

void release_backing(int32_t b) {
    if (disk) swap.free(uint32_t(b));
    else backing_free_list[backing_free_count++] = b;
}

// A word of the last reply: 0..3 came in registers, the rest in our buffer.
uint64_t reply_word(const ipc::Received& r, unsigned i) {
    return i < abi::ipc::register_words ? r.message.words[i] : ipc::buffer().words[i];
}

int64_t disk_failed(const char* what, int64_t e) {
    ++disk_errors;
    if (disk_errors <= 8)
        sys::print("pager: disk: %s failed: %s\n", what, sys::describe(sys::error_of(e)));
    return e;
}

// One transfer of `count` slots from `slot` to or from our buffer pages
// from buffer_page on, waited for. 0, or a negated error: the block
// server's status for the request, or why it could not be reached.
int64_t disk_round_trip(uint32_t slot, uint32_t count, uint32_t buffer_page, bool write) {
    const char* what = write ? "a write" : "a read";
    if (disk_gone) return disk_failed(what, abi::error_code(Error::object_destroyed));
    abi::blk::Request request{uint64_t(slot) * (page / abi::blk::sector_size),
                              uint64_t(count) * (page / abi::blk::sector_size), uint64_t(buffer_page) * page,
                              write ? 1u : 0u};
    ++(write ? disk_write_requests : disk_read_requests);
    ipc::Received r = ipc::call(abi::pager::blk_slot, ipc::pack(abi::blk::submit, request));
    if (r.result != 0 || r.label() != 0) {
        int64_t e = r.result ? r.result : -int64_t(r.label());
        if (r.result) disk_gone = true;  // the endpoint is gone (revoked with a dead server)
        return disk_failed(what, e);
    }
    uint64_t tag = r.message.words[0];
    for (;;) {
        sys::WordResult w = sys::notification_wait(abi::pager::blk_notification_slot);
        if (w.status < 0) {
            disk_gone = true;
            return disk_failed(what, w.status);
        }
        // Collect every completion (ours may have come with others, or
        // before the block server died).
        for (;;) {
            ipc::Received c = ipc::call(abi::pager::blk_slot, ipc::Message{ipc::make_tag(abi::blk::complete, 0), {}});
            if (c.result != 0 || c.label() != 0) {
                if (c.result) {
                    if (!disk_gone) sys::print("pager: disk: the block server is gone; pages on the disk are lost\n");
                    disk_gone = true;
                }
                return disk_failed(what, c.result ? c.result : -int64_t(c.label()));
            }
            uint64_t n = c.message.words[0];
            if (n == 0) break;
            for (uint64_t i = 0; i < n && i < 4; ++i)
                if (reply_word(c, unsigned(1 + 2 * i)) == tag) {
                    int64_t status = int64_t(reply_word(c, unsigned(2 + 2 * i)));
                    return status < 0 ? disk_failed(what, status) : 0;
                }
        }
    }
}

// The same, timed, so that benchmarks can tell the disk round trip from the
// rest of a fault (under -icount the device's host time lands in here).
int64_t disk_transfer(uint32_t slot, uint32_t count, uint32_t buffer_page, bool write) {
    uint64_t start = sys::rdtsc();
    int64_t status = disk_round_trip(slot, count, buffer_page, write);
    disk_cycles += sys::rdtsc() - start;
    return status;
}

// Connects to the block server: our notification, our buffer pages, the
// disk's size. False (and a line saying why) when it cannot be used; the
// store then stays in RAM.
bool attach_disk() {
    if (sys::cap_identify(abi::pager::blk_slot).type != ObjectType::endpoint) return false;
    auto refuse = [](const char* why, int64_t e) {
        sys::print("pager: the swap disk cannot be used (%s: %s); the store stays in RAM\n", why,
                   sys::describe(sys::error_of(e)));
        return false;
    };
    ipc::Received r = ipc::call(abi::pager::blk_slot, ipc::Message{ipc::make_tag(abi::blk::info, 0), {}});
    if (r.result != 0 || r.label() != 0) return refuse("info", r.result ? r.result : -int64_t(r.label()));
    uint64_t sectors = r.message.words[0], sector_size = r.message.words[1], max_sectors = r.message.words[2];
    if (sector_size != abi::blk::sector_size) return refuse("sector size not 512", abi::error_code(Error::bad_argument));
    uint64_t disk_slots = sectors / (page / abi::blk::sector_size);
    if (disk_slots > max_disk_slots) disk_slots = max_disk_slots;
    if (disk_slots < 64) return refuse("disk smaller than 256 KiB", abi::error_code(Error::bad_argument));
    // Requests of at most the device's limit: clusters and read-ahead are cut to fit.
    uint64_t per_request = max_sectors ? max_sectors / (page / abi::blk::sector_size) : max_cluster;
    if (per_request == 0) return refuse("requests below a page", abi::error_code(Error::bad_argument));
    if (cluster > per_request) cluster = uint32_t(per_request);
    if (readahead > per_request) readahead = uint32_t(per_request);
    // Our notification, badged for completions.
    Cptr done = slots.allocate();
    if (!done || !sys::ok(sys::cap_mint(ts::cnode, done, ts::cnode, abi::pager::blk_notification_slot, rights::write,
                                         abi::pager::blk_done_bit)))
        return refuse("notification", abi::error_code(Error::out_of_memory));
    ipc::Buffer& b = ipc::buffer();
    b.caps[0] = done;
    r = ipc::call(abi::pager::blk_slot, ipc::Message{ipc::make_tag(abi::blk::attach_notification, 0, 1), {}});
    if (r.result != 0 || r.label() != 0) return refuse("attach_notification", r.result ? r.result : -int64_t(r.label()));
    // The buffer: the server's own pages, mapped here (the device writes
    // them, so they are never ours to reclaim).
    b.receive_cnode = ts::cnode;
    for (uint32_t i = 0; i < abi::blk::max_buffer_pages; ++i) {
        Cptr frame = slots.allocate();
        if (!frame) return refuse("no slot for the buffer", abi::error_code(Error::out_of_memory));
        b.receive_index = frame;
        r = ipc::call(abi::pager::blk_slot, ipc::Message{ipc::make_tag(abi::blk::attach_buffer, 16), {i, 1}});
        if (r.result != 0 || r.label() != 0 || ipc::tag_caps(r.message.tag) != 1)
            return refuse("attach_buffer", r.result ? r.result : -int64_t(r.label() ? r.label() : 1));
        if (!sys::ok(map(frame, ts::vspace, disk_buffer_window + i * page, rights::read | rights::write)))
            return refuse("cannot map the buffer", abi::error_code(Error::out_of_memory));
    }
    swap.init(swap_words, uint32_t(disk_slots));
    disk = true;
    sys::print("pager: swap disk of %lu MiB: %lu slots of 4 KiB; clusters of up to %u pages, read-ahead of up to %u "
               "pages; a request waits for its completion\n",
               sectors * abi::blk::sector_size >> 20, disk_slots, cluster, readahead);
    return true;
}

// Takes back everything a client holds: its resident pages (unmapped) and
// its store pages. Its regions stay, so detach and late faults find it.
void release_pages(Client& c) {
    for (size_t f = 0; f < frame_count; ++f) {
        if (!frames[f].used || frames[f].client != &c) continue;
        sys::frame_unmap(frames[f].mapped);
        records[frames[f].record].frame = -1;
        frames[f].used = false;
        replacement.freed(f);
    }
    for (unsigned r = 0; r < c.region_count; ++r)
        for (uint64_t i = 0; i < c.regions[r].pages; ++i) {
            PageRecord& record = records[c.regions[r].first_record + i];
            if (record.backing >= 0) release_backing(record.backing);
            record = empty_record;
        }
    c.stored = 0;
}

using abi::pager::FaultReason;

// A task is killed: its pages are freed, its faults refused from now on
// (each reported to the loader with the reason).
void kill(Client& c, FaultReason reason) {
    release_pages(c);
    c.killed = true;
    c.kill_reason = reason;
    ++total_kills;
}

// The store is full: the task holding most of it is killed (its pages
// freed, its faults refused from now on), and everyone else goes on.
Client* kill_for_store() {
    Client* hog = nullptr;
    for (Client& c : clients)
        if (c.used && !c.killed && (!hog || c.stored > hog->stored)) hog = &c;
    if (!hog) return nullptr;
    sys::print("pager: task %lu: backing store full (%u pages, %lu of them its own); task killed\n", hog->id,
               disk ? swap.count() : backing_capacity, hog->stored);
    kill(*hog, FaultReason::store_full);
    return hog;
}

// The store is full: a resident page that came back from the store still
// has its copy there. Its copy's page is taken (the page becomes dirty, so
// it is saved again when evicted), so the store holds only pages that are
// out, and the store and the budget together hold a working set. -1 if no
// resident page has a copy.
int32_t take_resident_copy(size_t except) {
    for (size_t f = 0; f < frame_count; ++f) {
        // A frame reserved for a cluster and not yet mapped (unknown to the
        // policy) keeps its copy: if its mapping fails the frame is given
        // back, and the copy must still be there.
        if (f == except || !frames[f].used || !replacement.used(f)) continue;
        PageRecord& record = records[frames[f].record];
        if (record.backing < 0) continue;
        int32_t b = record.backing;
        record.backing = -1;
        frames[f].dirty = true;
        --frames[f].client->stored;
        return b;
    }
    return -1;
}

// Takes the page out of frame f: unmaps it from its client and, if its
// contents exist nowhere else, saves them in the backing store.
bool evict(size_t f) {
    Frame& fr = frames[f];
    PageRecord& record = records[fr.record];
    // Room in the backing store first: a page that cannot be saved stays
    // where it is (the caller then makes room by killing a task).
    if (fr.dirty && record.backing < 0) {
        if ((record.backing = new_backing_page()) < 0 && (record.backing = take_resident_copy(f)) < 0) return false;
        ++fr.client->stored;
    }
    // The client cannot write between the last query and the unmap: it is
    // not running while we handle a fault.
    sys::frame_unmap(fr.mapped);
    if (fr.dirty) {
        memcpy(backing_bytes(record.backing), frame_bytes(f), page);
        ++fr.client->write_backs;
        ++total_write_backs;
    }
    record.frame = -1;
    ++fr.client->evictions;
    ++total_evictions;
    fr.used = false;
    replacement.freed(f);
    return true;
}

// The end of an eviction: the frame is empty.
void evicted(size_t f) {
    Frame& fr = frames[f];
    records[fr.record].frame = -1;
    ++fr.client->evictions;
    ++total_evictions;
    fr.used = false;
    replacement.freed(f);
}

// Disk store: evicts up to `cluster` victims at once. Clean victims with a
// copy on the disk (or in the program file, or never written) are simply
// dropped; the dirty ones get consecutive disk slots (a dirty page's old
// slot is given up) and go out in one request per run of slots, usually
// one. A task whose page cannot be written is killed (the page is lost
// with it), and so is the task holding most of the disk when it is full;
// every other task goes on. Returns false when nothing was freed; sets
// *killed_self when c itself was killed.
bool evict_cluster(Client& c, bool* killed_self) {
    size_t victims[max_cluster];
    unsigned n = 0;
    while (n < cluster) {
        size_t v = replacement.choose_victim(referenced, nullptr);
        if (v >= frame_count) break;
        query_frame(v);            // its dirty bit decides whether it is written
        replacement.freed(v);      // not chosen twice
        sys::frame_unmap(frames[v].mapped);  // before we wait: its task may run meanwhile
        victims[n++] = v;
    }
    if (!n) return false;
    size_t dirty[max_cluster];
    unsigned dirty_count = 0;
    for (unsigned i = 0; i < n; ++i) {
        Frame& fr = frames[victims[i]];
        PageRecord& record = records[fr.record];
        if (!fr.dirty) {
            evicted(victims[i]);
            continue;
        }
        if (record.backing >= 0) {  // its old copy is stale: a new slot, next to the others'
            swap.free(uint32_t(record.backing));
            record.backing = -1;
            --fr.client->stored;
        }
        dirty[dirty_count++] = victims[i];
    }
    unsigned done = 0;
    while (done < dirty_count) {
        // Victims of a task killed meanwhile are gone already.
        if (!frames[dirty[done]].used) {
            ++done;
            continue;
        }
        uint32_t want = 0;
        while (done + want < dirty_count && frames[dirty[done + want]].used) ++want;
        uint32_t got = 0;
        uint32_t first = swap.allocate_run(want, &got);
        if (first == pager::SwapSlots::none) {
            // The disk is full: a resident page's copy is given up, else
            // the task with most pages on the disk is killed.
            int32_t copy = take_resident_copy(frame_count);
            if (copy >= 0) {
                swap.free(uint32_t(copy));
                continue;
            }
            Client* killed = kill_for_store();
            if (!killed) return false;
            if (killed == &c) *killed_self = true;
            continue;
        }
        for (uint32_t k = 0; k < got; ++k) memcpy(disk_buffer(k), frame_bytes(dirty[done + k]), page);
        int64_t e = disk_transfer(first, got, 0, true);
        for (uint32_t k = 0; k < got; ++k) {
            size_t v = dirty[done + k];
            Frame& fr = frames[v];
            if (!fr.used) {  // its task was killed while we waited (cannot happen: we are single-threaded)
                swap.free(first + k);
                continue;
            }
            if (e < 0) {
                swap.free(first + k);
                if (!fr.client->killed) {
                    sys::print("pager: task %lu: its page at 0x%lx could not be written to the swap disk (%s); task "
                               "killed\n", fr.client->id, fr.address, sys::describe(sys::error_of(e)));
                    if (fr.client == &c) *killed_self = true;
                    kill(*fr.client, FaultReason::swap_write_failed);
                }
                continue;
            }
            records[fr.record].backing = int32_t(first + k);
            ++fr.client->stored;
            ++fr.client->write_backs;
            ++total_write_backs;
            evicted(v);
        }
        done += got;
    }
    return true;
}

// An empty frame of the budget, or -1. Next fit from where the last one
// was found: while the budget fills, each fault finds its frame at once
// (a scan from frame 0 cost a fault a step per frame in use).
size_t free_cursor;
int64_t free_frame() {
    for (size_t n = 0; n < frame_count; ++n) {
        size_t f = free_cursor + n < frame_count ? free_cursor + n : free_cursor + n - frame_count;
        if (!frames[f].used) {
            free_cursor = f + 1 < frame_count ? f + 1 : 0;
            return int64_t(f);
        }
    }
    return -1;
}

// A free frame for c, evicting if the budget is full. When the victim
// cannot be saved because the store is full, the task with most pages in
// the store is killed: if that is c, *killed_self is set and -1 returned.
int64_t take_frame(Client& c, bool* killed_self) {
    for (;;) {
        if (int64_t f = free_frame(); f >= 0) return f;
        if (disk) {
            if (!evict_cluster(c, killed_self) || *killed_self) return -1;
            continue;
        }
        size_t victim = replacement.choose_victim(referenced, nullptr);
        if (victim >= frame_count) return -1;
        query_frame(victim);  // its dirty bit decides whether it is saved
        if (evict(victim)) return int64_t(victim);
        // Its page could not be saved and stays where it is: the policy,
        // which counted the frame as on its way to a new page, is told the
        // page is back (else the frame would never be chosen again, one
        // frame of the budget lost each time the store is full). With its
        // key, so that a ghost CLOCK-Pro may have made of it goes.
        replacement.loaded(victim, frames[victim].record);
        Client* killed = kill_for_store();
        if (!killed || killed == &c) {
            *killed_self = killed == &c;
            return -1;
        }
    }
}

// Frame f is taken for c's page at address (record index): marked used
// with its owner at once, so no other page takes it and a kill of c
// empties it, but not yet known to the replacement policy, so no eviction
// can pick it before it is mapped. Clean until the page is written (or
// its store copy is taken, take_resident_copy).
void reserve(Client& c, size_t f, uint64_t address, uint32_t index) {
    frames[f] = Frame{frames[f].own, frames[f].mapped, &c, address, index, true, false, false};
}

// Frame f's page is mapped: its record and the replacement policy learn
// of it. The faulting page is referenced (and CLOCK-Pro's ghost key is
// its record); pages mapped ahead are not, so they go first if unused.
void settle(size_t f, bool faulted) {
    Frame& fr = frames[f];
    records[fr.record].frame = int32_t(f);
    fr.referenced = faulted;
    if (faulted) replacement.loaded(f, fr.record);
    else replacement.loaded(f);
}

// Gives back a reserved frame that was never mapped.
void unreserve(size_t f) { frames[f].used = false; }

// Disk store: reads the page of record `index` (c's, in `region`) into
// frame f, and with it the next pages of the region whose copies follow
// on the disk, as many as free frames and `readahead` allow, in one
// request, when the fault continues a sequential run. Those are mapped at once (not referenced yet, so CLOCK takes
// them first if they are not used); their faults never happen, and
// *ahead counts them (pages mapped ahead, as fault-around's). 0, or the
// error that lost the page.
int64_t read_from_disk(Client& c, const Region& region, uint32_t index, size_t f, bool sequential, unsigned* ahead) {
    uint32_t slot = uint32_t(records[index].backing);
    size_t more[max_cluster];
    uint32_t count = 1;
    size_t next_free = 0;
    uint32_t region_end = region.first_record + uint32_t(region.pages);
    while (sequential && count < readahead && index + count < region_end) {
        const PageRecord& next = records[index + count];
        if (next.frame >= 0 || next.backing != int32_t(slot + count)) break;
        while (next_free < frame_count && (frames[next_free].used || next_free == f)) ++next_free;
        if (next_free == frame_count) break;
        more[count++] = next_free++;
    }
    int64_t e = disk_transfer(slot, count, read_buffer_first, false);
    if (e < 0) return e;
    memcpy(frame_bytes(f), disk_buffer(read_buffer_first), page);
    ++c.read_backs;
    ++total_read_backs;
    uint64_t first_address = region.start + uint64_t(index - region.first_record) * page;
    for (uint32_t k = 1; k < count; ++k) {
        size_t g = more[k];
        uint64_t address = first_address + uint64_t(k) * page;
        memcpy(frame_bytes(g), disk_buffer(read_buffer_first + k), page);
        ++c.read_backs;
        ++total_read_backs;
        ++readahead_pages;
        if (!sys::ok(map(frames[g].mapped, c.vspace, address, region.rights, &c))) break;  // it stays on the disk
        reserve(c, g, address, index + k);
        settle(g, false);
        ++*ahead;
    }
    return 0;
}

// The page tables of c could not be made (out of table memory or slots):
// the task alone goes.
const char* no_page_tables(Client& c, FaultReason& reason) {
    sys::print("pager: task %lu: no memory for its page tables (%u chunks of %u tables in all); task killed\n", c.id,
               chunk_count, tables_per_chunk);
    kill(c, FaultReason::no_page_tables);
    return reason = FaultReason::no_page_tables, "no memory for page tables; task killed";
}

// A frame for a page mapped ahead: an empty one, or (RAM store only) one
// made empty by evicting the policy's victim. Never kills a task and never
// waits for the disk for a page nobody has asked for yet: -1 instead.
int64_t take_ahead_frame() {
    if (int64_t f = free_frame(); f >= 0 || disk) return f;
    size_t victim = replacement.choose_victim(referenced, nullptr);
    if (victim >= frame_count) return -1;
    query_frame(victim);
    return evict(victim) ? int64_t(victim) : -1;
}

// The first contents of a cluster's fresh pages (those never filled
// before; the others were copied from the store): zeros, in one memset
// per run of consecutive budget frames (usually one for the whole
// cluster), then the program file's bytes where the region has any.
void fill_fresh_pages(const Region& region, uint64_t address, const size_t* fs, const bool* fresh, unsigned n) {
    for (unsigned k = 0; k < n;) {
        unsigned run = 1;
        if (fresh[k]) {
            while (k + run < n && fresh[k + run] && fs[k + run] == fs[k] + run) ++run;
            memset(frame_bytes(fs[k]), 0, run * page);
        }
        k += run;
    }
    if (!region.file_backed) return;
    uint64_t vaddr = region.vaddr(), file_end = vaddr + region.file_size;
    for (unsigned k = 0; k < n; ++k) {
        if (!fresh[k]) continue;
        // The file's bytes that fall in this page (validated at add_region).
        uint64_t page_address = address + k * page;
        uint64_t from = page_address > vaddr ? page_address : vaddr;
        uint64_t to = page_address + page < file_end ? page_address + page : file_end;
        if (from < to)
            memcpy(frame_bytes(fs[k]) + (from - page_address),
                   reinterpret_cast<const uint8_t*>(abi::initrd_address + region.file_offset + (from - vaddr)),
                   to - from);
    }
}

// At c's next fault: which of the pages its last cluster mapped ahead were
// used since, from their accessed bits (one query for all). The bits are
// cleared by the query, so they and the dirty bits are folded into the
// frames, where the replacement policy and eviction look for them: nothing
// the policy or the store needs is lost. A page evicted meanwhile counts
// as unused.
void fault_around_feedback(Client& c) {
    unsigned count = c.around.ahead(), used = 0;
    if (!count) return;
    uint64_t first = (c.around.next() - count) * page;
    uint8_t states[abi::max_map_batch];
    if (sys::address_space_query(c.vspace, first, count, states) < 0) return c.around.feedback(0, 0);
    for (unsigned i = 0; i < count; ++i) {
        int32_t f = records[c.ahead_record + i].frame;
        if (f < 0 || frames[f].client != &c || frames[f].address != first + i * page) continue;
        bool accessed = states[i] & abi::page_state::accessed;
        frames[f].referenced |= accessed;
        frames[f].dirty |= (states[i] & abi::page_state::dirty) != 0;
        used += accessed;
    }
    ahead_used += used;
    ahead_unused += count - used;
    c.around.feedback(used, count - used);
}

// Whether every page of c's region from where its run would fault next up
// to page number `first_page` (excluded) is resident: a sequential walk
// went through pages the replacement policy kept and faults again just
// past them. Without this, each stretch of kept pages ended the run and
// the next cluster started again from one page (CLOCK-Pro, which keeps
// part of a loop or a sweep resident, took more faults for fewer pages
// read back). At most `frame_count` pages are looked at: no more can be
// resident.
bool walked_resident(const Client& c, const Region& region, uint64_t first_page) {
    uint64_t next = c.around.next(), region_first = region.start / page;
    if (next == ~0ull || next >= first_page || next < region_first || first_page - next > frame_count) return false;
    uint32_t index = region.first_record + uint32_t(next - region_first);
    for (uint64_t p = next; p < first_page; ++p, ++index)
        if (records[index].frame < 0) return false;
    return true;
}

// Returns 0 to resume the faulting thread, or a reason to stop it.
const char* handle_fault(Client& c, uint64_t address, uint64_t access, FaultReason& reason) {
    const Region* region = nullptr;
    for (unsigned r = 0; r < c.region_count; ++r)
        if (address >= c.regions[r].start && address < c.regions[r].start + c.regions[r].pages * page)
            region = &c.regions[r];
    if (c.killed) return reason = c.kill_reason, "killed before";
    if (!region) return reason = FaultReason::outside_memory, "address outside its memory";
    uint64_t page_address = address & ~(page - 1);
    uint32_t index = region->first_record + uint32_t((page_address - region->start) / page);
    PageRecord& record = records[index];
    if (record.frame >= 0) {
        if ((access & abi::ipc::fault_write) && !(region->rights & rights::write))
            return reason = FaultReason::read_only, "write to read-only memory";
        if ((access & abi::ipc::fault_instruction) && !(region->rights & rights::execute))
            return reason = FaultReason::not_executable, "execution of non-executable memory";
        return nullptr;  // already mapped: a fault that raced with another thread
    }
    ++c.faults;
    ++total_faults;
    fault_around_feedback(c);
    bool killed_self = false;
    int64_t f = take_frame(c, &killed_self);
    if (killed_self) return reason = c.kill_reason, "task killed while its page was made room for";
    if (f < 0) return reason = FaultReason::out_of_frames, "out of frames";
    reserve(c, size_t(f), page_address, index);
    // Read-ahead and fault-around only for a fault that continues a
    // sequential run (the page after the last one faulted in, mapped or
    // read ahead): random faults get just their page, not neighbours
    // nobody asked for.
    uint64_t first_page = page_address / page;
    if (walked_resident(c, *region, first_page)) c.around.walked_to(first_page);
    bool sequential = c.around.continues(first_page);
    unsigned want = c.around.plan(first_page);
    if (record.backing >= 0 && disk) {
        unsigned ahead = 0;
        if (int64_t e = read_from_disk(c, *region, index, size_t(f), sequential, &ahead); e < 0) {
            sys::print("pager: task %lu: its page at 0x%lx could not be read from the swap disk (%s); task killed\n",
                       c.id, page_address, sys::describe(sys::error_of(e)));
            kill(c, FaultReason::swap_read_failed);
            return reason = FaultReason::swap_read_failed, "page could not be read from the swap disk; task killed";
        }
        if (!sys::ok(map(frames[f].mapped, c.vspace, page_address, region->rights, &c)))
            return no_page_tables(c, reason);
        settle(size_t(f), true);
        // The pages read ahead are pages mapped ahead too: their use is
        // read back at the next fault like a cluster's.
        c.around.mapped(first_page, 1 + ahead);
        c.ahead_record = index + 1;
        ahead_mapped += ahead;
        return nullptr;
    }
    if (record.backing >= 0) {
        // Copied while the store copy is certain to be there (reserved
        // frames' copies are never taken, see take_resident_copy).
        memcpy(frame_bytes(size_t(f)), backing_bytes(record.backing), page);
        ++c.read_backs;
        ++total_read_backs;
    }
    // The cluster: the faulting page and, when the fault continues a
    // sequential run, the pages after it that are not resident and have no
    // copy on the disk (that has its own read-ahead), as far as the
    // region, the window and the frames we can take without killing
    // anyone allow. A page with a copy in the RAM store is copied as soon
    // as its frame is taken.
    size_t cluster_frames[abi::max_map_batch];
    Cptr caps[abi::max_map_batch];
    bool fresh[abi::max_map_batch];
    cluster_frames[0] = size_t(f);
    caps[0] = frames[f].mapped;
    fresh[0] = record.backing < 0;
    if (region->sequential) want = around_max;  // the region asked for it
    uint64_t left = region->pages - (index - region->first_record);
    if (want > left) want = unsigned(left);
    unsigned n = 1;
    while (n < want && records[index + n].frame < 0 && (records[index + n].backing < 0 || !disk)) {
        int64_t g = take_ahead_frame();
        if (g < 0) break;
        reserve(c, size_t(g), page_address + n * page, index + n);
        fresh[n] = records[index + n].backing < 0;
        if (!fresh[n]) {
            memcpy(frame_bytes(size_t(g)), backing_bytes(records[index + n].backing), page);
            ++c.read_backs;
            ++total_read_backs;
        }
        cluster_frames[n] = size_t(g);
        caps[n++] = frames[g].mapped;
    }
    fill_fresh_pages(*region, page_address, cluster_frames, fresh, n);
    unsigned mapped = map_cluster(c, page_address, region->rights, caps, n);
    for (unsigned k = mapped; k < n; ++k) unreserve(cluster_frames[k]);
    if (mapped == 0) return no_page_tables(c, reason);
    for (unsigned k = 0; k < mapped; ++k) settle(cluster_frames[k], k == 0);
    c.around.mapped(first_page, mapped);
    c.ahead_record = index + 1;
    ahead_mapped += mapped - 1;
    return nullptr;
}

void forget(Client& c) {
    release_pages(c);
    for (unsigned r = 0; r < c.region_count; ++r) free_records(c.regions[r].first_record, c.regions[r].pages);
    sys::cap_delete(ts::cnode, c.vspace);
    slots.free(c.vspace);
    // Its page tables go with a revoke per chunk; the chunks serve the next tasks.
    free_client_tables(c);
    c.used = false;
}

ipc::Message add_region(const ipc::Received& r) {
    abi::pager::RegionRequest request;
    if (!ipc::unpack(r, request)) return ipc::Message{ipc::make_tag(uint64_t(Error::bad_argument), 0), {}};
    Client* c = client_of(request.task);
    uint64_t start = request.vaddr & ~(page - 1);
    uint64_t end = (request.vaddr + request.memory_size + page - 1) & ~(page - 1);
    uint64_t pages = (end - start) / page;
    bool sane = c && c->region_count < max_regions && request.memory_size && end > start &&
                end <= abi::user_address_limit && request.file_size <= request.memory_size &&
                request.file_offset <= initrd_size && request.file_size <= initrd_size - request.file_offset &&
                pages <= max_pages;
    uint32_t first = sane ? allocate_records(pages) : max_pages;
    if (first == max_pages) return ipc::Message{ipc::make_tag(uint64_t(Error::bad_argument), 0), {}};
    c->regions[c->region_count++] = Region{start,
                                           uint32_t(pages),
                                           first,
                                           uint32_t(request.file_offset),
                                           uint32_t(request.file_size),
                                           uint16_t(request.vaddr - start),
                                           request.rights,
                                           true,
                                           false};
    return ipc::Message{};
}

ipc::Message refuse(Error e) { return ipc::Message{ipc::make_tag(uint64_t(e), 0), {}}; }

void print_statistics() {
    for (const Client& c : clients)
        if (c.used)
            sys::print("pager: task %lu: %lu faults, %lu evictions, %lu write-backs, %lu read-backs\n", c.id, c.faults,
                       c.evictions, c.write_backs, c.read_backs);
    if (disk)
        sys::print("pager: total: %lu faults, %lu evictions, %lu write-backs, %lu read-backs (%zu frames, %s); "
                   "swap disk: %u of %u slots in use, %lu write requests, %lu read requests, %lu pages read ahead, "
                   "%lu errors; %lu tasks killed\n",
                   total_faults, total_evictions, total_write_backs, total_read_backs, frame_count,
                   pager::policy_name(replacement.policy()), swap.used(), swap.count(), disk_write_requests,
                   disk_read_requests, readahead_pages, disk_errors, total_kills);
    else
        sys::print("pager: total: %lu faults, %lu evictions, %lu write-backs, %lu read-backs (%zu frames, %s); "
                   "store %u of %u pages in use, %lu tasks killed\n",
                   total_faults, total_evictions, total_write_backs, total_read_backs, frame_count,
                   pager::policy_name(replacement.policy()), backing_used - backing_free_count, backing_capacity,
                   total_kills);
    sys::print("pager: fault-around: %lu pages mapped ahead (clusters of up to %u pages), %lu used, %lu unused\n",
               ahead_mapped, around_max, ahead_used, ahead_unused);
}

Cptr attach_slot;  // where the manager's attach capability lands

// --- faults that are not ours: reported to the loader (abi/pager.hpp) ---------

abi::pager::FaultRing* fault_ring;  // null: the root task gave us no ring
constexpr unsigned max_pending_reports = 64;
abi::pager::FaultRecord pending_reports[max_pending_reports];  // waiting for room in the ring
unsigned pending_report_count;
uint64_t crash_countdown;  // debug_crash: die at this many faults from now (0: never)

// Moves waiting records into the ring while it has room; signals the loader
// if any went in. Never blocks.
void flush_reports() {
    if (!fault_ring || !pending_report_count) return;
    unsigned moved = 0;
    while (moved < pending_report_count && fault_ring->head - fault_ring->tail < abi::pager::fault_ring_capacity) {
        fault_ring->records[fault_ring->head % abi::pager::fault_ring_capacity] = pending_reports[moved++];
        __atomic_thread_fence(__ATOMIC_RELEASE);  // the record before the new head
        fault_ring->head = fault_ring->head + 1;
    }
    for (unsigned i = moved; i < pending_report_count; ++i) pending_reports[i - moved] = pending_reports[i];
    pending_report_count -= moved;
    if (moved) sys::notification_signal(abi::pager::fault_notification_slot);
}

// A fault that stops the task: its supervisor (the loader) hears of it.
void report_fault(uint64_t task, const ipc::Received& r, FaultReason reason, const char* why) {
    if (!fault_ring || pending_report_count == max_pending_reports) {
        sys::print("pager: task %lu: %s at 0x%lx (rip 0x%lx, vector %lu); stopping it%s\n", task, why,
                   r.message.words[0], r.message.words[2], r.message.words[3],
                   fault_ring ? " (the loader's ring is full: not reported)" : "");
        return;
    }
    pending_reports[pending_report_count++] =
        abi::pager::FaultRecord{task, r.message.words[0], r.message.words[2], uint16_t(r.message.words[3]), reason, 0,
                                uint32_t(r.message.words[1])};
    flush_reports();
}

ipc::Message handle_fault_message(const ipc::Received& r) {
    uint64_t vector = r.message.words[3];
    Client* c = client_of(r.badge);
    if (!c) {
        // A task the loader has already detached (its end raced with this
        // fault, e.g. 256/257 while it is revoked): nobody to tell.
        if (vector < 256)
            sys::print("pager: fault of task %lu, not a task of ours (vector %lu, rip 0x%lx); stopping it\n", r.badge,
                       vector, r.message.words[2]);
        return ipc::Message{ipc::make_tag(1, 0), {}};
    }
    FaultReason reason = vector >= 256 ? FaultReason::lost_objects : FaultReason::exception;
    const char* why = vector >= 256 ? "lost its address space or CNode" : "not a page fault";
    if (vector == 14) {
        if (crash_countdown && --crash_countdown == 0) {
            sys::print("pager: debug_crash: executing ud2 while task %lu waits for its page\n", r.badge);
            asm volatile("ud2");
        }
        why = handle_fault(*c, r.message.words[0], r.message.words[1], reason);
        if (!why) return ipc::Message{};
    }
    report_fault(r.badge, r, reason, why);
    return ipc::Message{ipc::make_tag(1, 0), {}};
}

// state(): what an operator's `mem` and `pager` show (abi/pager.hpp).
ipc::Message report_state() {
    uint64_t resident = 0, attached = 0;
    for (size_t f = 0; f < frame_count; ++f) resident += frames[f].used;
    for (const Client& c : clients) attached += c.used;
    ipc::Buffer& b = ipc::buffer();
    b.words[4] = 0;
    const char* name = pager::policy_name(replacement.policy());
    memcpy(&b.words[4], name, strlen(name) < 8 ? strlen(name) : 8);
    uint64_t figures[] = {total_faults, total_evictions, total_write_backs, total_read_backs, attached,
                          disk ? 1u : 0u, total_kills};
    memcpy(&b.words[5], figures, sizeof figures);
    uint64_t store_used = disk ? swap.used() : backing_used - backing_free_count;
    uint64_t store_capacity = disk ? swap.count() : backing_capacity;
    return ipc::Message{ipc::make_tag(0, abi::pager::state_words * 8), {frame_count, resident, store_used, store_capacity}};
}

// set_policy: the new policy starts from the resident pages in frame order,
// as if each were loaded now; pages come and go under it from here on.
ipc::Message switch_policy(uint64_t badge, const ipc::Received& r) {
    if (badge != abi::pager::manager_badge && badge != abi::pager::operator_badge) return refuse(Error::not_permitted);
    char name[16] = {};
    ipc::unpack_bytes(r, name, sizeof name - 1);
    pager::Policy policy;
    if (!pager::parse_policy(name, policy) || policy == pager::Policy::lru) return refuse(Error::bad_argument);
    replacement.init(policy, frame_states, frame_count, 12345, &replacement_history);
    for (size_t f = 0; f < frame_count; ++f)
        if (frames[f].used) replacement.loaded(f, frames[f].record);
    sys::print("pager: policy %s from now on\n", pager::policy_name(replacement.policy()));
    return ipc::Message{};
}

ipc::Message serve(const ipc::Received& r) {
    uint64_t badge = r.badge;
    flush_reports();
    if (r.label() == abi::ipc::fault_label) return handle_fault_message(r);
    switch (r.label()) {
    case abi::pager::debug_crash:
        if (badge != abi::pager::manager_badge) return refuse(Error::not_permitted);
        crash_countdown = r.message.words[0];
        return ipc::Message{};
    case abi::pager::attach: {
        if (badge != abi::pager::manager_badge || ipc::tag_caps(r.message.tag) != 1) return refuse(Error::not_permitted);
        Client* c = nullptr;
        for (Client& candidate : clients)
            if (!candidate.used) {
                c = &candidate;
                break;
            }
        if (!c) return refuse(Error::out_of_memory);
        Cptr next = slots.allocate();
        if (!next) return refuse(Error::out_of_memory);
        *c = Client{};
        // Its first page tables are set aside now: a task that could not
        // get one would die at its first fault, so it is refused here.
        if (!take_chunk(*c)) {
            slots.free(next);
            return refuse(Error::out_of_memory);
        }
        c->id = r.message.words[0];
        c->used = true;
        c->vspace = attach_slot;
        c->around.init(around_max);
        attach_slot = next;
        return ipc::Message{};
    }
    case abi::pager::detach: {
        if (badge != abi::pager::manager_badge) return refuse(Error::not_permitted);
        if (Client* c = client_of(r.message.words[0])) forget(*c);
        return ipc::Message{};
    }
    case abi::pager::grow_heap: {
        Client* c = client_of(badge);
        uint64_t pages = r.message.words[0];
        uint64_t flags = r.length() >= 16 ? r.message.words[1] : 0;
        if (flags & ~abi::pager::heap_sequential) {
            sys::print("pager: task %lu: heap flags 0x%lx refused\n", badge, flags);
            return refuse(Error::bad_argument);
        }
        uint32_t first = c && c->region_count < max_regions && pages && pages <= max_pages ? allocate_records(pages)
                                                                                            : max_pages;
        if (first == max_pages) {
            sys::print("pager: task %lu: heap of %lu pages refused: %s\n", badge, pages,
                       !c ? "not a task of ours" : c->region_count == max_regions ? "too many regions"
                                                 : "more pages than the page records left (65536 in all)");
            return refuse(Error::out_of_memory);
        }
        Region& region = c->regions[c->region_count++];
        region = Region{abi::pager::heap_base + c->heap_pages * page, uint32_t(pages), first, 0, 0, 0,
                        uint8_t(rights::read | rights::write), false, (flags & abi::pager::heap_sequential) != 0};
        c->heap_pages += pages;
        return ipc::Message{ipc::make_tag(0, 8), {region.start}};
    }
    case abi::pager::killed: {
        if (badge != abi::pager::manager_badge) return refuse(Error::not_permitted);
        Client* c = client_of(r.message.words[0]);
        return ipc::Message{ipc::make_tag(0, 8), {c ? uint64_t(c->killed) : 2}};
    }
    case abi::pager::add_region:
        if (badge != abi::pager::manager_badge) return refuse(Error::not_permitted);
        return add_region(r);
    case abi::pager::statistics: {
        // w0 = 1 (with a length of 8): quiet, for progress reports.
        if (!(r.length() >= 8 && r.message.words[0] == 1)) print_statistics();
        Client* c = client_of(badge);
        ipc::Buffer& b = ipc::buffer();
        b.words[4] = disk_write_requests;
        b.words[5] = disk_read_requests;
        b.words[6] = readahead_pages;
        b.words[7] = disk ? 1 : 0;
        b.words[8] = ahead_mapped;  // fault-around, all tasks: pages mapped ahead,
        b.words[9] = ahead_used;    // of those checked at a later fault: used,
        b.words[10] = ahead_unused; // and not used
        b.words[11] = disk_cycles;
        constexpr uint64_t length = abi::pager::statistics_words * 8;
        if (!c) return ipc::Message{ipc::make_tag(0, length), {total_faults, total_evictions, total_write_backs, total_read_backs}};
        return ipc::Message{ipc::make_tag(0, length), {c->faults, c->evictions, c->write_backs, c->read_backs}};
    }
    case abi::pager::state: return report_state();
    case abi::pager::set_policy: return switch_policy(badge, r);
    default: return refuse(Error::bad_argument);
    }
}

}  // namespace

int main(int argc, char** argv, char**) {
    if (argc < 8) {
        sys::print("pager: usage: pager FRAMES POLICY FIRST COUNT INITRD_SIZE STORE_PAGES CNODE_RADIX\n");
        return 2;
    }
    initrd_size = sys::parse_number(argv[5]);
    for (PageRecord& record : records) record = empty_record;
    if (argc >= 10) {
        cluster = uint32_t(sys::parse_number(argv[8]));
        readahead = uint32_t(sys::parse_number(argv[9]));
        if (cluster < 1 || cluster > max_cluster || readahead < 1 || readahead > max_cluster) {
            sys::print("pager: clusters of %s and read-ahead of %s pages refused: 1 to %u each\n", argv[8], argv[9],
                       max_cluster);
            return 2;
        }
    }
    frame_count = sys::parse_number(argv[1]);
    pager::Policy policy;
    if (!pager::parse_policy(argv[2], policy) || policy == pager::Policy::lru) {
        sys::print("pager: unknown policy %s (clockpro, clock, fifo, random); using clockpro\n", argv[2]);
        policy = pager::Policy::clockpro;
    }
    if (frame_count < min_frames || frame_count > max_frames) {
        sys::print("pager: a budget of %zu frames refused: it must be %zu to %zu frames\n", frame_count, min_frames,
                   max_frames);
        return 2;
    }
    backing_capacity = uint32_t(sys::parse_number(argv[6]));
    if (sys::parse_number(argv[6]) > max_backing) {
        sys::print("pager: a store of %s pages refused: at most %zu\n", argv[6], max_backing);
        return 2;
    }
    uint64_t cnode_radix = sys::parse_number(argv[7]);
    Cptr first = sys::parse_number(argv[3]), count = sys::parse_number(argv[4]);
    if (count < 3 || cnode_radix > abi::cnode_max_radix) return 2;
    slots.init(ts::cnode, sys::first_empty_slot(first + count, 1ull << cnode_radix), 1ull << cnode_radix);
    frame_memory.add(first, sys::cap_identify(first).size_bits);
    backing_memory.add(first + 1, sys::cap_identify(first + 1).size_bits);
    table_memory.add(first + 2, sys::cap_identify(first + 2).size_bits);

    // The budget: every frame mapped once into our window (for filling and
    // saving) and, through a second capability, into clients on demand.
    for (size_t f = 0; f < frame_count; ++f) {
        Cptr own = frame_memory.allocate(ObjectType::frame);
        Cptr mapped = slots.allocate();
        if (!own || !mapped || !sys::ok(sys::cap_copy(ts::cnode, mapped, ts::cnode, own)) ||
            !sys::ok(map(own, ts::vspace, frame_window + f * page, rights::read | rights::write))) {
            sys::print("pager: cannot set up frame %zu of the budget\n", f);
            return 1;
        }
        frames[f] = Frame{own, mapped, nullptr, 0, 0, false, false, false};
    }
    replacement.init(policy, frame_states, frame_count, 12345, &replacement_history);
    // Clusters of at most an eighth of the budget: pages mapped ahead never
    // crowd out much of what is resident (none below 16 frames).
    around_max = frame_count / 8 < abi::max_map_batch ? unsigned(frame_count / 8) : unsigned(abi::max_map_batch);
    if (around_max < 1) around_max = 1;
    // A cluster takes at most a quarter of the budget: the faulting
    // instruction's other pages stay.
    if (cluster > frame_count / 4) cluster = uint32_t(frame_count / 4);
    attach_slot = slots.allocate();
    if (sys::cap_identify(abi::pager::fault_notification_slot).type == ObjectType::notification)
        fault_ring = reinterpret_cast<abi::pager::FaultRing*>(abi::pager::fault_ring_address);
    ipc::Buffer& b = ipc::buffer();
    b.receive_cnode = ts::cnode;
    attach_disk();
    if (disk)
        sys::print("pager: ready; %zu frames (%zu KiB) for tasks, policy %s; store on the swap disk (%u slots, %u "
                   "MiB), %lu KiB for page tables, %lu slots\n",
                   frame_count, frame_count * 4, pager::policy_name(policy), swap.count(), swap.count() / 256,
                   uint64_t(1) << (sys::cap_identify(first + 2).size_bits - 10), uint64_t(1) << cnode_radix);
    else
        sys::print("pager: ready; %zu frames (%zu KiB) for tasks, policy %s; store of %u pages (%u KiB), %lu KiB for "
                   "page tables, %lu slots\n",
                   frame_count, frame_count * 4, pager::policy_name(policy), backing_capacity, backing_capacity * 4,
                   uint64_t(1) << (sys::cap_identify(first + 2).size_bits - 10), uint64_t(1) << cnode_radix);

    b.receive_index = attach_slot;
    ipc::Received r = ipc::receive(abi::pager::service_slot);
    for (;;) {
        ipc::Message answer = r.result == 0 ? serve(r) : ipc::Message{};
        b.receive_index = attach_slot;
        r = ipc::reply_receive(abi::pager::service_slot, answer);
    }
}
