/* vmx/inject_rules.h - what VM entry may inject (SDM Vol. 3C, 26.2.1.3) and
 * how the CPU itself delivers exceptions (Vol. 3A, 6.5 and 6.15). Pure. */
#ifndef VMX_INJECT_RULES_H
#define VMX_INJECT_RULES_H

#include "lib/compiler.h"

/* Exception classes (Vol. 3A, Table 6-1). #DB is a fault or a trap by cause. */
enum exception_class {
	EXC_RESERVED,        /* 9 (obsolete), 15, 22-31 on Intel: nothing delivers them */
	EXC_FAULT,
	EXC_TRAP,
	EXC_FAULT_OR_TRAP,   /* #DB */
	EXC_ABORT,           /* #DF, #MC */
	EXC_INTERRUPT,       /* NMI */
};

enum exception_class exception_class(unsigned int vector);

/* The guest-side facts the injection rules depend on. */
struct inject_ctx {
	bool protected_mode;     /* "unrestricted guest" is 0, or the guest's CR0.PE is 1 */
	bool any_error_code;     /* IA32_VMX_BASIC[56]: no vector/error-code consistency check (CET CPUs) */
};

/*
 * Whether a hardware exception of this vector is delivered with an error
 * code: only in protected mode, and only for #DF, #TS, #NP, #SS, #GP, #PF,
 * #AC, and #CP where the CPU has CET (IA32_VMX_BASIC[56]); other CPUs check
 * the vector without #CP, so #CP cannot carry one there.
 */
bool inject_exception_has_error_code(unsigned int vector, const struct inject_ctx *c);

/*
 * The VM-entry checks on the event-injection fields (26.2.1.3): reserved
 * bits, type, vector per type, the deliver-error-code bit as above (unless
 * any_error_code), error-code bits 31:16, and the instruction length of
 * software events (1-15). mtf: the CPU supports the monitor trap flag (type 7).
 * Returns NULL if VM entry accepts the fields, else what is wrong.
 */
const char *inject_check(uint32_t intr_info, uint32_t error_code, uint32_t insn_len,
			 const struct inject_ctx *c, bool mtf);

/*
 * The RFLAGS a delivered fault-class exception should find: the CPU sets RF
 * in the image it pushes for every fault except an instruction-breakpoint
 * #DB (Vol. 3A, 18.3.1.1), so a handler's IRET does not hit an instruction
 * breakpoint again. Event injection pushes the guest's RFLAGS field as it
 * is: the injector sets RF there. Outside protected mode the pushed FLAGS
 * image has no RF and rflags is returned unchanged.
 */
uint64_t inject_rflags(unsigned int vector, bool protected_mode, uint64_t rflags);

enum nmi_entry_action {
	NMI_INJECT,          /* inject it with this VM entry */
	NMI_OPEN_WINDOW,     /* set NMI-window exiting: the exit comes as soon as it can be taken */
	NMI_WAIT,            /* no NMI-window exiting: try again at the next VM entry */
};

/*
 * What to do at a VM entry with an NMI pending for the guest. event_queued:
 * the VM-entry interruption-information field already holds an event (one
 * event per entry); interruptibility: the guest's interruptibility state.
 * An NMI may be injected only without blocking by NMI (virtual-NMI blocking
 * with "virtual NMIs") and by MOV SS (27.3.1.5), and not under blocking by
 * STI, which some processors treat as blocking NMIs (25.4.2); exactly the
 * conditions under which an NMI-window exit occurs (26.2, "NMI-window
 * exiting"), so the window is the way to wait when window is true.
 */
enum nmi_entry_action nmi_entry_action(bool event_queued, uint32_t interruptibility, bool window);

#endif
