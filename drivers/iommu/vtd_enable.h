/* drivers/iommu/vtd_enable.h - one remapping unit's registers as vtd.c
 * drives them (VT-d spec rev 5.0, 10.4.4, 11.4): what firmware left on put
 * out of the way, then root table, write buffer, invalidation (register-based
 * or queued) and translation. Every wait is bounded by a TSC deadline of
 * about a second (Linux's DMAR_OPERATION_TIMEOUT). Used by vtd.c only. */
#ifndef DRIVERS_IOMMU_VTD_ENABLE_H
#define DRIVERS_IOMMU_VTD_ENABLE_H

#include "drivers/iommu/vtd_unit.h"
#include "drivers/iommu/vtd_giveback.h"

#define VTD_GSTS_TES  (1u << 31)        /* translation enabled */
#define VTD_GSTS_IRES (1u << 25)        /* interrupt remapping enabled */
#define VTD_GSTS_QIES (1u << 26)        /* queued invalidation enabled */
#define VTD_FECTL_REG 0x38              /* fault event control (11.4.9.2) */
#define VTD_IECTL_REG 0xa0              /* invalidation completion event control (11.4.10.5) */
#define VTD_EVENT_IM  (1u << 31)        /* FECTL/IECTL: interrupt mask */
#define VTD_IRTA_REG  0xb8              /* interrupt remapping table address (11.4.11.1) */
#define VTD_FEADDR_REG 0x40             /* fault event address (11.4.9.4) */
#define VTD_FEDATA_REG 0x3c             /* fault event data (11.4.9.3) */
#define VTD_GCMD_IRE  (1u << 25)        /* interrupt remapping enable */
#define VTD_GCMD_SIRTP (1u << 24)       /* set interrupt remap table pointer (one-shot) */
#define VTD_GSTS_IRTPS (1u << 24)

/* Unit u's 32/64-bit register at off through the device window; all ones
 * if it does not read. */
uint32_t vtd_rd32(const struct vtd_unit *u, unsigned int off);
uint64_t vtd_rd64(const struct vtd_unit *u, unsigned int off);
void vtd_wr32(const struct vtd_unit *u, unsigned int off, uint32_t v);
void vtd_wr64(const struct vtd_unit *u, unsigned int off, uint64_t v);

/* Issues a GCMD command: the persistent bits as GSTS has them, plus set
 * (minus clear), then waits (a second at most) until GSTS & mask == want.
 * 0, -EFAULT (GSTS does not read) or -ETIMEDOUT. */
int vtd_gcmd(const struct vtd_unit *u, uint32_t set, uint32_t clear, uint32_t mask, uint32_t want);

/*
 * Puts unit i's firmware state out of the guest's way before anything else:
 * fault and invalidation-completion events masked (FECTL.IM, IECTL.IM: the
 * hypervisor polls, and firmware's message address and vector would reach
 * a CPU otherwise), interrupt remapping turned off where firmware left it on
 * (the guest gets no DMAR and programs compatibility-format interrupts,
 * which 5.1.2.1 blocks while IR is on; the firmware's table may lie in what
 * becomes guest RAM). Before any queued invalidation is turned off, as IR
 * depends on it. Prints a line for each thing it changed. First it records
 * the registers chain mode's hand-back puts back (u->fw; u->gsts too).
 */
void vtd_quiesce(struct vtd_unit *u, unsigned int i);

/*
 * Turns translation on in unit i with the root table at root_pa, in the
 * order of 10.4.4: firmware's translation off, RTADDR (legacy mode) and
 * SRTP, write-buffer flush (CAP.RWBF), global context-cache then IOTLB
 * invalidation (queued with qi, else register-based, whose CAIG/IAIG must
 * say it was performed), TE; then protected memory regions firmware left
 * enabled (PMEN.EPM, CAP.PLMR/PHMR) turned off. NULL, or why the unit is off.
 */
const char *vtd_enable(struct vtd_unit *u, unsigned int i, hpa_t root_pa, bool qi);

/*
 * Chain mode's hand-back (boot/chain_fail.c): unit i as the firmware had it
 * when vtd_quiesce found it (u->fw), in the order of vtd_giveback_plan:
 * protected memory regions, translation off, its root table, interrupt
 * remapping table and interrupt entry cache invalidation, its queue,
 * interrupt remapping (and CFI), its translation, the event masks. NULL
 * with done = what the unit now has in words (vtd_giveback_format), else
 * why the unit is left as it is (the step that failed).
 */
const char *vtd_give_back(struct vtd_unit *u, unsigned int i, char *done, size_t size);

#endif
