/* guest/run/run.c - running the guests the boot loader brought, one after
 * another, each in a fresh virtual CPU, and reporting how each ended; the
 * run loop that gives the console and the debug shell their turns, and
 * starts a guest again when the shell resets it. */
#include "guest/run/run.h"
#include "guest/load/loader.h"
#include "guest/load/cpu_resume.h"
#include "guest/gmem.h"
#include "guest/gmap.h"
#include "guest/dev/testdev.h"
#include "guest/dev/vuart.h"
#include "guest/dev/isa_irq.h"
#include "guest/dev/debugexit.h"
#include "guest/dev/acpi_pm.h"
#include "guest/dev/acpi_guest.h"
#include "guest/dev/vtd_fw.h"
#include "drivers/iommu/vtd.h"
#include "guest/dev/reset.h"
#include "guest/dev/xapic_wp.h"
#include "guest/exit_stats.h"
#include "guest/run/hypercall.h"
#include "guest/run/exit.h"
#include "guest/run/requests.h"
#include "guest/run/ap_run.h"
#include "guest/run/chain_join.h"
#include "guest/run/chain_done.h"
#include "guest/dev/device.h"
#include "guest/backend.h"
#include "arch/cpuinfo.h"
#include "mm/mtrr_read.h"
#include "drivers/console.h"
#include "lib/format.h"
#include "lib/cmdline.h"
#include "lib/string.h"
#include "mm/malloc.h"
#include "arch/cpu.h"
#include "arch/percpu.h"
#include "arch/tsc.h"

/* One VM, whose guests run one after another. */
static struct vm guest_vm;
static struct mtrr_state host_mtrrs;
static bool firmware_guest;             /* chain mode: the one guest is the resumed firmware */
static bool guest_entered;              /* run_one's guest ran: its first VM entry succeeded */

const struct vm *guests_vm(void)
{
	return guest_vm.stage2_built ? &guest_vm : NULL;
}

struct vcpu *guests_current(void)
{
	return this_cpu.running;        /* per CPU (arch/percpu.h) */
}

/* How often the console is looked at: every millisecond, but not more often
 * than every 2^20 TSC ticks. An exit costs about a thousand instructions, so
 * the bound keeps the cost under 0.1% where the TSC is slow (in Bochs it
 * counts instructions, a few million per emulated second). */
static uint64_t console_tick_tsc(void)
{
	return MAX(tsc_khz(), 1ULL << 20);
}

/* The debug shell's turn (guests_set_console_hook). */
static void (*console_hook)(struct vcpu *v);

void guests_set_console_hook(void (*hook)(struct vcpu *v))
{
	console_hook = hook;
}

/* Typed bytes to the guest's UART or the shell, the UART's character
 * timeout (time passed), and the shell's turn. */
static void console_tick(struct vcpu *v)
{
	(void)console_poll_input();
	(void)vtd_poll_faults(false);
	device_lock();
	vuart_tick();
	device_unlock();
	if (console_hook)
		console_hook(v);
}

/* Runs v until it stops. The console is looked at every tick_tsc: the
 * preemption timer guarantees an exit that often even from a guest spinning
 * with interrupts off or halted; exits for other reasons only check the TSC. */
static void run_loop(struct vcpu *v)
{
	v->next_tick = 0;
	v->state = VCPU_RUNNING;
	v->started_tsc = rdtsc();
	while (v->state == VCPU_RUNNING) {
		guest_requests_check(v);
		/* Another vCPU of the guest stopped it. */
		if (unlikely(v->vm->stopping) && guests_aps_stopped_guest(v))
			break;
		if (guest_held(v)) {
			console_tick(v);
			cpu_relax();
			continue;
		}
		vcpu_run_once(v);
		if (rdtsc() >= v->next_tick || v->step_ended) {
			v->next_tick = rdtsc() + v->tick_tsc;
			console_tick(v);
		}
	}
}

#define MSR_IA32_TME_ACTIVATE   0x982
#define TME_ACTIVATE_LOCKED     (1ULL << 0)
#define TME_ACTIVATE_ENABLED    (1ULL << 1)
#define CPUID7_ECX_TME_EN       (1u << 13)

/* MKTME/TDX KeyID bits at the top of MAXPHYADDR (SDM Vol. 4, IA32_TME_ACTIVATE
 * [35:32], valid once the MSR is locked with TME enabled); 0 without TME. */
