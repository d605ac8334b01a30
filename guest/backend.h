/* guest/backend.h - everything generic code may ask of the hardware
 * virtualization backend (vmx/ today, an SVM backend later): enabling it on
 * this CPU, a VM's stage-2 page tables, creating and running vCPUs, the exit
 * that ends each run, the guest's registers, events, single steps and dumps.
 *
 * Link-time interface: exactly one backend is linked (every vmx/ file together implements
 * every function here), so calls are direct and the small ones can stay
 * cheap on the exit path; no ops struct, no indirect call per exit. A build
 * with SVM would link svm/ instead; if one image ever has to carry both, an
 * ops struct with these same signatures can be put in front of them.
 *
 * Rules: generic code (everything outside vmx/) includes this header and
 * never a vmx/ one; the backend includes generic headers and calls generic
 * code freely (guest/run/exit.h: the generic exit handlers). */
#ifndef GUEST_BACKEND_H
#define GUEST_BACKEND_H

#include "guest/vcpu.h"
#include "guest/vm.h"
#include "guest/emul/task_switch.h"
#include "lib/cmdline.h"

struct mtrr_state;
struct percpu;
struct gmap;
struct guest_cpu;
struct guest_features;

/* ---- this CPU ---- */

/* Detects the virtualization extension on this CPU, prints what it found or
 * exactly why it cannot be used, and turns it on (VMX: VMXON). 0 or -errno. */
int __must_check backend_init(const struct hv_options *o);
/* The same on an application processor, after backend_init succeeded on
 * the boot CPU, without printing: the CPU must report the boot CPU's
 * capabilities (the VMCS every vCPU gets is built from those). 0, or
 * -errno with *why saying why in a few words. */
int __must_check backend_init_ap(const struct hv_options *o, const char **why);
/* Chain mode, on the boot CPU after backend_init: takes now what
 * backend_init_ap and the first vCPU on the CPU of block pc will need (VMX:
 * its VMXON region, a VMCS and bitmaps), so that joining cannot fail there
 * for lack of memory. 0 or -ENOMEM. */
int __must_check backend_reserve_ap(struct percpu *pc);
/* Leaves VMX operation on this CPU if backend_init(_ap) entered it (VMX:
 * VMXOFF, CR4.VMXE cleared); chain mode's hand-back to the firmware. 0, or
 * -EIO if the CPU refused (it stays in VMX operation). */
int __must_check backend_off(void);
/* True if a vCPU can wait for SIPI inside the guest (VMX: the wait-for-SIPI
 * activity state, IA32_VMX_MISC bit 8). */
bool backend_has_wait_for_sipi(void);
/* The features in use, in words (the shell's info). */
void backend_print_features(void);
/* True if the CPU gives the hypervisor a timer exit while a guest runs (the
 * console tick: Ctrl-] reaches the shell from any guest). */
bool backend_has_tick(void);
/* The backend's own name of its exit reason vendor_reason (traces, reports). */
const char *backend_exit_name(uint32_t vendor_reason);

/* ---- a VM's stage-2 page tables (EPT; NPT later) ---- */

/* Plans the guest-physical space for a host whose memory map ends at
 * host_end (phys_bits: MAXPHYADDR, keyid_bits: MKTME bits at its top) and
 * sets vm->top; allocates the tables' root state. 0 or -ENOMEM. */
int __must_check stage2_init(struct vm *vm, gpa_t host_end, unsigned int phys_bits,
			     unsigned int keyid_bits);
/* Builds the tables for the guest memory map (memory types from the host's MTRRs). */
int __must_check stage2_build(struct vm *vm, const struct gmap *map, const struct mtrr_state *mtrrs);
/* Brings the tables in line with the memory map over [start, end) (a device
 * model came or went), then flushes what the CPU cached of them. */
int __must_check stage2_update(struct vm *vm, gpa_t start, gpa_t end);
enum stage2_report { STAGE2_MAP, STAGE2_SPACE, STAGE2_SUMMARY };
void stage2_print(const struct vm *vm, enum stage2_report what);
/* The walk for one address, level by level. */
void stage2_print_walk(const struct vm *vm, gpa_t gpa);
/* Test hook (HC_UNMAP_ONCE): unmaps one 4 KiB RAM page (its entry kept in
 * *saved) until stage2_restore_once; -EFAULT if it cannot. */
int __must_check stage2_unmap_once(struct vm *vm, gpa_t page, uint64_t *saved);
void stage2_restore_once(struct vm *vm, gpa_t page, uint64_t saved);
/* (The three changes above invalidate on every CPU, acknowledged, before
 * they return: drivers/ipi.c cpu_request_all_wait.) This CPU's part of that
 * for v's VM: what it cached of the tables is dropped (CPU_REQ_FLUSH_STAGE2). */
