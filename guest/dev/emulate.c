/* guest/dev/emulate.c - completing a guest instruction that touched unmapped
 * guest-physical memory: fetch through the guest's page tables, decode,
 * execute with every memory access routed by the guest memory map (RAM,
 * device model, or nothing: all ones / dropped). */
#include "guest/dev/emulate.h"
#include "guest/backend.h"
#include "guest/gmap.h"
#include "guest/gmem.h"
#include "guest/emul/gpt_walk.h"
#include "guest/emul/insn_cache.h"
#include "guest/dev/device.h"
#include "guest/dev/ioport.h"
#include "mm/devmem.h"
#include "drivers/console.h"
#include "lib/format.h"
#include "lib/hexdump.h"
#include "lib/string.h"
#include "lib/log.h"

#define HIDDEN_LOG_PAGES 16


/* Pages of hidden or absent memory already reported, so a guest that keeps
 * touching them cannot flood the console. */
static gpa_t hidden_logged[HIDDEN_LOG_PAGES];
static unsigned int hidden_logged_count;

static void log_nothing_there(struct emul_ctx *x, gpa_t gpa, bool write, const char *what)
{
	gpa_t page = gpa & ~(PAGE_SIZE - 1);

	if (!log_enabled(LOG_INFO))
		return;
	for (unsigned int i = 0; i < hidden_logged_count && i < HIDDEN_LOG_PAGES; i++)
		if (hidden_logged[i] == page)
			return;
	if (hidden_logged_count < HIDDEN_LOG_PAGES) {
		hidden_logged[hidden_logged_count] = page;
		printf("guest %s: %s of %s at GPA 0x%llx: %s (further accesses to this page not logged)\n",
		       x->v->name, write ? "write" : "read", what, (unsigned long long)gpa,
		       write ? "dropped" : "all ones");
	} else if (hidden_logged_count == HIDDEN_LOG_PAGES) {
		printf("guest %s: more pages of hidden memory touched; not logged any more\n", x->v->name);
	}
	hidden_logged_count++;
}

/* A fresh result: done, nothing to deliver (why is written only by a stop). */
static void result_clear(struct emul_result *r)
{
	r->status = EMUL_DONE;
	r->vector = 0;
	r->error_code = 0;
	r->cr2 = 0;
	r->why[0] = '\0';
}

static void stop(struct emul_ctx *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(x->r->why, sizeof(x->r->why), fmt, ap);
	va_end(ap);
	x->r->status = EMUL_STOP;
}

/* Pass-through device memory (MMIO, ROM) the emulated instruction also
 * touched: done on the real address (identity), as the guest's own access
 * would be; the hardware drops writes to ROM. */
static int pass_through_access(struct emul_ctx *x, gpa_t gpa, uint8_t *buf, unsigned int n, bool write)
{
	int rc = write ? devmem_write(gpa, buf, n) : devmem_read(gpa, buf, n);

	if (rc)
		stop(x, "cannot reach pass-through memory at GPA 0x%llx (%d)", (unsigned long long)gpa, rc);
	return rc;
}

/* A 1, 2, 4 or 8-byte operand to and from its bytes (little-endian, as
 * the guest's): fixed-size moves, not a memcpy call per access. */
static inline void bytes_put(uint8_t *buf, uint64_t v, unsigned int n)
{
	switch (n) {
	case 1: buf[0] = (uint8_t)v; break;
	case 2: __builtin_memcpy(buf, &v, 2); break;
	case 4: __builtin_memcpy(buf, &v, 4); break;
	default: __builtin_memcpy(buf, &v, 8); break;
	}
}

static inline void bytes_get(uint64_t *v, const uint8_t *buf, unsigned int n)
{
	switch (n) {
	case 1: *v = buf[0]; break;
	case 2: __builtin_memcpy(v, buf, 2); break;
	case 4: __builtin_memcpy(v, buf, 4); break;
	default: __builtin_memcpy(v, buf, 8); break;
	}
}

