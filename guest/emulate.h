/* guest/emulate.h - completing a guest instruction that touched guest-physical
 * memory the EPT does not map: a device model's range, the hypervisor's
 * hidden memory, or nothing at all. Backend-neutral: the backend hands over
 * the guest's state and writes back what changed. */
#ifndef GUEST_EMULATE_H
#define GUEST_EMULATE_H

#include "guest/insn_emulate.h"
#include "guest/vcpu.h"

/* The guest state emulation needs, filled by the backend. */
struct guest_cpu {
	struct insn_cpu regs;           /* GPRs, RIP, RFLAGS, segment bases, code size */
	uint64_t cr0, cr3, cr4, efer;   /* as the guest sees them */
	uint64_t pdpte[4];              /* PAE paging */
	unsigned int cpl;
	unsigned int maxphyaddr;
};

enum emul_status {
	EMUL_DONE,                      /* completed: write back regs (RIP advanced) */
	EMUL_EXCEPTION,                 /* deliver vector/error_code (CR2 for #PF); nothing else changed */
	EMUL_STOP,                      /* unsupported here: stop the guest with why */
};

struct emul_result {
	enum emul_status status;
	unsigned int vector;
	uint32_t error_code;
	uint64_t cr2;
	char why[160];
};

/*
 * Fetches, decodes and executes the instruction at the guest's RIP, whose
 * access to fault_gpa exited. Memory goes through the guest's page tables;
 * guest RAM is read and written directly, device models get their
 * accesses, hidden or absent memory reads as all ones and drops writes (as
 * a PC does for addresses nothing answers), with one log line per page.
 */
void emulate_instruction(struct vcpu *v, struct guest_cpu *c, gpa_t fault_gpa, struct emul_result *r);

#endif
