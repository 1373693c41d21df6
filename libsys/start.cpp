// Program entry for every user program: the System V x86_64 start-up.
// The initial stack holds argc, then argv[], NULL, envp[], NULL, auxv.
#include "abi/task.hpp"
#include "sys/messages.hpp"
#include "sys/print.hpp"
#include "sys/syscall.hpp"

extern "C" int main(int argc, char** argv, char** envp);

namespace sys {
void set_pid_from_environment(char** envp);  // messages.cpp
}

using Constructor = void (*)();
extern "C" Constructor __init_array_start[], __init_array_end[];

extern "C" [[noreturn]] void start_main(uint64_t* stack) {
    int argc = int(stack[0]);
    char** argv = reinterpret_cast<char**>(stack + 1);
    char** envp = argv + argc + 1;
    // Every program the system starts finds a console capability in the
    // same slot as the root task's.
    sys::set_console(abi::task_slot::console);
    sys::set_pid_from_environment(envp);
    for (Constructor* c = __init_array_start; c != __init_array_end; ++c) (*c)();
    int status = main(argc, argv, envp);
    sys::report_exit(status);
    sys::exit(status);
}

// _start has no caller: it hands the ABI's initial stack pointer to
// start_main with the stack aligned as a call expects.
asm(R"(
    .pushsection .text._start, "ax"
    .global _start
_start:
    xor %ebp, %ebp
    mov %rsp, %rdi
    and $-16, %rsp
    call start_main
    ud2
    .popsection
)");
