# GDB helpers for the microkernel (README, "Look inside" -> "GDB helpers").
#
# Loaded by tools/gdbinit (or `source tools/gdb/microkernel.py`) with
# kernel.elf as the symbol file. Everything is read from the kernel's own
# records in guest memory -- the thread registry (object::thread_registry),
# the threads' saved registers and capability slots, the page tables -- with
# the layouts taken from kernel.elf's debug information, so the helpers follow
# the structures when they change.
#
# User memory is read through the page tables of the task it belongs to (a
# walk of its PML4 through the kernel's direct map), never through whatever
# CR3 happens to be loaded, so a blocked task can be inspected from anywhere.
#
# Commands:
#   mk-tasks            every live thread: id, name, state, priority, task, CPU ticks, faults, saved rip
#   mk-caps TASK        the capability space of TASK as a tree of CNodes
#   mk-pager            the pager's resident pages, read from its own tables and checked against the tasks' page tables
#   mk-symbols TASK     loads TASK's program symbols (replacing the last program's) so bt, list and break work in it
#   mk-break TASK LOC   a breakpoint at LOC that stops only in TASK's address space
#   mk-bt TASK          the backtrace of a thread of TASK from its saved registers
# TASK is a thread id or a thread's name (root, pager, loader, blk, hello_world, ...).
import os
import struct

import gdb

PAGE = 4096
# The kernel's direct map of all physical memory (kernel/mm/physmap.hpp).
DIRECT_MAP_FALLBACK = 0xFFFF800000000000
# Where the loader places a static PIE (libsys/common/elf.hpp).
PIE_BASE_FALLBACK = 0x0000000800000000
RIGHTS = "rwxg"


class Error(gdb.GdbError):
    pass


def inferior():
    return gdb.selected_inferior()


def read(address, size):
    return bytes(inferior().read_memory(address, size))


def u64(data, offset):
    return struct.unpack_from("<Q", data, offset)[0]


def constant(expression, fallback):
    try:
        return int(gdb.parse_and_eval(expression))
    except gdb.error:
        return fallback


def direct_map():
    return constant("mm::direct_map_base", DIRECT_MAP_FALLBACK)


def object_id(kernel_address):
    """An object's id as debug_cspace_info reports it: its physical address
    (0 for objects that are not in memory, such as the console)."""
    return kernel_address - direct_map() if kernel_address else 0


# --- layouts from the debug information -----------------------------------


class Layout:
    """Byte offsets and sizes of (nested) fields of a struct type."""

    def __init__(self, type_name):
        self.type = gdb.lookup_type(type_name).strip_typedefs()
        self.size = self.type.sizeof

    def field(self, path):
        t, offset = self.type, 0
        for name in path.split("."):
            f = next((f for f in t.fields() if f.name == name), None)
            if f is None:
                raise Error(f"{t} has no field {name} (kernel.elf does not match this script)")
            offset += f.bitpos // 8
            t = f.type.strip_typedefs()
        return offset, t.sizeof

    def get(self, data, path, signed=False):
        offset, size = self.field(path)
        return int.from_bytes(data[offset:offset + size], "little", signed=signed)

    def text(self, data, path):
        offset, size = self.field(path)
        return data[offset:offset + size].split(b"\0", 1)[0].decode("ascii", "replace")


def enum_names(type_name):
    # GDB may qualify enumerators with their enum's name.
    return {f.enumval: f.name.rsplit("::", 1)[-1] for f in gdb.lookup_type(type_name).strip_typedefs().fields()}


# --- physical memory and page tables ----------------------------------------


def read_physical(address, size):
    return read(direct_map() + address, size)


def translate(pml4, address):
    """The physical address that `address` maps to in the address space
    whose PML4 is at physical pml4, or None when nothing is mapped."""
    table = pml4
    for level, shift in ((4, 39), (3, 30), (2, 21), (1, 12)):
        entry = u64(read_physical(table + ((address >> shift) & 511) * 8, 8), 0)
        if not entry & 1:
            return None
        frame = entry & 0x000FFFFFFFFFF000
        if level in (3, 2) and entry & 0x80:  # a 1 GiB or 2 MiB page
            return (frame & ~((1 << shift) - 1)) + (address & ((1 << shift) - 1))
        table = frame
    return table + (address & (PAGE - 1))


