/* tests/unit/guest/test_task_switch.c - hardware task switches (guest/emul/task_switch.c)
 * on a fake GDT and TSSs: CALL, JMP, IRET with NT, a #DF task gate, and the
 * checks of SDM Vol. 3A Table 8-2 with the fault each one raises. */
#include "tests/unit/check.h"
#include "guest/emul/task_switch.h"

static uint8_t mem[0x10000];            /* linear 0..64 KiB */
static struct { uint32_t fault_lo, fault_hi; uint64_t cr3; int cr3_rc; unsigned int cr3_calls; } fm;

#define GDT     0x1000u
#define TSS_A   0x2000u                 /* the running task */
#define TSS_B   0x3000u                 /* the task switched to */
#define LDT     0x5000u
#define STACK_B 0x6000u
#define TSS_PF  0xf000u                 /* in the fault window */

enum {
	SEL_CODE = 0x08, SEL_DATA = 0x10, SEL_A = 0x18, SEL_B = 0x20, SEL_TSS16 = 0x28, SEL_LDT = 0x30,
	SEL_CODE_NP = 0x38, SEL_DATA_NP = 0x40, SEL_XONLY = 0x48, SEL_DATA3 = 0x50, SEL_SMALL = 0x58,
	SEL_TSS_NP = 0x60, SEL_TSS_PF = 0x68, SEL_CODE3 = 0x70, GDT_ENTRIES = 15
};

static int f_read(void *ctx, uint64_t la, void *buf, unsigned int size)
{
	if (la + size > sizeof(mem) || (la < fm.fault_hi && la + size > fm.fault_lo))
		return -EFAULT;
	memcpy(buf, mem + la, size);
	return 0;
}

static int f_write(void *ctx, uint64_t la, const void *buf, unsigned int size)
{
	if (la + size > sizeof(mem) || (la < fm.fault_hi && la + size > fm.fault_lo))
		return -EFAULT;
	memcpy(mem + la, buf, size);
	return 0;
}

static int f_load_cr3(void *ctx, uint64_t cr3)
{
	fm.cr3 = cr3;
	fm.cr3_calls++;
	return fm.cr3_rc;
}

static const struct insn_ops mops = { f_read, f_write, NULL };
static const struct ts_ops ops = { &mops, f_load_cr3, NULL };

static uint32_t rd32(uint32_t a) { uint32_t v; memcpy(&v, mem + a, 4); return v; }
static uint16_t rd16(uint32_t a) { uint16_t v; memcpy(&v, mem + a, 2); return v; }
static void wr32(uint32_t a, uint32_t v) { memcpy(mem + a, &v, 4); }

/* A descriptor: access byte (P DPL S type) and flags nibble (G D/B L AVL). */
static void desc(uint16_t sel, uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	uint32_t lo = (base << 16) | (limit & 0xffff);
	uint32_t hi = (base >> 16 & 0xff) | (uint32_t)access << 8 | (limit & 0xf0000) |
		      (uint32_t)flags << 20 | (base & 0xff000000);

	wr32(GDT + (sel & ~7u), lo);
	wr32(GDT + (sel & ~7u) + 4, hi);
}

static uint8_t type_of(uint16_t sel) { return mem[GDT + (sel & ~7u) + 5] & 0xf; }

static void tss_image(uint32_t base, uint32_t eip, uint16_t cs, uint16_t ds)
{
	wr32(base + TSS32_CR3, 0xa000);
	wr32(base + TSS32_EIP, eip);
	wr32(base + TSS32_EFLAGS, 0x202);
	for (unsigned int i = 0; i < 8; i++)
		wr32(base + TSS32_GPR + 4 * i, 0x100 + i);
	wr32(base + TSS32_GPR + 16, STACK_B);
	for (unsigned int i = TS_ES; i <= TS_GS; i++)
		wr32(base + TSS32_SEG + 4 * i, i == TS_CS ? cs : i == TS_SS ? SEL_DATA : ds);
	wr32(base + TSS32_LDT, 0);
}