/* An access of n bytes at gpa to device model d. */
static int model_access(struct emul_ctx *x, struct device_model *d, gpa_t gpa, uint8_t *buf, unsigned int n,
			bool write)
{
	if (!d->mmio_read || !d->mmio_write) {
		stop(x, "device %s has no MMIO handlers", d->name);
		return -EINVAL;
	}
	/* Device registers take whole 1/2/4/8-byte accesses; anything else byte by byte. */
	if (n == 1 || n == 2 || n == 4 || n == 8) {
		uint64_t v = 0;

		if (write) {
			bytes_get(&v, buf, n);
			d->mmio_write(d, x->v, gpa, n, v);
		} else {
			v = d->mmio_read(d, x->v, gpa, n);
			bytes_put(buf, v, n);
		}
		return 0;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (write)
			d->mmio_write(d, x->v, gpa + i, 1, buf[i]);
		else
			buf[i] = (uint8_t)d->mmio_read(d, x->v, gpa + i, 1);
	}
	return 0;
}

/* One physical piece, inside a single guest-map range. */
static int phys_access(struct emul_ctx *x, gpa_t gpa, uint8_t *buf, unsigned int n, bool write)
{
	const struct emul_hint *h = x->hint;
	const struct gmap_range *r;

	/* The exit's range, looked up once, while the map is the one it came from. */
	if (h && h->range && gpa >= h->range->start && gpa < h->range->end &&
	    h->gen == gmem_map()->generation)
		r = h->range;
	else
		r = gmap_lookup(gmem_map(), gpa);

	/* A device model's range first: what nearly every emulation reaches. */
	if (likely(r && r->kind == GMAP_TRAPPED && r->dev))
		return model_access(x, r->dev, gpa, buf, n, write);
	if (!r || r->kind == GMAP_HIDDEN || r->kind == GMAP_UNUSABLE) {
		/* What a PC does where nothing answers: reads float high, writes vanish. */
		log_nothing_there(x, gpa, write, !r ? "unmapped space" : r->kind == GMAP_UNUSABLE ? "unusable memory" :
						 r->owner && !strcmp(r->owner, "iommu") ? "the IOMMU's hidden registers" :
						 "hidden hypervisor memory");
		if (!write)
			memset(buf, 0xff, n);
		return 0;
	}
	if (r->kind == GMAP_RAM)
		return write ? gmem_write(gpa, buf, n) : gmem_read(gpa, buf, n);
	if (r->kind == GMAP_MMIO)
		return pass_through_access(x, gpa, buf, n, write);
	if (r->kind == GMAP_ROM) {
		/* Read-only, like the firmware's ROM it stands for: writes vanish. */
		if (write)
			log_nothing_there(x, gpa, write, "read-only memory");
		else
			memcpy(buf, gmem_rom_ptr(r, gpa), n);
		return 0;
	}
	/* A write-trapped range's model gets the reads of an emulated
	 * instruction too (an RMW), so it sees the access whole. */
	if ((r->kind != GMAP_TRAPPED && r->kind != GMAP_WRITE_TRAPPED) || !r->dev) {
		stop(x, "GPA 0x%llx has no device model", (unsigned long long)gpa);
		return -EINVAL;
	}
	return model_access(x, r->dev, gpa, buf, n, write);
}

/* The walker's view of x's CPU; the PDPTE registers are read the first time
 * PAE paging needs them. */
static enum gpt_mode gpt_cpu_of(struct emul_ctx *x, struct gpt_cpu *g)
{
	struct guest_cpu *c = x->c;
	enum gpt_mode m;

	g->cr0 = c->cr0;
	g->cr3 = c->cr3;
	g->cr4 = c->cr4;
	g->efer = c->efer;
	g->rflags = c->regs.rflags;
	g->cpl = c->cpl;
	g->maxphyaddr = c->maxphyaddr;
	m = gpt_mode_of(g);
	if (m != GPT_PAE)
		return m;
	if (!c->pdpte_valid)
		vcpu_read_cpu_pdptes(x->v, c);
	for (unsigned int i = 0; i < 4; i++)
		g->pdpte[i] = c->pdpte[i];
	return m;
}

/* Linear to guest-physical through the walk (its entries in *res); a page
 * fault is recorded as the result. */
static int translate_walk(struct emul_ctx *x, uint64_t la, unsigned int access, gpa_t *gpa,
			  struct gpt_result *res)
{
	struct gmem_walker mem;
	struct gpt_cpu g;
	int rc;

