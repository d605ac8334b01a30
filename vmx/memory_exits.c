/* vmx/memory_exits.c - the exits about memory and ports: EPT violations and
 * misconfigurations, I/O instructions, and the test hooks that change the
 * EPT (SDM Vol. 3C, 28.2.1 Tables 28-5 and 28-7; 29.3.3). The emulation
 * itself is backend-neutral (guest/dev/emulate.c); this is its VMX glue. */
#include "vmx/guest_state.h"
#include "vmx/vmx_cpu.h"
#include "vmx/exit_decode.h"
#include "vmx/ept.h"
#include "guest/dev/emulate.h"
#include "guest/gmap.h"
#include "guest/gmem.h"
#include "guest/dev/ioport.h"
#include "arch/cpuinfo.h"
#include "drivers/console.h"
#include "lib/string.h"

static void restore_unmapped(struct vcpu *v)
{
	struct pagetable *pt = &to_vmx(v)->ept->pt;
	uint64_t *pte = pt_leaf_4k(pt, v->unmap_once_gpa);

	if (pte)
		*pte = v->unmap_once_entry;
	/* The split that made the page unmappable is undone too. */
	(void)pt_merge(pt, ALIGN_DOWN(v->unmap_once_gpa, PAGE_SIZE_1G), PAGE_SIZE_1G);
	v->unmap_once_gpa = INVALID_GPA;
	vmx_flush_ept(v);
}

int vcpu_map_changed(struct vcpu *v, gpa_t start, gpa_t end)
{
	int rc = ept_update(to_vmx(v)->ept, start, end);

	/* Also on failure: part of the range may have changed already. */
	vmx_flush_ept(v);
	ept_print_summary(to_vmx(v)->ept);
	return rc;
}

int vcpu_unmap_once(struct vcpu *v, gpa_t page)
{
	uint64_t *pte;

	if (!gmem_is_ram(page, PAGE_SIZE))
		return -EFAULT;
	if (v->unmap_once_gpa != INVALID_GPA)
		restore_unmapped(v);
	pte = pt_leaf_4k(&to_vmx(v)->ept->pt, page);
	if (!pte)
		return -EFAULT;
	v->unmap_once_gpa = page;
	v->unmap_once_entry = *pte;
	*pte = 0;
	vmx_flush_ept(v);
	return 0;
}

static unsigned int maxphyaddr(void)
{
	static unsigned int bits;

	/* CPUID is an exit of its own when this hypervisor runs nested: ask once. */
	if (!bits) {
		struct cpuinfo ci;

		cpuinfo_read(&ci);
		bits = ci.phys_addr_bits;
	}
	return bits;
}

/* The guest state instruction emulation works on (guest/dev/emulate.h). */
void vcpu_read_cpu(struct vcpu *v, struct guest_cpu *c)
{
	uint64_t cs_ar = vmcs_read(VMCS_GUEST_CS_AR_BYTES);

	memcpy(c->regs.gpr, v->regs.gpr, sizeof(c->regs.gpr));
	c->regs.gpr[REG_RSP] = vmcs_read(VMCS_GUEST_RSP);
	c->regs.rip = vmcs_read(VMCS_GUEST_RIP);
	c->regs.rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	for (unsigned int s = 0; s < 6; s++) {
		c->regs.seg_base[s] = vmcs_read(VMCS_GUEST_ES_BASE + 2 * s);
		c->regs.seg_limit[s] = (uint32_t)vmcs_read(VMCS_GUEST_ES_LIMIT + 2 * s);
	}
	c->regs.mode = guest_64bit_code() ? CPU_MODE_64 : (cs_ar & (1u << 14)) ? CPU_MODE_32 : CPU_MODE_16;
	c->regs.seg_limits = c->regs.mode != CPU_MODE_64;
	c->cr0 = guest_cr0_view(v);
	c->cr3 = vmcs_read(VMCS_GUEST_CR3);
	c->cr4 = guest_cr4_view(v);
	c->efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	for (unsigned int i = 0; i < 4; i++)
		c->pdpte[i] = vmcs_read(VMCS_GUEST_PDPTE0 + 2 * i);
	c->cpl = guest_cpl();
	c->maxphyaddr = maxphyaddr();
}

static void write_guest_cpu(struct vcpu *v, const struct guest_cpu *c, struct exit_info *e)
{
	memcpy(v->regs.gpr, c->regs.gpr, sizeof(v->regs.gpr));
	vmcs_write(VMCS_GUEST_RSP, c->regs.gpr[REG_RSP]);
	vmcs_write(VMCS_GUEST_RFLAGS, c->regs.rflags);
	/* RIP unchanged: a REP instruction to be resumed, or a fault; not completed. */
	if (c->regs.rip != e->rip)
		vmx_instruction_completed(c->regs.rflags);
	vmcs_write(VMCS_GUEST_RIP, c->regs.rip);
}

