; extern "C" [[noreturn]] void _start(uint64_t boot_params_phys /* rsi */);
;
; The 64-bit kernel's first instruction, at the link address the setup stub
; jumps to (it is placed first in .text by kernel/linker.ld). Entered with
; the stub's boot page tables, interrupts off, RSI = physical address of the
; boot_params page. Gives the kernel a stack, clears .bss (the boot protocol
; loads only the file's bytes), and calls kernel_main(boot_params_phys).

bits 64
default rel

extern kernel_main
extern __bss_start
extern __bss_end

section .text.entry
global _start
_start:
        lea     rsp, [boot_stack_top]
        xor     ebp, ebp                ; ends backtraces here

        mov     r12, rsi                ; rep stosb uses rdi/rcx
        lea     rdi, [__bss_start]
        lea     rcx, [__bss_end]
        sub     rcx, rdi
        xor     eax, eax
        rep     stosb

        mov     rdi, r12
        call    kernel_main
.hang:
        cli
        hlt
        jmp     .hang

; A guard page below the stack, unmapped once the kernel's own page tables
; are built (see stacks.hpp); same layout as arch::stacks::GuardedStack.
section .bss.stacks nobits alloc noexec write align=4096
global boot_stack_guard
global boot_stack
global boot_stack_top
boot_stack_guard:
        resb    4096
boot_stack:
        resb    16384
boot_stack_top:

; No executable stack for the linker to infer.
section .note.GNU-stack noalloc noexec nowrite progbits
