; Real-mode setup stub: the first part of kernel.bin.
;
; kernel.bin follows the Linux x86 boot protocol (version 2.06), so a boot
; loader -- QEMU's -kernel in particular -- loads this stub (the "setup
; sectors") into conventional memory, the rest of kernel.bin (the 64-bit
; kernel) at physical 0x100000, the initrd high in RAM, and enters here in
; 16-bit real mode at offset 0x200 with DS = the stub's segment.
;
; The stub then does, itself and in this order:
;   1. COM1 set up so every step below reports progress on the serial log;
;   2. checks that the CPU has long mode;
;   3. reads the BIOS E820 memory map into a Linux-layout boot_params page;
;   4. enables the A20 line (BIOS call, then port 0x92), verified each time;
;   5. builds boot page tables (identity 0-4 GiB, the same at the direct map
;      base, and the kernel window at -2 GiB), loads a GDT;
;   6. real mode -> 32-bit protected mode -> long mode (PAE, EFER.LME, PG);
;   7. jumps to the kernel's entry at KERNEL_ENTRY with RSI = the physical
;      address of boot_params.
;
; See docs/boot.md for the memory map this sets up.

bits 16
org 0

%define SETUP_VERSION   0x0206          ; boot protocol version we implement

; Boot protocol / boot_params offsets used here (Linux zero-page layout).
%define BP_E820_ENTRIES 0x1e8
%define BP_HDR          0x1f1
%define BP_E820_TABLE   0x2d0
%define E820_MAX        128
%define E820_ENTRY_SIZE 20

; Scratch memory after the stub, inside its 64 KiB segment. The loader puts
; the command line at the next 64 KiB (0x20000 with a 0x10000 base), so
; nothing here is overwritten by it. All offsets are from the segment base.
%define ZERO_PAGE       0x2000          ; boot_params handed to the kernel
%define PML4            0x3000
%define PDPT_LOW        0x4000          ; shared by identity map and direct map
%define PDPT_HIGH       0x5000          ; -2 GiB kernel window
%define PD0             0x6000          ; four page directories: 0-4 GiB
%define SCRATCH_END     0xA000
%define STACK_TOP       0xF000

%define KERNEL_ENTRY    0xFFFFFFFF80100000   ; link address of the kernel's _start

%define SEL_CODE32      0x08
%define SEL_DATA        0x10
%define SEL_CODE64      0x18

; ---------------------------------------------------------------------------
; The legacy boot sector area: unused, the loader only reads the header.
        times BP_HDR - ($ - $$) db 0

; ---------------------------------------------------------------------------
; Setup header (boot protocol 2.06). The loader reads and patches fields.
hdr:
setup_sects:        db (setup_end - $$) / 512 - 1
root_flags:         dw 0
syssize:            dd 0                ; unused by QEMU; payload = file - setup
ram_size:           dw 0
vid_mode:           dw 0xFFFF           ; "normal"
root_dev:           dw 0
boot_flag:          dw 0xAA55
; offset 0x200: the loader jumps here
                    jmp short start
header_magic:       db "HdrS"
version:            dw SETUP_VERSION
realmode_swtch:     dd 0
start_sys_seg:      dw 0x1000
kernel_version:     dw 0
type_of_loader:     db 0
loadflags:          db 0x01             ; LOADED_HIGH: payload at 0x100000
setup_move_size:    dw 0x8000
code32_start:       dd 0x100000
ramdisk_image:      dd 0                ; filled in by the loader
ramdisk_size:       dd 0                ; filled in by the loader
bootsect_kludge:    dd 0
heap_end_ptr:       dw 0
ext_loader_ver:     db 0
ext_loader_type:    db 0
cmd_line_ptr:       dd 0                ; filled in by the loader
initrd_addr_max:    dd 0x7FFFFFFF       ; boot tables map the low 4 GiB
kernel_alignment:   dd 0x200000
relocatable_kernel: db 0
min_alignment:      db 0
xloadflags:         dw 0
cmdline_size:       dd 4095
hdr_end:

; ---------------------------------------------------------------------------
; Prints the NUL-terminated string at [si] (16-bit) or [rsi] (64-bit) on
; COM1; the same bytes serve both modes because lodsb picks the width.
%macro SERIAL_PUTS_BODY 0
%%next:
        lodsb
        test    al, al
        jz      %%done
        mov     ah, al
        mov     dx, 0x3FD               ; line status register
%%wait:
        in      al, dx
        test    al, 0x20                ; transmit holding register empty
        jz      %%wait
        mov     al, ah
        mov     dx, 0x3F8
        out     dx, al
        jmp     %%next
%%done:
        ret
%endmacro

start:
        cli
        cld
        mov     ax, ds                  ; the loader's DS is our segment
        mov     es, ax
        mov     ss, ax
        mov     sp, STACK_TOP
        push    ax                      ; reload CS so that CS = DS and the
        push    word .cs_normalised     ; labels (org 0) are CS offsets
        retf
