/* guest/emul/task_switch.c - hardware task switches (SDM Vol. 3A, 8.3 Task Switching;
 * Table 8-2 for the checks and the fault each one raises; 6.12.2 interrupt tasks;
 * 6.13 error codes). Written from the SDM; KVM's emulator_do_task_switch was
 * compared for the order of the memory updates. */
#include "guest/emul/task_switch.h"
#include "lib/string.h"

#define VEC_TS  10
#define VEC_NP  11
#define VEC_SS  12
#define VEC_GP  13

#define SEL_TI          4u
#define SEL_RPL         3u
#define DESC_TYPE_CODE  8u          /* S = 1: code segment */
#define DESC_TYPE_CONF  4u          /* code: conforming; data: expand-down */
#define DESC_TYPE_RW    2u          /* code: readable; data: writable */
#define DESC_TYPE_A     1u          /* accessed */

struct ts_run {
	struct ts_cpu *cpu;
	const struct ts_event *ev;
	const struct ts_ops *ops;
	struct ts_result *r;
	uint32_t ext;                   /* EXT bit of every error code (6.13) */
};

static uint32_t lin(uint32_t base, uint32_t off)
{
	return base + off;              /* linear addresses wrap at 4 GiB outside IA-32e mode */
}

static bool mem_failed(struct ts_run *t, int rc)
{
	if (!rc)
		return false;
	t->r->status = TS_MEMORY;
	t->r->mem_rc = rc;
	return true;
}

static bool rd(struct ts_run *t, uint32_t la, void *buf, unsigned int size)
{
	return !mem_failed(t, t->ops->mem->read(t->ops->mem->ctx, la, buf, size));
}

static bool wr(struct ts_run *t, uint32_t la, const void *buf, unsigned int size)
{
	return !mem_failed(t, t->ops->mem->write(t->ops->mem->ctx, la, buf, size));
}

/* Always false, so a check can `return fault(...)`. */
static bool fault(struct ts_run *t, unsigned int vector, uint32_t code)
{
	t->r->status = TS_FAULT;
	t->r->vector = vector;
	t->r->error_code = code;
	return false;
}

static bool sel_fault(struct ts_run *t, unsigned int vector, uint16_t sel)
{
	return fault(t, vector, (sel & 0xfffcu) | t->ext);
}

static bool unsupported(struct ts_run *t, const char *why)
{
	t->r->status = TS_UNSUPPORTED;
	t->r->why = why;
	return false;
}

void ts_seg_from_desc(uint16_t sel, uint32_t lo, uint32_t hi, struct ts_seg *s)
{
	uint32_t limit = (lo & 0xffff) | (hi & 0xf0000);

	s->sel = sel;
	s->base = lo >> 16 | (hi & 0xff) << 16 | (hi & 0xff000000);
	s->ar = (hi >> 8) & 0xf0ff;
	s->limit = (s->ar & TS_AR_G) ? limit << 12 | 0xfff : limit;
}

/* Reads the descriptor sel selects from the GDT (or the LDT for TI = 1, if
 * ldt_ok); false with #TS(sel) (or `vector`) if it is outside its table. */
static bool read_desc(struct ts_run *t, uint16_t sel, bool ldt_ok, unsigned int vector, uint32_t d[2],
		      uint32_t *addr)
{
	const struct ts_seg *ldt = &t->cpu->seg[TS_LDTR];
	uint32_t base = t->cpu->gdt_base, limit = t->cpu->gdt_limit;

	if (sel & SEL_TI) {
		if (!ldt_ok || (ldt->ar & TS_AR_UNUSABLE))
			return sel_fault(t, vector, sel);
		base = ldt->base;
		limit = ldt->limit;
	}
	if ((uint32_t)(sel | 7u) > limit)
		return sel_fault(t, vector, sel);
	*addr = lin(base, sel & ~7u);
	return rd(t, *addr, d, 8);
}

/* Sets the accessed bit of a code or data descriptor, as loading it does (3.4.5.1). */
static bool set_accessed(struct ts_run *t, uint32_t addr, struct ts_seg *s)
{
	uint8_t b;

	if (s->ar & DESC_TYPE_A)
		return true;
	s->ar |= DESC_TYPE_A;
	if (!rd(t, addr + 5, &b, 1))
		return false;
	b |= DESC_TYPE_A;
	return wr(t, addr + 5, &b, 1);
}

static void seg_unusable(struct ts_seg *s, uint16_t sel)
{
	*s = (struct ts_seg){ .sel = sel, .ar = TS_AR_UNUSABLE };
}

