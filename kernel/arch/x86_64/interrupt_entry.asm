; Interrupt and exception entry: one stub per vector, one common path, and
; the single way back to any saved frame.
;
; Each stub makes the stack uniform (a zero error code where the CPU pushes
; none, then the vector number) and jumps to interrupt_common, which saves
; the general registers into an arch::TrapFrame and calls
;     extern "C" arch::TrapFrame* trap_dispatch(arch::TrapFrame* frame);
; From user mode the CPU has already switched to the thread's own
; saved-register area (TSS.RSP0 = CpuLocal.context_end), so the frame lands
; in the thread object and the handler then runs on the kernel stack. From
; kernel mode (the idle loop, or a fault inside the kernel) the frame stays
; on the current stack.

bits 64
default rel

%include "arch/x86_64/frame.inc"

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
        ; RFLAGS = only the reserved bit 1. That clears AC, which a user
        ; thread may set and an interrupt gate keeps (SMAP would be off in
        ; the handler), and DF, for the ABI (this replaces a cld on each
        ; path); the gate has already cleared IF, TF and NT. clac would
        ; need SMAP on the CPU. The interrupted RFLAGS are in the frame and
        ; come back by iretq. The push writes the frame's RAX slot, which
        ; PUSH_GENERAL_REGISTERS fills again. Net cost: one instruction.
        push    qword 0x2
        popfq
        test    byte [rsp + 24], 3              ; CS.RPL of the interrupted code
        jz      .from_kernel
        swapgs
        PUSH_GENERAL_REGISTERS
        mov     rdi, rsp
        mov     rsp, [gs:CPU_KERNEL_STACK]
        call    trap_dispatch
        jmp     return_to_frame
.from_kernel:
        PUSH_GENERAL_REGISTERS
        mov     rdi, rsp
        call    trap_dispatch
        ; fall through

; return_to_frame: resumes the arch::TrapFrame at rax (never returns).
; To user mode it leaves by sysret when the frame was saved by a syscall,
; since RCX and R11 hold nothing the thread expects then, and by iretq
; otherwise. sysret with a non-canonical RIP would fault in ring 0 with the
; user's stack, so such a frame never gets here: the user half ends a page
; short of the boundary and syscall_dispatch refuses non-canonical returns.
global return_to_frame
return_to_frame:
        mov     rsp, rax
        test    byte [rsp + FRAME_CS], 3
        jz      .to_kernel
        cmp     qword [rsp + FRAME_VECTOR], SYSCALL_VECTOR
        je      .sysret
        POP_GENERAL_REGISTERS
        add     rsp, 16                         ; vector and error code
        swapgs
        iretq
.sysret:
        POP_GENERAL_REGISTERS
        mov     rcx, [rsp + FRAME_RIP - FRAME_VECTOR]
        mov     r11, [rsp + FRAME_RFLAGS - FRAME_VECTOR]
        mov     rsp, [rsp + FRAME_RSP - FRAME_VECTOR]
        swapgs
        o64 sysret
.to_kernel:
        POP_GENERAL_REGISTERS
        add     rsp, 16
        iretq

; extern "C" [[noreturn]] void resume_frame(arch::TrapFrame* frame);
; Leaves the boot path for the first thread the scheduler picks.
global resume_frame
resume_frame:
        mov     rax, rdi
        jmp     return_to_frame

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
