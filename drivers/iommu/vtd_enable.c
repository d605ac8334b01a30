/* drivers/iommu/vtd_enable.c - a remapping unit's command and invalidation
 * registers driven (VT-d spec rev 5.0, 10.4.4 order, 11.4.4 GCMD/GSTS,
 * 11.4.5 CCMD, 11.4.8 IOTLB, 6.5.2 queued invalidation, 11.4.13 PMEN), with
 * TSC deadlines for every wait. */
#include "drivers/iommu/vtd_enable.h"
#include "drivers/iommu/vtd_caps.h"
#include "drivers/iommu/vtd_fault.h"
#include "drivers/iommu/vtd_qi.h"
#include "arch/cpu.h"
#include "arch/tsc.h"
#include "mm/devmem.h"
#include "mm/frame.h"
#include "mm/malloc.h"
#include "mm/paging.h"
#include "lib/format.h"
#include "lib/print.h"
#include "lib/string.h"

#define VTD_GCMD_REG   0x18
#define VTD_RTADDR_REG 0x20
#define VTD_CCMD_REG   0x28
#define VTD_PMEN_REG   0x64             /* 11.4.13: EPM 31 (RW), PRS 0 (RO) */
#define VTD_PMEN_EPM   (1u << 31)
#define VTD_PMEN_PRS   (1u << 0)
#define VTD_GCMD_TE    (1u << 31)
#define VTD_GCMD_SRTP  (1u << 30)
#define VTD_GCMD_WBF   (1u << 27)
#define VTD_GSTS_RTPS  (1u << 30)
#define VTD_GSTS_WBFS  (1u << 27)
/* GSTS bits that mirror one-shot commands: never written back to GCMD (11.4.4). */
#define VTD_GSTS_ONE_SHOT ((1u << 30) | (1u << 29) | (1u << 27) | (1u << 24))
#define VTD_CCMD_ICC          (1ULL << 63)
#define VTD_CCMD_CIRG_GLOBAL  (1ULL << 61)
#define VTD_IOTLB_IVT         (1ULL << 63)
#define VTD_IOTLB_IIRG_GLOBAL (1ULL << 60)
#define VTD_IOTLB_DR          (1ULL << 49)
#define VTD_IOTLB_DW          (1ULL << 48)
#define VTD_TIMEOUT_MS        1000      /* Linux's DMAR_OPERATION_TIMEOUT: a second */

uint32_t vtd_rd32(const struct vtd_unit *u, unsigned int off)
{
	uint32_t v = 0;

	if (devmem_read(u->dmar->reg_base + off, &v, 4))
		return ~0u;
	return v;
}

uint64_t vtd_rd64(const struct vtd_unit *u, unsigned int off)
{
	uint64_t v = 0;

	if (devmem_read(u->dmar->reg_base + off, &v, 8))
		return ~0ULL;
	return v;
}

void vtd_wr32(const struct vtd_unit *u, unsigned int off, uint32_t v)
{
	(void)devmem_write(u->dmar->reg_base + off, &v, 4);
}

void vtd_wr64(const struct vtd_unit *u, unsigned int off, uint64_t v)
{
	(void)devmem_write(u->dmar->reg_base + off, &v, 8);
}

static uint64_t deadline(void)
{
	return rdtsc() + tsc_khz() * VTD_TIMEOUT_MS;
}

int vtd_gcmd(const struct vtd_unit *u, uint32_t set, uint32_t clear, uint32_t mask, uint32_t want)
{
	uint32_t gsts = vtd_rd32(u, VTD_GSTS_REG);
	uint64_t end = deadline();

	if (gsts == ~0u)
		return -EFAULT;
	vtd_wr32(u, VTD_GCMD_REG, (gsts & ~VTD_GSTS_ONE_SHOT & ~clear) | set);
	for (;;) {
		gsts = vtd_rd32(u, VTD_GSTS_REG);
		if (gsts != ~0u && (gsts & mask) == want)
			return 0;
		if (rdtsc() > end)
			return -ETIMEDOUT;
		cpu_relax();
	}
}

