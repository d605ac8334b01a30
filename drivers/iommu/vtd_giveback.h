/* drivers/iommu/vtd_giveback.h - chain mode's hand-back of a remapping unit
 * to the firmware (VT-d spec rev 5.0, 10.4.4 and 11.4.4 GCMD/GSTS, 11.4.9
 * FECTL, 11.4.10 IQA, 11.4.11 IRTA, 11.4.13 PMEN, 6.5.2.6 interrupt entry
 * cache invalidation): what the firmware had, as vtd_quiesce found it, and
 * the ordered register steps that put it back. Pure: the steps are run by
 * vtd_give_back (drivers/iommu/vtd_enable.c). */
#ifndef DRIVERS_IOMMU_VTD_GIVEBACK_H
#define DRIVERS_IOMMU_VTD_GIVEBACK_H

#include "lib/compiler.h"

/* The registers of a unit as the firmware left them (read by vtd_quiesce,
 * before the hypervisor changes anything). */
struct vtd_fw_regs {
	uint32_t gsts;                  /* GSTS_REG: TES, QIES, IRES, CFIS */
	uint32_t fectl;                 /* FECTL_REG: IM */
	uint32_t iectl;                 /* IECTL_REG: IM (0 where ECAP.QI is clear) */
	uint32_t pmen;                  /* PMEN_REG: EPM (0 where CAP.PLMR/PHMR are clear) */
	uint64_t rtaddr;                /* RTADDR_REG */
	uint64_t iqa;                   /* IQA_REG */
	uint64_t iqt;                   /* IQT_REG: the firmware's tail, before the hypervisor's drain appended its wait */
	uint64_t irta;                  /* IRTA_REG: table, EIME, S */
};

enum vtd_gb_op {
	VTD_GB_WR32,                    /* write val (32 bits) at off */
	VTD_GB_WR64,                    /* write val (64 bits) at off */
	VTD_GB_GCMD,                    /* one GCMD command (set or clear one bit), then GSTS & mask == want */
	VTD_GB_PMEN,                    /* PMEN_REG = val, then PMEN.PRS == PMEN.EPM */
	VTD_GB_INV_TRANSLATION,         /* global context-cache then IOTLB invalidation, by the means in use */
	VTD_GB_INV_IEC,                 /* global interrupt entry cache invalidation, through the hypervisor's queue */
	VTD_GB_FW_QUEUE_FILL,           /* the firmware's queue at val: slots descriptors of off bytes from its
					 * start made global context-cache invalidations, but wait_at (QI off) */
	VTD_GB_FW_QUEUE_SETTLE,         /* IQH == val (the unit consumed the queue up to its tail) */
};

struct vtd_gb_step {
	enum vtd_gb_op op;
	unsigned int off;               /* WR32, WR64: the register */
	uint64_t val;                   /* WR32, WR64, PMEN: the value */
	uint32_t set, clear;            /* GCMD: the one bit set or cleared */
	uint32_t mask, want;            /* GCMD: GSTS & mask == want when done */
	unsigned int slots;             /* FW_QUEUE_FILL: descriptors from the queue's start */
	unsigned int wait_at;           /* FW_QUEUE_FILL: the slot made an invalidation wait instead, its status
					 * written into its own (consumed) slot, or ~0u */
	const char *fail;               /* why the hand-back stops if this step fails */
};

#define VTD_GB_STEPS_MAX 24

struct vtd_gb_plan {
	struct vtd_gb_step step[VTD_GB_STEPS_MAX];
	unsigned int n;
	bool ir;                        /* interrupt remapping goes on again */
	bool queued;                    /* the queue registers are put back (queued invalidation in use) */
	const char *not_restored;       /* what of the firmware's state cannot be put back, or NULL */
};

