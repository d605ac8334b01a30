/* boot/main.c - the boot sequence: from the boot stub's hand-over to a
 * running hypervisor, in the order the subsystems depend on each other. */
#include "boot/info/boot_info.h"
#include "boot/info/mb2.h"
#include "boot/info/efi_handoff.h"
#include "boot/fault_test.h"
#include "boot/percpu_check.h"
#include "boot/smp.h"
#include "drivers/iommu/vtd.h"
#include "drivers/iommu/vtd_fwsim.h"
#include "boot/dma_test.h"
#include "arch/cpu.h"
#include "arch/cpuinfo.h"
#include "arch/mca.h"
#include "arch/percpu.h"
#include "arch/trap.h"
#include "drivers/console.h"
#include "arch/tsc.h"
#include "lib/cmdline.h"
#include "mm/malloc.h"
#include "guest/run/run.h"
#include "guest/load/cpu_resume.h"
#include "lib/string.h"
#include "guest/run/requests.h"
#include "guest/run/ap_run.h"
#include "guest/vm.h"
#include "boot/ap_start.h"
#include "guest/dev/acpi_guest.h"
#include "boot/chain_fail.h"
#include "mm/paging.h"
#include "lib/format.h"
#include "shell/shell.h"
#include "guest/backend.h"

#define DEFAULT_SERIAL_PORT 0x3f8
#define DEFAULT_SERIAL_BAUD 115200

static struct boot_info boot_info;
static struct hv_options options;

void hv_main(uint32_t magic, uint32_t info_pa, uint32_t handoff_pa);

/* Stops cleanly after a problem the operator must fix (bad boot, no memory). */
static __noreturn void boot_stop(void)
{
	printf("hv: system halted.\n");
	cpu_halt_forever();
}

static void print_banner(const struct boot_info *bi)
{
	struct cpuinfo ci;

	cpuinfo_read(&ci);
	printf("\nhv %s - x86-64 hypervisor\n", HV_VERSION);
	printf("command line: %s\n", bi->cmdline[0] ? bi->cmdline : "(empty)");
	if (bi->loader_name[0])
		printf("boot loader: %s\n", bi->loader_name);
	printf("console: serial port 0x%x at %u baud; Ctrl-] switches between the guest and the hv shell\n",
	       console_port(), console_baud());
	printf("CPU: %s family 0x%x model 0x%x stepping %u, %s\n", ci.vendor, ci.family,
	       ci.model, ci.stepping, ci.brand[0] ? ci.brand : "(no brand string)");
	for (unsigned int i = 0; i < bi->module_count; i++)
		printf("module %u: 0x%016llx-0x%016llx %s\n", i, (unsigned long long)bi->modules[i].start,
		       (unsigned long long)(bi->modules[i].end - 1), bi->modules[i].cmdline);
	if (bi->modules_truncated)
		printf("warning: more than %u modules; the rest are ignored\n", BOOT_MODULES_MAX);
	if (bi->rsdp_len)
		printf("ACPI: RSDP revision %u from the boot loader\n", bi->rsdp_revision);
	else
		printf("ACPI: the boot loader gave no RSDP\n");
	if (bi->efi.systab)
		printf("EFI: system table at 0x%llx, memory map of %u descriptors from the boot loader\n",
		       (unsigned long long)bi->efi.systab, bi->efi.mmap_count);
	if (bi->efi.note[0])
		printf("warning: EFI memory map dropped (%s); Linux guests get no EFI\n", bi->efi.note);
	if (bi->fb.type != BOOT_FB_NONE)
		printf("framebuffer: %ux%u %s, %u bpp, pitch %u, at 0x%llx\n", bi->fb.width,
		       bi->fb.height, bi->fb.type == BOOT_FB_EGA_TEXT ? "text" : "pixels",
		       bi->fb.bpp, bi->fb.pitch, (unsigned long long)bi->fb.addr);
}

static void parse_boot_info(uint32_t magic, uint32_t info_pa)
{
	char err[160];
	uint64_t avail;
	uint32_t total;

	if (magic != MB2_BOOTLOADER_MAGIC) {
		printf("hv: not started by a Multiboot2 boot loader (EAX=0x%x, expected 0x%x)\n",
		       magic, MB2_BOOTLOADER_MAGIC);
		boot_stop();
	}
	if (!info_pa || info_pa & 7) {
		printf("hv: Multiboot2 information pointer 0x%x is null or misaligned\n", info_pa);
		boot_stop();
	}
	/* The stub identity-maps [0, 4 GiB): the block is readable up to there. */
	total = *(volatile uint32_t *)(uintptr_t)info_pa;
	avail = MIN((uint64_t)total, (uint64_t)MB2_INFO_MAX);
	avail = MIN(avail, 4 * GiB - info_pa);
	if (mb2_parse((const void *)(uintptr_t)info_pa, (size_t)avail, info_pa, &boot_info,
		      err, sizeof(err))) {
		printf("hv: bad Multiboot2 information at 0x%x: %s\n", info_pa, err);
		boot_stop();
	}
}

