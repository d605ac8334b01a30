/* mm/layout.h - the hypervisor's virtual address layout. */
#ifndef MM_LAYOUT_H
#define MM_LAYOUT_H

/*
 * 0xffff888000000000  direct map: all of the memory map at DIRECTMAP_BASE + pa,
 *                     RW NX (the image's own frames read-only)
 * 0xffffc90000000000  the device windows: one 4 KiB page per CPU (CPU n's at
 *                     DEVMEM_WINDOW + n * 4 KiB), each showing one page of
 *                     device memory at a time, for emulated guest accesses
 *                     (mm/devmem.c), RW NX
 * 0xffffca0000000000  other CPUs' stacks (mm/percpu_alloc.c): CPU n's four at
 *                     PERCPU_STACKS_BASE + n * PERCPU_STACKS_STRIDE, each
 *                     below an unmapped guard page, RW NX
 * 0xffffffff80000000  the image (kernel code model): KERNEL_VBASE + pa,
 *                     text RX, rodata R NX, data/bss RW NX, stack guards unmapped
 * Nothing else is mapped: page 0 and the low identity map of the boot stub go
 * away when the hypervisor switches to its own tables.
 */
#define KERNEL_VBASE     0xffffffff80000000ULL
#define DIRECTMAP_BASE   0xffff888000000000ULL
#define DIRECTMAP_MAX    (64ULL << 40)          /* 64 TiB of physical address space */
#define DEVMEM_WINDOW    0xffffc90000000000ULL
#define PERCPU_STACKS_BASE   0xffffca0000000000ULL
#define PERCPU_STACKS_STRIDE (128 * 1024ULL)   /* four guarded 20 KiB stacks, then unmapped */

#endif
