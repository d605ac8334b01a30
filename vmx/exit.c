/* vmx/exit.c - one dispatcher for every VM exit (SDM Vol. 3C, 28 "VM Exits";
 * 28.2 exit information; 27.6 event injection; 28.2.4 IDT-vectoring
 * information and its re-injection; 27.8 VM-entry failures). */
#include "vmx/vmx_vcpu.h"
#include "vmx/exit_decode.h"
#include "vmx/vmx_cpu.h"
#include "vmx/inject_rules.h"
#include "vmx/intr_ready.h"
#include "guest/dev/isa_irq.h"
#include "arch/cpu.h"
#include "arch/trap.h"
#include "drivers/console.h"
#include "lib/format.h"
#include "lib/log.h"

__noreturn void vmcs_access_failed(const char *op, uint64_t field, enum vmx_status s)
{
	uint64_t err = 0;

	if (s == VMX_FAIL_VALID)
		(void)vmread_status(VMCS_VM_INSTRUCTION_ERROR, &err);
	panic("%s of VMCS field 0x%llx failed: %s", op, (unsigned long long)field,
	      s == VMX_FAIL_INVALID ? "no current VMCS" : vmx_instruction_error_name((unsigned int)err));
}

void vmx_vstop_guest(struct vcpu *v, const char *fmt, va_list ap)
{
	fmt_vsnprintf(v->stop_reason, sizeof(v->stop_reason), fmt, ap);
	v->state = VCPU_STOPPED;
	v->exit_status = -1;
}

void vmx_stop_guest(struct vcpu *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmx_vstop_guest(v, fmt, ap);
	va_end(ap);
}

#define RFLAGS_TF        (1ULL << 8)
#define PENDING_DBG_BS   (1ULL << 14)

void vmx_instruction_completed(uint64_t rflags)
{
	uint64_t intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO);

	/* STI and MOV-SS blocking end with the instruction (25.4.2). */
	if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			   intr & ~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
	if (rflags & RFLAGS_TF)
		vmcs_write(VMCS_GUEST_PENDING_DBG_EXCEPTIONS,
			   vmcs_read(VMCS_GUEST_PENDING_DBG_EXCEPTIONS) | PENDING_DBG_BS);
}

void vmx_skip_instruction(struct vcpu *v, const struct exit_info *e)
{
	vmcs_write(VMCS_GUEST_RIP, e->rip + e->insn_len);
	vmx_instruction_completed(vmcs_read(VMCS_GUEST_RFLAGS));
}

/* Exception classes for double-fault detection (SDM Vol. 3A, Table 6-4/6-5). */
static bool is_contributory(unsigned int v)
{
	return v == 0 || (v >= 10 && v <= 13);
}

void vmx_inject_ctx(struct inject_ctx *c)
{
	/* Without unrestricted guest the guest's CR0.PE is always 1 in the VMCS. */
	c->protected_mode = !(vmx_this_cpu.ctl.proc2 & CPU2_UNRESTRICTED_GUEST) ||
			    (vmcs_read(VMCS_GUEST_CR0) & 1);
	c->any_error_code = vmx_this_cpu.caps.basic & VMX_BASIC_NO_ERROR_CODE_CHECK;
}