static unsigned int tme_keyid_bits(void)
{
	struct cpuid_regs r;
	uint64_t a;

	cpuid(0, 0, &r);
	if (r.eax < 7)
		return 0;
	cpuid(7, 0, &r);
	if (!(r.ecx & CPUID7_ECX_TME_EN))
		return 0;
	a = rdmsr(MSR_IA32_TME_ACTIVATE);
	if ((a & (TME_ACTIVATE_LOCKED | TME_ACTIVATE_ENABLED)) != (TME_ACTIVATE_LOCKED | TME_ACTIVATE_ENABLED))
		return 0;
	return (unsigned int)(a >> 32) & 0xf;
}

/* The guest-physical space: the backend plans how far its stage-2 tables
 * reach for this host's memory map and CPU (MAXPHYADDR less KeyID bits). */
static int plan_guest_space(const struct memmap *host)
{
	struct cpuinfo ci;
	gpa_t end = host->count ? host->ranges[host->count - 1].end : 0;

	cpuinfo_read(&ci);
	return stage2_init(&guest_vm, end, ci.phys_addr_bits, tme_keyid_bits());
}

static int register_test_device(uint64_t base)
{
	struct device_model *d = testdev_create("testdev", base);
	int rc = d ? device_add_mmio(d, base, TESTDEV_SIZE) : -ENOMEM;

	if (!rc)
		printf("testdev: test MMIO device at 0x%llx-0x%llx\n", (unsigned long long)base,
		       (unsigned long long)(base + TESTDEV_SIZE - 1));
	return rc;
}

#define MSR_IA32_APIC_BASE   0x1b
#define APIC_BASE_ADDR_MASK  0x000ffffffffff000ULL
#define VMX_MISC_BIT8        "IA32_VMX_MISC bit 8"

/* How the guest's APs get its INIT and start-up IPIs (apstart=): one line. */
static void choose_ap_start(const struct hv_options *o)
{
	bool wfs = backend_has_wait_for_sipi();
	enum ap_start a = ap_start_resolve(o->ap_start, wfs);

	guest_vm.ap_start_trap = a == AP_START_TRAP;
	if (a == AP_START_SIPI)
		printf("apstart: sipi: APs wait for the guest's INIT and start-up IPIs in VMX "
		       "(wait-for-SIPI state, " VMX_MISC_BIT8 ")%s\n",
		       o->ap_start == AP_START_AUTO ? "" : " (apstart=sipi)");
	else
		printf("apstart: trap: the guest's INIT and start-up IPIs are trapped at the ICR "
		       "(x2APIC MSR, xAPIC page write-protected) and emulated (%s)\n",
		       o->ap_start == AP_START_TRAP ? "apstart=trap" :
		       o->ap_start == AP_START_SIPI ? "apstart=sipi, but no wait-for-SIPI state: "
						      VMX_MISC_BIT8 " clear" :
		       "no wait-for-SIPI state: " VMX_MISC_BIT8 " clear");
}

/* The device models every guest gets, and the ones the command line asks for. */
static int register_devices(const struct boot_info *bi, const struct hv_options *o)
{
	struct acpi_fadt_regs fadt;
	bool have_fadt = !acpi_host_fadt(bi, &fadt);
	int rc = isa_irq_init(bi);

	acpi_guest_map(gmem_map());
	/* The firmware of chain mode may own a unit from before (pre-boot DMA
	 * protection) and poll it: it gets a quiescent unit, not hidden memory.
	 * Any other guest: a unit whose registers it reaches is a unit it can
	 * turn off. */
	if (firmware_guest) {
		if (!rc)
			rc = vtd_fw_register();
	} else if (vtd_hide_registers(gmem_map()) && o->iommu == IOMMU_REQUIRED) {
		printf("hv: iommu=required, but a remapping unit's registers could not be hidden: no guest starts\n");
		return -EPERM;
	}

	if (!rc)
		rc = vuart_init(console_port());
	/* Without the FADT a guest's power-off still works, on the whole machine. */
	if (have_fadt)
		(void)acpi_pm_init(&fadt);
	if (!rc)
		rc = reset_init(have_fadt ? &fadt.reset : NULL);

	/* Before the stage-2 tables are built: every CPU runs on them. With
	 * wait-for-SIPI too, where a CPU of the machine is outside VMX (not
	 * started, cpus=N, VMXON failed): the guest's INIT and start-up IPIs
	 * through the xAPIC ICR would otherwise reach it and run guest code on
	 * it outside VMX; the decoder sends them to the VM's vCPUs only. */
	if (!rc && (guest_vm.ap_start_trap || !guests_all_cpus_in_vmx())) {
		if (!guest_vm.ap_start_trap)
			printf("apstart: a CPU of the MADT is outside VMX: the xAPIC ICR is trapped too "
			       "(INIT and start-up IPIs reach the VM's vCPUs only)\n");
		rc = xapic_wp_init(rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_ADDR_MASK);
	}
	if (!rc && o->debug_exit_port)
		rc = debugexit_init(o->debug_exit_port);
	if (!rc && o->test_mmio)
		rc = register_test_device(o->test_mmio);
	return rc;
}

