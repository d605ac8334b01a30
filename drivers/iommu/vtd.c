/* drivers/iommu/vtd.c - the machine's VT-d remapping units: the DMAR read
 * with the pure parser, then each unit's VER/CAP/ECAP/GSTS registers
 * (VT-d spec rev 5.0, 11.4) through the device window, reported at boot;
 * vtd_protect builds the tables and turns translation on. */
#include "drivers/iommu/vtd.h"
#include "drivers/iommu/vtd_caps.h"
#include "drivers/iommu/vtd_ctx.h"
#include "drivers/iommu/vtd_enable.h"
#include "drivers/iommu/vtd_fault.h"
#include "drivers/iommu/vtd_qi.h"
#include "drivers/iommu/vtd_sl_layout.h"
#include "drivers/acpi/acpi_host.h"
#include "arch/cpu.h"
#include "arch/tsc.h"
#include "mm/devmem.h"
#include "mm/frame.h"
#include "mm/malloc.h"
#include "mm/paging.h"
#include "lib/format.h"
#include "lib/print.h"
#include "lib/string.h"

static struct dmar_info dmar;
static bool dmar_ok;
static struct vtd_unit units[DMAR_MAX_UNITS];
static unsigned int unit_count;

const struct vtd_unit *vtd_units(unsigned int *n)
{
	*n = unit_count;
	return units;
}

const struct dmar_info *vtd_dmar(void)
{
	return dmar_ok ? &dmar : NULL;
}

/* The registers are 32 and 64 bits wide and read as such (11.2: software
 * accesses 64-bit registers as one 64-bit or two 32-bit accesses). */
static bool read_regs(struct vtd_unit *u)
{
	hpa_t base = u->dmar->reg_base;

	return !devmem_read(base + VTD_VER_REG, &u->ver, 4) && !devmem_read(base + VTD_CAP_REG, &u->cap, 8) &&
	       !devmem_read(base + VTD_ECAP_REG, &u->ecap, 8) && !devmem_read(base + VTD_GSTS_REG, &u->gsts, 4);
}

static void print_dmar(void)
{
	printf("iommu: DMAR: %u remapping unit%s, host address width %u bits%s%s%s", dmar.unit_count,
	       dmar.unit_count == 1 ? "" : "s", dmar.haw, dmar.flags & DMAR_INTR_REMAP ? ", interrupt remapping" : "",
	       dmar.flags & DMAR_X2APIC_OPT_OUT ? ", x2APIC opt-out" : "",
	       dmar.flags & DMAR_DMA_CTRL_PLATFORM_OPT_IN ? ", DMA control opt-in" : "");
	if (dmar.rmrr_count || dmar.atsr_count)
		printf(", %u RMRR%s, %u ATSR%s", dmar.rmrr_count, dmar.rmrr_count == 1 ? "" : "s", dmar.atsr_count,
		       dmar.atsr_count == 1 ? "" : "s");
	printf("\n");
	for (unsigned int i = 0; i < dmar.rmrr_count; i++)
		printf("iommu: RMRR 0x%llx-0x%llx (segment %u, %u device%s)\n", (unsigned long long)dmar.rmrr[i].base,
		       (unsigned long long)dmar.rmrr[i].limit, dmar.rmrr[i].segment, dmar.rmrr[i].scopes.count,
		       dmar.rmrr[i].scopes.count == 1 ? "" : "s");
	if (dmar.unknown_types || dmar.scopes_skipped || dmar.rmrr_bad)
		printf("iommu: DMAR: skipped %u structure%s and %u device scope%s of unknown types, %u malformed RMRR%s\n",
		       dmar.unknown_types, dmar.unknown_types == 1 ? "" : "s", dmar.scopes_skipped,
		       dmar.scopes_skipped == 1 ? "" : "s", dmar.rmrr_bad, dmar.rmrr_bad == 1 ? "" : "s");
}

