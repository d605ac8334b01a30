/* guest/run/memory_exits.c - the exits about memory and ports: stage-2
 * faults (EPT violations) and misconfigurations, I/O instructions, and the
 * test hooks that change the stage-2 tables. The emulation is
 * guest/dev/emulate.c; the exit details come from the backend
 * (vcpu_exit_io, vcpu_exit_stage2). */
#include "guest/run/memory_exits.h"
#include "guest/backend.h"
#include "guest/dev/emulate.h"
#include "guest/dev/ioport.h"
#include "guest/gmap.h"
#include "guest/gmem.h"
#include "drivers/console.h"
#include "lib/string.h"

static void restore_unmapped(struct vcpu *v)
{
	stage2_restore_once(v->vm, v->unmap_once_gpa, v->unmap_once_entry);
	v->unmap_once_gpa = INVALID_GPA;
}

int vcpu_map_changed(struct vcpu *v, gpa_t start, gpa_t end)
{
	int rc = stage2_update(v->vm, start, end);

	stage2_print(v->vm, STAGE2_SUMMARY);
	return rc;
}

int vcpu_unmap_once(struct vcpu *v, gpa_t page)
{
	if (!gmem_is_ram(page, PAGE_SIZE))
		return -EFAULT;
	if (v->unmap_once_gpa != INVALID_GPA)
		restore_unmapped(v);
	if (stage2_unmap_once(v->vm, page, &v->unmap_once_entry))
		return -EFAULT;
	v->unmap_once_gpa = page;
	return 0;
}

static void write_guest_cpu(struct vcpu *v, const struct guest_cpu *c)
{
	uint64_t rip = vcpu_reg(v, VREG_RIP);
	unsigned int w = c->regs.gpr_written & ~(1u << REG_RSP);

	/* Without regs_valid only RIP and the mode were read: the emulation
	 * worked on the vCPU's registers directly (emulate.c, mov64_direct). */
	if (c->regs_valid) {
		/* The registers the emulation wrote (RSP lives in the VMCS). */
		while (w) {
			unsigned int i = (unsigned int)__builtin_ctz(w);

			w &= w - 1;
			v->regs.gpr[i] = c->regs.gpr[i];
		}
		/* Written back only if changed: each is a VMWRITE at the entry. */
		if (c->regs.gpr[REG_RSP] != vcpu_reg(v, VREG_RSP))
			vcpu_set_reg(v, VREG_RSP, c->regs.gpr[REG_RSP]);
		if (c->regs.rflags != vcpu_reg(v, VREG_RFLAGS))
			vcpu_set_reg(v, VREG_RFLAGS, c->regs.rflags);
	}
	/* RIP unchanged: a REP instruction to be resumed, or a fault; not completed. */
	if (c->regs.rip != rip) {
		vcpu_set_reg(v, VREG_RIP, c->regs.rip);
		vcpu_instruction_completed(v);
	}
}

static void apply_emulation(struct vcpu *v, struct guest_cpu *c, const struct emul_result *r)
{
	switch (r->status) {
	case EMUL_DONE:
		write_guest_cpu(v, c);
		break;
	case EMUL_EXCEPTION:
		/* REP iterations done before the fault stay done (RIP is unchanged). */
		write_guest_cpu(v, c);
		if (r->vector == 14)
			vcpu_set_cr2(v, r->cr2);
		vcpu_inject_exception(v, r->vector, r->error_code);
		break;
	case EMUL_STOP:
		vcpu_stop(v, "%s", r->why);
		break;
	}
}

void exit_io(struct vcpu *v)
{
	struct exit_io a;

	vcpu_exit_io(v, &a);
	if (!a.size) {
		vcpu_stop(v, "I/O exit with an undefined size");
		return;
	}
	if (a.string) {
		struct string_io sio = {
			.port = a.port, .size = a.size, .in = a.in, .rep = a.rep,
			.addr_size = a.addr_size, .segment = a.segment, .insn_len = a.insn_len,
		};
		struct guest_cpu c;
		struct emul_result r;

		vcpu_read_cpu(v, &c);
		emulate_string_io(v, &c, &sio, &r);
		apply_emulation(v, &c, &r);
		return;
	}
	if (a.in) {
		uint32_t val = ioport_in(v, a.port, a.size);
		uint64_t *rax = &v->regs.gpr[REG_RAX];

		/* IN AL/AX keeps the rest of RAX; IN EAX zero-extends (Vol. 1, 3.4.1.1). */
		if (a.size == 4)
			*rax = val;
		else
			*rax = (*rax & ~((1ULL << (8 * a.size)) - 1)) | val;
	} else {
		ioport_out(v, a.port, a.size, (uint32_t)v->regs.gpr[REG_RAX]);
	}
	vcpu_skip_instruction(v);
}

/* The page HC_UNMAP_ONCE unmapped: the fault only restores it. */
static inline bool unmapped_once(const struct vcpu *v, gpa_t gpa)
{
	return v->unmap_once_gpa != INVALID_GPA && (gpa & ~(PAGE_SIZE - 1)) == v->unmap_once_gpa;
}

/* The guest memory map's range holding gpa (NULL: none): the range of the
 * last MMIO exit again, most of the time. */
