/* tests/guests/mmio64.c - every instruction form the emulator supports
 * (guest/emul/insn_decode.h), on the test device (testmmio=0xfe000000) from 64-bit
 * code: each form runs first on RAM, then on the device, and memory, registers
 * and RFLAGS & 0x8d5 must agree. Then moffs, TF, FS/GS bases, strings, and
 * through the guest's own page tables: accesses and an instruction across
 * page boundaries, faults and rights in the page walk of REP iterations past
 * the device page (#PF, read-only, CR0.WP, A/D, non-canonical), and
 * unsupported instructions (#UD). */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

#define DEV          0xfe000000ul
#define TESTDEV_MAGIC 0x76656474u        /* guest/dev/testdev.h: ID register at 0 */
#define ARITH_FLAGS  0x8d5ul             /* OF SF ZF AF PF CF */
#define MSR_FS_BASE  0xc0000100u
#define MSR_GS_BASE  0xc0000101u
#define CR4_OSFXSR   (1ul << 9)
#define PTE_P        0x1ul
#define PTE_W        0x2ul
#define PTE_PCD      0x10ul
#define PTE_PS       0x80ul
#define VA_X         0x100000000ul      /* our 4 KiB pages there: see own_page_tables() */
#define VA_TOP       0x7ffffffff000ul   /* the last page below the non-canonical hole */

/* Dnn(o) = v stores to the device; Rnn(o) loads with a plain MOV (what the
 * compiler makes of a volatile read may be another instruction). */
#define RD(T, a) ({ T v_; asm volatile("mov %1, %0" : "=r"(v_) : "m"(*(volatile T *)(a))); v_; })
#define R8(o)  RD(uint8_t, DEV + (o))
#define R16(o) RD(uint16_t, DEV + (o))
#define R32(o) RD(uint32_t, DEV + (o))
#define R64(o) RD(uint64_t, DEV + (o))
#define D8(o)  (*(volatile uint8_t *)(DEV + (o)))
#define D16(o) (*(volatile uint16_t *)(DEV + (o)))
#define D32(o) (*(volatile uint32_t *)(DEV + (o)))
#define D64(o) (*(volatile uint64_t *)(DEV + (o)))

/*
 * The forms. Each becomes a stub "INSN; ret" and a table entry; run_stub
 * enters it with RDI = R10 = R12 = R13 = the operand (8 bytes into a 32-byte
 * window), R11 = 2, R8 = 0x10000000, RCX and R9 the register operands and
 * RFLAGS from struct cpu_state. BIT: RCX/R9 hold bit offsets (BT* reg forms).
 */
#define BIT 1
#define C(text, fl) D(text, text, fl)
#define D(text, desc, fl)                                                          \
	".pushsection .rodata.mmio_str, \"a\"\n2:\t.asciz \"" desc "\"\n\t.popsection\n" \
	".pushsection .rodata.mmio_cases, \"a\"\n\t.quad 1f, 2b, " #fl "\n\t.popsection\n" \
	"1:\t" text "\n\tret\n"

#define ALU(op)                                                                    \
	C(op "b %ch, (%rdi)", 0) C(op "w %cx, (%rdi)", 0)                          \
	C(op "l %r9d, (%rdi)", 0) C(op "q %rcx, (%r10)", 0)                        \
	C(op "b (%rdi), %r9b", 0) C(op "w (%rdi), %r9w", 0)                        \
	C(op "l (%rdi), %ecx", 0) C(op "q -16(%rdi,%r11,8), %r9", 0)               \
	C(op "b $0xa5, (%rdi)", 0) C(op "w $0x8a5c, (%rdi)", 0)                    \
	C(op "l $0x89abcdef, (%rdi)", 0) C(op "q $-0x76543211, (%rdi)", 0)         \
	C(op "w $-3, (%rdi)", 0) C(op "l $0x7f, (%r13)", 0) C(op "q $-128, (%rdi)", 0)

#define BTOP(op)                                                                   \
	C(op "w %cx, (%rdi)", BIT) C(op "l %r9d, (%rdi)", BIT) C(op "q %rcx, (%rdi)", BIT) \
	C(op "w $13, (%rdi)", 0) C(op "l $45, (%rdi)", 0) C(op "q $61, (%r10)", 0)

#define UNARY(op) C(op "b (%rdi)", 0) C(op "w (%rdi)", 0) C(op "l (%rdi)", 0) C(op "q (%r12)", 0)