void vcpu_flush_stage2(struct vcpu *v);
/* The same round without a change (the shell's `ept flush`): this CPU's
 * INVEPT, every other CPU's, acknowledged; held table pages freed if all
 * answered. Returns the CPUs that did not answer. Under the device lock. */
unsigned int stage2_invalidate_all(const struct vm *vm);

/* ---- vCPUs ---- */

/* Sets up v's backend state (VMX: the VMCS) for vm, in the start state s,
 * with a tick exit every v->tick_tsc. On failure vcpu_destroy() cleans up. */
int __must_check vcpu_create(struct vcpu *v, struct vm *vm, const struct vcpu_start *s);
void vcpu_destroy(struct vcpu *v);
/* Test hook (hv.testentry=): breaks v so that its next entry fails ("control"
 * or "guest-state"); false if `what` is unknown. */
bool vcpu_break_for_test(struct vcpu *v, const char *what);

/*
 * Runs v until its next exit: delivers what is pending (NMIs, 8259
 * interrupts, a requeued event), enters, and describes the exit in *e. The
 * exits only the backend understands (its own reason set: CR access with
 * read shadows, virtualization instructions, interrupt/NMI windows,
 * intercepted exceptions, steps, entry failures, the tick) are handled
 * here too; the generic ones are left to guest/run/exit.c. Returns false
 * if there is no exit to count: VMLAUNCH/VMRESUME itself failed (v
 * stopped), or a request for this CPU came in (arch/cpu_request.h) and v
 * was not entered (the run loop serves it and calls again).
 */
bool vcpu_enter(struct vcpu *v, struct vcpu_exit *e);

/* Exit details, read on demand for the exit just returned by vcpu_enter. */
void vcpu_exit_io(struct vcpu *v, struct exit_io *io);
void vcpu_exit_stage2(struct vcpu *v, struct exit_stage2 *f);

/* GUEST_EXIT_TASK_SWITCH details: why (guest/emul/task_switch.h) and
 * whether an event (an NMI?) went through a task gate; the backend has
 * queued that event again, as for any interrupted delivery. */
struct exit_task_switch {
	struct ts_event ev;
	bool vectored, vectored_nmi;
};
void vcpu_exit_task_switch(struct vcpu *v, struct exit_task_switch *ts);
/* The state a task switch reads and replaces, and the new task's state
 * back (with the PDPTEs its CR3 loaded under PAE paging; STI/MOV-SS
 * blocking ends, the TLB is flushed if CR3 changed). */
void vcpu_read_task_state(struct vcpu *v, struct ts_cpu *t);
void vcpu_write_task_state(struct vcpu *v, const struct ts_cpu *t, const uint64_t pdpte[4]);

/* Completes the exiting instruction: RIP past it, STI/MOV-SS blocking ended,
 * a single-step trap left pending if the guest's RFLAGS.TF was set. */
void vcpu_skip_instruction(struct vcpu *v);
/* The same after the hypervisor emulated an instruction and set RIP itself. */
void vcpu_instruction_completed(struct vcpu *v);
/* Halts v as HLT would (activity state). */
void vcpu_halt(struct vcpu *v);
/* INIT: v gets the register state INIT leaves (SDM Vol. 3A, 10.1.1, Table
 * 10-1) and waits for a start-up IPI (wait-for-SIPI activity state), with
 * no event pending or queued (v->wait_sipi set). Without the activity state
 * (backend_has_wait_for_sipi false) it must not be entered until
 * vcpu_start_up: its run loop holds it (guest/run/ap_run.c). */
void vcpu_init_signal(struct vcpu *v);
/* SIPI: v leaves wait-for-SIPI in real mode at CS:IP = (vector << 8):0, CS
 * base vector << 12, the rest of the state as INIT left it (v->wait_sipi
 * cleared). */
void vcpu_start_up(struct vcpu *v, uint8_t vector);
/* GUEST_EXIT_SIPI details: the start-up vector. */
uint8_t vcpu_exit_sipi_vector(struct vcpu *v);

/* ---- events ---- */

/* Queues a hardware exception for the next entry, as the CPU would deliver
 * it (a second fault during delivery combines into #DF, a third stops v). */
void vcpu_inject_exception(struct vcpu *v, unsigned int vector, uint32_t error_code);
/* How a hardware exception of this vector reaches the guest in its current
 * mode: 1 with an error code, 0 without, -EINVAL if this CPU has no such
 * exception to deliver (NMI, reserved vectors, #CP without CET). */
