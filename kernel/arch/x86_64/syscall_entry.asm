; extern "C" void syscall_entry();   (the target of LSTAR)
;
; `syscall` leaves RCX = user RIP, R11 = user RFLAGS, interrupts off (FMASK),
; and the user's RSP and GS untouched. The stub stores into the running
; thread's arch::TrapFrame (it ends at CpuLocal.context_end) only what the
; ABI makes it keep (docs/abi.md, "Calling convention"):
;
;   - RIP, RFLAGS and RSP, and the vector SYSCALL_VECTOR, so that the way
;     back may use sysret;
;   - RAX (the call number; a restarted call finds it there again) and the
;     callee-preserved RBX, RBP, R12-R15, which another thread's registers
;     replace when the call switches;
;   - nothing for RCX and R11, which the ABI clobbers, nor for CS, SS and
;     the error code: a thread's CS and SS are the user selectors from its
;     creation on (init_thread; interrupts store the same values again),
;     and no one reads the error code of a system call.
;
; Then the two IPC calls that have a fast path (endpoint_call and
; endpoint_reply_recv, numbers 24 and 26) go to
;     extern "C" arch::TrapFrame* ipc_fast_path(uint64_t cptr, uint64_t tag,
;         uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3);
; (syscall/ipc_fast.cpp) with the message still in registers (R10 moves
; to RCX to be the fourth argument): the fast path never stores the
; caller's message registers, which the reply overwrites anyway. When it
; declines it stores them and calls syscall_dispatch itself. Every other
; call stores RDI, RSI, RDX, R8-R10 and calls
;     extern "C" arch::TrapFrame* syscall_dispatch(arch::TrapFrame* frame);
; Both run on the kernel stack and return the frame to resume: the same
; thread's or, after a switch, another's. Neither needs RBX, RBP or
; R12-R15 kept: the way out loads them from the frame it resumes.
;
; Both calls are traced call sites (trace::CallSite, trace/trace.hpp):
; turning tracing on rewrites them to call ipc_fast_path_traced and
; syscall_dispatch_traced, which have the same contracts and record the
; system call events; the versions called while tracing is off have no
; hook at all.

bits 64
default rel

%include "arch/x86_64/frame.inc"

extern syscall_dispatch
extern syscall_dispatch_traced
extern ipc_fast_path
extern ipc_fast_path_traced
extern return_to_frame

; Frame fields addressed from the frame's end, where RSP points on entry.
%define AT_END(field) (field - FRAME_SIZE)

; Resumes the frame at RAX with sysret if it was saved by syscall_entry,
; else through return_to_frame (iretq). RCX and R11 are loaded with RIP and
; RFLAGS for sysret, never from the frame: a syscall frame holds nothing
; for them. Expanded once on each path, to spare a jump.
%macro RETURN_TO_RAX 0
        cmp     qword [rax + FRAME_VECTOR], SYSCALL_VECTOR
        jne     return_to_frame
        mov     rbx, [rax + FRAME_RBX]
        mov     rbp, [rax + FRAME_RBP]
        mov     r12, [rax + FRAME_R12]
        mov     r13, [rax + FRAME_R13]
        mov     r14, [rax + FRAME_R14]
        mov     r15, [rax + FRAME_R15]
        mov     rdi, [rax + FRAME_RDI]
        mov     rsi, [rax + FRAME_RSI]
        mov     rdx, [rax + FRAME_RDX]
        mov     r8, [rax + FRAME_R8]
        mov     r9, [rax + FRAME_R9]
        mov     r10, [rax + FRAME_R10]
        mov     rcx, [rax + FRAME_RIP]
        mov     r11, [rax + FRAME_RFLAGS]
        mov     rsp, [rax + FRAME_RSP]
        mov     rax, [rax + FRAME_RAX]
        swapgs
        o64 sysret
%endmacro

; `call %1`, listed with %2 in trace_calls: the call turning tracing on
; makes it `call %2` (trace::CallSite; trace.cpp rewrites the rel32).
%macro TRACED_CALL 2
%%site:
        call    %1
[section trace_calls]
        align   8
        dq      %%site, %1, %2
__SECT__
%endmacro

section trace_calls progbits alloc noexec nowrite align=8
section .text
global syscall_entry
syscall_entry:
        swapgs
        mov     [gs:CPU_USER_RSP], rsp
        mov     rsp, [gs:CPU_CONTEXT_END]
        mov     [rsp + AT_END(FRAME_RIP)], rcx
        mov     [rsp + AT_END(FRAME_RFLAGS)], r11
        mov     rcx, [gs:CPU_USER_RSP]
        mov     [rsp + AT_END(FRAME_RSP)], rcx
        mov     qword [rsp + AT_END(FRAME_VECTOR)], SYSCALL_VECTOR
        mov     [rsp + AT_END(FRAME_RAX)], rax
        mov     [rsp + AT_END(FRAME_RBX)], rbx
        mov     [rsp + AT_END(FRAME_RBP)], rbp
        mov     [rsp + AT_END(FRAME_R12)], r12
        mov     [rsp + AT_END(FRAME_R13)], r13
        mov     [rsp + AT_END(FRAME_R14)], r14
        mov     [rsp + AT_END(FRAME_R15)], r15
        ; RAX - 24 is 0 or 2 exactly for endpoint_call and endpoint_reply_recv.
        lea     rcx, [rax - SYSCALL_ENDPOINT_CALL]
        test    rcx, ~(SYSCALL_ENDPOINT_REPLY_RECV - SYSCALL_ENDPOINT_CALL)
        jnz     .general
        mov     rcx, r10
        mov     rsp, [gs:CPU_KERNEL_STACK]
        TRACED_CALL ipc_fast_path, ipc_fast_path_traced
        RETURN_TO_RAX
.general:
        mov     [rsp + AT_END(FRAME_RDI)], rdi
        mov     [rsp + AT_END(FRAME_RSI)], rsi
        mov     [rsp + AT_END(FRAME_RDX)], rdx
        mov     [rsp + AT_END(FRAME_R8)], r8
        mov     [rsp + AT_END(FRAME_R9)], r9
        mov     [rsp + AT_END(FRAME_R10)], r10
        lea     rdi, [rsp - FRAME_SIZE]
        mov     rsp, [gs:CPU_KERNEL_STACK]
        TRACED_CALL syscall_dispatch, syscall_dispatch_traced
        RETURN_TO_RAX

section .note.GNU-stack noalloc noexec nowrite progbits