void vmx_inject_exception(struct vcpu *v, unsigned int vector, uint32_t error_code)
{
	uint32_t pending = (uint32_t)vmcs_read(VMCS_VM_ENTRY_INTR_INFO);
	struct inject_ctx c;
	bool has_code;

	/* An event is already queued (re-injection of an interrupted delivery):
	 * combine the two as the CPU would (Table 6-5). */
	if (pending & INTR_INFO_VALID &&
	    ((pending & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT) == INTR_TYPE_HARDWARE_EXCEPTION) {
		unsigned int first = pending & INTR_INFO_VECTOR_MASK;

		if (first == 8) {
			vmx_stop_guest(v, "triple fault: exception %u while delivering a double fault", vector);
			return;
		}
		if ((is_contributory(first) && is_contributory(vector)) ||
		    (first == 14 && (vector == 14 || is_contributory(vector)))) {
			vector = 8;
			error_code = 0;
		}
	}
	/* 26.2.1.3: an error code only in protected mode, only for the vectors
	 * that have one, bits 31:16 zero; anything else fails the VM entry. */
	vmx_inject_ctx(&c);
	has_code = inject_exception_has_error_code(vector, &c);
	vmcs_write(VMCS_VM_ENTRY_INTR_INFO, vmx_intr_info(vector, INTR_TYPE_HARDWARE_EXCEPTION, has_code));
	if (has_code)
		vmcs_write(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, error_code & 0xffff);
	/* A fault delivered by the CPU pushes RF = 1; injection pushes the RFLAGS field. */
	if (c.protected_mode && exception_class(vector) == EXC_FAULT)
		vmcs_write(VMCS_GUEST_RFLAGS, inject_rflags(vector, true, vmcs_read(VMCS_GUEST_RFLAGS)));
}

/* An exit interrupted the delivery of an event (28.2.4): deliver it again on
 * the next entry, unless the handler decides otherwise. Software interrupts
 * and exceptions need the instruction length to push the right RIP (27.6.1.3). */
static void requeue_vectored_event(const struct exit_info *e)
{
	uint32_t type = (e->idt_vectoring & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;

	vmcs_write(VMCS_VM_ENTRY_INTR_INFO, e->idt_vectoring & ~INTR_INFO_NMI_UNBLOCKING_IRET);
	if (e->idt_vectoring & INTR_INFO_DELIVER_ERROR_CODE)
		vmcs_write(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, e->idt_vectoring_error);
	if (type == INTR_TYPE_SOFTWARE_INTERRUPT || type == INTR_TYPE_PRIV_SOFTWARE_EXCEPTION ||
	    type == INTR_TYPE_SOFTWARE_EXCEPTION)
		vmcs_write(VMCS_VM_ENTRY_INSTRUCTION_LEN, e->insn_len);
}

/* An NMI that reached the hypervisor (an NMI exit, or one while it ran) or
 * that the shell asked for goes to the guest at the first VM entry at which
 * it can take one. Where it cannot yet (inside its NMI handler, after MOV SS,
 * another event queued), NMI-window exiting brings the exit at the first
 * instruction boundary where it can (26.2), whose entry injects it. */
void vmx_deliver_pending_nmi(struct vcpu *v)
{
	uint32_t proc;
	bool queued;

	/* Nearly every entry: nothing pending, and no VMREAD spent finding out. */
	if (!trap_nmi_pending() && !v->nmis_requested)
		return;
	if (v->state != VCPU_RUNNING)
		return;
	queued = vmcs_read(VMCS_VM_ENTRY_INTR_INFO) & INTR_INFO_VALID;
	switch (nmi_entry_action(queued, (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO),
				 vmx_this_cpu.nmi_window)) {
	case NMI_INJECT:
		if (v->nmis_requested)
			v->nmis_requested--;
		else if (!trap_take_nmi())
			return;
		vmcs_write(VMCS_VM_ENTRY_INTR_INFO, vmx_intr_info(2, INTR_TYPE_NMI, false));
		return;
	case NMI_OPEN_WINDOW:
		proc = (uint32_t)vmcs_read(VMCS_CPU_BASED_VM_EXEC_CONTROL);
		if (!(proc & CPU_NMI_WINDOW_EXITING))
			vmcs_write(VMCS_CPU_BASED_VM_EXEC_CONTROL, proc | CPU_NMI_WINDOW_EXITING);
		return;
	case NMI_WAIT:
		return;
	}
}

void vmx_nmi_window_exit(struct vcpu *v, struct exit_info *e)
{
	/* The guest can take an NMI now: the entry after this exit injects it. */
	vmcs_write(VMCS_CPU_BASED_VM_EXEC_CONTROL,
		   vmcs_read(VMCS_CPU_BASED_VM_EXEC_CONTROL) & ~(uint64_t)CPU_NMI_WINDOW_EXITING);
}

static void set_intr_window(struct vmx_vcpu *x, bool on)
{
	uint64_t proc;

	if (x->intr_window == on)
		return;
	proc = vmcs_read(VMCS_CPU_BASED_VM_EXEC_CONTROL);
	vmcs_write(VMCS_CPU_BASED_VM_EXEC_CONTROL,
		   on ? proc | CPU_INTERRUPT_WINDOW_EXITING : proc & ~(uint64_t)CPU_INTERRUPT_WINDOW_EXITING);
	x->intr_window = on;
}

void vmx_deliver_pending_intr(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);
	int vector = isa_irq_pending_vector();

	if (vector >= 0 && v->state == VCPU_RUNNING &&
	    intr_injectable((uint32_t)vmcs_read(VMCS_VM_ENTRY_INTR_INFO), vmcs_read(VMCS_GUEST_RFLAGS),
			    vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO), vmcs_read(VMCS_GUEST_ACTIVITY_STATE))) {
		vmcs_write(VMCS_VM_ENTRY_INTR_INFO,
			   vmx_intr_info((unsigned int)vector, INTR_TYPE_EXTERNAL_INTERRUPT, false));
		isa_irq_injected();
		vector = isa_irq_pending_vector();        /* another one waiting? */
	}
	set_intr_window(x, vector >= 0);
}

