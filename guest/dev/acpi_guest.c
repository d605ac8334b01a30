/* guest/dev/acpi_guest.c - the guest's view of ACPI (ACPI 6.x, 5.2.5 RSDP,
 * 5.2.5.1 finding it, 5.2.12 MADT): the copies built once at boot in frames
 * of the hypervisor's own, shown read-only where they lie, and the page of
 * the firmware area that holds the RSDP shown as a copy with the RSDP copy
 * in it, so a guest that scans for the RSDP finds the view too. The
 * decisions are pure (drivers/acpi/acpi_view.c); this file moves bytes. */
#include "guest/dev/acpi_guest.h"
#include "boot/info/efi_handoff.h"
#include "drivers/acpi/acpi_host.h"
#include "drivers/acpi/acpi_view.h"
#include "mm/devmem.h"
#include "mm/frame.h"
#include "mm/malloc.h"
#include "mm/paging.h"
#include "drivers/console.h"
#include "lib/string.h"

#define VIEW_ORDER    2                 /* 16 KiB: the RSDP copy, XSDT, RSDT and MADT copies */
#define VIEW_SIZE     (PAGE_SIZE << VIEW_ORDER)
#define LOW_AREA_END  0x100000ULL       /* what the RSDP scan reads: the EBDA and 0xe0000-0xfffff */

static const char owner_view[] = "acpi view";

static struct {
	hpa_t area;                     /* chain mode: the loader's ACPI NVS area for the copies; 0: frames */
	hpa_t tables;                   /* the copies (VIEW_SIZE bytes, RSDP copy first); 0: no view */
	unsigned int rsdp_len;
	uint32_t madt_off;              /* the MADT copy's offset in them; 0: none */
	hpa_t bios_copy;                /* the firmware-area page with the RSDP copy in it; 0: none */
	gpa_t bios_page;                /* the page it stands for */
	bool no_acpi;                   /* the boot loader gave no RSDP: no tables to show or change */
} view;

/* An acpi_read_fn over the first MiB (EBDA, firmware area, holes included):
 * through the device window, as the guest's own reads would go. */
static int low_read(void *ctx, uint64_t pa, void *buf, uint32_t len)
{
	if (pa >= LOW_AREA_END || len > LOW_AREA_END - pa)
		return -EFAULT;
	return devmem_read_span(pa, buf, len) ? -EFAULT : 0;
}

static void drop_view(void)
{
	hpa_t area = view.area;

	if (view.tables && view.tables != area && frame_free(mm_frames(), view.tables, VIEW_ORDER))
		panic("acpi: freeing the guest view's frames failed");
	if (view.bios_copy && frame_free(mm_frames(), view.bios_copy, 0))
		panic("acpi: freeing the guest view's firmware page failed");
	view = (typeof(view)){ 0 };
	view.area = area;
}

void acpi_guest_use_area(hpa_t pa)
{
	view.area = pa;
}

/*
 * The firmware-area page a guest's RSDP scan reads, copied with the RSDP
 * copy where the host's RSDP is. Only the boot loader's own RSDP is
 * replaced: another one there is not what the view was built from.
 */
static void copy_bios_page(const struct boot_info *bi)
{
	uint8_t found[36];
	uint64_t pa;
	hpa_t page;

	if (acpi_rsdp_scan(low_read, NULL, &pa)) {
		printf("acpi: guest view: no RSDP in the firmware area (UEFI?): guests find the copy "
		       "through boot_params only\n");
		return;
	}
	if (low_read(NULL, pa, found, view.rsdp_len) || memcmp(found, bi->rsdp, view.rsdp_len)) {
		printf("acpi: guest view: the RSDP at 0x%llx is not the boot loader's: left as it is "
		       "(guests that scan for it read the host's tables)\n", (unsigned long long)pa);
		return;
	}
	page = frame_alloc_one(mm_frames());
	if (page == INVALID_HPA) {
		printf("acpi: guest view: no memory for a copy of the page at 0x%llx: guests that scan "
		       "for the RSDP read the host's tables\n", (unsigned long long)ALIGN_DOWN(pa, PAGE_SIZE));
		return;
	}
	view.bios_page = ALIGN_DOWN(pa, PAGE_SIZE);
	if (low_read(NULL, view.bios_page, hpa_to_ptr(page), PAGE_SIZE) ||
	    pa + view.rsdp_len > view.bios_page + PAGE_SIZE) {
		/* An RSDP across a page end would need two pages: not seen so far. */
		printf("acpi: guest view: the page of the RSDP at 0x%llx cannot be copied: guests that "
		       "scan for it read the host's tables\n", (unsigned long long)pa);
		if (frame_free(mm_frames(), page, 0))
			panic("acpi: freeing a frame failed");
		view.bios_page = 0;
		return;
	}
	memcpy((uint8_t *)hpa_to_ptr(page) + (pa - view.bios_page), hpa_to_ptr(view.tables), view.rsdp_len);
	view.bios_copy = page;
}