unsigned int vtd_probe(const struct boot_info *bi)
{
	unsigned int ok = 0;
	char err[160], desc[200];
	int rc;

	unit_count = 0;
	dmar_ok = false;
	if (!bi->rsdp_len) {
		printf("iommu: no ACPI tables: no DMA remapping, devices can reach all memory\n");
		return 0;
	}
	rc = acpi_read_dmar(bi->rsdp, bi->rsdp_len, acpi_host_read, NULL, &dmar, err, sizeof(err));
	if (rc == -ENOENT) {
		printf("iommu: machine without DMAR (no VT-d): no DMA remapping, devices can reach all memory\n");
		return 0;
	}
	if (rc) {
		printf("iommu: DMAR unusable (%s): no DMA remapping\n", err);
		return 0;
	}
	dmar_ok = true;
	print_dmar();
	for (unsigned int i = 0; i < dmar.unit_count; i++) {
		struct vtd_unit *u = &units[unit_count++];
		const struct dmar_unit *d = &dmar.unit[i];

		*u = (struct vtd_unit){ .dmar = d };
		u->regs_ok = read_regs(u);
		if (!u->regs_ok || u->ver == 0xffffffffu) {
			u->regs_ok = false;
			fmt_snprintf(u->off, sizeof(u->off), "registers unreadable");
			printf("iommu: unit %u at 0x%llx: registers unreadable\n", i, (unsigned long long)d->reg_base);
			continue;
		}
		ok++;
		printf("iommu: unit %u at 0x%llx (segment %u, %s, %u scope%s): %s\n", i, (unsigned long long)d->reg_base,
		       d->segment, d->include_pci_all ? "all other devices" : "listed devices", d->scopes.count,
		       d->scopes.count == 1 ? "" : "s", vtd_describe(desc, sizeof(desc), u->ver, u->cap, u->ecap));
		u->reg_pages = vtd_reg_pages(d->reg_pages, u->cap, u->ecap);
		if (u->reg_pages > d->reg_pages)
			printf("iommu: unit %u: registers span %u pages, past the DRHD's %u (fault records end at 0x%x, "
			       "IOTLB registers at 0x%x)\n", i, u->reg_pages, d->reg_pages,
			       VTD_CAP_FRO(u->cap) + VTD_FRCD_SIZE * VTD_CAP_NFR(u->cap), VTD_ECAP_IRO(u->ecap));
		if (u->gsts & (VTD_GSTS_TES | VTD_GSTS_IRES))
			printf("iommu: unit %u: firmware left %s on\n", i,
			       u->gsts & VTD_GSTS_TES ? (u->gsts & VTD_GSTS_IRES ? "translation and interrupt remapping"
										 : "translation")
						       : "interrupt remapping");
	}
	return ok;
}

#define VTD_FLUSH_MAX         4096u      /* table pages remembered for clflush */
#define VTD_DID               1

static struct gmap dma_map;             /* the host map as the guest map's base layer sees it */
static struct pt_run dma_runs[GMAP_MAX_RANGES + DMAR_MAX_RMRRS];
static hpa_t table_pages[VTD_FLUSH_MAX];
static unsigned int table_count;
static bool table_overflow;

static void *vtd_alloc_table(void *ctx, hpa_t *pa)
{
	void *p;

	*pa = frame_alloc_one(mm_frames());
	if (*pa == INVALID_HPA)
		return NULL;
	p = hpa_to_ptr(*pa);
	memset(p, 0, PAGE_SIZE);
	if (table_count < VTD_FLUSH_MAX)
		table_pages[table_count++] = *pa;
	else
		table_overflow = true;
	return p;
}

static void *vtd_table_ptr(void *ctx, hpa_t pa)
{
	return hpa_to_ptr(pa);
}

static const struct pt_mem vtd_mem = { .alloc_table = vtd_alloc_table, .table_ptr = vtd_table_ptr };

/* Leaves unit i off: prints "iommu: unit i: <why>: translation off" and
 * keeps why for the shell. */