asm(".pushsection .rodata.mmio_cases, \"a\"\n\t.balign 8\ncases_start:\n\t.popsection\n"
    ".pushsection .text\n"
    ALU("add") ALU("or") ALU("adc") ALU("sbb") ALU("and") ALU("sub") ALU("xor") ALU("cmp")
    C("testb %cl, (%rdi)", 0) C("testw %r9w, (%rdi)", 0) C("testl %ecx, (%rdi)", 0)
    C("testq %rcx, (%r10)", 0) C("testb $0x81, (%rdi)", 0) C("testw $0x8001, (%rdi)", 0)
    C("testl $0x80000001, (%rdi)", 0) C("testq $-0x7ffffffe, (%rdi)", 0)
    C("xchgb %cl, (%rdi)", 0) C("xchgw %r9w, (%rdi)", 0) C("xchgl (%rdi), %ecx", 0)
    C("xchgq %rcx, (%r10)", 0)
    BTOP("bt") BTOP("bts") BTOP("btr") BTOP("btc")
    UNARY("not") UNARY("neg") UNARY("inc") UNARY("dec")
    C("lock addl %ecx, (%rdi)", 0) C("lock xchgq %rcx, (%rdi)", 0) C("lock btsq $37, (%rdi)", 0)
    C("lock btrl %ecx, (%rdi)", BIT) C("lock incw (%rdi)", 0) C("lock negb (%rdi)", 0)
    C("lock sbbq $-5, (%rdi)", 0) C("lock orb %ch, (%rdi)", 0) C("lock notl (%rdi)", 0)
    C("lock btcw %r9w, (%r12)", BIT)
    C("movb %ch, (%rdi)", 0) C("movw %r9w, (%rdi)", 0) C("movl %ecx, (%r10)", 0)
    C("movq %r9, (%rdi)", 0) C("movb (%rdi), %ch", 0) C("movw (%rdi), %cx", 0)
    C("movl (%rdi), %r9d", 0) C("movq (%rdi), %rcx", 0) C("movb $0x5a, (%rdi)", 0)
    C("movw $0xa55a, (%rdi)", 0) C("movl $0xdeadbeef, (%rdi)", 0) C("movq $-0x21524111, (%rdi)", 0)
    C("movzbw (%rdi), %cx", 0) C("movzbl (%rdi), %r9d", 0) C("movzbq (%rdi), %rcx", 0)
    C("movzwl (%rdi), %ecx", 0) C("movzwq (%rdi), %r9", 0)
    C("movsbw (%rdi), %cx", 0) C("movsbl (%rdi), %r9d", 0) C("movsbq (%rdi), %rcx", 0)
    C("movswl (%rdi), %ecx", 0) C("movswq (%rdi), %r9", 0) C("movslq (%rdi), %rcx", 0)
    D(".byte 0x63, 0x0f", "movsxd (%rdi), %ecx (63 without REX.W)", 0)
    D(".byte 0x66, 0x48, 0x01, 0x0f", "66 REX.W add %rcx, (%rdi) (REX.W wins)", 0)
    C("movl %ecx, -0x80000000(%rdi,%r8,8)", 0) C("xorq %rcx, (%r12)", 0)
    C("andl (%r13), %r9d", 0) C("orb %cl, -2(%rdi,%r11,1)", 0) C("subw -4(%r13,%r11,2), %r9w", 0)
    C("addl %ecx, %es:(%rdi)", 0) C("movq %cs:(%r10), %rcx", 0)
    C("cmovel (%rdi), %ecx", 0) C("cmovnew (%rdi), %r9w", 0) C("cmovbq (%r10), %rcx", 0)
    C("cmovgl (%rdi), %r9d", 0) C("cmovsq (%rdi), %r9", 0) C("cmovpw (%rdi), %cx", 0)
    C("sete (%rdi)", 0) C("setb (%r10)", 0) C("setle (%rdi)", 0) C("setno (%rdi)", 0)
    C("setp (%r12)", 0) C("seta (%rdi)", 0)
    ".popsection\n"
    ".pushsection .rodata.mmio_cases, \"a\"\ncases_end:\n\t.popsection");

struct cpu_state { uint64_t rcx, rflags, r9; };
struct mmio_case { void *stub; const char *text; uint64_t flags; };
extern const struct mmio_case cases_start[], cases_end[];

/* void run_stub(void *stub, volatile void *operand, struct cpu_state *s) */
void run_stub(void *stub, volatile void *m, struct cpu_state *s);
asm(".pushsection .text\n"
    "run_stub:\n\t"
    "pushq %rbx\n\tpushq %r12\n\tpushq %r13\n\t"
    "movq %rdi, %rax\n\tmovq %rsi, %rdi\n\tmovq %rsi, %r10\n\tmovq %rsi, %r12\n\tmovq %rsi, %r13\n\t"
    "movl $2, %r11d\n\tmovl $0x10000000, %r8d\n\tmovq %rdx, %rbx\n\t"
    "movq (%rbx), %rcx\n\tmovq 16(%rbx), %r9\n\tpushq 8(%rbx)\n\tpopfq\n\t"
    "call *%rax\n\t"
    "pushfq\n\tpopq 8(%rbx)\n\tmovq %rcx, (%rbx)\n\tmovq %r9, 16(%rbx)\n\t"
    "popq %r13\n\tpopq %r12\n\tpopq %rbx\n\tret\n"
    ".popsection");