/* LDTR from the new TSS (Table 8-2: #TS(LDT selector) for every failure). */
static bool load_ldtr(struct ts_run *t, uint16_t sel)
{
	struct ts_seg *s = &t->cpu->seg[TS_LDTR];
	uint32_t d[2], addr;
	struct ts_seg n;

	seg_unusable(s, sel);
	if (!(sel & ~SEL_RPL))
		return true;
	if (sel & SEL_TI)
		return sel_fault(t, VEC_TS, sel);
	if (!read_desc(t, sel, false, VEC_TS, d, &addr))
		return false;
	ts_seg_from_desc(sel, d[0], d[1], &n);
	if ((n.ar & TS_AR_S) || (n.ar & TS_AR_TYPE_MASK) != TS_TYPE_LDT || !(n.ar & TS_AR_P))
		return sel_fault(t, VEC_TS, sel);
	*s = n;
	return true;
}

/* One of CS, SS, DS, ES, FS, GS in protected mode, with the checks of Table 8-2
 * (#TS for a bad selector, type or privilege; #NP, for SS #SS, if not present). */
static bool load_seg(struct ts_run *t, unsigned int reg, uint16_t sel, unsigned int cpl)
{
	struct ts_seg *s = &t->cpu->seg[reg];
	unsigned int rpl = sel & SEL_RPL, dpl, type;
	uint32_t d[2], addr;
	struct ts_seg n;
	bool code;

	if (!(sel & ~SEL_RPL)) {
		if (reg == TS_CS || reg == TS_SS)
			return sel_fault(t, VEC_TS, sel);
		seg_unusable(s, sel);
		return true;
	}
	if (!read_desc(t, sel, true, VEC_TS, d, &addr))
		return false;
	ts_seg_from_desc(sel, d[0], d[1], &n);
	type = n.ar & TS_AR_TYPE_MASK;
	dpl = (n.ar >> TS_AR_DPL_SHIFT) & 3;
	code = type & DESC_TYPE_CODE;
	if (!(n.ar & TS_AR_S))
		return sel_fault(t, VEC_TS, sel);
	switch (reg) {
	case TS_CS:
		if (!code || ((type & DESC_TYPE_CONF) ? dpl > rpl : dpl != rpl))
			return sel_fault(t, VEC_TS, sel);
		if (!(n.ar & TS_AR_P))
			return sel_fault(t, VEC_NP, sel);
		break;
	case TS_SS:
		if (code || !(type & DESC_TYPE_RW) || rpl != cpl || dpl != cpl)
			return sel_fault(t, VEC_TS, sel);
		if (!(n.ar & TS_AR_P))
			return sel_fault(t, VEC_SS, sel);
		break;
	default:
		if (code && !(type & DESC_TYPE_RW))
			return sel_fault(t, VEC_TS, sel);
		if (!(code && (type & DESC_TYPE_CONF)) && (dpl < cpl || dpl < rpl))
			return sel_fault(t, VEC_TS, sel);
		if (!(n.ar & TS_AR_P))
			return sel_fault(t, VEC_NP, sel);
		break;
	}
	if (!set_accessed(t, addr, &n))
		return false;
	*s = n;
	return true;
}

/* Virtual-8086 segments: base selector * 16, 64 KiB, present read/write data at DPL 3 (20.1.1). */
static void load_vm86_segs(struct ts_cpu *c, const uint16_t sel[6])
{
	for (unsigned int i = TS_ES; i <= TS_GS; i++)
		c->seg[i] = (struct ts_seg){ .sel = sel[i], .base = (uint32_t)sel[i] << 4, .limit = 0xffff,
					     .ar = 0xf3 };
}

/* The exception's error code on the new task's stack (6.12.2): `width` bytes, as wide as the TSS's registers. */
static bool push_error_code(struct ts_run *t, unsigned int width)
{
	struct ts_cpu *c = t->cpu;
	const struct ts_seg *ss = &c->seg[TS_SS];
	bool big = ss->ar & TS_AR_DB;
	uint32_t mask = big ? 0xffffffffu : 0xffffu;
	uint32_t esp = (c->gpr[4] - width) & mask;
	bool expand_down = !(ss->ar & DESC_TYPE_CODE) && (ss->ar & DESC_TYPE_CONF);
	uint32_t top = expand_down ? mask : ss->limit;

	if ((expand_down && esp <= ss->limit) || esp > top || top - esp < width - 1)
		return fault(t, VEC_SS, t->ext);
	if (!wr(t, lin(ss->base, esp), &t->ev->error_code, width))
		return false;
	c->gpr[4] = (c->gpr[4] & ~mask) | esp;
	return true;
}

/* Where a TSS keeps what a task switch moves (SDM Vol. 3A, Figure 8-2 for the
 * 32-bit TSS, Figure 8-11 for the 16-bit one): register fields `width` bytes
 * wide and apart; the 16-bit TSS has no FS, GS, CR3 or T bit. */