def read_user(pml4, address, size):
    """Bytes of a task's memory, page by page through its page tables;
    None if any page is not present."""
    out = b""
    while size > 0:
        physical = translate(pml4, address)
        if physical is None:
            return None
        chunk = min(size, PAGE - (address & (PAGE - 1)))
        out += read_physical(physical, chunk)
        address += chunk
        size -= chunk
    return out


# --- threads ----------------------------------------------------------------


class Thread:
    """One thread object, decoded from guest memory."""

    def __init__(self, address, data, kernel):
        t = kernel.thread
        self.address = address
        self.id = t.get(data, "id")
        self.name = t.text(data, "name")
        self.priority = t.get(data, "priority")
        self.is_idle = bool(t.get(data, "is_idle"))
        state = kernel.states.get(t.get(data, "state"), "?")
        if self.is_idle:  # its own state stays "running" (as debug_thread_info shows it)
            state = "running" if address == kernel.running else "ready"
        self.state = state
        self.cpu_ticks = t.get(data, "cpu_ticks")
        self.faults = t.get(data, "fault_count")
        self.waiting_on = t.get(data, "waiting_on")
        self.callee = t.get(data, "callee")
        self.rip = t.get(data, "context.rip")
        self.rsp = t.get(data, "context.rsp")
        self.rbp = t.get(data, "context.rbp")
        vspace_type = t.get(data, "vspace.cap.type")
        self.pml4 = t.get(data, "vspace.cap.object") - direct_map() if vspace_type == kernel.types["address_space"] else 0
        cspace_type = t.get(data, "cspace.cap.type")
        self.cspace = t.get(data, "cspace.cap.object") if cspace_type == kernel.types["cnode"] else 0
        self.cspace_radix = t.get(data, "cspace.cap.size_bits")


class Kernel:
    """What the helpers need from kernel.elf, looked up once per command."""

    def __init__(self):
        try:
            self.thread = Layout("object::Thread")
        except gdb.error:
            raise Error("no kernel symbols: load kernel.elf first (symbol-file build/kernel.elf)")
        self.slot = Layout("object::Slot")
        self.node_offset, _ = self.thread.field("registry_node")
        self.states = enum_names("object::ThreadState")
        self.types = {name: value for value, name in enum_names("abi::ObjectType").items()}
        self.type_names = {value: name for name, value in self.types.items()}
        self.running = int(gdb.parse_and_eval("sched::detail::running"))

    def threads(self):
        node = int(gdb.parse_and_eval("object::thread_registry.head_"))
        seen = set()
        while node and node not in seen and len(seen) < 1 << 20:
            seen.add(node)
            address = node - self.node_offset
            data = read(address, self.thread.size)
            yield Thread(address, data, self)
            node = u64(read(node, 8), 0)  # ListNode::next comes first

    def find(self, task):
        """The thread named by TASK: an id, or a name (the lowest id wins)."""
        task = task.strip()
        if not task:
            raise Error("which task? give a thread id or a name (see mk-tasks)")
        threads = list(self.threads())
        if task.isdigit():
            match = [t for t in threads if t.id == int(task)]
        else:
            match = [t for t in threads if t.name == task]
        if not match:
            raise Error(f"no live thread {task!r} (see mk-tasks)")
        return match[0]

    def program_name(self, thread):
        """The name of the program a thread runs: its own name if a program
        has it, else that of a thread in the same address space whose name
        does (the root task's extra threads, such as its supervisor, run
        the root program)."""
        names = [thread.name] if thread.name and not thread.is_idle else []
        names += [o.name for o in self.threads() if o.pml4 and o.pml4 == thread.pml4 and o.name]
        for name in names:
            if find_program(name):
                return name
        raise Error(f"thread {thread.id} ({thread.name or 'no name'}) runs no program found in the build "
                    f"directory ({build_directory()})")


def describe_state(kernel, t):
    if t.state in ("blocked_send", "blocked_receive", "blocked_notification") and t.waiting_on:
        return f"{t.state} 0x{object_id(t.waiting_on):x}"
    if t.state == "blocked_reply" and t.callee:
        callee = next((o for o in kernel.threads() if o.address == t.callee), None)
        return f"blocked_reply {callee.id if callee else '?'}"
    return t.state