static void __printf(2, 3) unit_off(unsigned int i, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(units[i].off, sizeof(units[i].off), fmt, ap);
	va_end(ap);
	printf("iommu: unit %u: %s: translation off\n", i, units[i].off);
}

/* Which invalidation a unit gets: register-based where it has it, queued
 * where it has none (major version 6 on, 6.5), where firmware left QI on
 * (register-based invalidation is refused then, 6.5) or with testvtd=qi.
 * NULL: register-based; else why queued. */
static const char *qi_reason(const struct vtd_unit *u, uint32_t gsts, bool force_qi)
{
	if (!(u->ecap & VTD_ECAP_QI))
		return NULL;
	if (!vtd_has_register_invalidation(u->ver))
		return "the unit has no register-based invalidation (version 6 or later)";
	if (gsts & VTD_GSTS_QIES)
		return "firmware left it on";
	if (force_qi)
		return "testvtd=qi";
	return NULL;
}

static void flush_tables(void)
{
	for (unsigned int i = 0; i < table_count; i++)
		for (unsigned int off = 0; off < PAGE_SIZE; off += 64)
			clflush((const uint8_t *)hpa_to_ptr(table_pages[i]) + off);
	mfence();
}

/* The guest map's base layer over the host map, as guest/gmem.c makes it
 * (no registrations: they never add RAM). */
static int build_dma_map(void)
{
	const struct memmap *m = mm_host_map();
	gpa_t end = m->count ? m->ranges[m->count - 1].end : 0;

	return gmap_init(&dma_map, m, MAX(4 * GiB, ALIGN_UP(end, PAGE_SIZE_1G)));
}

/* No unit can translate: each gets why, for the shell. */
static void all_off(const char *why)
{
	printf("iommu: no DMA remapping: %s\n", why);
	for (unsigned int i = 0; i < unit_count; i++)
		if (!units[i].off[0])
			fmt_snprintf(units[i].off, sizeof(units[i].off), "%s", why);
}

/* The RMRRs to map: each one over the hypervisor's memory is left out with
 * a line naming the devices it was for (they may fault there), rather than
 * leaving every unit, and so every device, unprotected. */
static unsigned int rmrrs_to_map(struct vtd_range *extra)
{
	unsigned int n = 0;
	char err[160], devs[160];

	for (unsigned int i = 0; i < dmar.rmrr_count; i++) {
		struct vtd_range r = { dmar.rmrr[i].base, dmar.rmrr[i].limit + 1 };

		if (vtd_range_check(&dma_map, r, err, sizeof(err))) {
			printf("iommu: %s; its devices (%s) may fault there, everything else stays protected\n", err,
			       dmar_scopes_format(devs, sizeof(devs), &dmar, dmar.rmrr[i].scopes));
			continue;
		}
		extra[n++] = r;
	}
	return n;
}