/* Writes a 64-bit invalidation command and waits for its busy bit to
 * clear; *done gets the register as it then reads (its actual granularity). */
static int invalidate(const struct vtd_unit *u, unsigned int off, uint64_t cmd, uint64_t busy, uint64_t *done)
{
	uint64_t end = deadline();

	vtd_wr64(u, off, cmd);
	for (;;) {
		*done = vtd_rd64(u, off);
		if (*done != ~0ULL && !(*done & busy))
			return 0;
		if (rdtsc() > end)
			return -ETIMEDOUT;
		cpu_relax();
	}
}

/* The registers the hand-back puts back, as the firmware left them. */
static void snapshot(struct vtd_unit *u)
{
	struct vtd_fw_regs *fw = &u->fw;

	fw->gsts = vtd_rd32(u, VTD_GSTS_REG);
	fw->fectl = vtd_rd32(u, VTD_FECTL_REG);
	fw->iectl = u->ecap & VTD_ECAP_QI ? vtd_rd32(u, VTD_IECTL_REG) : 0;
	fw->pmen = u->cap & (VTD_CAP_PLMR | VTD_CAP_PHMR) ? vtd_rd32(u, VTD_PMEN_REG) : 0;
	fw->rtaddr = vtd_rd64(u, VTD_RTADDR_REG);
	fw->iqa = vtd_rd64(u, VTD_IQA_REG);
	fw->iqt = vtd_rd64(u, VTD_IQT_REG);     /* before qi_drain_firmware appends its wait */
	fw->irta = vtd_rd64(u, VTD_IRTA_REG);
	if (fw->gsts == ~0u)
		fw->gsts = 0;                   /* unreadable: nothing to turn on again */
	u->gsts = fw->gsts;                     /* hvtest's testvtd=fw changed it after vtd_probe */
}

void vtd_quiesce(struct vtd_unit *u, unsigned int i)
{
	uint32_t fectl, iectl = 0, gsts;
	uint64_t irta;

	snapshot(u);
	fectl = u->fw.fectl;
	gsts = u->fw.gsts;
	irta = u->fw.irta;
	vtd_wr32(u, VTD_FECTL_REG, VTD_EVENT_IM);
	if (u->ecap & VTD_ECAP_QI) {
		iectl = u->fw.iectl;
		vtd_wr32(u, VTD_IECTL_REG, VTD_EVENT_IM);
	}
	if (fectl != ~0u && !(fectl & VTD_EVENT_IM))
		printf("iommu: unit %u: fault events were unmasked (FECTL 0x%08x): masked, faults are polled\n", i,
		       fectl);
	if (iectl != ~0u && (u->ecap & VTD_ECAP_QI) && !(iectl & VTD_EVENT_IM))
		printf("iommu: unit %u: invalidation completion events were unmasked (IECTL 0x%08x): masked\n", i,
		       iectl);
	if (!(gsts & VTD_GSTS_IRES))
		return;
	if (vtd_gcmd(u, 0, VTD_GCMD_IRE, VTD_GSTS_IRES, 0))
		printf("iommu: unit %u: interrupt remapping the firmware left on did not turn off: interrupts "
		       "in compatibility format stay blocked\n", i);
	else
		printf("iommu: unit %u: interrupt remapping the firmware left on turned off (its table at 0x%llx "
		       "unused; the guest's compatibility-format interrupts would be blocked)\n", i,
		       (unsigned long long)(irta & ~0xfffULL));
}

/* Queued invalidation (6.5.2): one 4 KiB queue (256 128-bit descriptors)
 * per unit, from the hypervisor's frames, and the dword its invalidation
 * wait descriptors write (the unit's own write: not translated). */
static struct vtd_qi qi_ring[DMAR_MAX_UNITS];
static volatile uint32_t qi_status[DMAR_MAX_UNITS];
static char qi_err[160];

/* Writes a descriptor (n bytes, 16 or 32, naturally aligned: one cache
 * line) into the firmware's queue at pa, which may be RAM or not: through
 * the device window, flushed from the caches where the unit's reads do not
 * snoop (ECAP.C clear). */
