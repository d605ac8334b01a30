/* vmx/exit_map.h - VMX basic exit reasons (SDM Vol. 3D, Appendix C) as the
 * neutral reasons generic code counts and handles (guest/exit_reason.h). */
#ifndef VMX_EXIT_MAP_H
#define VMX_EXIT_MAP_H

#include "lib/compiler.h"
#include "guest/exit_reason.h"
#include "vmx/vmcs.h"

/* The neutral reason of basic exit reason `basic`; GUEST_EXIT_OTHER for the
 * ones the hypervisor never enables and for numbers past the table. The
 * VM-entry failures 33 and 34 are GUEST_EXIT_ENTRY_FAILURE, 41 (a machine
 * check during entry) GUEST_EXIT_MACHINE_CHECK. */
extern const uint8_t vmx_exit_guest_reason[EXIT_REASON_COUNT];

static inline enum guest_exit vmx_exit_to_guest_exit(uint32_t basic)
{
	return basic < EXIT_REASON_COUNT ? (enum guest_exit)vmx_exit_guest_reason[basic] : GUEST_EXIT_OTHER;
}

/* True for the neutral reasons the VMX backend handles itself inside
 * vcpu_enter (their handling needs the VMCS: read shadows, controls,
 * interruption information); generic code handles the others. */
#define VMX_INTERNAL_EXITS \
	(1u << GUEST_EXIT_EXCEPTION | 1u << GUEST_EXIT_EXTERNAL_INTR | 1u << GUEST_EXIT_INTR_WINDOW | \
	 1u << GUEST_EXIT_NMI_WINDOW | 1u << GUEST_EXIT_VIRT_INSN | \
	 1u << GUEST_EXIT_CR_ACCESS | 1u << GUEST_EXIT_CONSOLE_TICK | 1u << GUEST_EXIT_SINGLE_STEP | \
	 1u << GUEST_EXIT_ENTRY_FAILURE)
_Static_assert(GUEST_EXIT_COUNT <= 32, "VMX_INTERNAL_EXITS is a 32-bit mask");

static inline bool vmx_exit_is_internal(enum guest_exit r)
{
	return (1u << r) & VMX_INTERNAL_EXITS;
}

#endif
