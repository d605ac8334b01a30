/* vmx/caps.c - VMX capability MSRs and the controls they allow (SDM Vol. 3D, Appendix A). */
#include "vmx/caps.h"
#include "vmx/vmcs.h"
#include "lib/format.h"

/* Control names as Tables 25-5 to 25-7, 25-13 and 25-15 word them. "enable X"
 * is shortened to "X"; the group label says where each name belongs. */
static const char *const pin_names[32] = {
	[0] = "external-interrupt exiting", [3] = "NMI exiting", [5] = "virtual NMIs",
	[6] = "activate VMX-preemption timer", [7] = "process posted interrupts",
};

static const char *const proc_names[32] = {
	[2] = "interrupt-window exiting", [3] = "use TSC offsetting", [7] = "HLT exiting",
	[9] = "INVLPG exiting", [10] = "MWAIT exiting", [11] = "RDPMC exiting",
	[12] = "RDTSC exiting", [15] = "CR3-load exiting", [16] = "CR3-store exiting",
	[17] = "activate tertiary controls", [19] = "CR8-load exiting",
	[20] = "CR8-store exiting", [21] = "use TPR shadow", [22] = "NMI-window exiting",
	[23] = "MOV-DR exiting", [24] = "unconditional I/O exiting", [25] = "use I/O bitmaps",
	[27] = "monitor trap flag", [28] = "use MSR bitmaps", [29] = "MONITOR exiting",
	[30] = "PAUSE exiting", [31] = "activate secondary controls",
};

static const char *const proc2_names[32] = {
	[0] = "virtualize APIC accesses", [1] = "EPT", [2] = "descriptor-table exiting",
	[3] = "RDTSCP", [4] = "virtualize x2APIC mode", [5] = "VPID", [6] = "WBINVD exiting",
	[7] = "unrestricted guest", [8] = "APIC-register virtualization",
	[9] = "virtual-interrupt delivery", [10] = "PAUSE-loop exiting",
	[11] = "RDRAND exiting", [12] = "INVPCID", [13] = "VM functions",
	[14] = "VMCS shadowing", [15] = "ENCLS exiting", [16] = "RDSEED exiting",
	[17] = "PML", [18] = "EPT-violation #VE", [19] = "conceal VMX from PT",
	[20] = "XSAVES/XRSTORS", [21] = "PASID translation",
	[22] = "mode-based execute control for EPT", [23] = "sub-page write permissions for EPT",
	[24] = "Intel PT uses guest physical addresses", [25] = "use TSC scaling",
	[26] = "user wait and pause", [27] = "PCONFIG", [28] = "ENCLV exiting",
	[30] = "VMM bus-lock detection", [31] = "instruction timeout",
};

static const char *const exit_names[32] = {
	[2] = "save debug controls", [9] = "host address-space size",
	[12] = "load IA32_PERF_GLOBAL_CTRL", [15] = "acknowledge interrupt on exit",
	[18] = "save IA32_PAT", [19] = "load IA32_PAT", [20] = "save IA32_EFER",
	[21] = "load IA32_EFER", [22] = "save VMX-preemption timer value",
	[23] = "clear IA32_BNDCFGS", [24] = "conceal VMX from PT", [25] = "clear IA32_RTIT_CTL",
	[26] = "clear IA32_LBR_CTL", [27] = "clear UINV", [28] = "load CET state",
	[29] = "load PKRS",
};

static const char *const entry_names[32] = {
	[2] = "load debug controls", [9] = "IA-32e mode guest", [10] = "entry to SMM",
	[11] = "deactivate dual-monitor treatment", [13] = "load IA32_PERF_GLOBAL_CTRL",
	[14] = "load IA32_PAT", [15] = "load IA32_EFER", [16] = "load IA32_BNDCFGS",
	[17] = "conceal VMX from PT", [18] = "load IA32_RTIT_CTL", [19] = "load UINV",
	[20] = "load CET state", [21] = "load guest IA32_LBR_CTL", [22] = "load PKRS",
};

/* One control, with the capability MSR that governs it (A.3-A.5): bits 31:0
 * are the allowed 0-settings (a 1 there forces the control to 1), bits 63:32
 * the allowed 1-settings (a 0 there forces it to 0). */
static uint32_t allowed0(uint64_t cap) { return (uint32_t)cap; }
static uint32_t allowed1(uint64_t cap) { return (uint32_t)(cap >> 32); }