static void unhandled_exit(struct vcpu *v, struct exit_info *e)
{
	printf("guest %s: unhandled VM exit %u (%s), qualification 0x%llx, instruction length %u\n",
	       v->name, e->basic, vmx_exit_reason_name(e->basic), (unsigned long long)e->qual,
	       e->insn_len);
	vmx_dump_guest_state(v);
	vmx_stop_guest(v, "unhandled VM exit %u (%s) at RIP 0x%016llx", e->basic,
		       vmx_exit_reason_name(e->basic), (unsigned long long)e->rip);
}

static void entry_failure_exit(struct vcpu *v, struct exit_info *e)
{
	char detail[96];

	vmx_entry_failure_detail(e->basic, e->qual, detail, sizeof(detail));
	printf("guest %s: VM entry failed: %s (exit reason %u), %s\n", v->name,
	       vmx_exit_reason_name(e->basic), e->basic, detail);
	vmx_dump_guest_state(v);
	vmx_stop_guest(v, "VM entry failed: %s", vmx_exit_reason_name(e->basic));
}

void vmx_handle_exit(struct vcpu *v)
{
	uint64_t t0 = rdtsc();
	struct exit_info e;
	exit_handler_t h;

	e.reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON);
	e.basic = e.reason & EXIT_REASON_BASIC_MASK;
	e.qual = vmcs_read(VMCS_EXIT_QUALIFICATION);
	e.insn_len = (uint32_t)vmcs_read(VMCS_VM_EXIT_INSTRUCTION_LEN);
	e.idt_vectoring = (uint32_t)vmcs_read(VMCS_IDT_VECTORING_INFO);
	e.idt_vectoring_error = e.idt_vectoring & INTR_INFO_DELIVER_ERROR_CODE ?
				(uint32_t)vmcs_read(VMCS_IDT_VECTORING_ERROR_CODE) : 0;
	e.rip = vmcs_read(VMCS_GUEST_RIP);

	/* Every VM exit clears the valid bit of VM-entry interruption info
	 * (28.2.5): nothing is queued unless requeued or injected below. A
	 * failed VM entry leaves both fields as they were (26.7): what it was
	 * injecting stays queued, and the vectoring info is the last exit's. */
	if (e.idt_vectoring & INTR_INFO_VALID && !(e.reason & EXIT_REASON_ENTRY_FAILURE))
		requeue_vectored_event(&e);

	if (!vmx_exit_reason_dispatched(e.reason))
		h = entry_failure_exit;
	else if (e.basic < EXIT_REASON_COUNT && vmx_exit_handlers[e.basic])
		h = vmx_exit_handlers[e.basic];
	else
		h = unhandled_exit;
	h(v, &e);

	to_vmx(v)->last_exit = e.basic;
	if (log_enabled(LOG_DEBUG) && !vcpu_exit_is_tick(e.basic))
		printf("trace: guest %s: %s at RIP 0x%llx, qualification 0x%llx\n", v->name,
		       vmx_exit_reason_name(e.basic), (unsigned long long)e.rip, (unsigned long long)e.qual);
	if (e.basic < EXIT_REASON_COUNT) {
		v->exits[e.basic].count++;
		v->exits[e.basic].tsc_total += rdtsc() - t0;
	}
	v->exit_total++;
}

static void dump_controls(void)
{
	printf("  controls: pin 0x%08llx proc 0x%08llx proc2 0x%08llx exit 0x%08llx entry 0x%08llx\n",
	       (unsigned long long)vmcs_read(VMCS_PIN_BASED_VM_EXEC_CONTROL),
	       (unsigned long long)vmcs_read(VMCS_CPU_BASED_VM_EXEC_CONTROL),
	       (unsigned long long)vmcs_read(VMCS_SECONDARY_VM_EXEC_CONTROL),
	       (unsigned long long)vmcs_read(VMCS_VM_EXIT_CONTROLS),
	       (unsigned long long)vmcs_read(VMCS_VM_ENTRY_CONTROLS));
	printf("  entry interruption info 0x%08llx error code 0x%llx length %llu; EPTP 0x%016llx\n",
	       (unsigned long long)vmcs_read(VMCS_VM_ENTRY_INTR_INFO),
	       (unsigned long long)vmcs_read(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE),
	       (unsigned long long)vmcs_read(VMCS_VM_ENTRY_INSTRUCTION_LEN),
	       (unsigned long long)vmcs_read(VMCS_EPT_POINTER));
}

