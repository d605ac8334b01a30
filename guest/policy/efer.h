/* guest/policy/efer.h - the guest's IA32_EFER (SDM Vol. 4, Table 2-2 at
 * 0xC0000080; Vol. 3A 2.2.1 for the bits, 9.8.5 for entering and leaving
 * IA-32e mode): which bits exist for a guest, and what its WRMSR does.
 * Pure: the host tests reach it. The backend keeps the value in software
 * (vmx/guest_state.h), so no exit reads it back from the hardware. */
#ifndef GUEST_EFER_H
#define GUEST_EFER_H

#include "lib/compiler.h"

#define CPUID81_EDX_SYSCALL   (1u << 11)    /* SYSCALL/SYSRET (in 64-bit mode on Intel) */
#define CPUID81_EDX_NX        (1u << 20)    /* execute-disable bit */
#define CPUID81_EDX_LM        (1u << 29)    /* Intel 64 architecture */

/*
 * The IA32_EFER bits a guest whose CPUID.80000001H:EDX is edx may have set:
 * SCE always (as KVM: on Intel, CPUID shows SYSCALL only in 64-bit mode,
 * yet the bit exists wherever IA32_EFER does), LME and LMA with LM, NXE
 * with NX. Every other bit is reserved (the AMD ones included: this is an
 * Intel VMX hypervisor).
 */
uint64_t efer_supported(uint32_t edx);

/*
 * A guest's WRMSR of val to IA32_EFER whose value is old, with CR0.PG =
 * paging: the new value into *efer, or false for #GP(0) (*efer untouched):
 * a bit outside supported set, or LME changed while paging is on (Vol. 3A
 * 9.8.5; Vol. 2, WRMSR). LMA is read-only (Vol. 4, Table 2-2: only MOV to
 * CR0 sets or clears it): old's LMA is kept whatever val says.
 */
bool efer_write(uint64_t old, uint64_t val, bool paging, uint64_t supported, uint64_t *efer);

#endif