unsigned int vtd_protect(bool force_qi)
{
	struct vtd_range extra[DMAR_MAX_RMRRS];
	unsigned int on = 0, bits = 32, nextra;
	char err[160], ram[32];
	int n;

	if (!unit_count)
		return 0;
	for (unsigned int i = 0; i < unit_count; i++) {
		if (units[i].regs_ok)
			vtd_quiesce(&units[i], i);
		else
			fmt_snprintf(units[i].off, sizeof(units[i].off), "registers unreadable");
	}
	if (build_dma_map()) {
		all_off("the memory map does not fit a guest map");
		return 0;
	}
	nextra = rmrrs_to_map(extra);
	n = vtd_sl_layout(&dma_map, extra, nextra, 64, dma_runs, ARRAY_SIZE(dma_runs), err, sizeof(err));
	if (n <= 0) {
		all_off(n ? err : "no RAM to map");
		return 0;
	}
	while (bits < 64 && dma_runs[n - 1].va + dma_runs[n - 1].size > (1ULL << bits))
		bits++;
	for (unsigned int i = 0; i < unit_count; i++) {
		struct vtd_unit *u = &units[i];
		unsigned int levels = vtd_sl_levels_for(u->cap, bits);
		struct vtd_sl_format f = vtd_sl_format_from_caps(u->cap, u->ecap, levels);
		struct vtd_sl sl;
		struct vtd_ctx c;
		struct pt_stats st;
		const char *why, *queued;

		if (!u->regs_ok)
			continue;
		if ((why = vtd_unusable_reason(u->ver, u->cap, u->ecap))) {
			unit_off(i, "%s", why);
			continue;
		}
		if (!levels || VTD_CAP_MGAW(u->cap) < bits) {
			unit_off(i, "no table depth (SAGAW 0x%x, MGAW %u) reaches the %u address bits of RAM",
				 VTD_CAP_SAGAW(u->cap), VTD_CAP_MGAW(u->cap), bits);
			continue;
		}
		if (vtd_sl_init(&sl, &vtd_mem, &f) || vtd_sl_map_runs(&sl, dma_runs, (unsigned int)n) ||
		    vtd_ctx_build(&c, &vtd_mem, &sl, VTD_DID)) {
			unit_off(i, "no memory for its tables");
			continue;
		}
		if (!(u->ecap & VTD_ECAP_C)) {
			if (table_overflow) {
				unit_off(i, "more than %u table pages to flush", VTD_FLUSH_MAX);
				continue;
			}
			flush_tables();
		}
		queued = qi_reason(u, vtd_rd32(u, VTD_GSTS_REG), force_qi);
		why = vtd_enable(u, i, c.root_pa, queued != NULL);
		if (why) {
			unit_off(i, "%s", why);
			continue;
		}
		u->queued = queued != NULL;
		if (queued)
			printf("iommu: unit %u: queued invalidation: %s; %u-entry queue at 0x%llx, global context-cache "
			       "and IOTLB invalidation%s, each completed by an invalidation wait's status write\n", i,
			       queued, u->qi_entries, (unsigned long long)u->qi_pa,
			       u->cap & (VTD_CAP_DRD | VTD_CAP_DWD) ? " (draining reads and writes)" : "");
		else
			printf("iommu: unit %u: register-based invalidation: global context-cache (CCMD) and IOTLB "
			       "(at 0x%x)%s\n", i, VTD_ECAP_IRO(u->ecap) + 8,
			       u->cap & (VTD_CAP_DRD | VTD_CAP_DWD) ? " invalidation, draining reads and writes"
								      : " invalidation");
		u->translating = true;
		u->off[0] = '\0';
		u->root_pa = c.root_pa;
		on++;
		vtd_sl_stats(&sl, &st);
		fmt_size(ram, sizeof(ram), st.mapped);
		printf("iommu: unit %u: translation on: every device in domain %u, %s of RAM%s mapped identity in "
		       "%u-level tables (%u x 1G, %u x 2M, %u x 4K; %u table pages, minimum %u, + root and context)%s\n",
		       i, VTD_DID, ram, nextra ? " and RMRRs" : "", levels, st.leaves[3], st.leaves[2],
		       st.leaves[1], sl.tables_used, vtd_sl_min_tables(dma_runs, (unsigned int)n, &f),
		       u->ecap & VTD_ECAP_C ? "" : ", flushed (walks do not snoop)");
	}
	return on;
}

void vtd_unprotect(void)
{
	char done[400];

	for (unsigned int i = 0; i < unit_count; i++) {
		struct vtd_unit *u = &units[i];
		const char *why;

		if (!u->translating)
			continue;
		why = vtd_give_back(u, i, done, sizeof(done));
		u->translating = false;
		if (why)
			printf("iommu: unit %u: given back: %s\n", i, why);
		else
			printf("iommu: unit %u: given back as the firmware had it: %s\n", i, done);
	}
}

bool vtd_protecting(void)
{
	for (unsigned int i = 0; i < unit_count; i++)
		if (units[i].translating)
			return true;
	return false;
}

