/* boot/efi/vmx_check.h - can this CPU run the hypervisor? Asked before anything irreversible. */
#ifndef BOOT_EFI_VMX_CHECK_H
#define BOOT_EFI_VMX_CHECK_H

#include "lib/compiler.h"

/* True if VMX can be used: CPUID.1:ECX[5] set and IA32_FEATURE_CONTROL either
 * locked with VMX outside SMX on, or unlocked (the core sets and locks it, as
 * OVMF leaves it; SDM Vol. 3C 24.7). Otherwise false with the exact reason in
 * why. When true, why says what IA32_FEATURE_CONTROL holds. Reads the MSR only where CPUID has VMX. */
bool efi_vmx_available(char *why, size_t size);

#endif