	gpt_cpu_of(x, &g);
	if (x->implicit)
		access |= GPT_ACCESS_IMPLICIT;
	else if (x->c->cpl == 3)
		access |= GPT_ACCESS_USER;
	gmem_walker_init(&mem);
	rc = gpt_translate(&g, &mem.ops, la, access, res);
	if (rc == -ENOENT) {
		x->r->status = EMUL_EXCEPTION;
		x->r->vector = 14;
		x->r->error_code = res->pf_error;
		x->r->cr2 = la;
		return rc;
	}
	if (rc) {
		stop(x, "guest page tables for 0x%llx are not in guest RAM", (unsigned long long)la);
		return rc;
	}
	*gpa = res->gpa;
	return 0;
}

/* Linear to guest-physical; a page fault is recorded as the result. */
static int translate(struct emul_ctx *x, uint64_t la, unsigned int access, gpa_t *gpa)
{
	const struct emul_hint *h = x->hint;
	struct gpt_result res;

	/* Not for fetches or the CPU's implicit accesses, and a write only
	 * where the CPU's own access was one: its walk checked no more. */
	if (h && !x->implicit && !(access & GPT_ACCESS_FETCH) &&
	    ((la ^ h->la) & ~(uint64_t)(PAGE_SIZE - 1)) == 0 && (!(access & GPT_ACCESS_WRITE) || h->write)) {
		*gpa = (h->gpa & ~(gpa_t)(PAGE_SIZE - 1)) | (la & (PAGE_SIZE - 1));
		return 0;
	}
	return translate_walk(x, la, access, gpa, &res);
}

/* In 64-bit mode an address must be canonical: bits above the linear width
 * (48, or 57 with CR4.LA57) copies of the top bit, else #GP(0) (SDM Vol. 1, 3.3.7.1). */
static bool canonical(const struct emul_ctx *x, uint64_t la)
{
	unsigned int bits = (x->c->cr4 & (1ULL << 12)) ? 57 : 48;
	int64_t s = (int64_t)(la << (64 - bits)) >> (64 - bits);

	return x->c->regs.mode != CPU_MODE_64 || (uint64_t)s == la;
}

/* An access of n bytes at la, split at page boundaries. All pieces are
 * translated before any is performed, so a fault leaves nothing half done. */
static int linear_access(struct emul_ctx *x, uint64_t la, uint8_t *buf, unsigned int n, bool write)
{
	const struct emul_hint *h = x->hint;
	gpa_t gpa[2];
	unsigned int first, pieces;
	int rc;

	/* Within the page the CPU's own access translated (translate's case):
	 * canonical as that access was, whose page it is. */
	if (h && !x->implicit && ((la ^ h->la) & ~(uint64_t)(PAGE_SIZE - 1)) == 0 &&
	    (la & (PAGE_SIZE - 1)) + n <= PAGE_SIZE && (!write || h->write))
		return phys_access(x, (h->gpa & ~(gpa_t)(PAGE_SIZE - 1)) | (la & (PAGE_SIZE - 1)), buf, n, write);
	first = (unsigned int)MIN((uint64_t)n, PAGE_SIZE - (la & (PAGE_SIZE - 1)));
	pieces = first < n ? 2 : 1;
	if (!canonical(x, la) || !canonical(x, la + n - 1)) {
		x->r->status = EMUL_EXCEPTION;
		x->r->vector = 13;
		x->r->error_code = 0;
		return -EFAULT;
	}
	for (unsigned int i = 0; i < pieces; i++) {
		rc = translate(x, i ? la + first : la, write ? GPT_ACCESS_WRITE : 0, &gpa[i]);
		if (rc)
			return rc;
	}
	rc = phys_access(x, gpa[0], buf, first, write);
	if (!rc && pieces == 2)
		rc = phys_access(x, gpa[1], buf + first, n - first, write);
	return rc;
}

static int ops_read(void *ctx, uint64_t la, void *buf, unsigned int size)
{
	return linear_access(ctx, la, buf, size, false);
}

static int ops_write(void *ctx, uint64_t la, const void *buf, unsigned int size)
{
	uint8_t tmp[16];

	if (size > sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, buf, size);
	return linear_access(ctx, la, tmp, size, true);
}

void emulate_system_ops(struct emul_ctx *x, struct insn_ops *ops)
{
	x->implicit = true;
	result_clear(x->r);
	*ops = (struct insn_ops){ ops_read, ops_write, x };
}