static int fw_queue_write(const struct vtd_unit *u, hpa_t pa, const struct vtd_qi_desc *d, unsigned int n)
{
	uint8_t *p = paging_map_device(pa);
	uint8_t zero[16] = { 0 };

	if (!p)
		return -ENOMEM;
	memcpy(p, d, sizeof(*d));
	if (n > sizeof(*d))
		memcpy(p + sizeof(*d), zero, sizeof(zero));     /* a 256-bit descriptor's upper half */
	if (!(u->ecap & VTD_ECAP_C))
		clflush(p);
	mfence();
	return 0;
}

/*
 * The firmware's queue, while QI is on, run empty so that QI may be turned
 * off: QI may only be disabled with IQH == IQT and an invalidation wait the
 * last descriptor done (6.5.2; QEMU refuses otherwise), so a wait of the
 * hypervisor's own goes at its tail and its status write is waited for.
 * A descriptor the unit rejected (FSTS.IQE: it fetches no further and IQH
 * points at it, 6.5.2.10) would stop the queue for good: it is overwritten
 * with an invalidation wait, IQE cleared and IQT written again, so the queue
 * goes on (as Linux's qi_check_fault does with its own queue). IQA says the
 * queue's base, size (QS) and descriptor width (DW).
 */
static const char *qi_drain_firmware(struct vtd_unit *u, unsigned int i)
{
	uint64_t iqa = vtd_rd64(u, VTD_IQA_REG), base = iqa & ~0xfffULL, end = deadline();
	unsigned int dsize = iqa & VTD_IQA_DW ? 32 : 16, bytes = 4096u << (iqa & 7), rejected = 0;
	uint64_t tail = vtd_rd64(u, VTD_IQT_REG) & 0x7fff0, head = vtd_rd64(u, VTD_IQH_REG) & 0x7fff0;
	hpa_t status = image_hpa((const void *)&qi_status[i]);
	struct vtd_qi_desc mine = vtd_qi_wait(status, 1), patch = vtd_qi_wait(status, 2);

	if (iqa == ~0ULL || tail >= bytes || head >= bytes)
		return "the invalidation queue firmware left on does not read back (IQA, IQH, IQT)";
	if ((tail + dsize) % bytes == head)
		return "the invalidation queue firmware left on is full";
	qi_status[i] = 0;
	if (fw_queue_write(u, base + tail, &mine, dsize))
		return "no device window for the invalidation queue firmware left on";
	vtd_wr64(u, VTD_IQT_REG, (tail + dsize) % bytes);
	while (qi_status[i] != 1) {
		uint32_t fsts = vtd_rd32(u, VTD_FSTS_REG);

		if (fsts != ~0u && (fsts & VTD_FSTS_IQE)) {
			head = vtd_rd64(u, VTD_IQH_REG) & 0x7fff0;
			if (++rejected > bytes / dsize || head >= bytes || fw_queue_write(u, base + head, &patch, dsize))
				return "the invalidation queue firmware left on keeps rejecting descriptors (FSTS.IQE)";
			printf("iommu: unit %u: the invalidation queue firmware left on stopped at a rejected "
			       "descriptor (FSTS.IQE, IQH at descriptor %u): replaced by an invalidation wait\n", i,
			       (unsigned int)(head / dsize));
			vtd_wr32(u, VTD_FSTS_REG, VTD_FSTS_IQE);
			vtd_wr64(u, VTD_IQT_REG, (tail + dsize) % bytes);       /* the unit fetches again */
			continue;
		}
		if (rdtsc() > end)
			return "the invalidation queue firmware left on did not drain (no status from an invalidation "
			       "wait put at its tail)";
		cpu_relax();
	}
	return NULL;
}

/* Turns the firmware's QI off (its queue drained), clears the queue's error
 * bits, then points IQA at a fresh queue with IQT 0 and turns QI on
 * (GCMD.QIE, GSTS.QIES). */
