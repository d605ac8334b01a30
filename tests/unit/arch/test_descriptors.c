/* tests/unit/arch/test_descriptors.c - a CPU's GDT, TSS and IDT entries as
 * the SDM lays them out (Vol. 3A, Figures 3-8, 8-4, 8-11 and 6-8). */
#include "arch/gdt.h"
#include "arch/idt.h"
#include "tests/unit/check.h"

/* Fields of a 16-byte 64-bit TSS descriptor (Figure 8-4), decoded bit by bit. */
static unsigned int desc_type(uint64_t lo) { return (lo >> 40) & 0xf; }
static unsigned int desc_present(uint64_t lo) { return (lo >> 47) & 1; }
static unsigned int desc_dpl(uint64_t lo) { return (lo >> 45) & 3; }
static uint32_t desc_limit(uint64_t lo) { return (uint32_t)((lo & 0xffff) | ((lo >> 48) & 0xf) << 16); }

TEST(gdt_flat_code_and_data)
{
	uint64_t gdt[GDT_ENTRIES];

	memset(gdt, 0xa5, sizeof(gdt));
	gdt_build(gdt, 0);
	CHECK_EQ(gdt[0], 0);
	/* Code: present, DPL 0, type execute/read (0xa), S, L = 1, D = 0. */
	CHECK_EQ(gdt[GDT_SEL_CODE / 8] >> 40 & 0xff, 0x9a);
	CHECK_EQ(gdt[GDT_SEL_CODE / 8] >> 53 & 1, 1);          /* L */
	CHECK_EQ(gdt[GDT_SEL_CODE / 8] >> 54 & 1, 0);          /* D must be 0 with L */
	/* Data: present, DPL 0, type read/write (0x2), S. */
	CHECK_EQ(gdt[GDT_SEL_DATA / 8] >> 40 & 0xff, 0x92);
}

TEST(gdt_tss_descriptor_splits_a_64_bit_base)
{
	uint64_t gdt[GDT_ENTRIES];
	uint64_t base = 0xffffc90012345678ULL;
	uint64_t lo;

	gdt_build(gdt, base);
	lo = gdt[GDT_SEL_TSS / 8];
	CHECK_EQ(desc_type(lo), 0x9);                           /* available 64-bit TSS */
	CHECK_EQ(desc_present(lo), 1);
	CHECK_EQ(desc_dpl(lo), 0);
	CHECK_EQ(lo >> 44 & 1, 0);                              /* S = 0: system descriptor */
	CHECK_EQ(desc_limit(lo), sizeof(struct tss64) - 1);
	CHECK_EQ((lo >> 16) & 0xffffff, base & 0xffffff);       /* base 23:0 */
	CHECK_EQ(lo >> 56, (base >> 24) & 0xff);                /* base 31:24 */
	CHECK_EQ(gdt[GDT_SEL_TSS / 8 + 1], base >> 32);          /* base 63:32, type 0 above */
	CHECK_EQ(gdt_system_base(gdt, GDT_SEL_TSS), base);
}

TEST(gdt_two_cpus_two_tss_bases)
{
	uint64_t a[GDT_ENTRIES], b[GDT_ENTRIES];

	gdt_build(a, 0xffffffff80123000ULL);
	gdt_build(b, 0xffff888000456040ULL);
	CHECK_EQ(gdt_system_base(a, GDT_SEL_TSS), 0xffffffff80123000ULL);
	CHECK_EQ(gdt_system_base(b, GDT_SEL_TSS), 0xffff888000456040ULL);
}

TEST(tss_ist_slots_and_no_io_bitmap)
{
	struct tss64 t;
	const uint64_t tops[IST_USED] = { 0x1000, 0x2000, 0x3000 };

	memset(&t, 0xa5, sizeof(t));
	tss_build(&t, tops);
	CHECK_EQ(offsetof(struct tss64, ist), 0x24);             /* IST1 at byte 36 (Figure 8-11) */
	CHECK_EQ(offsetof(struct tss64, iomap_base), 0x66);
	CHECK_EQ(t.ist[IST_DF - 1], 0x1000);
	CHECK_EQ(t.ist[IST_NMI - 1], 0x2000);
	CHECK_EQ(t.ist[IST_MC - 1], 0x3000);
	CHECK_EQ(t.ist[3], 0);
	CHECK_EQ(t.rsp[0], 0);
	CHECK_EQ(t.iomap_base, sizeof(struct tss64));          /* past the limit: no bitmap */
}

TEST(idt_gates_point_at_stubs_with_ist_for_df_nmi_mc)
{
	static struct idt_gate idt[IDT_VECTORS];
	uint64_t stubs[32];

	for (unsigned int v = 0; v < 32; v++)
		stubs[v] = 0xffffffff80001000ULL + v * 0x10 + ((uint64_t)v << 20);
	memset(idt, 0xa5, sizeof(idt));
	idt_build(idt, stubs, 32);
	for (unsigned int v = 0; v < 32; v++) {
		CHECK_EQ(idt_gate_offset(&idt[v]), stubs[v]);
		CHECK_EQ(idt[v].selector, GDT_SEL_CODE);
		CHECK_EQ(idt[v].type_attr, 0x8e);               /* P, DPL 0, 64-bit interrupt gate */
		CHECK_EQ(idt[v].reserved, 0);
		CHECK_EQ(idt[v].ist, v == 8 ? IST_DF : v == 2 ? IST_NMI : v == 18 ? IST_MC : 0);
	}
	for (unsigned int v = 32; v < IDT_VECTORS; v++)
		CHECK_EQ(idt[v].type_attr, 0);                  /* not present */
}
