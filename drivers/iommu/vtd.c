/* drivers/iommu/vtd.c - the machine's VT-d remapping units: the DMAR read
 * with the pure parser, then each unit's VER/CAP/ECAP/GSTS registers
 * (VT-d spec rev 5.0, 11.4) through the device window, reported at boot;
 * vtd_protect builds the tables and turns translation on. */
#include "drivers/iommu/vtd.h"
#include "drivers/iommu/vtd_caps.h"
#include "drivers/iommu/vtd_ctx.h"
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

#define VTD_GSTS_TES (1u << 31)         /* translation enabled */
#define VTD_GSTS_IRES (1u << 25)        /* interrupt remapping enabled */

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
			printf("iommu: unit %u at 0x%llx: registers unreadable\n", i, (unsigned long long)d->reg_base);
			continue;
		}
		ok++;
		if (devmem_read(d->reg_base + 0x20, &u->fw_rtaddr, 8) || devmem_read(d->reg_base + 0x90, &u->fw_iqa, 8))
			u->fw_rtaddr = u->fw_iqa = 0;
		printf("iommu: unit %u at 0x%llx (segment %u, %s, %u scope%s): %s\n", i, (unsigned long long)d->reg_base,
		       d->segment, d->include_pci_all ? "all other devices" : "listed devices", d->scopes.count,
		       d->scopes.count == 1 ? "" : "s", vtd_describe(desc, sizeof(desc), u->ver, u->cap, u->ecap));
		if (u->gsts & (VTD_GSTS_TES | VTD_GSTS_IRES))
			printf("iommu: unit %u: firmware left %s on\n", i,
			       u->gsts & VTD_GSTS_TES ? (u->gsts & VTD_GSTS_IRES ? "translation and interrupt remapping"
										 : "translation")
						       : "interrupt remapping");
	}
	return ok;
}

/* Registers written to turn translation on (11.4.4 - 11.4.8). */
#define VTD_GCMD_REG   0x18
#define VTD_RTADDR_REG 0x20
#define VTD_CCMD_REG   0x28
#define VTD_GCMD_TE    (1u << 31)
#define VTD_GCMD_SRTP  (1u << 30)
#define VTD_GCMD_WBF   (1u << 27)
#define VTD_GSTS_RTPS  (1u << 30)
#define VTD_GSTS_WBFS  (1u << 27)
#define VTD_GSTS_QIES  (1u << 26)
/* GSTS bits that mirror one-shot commands: never written back to GCMD (11.4.4). */
#define VTD_GSTS_ONE_SHOT ((1u << 30) | (1u << 29) | (1u << 27) | (1u << 24))
#define VTD_CCMD_ICC          (1ULL << 63)
#define VTD_CCMD_CIRG_GLOBAL  (1ULL << 61)
#define VTD_IOTLB_IVT         (1ULL << 63)
#define VTD_IOTLB_IIRG_GLOBAL (1ULL << 60)
#define VTD_IOTLB_DR          (1ULL << 49)
#define VTD_IOTLB_DW          (1ULL << 48)
#define VTD_POLL_LIMIT        10000000u  /* register polls before a command counts as lost */
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

static uint32_t rd32(const struct vtd_unit *u, unsigned int off)
{
	uint32_t v = 0;

	if (devmem_read(u->dmar->reg_base + off, &v, 4))
		return ~0u;
	return v;
}

static uint64_t rd64(const struct vtd_unit *u, unsigned int off)
{
	uint64_t v = 0;

	if (devmem_read(u->dmar->reg_base + off, &v, 8))
		return ~0ULL;
	return v;
}

static void wr32(const struct vtd_unit *u, unsigned int off, uint32_t v)
{
	(void)devmem_write(u->dmar->reg_base + off, &v, 4);
}

static void wr64(const struct vtd_unit *u, unsigned int off, uint64_t v)
{
	(void)devmem_write(u->dmar->reg_base + off, &v, 8);
}

/* Issues a GCMD command: the persistent bits as GSTS has them, plus set
 * (minus clear), then waits until GSTS & mask == want. 0 or -ETIMEDOUT. */
static int gcmd(const struct vtd_unit *u, uint32_t set, uint32_t clear, uint32_t mask, uint32_t want)
{
	uint32_t cmd = (rd32(u, VTD_GSTS_REG) & ~VTD_GSTS_ONE_SHOT & ~clear) | set;

	wr32(u, VTD_GCMD_REG, cmd);
	for (unsigned int i = 0; i < VTD_POLL_LIMIT; i++) {
		if ((rd32(u, VTD_GSTS_REG) & mask) == want)
			return 0;
		cpu_relax();
	}
	return -ETIMEDOUT;
}