/* Instruction bytes from guest RAM, or from pass-through memory (code in a
 * ROM: the CPU fetched it from there itself). */
static int fetch_piece(gpa_t gpa, uint8_t *buf, unsigned int n)
{
	const struct gmap_range *r = gmap_lookup(gmem_map(), gpa);

	if ((r && r->kind == GMAP_RAM && gpa + n <= r->end) || gmem_is_ram(gpa, n)) {
		memcpy(buf, gmem_ptr(gpa), n);
		return 0;
	}
	if (r && r->kind == GMAP_MMIO && gpa + n <= r->end)
		return devmem_read(gpa, buf, n);
	if (r && r->kind == GMAP_ROM && gpa + n <= r->end) {
		memcpy(buf, gmem_rom_ptr(r, gpa), n);
		return 0;
	}
	return -EFAULT;
}

/* The linear address of the instruction at RIP. */
static uint64_t code_la(const struct guest_cpu *c)
{
	return c->regs.mode == CPU_MODE_64 ? c->regs.rip : (c->regs.seg_base[1] + c->regs.rip) & 0xffffffffULL;
}

/* The key of x's instruction fetch in the decoded-instruction cache. */
static void cache_key(struct emul_ctx *x, struct insn_cache_key *k)
{
	struct guest_cpu *c = x->c;
	enum gpt_mode m = gpt_mode_bits(c->cr0, c->cr4, c->efer);

	if (m == GPT_PAE && !c->pdpte_valid)
		vcpu_read_cpu_pdptes(x->v, c);
	insn_cache_key_make(k, code_la(c), c->regs.mode, c->cpl == 3, gmem_map()->generation, m, c->cr3,
			    c->cr4, c->efer, c->pdpte);
}

/* Keeps in, decoded from bytes fetched at la through the walk res to gpa,
 * if it lies in one page of guest RAM (guest/emul/insn_cache.h). */
static void cache_put(struct emul_ctx *x, const struct insn_cache_key *k, const struct gpt_result *res,
		      gpa_t gpa, const uint8_t *bytes, const struct insn *in)
{
	const void *ptr[INSN_CACHE_LEVELS] = { NULL };
	struct insn_cache_walk w;

	if (!gmem_is_ram(gpa, in->len))
		return;
	for (unsigned int i = 0; i < res->levels && i < INSN_CACHE_LEVELS; i++)
		ptr[i] = gmem_ptr(res->entry_addrs[i]);   /* read by the walk: guest RAM */
	insn_cache_walk_of(res, ptr, &w);
	(void)insn_cache_put(&x->v->icache, k, &w, bytes, gmem_ptr(gpa), gpa, in);
}

/*
 * Fetches and decodes the instruction at RIP: the bytes up to the end of
 * its page first, the next page's only if the instruction goes on there
 * (a CPU fetches no further either: a fault on the next page is not the
 * instruction's when it ends before). 0, or nonzero with the result set
 * (#PF, #GP for more than 15 bytes, #UD, or a stop).
 */