static const uint64_t mem_init[4] = { 0x0123456789abcdef, 0x8000000080008080, 0x7fffffff7fff7f7f, ~0ul };
static const uint64_t reg_init[4] = { 0xfedcba9876543210, 0x8000000080008080, 0x0000000100010101, 1 };
static const uint64_t bit_init[4] = { 5, 45, (uint64_t)-7, 100 };
static const uint64_t flags_init[4] = { 0x2, 0x2 | ARITH_FLAGS, 0x2, 0x2 | ARITH_FLAGS };
static volatile uint64_t ram_win[4];

struct run { void *stub; volatile void *m; struct cpu_state *s; };

static void run_fn(long arg)
{
	struct run *r = (struct run *)arg;

	run_stub(r->stub, r->m, r->s);
}

/* Runs one form on RAM and on the device with four sets of inputs. */
static void run_case(const struct mmio_case *k, uint64_t dev)
{
	volatile uint64_t *d = (volatile uint64_t *)dev;
	const char *why = NULL;

	for (unsigned i = 0; i < 4 && !why; i++) {
		uint64_t fill[4] = { 0x1111111111111111 * (i + 1), mem_init[i], 0x5555aaaa33cc0ff0 ^ i, ~mem_init[i] };
		uint64_t r0 = k->flags & BIT ? bit_init[i] : reg_init[i];
		struct cpu_state r = { r0, flags_init[i], k->flags & BIT ? r0 : r0 ^ 0x5a5a5a5a5a5a5a5a }, v = r;
		struct run on_ram = { k->stub, &ram_win[1], &r }, on_dev = { k->stub, &d[1], &v };
		long ept, vr, vd;

		for (unsigned j = 0; j < 4; j++)
			ram_win[j] = d[j] = fill[j];
		vr = trap_try(run_fn, (long)&on_ram);
		ept = exit_count(GUEST_EXIT_STAGE2_FAULT);
		vd = trap_try(run_fn, (long)&on_dev);
		ept = exit_count(GUEST_EXIT_STAGE2_FAULT) - ept;
		if (vd != vr)
			why = sfmt("inputs %u: on the device %s, on RAM vector %ld", i, trap_describe(vd), vr);
		for (unsigned j = 0; j < 4 && !why; j++)
			if (RD(uint64_t, &d[j]) != ram_win[j])
				why = sfmt("inputs %u: bytes %u-%u: device 0x%lx, RAM 0x%lx", i, 8 * j, 8 * j + 7,
					   RD(uint64_t, &d[j]), ram_win[j]);
		if (!why && (v.rcx != r.rcx || v.r9 != r.r9))
			why = sfmt("inputs %u: RCX/R9 0x%lx/0x%lx, on RAM 0x%lx/0x%lx", i, v.rcx, v.r9, r.rcx, r.r9);
		if (!why && (v.rflags ^ r.rflags) & ARITH_FLAGS)
			why = sfmt("inputs %u: RFLAGS 0x%lx, on RAM 0x%lx", i, v.rflags, r.rflags);
		if (!why && ept != 1)
			why = sfmt("inputs %u: %ld EPT violations, expected 1", i, ept);
	}
	checkf(sfmt("%s: memory, registers and flags as on RAM", k->text), !why, "%s", why);
}

/* A0-A3 with 8-byte offsets, and with 67 (4-byte offsets, zero-extended). */
static void moffs(void)
{
	uint64_t b = ~0ul, w = ~0ul, l = ~0ul, q = 0, v = 0xa1a2a3a4a5a6a7a8;

	D64(0x140) = 0x1122334455667788;
	asm volatile("movabsb 0xfe000140, %%al" : "+a"(b));
	asm volatile("movabsw 0xfe000140, %%ax" : "+a"(w));
	asm volatile("movabsl 0xfe000140, %%eax" : "+a"(l));
	asm volatile("movabsq 0xfe000140, %%rax" : "+a"(q));
	D64(0x148) = 0;
	asm volatile("movabsb %%al, 0xfe000148" : : "a"(v) : "memory");
	checkf("moffs a0/a2 (byte): load keeps RAX 63:8, store writes one byte",
	       b == 0xffffffffffffff88 && R64(0x148) == 0xa8, "load 0x%lx, stored 0x%lx", b, R64(0x148));
	asm volatile("movabsw %%ax, 0xfe000148" : : "a"(v) : "memory");
	checkf("moffs 66 a1/a3 (word)", w == 0xffffffffffff7788 && R64(0x148) == 0xa7a8,
	       "load 0x%lx, stored 0x%lx", w, R64(0x148));
	asm volatile("movabsl %%eax, 0xfe000148" : : "a"(v) : "memory");
	checkf("moffs a1/a3 (dword): the load zero-extends", l == 0x55667788 && R64(0x148) == 0xa5a6a7a8,
	       "load 0x%lx, stored 0x%lx", l, R64(0x148));
	asm volatile("movabsq %%rax, 0xfe000148" : : "a"(v) : "memory");
	checkf("moffs REX.W a1/a3 (qword)", q == 0x1122334455667788 && R64(0x148) == v,
	       "load 0x%lx, stored 0x%lx", q, R64(0x148));
	q = ~0ul;
	asm volatile(".byte 0x67, 0xa1; .long 0xfe000140" : "+a"(q));
	asm volatile(".byte 0x67, 0x48, 0xa3; .long 0xfe000148" : : "a"(~v) : "memory");
	checkf("moffs with 67 (4-byte offset): load dword, store qword",
	       q == 0x55667788 && R64(0x148) == ~v, "load 0x%lx, stored 0x%lx", q, R64(0x148));
}

