/* boot/chain_ap.c - chain mode's APs (boot/info/efi_handoff.h, struct
 * efi_ap_handoff): the core never sends the firmware's APs INIT or a
 * start-up IPI. EDK II's MpInitLib parks them in a HLT, MWAIT or run loop
 * and wakes them its own way (INIT-SIPI-SIPI in the HLT loop, a write to
 * memory in the others, PcdCpuApLoopMode); a CPU the hypervisor held in
 * wait-for-SIPI would never answer those writes and the firmware would
 * wait for it forever. Instead hv.efi, running as the guest, has the
 * firmware run a procedure on each AP (EFI_MP_SERVICES_PROTOCOL), which
 * captures the AP's state as core_enter does on the boot CPU and enters
 * efi_ap_entry64 (boot/entry.asm); the AP arrives in chain_ap_main, turns
 * VMX on and resumes the firmware's procedure as a vCPU of the running
 * guest (MiniVisor's way of taking the CPUs).
 *
 * An AP cannot fail back: the boot CPU is a guest already, and a CPU left
 * outside VMX sees all memory, the hypervisor's included (the EPT hides it
 * from guests only). hv.efi checks on every AP, before the boot CPU enters,
 * what this path depends on (VMX usable, the state resumable, its APIC ID,
 * 4-level paging: boot/efi/chain_aps.c), and the memory is taken when the
 * boot CPU enters (chain_aps_prepare), so what is left is a fault of the
 * hardware. Then the AP is parked here for good, in VMX root operation
 * where VMXON worked: INIT is blocked there (SDM Vol. 3C, 24.8), so no
 * OS can start it outside VMX; the status word tells hv.efi, which says so.
 */
#include "boot/chain_ap.h"
#include "boot/info/efi_handoff.h"
#include "arch/cpu.h"
#include "arch/mca.h"
#include "arch/msr.h"
#include "arch/percpu.h"
#include "guest/load/cpu_resume.h"
#include "guest/run/ap_run.h"
#include "mm/paging.h"
#include "mm/percpu_alloc.h"
#include "lib/format.h"
#include "lib/print.h"
#include "lib/string.h"

/* Read by efi_ap_entry64 (physical, before the switch: chain_ap_count;
 * then from the upper half: the others). chain_ap_count stays 0 until
 * everything else is written. */
uint32_t chain_ap_count;
uint64_t chain_ap_cr3;
uint64_t chain_ap_stack[EFI_HANDOFF_CPUS_MAX];

static struct percpu *chain_pc[EFI_HANDOFF_CPUS_MAX];
static struct cpu_resume chain_resume[EFI_HANDOFF_CPUS_MAX];
static struct {
	uint64_t cr0, cr4, efer, pat;   /* the boot CPU's, as boot/ap_start.c gives its APs */
} host;

int chain_aps_prepare(const uint32_t *ids, unsigned int n)
{
	if (n > EFI_HANDOFF_CPUS_MAX)
		return -EINVAL;
	for (unsigned int i = 1; i < n; i++) {
		struct percpu *pc = percpu_alloc(i, ids[i]);

		if (!pc) {
			printf("cpus: chain mode: no memory for the per-CPU block of APIC ID %u\n", ids[i]);
			return -ENOMEM;
		}
		chain_pc[i] = pc;
		chain_ap_stack[i] = stack_top(pc->stacks[STACK_RUN].s);
	}
	host.cr0 = read_cr0();
	host.cr4 = read_cr4();
	host.efer = rdmsr(MSR_IA32_EFER);
	host.pat = rdmsr(MSR_IA32_PAT);
	chain_ap_cr3 = read_cr3();
	guests_chain_expect(ids, n);
	__atomic_store_n(&chain_ap_count, n, __ATOMIC_RELEASE);
	return 0;
}

/* The AP stays here for good: in VMX root operation if VMXON worked (INIT
 * blocked), halted, an NMI handled and returning to the HLT. */
static __noreturn void park(volatile int32_t *status, const struct percpu *pc, const char *why,
			    bool in_vmx)
{
	__atomic_store_n(status, EFI_AP_S_PARKED, __ATOMIC_RELEASE);
	printf("cpu: APIC ID %u: chain mode: %s: parked in the hypervisor %s\n", pc->apic_id, why,
	       in_vmx ? "(VMX root operation: INIT is blocked, no OS can start it)" :
	       "outside VMX (an INIT would start it outside the hypervisor)");
	cpu_halt_forever();
}

void chain_ap_main(hpa_t ap_pa, unsigned int index)
{
	struct percpu *pc = chain_pc[index];
	/* The loader's block (EfiLoaderData) is RAM the direct map covers
	 * (mm/paging.c paging_map_ram); the firmware's GDT need not be: the
	 * block holds the AP's copy. */
	struct efi_ap_handoff *a = (void *)(uintptr_t)paging_ram_ptr(ap_pa, sizeof(*a));
	static volatile int32_t no_status;
	volatile int32_t *status = a ? &a->status : &no_status;
	struct cpu_resume *r = &chain_resume[index];
	struct efi_cpu_state fw;
	struct vcpu_start start;
	size_t gdt_size;
	const char *why;
	char err[160];

	percpu_start(pc);
	write_cr0(host.cr0);
	write_cr4(host.cr4);
	wrmsr(MSR_IA32_EFER, host.efer);
	wrmsr(MSR_IA32_PAT, host.pat);
	(void)mca_enable();
	if (guests_chain_ap_vmx(pc, &why)) {
		fmt_snprintf(err, sizeof(err), "VMX: %s", why);
		park(status, pc, err, false);
	}
	if (!a)
		park(status, pc, "its hand-off block is not in RAM the hypervisor maps", true);
	fw = a->fw;
	gdt_size = (size_t)fw.gdtr_limit + 1;
	if (percpu_read_apic_id() != pc->apic_id) {
		fmt_snprintf(err, sizeof(err), "it reads its APIC ID as %u, not the ID listed at index %u",
			     percpu_read_apic_id(), index);
		park(status, pc, err, true);
	}
	if (gdt_size > sizeof(a->gdt))
		park(status, pc, "its GDT is larger than the copy in its hand-off block", true);
	if (cpu_resume_from_efi(&fw, a->gdt, gdt_size, r, err, sizeof(err)))
		park(status, pc, err, true);
	start = (struct vcpu_start){ .mode = VCPU_MODE_RESUME, .resume = r, .rip = r->rip, .rsp = r->rsp };
	(void)guests_chain_ap_join(pc, &start);
	park(status, pc, "no virtual CPU (no memory, or the guest stopped)", true);
}