/* Sets one control to its forced bits plus whatever was asked for and is allowed. */
static void pick(uint64_t cap, uint32_t required, uint32_t optional,
		 uint32_t *value, uint32_t *miss_req, uint32_t *miss_opt)
{
	uint32_t ok = allowed1(cap);

	*value = allowed0(cap) | ((required | optional) & ok);
	*miss_req = required & ~ok;
	/* A bit both required and optional is reported once, as required. */
	*miss_opt = optional & ~required & ~ok;
}

bool vmx_compute_controls(const struct vmx_cap_msrs *m, const struct vmx_control_request *req,
			  struct vmx_control_result *res)
{
	const struct vmx_controls *rq = &req->required, *op = &req->optional;
	struct vmx_controls *v = &res->value, *mr = &res->missing_required,
			    *mo = &res->missing_optional;
	/* A.3.1, A.3.2, A.4, A.5: with basic bit 55 the TRUE_* MSRs are exact and
	 * let some default-1 bits (CR3-load/store exiting, save/load debug
	 * controls) be 0; without it the older MSRs are exact. */
	bool use_true = m->basic & VMX_BASIC_TRUE_CONTROLS;
	uint64_t proc2_cap;

	pick(use_true ? m->true_pinbased : m->pinbased, rq->pin, op->pin, &v->pin, &mr->pin, &mo->pin);
	pick(use_true ? m->true_procbased : m->procbased, rq->proc, op->proc,
	     &v->proc, &mr->proc, &mo->proc);
	pick(use_true ? m->true_exit : m->exit, rq->exit, op->exit, &v->exit, &mr->exit, &mo->exit);
	pick(use_true ? m->true_entry : m->entry, rq->entry, op->entry,
	     &v->entry, &mr->entry, &mo->entry);

	/* IA32_VMX_PROCBASED_CTLS2 exists only if the primary controls allow
	 * "activate secondary controls" (A.3.3); otherwise nothing is allowed. */
	proc2_cap = allowed1(m->procbased) & CPU_ACTIVATE_SECONDARY_CONTROLS ? m->procbased2 : 0;
	pick(proc2_cap, rq->proc2, op->proc2, &v->proc2, &mr->proc2, &mo->proc2);
	/* Secondary controls take effect only when activated (25.6.2). */
	if (v->proc2)
		v->proc |= CPU_ACTIVATE_SECONDARY_CONTROLS;
	if (!(v->proc & CPU_ACTIVATE_SECONDARY_CONTROLS))
		v->proc2 = 0;
	/* "virtual NMIs" needs "NMI exiting" (27.2.1.1); "NMI exiting" without
	 * "virtual NMIs" would make the guest's IRET leave NMIs blocked (26.3, IRET).
	 * Both or neither, unless the CPU forces one of them to 1. */
	if ((v->pin & (PIN_NMI_EXITING | PIN_VIRTUAL_NMIS)) != (PIN_NMI_EXITING | PIN_VIRTUAL_NMIS))
		v->pin &= ~((PIN_NMI_EXITING | PIN_VIRTUAL_NMIS) &
			    ~allowed0(use_true ? m->true_pinbased : m->pinbased));

	return vmx_controls_empty(mr);
}

void vmx_guest_features(const struct vmx_controls *c, struct guest_features *f)
{
	/* Secondary controls count only when activated (25.6.2). */
	uint32_t p2 = c->proc & CPU_ACTIVATE_SECONDARY_CONTROLS ? c->proc2 : 0;

	*f = (struct guest_features){
		.rdtscp = p2 & CPU2_ENABLE_RDTSCP,
		.invpcid = p2 & CPU2_ENABLE_INVPCID,
		.xsaves = p2 & CPU2_ENABLE_XSAVES_XRSTORS,
		.waitpkg = p2 & CPU2_ENABLE_USER_WAIT_PAUSE,
		.pconfig = p2 & CPU2_ENABLE_PCONFIG,
	};
}

bool vmx_nmi_window_available(const struct vmx_cap_msrs *m, const struct vmx_controls *c)
{
	uint64_t proc = m->basic & VMX_BASIC_TRUE_CONTROLS ? m->true_procbased : m->procbased;

	/* NMI-window exiting needs "virtual NMIs" (27.2.1.1). */
	return (c->pin & PIN_VIRTUAL_NMIS) && (allowed1(proc) & CPU_NMI_WINDOW_EXITING);
}

bool vmx_controls_empty(const struct vmx_controls *c)
{
	return !(c->pin | c->proc | c->proc2 | c->exit | c->entry);
}

/* Appends to a buffer with fmt_snprintf truncation, counting what it wanted. */
struct names_buf {
	char *buf;
	size_t len;
	size_t pos;          /* length wanted so far; may pass len */
};