/* Register offsets and bits the plan uses (11.4). */
#define VTD_GB_RTADDR_REG 0x20
#define VTD_GB_FECTL_REG  0x38
#define VTD_GB_PMEN_REG   0x64
#define VTD_GB_IQT_REG    0x88
#define VTD_GB_IQA_REG    0x90
#define VTD_GB_IECTL_REG  0xa0
#define VTD_GB_IRTA_REG   0xb8
#define VTD_GB_IQA_DW (1ULL << 11)        /* IQA: 256-bit descriptors */
#define VTD_GB_TE     (1u << 31)        /* GCMD TE, GSTS TES */
#define VTD_GB_SRTP   (1u << 30)        /* GCMD SRTP, GSTS RTPS */
#define VTD_GB_WBF    (1u << 27)        /* GCMD WBF, GSTS WBFS (set while flushing) */
#define VTD_GB_QIE    (1u << 26)        /* GCMD QIE, GSTS QIES */
#define VTD_GB_IRE    (1u << 25)        /* GCMD IRE, GSTS IRES */
#define VTD_GB_SIRTP  (1u << 24)        /* GCMD SIRTP, GSTS IRTPS */
#define VTD_GB_CFI    (1u << 23)        /* GCMD CFI, GSTS CFIS */
#define VTD_GB_EVENT_IM (1u << 31)      /* FECTL, IECTL: interrupt mask */
#define VTD_GB_PMEN_EPM (1u << 31)

/*
 * The steps that give a unit back as fw says the firmware had it, from the
 * state vtd_protect left (translation on with the hypervisor's tables;
 * queued, its own queue on, else register-based invalidation; interrupt
 * remapping off; events masked; protected memory regions off):
 * 1. protected memory regions on again where the firmware had them (before
 *    translation goes off, so their ranges are never open);
 * 2. translation off; RTADDR back; where the firmware translated: SRTP,
 *    write-buffer flush (CAP.RWBF), context cache and IOTLB invalidated
 *    (10.4.4);
 * 3. where the firmware had interrupt remapping on: IRTA, SIRTP, then the
 *    interrupt entry cache invalidated, through the hypervisor's queue while
 *    it still runs (11.4.4.1: SIRTP is followed by a global IEC
 *    invalidation before IRE; IEC invalidation exists only as a queued
 *    descriptor);
 * 4. queued: queued invalidation off, IQT 0, IQA back, and on again where
 *    the firmware had it; then its tail put back: turning QI on resets IQH
 *    to 0, and the firmware's driver goes on at its tail T (IQT as
 *    vtd_quiesce read it, before the hypervisor's drain appended a wait),
 *    so the unit would run slots 0..T-1 again, invalidation waits among
 *    them (the firmware's, and the hypervisor's drain and patch waits,
 *    whose status dword is in the core's image) writing their status into
 *    memory that may be reused. Before QI goes on, slots 0..T (T: where
 *    the hypervisor's wait sat) become global context-cache invalidations
 *    (6.5.2.1: valid on any queued unit, legacy or scalable mode, and
 *    harmless: cached context entries refetched from the firmware's own
 *    tables; not a wait without status write or interrupt: the spec
 *    allows it with FN (7.10), QEMU 7.2 rejects it as an unknown type),
 *    but for slot T-1, the last the unit runs: an invalidation wait whose
 *    status write lands in its own slot, already consumed (QEMU turns QI
 *    off only after a wait, and the firmware's next driver, Linux's
 *    dmar_disable_qi, needs that),, then IQT = T and IQH waited for
 *    to reach it, so the unit's head is the firmware's tail again;
 * 5. interrupt remapping on (IRE), then CFI where the firmware had it
 *    (Linux's order); then translation on where the firmware had it;
 * 6. fault and invalidation-completion event masks as the firmware had them.
 * One GCMD bit per command (11.4.4). Interrupt remapping on without a queue
 * of the hypervisor's (not queued) cannot be put back: not_restored says so.
 */
void vtd_giveback_plan(const struct vtd_fw_regs *fw, uint64_t cap, uint64_t ecap, bool queued,
		       struct vtd_gb_plan *p);

/* What the plan restores, in words: "translation off, queued invalidation
 * on (queue at 0x7e5f000, head and tail at descriptor 1), interrupt remapping on (IRTA 0x7e60007), fault
 * events unmasked, invalidation events unmasked", then "; " and
 * not_restored if set. Returns buf. */
char *vtd_giveback_format(char *buf, size_t size, const struct vtd_fw_regs *fw, uint64_t cap, uint64_t ecap,
			  const struct vtd_gb_plan *p);

#endif
