/* guest/hypercall_abi.h - the VMCALL interface between guests and the
 * hypervisor (docs/hypercalls.md). Included by guests too: no dependencies. */
#ifndef GUEST_HYPERCALL_ABI_H
#define GUEST_HYPERCALL_ABI_H

#include "guest/exit_reason.h"

/*
 * VMCALL with the call number in RAX (EAX outside 64-bit mode) and arguments
 * in RBX, RCX, RDX, RSI; the result comes back in RAX, negative on error.
 * Outside 64-bit mode only the low 32 bits of each register count.
 */
#define HC_VERSION        0   /* -> (major << 16) | minor */
#define HC_CONSOLE_WRITE  1   /* RBX = guest-physical address, RCX = length (<= HC_CONSOLE_MAX) -> bytes written */
#define HC_EXIT           2   /* RBX = status: the guest stops, the hypervisor reports the status */
#define HC_EXIT_COUNT     3   /* RBX = enum guest_exit (guest/exit_reason.h) -> VM exits of that reason so far (test hook) */
#define HC_INJECT         4   /* RBX = vector (0-31), RCX = error code or HC_NO_ERROR_CODE: delivered
                                 to the guest right after this VMCALL completes; vector 2 (NMI, no
                                 error code) is queued as `inject nmi` does: delivered as soon as
                                 the guest can take an NMI (test hook) */
#define HC_UNMAP_ONCE     5   /* RBX = guest-physical page: unmapped until the guest's next access to it,
                                 which the hypervisor then maps back (test hook for event re-injection) */
#define HC_MEMMAP         6   /* RBX = index into the guest memory map -> 0 (RBX = start, RCX = size,
                                 RDX = e820 type, RSI = kind: HC_MEM_*) or -HC_EINVAL past its end (test hook) */
#define HC_TRAP_TEST      7   /* RBX = guest-physical page in an MMIO hole, RCX = 1: put a second test
                                 device there; 0: take it away (test hook for run-time map changes) */
#define HC_CHAIN_APS_DONE 8   /* chain mode, hv.efi on the boot CPU once the firmware's APs were asked to
                                 join: ends the joining phase -> the number of APs that did not join (lost:
                                 disabled in the ACPI view, their INIT and start-up IPIs dropped);
                                 -HC_ENOSYS outside chain mode, -HC_EINVAL the second time */
#define HC_COUNT          9

/* Kinds of guest-physical ranges reported by HC_MEMMAP (guest/gmap.h). */
#define HC_MEM_RAM        0
#define HC_MEM_MMIO       1   /* pass-through device memory */
#define HC_MEM_TRAPPED    2   /* a device model of the hypervisor */
#define HC_MEM_HIDDEN     3   /* the hypervisor's own memory: reads all ones, writes dropped */
#define HC_MEM_UNUSABLE   4
#define HC_MEM_ROM        5   /* the hypervisor's read-only copies (the guest's ACPI view): writes dropped */

#define HC_NO_ERROR_CODE  0xffffffffu
#define HC_CONSOLE_MAX    4096

#define HC_VERSION_MAJOR  0
#define HC_VERSION_MINOR  1

/* Errors (negated in RAX). */
#define HC_EPERM     1        /* VMCALL from CPL > 0 (HC_CHAIN_APS_DONE: or not from the boot CPU's vCPU) */
#define HC_EFAULT   14        /* address range not in guest RAM */
#define HC_EINVAL   22        /* bad argument */
#define HC_ENOSYS   38        /* unknown call number */

/* CPUID leaves the hypervisor adds (CPUID.1:ECX[31] says a hypervisor is present). */
#define HV_CPUID_LEAF_BASE   0x40000000u   /* EAX = max leaf, EBX:ECX:EDX = signature */
#define HV_CPUID_LEAF_INFO   0x40000001u   /* EAX = HC version, EBX = bit 0: VMCALL interface */
#define HV_CPUID_MAX_LEAF    HV_CPUID_LEAF_INFO
#define HV_CPUID_SIGNATURE   "hvhvhvhvhvhv"  /* 12 bytes in EBX, ECX, EDX order */

#endif