static const char *qi_start(struct vtd_unit *u, unsigned int i)
{
	struct vtd_qi *q = &qi_ring[i];
	const char *why;
	hpa_t pa;

	if (vtd_rd32(u, VTD_GSTS_REG) & VTD_GSTS_QIES) {
		if ((why = qi_drain_firmware(u, i)))
			return why;
		if (vtd_gcmd(u, 0, VTD_GCMD_QIE, VTD_GSTS_QIES, 0))
			return "queued invalidation the firmware left on did not turn off";
	}
	/* RW1C, and kept across QI off and on: an IQE left by the firmware's
	 * queue (or an earlier try) would stop the new queue before its first
	 * descriptor (Linux's qi_check_fault clears it the same way). */
	vtd_wr32(u, VTD_FSTS_REG, VTD_FSTS_IQE | VTD_FSTS_ICE | VTD_FSTS_ITE);
	if (!q->ring) {
		pa = frame_alloc_one(mm_frames());
		if (pa == INVALID_HPA)
			return "no memory for the invalidation queue";
		q->ring = hpa_to_ptr(pa);
		u->qi_pa = pa;
		q->entries = vtd_qi_entries(0);
	}
	memset(q->ring, 0, PAGE_SIZE);
	q->tail = 0;
	u->qi_entries = q->entries;
	vtd_wr64(u, VTD_IQT_REG, 0);
	vtd_wr64(u, VTD_IQA_REG, vtd_qi_iqa(u->qi_pa, 0));
	if (vtd_gcmd(u, VTD_GCMD_QIE, 0, VTD_GSTS_QIES, VTD_GSTS_QIES))
		return "queued invalidation did not turn on";
	return NULL;
}

/* Queues d[0..n) and an invalidation wait that writes 1 to the unit's
 * status dword, sets IQT and polls the dword until the deadline, watching
 * FSTS for the queue's errors. NULL when the unit wrote the status. */
static const char *qi_run(struct vtd_unit *u, unsigned int i, const struct vtd_qi_desc *d, unsigned int n,
			  const char *what)
{
	struct vtd_qi *q = &qi_ring[i];
	struct vtd_qi_desc all[4];
	uint64_t end;
	uint32_t fsts;

	if (n >= ARRAY_SIZE(all))
		return "too many descriptors at once";
	memcpy(all, d, n * sizeof(*d));
	all[n] = vtd_qi_wait(image_hpa((const void *)&qi_status[i]), 1);
	qi_status[i] = 0;
	if (vtd_qi_put(q, vtd_qi_index(vtd_rd64(u, VTD_IQH_REG)), all, n + 1))
		return "the invalidation queue is full";
	/* The unit reads the queue from memory; where its accesses do not
	 * snoop (ECAP.C clear), the descriptors must be there, not in a cache. */
	if (!(u->ecap & VTD_ECAP_C))
		for (unsigned int off = 0; off < PAGE_SIZE; off += 64)
			clflush((const uint8_t *)q->ring + off);
	mfence();
	vtd_wr64(u, VTD_IQT_REG, vtd_qi_reg(q->tail));
	for (end = deadline(); rdtsc() <= end; cpu_relax()) {
		if (qi_status[i] == 1)
			return NULL;
		fsts = vtd_rd32(u, VTD_FSTS_REG);
		if (fsts != ~0u && (fsts & (VTD_FSTS_IQE | VTD_FSTS_ICE | VTD_FSTS_ITE))) {
			fmt_snprintf(qi_err, sizeof(qi_err), "the %s failed: invalidation queue %s (FSTS 0x%x, IQH at "
				     "descriptor %u, IQT %u)", what, fsts & VTD_FSTS_IQE ? "error (FSTS.IQE): a "
				     "descriptor was rejected" : "completion or time-out error", fsts,
				     vtd_qi_index(vtd_rd64(u, VTD_IQH_REG)), q->tail);
			return qi_err;
		}
	}
	if (qi_status[i] == 1)
		return NULL;
	fmt_snprintf(qi_err, sizeof(qi_err), "the %s did not finish: no invalidation wait status within %u ms "
		     "(IQH at descriptor %u, IQT %u)", what, VTD_TIMEOUT_MS, vtd_qi_index(vtd_rd64(u, VTD_IQH_REG)),
		     q->tail);
	return qi_err;
}