struct tss_layout {
	unsigned int width;             /* 4 or 2 */
	unsigned int eip, eflags, gpr, seg, nseg, ldt;
	uint32_t min_limit;             /* the whole structure (new TSS) */
	uint32_t save_limit;            /* the last byte saved (old TSS) */
	bool has_cr3_t;
};

static const struct tss_layout tss32 = {
	4, TSS32_EIP, TSS32_EFLAGS, TSS32_GPR, TSS32_SEG, 6, TSS32_LDT, TSS32_MIN_LIMIT, 0x5f, true,
};
static const struct tss_layout tss16 = {
	2, TSS16_IP, TSS16_FLAGS, TSS16_GPR, TSS16_SEG, 4, TSS16_LDT, TSS16_MIN_LIMIT, 0x29, false,
};

static const struct tss_layout *layout_of(uint32_t ar)
{
	return (ar & TS_AR_TYPE_MASK & ~TS_TYPE_BUSY) == TS_TYPE_TSS32_AVAIL ? &tss32 : &tss16;
}

static uint32_t field(const uint8_t *tss, unsigned int off, unsigned int width)
{
	uint32_t v = 0;

	memcpy(&v, tss + off, width);
	return v;
}

/* Steps 1-2 of 8.3: the new TSS descriptor, the checks made on it before anything changes. */
static bool check_new_tss(struct ts_run *t, uint32_t d[2], uint32_t *addr, struct ts_seg *n)
{
	uint16_t sel = t->ev->selector;
	bool iret = t->ev->source == TS_IRET;
	unsigned int bad = iret ? VEC_TS : VEC_GP, type;

	if (!(sel & ~SEL_RPL))
		return sel_fault(t, bad, sel);
	if (sel & SEL_TI)
		return sel_fault(t, bad, sel);
	if (!read_desc(t, sel, false, bad, d, addr))
		return false;
	ts_seg_from_desc(sel, d[0], d[1], n);
	type = n->ar & TS_AR_TYPE_MASK;
	if ((n->ar & TS_AR_S) || ((type & ~TS_TYPE_BUSY) != TS_TYPE_TSS32_AVAIL &&
				  (type & ~TS_TYPE_BUSY) != TS_TYPE_TSS16_AVAIL))
		return sel_fault(t, bad, sel);
	/* IRET returns to a busy task; everything else enters an available one. */
	if (iret != !!(type & TS_TYPE_BUSY))
		return sel_fault(t, bad, sel);
	if (!(n->ar & TS_AR_P))
		return sel_fault(t, VEC_NP, sel);
	if (n->limit < layout_of(n->ar)->min_limit)
		return sel_fault(t, VEC_TS, sel);
	return true;
}

/* Step 4 (old task's state into its TSS: EIP, EFLAGS, GPRs, selectors) and the
 * busy-bit and back-link updates of steps 5-8; nothing of cpu changes. */
static bool save_old_task(struct ts_run *t, uint32_t new_addr, uint32_t new_desc_hi, uint32_t new_base)
{
	const struct ts_cpu *c = t->cpu;
	const struct ts_seg *tr = &c->seg[TS_TR];
	const struct tss_layout *l = layout_of(tr->ar);
	enum ts_source src = t->ev->source;
	uint32_t eip = c->eip + (t->ev->after_insn ? t->ev->insn_len : 0);
	uint32_t eflags = c->eflags;
	uint8_t type_byte;

	if ((tr->ar & TS_AR_TYPE_MASK) != TS_TYPE_TSS32_BUSY && (tr->ar & TS_AR_TYPE_MASK) != TS_TYPE_TSS16_BUSY)
		return unsupported(t, "TR does not hold a busy TSS");
	if (tr->limit < l->save_limit)
		return sel_fault(t, VEC_TS, tr->sel);
	if (src == TS_IRET)
		eflags &= ~TS_EFLAGS_NT;
	if (t->ev->saved_rf)
		eflags |= TS_EFLAGS_RF;
	if (!wr(t, lin(tr->base, l->eip), &eip, l->width) || !wr(t, lin(tr->base, l->eflags), &eflags, l->width))
		return false;
	for (unsigned int i = 0; i < 8; i++)
		if (!wr(t, lin(tr->base, l->gpr + l->width * i), &c->gpr[i], l->width))
			return false;
	for (unsigned int i = 0; i < l->nseg; i++)
		if (!wr(t, lin(tr->base, l->seg + l->width * i), &c->seg[TS_ES + i].sel, 2))
			return false;
	/* JMP and IRET leave the old task: no longer busy (its descriptor is in the GDT: LTR put it there). */
	if (src == TS_JMP || src == TS_IRET) {
		uint32_t d[2], addr;

		if (!read_desc(t, tr->sel, false, VEC_TS, d, &addr))
			return false;
		type_byte = (uint8_t)(d[1] >> 8) & ~TS_TYPE_BUSY;
		if (!wr(t, addr + 5, &type_byte, 1))
			return false;
	}
	/* CALL and gates nest: the back-link names the old task. */
	if ((src == TS_CALL || src == TS_GATE) && !wr(t, lin(new_base, TSS32_LINK), &tr->sel, 2))
		return false;
	if (src != TS_IRET) {
		type_byte = (uint8_t)(new_desc_hi >> 8) | TS_TYPE_BUSY;
		if (!wr(t, new_addr + 5, &type_byte, 1))
			return false;
	}
	return true;
}