static void setup(struct ts_cpu *c)
{
	memset(mem, 0, sizeof(mem));
	memset(&fm, 0, sizeof(fm));
	desc(SEL_CODE, 0, 0xfffff, 0x9a, 0xc);
	desc(SEL_DATA, 0, 0xfffff, 0x92, 0xc);
	desc(SEL_A, TSS_A, 0x67, 0x8b, 0);
	desc(SEL_B, TSS_B, 0x67, 0x89, 0);
	desc(SEL_TSS16, 0x4000, 0x2b, 0x81, 0);
	desc(SEL_LDT, LDT, 0x17, 0x82, 0);
	desc(SEL_CODE_NP, 0, 0xfffff, 0x1a, 0xc);
	desc(SEL_DATA_NP, 0, 0xfffff, 0x12, 0xc);
	desc(SEL_XONLY, 0, 0xfffff, 0x98, 0xc);
	desc(SEL_DATA3, 0, 0xfffff, 0xf2, 0xc);
	desc(SEL_SMALL, 0x4000, 0x50, 0x89, 0);
	desc(SEL_TSS_NP, 0x4000, 0x67, 0x09, 0);
	desc(SEL_TSS_PF, TSS_PF, 0x67, 0x89, 0);
	desc(SEL_CODE3, 0, 0xfffff, 0xfa, 0xc);
	tss_image(TSS_B, 0x8000, SEL_CODE, SEL_DATA);
	memset(c, 0, sizeof(*c));
	for (unsigned int i = 0; i < 8; i++)
		c->gpr[i] = 0x10 + i;
	c->eip = 0x7000;
	c->eflags = 0x246;
	for (unsigned int i = TS_ES; i <= TS_GS; i++)
		ts_seg_from_desc(i == TS_CS ? SEL_CODE : SEL_DATA, rd32(GDT + (i == TS_CS ? 8 : 16)),
				 rd32(GDT + (i == TS_CS ? 12 : 20)), &c->seg[i]);
	c->seg[TS_LDTR].ar = TS_AR_UNUSABLE;
	c->seg[TS_TR] = (struct ts_seg){ SEL_A, TSS_A, 0x67, 0x8b };
	c->gdt_base = GDT;
	c->gdt_limit = GDT_ENTRIES * 8 - 1;
	c->cr0 = 0x11;
	c->cr3 = 0x9000;
	c->dr7 = 0x755;                 /* L0-L3, G0, LE, GE, bit 10 */
}

static struct ts_result run(struct ts_cpu *c, enum ts_source src, uint16_t sel, unsigned int len)
{
	struct ts_event ev = { .source = src, .selector = sel, .insn_len = len, .after_insn = len != 0 };
	struct ts_result r;

	task_switch(c, &ev, &ops, &r);
	return r;
}

static bool is_fault(const struct ts_result *r, unsigned int vector, uint32_t code)
{
	return r->status == TS_FAULT && r->vector == vector && r->error_code == code;
}

/* The new task B as loaded from its TSS. */
static void check_loaded_b(const struct ts_cpu *c)
{
	CHECK_EQ(c->eip, 0x8000);
	CHECK_EQ(c->gpr[0], 0x100);
	CHECK_EQ(c->gpr[4], STACK_B);
	CHECK_EQ(c->gpr[7], 0x107);
	CHECK_EQ(c->cr3, 0xa000);
	CHECK_EQ(fm.cr3, 0xa000);
	CHECK(c->cr0 & TS_CR0_TS);
	CHECK_EQ(c->dr7, 0x600);        /* local enables cleared, the rest kept */
	CHECK_EQ(c->seg[TS_TR].sel, SEL_B);
	CHECK_EQ(c->seg[TS_TR].base, TSS_B);
	CHECK_EQ(c->seg[TS_TR].limit, 0x67);
	CHECK_EQ(c->seg[TS_TR].ar, 0x8b);
	CHECK_EQ(c->seg[TS_CS].sel, SEL_CODE);
	CHECK_EQ(c->seg[TS_CS].limit, 0xffffffff);
	CHECK_EQ(c->seg[TS_CS].ar, 0xc09b);     /* accessed now */
	CHECK_EQ(c->seg[TS_SS].ar, 0xc093);
	CHECK(c->seg[TS_LDTR].ar & TS_AR_UNUSABLE);
	CHECK_EQ(type_of(SEL_CODE), 0xb);       /* accessed bit written to the GDT */
}