/* Writes a 64-bit invalidation command and waits for its busy bit to clear. */
static int invalidate(const struct vtd_unit *u, unsigned int off, uint64_t cmd, uint64_t busy)
{
	wr64(u, off, cmd);
	for (unsigned int i = 0; i < VTD_POLL_LIMIT; i++) {
		if (!(rd64(u, off) & busy))
			return 0;
		cpu_relax();
	}
	return -ETIMEDOUT;
}

/* Queued invalidation (6.5.2): one 4 KiB queue (256 128-bit descriptors)
 * per unit, from the hypervisor's frames, and the dword its invalidation
 * wait descriptors write (the unit's own write: not translated). */
static struct vtd_qi qi_ring[DMAR_MAX_UNITS];
static hpa_t qi_pa[DMAR_MAX_UNITS];
static volatile uint32_t qi_status[DMAR_MAX_UNITS];
static char qi_err[160];

/* Which invalidation a unit gets: register-based where it has it, queued
 * where it has none (major version 6 on, 6.5), where firmware left QI on
 * (register-based invalidation is refused then, 6.5) or with testvtd=qi.
 * NULL: register-based; else why queued. *none: neither is possible. */
static const char *qi_reason(const struct vtd_unit *u, uint32_t gsts, bool force_qi, bool *none)
{
	bool regs = vtd_has_register_invalidation(u->ver), qi = u->ecap & VTD_ECAP_QI;

	*none = !regs && !qi;
	if (!qi)
		return NULL;
	if (!regs)
		return "the unit has no register-based invalidation (version 6 or later)";
	if (gsts & VTD_GSTS_QIES)
		return "firmware left it on";
	if (force_qi)
		return "testvtd=qi";
	return NULL;
}

/* Waits for the firmware's queue to drain and turns QI off, then points
 * IQA at a fresh queue with IQT 0 and turns QI on (GCMD.QIE, GSTS.QIES). */
static const char *qi_start(struct vtd_unit *u, unsigned int i)
{
	struct vtd_qi *q = &qi_ring[i];
	unsigned int k;
	hpa_t pa;

	if (rd32(u, VTD_GSTS_REG) & VTD_GSTS_QIES) {
		for (k = 0; k < VTD_POLL_LIMIT && rd64(u, VTD_IQH_REG) != rd64(u, VTD_IQT_REG); k++)
			cpu_relax();
		if (k == VTD_POLL_LIMIT)
			return "the invalidation queue firmware left on did not drain (IQH never reached IQT)";
		if (gcmd(u, 0, VTD_GCMD_QIE, VTD_GSTS_QIES, 0))
			return "queued invalidation the firmware left on did not turn off";
	}
	if (!q->ring) {
		pa = frame_alloc_one(mm_frames());
		if (pa == INVALID_HPA)
			return "no memory for the invalidation queue";
		q->ring = hpa_to_ptr(pa);
		qi_pa[i] = pa;
		q->entries = vtd_qi_entries(0);
	}
	memset(q->ring, 0, PAGE_SIZE);
	q->tail = 0;
	wr64(u, VTD_IQT_REG, 0);
	wr64(u, VTD_IQA_REG, vtd_qi_iqa(qi_pa[i], 0));
	if (gcmd(u, VTD_GCMD_QIE, 0, VTD_GSTS_QIES, VTD_GSTS_QIES))
		return "queued invalidation did not turn on";
	return NULL;
}

/* Queues d[0..n) and an invalidation wait that writes 1 to the unit's
 * status dword, sets IQT and polls the dword (bounded), watching FSTS for
 * the queue's errors. NULL when the unit wrote the status. */