.cs_normalised:
        call    serial_init
        mov     si, msg_entry
        call    puts16

        ; The page tables below are placed by offset; they must be 4 KiB
        ; aligned physically, so the segment base must be.
        mov     ax, cs
        test    ax, 0x00FF
        jz      .aligned
        mov     si, err_alignment
        jmp     fail16
.aligned:
        call    check_long_mode

        ; Zero the scratch area, then start boot_params with our header.
        mov     di, ZERO_PAGE
        xor     ax, ax
        mov     cx, (SCRATCH_END - ZERO_PAGE) / 2
        rep     stosw
        mov     si, BP_HDR
        mov     di, ZERO_PAGE + BP_HDR
        mov     cx, hdr_end - hdr
        rep     movsb

        call    read_e820
        call    enable_a20

        xor     ebx, ebx                ; ebx = physical base of this stub,
        mov     bx, cs                  ; kept through the mode switches
        shl     ebx, 4
        call    build_page_tables

        ; Patch the absolute addresses that depend on where we were loaded.
        lea     eax, [ebx + gdt]
        mov     [gdtr + 2], eax
        lea     eax, [ebx + protected_mode]
        mov     [pm_jump], eax
        lea     eax, [ebx + long_mode]
        mov     [lm_jump], eax

        mov     si, msg_to_pm
        call    puts16
        lgdt    [gdtr]
        mov     eax, cr0
        or      eax, 1                  ; CR0.PE
        mov     cr0, eax
        jmp     far dword [pm_jump]

; ---------------------------------------------------------------------------
serial_init:
        mov     dx, 0x3F9               ; IER: no interrupts
        xor     al, al
        out     dx, al
        mov     dx, 0x3FB               ; LCR: DLAB on
        mov     al, 0x80
        out     dx, al
        mov     dx, 0x3F8               ; divisor 1 = 115200 baud
        mov     al, 1
        out     dx, al
        mov     dx, 0x3F9
        xor     al, al
        out     dx, al
        mov     dx, 0x3FB               ; 8N1, DLAB off
        mov     al, 0x03
        out     dx, al
        mov     dx, 0x3FA               ; FIFO on, cleared
        mov     al, 0xC7
        out     dx, al
        mov     dx, 0x3FC               ; DTR, RTS, OUT2
        mov     al, 0x0B
        out     dx, al
        ret

puts16:
        SERIAL_PUTS_BODY

; Prints AX in decimal.
putdec16:
        mov     bx, 10
        xor     cx, cx
.divide:
        xor     dx, dx
        div     bx
        push    dx
        inc     cx
        test    ax, ax
        jnz     .divide
.emit:
        pop     ax
        add     al, '0'
        mov     [digit], al
        push    cx
        mov     si, digit
        call    puts16
        pop     cx
        loop    .emit
        ret

; Prints the message at [si] and stops: nothing sensible can follow.
fail16:
        call    puts16
.halt:
        hlt
        jmp     .halt

check_long_mode:
        mov     eax, 0x80000000
        cpuid
        cmp     eax, 0x80000001
        jb      .no
        mov     eax, 0x80000001
        cpuid
        test    edx, 1 << 29            ; LM
        jz      .no
        ret
.no:
        mov     si, err_no_long_mode
        jmp     fail16

; Fills boot_params.e820_table through INT 15h, AX=E820h.
read_e820:
        mov     di, ZERO_PAGE + BP_E820_TABLE
        xor     ebx, ebx                ; continuation value
        xor     bp, bp                  ; entries stored
.next:
        mov     eax, 0xE820
        mov     edx, 0x534D4150         ; 'SMAP'
        mov     ecx, E820_ENTRY_SIZE
        int     0x15
        jc      .end                    ; carry: past the last entry
        cmp     eax, 0x534D4150
        jne     .end
        mov     eax, [di + 8]           ; skip empty ranges
        or      eax, [di + 12]
        jz      .skip
        add     di, E820_ENTRY_SIZE
        inc     bp
        cmp     bp, E820_MAX
        jae     .end
.skip:
        test    ebx, ebx
        jnz     .next
.end:
        test    bp, bp
        jnz     .found
        mov     si, err_no_e820
        jmp     fail16
.found:
        mov     [ZERO_PAGE + BP_E820_ENTRIES], bp
        mov     si, msg_e820
        call    puts16
        mov     ax, bp
        call    putdec16
        mov     si, msg_e820_tail
        call    puts16
        ret

; Returns ZF clear if A20 is on: with A20 off, FFFF:0510 wraps to 0000:0500.
a20_is_on:
        push    ds
        push    es
        xor     ax, ax
        mov     ds, ax
        not     ax
        mov     es, ax
        mov     al, [ds:0x500]
        mov     ah, [es:0x510]
        push    ax
        mov     byte [ds:0x500], 0x00
        mov     byte [es:0x510], 0xFF
        cmp     byte [ds:0x500], 0xFF   ; ZF set: the write wrapped
        pop     ax
        mov     [es:0x510], ah
        mov     [ds:0x500], al
        pop     es
        pop     ds
        ret