/* The old task A's state saved in its TSS. */
static void check_saved_a(uint32_t eip, uint32_t eflags)
{
	CHECK_EQ(rd32(TSS_A + TSS32_EIP), eip);
	CHECK_EQ(rd32(TSS_A + TSS32_EFLAGS), eflags);
	CHECK_EQ(rd32(TSS_A + TSS32_GPR), 0x10);
	CHECK_EQ(rd32(TSS_A + TSS32_GPR + 28), 0x17);
	CHECK_EQ(rd16(TSS_A + TSS32_SEG + 4 * TS_CS), SEL_CODE);
	CHECK_EQ(rd16(TSS_A + TSS32_SEG + 4 * TS_GS), SEL_DATA);
	CHECK_EQ(rd32(TSS_A + TSS32_CR3), 0);   /* CR3 and LDT are not saved */
}

TEST(call_nests_the_new_task)
{
	struct ts_cpu c;
	struct ts_result r;

	setup(&c);
	r = run(&c, TS_CALL, SEL_B, 7);
	CHECK_EQ(r.status, TS_DONE);
	CHECK(r.committed && !r.debug_trap);
	check_loaded_b(&c);
	check_saved_a(0x7007, 0x246);
	CHECK_EQ(c.eflags, 0x202 | TS_EFLAGS_NT);
	CHECK_EQ(rd16(TSS_B + TSS32_LINK), SEL_A);
	CHECK_EQ(type_of(SEL_A), TS_TYPE_TSS32_BUSY);   /* both busy */
	CHECK_EQ(type_of(SEL_B), TS_TYPE_TSS32_BUSY);
}

TEST(jmp_leaves_the_old_task)
{
	struct ts_cpu c;
	struct ts_result r;

	setup(&c);
	wr32(TSS_B + TSS32_LINK, 0x1234);
	r = run(&c, TS_JMP, SEL_B, 7);
	CHECK_EQ(r.status, TS_DONE);
	check_loaded_b(&c);
	check_saved_a(0x7007, 0x246);
	CHECK_EQ(c.eflags, 0x202);                      /* no NT */
	CHECK_EQ(rd16(TSS_B + TSS32_LINK), 0x1234);     /* no back-link */
	CHECK_EQ(type_of(SEL_A), TS_TYPE_TSS32_AVAIL);
	CHECK_EQ(type_of(SEL_B), TS_TYPE_TSS32_BUSY);
}

TEST(iret_with_nt_returns_to_the_busy_task)
{
	struct ts_cpu c;
	struct ts_result r;

	setup(&c);
	desc(SEL_B, TSS_B, 0x67, 0x8b, 0);              /* the caller: busy */
	c.eflags |= TS_EFLAGS_NT;
	r = run(&c, TS_IRET, SEL_B, 1);
	CHECK_EQ(r.status, TS_DONE);
	check_loaded_b(&c);
	check_saved_a(0x7001, 0x246);                   /* NT cleared in the saved image */
	CHECK_EQ(c.eflags, 0x202);
	CHECK_EQ(type_of(SEL_A), TS_TYPE_TSS32_AVAIL);
	CHECK_EQ(type_of(SEL_B), TS_TYPE_TSS32_BUSY);
}

TEST(double_fault_task_gate_pushes_error_code_zero)
{
	struct ts_event ev = { .source = TS_GATE, .selector = SEL_B, .insn_len = 3, .after_insn = false,
			       .external = true, .has_error_code = true, .error_code = 0 };
	struct ts_cpu c;
	struct ts_result r;

	setup(&c);
	wr32(STACK_B - 4, 0xdeadbeef);
	task_switch(&c, &ev, &ops, &r);
	CHECK_EQ(r.status, TS_DONE);
	CHECK_EQ(c.eip, 0x8000);
	check_saved_a(0x7000, 0x246);                   /* the faulting EIP, not after it */
	CHECK_EQ(c.eflags, 0x202 | TS_EFLAGS_NT);
	CHECK_EQ(rd16(TSS_B + TSS32_LINK), SEL_A);
	CHECK_EQ(c.gpr[4], STACK_B - 4);
	CHECK_EQ(rd32(STACK_B - 4), 0);
	CHECK_EQ(type_of(SEL_A), TS_TYPE_TSS32_BUSY);
	CHECK_EQ(type_of(SEL_B), TS_TYPE_TSS32_BUSY);
}

