; extern "C" bool user_copy(void* dst, const void* src, size_t n);
;
; Copies n bytes where one side is user memory that may be unmapped. The
; caller (kernel/syscall/user_access.cpp) has already checked that the user
; range lies inside the user half. A page fault at user_copy_fault_ip is
; resumed by trap_dispatch at user_copy_fixup, which returns false; a
; complete copy returns true. With SMAP on (user_copy_smap != 0), stac/clac
; open user memory for this one copy only: stac and clac are invalid
; instructions on CPUs without SMAP, hence the flag.

bits 64
default rel

section .bss
global user_copy_smap
user_copy_smap:
        resb    1

section .text
global user_copy
global user_copy_fault_ip
global user_copy_fixup
user_copy:
        mov     rcx, rdx
        cmp     byte [user_copy_smap], 0
        je      user_copy_fault_ip
        stac
user_copy_fault_ip:
        rep     movsb
        mov     eax, 1
        jmp     user_copy_close
user_copy_fixup:
        xor     eax, eax
user_copy_close:
        cmp     byte [user_copy_smap], 0
        je      user_copy_done
        clac
user_copy_done:
        ret

section .note.GNU-stack noalloc noexec nowrite progbits