/* Chain mode: the firmware goes on as the guest from where it called the core. */
static bool chain_mode;
static struct cpu_resume chain_resume;
static uint8_t chain_fw_gdt[65536];
static uint32_t chain_cpus[EFI_HANDOFF_CPUS_MAX];
static struct efi_handoff handoff;      /* the loader's, copied: its memory is not the core's */

/* A failure the operator must see: in chain mode (once the return point is
 * known) the CPU goes back to the firmware, which boots on without the
 * hypervisor; otherwise the machine halts (boot services are gone). */
static __noreturn void boot_fail(const char *why)
{
	if (chain_fail_armed())
		chain_fail(why);
	boot_stop();
}

/*
 * Chain mode's part of the hand-off, while the early tables still map
 * [0, 4 GiB): the firmware's GDT copied (its segments' hidden parts are
 * rebuilt from it), the resume state built and checked, the pool given to
 * mm, the firmware's CPUs to smp (checked: efi_handoff_check). The modules
 * stay the loader's.
 */
static void take_chain(const struct efi_handoff *h)
{
	size_t gdt_size = (size_t)h->fw.gdtr_limit + 1;
	char err[160];

	if (h->fw.gdtr_base >= 4 * GiB - gdt_size) {
		printf("hv: chain mode: the firmware's GDT at 0x%llx is above 4 GiB\n",
		       (unsigned long long)h->fw.gdtr_base);
		boot_fail("the firmware's GDT is above 4 GiB");
	}
	memcpy(chain_fw_gdt, (const void *)(uintptr_t)h->fw.gdtr_base, gdt_size);
	if (cpu_resume_from_efi(&h->fw, chain_fw_gdt, gdt_size, &chain_resume, err, sizeof(err))) {
		printf("hv: chain mode: cannot resume the firmware: %s\n", err);
		boot_fail("the firmware's CPU state cannot be resumed as a guest");
	}
	boot_info.module_count = 0;
	mm_use_pool(h->pool_start, h->pool_end);
	if (h->acpi_view)
		acpi_guest_use_area(h->acpi_view);
	memcpy(chain_cpus, h->cpu_apic_id, h->cpu_count * sizeof(chain_cpus[0]));
	smp_use_chain_cpus(chain_cpus, h->cpu_count);
	chain_mode = true;
}

/* Chain mode, all prepared, just before the firmware resumes: the view's
 * RSDP (if there is a view) for hv.efi to install in the EFI configuration
 * table, so that the OS reads the view, not the firmware's tables. */
static void chain_ready(void)
{
	uint64_t rsdp = acpi_guest_rsdp();

	chain_out_write(__builtin_offsetof(struct efi_handoff_out, view_rsdp), &rsdp, sizeof(rsdp));
	if (rsdp)
		printf("hv: chain mode: the ACPI view's RSDP at 0x%llx goes to hv.efi for the EFI configuration "
		       "table\n", (unsigned long long)rsdp);
}

/* The UEFI path (boot/entry.asm: efi_entry64): the loader filled a struct
 * boot_info itself; nothing of it is trusted before efi_handoff_check. The
 * entry checked the pointers (non-null, aligned, below 4 GiB, which the
 * early tables identity-map), the handoff's header (so its layout is this
 * core's: it is copied whole), its mode, and its load offset against where
 * the image runs. */
static void take_efi_handoff(uint32_t info_pa, uint32_t handoff_pa)
{
	const struct boot_info *bi = (const void *)(uintptr_t)info_pa;
	const struct efi_handoff_where w = { .bi_pa = info_pa, .h_pa = handoff_pa,
					     .image_start = image_phys_start(), .image_end = image_phys_end() };
	char err[160];

	memcpy(&handoff, (const void *)(uintptr_t)handoff_pa, sizeof(handoff));
	/* The return point is what core_enter recorded: from here a failure
	 * goes back there (boot/chain_fail.c). */
	if (handoff.mode == EFI_HANDOFF_MODE_CHAIN)
		chain_fail_arm(&handoff.fw, handoff_pa);
	if (efi_handoff_check(bi, &handoff, &w, &boot_info, err, sizeof(err))) {
		printf("hv: bad hand-off from the UEFI loader (boot_info at 0x%x, handoff at 0x%x): %s\n",
		       info_pa, handoff_pa, err);
		boot_fail("bad hand-off from the UEFI loader");
	}
	if (handoff.mode == EFI_HANDOFF_MODE_CHAIN)
		take_chain(&handoff);
}

static void apply_console_options(const struct hv_options *o)
{
	if (o->serial_port == console_port() && o->serial_baud == console_baud())
		return;
	if (!console_init(o->serial_port, o->serial_baud))
		printf("warning: no UART answers at port 0x%x; console stays on 0x%x\n",
		       o->serial_port, console_port());
}