TEST(gate_for_a_fault_saves_rf_and_software_interrupt_saves_next_eip)
{
	struct ts_event ev = { .source = TS_GATE, .selector = SEL_B, .saved_rf = true, .has_error_code = true,
			       .error_code = 0x58, .external = true };
	struct ts_cpu c;
	struct ts_result r;

	setup(&c);
	task_switch(&c, &ev, &ops, &r);
	CHECK_EQ(r.status, TS_DONE);
	check_saved_a(0x7000, 0x246 | TS_EFLAGS_RF);
	CHECK_EQ(rd32(STACK_B - 4), 0x58);

	setup(&c);
	ev = (struct ts_event){ .source = TS_GATE, .selector = SEL_B, .insn_len = 2, .after_insn = true };
	task_switch(&c, &ev, &ops, &r);
	CHECK_EQ(r.status, TS_DONE);
	check_saved_a(0x7002, 0x246);                   /* INT n: after the instruction */
	CHECK_EQ(c.gpr[4], STACK_B);                    /* nothing pushed */
}

TEST(new_tss_descriptor_checks)
{
	struct ts_cpu c;
	struct ts_result r;

	setup(&c);
	CHECK(is_fault((r = run(&c, TS_CALL, SEL_B | 4, 7), &r), 13, SEL_B | 4));       /* in the LDT */
	CHECK(is_fault((r = run(&c, TS_JMP, 0x78, 7), &r), 13, 0x78));                 /* beyond the GDT */
	CHECK(is_fault((r = run(&c, TS_IRET, 0x78, 1), &r), 10, 0x78));                /* IRET: #TS */
	CHECK(is_fault((r = run(&c, TS_JMP, 0, 7), &r), 13, 0));                       /* null */
	CHECK(is_fault((r = run(&c, TS_CALL, SEL_DATA, 7), &r), 13, SEL_DATA));         /* not a TSS */
	CHECK(is_fault((r = run(&c, TS_CALL, SEL_LDT, 7), &r), 13, SEL_LDT));
	CHECK(is_fault((r = run(&c, TS_CALL, SEL_A, 7), &r), 13, SEL_A));               /* busy */
	CHECK(is_fault((r = run(&c, TS_IRET, SEL_B, 1), &r), 10, SEL_B));               /* not busy */
	CHECK(is_fault((r = run(&c, TS_JMP, SEL_TSS_NP, 7), &r), 11, SEL_TSS_NP));      /* not present */
	CHECK(is_fault((r = run(&c, TS_JMP, SEL_SMALL, 7), &r), 10, SEL_SMALL));        /* limit < 0x67 */
	CHECK(!r.committed);
	desc(SEL_TSS16, 0x4000, 0x2a, 0x81, 0);                                        /* 16-bit limit < 0x2b */
	CHECK(is_fault((r = run(&c, TS_CALL, SEL_TSS16, 7), &r), 10, SEL_TSS16));
	c.seg[TS_TR].ar = 0x8e;                                                         /* TR not a TSS */
	r = run(&c, TS_CALL, SEL_B, 7);
	CHECK(r.status == TS_UNSUPPORTED && r.why && !r.committed);
	c.seg[TS_TR].ar = 0x8b;
	/* The EXT bit for an event from outside the program. */
	struct ts_event ev = { .source = TS_GATE, .selector = SEL_TSS_NP, .external = true };
	task_switch(&c, &ev, &ops, &r);
	CHECK(is_fault(&r, 11, SEL_TSS_NP | 1));
	/* Nothing changed by a refused switch. */
	CHECK_EQ(c.eip, 0x7000);
	CHECK_EQ(c.seg[TS_TR].sel, SEL_A);
	CHECK_EQ(rd32(TSS_A + TSS32_EIP), 0);
	CHECK_EQ(type_of(SEL_A), TS_TYPE_TSS32_BUSY);
	CHECK_EQ(fm.cr3_calls, 0);
}

TEST(unreachable_tss_is_a_memory_failure_of_the_old_task)
{
	struct ts_cpu c;
	struct ts_result r;

	setup(&c);
	fm.fault_lo = TSS_PF;
	fm.fault_hi = TSS_PF + 0x1000;
	r = run(&c, TS_JMP, SEL_TSS_PF, 7);
	CHECK(r.status == TS_MEMORY && r.mem_rc == -EFAULT && !r.committed);
	CHECK_EQ(c.eip, 0x7000);
	CHECK_EQ(type_of(SEL_A), TS_TYPE_TSS32_BUSY);
}