/* FS and GS bases (MSRs) apply in 64-bit mode; the emulator must add them. */
static void seg_bases(void)
{
	uint64_t v = 0;
	uint8_t buf[8] = { 0 };

	wrmsr(MSR_FS_BASE, DEV);
	wrmsr(MSR_GS_BASE, DEV + 0x100);
	asm volatile("movl %0, %%fs:0x150" : : "r"(0xfeedf00du) : "memory");
	check_eq("movl %reg, %fs:0x150 with FS base 0xfe000000", R32(0x150), 0xfeedf00d);
	D64(0x158) = 5;
	asm volatile("addq %0, %%gs:0x18(%1)" : : "r"(7ul), "r"(0x40ul) : "memory", "cc");
	check_eq("addq %reg, %gs:0x18(%reg) with GS base 0xfe000100", R64(0x158), 12);
	asm volatile("movzwl %%fs:0x152, %k0" : "=r"(v));
	check_eq("movzwl %fs:0x152, %reg", v, 0xfeed);
	asm volatile("rep movsb %%fs:(%%rsi), %%es:(%%rdi)"
		     : : "S"(0x150ul), "D"(buf), "c"(4ul) : "memory");
	check_eq("rep movsb with an FS override on the source", *(uint32_t *)buf, 0xfeedf00d);
	wrmsr(MSR_FS_BASE, 0);
	wrmsr(MSR_GS_BASE, 0);
}

/* LODS, SCAS and CMPS on the device: they only read it. */
static void read_strings(const uint64_t *src)
{
	uint64_t si = DEV + 0x640, di, cx, a = ~0ul, b, w, l, q;
	uint8_t zf, cf, buf[16];

	D64(0x640) = src[0], D64(0x648) = src[1], D64(0x650) = src[2];
	asm volatile("lodsb" : "+S"(si), "+a"(a));
	asm volatile("lodsw" : "+S"(si), "=a"(w) : "a"(~0ul));
	asm volatile("lodsl" : "+S"(si), "=a"(l));
	asm volatile("lodsq" : "+S"(si), "=a"(q));
	checkf("lodsb, lodsw, lodsl, lodsq: values, RAX bits kept or cleared, RSI",
	       a == 0xffffffffffffff00 && w == 0xffffffffffff0201 && l == 0x06050403 &&
	       q == 0x0e0d0c0b0a090807 && si == DEV + 0x64f, "0x%lx 0x%lx 0x%lx 0x%lx RSI 0x%lx", a, w, l, q, si);
	si = DEV + 0x640, cx = 5;
	asm volatile("rep lodsb" : "+S"(si), "+c"(cx), "=a"(b) : "a"(0ul));
	checkf("rep lodsb (5): the last byte, RCX 0", b == 4 && cx == 0 && si == DEV + 0x645, "AL 0x%lx RCX %lu",
	       b, cx);
	di = DEV + 0x640, cx = 24;
	asm volatile("repne scasb; sete %2" : "+D"(di), "+c"(cx), "=q"(zf) : "a"(0x0cul) : "cc");
	checkf("repne scasb: stops after the match with ZF set", zf && cx == 11 && di == DEV + 0x64d,
	       "ZF %u RCX %lu RDI 0x%lx", zf, cx, di);
	memcpy(buf, src, 16);
	buf[9] = 0x80;
	si = DEV + 0x640, di = (uint64_t)buf, cx = 16;
	asm volatile("repe cmpsb; sete %3; setb %4" : "+S"(si), "+D"(di), "+c"(cx), "=q"(zf), "=q"(cf) : : "cc");
	checkf("repe cmpsb device (rSI) with RAM (rDI): stops after the difference, flags of 0x09 - 0x80",
	       !zf && cf && cx == 6 && si == DEV + 0x64a && di == (uint64_t)&buf[10], "ZF %u CF %u RCX %lu", zf,
	       cf, cx);
	D64(0x660) = src[0], D64(0x668) = src[1];
	si = DEV + 0x640, di = DEV + 0x660, cx = 2;
	asm volatile("repe cmpsq; sete %3" : "+S"(si), "+D"(di), "+c"(cx), "=q"(zf) : : "cc");
	checkf("repe cmpsq device with device: equal to the end", zf && cx == 0 && di == DEV + 0x670,
	       "ZF %u RCX %lu", zf, cx);
}