class Tasks(gdb.Command):
    """mk-tasks: every live thread, from the kernel's registry.
Columns: id, name, state (blocked states name the endpoint or notification
by object id, or the thread that owes the reply), priority, task (the
physical address of its PML4), TSC ticks run, faults taken, saved rip."""

    def __init__(self):
        super().__init__("mk-tasks", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        kernel = Kernel()
        print(f"{'id':>5}  {'name':<15}  {'state':<32} {'pri':>3}  {'task':>10}  {'cpu ticks':>12}  {'faults':>6}  rip")
        for t in kernel.threads():
            task = f"0x{t.pml4:x}" if t.pml4 else "-"
            rip = "-" if t.is_idle else f"0x{t.rip:x}"
            print(f"{t.id:>5}  {t.name or '-':<15}  {describe_state(kernel, t):<32} {t.priority:>3}  {task:>10}  "
                  f"{t.cpu_ticks:>12}  {t.faults:>6}  {rip}")


# --- capability spaces --------------------------------------------------------


def rights_text(rights):
    return "".join(c if rights & (1 << i) else "-" for i, c in enumerate(RIGHTS))


def cnode_slots(kernel, cnode, radix):
    """(index, type, rights, size_bits, object, data) of every non-empty slot."""
    slot = kernel.slot
    data = read(cnode, slot.size << radix)
    type_offset, _ = slot.field("cap.type")
    for index in range(1, 1 << radix):
        base = index * slot.size
        kind = data[base + type_offset]
        if kind == kernel.types["null"]:
            continue
        record = data[base:base + slot.size]
        yield (index, kind, slot.get(record, "cap.rights"), slot.get(record, "cap.size_bits"),
               slot.get(record, "cap.object"), slot.get(record, "cap.data"))


def print_cnode(kernel, cnode, radix, depth, shown):
    for index, kind, rights, size_bits, obj, data in cnode_slots(kernel, cnode, radix):
        name = kernel.type_names.get(kind, f"type {kind}")
        line = f"{'  ' * depth}slot {index:<5} {name:<15} {rights_text(rights)}  object 0x{object_id(obj):x}"
        if name in ("endpoint", "notification") and data:
            line += f"  badge 0x{data:x}"
        elif name == "untyped":
            line += f"  {1 << size_bits} bytes"
        elif name == "frame" and data:
            line += f"  mapped at 0x{data:x}"
        if name == "cnode":
            line += f"  radix {size_bits}"
            if obj in shown:
                print(line + "  (shown above)")
                continue
            print(line)
            shown.add(obj)
            print_cnode(kernel, obj, size_bits, depth + 1, shown)
            continue
        print(line)


class Caps(gdb.Command):
    """mk-caps TASK: TASK's capability space, as a tree. Each line: slot, type,
rights (r w x g), object id (physical address) and, by type, badge, size or
mapped address; CNodes are expanded below their slot, once each."""

    def __init__(self):
        super().__init__("mk-caps", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        kernel = Kernel()
        t = kernel.find(arg)
        if not t.cspace:
            raise Error(f"thread {t.id} has no CSpace")
        print(f"thread {t.id} ({t.name or '-'}): CNode radix {t.cspace_radix}, object 0x{object_id(t.cspace):x}")
        print_cnode(kernel, t.cspace, t.cspace_radix, 1, {t.cspace})


# --- user programs: symbols, breakpoints, backtraces --------------------------

loaded_program = None  # (path, offset) of the user program whose symbols are loaded


def build_directory():
    """Where the build keeps the unstripped programs: beside kernel.elf."""
    override = gdb.parameter("mk-build-dir")
    if override:
        return override
    for objfile in gdb.objfiles():
        if os.path.basename(objfile.filename) == "kernel.elf":
            return os.path.dirname(objfile.filename)
    raise Error("kernel.elf is not loaded; set mk-build-dir to the build directory")


def find_program(name):
    """The unstripped ELF of a program, or None."""
    build = build_directory()
    for candidate in (os.path.join(build, "servers", name, name), os.path.join(build, "apps", name)):
        if os.path.isfile(candidate):
            return candidate
    return None


def program_file(name):
    path = find_program(name)
    if not path:
        raise Error(f"no program {name!r} under {build_directory()}/servers or /apps")
    return path


def load_offset(path):
    """0 for a program linked where it runs; the loader's base for a static PIE."""
    with open(path, "rb") as f:
        header = f.read(18)
    if header[:4] != b"\x7fELF":
        raise Error(f"{path} is not an ELF file")
    e_type = struct.unpack_from("<H", header, 16)[0]
    return PIE_BASE_FALLBACK if e_type == 3 else 0  # ET_DYN


def load_symbols(kernel, thread):
    """Makes thread's program the one user program with symbols loaded:
    every program is linked at the same address, so two at once would
    answer for each other."""
    global loaded_program
    path = program_file(kernel.program_name(thread))
    offset = load_offset(path)
    if loaded_program == (path, offset):
        return path
    if loaded_program:
        gdb.execute(f"remove-symbol-file {loaded_program[0]}", to_string=True)
        loaded_program = None
    gdb.execute(f"add-symbol-file {path} -o 0x{offset:x}", to_string=True)
    loaded_program = (path, offset)
    return path


class Symbols(gdb.Command):
    """mk-symbols TASK: loads the symbols of TASK's program (from the build
directory beside kernel.elf) at its load address, replacing those of the
program loaded before. bt, list and break then work in its code; to stop
only in this task, use mk-break."""

    def __init__(self):
        super().__init__("mk-symbols", gdb.COMMAND_FILES)

    def invoke(self, arg, from_tty):
        kernel = Kernel()
        t = kernel.find(arg)
        path = load_symbols(kernel, t)
        print(f"symbols of {path} loaded for thread {t.id} ({kernel.program_name(t)}), task 0x{t.pml4:x}")


class Break(gdb.Command):
    """mk-break TASK LOCATION: loads TASK's symbols and breaks at LOCATION only
when TASK's address space is loaded (CR3 is its PML4): all programs share
one link address, so a plain breakpoint would stop in every task."""

    def __init__(self):
        super().__init__("mk-break", gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        task, _, location = arg.strip().partition(" ")
        if not location.strip():
            raise Error("usage: mk-break TASK LOCATION")
        kernel = Kernel()
        t = kernel.find(task)
        if not t.pml4:
            raise Error(f"thread {t.id} has no address space")
        load_symbols(kernel, t)
        gdb.execute(f"break {location.strip()} if ($cr3 & ~0xfff) == 0x{t.pml4:x}")


class Backtrace(gdb.Command):
    """mk-bt TASK: the backtrace of a thread that is not running, from the
registers it saved on its last entry to the kernel, by its frame pointers
(every program is built with them), with its program's symbols."""

    def __init__(self):
        super().__init__("mk-bt", gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        kernel = Kernel()
        t = kernel.find(arg)
        if t.is_idle or not t.pml4:
            raise Error(f"thread {t.id} runs no user program")
        if t.address == kernel.running:
            print("(this thread is running: its saved registers are those of its last entry to the kernel)")
        load_symbols(kernel, t)
        print(f"thread {t.id} ({t.name or kernel.program_name(t)}), {t.state}:")
        pc, fp = t.rip, t.rbp
        for depth in range(64):
            print(f"#{depth:<2} {describe_pc(pc)}")
            if not fp or fp & 7:
                break
            frame = read_user(t.pml4, fp, 16)
            if frame is None:
                print(f"    (frame pointer 0x{fp:x} is not mapped)")
                break
            next_fp, pc = u64(frame, 0), u64(frame, 8)
            if not pc or next_fp and next_fp <= fp:
                break
            pc -= 1  # the call instruction, not the one after it
            fp = next_fp


def describe_pc(pc):
    block = None
    try:
        block = gdb.block_for_pc(pc)
    except RuntimeError:
        pass
    while block and not block.function:
        block = block.superblock
    where = f"0x{pc:x}"
    if block and block.function:
        where += f" in {block.function.print_name}"
    else:
        # Code without debug information (_start is assembly): the ELF symbol.
        symbol = gdb.execute(f"info symbol 0x{pc:x}", to_string=True).strip()
        if not symbol.startswith("No symbol"):
            where += " in " + symbol.split(" in section")[0]
    line = gdb.find_pc_line(pc)
    if line.symtab:
        where += f" at {line.symtab.filename}:{line.line}"
    return where


# --- the pager ---------------------------------------------------------------


class Pager(gdb.Command):
    """mk-pager: the pager's resident pages, from the pager's own tables
(its frames[] array, read through its address space with its symbols), each
checked against the page tables of the task it belongs to: the page must be
mapped there, to the same physical frame the pager holds."""

    def __init__(self):
        super().__init__("mk-pager", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        kernel = Kernel()
        pager = kernel.find("pager")
        load_symbols(kernel, pager)
        ns = "(anonymous namespace)::"

        def variable(name):
            symbol = gdb.lookup_static_symbol(ns + name)
            if symbol is None:
                raise Error(f"the pager has no variable {name}")
            return symbol

        def scalar(name):
            symbol = variable(name)
            size = symbol.type.strip_typedefs().sizeof
            data = read_user(pager.pml4, int(symbol.value().address), size)
            return int.from_bytes(data, "little") if data else 0

        frames_symbol = variable("frames")
        frame_type = frames_symbol.type.strip_typedefs().target().strip_typedefs()
        client_type = variable("clients").type.strip_typedefs().target().strip_typedefs()
        frame_layout = layout_of(frame_type)
        client_layout = layout_of(client_type)
        frame_count = scalar("frame_count")
        frames_address = int(frames_symbol.value().address)
        window = int(gdb.parse_and_eval(f"{ns}frame_window")) if has_value(f"{ns}frame_window") else 0x0000400000000000
        data = read_user(pager.pml4, frames_address, frame_count * frame_type.sizeof) or b""
        pager_slots = {index: (obj, kind) for index, kind, _, _, obj, _ in cnode_slots(kernel, pager.cspace, pager.cspace_radix)}

        print(f"pager (thread {pager.id}): {frame_count} frames in its budget; faults {scalar('total_faults')}, "
              f"evictions {scalar('total_evictions')}, write-backs {scalar('total_write_backs')}, "
              f"read-backs {scalar('total_read_backs')}")
        print(f"{'frame':>5}  {'task':>4}  {'address':>18}  {'physical':>10}  flags  in the task's page tables")
        per_task, used, mismatches = {}, 0, 0
        for i in range(frame_count):
            record = data[i * frame_type.sizeof:(i + 1) * frame_type.sizeof]
            if len(record) < frame_type.sizeof or not frame_layout.get(record, "used"):
                continue
            used += 1
            address = frame_layout.get(record, "address")
            client = read_user(pager.pml4, frame_layout.get(record, "client"), client_type.sizeof)
            task = client_layout.get(client, "id") if client else 0
            vspace_slot = client_layout.get(client, "vspace") if client else 0
            held = translate(pager.pml4, window + i * PAGE)  # the pager's own mapping of budget frame i
            space = pager_slots.get(vspace_slot, (0, 0))[0]
            mapped = translate(object_id(space), address) if space else None
            agrees = mapped is not None and held is not None and (mapped & ~(PAGE - 1)) == (held & ~(PAGE - 1))
            mismatches += not agrees
            flags = ("R" if frame_layout.get(record, "referenced") else ".") + ("D" if frame_layout.get(record, "dirty") else ".")
            where = "mapped, same frame" if agrees else ("not mapped" if mapped is None else f"maps 0x{mapped:x}")
            physical = f"0x{held:x}" if held is not None else "-"
            print(f"{i:>5}  {task:>4}  0x{address:016x}  {physical:>10}  {flags:>5}  {where}")
            per_task[task] = per_task.get(task, 0) + 1
        summary = ", ".join(f"task {task}: {n}" for task, n in sorted(per_task.items()))
        print(f"{used} resident pages ({summary or 'none'}); {mismatches} disagree with the page tables")


def has_value(expression):
    try:
        gdb.parse_and_eval(expression)
        return True
    except gdb.error:
        return False


def layout_of(struct_type):
    layout = Layout.__new__(Layout)
    layout.type = struct_type
    layout.size = struct_type.sizeof
    return layout


class BuildDirectory(gdb.Parameter):
    """The build directory with the unstripped programs (default: beside kernel.elf)."""

    set_doc = "Set the build directory the mk-* helpers take programs from."
    show_doc = "Show the build directory the mk-* helpers take programs from."

    def __init__(self):
        super().__init__("mk-build-dir", gdb.COMMAND_FILES, gdb.PARAM_STRING)
        self.value = ""


BuildDirectory()
Tasks()
Caps()
Symbols()
Break()
Backtrace()
Pager()
