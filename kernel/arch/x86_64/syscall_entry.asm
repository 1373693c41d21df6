; extern "C" void syscall_entry();   (the target of LSTAR)
;
; `syscall` leaves RCX = user RIP, R11 = user RFLAGS, interrupts off (FMASK),
; and the user's RSP and GS untouched. This stub builds an arch::TrapFrame at
; the end of the running thread's saved-register area (CpuLocal.context_end),
; exactly like an interrupt from user mode would, marks it with the vector
; SYSCALL_VECTOR so the way back may use sysret, and calls
;     extern "C" arch::TrapFrame* syscall_dispatch(arch::TrapFrame* frame);
; on the kernel stack. The frame it returns is the thread to resume.

bits 64
default rel

%include "arch/x86_64/frame.inc"

extern syscall_dispatch
extern return_to_frame

section .text
global syscall_entry
syscall_entry:
        swapgs
        mov     [gs:CPU_USER_RSP], rsp
        mov     rsp, [gs:CPU_CONTEXT_END]
        push    USER_DATA_SELECTOR              ; ss
        push    qword [gs:CPU_USER_RSP]         ; rsp
        push    r11                             ; rflags
        push    USER_CODE_SELECTOR              ; cs
        push    rcx                             ; rip
        push    0                               ; error code
        push    SYSCALL_VECTOR
        PUSH_GENERAL_REGISTERS
        mov     rdi, rsp
        mov     rsp, [gs:CPU_KERNEL_STACK]
        call    syscall_dispatch
        jmp     return_to_frame

section .note.GNU-stack noalloc noexec nowrite progbits
