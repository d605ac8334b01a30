/* vmx/regs.c - the guest's registers for generic code (SDM Vol. 3C, 25.4
 * guest-state area; 25.6.6 CR0/CR4 guest/host masks and read shadows): the
 * register cache's VMCS side, the emulator's view of the guest, and the
 * per-vCPU facts the CPUID and MSR policy need. */
#include "vmx/guest_state.h"
#include "guest/dev/emulate.h"
#include "arch/cpuinfo.h"
#include "lib/string.h"

/* The VMCS field of each cached register; CR0 and CR4 are combined with
 * their read shadows, EFER is the copy (guest_state.h: vmx_set_guest_efer). */
static const uint32_t reg_field[VREG_COUNT] = {
	[VREG_RIP] = VMCS_GUEST_RIP, [VREG_RSP] = VMCS_GUEST_RSP, [VREG_RFLAGS] = VMCS_GUEST_RFLAGS,
	[VREG_CR0] = VMCS_GUEST_CR0, [VREG_CR3] = VMCS_GUEST_CR3, [VREG_CR4] = VMCS_GUEST_CR4,
};

/* vcpu_reg's fetch, inline where r is a constant (reg_now below). */
static inline uint64_t reg_read(struct vcpu *v, enum vcpu_reg r)
{
	if (r == VREG_CR0)
		return guest_cr0_view(v);
	if (r == VREG_CR4)
		return guest_cr4_view(v);
	if (r == VREG_EFER)
		return to_vmx(v)->efer;
	return vmcs_read(reg_field[r]);
}

uint64_t vcpu_reg_fetch(struct vcpu *v, enum vcpu_reg r)
{
	return reg_read(v, r);
}

/* A written CR0 or CR4 view: the read shadow takes it all, the real
 * register the bits the guest owns (no checks: the writer did them). Not
 * for a change of CR0.PG: that bit is in the CR0 mask for the kept EFER,
 * and only emulate_cr0_write (vmx/handlers.c) changes it, with LMA and
 * the IA-32e-mode-guest control (nothing writes VREG_CR0 today). */
static void write_cr_view(uint32_t real_field, uint32_t shadow_field, uint64_t mask, uint64_t val)
{
	vmcs_write(shadow_field, val);
	vmcs_write(real_field, (vmcs_read(real_field) & mask) | (val & ~mask));
}

void vcpu_regs_flush(struct vcpu *v)
{
	uint32_t d = v->rc.dirty;

	v->rc.dirty = 0;
	while (d) {
		enum vcpu_reg r = (enum vcpu_reg)__builtin_ctz(d);

		d &= d - 1;
		if (r == VREG_CR0)
			write_cr_view(VMCS_GUEST_CR0, VMCS_CR0_READ_SHADOW, to_vmx(v)->cr0_mask, v->rc.val[r]);
		else if (r == VREG_CR4)
			write_cr_view(VMCS_GUEST_CR4, VMCS_CR4_READ_SHADOW, to_vmx(v)->cr4_mask, v->rc.val[r]);
		else if (r == VREG_EFER)
			vmx_set_guest_efer(to_vmx(v), v->rc.val[r]);
		else
			vmcs_write(reg_field[r], v->rc.val[r]);
	}
}

unsigned int vcpu_cpl(struct vcpu *v)
{
	return guest_cpl();
}

bool vcpu_64bit_code(struct vcpu *v)
{
	return (vcpu_reg(v, VREG_EFER) & EFER_LMA) && (vmcs_read(VMCS_GUEST_CS_AR_BYTES) & GUEST_AR_L);
}

const struct guest_features *vcpu_features(struct vcpu *v)
{
	return &to_vmx(v)->features;
}

void vcpu_set_debugctl(struct vcpu *v, uint64_t val)
{
	vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, val);
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

/* vcpu_reg with the fetch inlined (r is a constant at each use below). */
static inline uint64_t reg_now(struct vcpu *v, enum vcpu_reg r)
{
	if (!(v->rc.valid & (1u << r))) {
		v->rc.val[r] = reg_read(v, r);
		v->rc.valid |= 1u << r;
	}
	return v->rc.val[r];
}

void vcpu_read_cpu_key(struct vcpu *v, struct guest_cpu *c)
{
	uint64_t cs_ar = vmcs_read(VMCS_GUEST_CS_AR_BYTES);

	c->regs.rip = reg_now(v, VREG_RIP);
	c->efer = reg_now(v, VREG_EFER);
	c->regs.mode = (c->efer & EFER_LMA) && (cs_ar & GUEST_AR_L) ? CPU_MODE_64 :
		       (cs_ar & (1u << 14)) ? CPU_MODE_32 : CPU_MODE_16;
	c->regs.seg_limits = c->regs.mode != CPU_MODE_64;
	c->cr0 = reg_now(v, VREG_CR0);
	c->cr3 = reg_now(v, VREG_CR3);
	c->cr4 = reg_now(v, VREG_CR4);
	c->cpl = guest_cpl();
	c->maxphyaddr = maxphyaddr();
	c->regs.gpr_written = 0;
	c->regs_valid = false;
	c->seg_valid = 0;
	c->pdpte_valid = false;
	/* The fetch's linear address is CS.base + RIP outside 64-bit mode. */
	if (c->regs.mode != CPU_MODE_64)
		vcpu_read_cpu_segs(v, c, 1u << INSN_SEG_CS);
}

void vcpu_read_cpu_regs(struct vcpu *v, struct guest_cpu *c)
{
	memcpy(c->regs.gpr, v->regs.gpr, sizeof(c->regs.gpr));
	c->regs.gpr[REG_RSP] = reg_now(v, VREG_RSP);
	c->regs.rflags = reg_now(v, VREG_RFLAGS);
	c->regs_valid = true;
}

void vcpu_read_cpu_core(struct vcpu *v, struct guest_cpu *c)
{
	vcpu_read_cpu_key(v, c);
	vcpu_read_cpu_regs(v, c);
}

void vcpu_read_cpu_segs(struct vcpu *v, struct guest_cpu *c, unsigned int segs)
{
	segs &= 0x3fu & ~(unsigned int)c->seg_valid;
	while (segs) {
		unsigned int s = (unsigned int)__builtin_ctz(segs);

		segs &= segs - 1;
		c->regs.seg_base[s] = vmcs_read(VMCS_GUEST_ES_BASE + 2 * s);
		c->regs.seg_limit[s] = (uint32_t)vmcs_read(VMCS_GUEST_ES_LIMIT + 2 * s);
		c->seg_valid |= (uint8_t)(1u << s);
	}
}

void vcpu_read_cpu_pdptes(struct vcpu *v, struct guest_cpu *c)
{
	for (unsigned int i = 0; i < 4; i++)
		c->pdpte[i] = vmcs_read(VMCS_GUEST_PDPTE0 + 2 * i);
	c->pdpte_valid = true;
}

void vcpu_read_cpu(struct vcpu *v, struct guest_cpu *c)
{
	vcpu_read_cpu_core(v, c);
	vcpu_read_cpu_segs(v, c, 0x3f);
	vcpu_read_cpu_pdptes(v, c);
}

bool vcpu_halted(struct vcpu *v)
{
	return exs_get(&to_vmx(v)->xs, EXS_GUEST_ACTIVITY_STATE) == ACTIVITY_HLT;
}