static void __printf(2, 3) nb_add(struct names_buf *b, const char *fmt, ...)
{
	char *p = NULL;
	size_t room = 0;
	va_list ap;
	int n;

	if (b->pos < b->len) {
		p = b->buf + b->pos;
		room = b->len - b->pos;
	}
	va_start(ap, fmt);
	n = fmt_vsnprintf(p, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->pos += (size_t)n;
}

static void add_group(struct names_buf *b, const char *label, uint32_t bits,
		      const char *const names[32])
{
	bool first = true;

	if (!bits)
		return;
	nb_add(b, "%s%s: ", b->pos ? "; " : "", label);
	for (unsigned int i = 0; i < 32; i++) {
		if (!(bits & (1u << i)))
			continue;
		if (names[i])
			nb_add(b, "%s%s", first ? "" : ", ", names[i]);
		else
			nb_add(b, "%s%s bit %u", first ? "" : ", ", label, i);
		first = false;
	}
}

int vmx_control_names(const struct vmx_controls *c, char *buf, size_t len)
{
	struct names_buf b = { .buf = buf, .len = len, .pos = 0 };

	if (len)
		buf[0] = '\0';
	if (vmx_controls_empty(c)) {
		nb_add(&b, "none");
		return (int)b.pos;
	}
	add_group(&b, "pin", c->pin, pin_names);
	add_group(&b, "primary", c->proc, proc_names);
	add_group(&b, "secondary", c->proc2, proc2_names);
	add_group(&b, "exit", c->exit, exit_names);
	add_group(&b, "entry", c->entry, entry_names);
	return (int)b.pos;
}

enum vmx_fc_action vmx_feature_control_check(uint64_t fc, uint64_t *new_value)
{
	enum vmx_fc_action act;
	uint64_t nv = fc;

	if (!(fc & FEATURE_CONTROL_LOCK)) {
		/* Only the outside-SMX bit: setting the inside-SMX one raises #GP
		 * on a CPU without SMX, and the hypervisor does not use SMX. */
		nv = fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
		act = VMX_FC_ENABLE;
	} else if (fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX) {
		act = VMX_FC_READY;
	} else {
		/* Writes to a locked IA32_FEATURE_CONTROL fault until reset. */
		act = VMX_FC_LOCKED_OFF;
	}
	if (new_value)
		*new_value = nv;
	return act;
}

uint64_t vmx_apply_fixed(uint64_t v, uint64_t fixed0, uint64_t fixed1)
{
	return (v | fixed0) & fixed1;
}

void vmx_decode_basic(uint64_t basic, struct vmx_basic *out)
{
	out->revision = (uint32_t)(basic & 0x7fffffffu);
	out->region_size = (uint32_t)((basic >> 32) & 0x1fffu);
	out->phys_addr_32 = basic & VMX_BASIC_PHYS_ADDR_32;
	out->memtype = (unsigned int)((basic >> 50) & 0xfu);
	out->io_exit_info = basic & VMX_BASIC_IO_EXIT_INFO;
	out->true_controls = basic & VMX_BASIC_TRUE_CONTROLS;
}

/* What the hypervisor needs and what it uses when present. The IA-32e-mode-
 * guest entry control is required to be allowed but set per guest. */
const struct vmx_control_request vmx_hv_controls = {
	.required = {
		.proc = CPU_USE_IO_BITMAPS | CPU_USE_MSR_BITMAPS | CPU_ACTIVATE_SECONDARY_CONTROLS,
		.proc2 = CPU2_ENABLE_EPT | CPU2_UNRESTRICTED_GUEST,
		.exit = EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER |
			EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT,
		.entry = ENTRY_LOAD_IA32_EFER | ENTRY_LOAD_IA32_PAT | ENTRY_IA32E_MODE_GUEST,
	},
	.optional = {
		/* The console tick: Ctrl-] reaches the shell even from a guest
		 * that spins with interrupts off. */
		.pin = PIN_VMX_PREEMPTION_TIMER |
		       /* NMIs exit; one the guest cannot take yet waits for an
		        * NMI-window exit (vmx/exit.c). */
		       PIN_NMI_EXITING | PIN_VIRTUAL_NMIS,
		.proc = CPU_USE_TSC_OFFSETTING,
		/* Without these the guest gets #UD for RDTSCP, INVPCID, XSAVES. */
		.proc2 = CPU2_ENABLE_VPID | CPU2_ENABLE_RDTSCP | CPU2_ENABLE_INVPCID |
			 CPU2_ENABLE_XSAVES_XRSTORS | CPU2_WBINVD_EXITING,
		.exit = EXIT_SAVE_DEBUG_CONTROLS,
		.entry = ENTRY_LOAD_DEBUG_CONTROLS,
	},
};