static void strings(void)
{
	uint64_t di = DEV + 0x400, si, cx;
	uint64_t src[4] = { 0x0706050403020100, 0x0f0e0d0c0b0a0908, 0x1716151413121110, 0x1f1e1d1c1b1a1918 };
	uint8_t buf[40] = { 0 };
	bool ok = true;

	asm volatile("stosb; stosw; stosl; stosq" : "+D"(di) : "a"(0x1122334455667788ul) : "memory");
	checkf("stosb, stosw, stosl, stosq without REP: values and RDI",
	       R8(0x400) == 0x88 && R16(0x401) == 0x7788 && R32(0x403) == 0x55667788 &&
	       R64(0x407) == 0x1122334455667788 && di == DEV + 0x40f, "RDI 0x%lx, qword 0x%lx", di, R64(0x407));
	di = DEV + 0x410, cx = 6;
	asm volatile("rep stosl" : "+D"(di), "+c"(cx) : "a"(0xcafef00du) : "memory");
	for (unsigned i = 0; i < 6; i++)
		ok &= R32(0x410 + 4 * i) == 0xcafef00d;
	checkf("rep stosl (6): values, RCX 0, RDI past the end", ok && cx == 0 && di == DEV + 0x428,
	       "RCX %lu RDI 0x%lx", cx, di);
	D64(0x438) = D64(0x440) = D64(0x448) = 0;
	di = DEV + 0x448, cx = 5;
	asm volatile("std; rep stosw; cld" : "+D"(di), "+c"(cx) : "a"(0xbeefu) : "memory", "cc");
	checkf("std; rep stosw (5): downwards from RDI, RDI 10 lower",
	       R64(0x438) == 0 && R64(0x440) == 0xbeefbeefbeefbeef && R64(0x448) == 0xbeef && cx == 0 &&
	       di == DEV + 0x43e, "0x%lx 0x%lx 0x%lx RCX %lu RDI 0x%lx", R64(0x438), R64(0x440), R64(0x448), cx, di);
	di = DEV + 0x460, si = (uint64_t)src, cx = 4;
	asm volatile("rep movsq" : "+D"(di), "+S"(si), "+c"(cx) : : "memory");
	checkf("rep movsq RAM to device", R64(0x460) == src[0] && R64(0x478) == src[3] && cx == 0 &&
	       di == DEV + 0x480 && si == (uint64_t)&src[4], "0x%lx 0x%lx", R64(0x460), R64(0x478));
	di = (uint64_t)buf, si = DEV + 0x461, cx = 31;
	asm volatile("rep movsb" : "+D"(di), "+S"(si), "+c"(cx) : : "memory");
	ok = cx == 0 && si == DEV + 0x480 && buf[31] == 0;
	for (unsigned i = 0; i < 31; i++)
		ok &= buf[i] == i + 1;
	checkf("rep movsb device to RAM (31 bytes)", ok, "RCX %lu RSI 0x%lx buf[0] 0x%x", cx, si, buf[0]);
	di = DEV + 0x500, si = DEV + 0x460, cx = 8;
	asm volatile("rep movsl" : "+D"(di), "+S"(si), "+c"(cx) : : "memory");
	checkf("rep movsl device to device", R64(0x500) == src[0] && R64(0x518) == src[3] && di == DEV + 0x520,
	       "0x%lx 0x%lx", R64(0x500), R64(0x518));
	D64(0x600) = src[0], D64(0x608) = src[1], D64(0x610) = 0;
	di = DEV + 0x613, si = DEV + 0x60f, cx = 16;
	asm volatile("std; rep movsb; cld" : "+D"(di), "+S"(si), "+c"(cx) : : "memory", "cc");
	checkf("std; rep movsb device to device, overlapping upwards (memmove)",
	       R32(0x600) == 0x03020100 && R64(0x604) == src[0] && R64(0x60c) == src[1] && di == DEV + 0x603 &&
	       si == DEV + 0x5ff, "0x%lx 0x%lx RSI 0x%lx RDI 0x%lx", R64(0x604), R64(0x60c), si, di);
	D64(0x620) = 0;
	di = 0x12345678ul << 32 | (DEV + 0x620), cx = 0xffffffff00000004;
	asm volatile("addr32 rep stosb" : "+D"(di), "+c"(cx) : "a"(0xee) : "memory");
	checkf("67 rep stosb: EDI and ECX count, RDI and RCX bits 63:32 cleared",
	       R64(0x620) == 0xeeeeeeee && di == DEV + 0x624 && cx == 0, "0x%lx RDI 0x%lx RCX 0x%lx",
	       R64(0x620), di, cx);
	read_strings(src);
}