/* Steps 9-12: the new task's state, in the new task's context. A 16-bit TSS
 * zero-extends its registers, clears EFLAGS[31:16] and keeps CR3, FS and GS. */
static bool load_new_task(struct ts_run *t, const uint8_t *tss, const struct ts_seg *tr)
{
	const struct tss_layout *l = layout_of(tr->ar);
	struct ts_cpu *c = t->cpu;
	enum ts_source src = t->ev->source;
	uint16_t sel[6];
	unsigned int cpl;
	int rc;

	c->seg[TS_TR] = *tr;
	c->seg[TS_TR].ar |= TS_TYPE_BUSY;
	c->cr0 |= TS_CR0_TS;
	c->dr7 &= ~(uint64_t)TS_DR7_LOCAL;
	c->eip = field(tss, l->eip, l->width);
	c->eflags = (field(tss, l->eflags, l->width) & TS_EFLAGS_DEFINED) | 2;
	if (src == TS_CALL || src == TS_GATE)
		c->eflags |= TS_EFLAGS_NT;
	for (unsigned int i = 0; i < 8; i++)
		c->gpr[i] = field(tss, l->gpr + l->width * i, l->width);
	for (unsigned int i = TS_ES; i <= TS_GS; i++)
		sel[i] = i < l->nseg ? (uint16_t)field(tss, l->seg + l->width * i, 2) : c->seg[i].sel;
	/* Selectors are loaded before any descriptor (8.3 step 10): data segments not
	 * loaded yet are unusable, CS and SS keep the old ones until loaded. */
	for (unsigned int i = TS_ES; i < l->nseg; i++)
		if (i != TS_CS && i != TS_SS)
			seg_unusable(&c->seg[i], sel[i]);
	if (l->has_cr3_t) {
		c->cr3 = field(tss, TSS32_CR3, 4);
		rc = t->ops->load_cr3(t->ops->ctx, c->cr3);
		if (rc == TS_CR3_INVALID)
			return fault(t, VEC_GP, 0);
		if (mem_failed(t, rc))
			return false;
	}
	if (!load_ldtr(t, (uint16_t)field(tss, l->ldt, 2)))
		return false;
	if (c->eflags & TS_EFLAGS_VM) {
		load_vm86_segs(c, sel);
	} else {
		cpl = sel[TS_CS] & SEL_RPL;
		if (!load_seg(t, TS_CS, sel[TS_CS], cpl) || !load_seg(t, TS_SS, sel[TS_SS], cpl))
			return false;
		for (unsigned int i = TS_ES; i < l->nseg; i++)
			if (i != TS_CS && i != TS_SS && !load_seg(t, i, sel[i], cpl))
				return false;
	}
	if (t->ev->has_error_code && !push_error_code(t, l->width))
		return false;
	if (c->eip > c->seg[TS_CS].limit)
		return fault(t, VEC_GP, t->ext);
	if (l->has_cr3_t && (field(tss, TSS32_T, 2) & 1))
		t->r->debug_trap = true;
	return true;
}

void task_switch(struct ts_cpu *cpu, const struct ts_event *ev, const struct ts_ops *ops, struct ts_result *r)
{
	struct ts_run t = { cpu, ev, ops, r, ev->external ? 1u : 0u };
	uint32_t d[2], addr;
	uint8_t tss[TSS32_MIN_LIMIT + 1];
	const struct tss_layout *l;
	struct ts_seg n;

	memset(r, 0, sizeof(*r));
	r->status = TS_DONE;
	if (!check_new_tss(&t, d, &addr, &n))
		return;
	l = layout_of(n.ar);
	for (unsigned int off = 0; off <= l->min_limit; off += l->width)
		if (!rd(&t, lin(n.base, off), tss + off, l->width))
			return;
	if (!save_old_task(&t, addr, d[1], n.base))
		return;
	if (ev->source == TS_CALL || ev->source == TS_GATE)
		memcpy(tss + TSS32_LINK, &cpu->seg[TS_TR].sel, 2);
	r->committed = true;
	(void)load_new_task(&t, tss, &n);
}