static int fetch_decode(struct emul_ctx *x, const struct insn_cache_key *k, struct insn *in)
{
	const struct guest_cpu *c = x->c;
	uint64_t la = code_la(c);
	unsigned int first = (unsigned int)MIN((uint64_t)INSN_MAX_LEN, PAGE_SIZE - (la & (PAGE_SIZE - 1)));
	uint8_t bytes[INSN_MAX_LEN];
	unsigned int fetched = first;
	struct gpt_result res;
	gpa_t gpa, gpa2;
	int rc;

	if (translate_walk(x, la, GPT_ACCESS_FETCH, &gpa, &res))
		return -EFAULT;
	if (fetch_piece(gpa, bytes, first)) {
		stop(x, "instruction at RIP 0x%llx is neither in guest RAM nor in ROM (GPA 0x%llx)",
		     (unsigned long long)c->regs.rip, (unsigned long long)gpa);
		return -EFAULT;
	}
	rc = insn_decode(bytes, first, c->regs.mode, in);
	if (rc == -ERANGE && first < INSN_MAX_LEN) {
		if (translate(x, la + first, GPT_ACCESS_FETCH, &gpa2))
			return -EFAULT;
		/* Not RAM or ROM there: decoded with what there is, it is incomplete (#UD). */
		if (!fetch_piece(gpa2, bytes + first, INSN_MAX_LEN - first)) {
			fetched = INSN_MAX_LEN;
			rc = insn_decode(bytes, INSN_MAX_LEN, c->regs.mode, in);
		}
	}
	if (rc == -E2BIG) {
		x->r->status = EMUL_EXCEPTION;
		x->r->vector = 13;
		return rc;
	}
	if (rc) {
		/* The bytes fetched, no more: before a page that is neither RAM nor
		 * ROM there can be a single one. */
		char hex[3 * INSN_MAX_LEN];

		hexdump_bytes(hex, sizeof(hex), bytes, fetched);
		printf("guest %s: cannot emulate the instruction at RIP 0x%llx that touched GPA 0x%llx:"
		       " %s; #UD\n", x->v->name, (unsigned long long)c->regs.rip,
		       (unsigned long long)x->fault_gpa, hex);
		x->r->status = EMUL_EXCEPTION;
		x->r->vector = 6;
		return rc;
	}
	if (in->len <= first)
		cache_put(x, k, &res, gpa, bytes, in);
	return 0;
}

void emulate_string_io(struct vcpu *v, struct guest_cpu *c, const struct string_io *s,
		       struct emul_result *r)
{
	struct emul_ctx x = { v, c, r, false, NULL, INVALID_GPA };
	struct insn_cpu *cpu = &c->regs;
	uint64_t mask = s->addr_size == 8 ? ~0ULL : s->addr_size == 4 ? 0xffffffffULL : 0xffffULL;
	unsigned int idx = s->in ? REG_RDI : REG_RSI, seg = s->in ? 0 : s->segment;
	int64_t step = (cpu->rflags & INSN_RFLAGS_DF) ? -(int64_t)s->size : s->size;
	uint64_t count = s->rep ? cpu->gpr[REG_RCX] & mask : 1;
	unsigned int done = 0;

	result_clear(r);
	if (cpu->mode != CPU_MODE_64 || seg >= INSN_SEG_FS)
		vcpu_read_cpu_segs(v, c, 1u << seg);
	while (count && done < INSN_REP_MAX) {
		/* Only FS and GS have a base in 64-bit mode (SDM Vol. 1, 3.3.7). */
		uint64_t base = cpu->mode != CPU_MODE_64 || seg >= 4 ? cpu->seg_base[seg] : 0;
		uint64_t la = base + (cpu->gpr[idx] & mask);
		uint8_t buf[4];
		uint32_t val = 0;

		if (cpu->mode != CPU_MODE_64)
			la &= 0xffffffffULL;
		/* Expand-up limit outside 64-bit mode (SDM Vol. 3A, 5.3): #GP(0). */
		if (cpu->seg_limits && (cpu->gpr[idx] & mask) + s->size - 1 > cpu->seg_limit[seg]) {
			r->status = EMUL_EXCEPTION;
			r->vector = 13;
			return;
		}
		if (s->in) {
			val = ioport_in(v, s->port, s->size);
			memcpy(buf, &val, s->size);
			if (linear_access(&x, la, buf, s->size, true))
				return;
		} else {
			if (linear_access(&x, la, buf, s->size, false))
				return;
			memcpy(&val, buf, s->size);
			ioport_out(v, s->port, s->size, val);
		}
		/* One element is done: the registers say so, whatever comes next. */
		cpu->gpr[idx] = (cpu->gpr[idx] & ~mask) | ((cpu->gpr[idx] + step) & mask);
		cpu->gpr_written |= (uint16_t)(1u << idx);
		count--;
		done++;
		if (s->rep) {
			cpu->gpr[REG_RCX] = (cpu->gpr[REG_RCX] & ~mask) | (count & mask);
			cpu->gpr_written |= 1u << REG_RCX;
		}
	}
	if (!count)
		cpu->rip += s->insn_len;
}

/*
 * A kept MOV of insn_mov64_simple's kind, done on the vCPU's registers
 * themselves (no copy of them in and out): the access goes to the device
 * model of the exit's range when its address lies in the page the CPU's
 * own access translated, as linear_access and phys_access would send it;
 * otherwise (false) the general path does it. What the general path does
 * for such a MOV and nothing else: one access of the operand's size, one
 * register written with the CPU's rules (insn_gpr_write), RIP advanced;
 * RFLAGS and RSP untouched.
 */