static void apply_emulation(struct vcpu *v, struct exit_info *e, struct guest_cpu *c,
			    const struct emul_result *r)
{
	switch (r->status) {
	case EMUL_DONE:
		write_guest_cpu(v, c, e);
		break;
	case EMUL_EXCEPTION:
		/* REP iterations done before the fault stay done (RIP is unchanged). */
		write_guest_cpu(v, c, e);
		/* CR2 is not in the VMCS: the CPU's own CR2 becomes the guest's on entry. */
		if (r->vector == 14)
			asm volatile("mov %0, %%cr2" : : "r"(r->cr2));
		vmx_inject_exception(v, r->vector, r->error_code);
		break;
	case EMUL_STOP:
		vmx_stop_guest(v, "%s", r->why);
		break;
	}
}

static void emulate_access(struct vcpu *v, struct exit_info *e, gpa_t gpa)
{
	struct guest_cpu c;
	struct emul_result r;

	vcpu_read_cpu(v, &c);
	emulate_instruction(v, &c, gpa, &r);
	apply_emulation(v, e, &c, &r);
}

void vmx_handle_io(struct vcpu *v, struct exit_info *e)
{
	struct io_access a;

	/* The instruction-information field matters only for INS/OUTS: no VMREAD otherwise. */
	vmx_decode_io(e->qual, e->qual & IO_QUAL_STRING ?
		      (uint32_t)vmcs_read(VMCS_VM_EXIT_INSTRUCTION_INFO) : 0, &a);
	if (!a.size) {
		vmx_stop_guest(v, "I/O exit with an undefined size (qualification 0x%llx)",
			       (unsigned long long)e->qual);
		return;
	}
	if (a.string) {
		struct string_io sio = {
			.port = a.port, .size = a.size, .in = a.in, .rep = a.rep,
			/* Without the instruction-information field (IA32_VMX_BASIC[54] clear)
			 * the address size is the code's default. */
			.addr_size = a.addr_size ? a.addr_size : guest_64bit_code() ? 8 : 4,
			.segment = a.in ? 0 : a.segment, .insn_len = (uint8_t)e->insn_len,
		};
		struct guest_cpu c;
		struct emul_result r;

		vcpu_read_cpu(v, &c);
		emulate_string_io(v, &c, &sio, &r);
		apply_emulation(v, e, &c, &r);
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
	vmx_skip_instruction(v, e);
}

void vmx_handle_ept_violation(struct vcpu *v, struct exit_info *e)
{
	gpa_t gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS);
	const struct gmap_range *r;
	struct ept_violation q;

	/* NMI unblocking by IRET was undone by the exit; redo it (28.2.3). */
	vmx_decode_ept_violation(e->qual, &q);
	if (q.nmi_unblocking && !(e->idt_vectoring & INTR_INFO_VALID))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			   vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO) | INTERRUPTIBILITY_NMI);
	if (v->unmap_once_gpa != INVALID_GPA && (gpa & ~(PAGE_SIZE - 1)) == v->unmap_once_gpa) {
		restore_unmapped(v);
		return;     /* the access (or the interrupted delivery) is retried */
	}
	r = gmap_lookup(gmem_map(), gpa);
	if (r && gmap_kind_mapped(r->kind)) {
		printf("guest %s: EPT violation on mapped %s memory at GPA 0x%016llx (%s, entry allowed %s%s%s):\n",
		       v->name, gmap_kind_name(r->kind), (unsigned long long)gpa,
		       q.fetch ? "fetch" : q.write ? "write" : "read", q.readable ? "R" : "-",
		       q.writable ? "W" : "-", q.executable ? "X" : "-");
		ept_print_walk(to_vmx(v)->ept, gpa);
		vmx_stop_guest(v, "EPT violation on mapped memory at GPA 0x%016llx: a hypervisor bug",
			       (unsigned long long)gpa);
		return;
	}
	/* Only an instruction's own accesses can be emulated, not the CPU's
	 * accesses for event delivery or for walking the guest's page tables. */
	if (e->idt_vectoring & INTR_INFO_VALID) {
		vmcs_write(VMCS_VM_ENTRY_INTR_INFO, 0);
		vmx_stop_guest(v, "event delivery touched %s at GPA 0x%016llx (IDT, stack or TSS there?)",
			       r ? gmap_kind_name(r->kind) : "unmapped space", (unsigned long long)gpa);
		return;
	}
	if (q.gla_valid && !q.gla_translation) {
		vmx_stop_guest(v, "the guest's page tables are in %s at GPA 0x%016llx",
			       r ? gmap_kind_name(r->kind) : "unmapped space", (unsigned long long)gpa);
		return;
	}
	emulate_access(v, e, gpa);
}

void vmx_handle_ept_misconfig(struct vcpu *v, struct exit_info *e)
{
	gpa_t gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS);

	/* Misconfigured entries are never made on purpose (no MMIO fast path yet). */
	printf("guest %s: EPT misconfiguration at GPA 0x%016llx; the walk:\n", v->name,
	       (unsigned long long)gpa);
	ept_print_walk(to_vmx(v)->ept, gpa);
	vmx_stop_guest(v, "EPT misconfiguration at GPA 0x%016llx: a hypervisor bug in the EPT",
		       (unsigned long long)gpa);
}