static inline const struct gmap_range *fault_range(struct vcpu *v, gpa_t gpa)
{
	const struct gmap *map = gmem_map();
	const struct gmap_range *r;

	if (v->mmio_range && v->mmio_range_gen == map->generation &&
	    gpa >= v->mmio_range->start && gpa < v->mmio_range->end)
		return v->mmio_range;
	r = gmap_lookup(map, gpa);
	v->mmio_range = r;
	v->mmio_range_gen = map->generation;
	return r;
}

/* What the CPU translated itself for the emulation (q->gla_final). */
static inline struct emul_hint fault_hint(const struct vcpu *v, const struct exit_stage2 *q,
					  const struct gmap_range *r)
{
	return (struct emul_hint){ .la = q->gla, .gpa = q->gpa, .write = q->write,
				   .range = r, .gen = v->mmio_range_gen };
}

bool fast_stage2_fault(struct vcpu *v, const struct exit_stage2 *q, unsigned int *len)
{
	const struct gmap_range *r;
	const struct device_model *d;
	struct emul_hint h;
	struct guest_cpu c;
	struct emul_result er;
	uint64_t rip;
	bool done;

	/* exit_stage2_fault's cases other than an emulated access, and its
	 * accesses the CPU did not translate itself: the slow path's. */
	if (!q->gla_final || q->fetch || q->during_delivery || q->guest_walk || unmapped_once(v, q->gpa))
		return false;
	r = fault_range(v, q->gpa);
	/* A device model's range with both handlers (model_access would stop). */
	if (!r || r->kind != GMAP_TRAPPED || !r->dev)
		return false;
	d = r->dev;
	if (!d->mmio_read || !d->mmio_write)
		return false;
	h = fault_hint(v, q, r);
	vcpu_read_cpu_key(v, &c);
	rip = c.regs.rip;
	device_lock();
	done = emulate_cached_mov(v, &c, q->gpa, &h, &er);
	device_unlock();
	/* A stop comes before any access: the slow path does it again and stops. */
	if (!done || er.status != EMUL_DONE)
		return false;
	*len = (unsigned int)(c.regs.rip - rip);
	return true;
}

void exit_stage2_fault(struct vcpu *v)
{
	const struct gmap_range *r;
	struct exit_stage2 q;
	struct guest_cpu c;
	struct emul_result er;

	vcpu_exit_stage2(v, &q);
	if (unmapped_once(v, q.gpa)) {
		restore_unmapped(v);
		return;     /* the access (or the interrupted delivery) is retried */
	}
	r = fault_range(v, q.gpa);
	/* A write to ROM (mapped read-only) is emulated: the write is dropped;
	 * write-trapped MMIO is mapped read-only too: its writes are the model's. */
	if (r && r->kind != GMAP_TRAPPED && gmap_kind_mapped(r->kind) &&
	    !((r->kind == GMAP_ROM || r->kind == GMAP_WRITE_TRAPPED) && q.write && !q.fetch)) {
		printf("guest %s: EPT violation on mapped %s memory at GPA 0x%016llx (%s, entry allowed %s%s%s):\n",
		       v->name, gmap_kind_name(r->kind), (unsigned long long)q.gpa,
		       q.fetch ? "fetch" : q.write ? "write" : "read", q.readable ? "R" : "-",
		       q.writable ? "W" : "-", q.executable ? "X" : "-");
		stage2_print_walk(v->vm, q.gpa);
		vcpu_stop(v, "EPT violation on mapped memory at GPA 0x%016llx: a hypervisor bug",
			  (unsigned long long)q.gpa);
		return;
	}
	/* Only an instruction's own accesses can be emulated, not the CPU's
	 * accesses for event delivery or for walking the guest's page tables. */
	if (q.during_delivery) {
		vcpu_cancel_event(v);
		vcpu_stop(v, "event delivery touched %s at GPA 0x%016llx (IDT, stack or TSS there?)",
			  r ? gmap_kind_name(r->kind) : "unmapped space", (unsigned long long)q.gpa);
		return;
	}
	if (q.guest_walk) {
		vcpu_stop(v, "the guest's page tables are in %s at GPA 0x%016llx",
			  r ? gmap_kind_name(r->kind) : "unmapped space", (unsigned long long)q.gpa);
		return;
	}
	/* The rest of the guest's state (registers, segments, PDPTEs) only if
	 * the instruction needs it (guest/dev/emulate.c). */
	vcpu_read_cpu_key(v, &c);
	if (q.gla_final && !q.fetch) {
		struct emul_hint h = fault_hint(v, &q, r);

		emulate_instruction(v, &c, q.gpa, &h, &er);
	} else {
		emulate_instruction(v, &c, q.gpa, NULL, &er);
	}
	apply_emulation(v, &c, &er);
}

void exit_stage2_misconfig(struct vcpu *v)
{
	struct exit_stage2 q;

	vcpu_exit_stage2(v, &q);
	/* Misconfigured entries are never made on purpose (MMIO traps by EPT violations). */
	printf("guest %s: EPT misconfiguration at GPA 0x%016llx; the walk:\n", v->name,
	       (unsigned long long)q.gpa);
	stage2_print_walk(v->vm, q.gpa);
	vcpu_stop(v, "EPT misconfiguration at GPA 0x%016llx: a hypervisor bug in the EPT",
		  (unsigned long long)q.gpa);
}