int vcpu_exception_error_code(struct vcpu *v, unsigned int vector);
/* The guest's CR2 for a #PF about to be injected. */
void vcpu_set_cr2(struct vcpu *v, uint64_t cr2);
/* The event whose delivery the exit interrupted is not delivered again. */
void vcpu_cancel_event(struct vcpu *v);
/* Blocking by NMI (an IRET ends it, an NMI delivered starts it). */
void vcpu_set_nmi_blocked(struct vcpu *v, bool blocked);
/* DR6.BT for the #DB of a task switch into a TSS with the T flag. */
void vcpu_set_dr6_bt(struct vcpu *v);

/* ---- registers ---- */

/* The cached registers (guest/vcpu.h, enum vcpu_reg): one backend read on
 * first use after an exit, one write back after the exit's handling. */
uint64_t vcpu_reg_fetch(struct vcpu *v, enum vcpu_reg r);
void vcpu_regs_flush(struct vcpu *v);

/* The end of an exit's handling: the cached registers and the backend's
 * per-exit state written back where changed. */
void vcpu_exit_done(struct vcpu *v);

static inline uint64_t vcpu_reg(struct vcpu *v, enum vcpu_reg r)
{
	if (!(v->rc.valid & (1u << r))) {
		v->rc.val[r] = vcpu_reg_fetch(v, r);
		v->rc.valid |= 1u << r;
	}
	return v->rc.val[r];
}

static inline void vcpu_set_reg(struct vcpu *v, enum vcpu_reg r, uint64_t val)
{
	v->rc.val[r] = val;
	v->rc.valid |= 1u << r;
	v->rc.dirty |= 1u << r;
}

/* The privilege level and whether the code is 64-bit (IA-32e mode and CS.L). */
unsigned int vcpu_cpl(struct vcpu *v);
bool vcpu_64bit_code(struct vcpu *v);
/* The guest's state for the instruction emulator and page walks: all of it
 * (vcpu_read_cpu), or what every emulation needs (vcpu_read_cpu_core:
 * registers, mode, control registers, CPL; CS outside 64-bit mode) and the
 * rest when it turns out to be needed: the base and limit of the segments
 * in segs (bit 1 << enum insn_seg; those already read are skipped) and the
 * PAE PDPTE registers. Under nested virtualization most segment fields and
 * the PDPTEs are VMCS fields the outer hypervisor does not shadow. */
void vcpu_read_cpu(struct vcpu *v, struct guest_cpu *c);
void vcpu_read_cpu_core(struct vcpu *v, struct guest_cpu *c);
/* vcpu_read_cpu_core in two: the mode, RIP, control registers and CPL
 * (what finds a kept instruction), then the GPRs, RSP and RFLAGS. */
void vcpu_read_cpu_key(struct vcpu *v, struct guest_cpu *c);
void vcpu_read_cpu_regs(struct vcpu *v, struct guest_cpu *c);
void vcpu_read_cpu_segs(struct vcpu *v, struct guest_cpu *c, unsigned int segs);
void vcpu_read_cpu_pdptes(struct vcpu *v, struct guest_cpu *c);
/* True if v's guest is halted (activity state HLT, SDM Vol. 3C 25.4.2);
 * on v's own CPU, like every VMCS read. */
bool vcpu_halted(struct vcpu *v);
/* What the guest may use (CPUID and MSR policy, guest/policy/features.h). */
const struct guest_features *vcpu_features(struct vcpu *v);
/* The MSRs the backend keeps: the TSC ones (TSC offset, TSC_ADJUST,
 * TSC_DEADLINE) and IA32_DEBUGCTL. False: #GP. */
bool vcpu_tsc_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
bool vcpu_tsc_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);
void vcpu_set_debugctl(struct vcpu *v, uint64_t val);

/* ---- the debug shell ---- */

/* Arms a single step; the first exit after it ends it (vcpu_step_end, by the
 * run loop). -ENOTSUP if the CPU cannot, -EBUSY if the guest steps itself. */
int __must_check vcpu_single_step(struct vcpu *v);
void vcpu_step_end(struct vcpu *v, enum guest_exit reason);
/* The guest's registers, control registers and segments, decoded. */
void vcpu_print_regs(struct vcpu *v);
/* The backend's per-guest control structure (the VMCS): all fields grouped,
 * or one by name; -ENOENT for an unknown name. */
int __must_check vcpu_print_hw_state(struct vcpu *v, const char *field);
/* A short register dump for a guest that stops (triple fault, bad exit). */
void vcpu_dump_state(struct vcpu *v);

#endif