/* "exits: CPUID 12, VMCALL 40, ..." in decreasing count; an AP's vCPU
 * with its APIC ID. One line, one printf (console lock). */
static void print_exit_counts(const struct vcpu *v)
{
	struct exit_stat st[GUEST_EXIT_COUNT];
	unsigned int order[GUEST_EXIT_COUNT];
	unsigned int n = exit_stats_since(v->exits, NULL, GUEST_EXIT_COUNT, st, order);
	char line[1024];
	size_t k;

	if (v->cpu)
		k = (size_t)fmt_snprintf(line, sizeof(line), "guest %s: APIC ID %u: %u start-ups, exits:",
					 v->name, v->apic_id, v->sipis);
	else
		k = (size_t)fmt_snprintf(line, sizeof(line), "guest %s: exits:", v->name);
	for (unsigned int i = 0; i < n && k < sizeof(line); i++)
		k += (size_t)fmt_snprintf(line + k, sizeof(line) - k, " %s %llu (avg %llu TSC),",
					  guest_exit_name(order[i]),
					  (unsigned long long)st[order[i]].count,
					  (unsigned long long)(st[order[i]].tsc_total / st[order[i]].count));
	if (k < sizeof(line))
		fmt_snprintf(line + k, sizeof(line) - k, " total %llu",
			     (unsigned long long)exit_stats_total(v->exits, GUEST_EXIT_COUNT));
	printf("%s\n", line);
#ifdef HV_VMCS_COUNT
	k = (size_t)fmt_snprintf(line, sizeof(line), "guest %s: unshadowed VMCS accesses per exit:", v->name);
	for (unsigned int i = 0; i < n && k < sizeof(line); i++)
		k += (size_t)fmt_snprintf(line + k, sizeof(line) - k, " %s %llu/%llu,",
					  guest_exit_name(order[i]),
					  (unsigned long long)st[order[i]].unshadowed,
					  (unsigned long long)st[order[i]].count);
	printf("%s\n", line);
#endif
}

/* Loads, runs and reports one guest (restart: not its first start, whose
 * messages about its options are not repeated); true if it is to be
 * started again. */
static bool run_one(const struct boot_info *bi, const struct boot_module *m,
		    const struct boot_module *initrd, unsigned int index, const struct hv_options *o,
		    bool restart, const struct guest_image *given)
{
	static const char *const mode_names[] = { "real", "prot32", "long64", "resume" };
	static struct guest_image g;
	static struct vcpu v;
	const char *cmdline = m ? m->cmdline : "";
	bool again;
	char what[16];

	if (given)
		g = *given;             /* already in memory: the firmware of chain mode */
	else if (loader_load(bi, m, initrd, index, &g))
		return false;
	memset(&v, 0, sizeof(v));
	v.name = g.name;
	v.unmap_once_gpa = INVALID_GPA;
	v.tick_tsc = console_tick_tsc();
	if (vcpu_create(&v, &guest_vm, &g.start)) {
		printf("guest %s: cannot set up its virtual CPU\n", g.name);
		vcpu_destroy(&v);
		return false;
	}
	reset_read_option(&v, cmdline, restart);
	if (cmdline_get(cmdline, "hv.testentry", what, sizeof(what)) >= 0) {
		if (!o->test_hooks) {
			if (!restart)
				printf("guest %s: unknown option hv.testentry (test options need hvtest)\n",
				       g.name);
		} else if (!vcpu_break_for_test(&v, what) && !restart)
			printf("guest %s: unknown hv.testentry=%s (control or guest-state)\n", g.name, what);
	}
	vuart_reset(v.name);
	if (firmware_guest)
		vuart_seed_firmware(v.name);
	printf("guest %s: starting in %s mode at RIP 0x%016llx\n", g.name, mode_names[g.start.mode],
	       (unsigned long long)g.start.rip);
	v.apic_id = percpu_self()->apic_id;
	(void)guests_aps_start(&guest_vm, &v, v.on_reset);
	this_cpu.running = &v;
	guest_vm.vcpu = &v;
	isa_irq_set_vcpu(&v);
	vm_resume_all(&guest_vm);       /* a guest reset while paused starts running */
	run_loop(&v);
	guests_aps_stop(&guest_vm);
	isa_irq_set_vcpu(NULL);
	guest_vm.vcpu = NULL;
	this_cpu.running = NULL;
	if (v.exit_status >= 0)
		printf("guest %s: exited with status %d after %llu VM exits\n", g.name, v.exit_status,
		       (unsigned long long)exit_stats_total(v.exits, GUEST_EXIT_COUNT));
	else
		printf("guest %s: %s\n", g.name, v.stop_reason);
	print_exit_counts(&v);
	guests_aps_report(&guest_vm, print_exit_counts);
	vuart_reset(NULL);
	again = v.reset_requested && !given;     /* nothing to start the firmware again from */
	/* No VM entry succeeded: not one guest instruction ran. */
	guest_entered = v.entered;
	vcpu_destroy(&v);
	/* Before its memory is loaded again or given to the next guest. */
	if (again || v.reset_by_guest)
		reset_busmaster_off(&v);
	if (again)
		printf("guest %s: reset: starting again from its boot module\n", g.name);
	else if (v.reset_by_guest)
		printf("guest %s: not started again (hv.onreset=%s)\n", g.name,
		       reset_action_name((enum reset_action)v.on_reset));
	return again;
}