enable_a20:
        call    a20_is_on
        jnz     .on
        mov     ax, 0x2401              ; BIOS: enable A20 gate
        int     0x15
        call    a20_is_on
        jnz     .on
        in      al, 0x92                ; "fast A20" via system control port A
        or      al, 0x02
        and     al, 0xFE                ; never set the reset bit
        out     0x92, al
        call    a20_is_on
        jnz     .on
        mov     si, err_a20
        jmp     fail16
.on:
        mov     si, msg_a20
        jmp     puts16

; Boot page tables, all 2 MiB pages over the low 4 GiB:
;   PML4[0]   -> PDPT_LOW  identity, so this stub survives enabling paging
;   PML4[256] -> PDPT_LOW  direct map at 0xFFFF800000000000
;   PML4[511] -> PDPT_HIGH  PDPT_HIGH[510..511] map -2 GiB -> physical 0-2 GiB
; The kernel replaces all of this with its own tables early on.
; In: ebx = physical base of the stub.
build_page_tables:
        lea     eax, [ebx + PDPT_LOW + 3]          ; present | writable
        mov     [PML4 + 0 * 8], eax
        mov     [PML4 + 256 * 8], eax
        lea     eax, [ebx + PDPT_HIGH + 3]
        mov     [PML4 + 511 * 8], eax

        lea     eax, [ebx + PD0 + 3]
        mov     di, PDPT_LOW
        mov     cx, 4
.pdpt:
        mov     [di], eax
        add     eax, 0x1000
        add     di, 8
        loop    .pdpt
        lea     eax, [ebx + PD0 + 3]
        mov     [PDPT_HIGH + 510 * 8], eax
        add     eax, 0x1000
        mov     [PDPT_HIGH + 511 * 8], eax

        mov     eax, 0x83                          ; present | writable | 2 MiB
        mov     di, PD0
        mov     cx, 4 * 512
.pd:
        mov     [di], eax                          ; high dword stays 0: < 4 GiB
        add     eax, 0x200000
        add     di, 8
        loop    .pd
        ret

; ---------------------------------------------------------------------------
bits 32
; In: ebx = physical base of the stub. Flat segments from here on.
protected_mode:
        mov     ax, SEL_DATA
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        lea     esp, [ebx + STACK_TOP]

        mov     eax, cr4
        or      eax, 1 << 5                         ; CR4.PAE
        mov     cr4, eax
        lea     eax, [ebx + PML4]
        mov     cr3, eax

        push    ebx                                 ; cpuid clobbers ebx
        mov     eax, 0x80000001                     ; NX is optional: only
        cpuid                                       ; enable what exists
        pop     ebx
        mov     esi, edx
        mov     ecx, 0xC0000080                     ; IA32_EFER
        rdmsr
        or      eax, 1 << 8                         ; LME
        test    esi, 1 << 20
        jz      .no_nx
        or      eax, 1 << 11                        ; NXE
.no_nx:
        wrmsr

        mov     eax, cr0
        or      eax, 1 << 31                        ; CR0.PG: now in long
        mov     cr0, eax                            ; mode (compatibility)
        jmp     far [ebx + lm_jump]

; ---------------------------------------------------------------------------
bits 64
long_mode:
        mov     ax, SEL_DATA
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     ebx, ebx                            ; zero-extend the base
        lea     rsi, [rel msg_long_mode]
        call    puts64
        lea     rsi, [rbx + ZERO_PAGE]
        mov     rax, KERNEL_ENTRY
        jmp     rax

puts64:
        SERIAL_PUTS_BODY

; ---------------------------------------------------------------------------
align 8
gdt:
        dq 0
        dq 0x00CF9A000000FFFF                       ; 0x08: 32-bit code, flat
        dq 0x00CF92000000FFFF                       ; 0x10: data, flat
        dq 0x00AF9A000000FFFF                       ; 0x18: 64-bit code
gdt_end:
gdtr:
        dw gdt_end - gdt - 1
        dd 0                                        ; patched: physical gdt
pm_jump:
        dd 0                                        ; patched
        dw SEL_CODE32
lm_jump:
        dd 0                                        ; patched
        dw SEL_CODE64

digit:              db 0, 0
msg_entry:          db 13, 10, "setup: real mode entry (boot protocol 2.06)", 13, 10, 0
msg_e820:           db "setup: E820 memory map read, ", 0
msg_e820_tail:      db " entries", 13, 10, 0
msg_a20:            db "setup: A20 line enabled", 13, 10, 0
msg_to_pm:          db "setup: page tables built, entering protected mode", 13, 10, 0
msg_long_mode:      db "setup: long mode active, jumping to the 64-bit kernel", 13, 10, 0
err_alignment:      db "setup: error: not loaded at a 4 KiB aligned segment", 13, 10, 0
err_no_long_mode:   db "setup: error: this CPU has no long mode (x86_64)", 13, 10, 0
err_no_e820:        db "setup: error: the BIOS gave no E820 memory map", 13, 10, 0
err_a20:            db "setup: error: cannot enable the A20 line", 13, 10, 0

        align 512, db 0
setup_end:

%if (setup_end - $$) > ZERO_PAGE
%error "setup stub grew into its scratch area"
%endif