/* Our own 4-level tables: the low 4 GiB identity in 2 MiB pages; 4 KiB
 * pages at VA_X + 0x1000 * n: 0 page_a, 1 device, 2 page_b, 3 absent,
 * 4 device, 5 absent, (6 device, 7 page_c read-only: walk_rights), 8 and 9
 * code_pages[0] and [2]; at VA_TOP page_c or the device (noncanonical). */
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));
static uint64_t pd_hi[512] __attribute__((aligned(4096)));
static uint64_t pt[512] __attribute__((aligned(4096)));
static uint8_t page_a[4096] __attribute__((aligned(4096)));
static uint8_t page_b[4096] __attribute__((aligned(4096)));
static uint64_t top_tables[3][512] __attribute__((aligned(4096)));   /* the last lower-half page */
static uint8_t page_c[4096] __attribute__((aligned(4096)));
static uint8_t code_pages[3][4096] __attribute__((aligned(4096)));   /* VA X+8, X+9 -> [0], [2] */

#define X64(o) (*(volatile uint64_t *)(VA_X + (o)))
static void own_page_tables(void)
{
	pml4[0] = (uintptr_t)pdpt | PTE_P | PTE_W;
	for (uint64_t i = 0; i < 4; i++) {
		pdpt[i] = (uintptr_t)pd[i] | PTE_P | PTE_W;
		for (uint64_t j = 0; j < 512; j++)
			pd[i][j] = i << 30 | j << 21 | PTE_P | PTE_W | PTE_PS;
	}
	pdpt[VA_X >> 30] = (uintptr_t)pd_hi | PTE_P | PTE_W;
	pd_hi[0] = (uintptr_t)pt | PTE_P | PTE_W;
	pt[0] = (uintptr_t)page_a | PTE_P | PTE_W;
	pt[1] = DEV | PTE_P | PTE_W | PTE_PCD;
	pt[2] = (uintptr_t)page_b | PTE_P | PTE_W;
	pt[4] = DEV | PTE_P | PTE_W | PTE_PCD;
	pt[8] = (uintptr_t)code_pages[0] | PTE_P | PTE_W;
	pt[9] = (uintptr_t)code_pages[2] | PTE_P | PTE_W;
	pml4[255] = (uintptr_t)top_tables[0] | PTE_P | PTE_W;
	top_tables[0][511] = (uintptr_t)top_tables[1] | PTE_P | PTE_W;
	top_tables[1][511] = (uintptr_t)top_tables[2] | PTE_P | PTE_W;
	write_cr3((uintptr_t)pml4);
}

static void cross_pages(void)
{
	uint64_t v, last;
	bool ok = true;

	*(volatile uint32_t *)&page_a[4092] = 0xdeadbeef;
	v = RD(uint64_t, VA_X + 0xffc);
	check_eq("8-byte load across RAM into the device page: high half is the ID register", v,
		 (uint64_t)TESTDEV_MAGIC << 32 | 0xdeadbeef);
	X64(0xffc) = 0x0102030405060708;
	last = R64(0x18);
	checkf("8-byte store across RAM into the device: RAM gets the low half, the device a 4-byte write at 0",
	       *(volatile uint32_t *)&page_a[4092] == 0x05060708 && last == 0x004 && R32(0) == TESTDEV_MAGIC,
	       "RAM 0x%x, device last write 0x%lx", *(volatile uint32_t *)&page_a[4092], last);
	X64(0x1ffc) = 0x1112131415161718;
	checkf("8-byte store across the device into RAM: device 0xffc gets the low half, RAM the high",
	       R32(0xffc) == 0x15161718 && *(volatile uint32_t *)&page_b[0] == 0x11121314, "device 0x%x RAM 0x%x",
	       R32(0xffc), *(volatile uint32_t *)&page_b[0]);
	*(volatile uint32_t *)&page_b[0] = 0xa0b0c0d0;
	check_eq("8-byte load across the device into RAM", RD(uint64_t, VA_X + 0x1ffc), 0xa0b0c0d015161718);

	/* 3840 device bytes then 1000 RAM bytes: more than one exit's worth
	 * of iterations, the rest runs natively in RAM. */
	page_b[1000] = 0;
	v = VA_X + 0x1100;
	uint64_t cx = 3840 + 1000;
	asm volatile("rep stosb" : "+D"(v), "+c"(cx) : "a"(0x3c) : "memory");
	for (unsigned o = 0x100; o < 0x1000; o += 8)
		ok &= R64(o) == 0x3c3c3c3c3c3c3c3c;
	for (unsigned o = 0; o < 1000; o++)
		ok &= page_b[o] == 0x3c;
	checkf("rep stosb of 4840 bytes from the device page on into RAM", ok && page_b[1000] == 0 && cx == 0 &&
	       v == VA_X + 0x2000 + 1000, "RCX %lu RDI 0x%lx", cx, v);
}