/* A segment check of the new task: the fault comes after the commit. */
static void check_new_seg(unsigned int reg, uint16_t sel, unsigned int vector, uint32_t code)
{
	struct ts_cpu c;
	struct ts_result r;

	setup(&c);
	wr32(TSS_B + TSS32_SEG + 4 * reg, sel);
	r = run(&c, TS_JMP, SEL_B, 7);
	CHECK(is_fault(&r, vector, code));
	CHECK(r.committed);
	CHECK_EQ(c.seg[TS_TR].sel, SEL_B);
	CHECK_EQ(c.eip, 0x8000);
	CHECK_EQ(type_of(SEL_B), TS_TYPE_TSS32_BUSY);
	if (reg != TS_CS && reg != TS_SS)
		CHECK(c.seg[reg].ar & TS_AR_UNUSABLE);
}

TEST(new_segment_checks_fault_in_the_new_task)
{
	check_new_seg(TS_CS, 0, 10, 0);                         /* null CS */
	check_new_seg(TS_CS, SEL_DATA, 10, SEL_DATA);           /* not code */
	check_new_seg(TS_CS, SEL_CODE_NP, 11, SEL_CODE_NP);     /* not present: #NP */
	check_new_seg(TS_CS, SEL_CODE | 3, 10, SEL_CODE);       /* DPL != RPL */
	check_new_seg(TS_CS, 0x80, 10, 0x80);                   /* beyond the GDT */
	check_new_seg(TS_SS, 0, 10, 0);                         /* null SS */
	check_new_seg(TS_SS, SEL_CODE, 10, SEL_CODE);           /* not writable data */
	check_new_seg(TS_SS, SEL_DATA3, 10, SEL_DATA3);         /* DPL != CPL */
	check_new_seg(TS_SS, SEL_DATA_NP, 12, SEL_DATA_NP);     /* not present: #SS */
	check_new_seg(TS_DS, SEL_XONLY, 10, SEL_XONLY);         /* execute-only code */
	check_new_seg(TS_ES, SEL_DATA_NP, 11, SEL_DATA_NP);     /* not present: #NP */
	check_new_seg(TS_FS, SEL_A, 10, SEL_A);                 /* a system descriptor */
	check_new_seg(TS_GS, SEL_DATA | 4, 10, SEL_DATA | 4);   /* LDT without an LDT */

	struct ts_cpu c;
	struct ts_result r;

	setup(&c);
	wr32(TSS_B + TSS32_SEG + 4 * TS_DS, 0);                 /* a null DS is fine: unusable */
	r = run(&c, TS_JMP, SEL_B, 7);
	CHECK_EQ(r.status, TS_DONE);
	CHECK(c.seg[TS_DS].ar & TS_AR_UNUSABLE);
	/* CPL 3 task: DPL 0 data refused, DPL 3 data taken. */
	setup(&c);
	wr32(TSS_B + TSS32_SEG + 4 * TS_CS, SEL_CODE3 | 3);
	wr32(TSS_B + TSS32_SEG + 4 * TS_SS, SEL_DATA3 | 3);
	r = run(&c, TS_JMP, SEL_B, 7);
	CHECK(is_fault(&r, 10, SEL_DATA));
	setup(&c);
	for (unsigned int i = TS_ES; i <= TS_GS; i++)
		wr32(TSS_B + TSS32_SEG + 4 * i, i == TS_CS ? SEL_CODE3 | 3 : SEL_DATA3 | 3);
	r = run(&c, TS_JMP, SEL_B, 7);
	CHECK_EQ(r.status, TS_DONE);
	CHECK_EQ((c.seg[TS_SS].ar >> 5) & 3, 3);
}

