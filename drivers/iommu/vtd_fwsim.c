/* drivers/iommu/vtd_fwsim.c - hvtest's testvtd=fw: remapping units left as
 * firmware may leave them (VT-d spec rev 5.0, 11.4.4 GCMD, 11.4.9 FECTL,
 * 11.4.10 IQA/IQT, 11.4.11 IRTA, 6.5.2.10 invalidation queue errors). */
#include "drivers/iommu/vtd_fwsim.h"
#include "drivers/iommu/vtd.h"
#include "drivers/iommu/vtd_enable.h"
#include "drivers/iommu/vtd_caps.h"
#include "drivers/iommu/vtd_fault.h"
#include "drivers/iommu/vtd_qi.h"
#include "arch/cpu.h"
#include "mm/frame.h"
#include "mm/malloc.h"
#include "mm/paging.h"
#include "lib/print.h"
#include "lib/string.h"

#define FWSIM_IRTA_S      7             /* 2^(S+1) = 256 entries: one page */
#define FWSIM_FEADDR      (0xfee00000u | 0xfeu << 12)   /* APIC ID 0xfe, physical: no CPU */
#define FWSIM_FEDATA      0x30
#define FWSIM_QUEUED      1             /* descriptors queued: one of a reserved type */

/* A zeroed frame, flushed to memory for units whose accesses do not snoop. */
static hpa_t zeroed_frame(void)
{
	hpa_t pa = frame_alloc_one(mm_frames());

	if (pa == INVALID_HPA)
		return pa;
	memset(hpa_to_ptr(pa), 0, PAGE_SIZE);
	for (unsigned int off = 0; off < PAGE_SIZE; off += 64)
		clflush((const uint8_t *)hpa_to_ptr(pa) + off);
	mfence();
	return pa;
}

static void fwsim_unit(const struct vtd_unit *u, unsigned int i)
{
	hpa_t irt = zeroed_frame(), queue = INVALID_HPA;

	if (irt != INVALID_HPA && (u->ecap & VTD_ECAP_IR)) {
		vtd_wr64(u, VTD_IRTA_REG, irt | FWSIM_IRTA_S);
		if (!vtd_gcmd(u, VTD_GCMD_SIRTP, 0, VTD_GSTS_IRTPS, VTD_GSTS_IRTPS))
			(void)vtd_gcmd(u, VTD_GCMD_IRE, 0, VTD_GSTS_IRES, VTD_GSTS_IRES);
	}
	if ((u->ecap & VTD_ECAP_QI) && (queue = zeroed_frame()) != INVALID_HPA) {
		/* Descriptor 0 stays all zeros: type 0 is reserved (6.5.2), so the
		 * unit refuses it, sets FSTS.IQE and fetches no further. */
		vtd_wr64(u, VTD_IQT_REG, 0);
		vtd_wr64(u, VTD_IQA_REG, vtd_qi_iqa(queue, 0));
		if (!vtd_gcmd(u, VTD_GCMD_QIE, 0, VTD_GSTS_QIES, VTD_GSTS_QIES))
			vtd_wr64(u, VTD_IQT_REG, vtd_qi_reg(FWSIM_QUEUED));
	}
	vtd_wr32(u, VTD_FEDATA_REG, FWSIM_FEDATA);
	vtd_wr32(u, VTD_FEADDR_REG, FWSIM_FEADDR);
	vtd_wr32(u, VTD_FECTL_REG, 0);
	printf("hvtest: iommu: unit %u left as firmware may leave it: GSTS 0x%08x (interrupt remapping %s, queued "
	       "invalidation %s), FSTS 0x%08x, IQH at descriptor %u, IQT %u, FECTL 0x%08x\n", i,
	       vtd_rd32(u, VTD_GSTS_REG), vtd_rd32(u, VTD_GSTS_REG) & VTD_GSTS_IRES ? "on" : "off",
	       vtd_rd32(u, VTD_GSTS_REG) & VTD_GSTS_QIES ? "on" : "off", vtd_rd32(u, VTD_FSTS_REG),
	       vtd_qi_index(vtd_rd64(u, VTD_IQH_REG)), vtd_qi_index(vtd_rd64(u, VTD_IQT_REG)),
	       vtd_rd32(u, VTD_FECTL_REG));
}

void vtd_fwsim_run(void)
{
	unsigned int n;
	const struct vtd_unit *u = vtd_units(&n);

	for (unsigned int i = 0; i < n; i++)
		if (u[i].regs_ok)
			fwsim_unit(&u[i], i);
}
