/* guest/dev/emulate.h - completing a guest instruction that touched guest-physical
 * memory the EPT does not map: a device model's range, the hypervisor's
 * hidden memory, or nothing at all. Backend-neutral: the backend hands over
 * the guest's state and writes back what changed. */
#ifndef GUEST_EMULATE_H
#define GUEST_EMULATE_H

#include "guest/emul/insn_emulate.h"
#include "guest/vcpu.h"

/* The guest state emulation needs, filled by the backend. */
struct guest_cpu {
	struct insn_cpu regs;           /* GPRs, RIP, RFLAGS, segment bases, code size */
	uint64_t cr0, cr3, cr4, efer;   /* as the guest sees them */
	uint64_t pdpte[4];              /* PAE paging */
	unsigned int cpl;
	unsigned int maxphyaddr;
	bool regs_valid;                /* regs.gpr, RSP and RFLAGS read (else only RIP and the mode) */
	uint8_t seg_valid;              /* regs.seg_base/seg_limit hold segment s if bit 1 << s */
	bool pdpte_valid;               /* pdpte[] holds the PDPTE registers */
};

enum emul_status {
	EMUL_DONE,                      /* write back regs: RIP advanced, or unchanged if a REP
					   instruction is to be resumed */
	EMUL_EXCEPTION,                 /* write back regs (the REP iterations completed before
					   the fault stay done, RIP unchanged), then deliver
					   vector/error_code (CR2 for #PF) */
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
struct emul_hint;
void emulate_instruction(struct vcpu *v, struct guest_cpu *c, gpa_t fault_gpa,
			 const struct emul_hint *hint, struct emul_result *r);
/* emulate_instruction's first step alone: the instruction at RIP done only
 * if the decoded-instruction cache holds it as a simple MOV that
 * mov64_direct can do on the vCPU's registers with the device model of
 * hint's range (true, the result set: c's RIP past it, or a stop before
 * any access); false with nothing done (a miss, not such a MOV, not that
 * range). For the fast exit path (guest/run/memory_exits.c). */
bool emulate_cached_mov(struct vcpu *v, struct guest_cpu *c, gpa_t fault_gpa,
			const struct emul_hint *hint, struct emul_result *r);

/* One emulation's memory context: the vCPU, its state, where a fault or stop is recorded. */
/* What the exit says the CPU itself translated: the linear address of the
 * access that exited and its guest-physical address (SDM Vol. 3C, 28.2.1:
 * "guest linear address valid" with the access to the translation's final
 * address). The CPU's walk checked the guest's permissions for that access
 * (read or write, at the guest's CPL) and set the accessed (and, for a
 * write, dirty) flags, so an emulated access of the same kind to the same
 * page needs no walk of its own. */
struct gmap_range;
struct emul_hint {
	uint64_t la;
	gpa_t gpa;
	bool write;                     /* the exiting access was a write */
	const struct gmap_range *range; /* the guest memory map's range holding gpa, or NULL */
	uint64_t gen;                   /* the map's generation when range was looked up */
};

struct emul_ctx {
	struct vcpu *v;
	struct guest_cpu *c;
	struct emul_result *r;
	bool implicit;                  /* the CPU's own accesses (descriptor tables, TSS): supervisor
					   at any CPL (SDM Vol. 3A, 4.6) */
	const struct emul_hint *hint;   /* NULL: every access walks the guest's page tables */
	gpa_t fault_gpa;                /* the access that exited (for messages), or INVALID_GPA */
};

/*
 * Linear-address reads and writes for emulating what the CPU does itself
 * (task switches): the paths of an emulated instruction's accesses (guest page
 * tables with c's CR3; RAM, device models, hidden memory), as implicit
 * supervisor accesses. Clears x->r; a failed access returns nonzero with the
 * #PF (vector, error code, CR2) or the reason to stop recorded there.
 */
void emulate_system_ops(struct emul_ctx *x, struct insn_ops *ops);

/* An INS or OUTS (from the exit information, not decoded again). */
struct string_io {
	uint16_t port;
	uint8_t size;                   /* 1, 2, 4 */
	bool in, rep;
	uint8_t addr_size;              /* 2, 4, 8 */
	uint8_t segment;                /* OUTS source segment (0 ES .. 5 GS); INS always ES */
	uint8_t insn_len;
};

/*
 * Performs INS/OUTS through the same memory paths as emulated instructions
 * (guest page tables; RAM, device models, hidden memory), the port side
 * through guest/dev/ioport.c. REP runs up to INSN_REP_MAX elements per call and
 * leaves RIP in place if more remain, so the guest resumes it.
 */
void emulate_string_io(struct vcpu *v, struct guest_cpu *c, const struct string_io *s,
		       struct emul_result *r);

#endif
