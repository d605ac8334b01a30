/* drivers/iommu/vtd_shadow.c - a quiescent VT-d register page for chain
 * mode's firmware (VT-d spec rev 5.0, 11.4); see vtd_shadow.h. */
#include "drivers/iommu/vtd_shadow.h"
#include "drivers/iommu/vtd_caps.h"
#include "drivers/iommu/vtd_qi.h"
#include "drivers/iommu/vtd_fault.h"
#include "lib/string.h"

#define GCMD_REG   0x18
#define CCMD_REG   0x28
#define PMEN_REG   0x64
/* GCMD/GSTS bits (11.4.4, 11.4.5). */
#define G_TE       (1u << 31)
#define G_SRTP     (1u << 30)               /* GSTS: RTPS */
#define G_SFL      (1u << 29)               /* GSTS: FLS */
#define G_WBF      (1u << 27)               /* GSTS: WBFS (set while flushing) */
#define G_QIE      (1u << 26)
#define G_IRE      (1u << 25)
#define G_SIRTP    (1u << 24)               /* GSTS: IRTPS */
#define G_CFI      (1u << 23)
#define G_MIRRORED (G_QIE | G_IRE | G_CFI)
#define CCMD_ICC   (1ULL << 63)
#define CCMD_CIRG(v) (((v) >> 61) & 3)
#define CCMD_CAIG_SHIFT 59
#define IOTLB_IVT  (1ULL << 63)
#define IOTLB_IIRG(v) (((v) >> 60) & 3)
#define IOTLB_IAIG_SHIFT 57
#define PMEN_EPM   (1u << 31)
#define PMEN_PRS   (1u << 0)

static uint32_t get32(const struct vtd_shadow *s, unsigned int off)
{
	return (uint32_t)(s->reg[off / 8] >> (off % 8 * 8));
}

static void put32(struct vtd_shadow *s, unsigned int off, uint32_t v)
{
	unsigned int sh = off % 8 * 8;

	s->reg[off / 8] = (s->reg[off / 8] & ~(0xffffffffULL << sh)) | (uint64_t)v << sh;
}

void vtd_shadow_init(struct vtd_shadow *s, uint32_t ver, uint64_t cap, uint64_t ecap, uint32_t gsts)
{
	memset(s, 0, sizeof(*s));
	s->reg[VTD_VER_REG / 8] = ver;
	s->reg[VTD_CAP_REG / 8] = cap;
	s->reg[VTD_ECAP_REG / 8] = ecap;
	/* One-shot status bits as after their commands completed. */
	put32(s, VTD_GSTS_REG, gsts & ~G_WBF);
	s->iro = VTD_ECAP_IRO(ecap);
}

/* The 64-bit granule at off (8-aligned), or NULL where nothing is kept. */
static uint64_t *granule(struct vtd_shadow *s, unsigned int off)
{
	if (off < VTD_SHADOW_BYTES)
		return &s->reg[off / 8];
	if (s->iro >= VTD_SHADOW_BYTES && off == s->iro)
		return &s->iva;
	if (s->iro + 8 >= VTD_SHADOW_BYTES && off == s->iro + 8)
		return &s->iotlb;
	return NULL;
}

static bool access_ok(unsigned int off, unsigned int size)
{
	return (size == 1 || size == 2 || size == 4 || size == 8) && off % 8 + size <= 8;
}

uint64_t vtd_shadow_read(const struct vtd_shadow *s, unsigned int off, unsigned int size)
{
	const uint64_t *g = granule((struct vtd_shadow *)s, off & ~7u);

	if (!g || !access_ok(off, size))
		return 0;
	return (*g >> (off % 8 * 8)) & (size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1);
}

/* GCMD written: what GSTS shows once the command completed. */
static void gcmd(struct vtd_shadow *s, uint32_t cmd)
{
	uint32_t st = get32(s, VTD_GSTS_REG);

	st = (st & ~G_MIRRORED) | (cmd & G_MIRRORED);
	if (!(cmd & G_TE))
		st &= ~G_TE;
	if (cmd & G_SRTP)
		st |= G_SRTP;
	if (cmd & G_SFL)
		st |= G_SFL;
	if (cmd & G_SIRTP)
		st |= G_SIRTP;
	st &= ~G_WBF;
	put32(s, VTD_GSTS_REG, st);
	put32(s, GCMD_REG, 0);                  /* GCMD reads 0 */
}

void vtd_shadow_write(struct vtd_shadow *s, unsigned int off, unsigned int size, uint64_t val)
{
	unsigned int base = off & ~7u, sh = off % 8 * 8;
	uint64_t *g = granule(s, base), mask, old;

	if (!g || !access_ok(off, size) || base < GCMD_REG)   /* VER, CAP, ECAP: read-only */
		return;
	mask = (size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1) << sh;
	old = *g;
	if (base == (VTD_GSTS_REG & ~7u)) {
		if (off < VTD_GSTS_REG)         /* GCMD; GSTS itself is read-only */
			gcmd(s, (uint32_t)(((old & ~mask) | (val << sh & mask)) & 0xffffffffu));
		return;
	}
	if (base == (VTD_FSTS_REG & ~7u) && off >= VTD_FSTS_REG)
		return;                         /* FSTS: write 1 to clear, and it is 0 */
	*g = (old & ~mask) | (val << sh & mask);
	if (base == CCMD_REG && (*g & CCMD_ICC))
		*g = (*g & ~(CCMD_ICC | 3ULL << CCMD_CAIG_SHIFT)) | CCMD_CIRG(*g) << CCMD_CAIG_SHIFT;
	else if (g == &s->iotlb || (s->iro + 8 < VTD_SHADOW_BYTES && base == s->iro + 8)) {
		if (*g & IOTLB_IVT)
			*g = (*g & ~(IOTLB_IVT | 3ULL << IOTLB_IAIG_SHIFT)) | IOTLB_IIRG(*g) << IOTLB_IAIG_SHIFT;
	} else if (base == VTD_IQT_REG)
		s->reg[VTD_IQH_REG / 8] = *g;
	else if (base == (PMEN_REG & ~7u))
		put32(s, PMEN_REG, (get32(s, PMEN_REG) & ~PMEN_PRS) | !!(get32(s, PMEN_REG) & PMEN_EPM));
}