bool vtd_protecting_all(void)
{
	for (unsigned int i = 0; i < unit_count; i++)
		if (!units[i].translating)
			return false;
	return unit_count > 0;
}

static const char owner_iommu[] = "iommu";

int vtd_hide_registers(struct gmap *g)
{
	int failed = 0;

	if (!vtd_protecting())
		return 0;
	for (unsigned int i = 0; i < unit_count; i++) {
		struct vtd_unit *u = &units[i];
		unsigned int pages = u->reg_pages ? u->reg_pages : u->dmar->reg_pages;
		hpa_t base = u->dmar->reg_base, end = base + (uint64_t)pages * PAGE_SIZE;
		int rc = gmap_register(g, base, end, GMAP_HIDDEN, owner_iommu, NULL);

		u->hidden = !rc;
		if (rc) {
			failed = -EPERM;
			printf("iommu: unit %u: cannot hide its registers 0x%llx-0x%llx from the guest (%d): the guest "
			       "could turn DMA remapping off\n", i, (unsigned long long)base,
			       (unsigned long long)(end - 1), rc);
		} else {
			printf("iommu: unit %u: registers 0x%llx-0x%llx hidden from the guest\n", i,
			       (unsigned long long)base, (unsigned long long)(end - 1));
		}
	}
	return failed;
}

static struct vtd_fault_log fault_log;

const struct vtd_fault_log *vtd_faults(void)
{
	return &fault_log;
}

/* One unit's records, from FSTS.FRI round the NFR records (11.4.14: software
 * reads from FRI until a record with F clear, clearing each F it read). */
static unsigned int poll_unit(unsigned int i)
{
	struct vtd_unit *u = &units[i];
	uint32_t fsts = vtd_rd32(u, VTD_FSTS_REG);
	unsigned int nfr = VTD_CAP_NFR(u->cap), fro = VTD_CAP_FRO(u->cap), found = 0;
	char line[200];

	if (fsts == ~0u || !(fsts & (VTD_FSTS_PPF | VTD_FSTS_PFO)))
		return 0;
	for (unsigned int k = 0, r = VTD_FSTS_FRI(fsts) % nfr; k < nfr; k++, r = (r + 1) % nfr) {
		unsigned int off = fro + r * VTD_FRCD_SIZE;
		uint64_t hi = vtd_rd64(u, off + 8), lo;
		struct vtd_fault f;

		if (hi == ~0ULL || !(hi & VTD_FRCD_HI_F))
			break;
		lo = vtd_rd64(u, off);
		(void)vtd_fault_decode(lo, hi, i, &f);
		vtd_wr32(u, off + 12, (uint32_t)(VTD_FRCD_HI_F >> 32));      /* F is RW1C; the rest read-only */
		u->faults++;
		found++;
		vtd_fault_log_add(&fault_log, &f);
		printf("%s\n", vtd_fault_format(line, sizeof(line), &f));
	}
	if (fsts & VTD_FSTS_PFO) {
		vtd_wr32(u, VTD_FSTS_REG, VTD_FSTS_PFO);
		u->overflows++;
		printf("iommu: unit %u: fault records overflowed: faults after these were not recorded\n", i);
	}
	return found;
}

unsigned int vtd_poll_faults(bool force)
{
	static uint64_t next;
	unsigned int found = 0;
	uint64_t now = rdtsc();

	if (!force && now < next)
		return 0;
	next = now + tsc_khz();         /* a millisecond */
	for (unsigned int i = 0; i < unit_count; i++)
		if (units[i].regs_ok)
			found += poll_unit(i);
	return found;
}

uint32_t vtd_read_gsts(unsigned int i)
{
	return i < unit_count && units[i].regs_ok ? vtd_rd32(&units[i], VTD_GSTS_REG) : ~0u;
}

uint32_t vtd_read_fectl(unsigned int i)
{
	return i < unit_count && units[i].regs_ok ? vtd_rd32(&units[i], VTD_FECTL_REG) : ~0u;
}