static bool mov64_direct(struct emul_ctx *x, const struct insn *in)
{
	const struct emul_hint *h = x->hint;
	uint64_t *gpr = x->v->regs.gpr;
	bool store = in->dst.type == INSN_OPND_MEM;
	unsigned int size = in->dst.size;
	const struct gmap_range *r;
	uint64_t val = 0;
	gpa_t gpa;

	if (!h || !h->range || h->range->kind != GMAP_TRAPPED || !h->range->dev || (store && !h->write))
		return false;
	if (!insn_mov64_gpa(in, gpr, x->c->regs.rip, h->la, h->gpa, &gpa))
		return false;
	r = h->range;
	if (gpa < r->start || gpa >= r->end || h->gen != gmem_map()->generation)
		return false;
	if (store) {
		val = insn_mov64_store_val(in, gpr);
		if (model_access(x, r->dev, gpa, (uint8_t *)&val, size, true))
			return true;            /* stopped: the result says why */
	} else {
		if (model_access(x, r->dev, gpa, (uint8_t *)&val, size, false))
			return true;
		(void)insn_gpr_write(gpr, in->dst.reg, size, val);
	}
	x->c->regs.rip += in->len;
	return true;
}

/* The instruction at RIP looked up in the cache (its key *k; the entry *e,
 * or NULL) and, if it is a kept MOV of mov64_direct's kind, done: true
 * then, with the result set. */
static bool cached_mov64(struct emul_ctx *x, struct insn_cache_key *k, const struct insn_cache_entry **e)
{
	cache_key(x, k);
	*e = insn_cache_find(&x->v->icache, k);
	return *e && (*e)->mov64 && mov64_direct(x, &(*e)->insn);
}

bool emulate_cached_mov(struct vcpu *v, struct guest_cpu *c, gpa_t fault_gpa,
			const struct emul_hint *hint, struct emul_result *r)
{
	struct emul_ctx x = { v, c, r, false, hint, fault_gpa };
	const struct insn_cache_entry *e;
	struct insn_cache_key k;

	result_clear(r);
	return cached_mov64(&x, &k, &e);
}

void emulate_instruction(struct vcpu *v, struct guest_cpu *c, gpa_t fault_gpa,
			 const struct emul_hint *hint, struct emul_result *r)
{
	struct emul_ctx x = { v, c, r, false, hint, fault_gpa };
	struct insn_ops ops = { ops_read, ops_write, &x };
	const struct insn_cache_entry *e;
	struct insn_cache_key k;
	const struct insn *in;
	struct insn dec;
	unsigned int segs;
	int rc;

	result_clear(r);
	if (cached_mov64(&x, &k, &e))
		return;
	if (!c->regs_valid)
		vcpu_read_cpu_regs(v, c);
	if (e) {
		in = &e->insn;
		segs = e->segs;
	} else {
		if (fetch_decode(&x, &k, &dec))
			return;
		in = &dec;
		/* The segments its operands use; in 64-bit mode only FS and GS have a base. */
		segs = insn_segs_used(in);
		if (c->regs.mode == CPU_MODE_64)
			segs &= (1u << INSN_SEG_FS) | (1u << INSN_SEG_GS);
	}
	if (segs & ~(unsigned int)c->seg_valid)
		vcpu_read_cpu_segs(v, c, segs);
	/* A kept instruction passed insn_check when it was kept (insn_cache_put). */
	rc = e ? insn_emulate_checked(in, &c->regs, &ops) : insn_emulate(in, &c->regs, &ops);
	if ((rc == INSN_FAULT_GP || rc == INSN_FAULT_SS) && r->status == EMUL_DONE) {
		r->status = EMUL_EXCEPTION;
		r->vector = rc == INSN_FAULT_SS ? 12 : 13;
		r->error_code = 0;
		return;
	}
	if (rc && r->status == EMUL_DONE)
		stop(&x, "emulating %s at RIP 0x%llx failed (%d)", insn_kind_name(in->kind),
		     (unsigned long long)c->regs.rip, rc);
}
