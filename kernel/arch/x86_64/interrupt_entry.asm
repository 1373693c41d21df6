; Interrupt and exception entry: one stub per vector, one common path.
;
; Each stub makes the stack uniform (a zero error code where the CPU pushes
; none, then the vector number) and jumps to interrupt_common, which saves
; the general registers into an arch::TrapFrame (trap_frame.hpp) and calls
;     extern "C" void trap_dispatch(arch::TrapFrame* frame);
; Returning from it restores the frame, so a handler may edit the frame to
; change where execution resumes.

bits 64
default rel

extern trap_dispatch

; Vectors for which the CPU pushes an error code itself.
%define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

section .text

%assign vector 0
%rep 256
align 16
interrupt_stub_%+vector:
%if !HAS_ERROR_CODE(vector)
        push    0
%endif
        push    vector
        jmp     interrupt_common
%assign vector vector + 1
%endrep

interrupt_common:
        ; Coming from user mode (CS.RPL = 3, at [rsp + 24]), switch to the
        ; kernel's GS base; the matching swapgs is on the way out.
        test    byte [rsp + 24], 3
        jz      .kernel_entry
        swapgs
.kernel_entry:
        push    rax
        push    rbx
        push    rcx
        push    rdx
        push    rsi
        push    rdi
        push    rbp
        push    r8
        push    r9
        push    r10
        push    r11
        push    r12
        push    r13
        push    r14
        push    r15
        cld
        mov     rdi, rsp
        call    trap_dispatch
        pop     r15
        pop     r14
        pop     r13
        pop     r12
        pop     r11
        pop     r10
        pop     r9
        pop     r8
        pop     rbp
        pop     rdi
        pop     rsi
        pop     rdx
        pop     rcx
        pop     rbx
        pop     rax
        test    byte [rsp + 24], 3
        jz      .kernel_exit
        swapgs
.kernel_exit:
        add     rsp, 16                 ; vector and error code
        iretq

section .rodata
global interrupt_stub_table
align 8
interrupt_stub_table:
%assign vector 0
%rep 256
        dq      interrupt_stub_%+vector
%assign vector vector + 1
%endrep

; No executable stack for the linker to infer.
section .note.GNU-stack noalloc noexec nowrite progbits