/* Global context-cache then IOTLB invalidation through CCMD and the IOTLB
 * registers; each must say it was performed (CAIG, IAIG non-zero: 11.4.5,
 * 11.4.8.1; Linux reports a zero IAIG as a failed flush). */
static const char *invalidate_registers(const struct vtd_unit *u)
{
	uint64_t done;

	if (invalidate(u, VTD_CCMD_REG, VTD_CCMD_ICC | VTD_CCMD_CIRG_GLOBAL, VTD_CCMD_ICC, &done))
		return "the context-cache invalidation did not finish";
	if (!VTD_CCMD_CAIG(done))
		return "the context-cache invalidation was not performed (CCMD.CAIG 0)";
	if (invalidate(u, VTD_ECAP_IRO(u->ecap) + 8, VTD_IOTLB_IVT | VTD_IOTLB_IIRG_GLOBAL |
		       (u->cap & VTD_CAP_DRD ? VTD_IOTLB_DR : 0) | (u->cap & VTD_CAP_DWD ? VTD_IOTLB_DW : 0),
		       VTD_IOTLB_IVT, &done))
		return "the IOTLB invalidation did not finish";
	if (!VTD_IOTLB_IAIG(done))
		return "the IOTLB invalidation was not performed (IOTLB_REG.IAIG 0)";
	return NULL;
}

/* Protected memory regions block DMA to their ranges even with translation
 * on (10.4.x PMEN_REG); firmware or a pre-boot DMA protection may leave
 * them enabled. Turned off once the tables protect (as Linux does after
 * TE), and PMEN.PRS waited for. */
static void pmr_off(struct vtd_unit *u, unsigned int i)
{
	uint32_t pmen;
	uint64_t end;

	if (!(u->cap & (VTD_CAP_PLMR | VTD_CAP_PHMR)))
		return;
	pmen = vtd_rd32(u, VTD_PMEN_REG);
	if (pmen == ~0u || !(pmen & VTD_PMEN_EPM))
		return;
	vtd_wr32(u, VTD_PMEN_REG, 0);
	for (end = deadline(); rdtsc() <= end; cpu_relax())
		if (!(vtd_rd32(u, VTD_PMEN_REG) & VTD_PMEN_PRS))
			break;
	if (vtd_rd32(u, VTD_PMEN_REG) & VTD_PMEN_PRS)
		printf("iommu: unit %u: protected memory regions the firmware left on (PMEN 0x%08x) did not turn "
		       "off (PMEN.PRS still set): DMA to them stays blocked\n", i, pmen);
	else
		printf("iommu: unit %u: protected memory regions the firmware left on (PMEN 0x%08x) turned off: "
		       "the tables decide\n", i, pmen);
}

const char *vtd_enable(struct vtd_unit *u, unsigned int i, hpa_t root_pa, bool qi)
{
	uint32_t gsts = vtd_rd32(u, VTD_GSTS_REG);
	const char *why;

	if (gsts == ~0u)
		return "GSTS does not read";
	if ((gsts & VTD_GSTS_QIES) && !qi)
		return "firmware left queued invalidation on, and the unit has no QI capability to go on with";
	if ((gsts & VTD_GSTS_TES) && vtd_gcmd(u, 0, VTD_GCMD_TE, VTD_GSTS_TES, 0))
		return "translation the firmware left on did not turn off";
	vtd_wr64(u, VTD_RTADDR_REG, root_pa);               /* TTM 00: legacy mode */
	if (vtd_gcmd(u, VTD_GCMD_SRTP, 0, VTD_GSTS_RTPS, VTD_GSTS_RTPS))
		return "the root table pointer was not taken";
	if ((u->cap & VTD_CAP_RWBF) && vtd_gcmd(u, VTD_GCMD_WBF, 0, VTD_GSTS_WBFS, 0))
		return "the write buffer did not flush";
	if (qi) {
		struct vtd_qi_desc cc = vtd_qi_cc_global(), iotlb = vtd_qi_iotlb_global(u->cap);

		if ((why = qi_start(u, i)) || (why = qi_run(u, i, &cc, 1, "context-cache invalidation")) ||
		    (why = qi_run(u, i, &iotlb, 1, "IOTLB invalidation")))
			return why;
	} else if ((why = invalidate_registers(u))) {
		return why;
	}
	if (vtd_gcmd(u, VTD_GCMD_TE, 0, VTD_GSTS_TES, VTD_GSTS_TES))
		return "translation did not turn on";
	pmr_off(u, i);
	return NULL;
}

