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
 * An AP that fails after its entry goes back to the firmware: what the
 * core changed is undone (VMXOFF and CR4.VMXE; the firmware's control
 * registers, EFER, PAT, GDT, IDT, TR, segments and stack, as core_ap_enter
 * recorded them: boot/chain_return.asm, the boot CPU's hand-back) and the
 * procedure's call returns EFI_AP_E_CORE. Parking it in the hypervisor
 * instead would hang the machine: in VMX root operation INIT is blocked
 * (SDM Vol. 3C, 24.8), and EDK II's MpInitLib resets its APs with
 * INIT-SIPI-SIPI (on a StartupAllAPs timeout, at ExitBootServices) and
 * waits for each without a limit. Such an AP is then the firmware's,
 * outside VMX: it can reach all memory, the hypervisor's included, so the
 * console says loudly that isolation does not hold, and the status word
 * tells hv.efi. hv.efi checks every AP before the boot CPU enters (VMX
 * usable, the state resumable, 4-level paging: boot/efi/chain_aps.c), and
 * everything a join allocates is taken before the firmware runs as the
 * guest (guests_chain_reserve; a failure there hands the boot CPU back),
 * so a failure here is rare: a CPU unlike its check, or the guest
 * stopping. Only if VMXOFF itself fails is the AP parked.
 */
#include "boot/chain_ap.h"
#include "boot/chain_fail.h"
#include "boot/info/efi_handoff.h"
#include "arch/cpu.h"
#include "arch/mca.h"
#include "arch/msr.h"
#include "arch/percpu.h"
#include "guest/load/cpu_resume.h"
#include "guest/run/chain_join.h"
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

_Static_assert(EFI_HANDOFF_CPUS_MAX == 64, "boot/chain_return.asm has RET_SLOTS = 64 slots");

/* Only where going back is impossible (VMXOFF failed): the AP stays here
 * for good, halted in VMX root operation, where INIT is blocked (24.8): the
 * firmware's next INIT-SIPI-SIPI to it will not be answered. */
static __noreturn void park(volatile int32_t *status, const struct percpu *pc, const char *why)
{
	__atomic_store_n(status, EFI_AP_S_PARKED, __ATOMIC_RELEASE);
	printf("cpu: APIC ID %u: chain mode: %s: parked in the hypervisor (VMX root operation: INIT is "
	       "blocked; the firmware cannot reset this CPU)\n", pc->apic_id, why);
	cpu_halt_forever();
}

/* The join failed: out of VMX, back to the firmware's procedure as
 * core_ap_enter left it, with RAX = EFI_AP_E_CORE. */
static __noreturn void give_back(struct percpu *pc, hpa_t ap_pa, unsigned int index,
				 volatile int32_t *status, const char *why)
{
	/* Offline first: from here no cross-CPU request (a stage-2 flush, the
	 * shell's pause) sends it an NMI, which on the way back (the early
	 * tables, the firmware's IDT) would be a triple fault or the
	 * firmware's dead loop. One sent before this store lands while the
	 * AP still runs on the hypervisor's IDT: during the lines below,
	 * which also come before VMXOFF so that the AP leaves the hypervisor
	 * right after the last lock it takes (review chain3 findings 1, 2). */
	__atomic_store_n(&pc->online, false, __ATOMIC_SEQ_CST);
	printf("cpu: APIC ID %u: chain mode: %s: given back to the firmware outside VMX\n", pc->apic_id,
	       why);
	printf("cpu: APIC ID %u: WARNING: not under the hypervisor: the firmware's and the OS's code on "
	       "this CPU can reach all memory, the hypervisor's included; isolation does not hold\n",
	       pc->apic_id);
	if (guests_chain_ap_leave(pc))
		park(status, pc, "VMXOFF failed");
	__atomic_store_n(status, EFI_AP_S_RETURNED, __ATOMIC_RELEASE);
	/* The block is below 4 GiB (efi_ap_entry64 checked): the early tables
	 * and the firmware's identity-map it. */
	chain_return_to_firmware(ap_pa + __builtin_offsetof(struct efi_ap_handoff, fw), EFI_AP_E_CORE,
				 index);
}

/* The join's last step: the status word NONE -> JOINED, unless hv.efi
 * stopped waiting for this AP (ABANDONED): then it must not join, so that
 * hv.efi's count stays exact (boot/info/efi_handoff.h, efi_ap_status). */
static bool claim_joined(void *ctx)
{
	volatile int32_t *status = ctx;
	int32_t none = EFI_AP_S_NONE;

	return __atomic_compare_exchange_n(status, &none, EFI_AP_S_JOINED, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

void chain_ap_main(hpa_t ap_pa, unsigned int index)
{
	struct percpu *pc = chain_pc[index];
	static volatile int32_t no_status[EFI_HANDOFF_CPUS_MAX];
	volatile int32_t *status = &no_status[index];
	struct cpu_resume *r = &chain_resume[index];
	struct efi_ap_handoff *a;
	struct efi_cpu_state fw;
	struct vcpu_start start;
	size_t gdt_size;
	const char *why;
	char err[160];

	/* First: the firmware's IDT is still loaded, and on the hypervisor's
	 * tables it may not even be mapped, so an exception or NMI before
	 * this would end in a triple fault. Until here the path (entry.asm's
	 * chain_ap_high, these loads from the image) touches only the image
	 * and this AP's run stack, which the hypervisor's tables map. */
	percpu_start(pc);
	/* The loader's block (EfiLoaderData) is RAM the direct map covers
	 * (mm/paging.c paging_map_ram); the firmware's GDT need not be: the
	 * block holds the AP's copy. The walk runs on the hypervisor's IDT. */
	a = (void *)(uintptr_t)paging_ram_ptr(ap_pa, sizeof(*a));
	if (a)
		status = &a->status;
	write_cr0(host.cr0);
	write_cr4(host.cr4);
	wrmsr(MSR_IA32_EFER, host.efer);
	wrmsr(MSR_IA32_PAT, host.pat);
	(void)mca_enable();
	if (guests_chain_ap_vmx(pc, &why)) {
		fmt_snprintf(err, sizeof(err), "VMX: %s", why);
		give_back(pc, ap_pa, index, status, err);
	}
	if (!a)
		give_back(pc, ap_pa, index, status, "its hand-off block is not in RAM the hypervisor maps");
	fw = a->fw;
	gdt_size = (size_t)fw.gdtr_limit + 1;
	if (percpu_read_apic_id() != pc->apic_id) {
		fmt_snprintf(err, sizeof(err), "it reads its APIC ID as %u, not the ID listed at index %u",
			     percpu_read_apic_id(), index);
		give_back(pc, ap_pa, index, status, err);
	}
	if (gdt_size > sizeof(a->gdt))
		give_back(pc, ap_pa, index, status, "its GDT is larger than the copy in its hand-off block");
	if (cpu_resume_from_efi(&fw, a->gdt, gdt_size, r, err, sizeof(err)))
		give_back(pc, ap_pa, index, status, err);
	start = (struct vcpu_start){ .mode = VCPU_MODE_RESUME, .resume = r, .rip = r->rip, .rsp = r->rsp };
	(void)guests_chain_ap_join(pc, &start, claim_joined, (void *)(uintptr_t)status, &why);
	fmt_snprintf(err, sizeof(err), "its virtual CPU did not join the guest (%s)", why);
	give_back(pc, ap_pa, index, status, err);
}