static void print_view(const struct acpi_view *v, bool keep)
{
	if (v->hidden_count) {
		printf("acpi: guest view: MADT copy with %u of %u CPUs enabled (hidden: APIC IDs", v->cpus_left,
		       v->cpus_enabled);
		for (unsigned int i = 0; i < v->hidden_count && i < ACPI_VIEW_MAX_HIDDEN; i++)
			printf(" %u", v->hidden[i]);
		if (v->hidden_count > ACPI_VIEW_MAX_HIDDEN)
			printf(" ... %u in all", v->hidden_count);
		printf(")");
	} else {
		printf("acpi: guest view: all %u CPUs enabled", v->cpus_enabled);
	}
	if (keep)
		printf(" (kept for chain mode: the APs that do not join are disabled in it)");
	if (v->dropped)
		printf(", without the DMAR (the hypervisor owns the IOMMU)");
	printf("; RSDP, %s%s%s copies at 0x%llx%s\n", v->xsdt ? "XSDT" : "", v->xsdt && v->rsdt ? ", " : "",
	       v->rsdt ? "RSDT" : "", (unsigned long long)view.tables,
	       view.area ? " (the loader's ACPI NVS area)" : "");
}

int acpi_guest_build(const struct boot_info *bi, const uint32_t *running, unsigned int count, bool drop_dmar,
		     bool keep)
{
	static const char *const dmar[] = { "DMAR" };
	struct acpi_view_request r = {
		.rsdp = bi->rsdp, .rsdp_len = bi->rsdp_len, .read = acpi_host_read,
		.running = running, .running_count = count,
		.drop = drop_dmar ? dmar : NULL, .drop_count = drop_dmar ? 1 : 0,
	};
	struct acpi_view v;
	char err[160];
	int rc;

	if (!bi->rsdp_len) {
		view.no_acpi = true;
		printf("acpi: guest view: none (the boot loader gave no RSDP)\n");
		return -ENOENT;
	}
	_Static_assert(VIEW_SIZE == EFI_HANDOFF_VIEW_SIZE, "the loader's area holds the view");
	view.tables = view.area ? view.area : frame_alloc_order(mm_frames(), VIEW_ORDER);
	if (view.tables == INVALID_HPA) {
		view.tables = 0;
		printf("acpi: guest view: no memory for the copies: the guest reads the host's tables\n");
		return -ENOMEM;
	}
	memset(hpa_to_ptr(view.tables), 0, VIEW_SIZE);
	r.base = view.tables;
	rc = acpi_view_build(&r, hpa_to_ptr(view.tables), VIEW_SIZE, &v, err, sizeof(err));
	if (rc) {
		printf("acpi: guest view: not built: %s: the guest reads the host's tables%s\n", err,
		       drop_dmar ? " (the DMAR too: its units' registers stay hidden)" : "");
		drop_view();
		return rc;
	}
	keep = keep && v.madt;
	if (!v.hidden_count && !v.dropped && !keep) {
		printf("acpi: guest view: not needed (%u of %u CPUs of the MADT run): the guest reads "
		       "the host's tables\n", v.cpus_left, v.cpus_enabled);
		drop_view();
		return 0;
	}
	view.rsdp_len = v.rsdp_len;
	view.madt_off = v.madt ? (uint32_t)(v.madt - view.tables) : 0;
	print_view(&v, keep);
	copy_bios_page(bi);
	return 0;
}

void acpi_guest_map(struct gmap *g)
{
	int rc;

	if (!view.tables)
		return;
	rc = gmap_register_rom(g, view.tables, view.tables + VIEW_SIZE, view.tables, owner_view);
	if (rc) {
		printf("acpi: guest view: cannot show the copies at 0x%llx (%d): the guest reads the "
		       "host's tables\n", (unsigned long long)view.tables, rc);
		drop_view();
		return;
	}
	if (!view.bios_copy)
		return;
	rc = gmap_register_rom(g, view.bios_page, view.bios_page + PAGE_SIZE, view.bios_copy, owner_view);
	if (rc)
		printf("acpi: guest view: cannot replace the firmware page at 0x%llx (%d): guests that "
		       "scan for the RSDP read the host's tables\n", (unsigned long long)view.bios_page, rc);
	else
		printf("acpi: guest view: the RSDP page at 0x%llx shows the copy (read-only)\n",
		       (unsigned long long)view.bios_page);
}

int acpi_guest_disable_cpus(const uint32_t *ids, unsigned int n)
{
	int rc;

	if (!n)
		return 0;
	if (view.no_acpi) {
		printf("acpi: guest view: none (no ACPI tables): no MADT lists the CPUs that did not join\n");
		return -ENOENT;
	}
	if (!view.tables || !view.madt_off) {
		printf("acpi: guest view: %s: an OS finds the CPUs that did not join enabled in the firmware's "
		       "MADT\n", view.tables ? "no MADT copy" : "none");
		return -ENOENT;
	}
	/* The guest's CPUs see these bytes read-only (GMAP_ROM), but its
	 * devices may write them (the DMA tables map ACPI NVS as RAM): the
	 * parse and the change run on a copy, which cannot change between a
	 * length's check and its use, and the copy goes back whole (review
	 * chain3 finding 5). One caller, once (HC_CHAIN_APS_DONE): static. */
	static uint8_t copy[VIEW_SIZE];
	uint8_t *madt = (uint8_t *)hpa_to_ptr(view.tables) + view.madt_off;
	uint32_t size = VIEW_SIZE - view.madt_off;

	memcpy(copy, madt, size);
	rc = acpi_madt_disable(copy, size, ids, n);
	if (rc >= 0)
		memcpy(madt, copy, size);
	if (rc < 0)
		printf("acpi: guest view: the MADT copy cannot be changed (%d): an OS finds the CPUs that did not "
		       "join enabled in it\n", rc);
	else
		printf("acpi: guest view: MADT copy: %d CPU%s that did not join disabled (checksum fixed)\n", rc,
		       rc == 1 ? "" : "s");
	return rc;
}

gpa_t acpi_guest_rsdp(void)
{
	return view.tables;
}