/* movl $0x12345678, (%rdi); ret, split 3/4 over two virtual pages whose
 * frames are apart: the emulator must fetch the rest through the page
 * tables (the frame after the first is int3s). */
static void insn_across_pages(void)
{
	static const uint8_t insn[] = { 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12, 0xc3 };
	uint8_t *at = (uint8_t *)(VA_X + 0x9000 - 3);

	memset(code_pages, 0xcc, sizeof(code_pages));
	memcpy(at, insn, sizeof(insn));
	D32(0x160) = 0;
	asm volatile("call *%0" : : "r"(at), "D"(DEV + 0x160) : "memory");
	check_eq("an instruction split over two pages, frames apart: fetched through the page tables",
		 R32(0x160), 0x12345678);
}

static void movsb_into_absent(long arg)
{
	asm volatile(TRAP_WANT_IP("1f") "1: rep movsb"
		     : : "S"(DEV + 0x100), "D"(VA_X + 0x3000 - 16), "c"(32ul) : "memory");
}

static void store_into_absent(long arg)
{
	asm volatile(TRAP_WANT_IP("1f") "1: movq %0, (%1)" : : "r"(~0ul), "r"(VA_X + 0x5000 - 4) : "memory");
}

static void load_into_absent(long arg)
{
	asm volatile(TRAP_WANT_IP("1f") "1: movq (%0), %%rax" : : "r"(VA_X + 0x5000 - 4) : "rax", "memory");
}

static void stosb_into_noncanonical(long arg)
{
	asm volatile(TRAP_WANT_IP("1f") "1: rep stosb" : : "D"(VA_TOP + 0xff8), "c"(16ul), "a"(0x77) : "memory");
}

/* REP STOSB running off the top of the lower canonical half: first with
 * RAM in the last page, then with the device there; the same must happen. */
static void noncanonical(void)
{
	volatile struct trap_frame *f = &trap_last.frame;
	long vr, vd;
	uint64_t rcx, rdi, code;

	top_tables[2][511] = (uintptr_t)page_c | PTE_P | PTE_W;
	vr = trap_try(stosb_into_noncanonical, 0);
	rcx = f->rcx, rdi = f->rdi, code = f->error_code;
	top_tables[2][511] = DEV | PTE_P | PTE_W | PTE_PCD;
	asm volatile("invlpg (%0)" : : "r"(VA_TOP) : "memory");
	D64(0xff8) = 0;
	vd = trap_try(stosb_into_noncanonical, 0);
	checkf("rep stosb from the device page into non-canonical addresses: fault, RCX, RDI as on RAM",
	       vd == vr && f->error_code == code && f->rcx == rcx && f->rdi == rdi &&
	       R64(0xff8) == 0x7777777777777777, "device: %s RCX %lu RDI 0x%lx; RAM: vector %ld error 0x%lx"
	       " RCX %lu RDI 0x%lx", trap_describe(vd), f->rcx, f->rdi, vr, code, rcx, rdi);
}

/* Faults in the page walk of an emulated access: #PF with the right CR2
 * and error code, done iterations kept, nothing of the faulting one done. */
#define RFLAGS_RF (1ul << 16)

static void walk_faults(void)
{
	volatile struct trap_frame *f = &trap_last.frame;
	bool ok = true;

	for (unsigned o = 0; o < 32; o++)
		D8(0x100 + o) = (uint8_t)(0xc0 + o);
	memset(page_b + 4096 - 16, 0, 16);
	expect_exception("rep movsb from the device into an absent page: #PF, write, not present", 14, 0x2,
			 movsb_into_absent, 0);
	check_eq("#PF CR2 is the first byte of the absent page", trap_last.cr2, VA_X + 0x3000);
	checkf("at the #PF, RCX/RSI/RDI count the 16 bytes done", f->rcx == 16 && f->rsi == DEV + 0x110 &&
	       f->rdi == VA_X + 0x3000, "RCX %lu RSI 0x%lx RDI 0x%lx", f->rcx, f->rsi, f->rdi);
	for (unsigned o = 0; o < 16; o++)
		ok &= page_b[4080 + o] == 0xc0 + o;
	checkf("the 16 bytes before the absent page were copied", ok, "first 0x%x last 0x%x", page_b[4080],
	       page_b[4095]);
	D32(0xffc) = 0x11111111;
	expect_exception("8-byte store from the device page into an absent one: #PF, write", 14, 0x2,
			 store_into_absent, 0);
	checkf("... CR2 is the absent page, and the device part was not written",
	       trap_last.cr2 == VA_X + 0x5000 && R32(0xffc) == 0x11111111, "CR2 0x%lx device 0x%x",
	       (uint64_t)trap_last.cr2, R32(0xffc));
	expect_exception("8-byte load from the device page into an absent one: #PF, read", 14, 0x0,
			 load_into_absent, 0);
	check_eq("... CR2 is the absent page", trap_last.cr2, VA_X + 0x5000);
	checkf("... the pushed RFLAGS has RF set, as for a #PF the CPU raises", f->flags & RFLAGS_RF,
	       "RFLAGS 0x%lx", (uint64_t)f->flags);
}