/* CPUs the MADT lists that do not run are hidden from the guest (issue 14):
 * it gets copies of the ACPI tables in which they are disabled. In chain
 * mode the APs count as running (they join later); the view is kept even
 * if it changes nothing, so that those that do not join can be disabled in
 * it when hv.efi ends the joining phase (guest/run/chain_done.c). */
static void build_acpi_view(void)
{
	const uint32_t *ids;
	unsigned int n = smp_running(&ids);

	(void)acpi_guest_build(&boot_info, ids, n, vtd_protecting(), chain_mode && n > 1);
}

/* DMA protection (issue 16), before the guest's ACPI view, which leaves the
 * DMAR out where a unit translates. False: iommu=required and not every
 * unit translates (a unit left off lets the devices behind it reach all
 * memory). */
static bool protect_dma(void)
{
	unsigned int units = vtd_probe(&boot_info);

	if (options.iommu == IOMMU_OFF) {
		if (units)
			printf("iommu: iommu=off: translation left off, devices can reach all memory "
			       "(the guest keeps the DMAR)\n");
		return true;
	}
	if (units && options.test_vtd_fw)
		vtd_fwsim_run();
	if (units)
		vtd_protect(options.test_vtd_qi);
	if (options.iommu != IOMMU_REQUIRED || vtd_protecting_all())
		return true;
	if (vtd_protecting())
		printf("iommu: iommu=required: not every remapping unit translates, so the devices "
		       "behind the others can reach all memory\n");
	return false;
}

/* Everything after the boot information is in boot_info: the same for
 * every loader. Not inlined, so that stack traces name it (test_faults.sh). */
static __noinline __noreturn void hv_start(void)
{
	bool dma_ok;

	cmdline_defaults(&options);
	cmdline_parse(boot_info.cmdline, &options);
	apply_console_options(&options);
	print_banner(&boot_info);
	for (unsigned int i = 0; i < options.warning_count; i++)
		printf("warning: command line: %s\n", options.warnings[i]);

	if (mm_init(&boot_info, &options))
		boot_fail("no memory for the hypervisor (above)");
	if (options.test_hooks)
		percpu_check();
	fault_test_run(options.test_fault);
	tsc_calibrate();
	if (!smp_start(&boot_info, &options))
		/* Chain mode only: the APs' blocks could not be made (said). */
		boot_fail("the firmware's CPUs cannot all come under the hypervisor");
	guests_set_machine_cpus(smp_machine_cpus());
	vm_set_sipi_sender(ap_send_sipi);
	vm_set_kicker(vcpu_kick);
	guests_set_ap_waker(ap_wake);
	dma_ok = protect_dma();
	if (options.test_hooks)
		dma_test_run();
	build_acpi_view();      /* without the DMAR where VT-d protects */

	/* The shell, above guest/run, gets its turn on the run loop's console tick. */
	guests_set_console_hook(shell_service);
	if (!dma_ok) {
		if (chain_mode)
			boot_fail("iommu=required, but not every VT-d unit protects memory from DMA");
		printf("hv: iommu=required, but no VT-d unit protects this machine's memory from DMA: "
		       "no guest starts (the shell stays)\n");
	} else if (backend_init(&options) != 0) {
		if (chain_mode)
			boot_fail("VMX cannot be used (above)");
		printf("hv: no guest can run on this machine\n");
	} else if (chain_mode) {
		/* An error only when no VM entry succeeded (not one firmware
		 * instruction ran under VMX): that can still be handed back.
		 * Nothing calls boot_fail while the guest runs. */
		if (guests_run_firmware(&boot_info, &options, &chain_resume, chain_ready) < 0)
			boot_fail("the firmware could not be resumed as the guest (above)");
		chain_fail_disarm();    /* it ran on as the guest: nothing to hand back now */
	} else {
		guests_run_all(&boot_info, &options);
	}
	shell_run();
}

/*
 * Called by both entries in boot/entry.asm: GRUB's (magic = the Multiboot2
 * loader magic, info_pa = its information block, handoff_pa = 0) and a UEFI
 * loader's (magic = EFI_HANDOFF_ENTRY_MAGIC, info_pa = its struct boot_info,
 * handoff_pa = its struct efi_handoff).
 */
void hv_main(uint32_t magic, uint32_t info_pa, uint32_t handoff_pa)
{
	percpu_boot_init();
	/* Chain mode gives the UART back (hand-back) or shows it to the guest
	 * as the firmware programmed it (guest/dev/vuart.c). */
	if (magic == EFI_HANDOFF_ENTRY_MAGIC)
		console_save_firmware(DEFAULT_SERIAL_PORT);
	console_init(DEFAULT_SERIAL_PORT, DEFAULT_SERIAL_BAUD);
	mca_enable();
	if (magic == EFI_HANDOFF_ENTRY_MAGIC)
		take_efi_handoff(info_pa, handoff_pa);
	else
		parse_boot_info(magic, info_pa);       /* reports a wrong magic */
	hv_start();
}