TEST(ldt_of_the_new_task)
{
	struct ts_cpu c;
	struct ts_result r;

	setup(&c);
	/* LDT entry 1 (selector 0x0c): flat data. */
	wr32(LDT + 8, 0x0000ffff);
	wr32(LDT + 12, 0x00cf9200);
	wr32(TSS_B + TSS32_LDT, SEL_LDT);
	wr32(TSS_B + TSS32_SEG + 4 * TS_DS, 0x0c);
	r = run(&c, TS_JMP, SEL_B, 7);
	CHECK_EQ(r.status, TS_DONE);
	CHECK_EQ(c.seg[TS_LDTR].sel, SEL_LDT);
	CHECK_EQ(c.seg[TS_LDTR].base, LDT);
	CHECK_EQ(c.seg[TS_LDTR].ar, 0x82);
	CHECK_EQ(c.seg[TS_DS].sel, 0x0c);
	CHECK_EQ(c.seg[TS_DS].ar, 0xc093);
	CHECK_EQ(mem[LDT + 13], 0x93);                  /* accessed bit in the LDT */

	setup(&c);
	wr32(TSS_B + TSS32_LDT, SEL_DATA);              /* not an LDT */
	CHECK(is_fault((r = run(&c, TS_JMP, SEL_B, 7), &r), 10, SEL_DATA));
	setup(&c);
	wr32(TSS_B + TSS32_LDT, SEL_LDT | 4);           /* TI set */
	CHECK(is_fault((r = run(&c, TS_JMP, SEL_B, 7), &r), 10, SEL_LDT | 4));
	setup(&c);
	desc(SEL_LDT, LDT, 0x17, 0x02, 0);              /* not present */
	wr32(TSS_B + TSS32_LDT, SEL_LDT);
	CHECK(is_fault((r = run(&c, TS_JMP, SEL_B, 7), &r), 10, SEL_LDT));
}

TEST(eip_limit_cr3_and_debug_trap)
{
	struct ts_cpu c;
	struct ts_result r;

	setup(&c);
	desc(SEL_CODE, 0, 0x7fff, 0x9a, 0x4);           /* byte-granular, 32 KiB */
	wr32(TSS_B + TSS32_EIP, 0x8000);
	CHECK(is_fault((r = run(&c, TS_JMP, SEL_B, 7), &r), 13, 0));

	setup(&c);
	fm.cr3_rc = TS_CR3_INVALID;
	CHECK(is_fault((r = run(&c, TS_JMP, SEL_B, 7), &r), 13, 0));
	CHECK(r.committed);
	setup(&c);
	fm.cr3_rc = -EFAULT;
	r = run(&c, TS_JMP, SEL_B, 7);
	CHECK(r.status == TS_MEMORY && r.committed);

	setup(&c);
	wr32(TSS_B + TSS32_T, 1);
	r = run(&c, TS_CALL, SEL_B, 7);
	CHECK(r.status == TS_DONE && r.debug_trap);

	setup(&c);
	wr32(TSS_B + TSS32_EFLAGS, 0xffc08028 | 0x202);  /* reserved bits load as 0 */
	r = run(&c, TS_JMP, SEL_B, 7);
	CHECK_EQ(r.status, TS_DONE);
	CHECK_EQ(c.eflags, 0x202);
}

TEST(error_code_push_checks_the_stack)
{
	struct ts_event ev = { .source = TS_GATE, .selector = SEL_B, .external = true, .has_error_code = true };
	struct ts_cpu c;
	struct ts_result r;

	setup(&c);
	desc(SEL_DATA, 0, 0x5ffe, 0x92, 0x4);           /* byte-granular: the dword at 0x5ffc does not fit */
	task_switch(&c, &ev, &ops, &r);
	CHECK(is_fault(&r, 12, 1));                     /* #SS(EXT) */
	CHECK_EQ(c.gpr[4], STACK_B);

	setup(&c);
	fm.fault_lo = STACK_B - 0x1000;
	fm.fault_hi = STACK_B;
	task_switch(&c, &ev, &ops, &r);
	CHECK(r.status == TS_MEMORY && r.committed);
}

#define TSS16 0x4000u

static void wr16(uint32_t a, uint16_t v) { memcpy(mem + a, &v, 2); }

static void tss16_image(void)
{
	wr16(TSS16 + TSS16_IP, 0x1234);
	wr16(TSS16 + TSS16_FLAGS, 0x0202);
	for (unsigned int i = 0; i < 8; i++)
		wr16(TSS16 + TSS16_GPR + 2 * i, 0x200 + i);
	wr16(TSS16 + TSS16_GPR + 8, STACK_B);
	wr16(TSS16 + TSS16_SEG + 2 * TS_ES, SEL_DATA);
	wr16(TSS16 + TSS16_SEG + 2 * TS_CS, SEL_CODE);
	wr16(TSS16 + TSS16_SEG + 2 * TS_SS, SEL_DATA);
	wr16(TSS16 + TSS16_SEG + 2 * TS_DS, 0);
}