/* What every guest runs on: the guest-physical space, the APs in VMX, the
 * device models, the stage-2 tables. Returns 0 or a negative error (said). */
static int guests_prepare(const struct boot_info *bi, const struct hv_options *o)
{
	hypercall_enable_test_calls(o->test_hooks);
	mtrr_read_host(&host_mtrrs);
	mtrr_print(&host_mtrrs);
	if (plan_guest_space(mm_host_map()) || gmem_init(mm_host_map(), guest_vm.top))
		return -EINVAL;
	/* Before the devices: whether every CPU is in VMX decides the xAPIC trap. */
	guests_aps_enable_vmx(o);
	/* Chain mode: a join that failed for lack of memory would leave an
	 * AP with the firmware outside VMX; this failure hands back instead. */
	if (guests_chain_reserve())
		return -ENOMEM;
	choose_ap_start(o);
	if (register_devices(bi, o))
		return -EINVAL;
	if (stage2_build(&guest_vm, gmem_map(), &host_mtrrs)) {
		printf("hv: out of memory building the EPT\n");
		return -ENOMEM;
	}
	if (o->print_ept_map) {
		stage2_print(&guest_vm, STAGE2_MAP);
	} else {
		stage2_print(&guest_vm, STAGE2_SPACE);
		stage2_print(&guest_vm, STAGE2_SUMMARY);
	}
	return 0;
}

void guests_run_all(const struct boot_info *bi, const struct hv_options *o)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < bi->module_count; i++)
		n += loader_is_guest_module(&bi->modules[i]);
	if (!n) {
		printf("hv: no guest to run: add a module whose command line starts with 'guest' "
		       "(docs/hypercalls.md)\n");
		return;
	}
	if (guests_prepare(bi, o))
		return;
	for (unsigned int i = 0, k = 0; i < bi->module_count; i++) {
		const struct boot_module *initrd = NULL;

		if (!loader_is_guest_module(&bi->modules[i]))
			continue;
		/* An "initrd" module right after a guest belongs to it. */
		if (i + 1 < bi->module_count && loader_is_initrd_module(&bi->modules[i + 1]))
			initrd = &bi->modules[i + 1];
		for (bool restart = false; run_one(bi, &bi->modules[i], initrd, k, o, restart, NULL);)
			restart = true;
		k++;
	}
	printf("hv: all guests have stopped\n");
}

int guests_run_firmware(const struct boot_info *bi, const struct hv_options *o,
			const struct cpu_resume *r, void (*ready)(void))
{
	static struct guest_image g = { .name = "uefi" };

	firmware_guest = true;
	hypercall_set_chain_done(chain_aps_done);
	g.start = (struct vcpu_start){ .mode = VCPU_MODE_RESUME, .resume = r, .rip = r->rip, .rsp = r->rsp };
	if (guests_prepare(bi, o))
		return -EINVAL;
	if (ready)
		ready();
	guest_entered = false;          /* also where run_one fails before any entry */
	run_one(bi, NULL, NULL, 0, o, false, &g);
	if (!guest_entered)
		return -EINVAL;
	printf("hv: all guests have stopped\n");
	return 0;
}