static void dump_host_state(void)
{
	printf("  host CR0 0x%016llx CR3 0x%016llx CR4 0x%016llx\n",
	       (unsigned long long)vmcs_read(VMCS_HOST_CR0), (unsigned long long)vmcs_read(VMCS_HOST_CR3),
	       (unsigned long long)vmcs_read(VMCS_HOST_CR4));
	printf("  host CS 0x%llx SS 0x%llx TR 0x%llx TR base 0x%016llx EFER 0x%llx PAT 0x%016llx\n",
	       (unsigned long long)vmcs_read(VMCS_HOST_CS_SELECTOR),
	       (unsigned long long)vmcs_read(VMCS_HOST_SS_SELECTOR),
	       (unsigned long long)vmcs_read(VMCS_HOST_TR_SELECTOR),
	       (unsigned long long)vmcs_read(VMCS_HOST_TR_BASE),
	       (unsigned long long)vmcs_read(VMCS_HOST_IA32_EFER),
	       (unsigned long long)vmcs_read(VMCS_HOST_IA32_PAT));
	printf("  host RIP 0x%016llx RSP 0x%016llx\n", (unsigned long long)vmcs_read(VMCS_HOST_RIP),
	       (unsigned long long)vmcs_read(VMCS_HOST_RSP));
}

void vmx_dump_guest_state(struct vcpu *v)
{
	static const char *const seg_names[] = { "ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR" };
	const uint64_t *r = v->regs.gpr;

	printf("  RIP 0x%016llx RSP 0x%016llx RFLAGS 0x%016llx\n",
	       (unsigned long long)vmcs_read(VMCS_GUEST_RIP), (unsigned long long)vmcs_read(VMCS_GUEST_RSP),
	       (unsigned long long)vmcs_read(VMCS_GUEST_RFLAGS));
	printf("  RAX 0x%016llx RBX 0x%016llx RCX 0x%016llx RDX 0x%016llx\n",
	       (unsigned long long)r[REG_RAX], (unsigned long long)r[REG_RBX],
	       (unsigned long long)r[REG_RCX], (unsigned long long)r[REG_RDX]);
	printf("  RSI 0x%016llx RDI 0x%016llx RBP 0x%016llx\n", (unsigned long long)r[REG_RSI],
	       (unsigned long long)r[REG_RDI], (unsigned long long)r[REG_RBP]);
	printf("  CR0 0x%016llx (shadow 0x%llx) CR3 0x%016llx CR4 0x%016llx (shadow 0x%llx)\n",
	       (unsigned long long)vmcs_read(VMCS_GUEST_CR0), (unsigned long long)vmcs_read(VMCS_CR0_READ_SHADOW),
	       (unsigned long long)vmcs_read(VMCS_GUEST_CR3), (unsigned long long)vmcs_read(VMCS_GUEST_CR4),
	       (unsigned long long)vmcs_read(VMCS_CR4_READ_SHADOW));
	printf("  EFER 0x%llx activity %llu interruptibility 0x%llx\n",
	       (unsigned long long)vmcs_read(VMCS_GUEST_IA32_EFER),
	       (unsigned long long)vmcs_read(VMCS_GUEST_ACTIVITY_STATE),
	       (unsigned long long)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO));
	for (unsigned int s = 0; s < ARRAY_SIZE(seg_names); s++)
		printf("  %-4s sel 0x%04llx base 0x%016llx limit 0x%08llx access 0x%05llx\n", seg_names[s],
		       (unsigned long long)vmcs_read(VMCS_GUEST_ES_SELECTOR + 2 * s),
		       (unsigned long long)vmcs_read(VMCS_GUEST_ES_BASE + 2 * s),
		       (unsigned long long)vmcs_read(VMCS_GUEST_ES_LIMIT + 2 * s),
		       (unsigned long long)vmcs_read(VMCS_GUEST_ES_AR_BYTES + 2 * s));
	printf("  GDTR base 0x%016llx limit 0x%llx IDTR base 0x%016llx limit 0x%llx\n",
	       (unsigned long long)vmcs_read(VMCS_GUEST_GDTR_BASE), (unsigned long long)vmcs_read(VMCS_GUEST_GDTR_LIMIT),
	       (unsigned long long)vmcs_read(VMCS_GUEST_IDTR_BASE), (unsigned long long)vmcs_read(VMCS_GUEST_IDTR_LIMIT));
}

/* VMLAUNCH/VMRESUME itself failed (31.4): say why in words and show the
 * fields that error number points at. */
void vmx_entry_failed(struct vcpu *v, int how)
{
	uint64_t err = how == VMX_FAIL_VALID ? vmcs_read(VMCS_VM_INSTRUCTION_ERROR) : 0;

	if (how == VMX_FAIL_INVALID) {
		printf("guest %s: VM entry failed: VMfailInvalid (no valid current VMCS)\n", v->name);
		vmx_stop_guest(v, "VM entry failed: VMfailInvalid");
		return;
	}
	printf("guest %s: VM entry failed: VMfailValid, error %llu: %s\n", v->name,
	       (unsigned long long)err, vmx_instruction_error_name((unsigned int)err));
	if (err == 7)
		dump_controls();
	else if (err == 8)
		dump_host_state();
	else
		vmx_dump_guest_state(v);
	vmx_stop_guest(v, "VM entry failed: error %llu (%s)", (unsigned long long)err,
		       vmx_instruction_error_name((unsigned int)err));
}