TEST(sixteen_bit_tss_both_ways)
{
	struct ts_event ev = { .source = TS_GATE, .selector = SEL_TSS16, .external = true,
			       .has_error_code = true, .error_code = 0xabcd1234 };
	struct ts_cpu c;
	struct ts_result r;

	setup(&c);
	tss16_image();
	c.gpr[0] = 0xaaaa5555;
	r = run(&c, TS_CALL, SEL_TSS16, 7);
	CHECK_EQ(r.status, TS_DONE);
	CHECK_EQ(c.eip, 0x1234);
	CHECK_EQ(c.eflags, 0x202 | TS_EFLAGS_NT);
	CHECK_EQ(c.gpr[0], 0x200);                      /* zero-extended */
	CHECK_EQ(c.gpr[4], STACK_B);
	CHECK_EQ(c.seg[TS_CS].sel, SEL_CODE);
	CHECK(c.seg[TS_DS].ar & TS_AR_UNUSABLE);
	CHECK_EQ(c.seg[TS_FS].sel, SEL_DATA);           /* FS and GS are not in a 16-bit TSS */
	CHECK(!(c.seg[TS_FS].ar & TS_AR_UNUSABLE));
	CHECK_EQ(fm.cr3_calls, 0);                      /* nor is CR3 */
	CHECK_EQ(c.cr3, 0x9000);
	CHECK_EQ(c.seg[TS_TR].ar, 0x83);
	CHECK_EQ(rd16(TSS16 + TSS32_LINK), SEL_A);
	CHECK_EQ(type_of(SEL_TSS16), TS_TYPE_TSS16_BUSY);
	CHECK_EQ(rd32(TSS_A + TSS32_EIP), 0x7007);
	CHECK_EQ(rd32(TSS_A + TSS32_GPR), 0xaaaa5555);

	/* IRET back to the 32-bit task: the 16-bit one saves 16-bit registers. */
	c.gpr[3] = 0x12345678;
	c.eip = 0x1300;
	wr32(TSS16 + 0x2c, 0x5e5e5e5e);
	r = run(&c, TS_IRET, SEL_A, 1);
	CHECK_EQ(r.status, TS_DONE);
	CHECK_EQ(rd16(TSS16 + TSS16_IP), 0x1301);
	CHECK_EQ(rd16(TSS16 + TSS16_FLAGS), 0x202);     /* NT cleared */
	CHECK_EQ(rd16(TSS16 + TSS16_GPR + 6), 0x5678);
	CHECK_EQ(rd16(TSS16 + TSS16_GPR + 8), STACK_B);
	CHECK_EQ(rd16(TSS16 + TSS16_SEG + 2 * TS_DS), 0);
	CHECK_EQ(rd32(TSS16 + 0x2c), 0x5e5e5e5e);       /* nothing past the 16-bit TSS written */
	CHECK_EQ(c.eip, 0x7007);
	CHECK_EQ(c.seg[TS_TR].sel, SEL_A);
	CHECK_EQ(type_of(SEL_TSS16), TS_TYPE_TSS16_AVAIL);
	CHECK_EQ(fm.cr3_calls, 1);

	/* A gate to a 16-bit TSS pushes a 16-bit error code. */
	setup(&c);
	tss16_image();
	wr32(STACK_B - 4, 0xffffffff);
	task_switch(&c, &ev, &ops, &r);
	CHECK_EQ(r.status, TS_DONE);
	CHECK_EQ(c.gpr[4], STACK_B - 2);
	CHECK_EQ(rd32(STACK_B - 4), 0x1234ffff);
}

TEST(vm86_task)
{
	struct ts_cpu c;
	struct ts_result r;

	setup(&c);
	wr32(TSS_B + TSS32_EFLAGS, 0x20202);
	for (unsigned int i = TS_ES; i <= TS_GS; i++)
		wr32(TSS_B + TSS32_SEG + 4 * i, 0x1000 + i);
	wr32(TSS_B + TSS32_EIP, 0x100);
	r = run(&c, TS_JMP, SEL_B, 7);
	CHECK_EQ(r.status, TS_DONE);
	CHECK_EQ(c.seg[TS_CS].base, 0x10010);
	CHECK_EQ(c.seg[TS_CS].limit, 0xffff);
	CHECK_EQ(c.seg[TS_SS].ar, 0xf3);
}
