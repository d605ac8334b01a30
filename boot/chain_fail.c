/* boot/chain_fail.c - chain mode's hand-back to the firmware after a
 * failure inside the core (see chain_fail.h; docs/architecture.md, "Chain
 * mode"). What the core did to the machine before the firmware's first VM
 * entry, and how it is undone here:
 * - VMXON on this CPU: VMXOFF (no AP is under the hypervisor yet: in chain
 *   mode they come after the firmware's first VM entry, boot/chain_ap.c);
 * - VT-d translation turned on: vtd_unprotect, the firmware's state back;
 * - hvtest's testx2apic (the boot CPU's APIC put in x2APIC mode):
 *   x2apic_test_undo, xAPIC mode and its registers back;
 * - the UART reprogrammed by console_init: its registers as the firmware
 *   left them (uart_state);
 * - GDT, IDT, CR0/CR3/CR4, EFER.NXE, PAT, segments, GS base (per-CPU
 *   block), TR, debug registers: boot/chain_return.asm.
 * Left as they are: IA32_FEATURE_CONTROL, which the core locks with VMX on
 * where the firmware left it unlocked (a lock lasts until reset; it only
 * allows VMX), CR4.MCE (restored with CR4), the PIT's channel 2 (the TSC
 * calibration's; the firmware's timer is channel 0). */
#include "boot/chain_fail.h"
#include "boot/x2apic_test.h"
#include "guest/backend.h"
#include "drivers/iommu/vtd.h"
#include "drivers/console.h"
#include "mm/paging.h"
#include "lib/format.h"
#include "lib/print.h"
#include "lib/string.h"

static struct efi_cpu_state ret_fw;     /* in the image: identity-mapped on the way back */
static hpa_t handoff;
static bool armed;

void chain_fail_arm(const struct efi_cpu_state *fw, hpa_t handoff_pa)
{
	ret_fw = *fw;
	handoff = handoff_pa;
	armed = true;
}

bool chain_fail_armed(void)
{
	return armed;
}

void chain_fail_disarm(void)
{
	armed = false;
}

void chain_out_write(size_t off, const void *buf, size_t n)
{
	hpa_t pa = handoff + __builtin_offsetof(struct efi_handoff, out) + off;

	/* The loader's memory is RAM: identity-mapped before mm_init, in the
	 * direct map after it (mm/paging.c hpa_to_ptr). */
	memcpy(hpa_to_ptr(pa), buf, n);
}

void chain_fail(const char *why)
{
	char reason[sizeof(((struct efi_handoff_out *)0)->reason)];
	uint64_t no_view = 0;

	if (!armed)
		panic("chain_fail while not armed: %s", why);
	printf("hv: chain mode: %s: handing the CPU back to the firmware; the boot goes on without the "
	       "hypervisor\n", why);
	if (backend_off())
		panic("chain mode: VMXOFF failed: the CPU cannot go back to the firmware");
	vtd_unprotect();
	x2apic_test_undo();
	memset(reason, 0, sizeof(reason));
	fmt_snprintf(reason, sizeof(reason), "%s", why);
	chain_out_write(__builtin_offsetof(struct efi_handoff_out, reason), reason, sizeof(reason));
	chain_out_write(__builtin_offsetof(struct efi_handoff_out, view_rsdp), &no_view, sizeof(no_view));
	console_restore_firmware();
	chain_return_to_firmware(image_hpa(&ret_fw), EFI_HANDOFF_E_CORE, 0);
}
