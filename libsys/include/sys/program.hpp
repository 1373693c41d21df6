// Building a task from an ELF program: the code shared by the root task
// (which starts the loader server this way) and the loader server (which
// starts everything else).
//
// Every object of the new task -- its CNode, thread, address space, page
// tables, frames, inbox -- is retyped from one untyped region given by the
// caller, so revoking that region later gives all of the task's memory
// back at once.
#pragma once

#include <cstddef>
#include <cstdint>

#include "abi/syscalls.hpp"
#include "abi/task.hpp"
#include "common/elf.hpp"

namespace sys {

using abi::Cptr;

struct ProgramResources {
    Cptr untyped;             // the task's memory
    Cptr cnode, thread, vspace, inbox;  // empty slots of ours for the task's main objects
    Cptr staging[2];          // two empty slots of ours, where pages and page tables are
                              // prepared before they move into the task's CNode
    uint64_t scratch_address; // a page of our address space with nothing mapped at it but
                              // its page tables in place (see prepare_scratch_page)
    unsigned cnode_radix;     // size of the task's CNode (abi::task_cnode_radix at least)
    Cptr first_task_slot = abi::task_slot::first_free;  // where the task's frames and page
                              // tables go in its CNode; the slots after them stay empty
};

struct ProgramRequest {
    const void* file;
    size_t size;
    int argc;
    const char* const* argv;  // argv[0] is the program's name
    int envc;
    const char* const* envp;  // its environment; PID= is added
    uint64_t pid;             // goes into the environment as PID=
    uint8_t priority;
    Cptr console;             // ours: copied into the task's console slot
    Cptr registry;            // ours: minted into the task's registry slot with badge pid (0: none)
    Cptr pager = 0;           // ours: minted with badge pid into the task's pager slot and made
                              // its thread's fault endpoint (0: none)
    bool resume = true;       // false: leave the thread suspended (the caller resumes it)
    bool lazy_segments = false;  // true: map no segment pages; the caller has a pager fill
                                 // them on first touch (ProgramReport::image says what).
                                 // Ignored, and the segments loaded here, for an image that
                                 // needs relocation (a static PIE: its pages are not the
                                 // file's bytes) or that has more than max_lazy_segments
    size_t max_lazy_segments = elf::max_segments;
};

// Makes the page tables for address in our address space (by mapping and
// unmapping a frame there), so it can serve as ProgramResources::scratch_address.
class UntypedPool;
bool prepare_scratch_page(UntypedPool& memory, uint64_t address);

struct ProgramReport {
    uint64_t pages;        // user pages: image, stack, IPC buffer
    uint64_t page_tables;  // page-table objects made for them
    elf::Image image;      // the program's segments, as validated and placed
    bool segments_loaded;  // the segments are in the task's frames (else: lazy_segments)
};

// Builds the task and starts it. Returns 0, or a negated abi::Error with
// *why (if given) naming the reason: a malformed ELF says what is wrong.
int64_t start_program(const ProgramResources& r, const ProgramRequest& p, const char** why,
                      ProgramReport* report = nullptr);

}  // namespace sys