static const char *qi_run(struct vtd_unit *u, unsigned int i, const struct vtd_qi_desc *d, unsigned int n,
			  const char *what)
{
	struct vtd_qi *q = &qi_ring[i];
	struct vtd_qi_desc all[4];
	uint32_t fsts;

	if (n >= ARRAY_SIZE(all))
		return "too many descriptors at once";
	memcpy(all, d, n * sizeof(*d));
	all[n] = vtd_qi_wait(image_hpa((const void *)&qi_status[i]), 1);
	qi_status[i] = 0;
	if (vtd_qi_put(q, vtd_qi_index(rd64(u, VTD_IQH_REG)), all, n + 1))
		return "the invalidation queue is full";
	/* The unit reads the queue from memory; where its accesses do not
	 * snoop (ECAP.C clear), the descriptors must be there, not in a cache. */
	if (!(u->ecap & VTD_ECAP_C))
		for (unsigned int off = 0; off < PAGE_SIZE; off += 64)
			clflush((const uint8_t *)q->ring + off);
	mfence();
	wr64(u, VTD_IQT_REG, vtd_qi_reg(q->tail));
	for (unsigned int k = 0; k < VTD_POLL_LIMIT; k++) {
		if (qi_status[i] == 1)
			return NULL;
		fsts = rd32(u, VTD_FSTS_REG);
		if (fsts != ~0u && (fsts & (VTD_FSTS_IQE | VTD_FSTS_ICE | VTD_FSTS_ITE))) {
			fmt_snprintf(qi_err, sizeof(qi_err), "the %s failed: invalidation queue %s (FSTS 0x%x, IQH at "
				     "descriptor %u, IQT %u)", what, fsts & VTD_FSTS_IQE ? "error (FSTS.IQE): a "
				     "descriptor was rejected" : "completion or time-out error", fsts,
				     vtd_qi_index(rd64(u, VTD_IQH_REG)), q->tail);
			return qi_err;
		}
		cpu_relax();
	}
	fmt_snprintf(qi_err, sizeof(qi_err), "the %s did not finish: no invalidation wait status after %u polls "
		     "(IQH at descriptor %u, IQT %u)", what, VTD_POLL_LIMIT, vtd_qi_index(rd64(u, VTD_IQH_REG)), q->tail);
	return qi_err;
}

/* Root table, write buffer, caches, translation: the order of 10.4.4 and 6.5.
 * qi: invalidate through the queue (qi_reason). */