/* Waits (a second at most) until PMEN.PRS follows PMEN.EPM as written. */
static int pmen_set(const struct vtd_unit *u, uint32_t pmen)
{
	uint64_t end = deadline();
	uint32_t now;

	vtd_wr32(u, VTD_PMEN_REG, pmen);
	for (;;) {
		now = vtd_rd32(u, VTD_PMEN_REG);
		if (now != ~0u && !(now & VTD_PMEN_PRS) == !(pmen & VTD_PMEN_EPM))
			return 0;
		if (rdtsc() > end)
			return -ETIMEDOUT;
		cpu_relax();
	}
}

/* Waits (a second at most) until the unit's queue head reaches tail. */
static int queue_settle(const struct vtd_unit *u, uint64_t tail)
{
	uint64_t end = deadline();

	for (;;) {
		if ((vtd_rd64(u, VTD_IQH_REG) & 0x7fff0) == tail)
			return 0;
		if (rdtsc() > end)
			return -ETIMEDOUT;
		cpu_relax();
	}
}

/* One step of the hand-back plan (vtd_giveback.h); NULL when done. */
static const char *give_back_step(struct vtd_unit *u, unsigned int i, const struct vtd_gb_step *s)
{
	struct vtd_qi_desc cc = vtd_qi_cc_global(), iotlb = vtd_qi_iotlb_global(u->cap), iec = vtd_qi_iec_global();
	const char *why;

	switch (s->op) {
	case VTD_GB_WR32:
		vtd_wr32(u, s->off, (uint32_t)s->val);
		return NULL;
	case VTD_GB_WR64:
		vtd_wr64(u, s->off, s->val);
		return NULL;
	case VTD_GB_GCMD:
		return vtd_gcmd(u, s->set, s->clear, s->mask, s->want) ? s->fail : NULL;
	case VTD_GB_PMEN:
		return pmen_set(u, (uint32_t)s->val) ? s->fail : NULL;
	case VTD_GB_INV_TRANSLATION:
		if (!u->queued)
			return invalidate_registers(u);
		if ((why = qi_run(u, i, &cc, 1, "context-cache invalidation")))
			return why;
		return qi_run(u, i, &iotlb, 1, "IOTLB invalidation");
	case VTD_GB_INV_IEC:
		return qi_run(u, i, &iec, 1, "interrupt entry cache invalidation");
	case VTD_GB_FW_QUEUE_FILL:
		for (unsigned int k = 0; k < s->slots; k++) {
			hpa_t slot = s->val + (uint64_t)k * s->off;
			struct vtd_qi_desc own = vtd_qi_wait(slot, 0);

			if (fw_queue_write(u, slot, k == s->wait_at ? &own : &cc, s->off))
				return "no device window for the firmware's invalidation queue";
		}
		return NULL;
	case VTD_GB_FW_QUEUE_SETTLE:
		return queue_settle(u, s->val) ? s->fail : NULL;
	}
	return "unknown hand-back step";
}

const char *vtd_give_back(struct vtd_unit *u, unsigned int i, char *done, size_t size)
{
	struct vtd_gb_plan p;
	const char *why;

	vtd_giveback_plan(&u->fw, u->cap, u->ecap, u->queued, &p);
	for (unsigned int k = 0; k < p.n; k++)
		if ((why = give_back_step(u, i, &p.step[k])))
			return why;
	vtd_giveback_format(done, size, &u->fw, u->cap, u->ecap, &p);
	return NULL;
}