static void stosb_into_readonly(long arg)
{
	asm volatile(TRAP_WANT_IP("1f") "1: rep stosb" : : "D"(VA_X + 0x7000 - 8), "c"(16ul), "a"(0x99) : "memory");
}

/* Rights and accessed/dirty flags of pages only the emulator reaches: REP
 * iterations past the device page. */
static void walk_rights(void)
{
	volatile struct trap_frame *f = &trap_last.frame;
	uint64_t di = VA_X + 0x2000, si = DEV + 0x100, cx = 8;

	pt[6] = DEV | PTE_P | PTE_W | PTE_PCD;
	pt[7] = (uintptr_t)page_c | PTE_P;
	expect_exception("rep stosb from the device into a read-only page: #PF, write, present", 14, 0x3,
			 stosb_into_readonly, 0);
	checkf("... CR2 is the read-only page, RCX 8 left", trap_last.cr2 == VA_X + 0x7000 && f->rcx == 8,
	       "CR2 0x%lx RCX %lu", (uint64_t)trap_last.cr2, f->rcx);
	write_cr0(read_cr0() & ~CR0_WP);
	expect_no_exception("with CR0.WP clear the same supervisor write goes through", stosb_into_readonly, 0);
	write_cr0(read_cr0() | CR0_WP);
	pt[2] &= ~0x60ul;                       /* A, D */
	asm volatile("invlpg (%0)" : : "r"(VA_X + 0x2000) : "memory");
	asm volatile("rep movsb" : "+D"(di), "+S"(si), "+c"(cx) : : "memory");
	checkf("a page only the emulator wrote gets accessed and dirty set", (pt[2] & 0x60) == 0x60, "PTE 0x%lx",
	       pt[2]);
}

#define UD_FN(name, insn)                                                                       \
	static void name(long a)                                                                \
	{                                                                                       \
		asm volatile(TRAP_WANT_IP("1f") "1: " insn : : "D"(a), "c"(1) : "memory", "cc"); \
	}
UD_FN(ud_movdqu, "movdqu (%%rdi), %%xmm0")
UD_FN(ud_movq, "movq (%%rdi), %%xmm1")
UD_FN(ud_cmpxchg, "lock cmpxchgl %%ecx, (%%rdi)")
UD_FN(ud_xadd, "xaddq %%rcx, (%%rdi)")
UD_FN(ud_push, "pushq (%%rdi)\n\taddq $8, %%rsp")

static void step_over(long a)
{
	asm volatile("pushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\t"
		     "movl (%0), %%eax\n\t"
		     "nop\n\tnop\n\t"
		     "pushfq\n\tandq $~0x100, (%%rsp)\n\tpopfq" : : "r"(a) : "rax", "memory", "cc");
}

/* Single-stepping (EFLAGS.TF) over an emulated load: #DB right after it, as on RAM. */
static void single_step(void)
{
	long vr = trap_try(step_over, (long)&ram_win[0]), vd;
	uintptr_t ip = trap_last.frame.ip;

	vd = trap_try(step_over, (long)(DEV + 0x100));
	checkf("TF set: #DB right after the emulated load, as on RAM", vd == vr && trap_last.frame.ip == ip,
	       "device: %s; RAM: vector %ld at RIP %p", trap_describe(vd), vr, (void *)ip);
}

/* An instruction the emulator does not support: #UD at it, after one EPT violation. */
static void expect_ud(const char *desc, trap_fn fn)
{
	long ept = exit_count(GUEST_EXIT_STAGE2_FAULT), got;

	trap_want_ip = 0;
	got = trap_try(fn, (long)(DEV + 0x100));
	ept = exit_count(GUEST_EXIT_STAGE2_FAULT) - ept;
	checkf(sfmt("%s on the device: #UD", desc), got == 6 && trap_last.frame.ip == trap_want_ip && ept == 1,
	       "%s, %ld EPT violations", trap_describe(got), ept);
}

void main(void)
{
	check_eq("the test device's ID register", R32(0), TESTDEV_MAGIC);
	for (const struct mmio_case *k = cases_start; k < cases_end; k++)
		run_case(k, DEV + 0x100);
	moffs();
	single_step();
	seg_bases();
	strings();
	own_page_tables();
	cross_pages();
	insn_across_pages();
	walk_faults();
	walk_rights();
	noncanonical();
	write_cr4(read_cr4() | CR4_OSFXSR);
	expect_ud("movdqu (SSE load)", ud_movdqu);
	expect_ud("movq to %xmm1", ud_movq);
	expect_ud("lock cmpxchg", ud_cmpxchg);
	expect_ud("xadd", ud_xadd);
	expect_ud("pushq (mem)", ud_push);
}