static const char *enable(struct vtd_unit *u, unsigned int i, hpa_t root_pa, bool qi)
{
	uint32_t gsts = rd32(u, VTD_GSTS_REG);
	const char *why;

	if ((gsts & VTD_GSTS_QIES) && !qi)
		return "firmware left queued invalidation on, and the unit has no QI capability to go on with";
	if ((gsts & VTD_GSTS_TES) && gcmd(u, 0, VTD_GCMD_TE, VTD_GSTS_TES, 0))
		return "translation the firmware left on did not turn off";
	wr64(u, VTD_RTADDR_REG, root_pa);               /* TTM 00: legacy mode */
	if (gcmd(u, VTD_GCMD_SRTP, 0, VTD_GSTS_RTPS, VTD_GSTS_RTPS))
		return "the root table pointer was not taken";
	if ((u->cap & VTD_CAP_RWBF) && gcmd(u, VTD_GCMD_WBF, 0, VTD_GSTS_WBFS, 0))
		return "the write buffer did not flush";
	if (qi) {
		struct vtd_qi_desc cc = vtd_qi_cc_global(), iotlb = vtd_qi_iotlb_global(u->cap);

		if ((why = qi_start(u, i)) || (why = qi_run(u, i, &cc, 1, "context-cache invalidation")) ||
		    (why = qi_run(u, i, &iotlb, 1, "IOTLB invalidation")))
			return why;
	} else {
		if (invalidate(u, VTD_CCMD_REG, VTD_CCMD_ICC | VTD_CCMD_CIRG_GLOBAL, VTD_CCMD_ICC))
			return "the context-cache invalidation did not finish";
		if (invalidate(u, VTD_ECAP_IRO(u->ecap) + 8, VTD_IOTLB_IVT | VTD_IOTLB_IIRG_GLOBAL |
			       (u->cap & VTD_CAP_DRD ? VTD_IOTLB_DR : 0) | (u->cap & VTD_CAP_DWD ? VTD_IOTLB_DW : 0),
			       VTD_IOTLB_IVT))
			return "the IOTLB invalidation did not finish";
	}
	if (gcmd(u, VTD_GCMD_TE, 0, VTD_GSTS_TES, VTD_GSTS_TES))
		return "translation did not turn on";
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

unsigned int vtd_protect(bool force_qi)
{
	struct vtd_range extra[DMAR_MAX_RMRRS];
	unsigned int on = 0, bits = 32;
	char err[160], ram[32];
	int n;

	if (!unit_count)
		return 0;
	if (build_dma_map()) {
		printf("iommu: no DMA remapping: the memory map does not fit a guest map\n");
		return 0;
	}
	for (unsigned int i = 0; i < dmar.rmrr_count; i++)
		extra[i] = (struct vtd_range){ dmar.rmrr[i].base, dmar.rmrr[i].limit + 1 };
	n = vtd_sl_layout(&dma_map, extra, dmar.rmrr_count, 64, dma_runs, ARRAY_SIZE(dma_runs), err, sizeof(err));
	if (n <= 0) {
		printf("iommu: no DMA remapping: %s\n", n ? err : "no RAM to map");
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
		bool none;

		if (!u->regs_ok)
			continue;
		if (!levels || VTD_CAP_MGAW(u->cap) < bits) {
			printf("iommu: unit %u: no table depth (SAGAW 0x%x, MGAW %u) reaches the %u address bits of RAM: "
			       "translation off\n", i, VTD_CAP_SAGAW(u->cap), VTD_CAP_MGAW(u->cap), bits);
			continue;
		}
		if (vtd_sl_init(&sl, &vtd_mem, &f) || vtd_sl_map_runs(&sl, dma_runs, (unsigned int)n) ||
		    vtd_ctx_build(&c, &vtd_mem, &sl, VTD_DID)) {
			printf("iommu: unit %u: no memory for its tables: translation off\n", i);
			continue;
		}
		if (!(u->ecap & VTD_ECAP_C)) {
			if (table_overflow) {
				printf("iommu: unit %u: more than %u table pages to flush: translation off\n", i,
				       VTD_FLUSH_MAX);
				continue;
			}
			flush_tables();
		}
		queued = qi_reason(u, rd32(u, VTD_GSTS_REG), force_qi, &none);
		if (none) {
			printf("iommu: unit %u: neither register-based (version %u) nor queued invalidation: "
			       "translation off\n", i, (u->ver >> 4) & 0xf);
			continue;
		}
		why = enable(u, i, c.root_pa, queued != NULL);
		if (why) {
			printf("iommu: unit %u: %s: translation off\n", i, why);
			continue;
		}
		u->queued = queued != NULL;
		if (queued)
			printf("iommu: unit %u: queued invalidation: %s; %u-entry queue at 0x%llx, global context-cache "
			       "and IOTLB invalidation%s, each completed by an invalidation wait's status write\n", i,
			       queued, qi_ring[i].entries, (unsigned long long)qi_pa[i],
			       u->cap & (VTD_CAP_DRD | VTD_CAP_DWD) ? " (draining reads and writes)" : "");
		else
			printf("iommu: unit %u: register-based invalidation: global context-cache (CCMD) and IOTLB "
			       "(at 0x%x)%s\n", i, VTD_ECAP_IRO(u->ecap) + 8,
			       u->cap & (VTD_CAP_DRD | VTD_CAP_DWD) ? " invalidation, draining reads and writes"
								      : " invalidation");
		u->translating = true;
		u->root_pa = c.root_pa;
		on++;
		vtd_sl_stats(&sl, &st);
		fmt_size(ram, sizeof(ram), st.mapped);
		printf("iommu: unit %u: translation on: every device in domain %u, %s of RAM%s mapped identity in "
		       "%u-level tables (%u x 1G, %u x 2M, %u x 4K; %u table pages, minimum %u, + root and context)%s\n",
		       i, VTD_DID, ram, dmar.rmrr_count ? " and RMRRs" : "", levels, st.leaves[3], st.leaves[2],
		       st.leaves[1], sl.tables_used, vtd_sl_min_tables(dma_runs, (unsigned int)n, &f),
		       u->ecap & VTD_ECAP_C ? "" : ", flushed (walks do not snoop)");
	}
	return on;
}

void vtd_unprotect(void)
{
	for (unsigned int i = 0; i < unit_count; i++) {
		struct vtd_unit *u = &units[i];
		const char *why = NULL;

		if (!u->translating)
			continue;
		if (gcmd(u, 0, VTD_GCMD_TE, VTD_GSTS_TES, 0))
			why = "translation did not turn off";
		else if (u->gsts & VTD_GSTS_TES) {
			/* The firmware's tables again, invalidated by the means in use
			 * now, then its queue, then its translation. */
			wr64(u, VTD_RTADDR_REG, u->fw_rtaddr);
			if (gcmd(u, VTD_GCMD_SRTP, 0, VTD_GSTS_RTPS, VTD_GSTS_RTPS))
				why = "the firmware's root table pointer was not taken";
			else if (u->queued) {
				struct vtd_qi_desc cc = vtd_qi_cc_global(), iotlb = vtd_qi_iotlb_global(u->cap);

				why = qi_run(u, i, &cc, 1, "context-cache invalidation");
				if (!why)
					why = qi_run(u, i, &iotlb, 1, "IOTLB invalidation");
			} else if (invalidate(u, VTD_CCMD_REG, VTD_CCMD_ICC | VTD_CCMD_CIRG_GLOBAL, VTD_CCMD_ICC) ||
				   invalidate(u, VTD_ECAP_IRO(u->ecap) + 8, VTD_IOTLB_IVT | VTD_IOTLB_IIRG_GLOBAL,
					      VTD_IOTLB_IVT))
				why = "the invalidation did not finish";
		}
		if (!why && u->queued && !(u->gsts & VTD_GSTS_QIES) && gcmd(u, 0, VTD_GCMD_QIE, VTD_GSTS_QIES, 0))
			why = "queued invalidation did not turn off";
		if (!why && u->queued && (u->gsts & VTD_GSTS_QIES)) {
			if (gcmd(u, 0, VTD_GCMD_QIE, VTD_GSTS_QIES, 0))
				why = "queued invalidation did not turn off";
			else {
				wr64(u, VTD_IQT_REG, 0);
				wr64(u, VTD_IQA_REG, u->fw_iqa);
				if (gcmd(u, VTD_GCMD_QIE, 0, VTD_GSTS_QIES, VTD_GSTS_QIES))
					why = "the firmware's queued invalidation did not turn on again";
			}
		}
		if (!why && (u->gsts & VTD_GSTS_TES) && gcmd(u, VTD_GCMD_TE, 0, VTD_GSTS_TES, VTD_GSTS_TES))
			why = "the firmware's translation did not turn on again";
		u->translating = false;
		if (why)
			printf("iommu: unit %u: given back: %s\n", i, why);
		else
			printf("iommu: unit %u: given back as the firmware had it (translation %s)\n", i,
			       u->gsts & VTD_GSTS_TES ? "on, with its tables" : "off");
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

void vtd_hide_registers(struct gmap *g)
{
	if (!vtd_protecting())
		return;
	for (unsigned int i = 0; i < unit_count; i++) {
		hpa_t base = units[i].dmar->reg_base;
		hpa_t end = base + (uint64_t)units[i].dmar->reg_pages * PAGE_SIZE;
		int rc = gmap_register(g, base, end, GMAP_HIDDEN, owner_iommu, NULL);

		if (rc)
			printf("iommu: unit %u: cannot hide its registers at 0x%llx from the guest (%d): the guest "
			       "could turn DMA remapping off\n", i, (unsigned long long)base, rc);
		else
			printf("iommu: unit %u: registers 0x%llx-0x%llx hidden from the guest\n", i,
			       (unsigned long long)base, (unsigned long long)(end - 1));
	}
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
	uint32_t fsts = rd32(u, VTD_FSTS_REG);
	unsigned int nfr = VTD_CAP_NFR(u->cap), fro = VTD_CAP_FRO(u->cap), found = 0;
	char line[200];

	if (fsts == ~0u || !(fsts & (VTD_FSTS_PPF | VTD_FSTS_PFO)))
		return 0;
	for (unsigned int k = 0, r = VTD_FSTS_FRI(fsts) % nfr; k < nfr; k++, r = (r + 1) % nfr) {
		unsigned int off = fro + r * VTD_FRCD_SIZE;
		uint64_t hi = rd64(u, off + 8), lo;
		struct vtd_fault f;

		if (hi == ~0ULL || !(hi & VTD_FRCD_HI_F))
			break;
		lo = rd64(u, off);
		(void)vtd_fault_decode(lo, hi, i, &f);
		wr32(u, off + 12, (uint32_t)(VTD_FRCD_HI_F >> 32));      /* F is RW1C; the rest read-only */
		u->faults++;
		found++;
		vtd_fault_log_add(&fault_log, &f);
		printf("%s\n", vtd_fault_format(line, sizeof(line), &f));
	}
	if (fsts & VTD_FSTS_PFO) {
		wr32(u, VTD_FSTS_REG, VTD_FSTS_PFO);
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
	return i < unit_count && units[i].regs_ok ? rd32(&units[i], VTD_GSTS_REG) : ~0u;
}
