/* tests/guests/mmio32.c - the emulator's instruction forms on the test device
 * (testmmio=0xfe000000) from 32-bit code, in all three 32-bit paging modes:
 * paging off, 32-bit paging (4 MiB and 4 KiB pages, SDM Vol. 3A, 4.3) and
 * PAE paging (2 MiB and 4 KiB pages, 4.4). Each form runs on RAM and on the
 * device, and memory, registers and EFLAGS & 0x8d5 must agree. Checked
 * directly: moffs, strings, 16-bit addressing through a segment base, a REP
 * MOVSB running past a segment limit, #UD, and with paging accesses across a
 * page boundary and a #PF from inside an emulated REP MOVSB. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

#define DEV           0xfe000000u
#define DEV_4M        0x80000000u       /* VA of the device through a 4 MiB / 2 MiB page of ours */
#define VA_X          0xc0000000u       /* 4 KiB pages: X RAM, X+1 device, X+2 RAM, X+3 absent */
#define TESTDEV_MAGIC 0x76656474u       /* guest/dev/testdev.h: ID register at 0 */
#define ARITH_FLAGS   0x8d5u            /* OF SF ZF AF PF CF */
#define CR4_PAE       (1ul << 5)
#define PTE_P         0x1u
#define PTE_W         0x2u
#define PTE_PCD       0x10u
#define PTE_PS        0x80u

/* Mnn(a) = v stores; Rnn(a) loads with a plain MOV (what the compiler
 * makes of a volatile read may be another instruction: PUSH for an argument). */
#define RD(T, a) ({ T v_; asm volatile("mov %1, %0" : "=q"(v_) : "m"(*(volatile T *)(uintptr_t)(a))); v_; })
#define R8(a)  RD(uint8_t, a)
#define R16(a) RD(uint16_t, a)
#define R32(a) RD(uint32_t, a)
#define M8(a)  (*(volatile uint8_t *)(uintptr_t)(a))
#define M16(a) (*(volatile uint16_t *)(uintptr_t)(a))
#define M32(a) (*(volatile uint32_t *)(uintptr_t)(a))

/*
 * The forms: each a stub "INSN; ret" and a table entry. run_stub enters it
 * with EDI = EBX = the operand (8 bytes into a 32-byte window), EAX = 2,
 * ESI = 0x10000000, ECX and EDX the register operands and EFLAGS from struct
 * cpu_state. BIT: ECX/EDX hold bit offsets; SUB: also run with paging on.
 */
#define BIT 1
#define SUB 2
#define C(text, fl) D(text, text, fl)
#define D(text, desc, fl)                                                          \
	".pushsection .rodata.mmio_str, \"a\"\n2:\t.asciz \"" desc "\"\n\t.popsection\n" \
	".pushsection .rodata.mmio_cases, \"a\"\n\t.long 1f, 2b, " #fl "\n\t.popsection\n" \
	"1:\t" text "\n\tret\n"

#define ALU(op, s1, s2)                                                            \
	C(op "b %ch, (%edi)", 0) C(op "w %dx, (%edi)", 0) C(op "l %ecx, (%ebx)", s1)  \
	C(op "b (%edi), %dl", 0) C(op "w (%edi), %cx", 0)                           \
	C(op "l -16(%edi,%eax,8), %edx", 0) C(op "b $0xa5, (%edi)", s2)             \
	C(op "w $0x8a5c, (%edi)", 0) C(op "l $0x89abcdef, (%edi)", 0)               \
	C(op "w $-3, (%edi)", 0) C(op "l $0x7f, (%ebx)", 0)

#define BTOP(op, s)                                                                \
	C(op "w %cx, (%edi)", BIT) C(op "l %edx, (%edi)", BIT | s)                  \
	C(op "w $13, (%edi)", 0) C(op "l $45, (%ebx)", 0)

#define UNARY(op, s) C(op "b (%edi)", s) C(op "w (%edi)", 0) C(op "l (%ebx)", 0)

asm(".pushsection .rodata.mmio_cases, \"a\"\n\t.balign 4\ncases_start:\n\t.popsection\n"
    ".pushsection .text\n"
    ALU("add", SUB, 0) ALU("or", 0, 0) ALU("adc", 0, SUB) ALU("sbb", 0, 0)
    ALU("and", 0, 0) ALU("sub", SUB, 0) ALU("xor", 0, 0) ALU("cmp", 0, SUB)
    D(".byte 0x82, 0x07, 0x5a", "82 /0: addb $0x5a, (%edi) (80 alias outside 64-bit mode)", 0)
    C("testb %cl, (%edi)", SUB) C("testw %dx, (%edi)", 0) C("testl %ecx, (%ebx)", 0)
    C("testb $0x81, (%edi)", 0) C("testl $0x80000001, (%edi)", 0)
    C("xchgb %dh, (%edi)", 0) C("xchgw (%edi), %cx", 0) C("xchgl %edx, (%edi)", SUB)
    BTOP("bt", 0) BTOP("bts", SUB) BTOP("btr", 0) BTOP("btc", 0)
    UNARY("not", 0) UNARY("neg", SUB) UNARY("inc", 0) UNARY("dec", 0)
    C("lock addl %ecx, (%edi)", SUB) C("lock btsw $3, (%edi)", 0) C("lock decb (%ebx)", 0)
    C("movb %cl, (%edi)", SUB) C("movw %dx, (%edi)", 0) C("movl %ecx, (%ebx)", 0)
    C("movb (%edi), %dh", 0) C("movw (%edi), %cx", SUB) C("movl (%edi), %edx", 0)
    C("movb $0x5a, (%edi)", 0) C("movw $0xa55a, (%edi)", 0) C("movl $0xdeadbeef, (%edi)", SUB)
    C("movzbw (%edi), %cx", 0) C("movzbl (%edi), %edx", SUB) C("movzwl (%edi), %ecx", 0)
    C("movsbw (%edi), %dx", 0) C("movsbl (%edi), %ecx", 0) C("movswl (%edi), %edx", SUB)
    C("movl %ecx, -0x80000000(%edi,%esi,8)", 0) C("orw -8(%ebx,%eax,4), %dx", 0)
    ".popsection\n"
    ".pushsection .rodata.mmio_cases, \"a\"\ncases_end:\n\t.popsection");

struct cpu_state { uint32_t ecx, eflags, edx; };
struct mmio_case { void *stub; const char *text; uint32_t flags; };
extern const struct mmio_case cases_start[], cases_end[];

/* void run_stub(void *stub, volatile void *operand, struct cpu_state *s) */
void run_stub(void *stub, volatile void *m, struct cpu_state *s);
asm(".pushsection .text\n"
    "run_stub:\n\t"
    "pushl %ebp\n\tpushl %ebx\n\tpushl %esi\n\tpushl %edi\n\t"
    "movl 20(%esp), %ebp\n\tmovl 24(%esp), %edi\n\tmovl 28(%esp), %eax\n\tpushl %eax\n\t"
    "movl %edi, %ebx\n\tmovl $0x10000000, %esi\n\tmovl (%eax), %ecx\n\tmovl 8(%eax), %edx\n\t"
    "pushl 4(%eax)\n\tpopfl\n\tmovl $2, %eax\n\t"
    "call *%ebp\n\t"
    "popl %ebp\n\tpushfl\n\tpopl 4(%ebp)\n\tmovl %ecx, (%ebp)\n\tmovl %edx, 8(%ebp)\n\t"
    "popl %edi\n\tpopl %esi\n\tpopl %ebx\n\tpopl %ebp\n\tret\n"
    ".popsection");

static const uint32_t mem_init[4] = { 0x89abcdef, 0x80008080, 0x7fff7f7f, 0xffffffff };
static const uint32_t reg_init[4] = { 0x76543210, 0x80008080, 0x00010101, 1 };
static const uint32_t bit_init[4] = { 5, 45, (uint32_t)-7, 100 };
static const uint32_t flags_init[4] = { 0x2, 0x2 | ARITH_FLAGS, 0x2, 0x2 | ARITH_FLAGS };
static volatile uint32_t ram_win[8];
static const char *mode_name = "no paging";

struct run { void *stub; volatile void *m; struct cpu_state *s; };

static void run_fn(long arg)
{
	struct run *r = (struct run *)arg;

	run_stub(r->stub, r->m, r->s);
}

/* Runs one form on RAM and on the device (at VA dev) with four sets of inputs. */
static void run_case(const struct mmio_case *k, uint32_t dev)
{
	volatile uint32_t *d = (volatile uint32_t *)dev;
	const char *why = NULL;

	for (unsigned i = 0; i < 4 && !why; i++) {
		uint32_t fill[8] = { 0x11111111 * (i + 1), ~i, mem_init[i], 0x01234567, 0x33cc0ff0 ^ i,
				     0x5555aaaa, ~mem_init[i], 0xfedcba98 };
		uint32_t r0 = k->flags & BIT ? bit_init[i] : reg_init[i];
		struct cpu_state r = { r0, flags_init[i], k->flags & BIT ? r0 : r0 ^ 0x5a5a5a5a }, v = r;
		struct run on_ram = { k->stub, &ram_win[2], &r }, on_dev = { k->stub, &d[2], &v };
		long ept, vr, vd;

		for (unsigned j = 0; j < 8; j++)
			ram_win[j] = d[j] = fill[j];
		vr = trap_try(run_fn, (long)&on_ram);
		ept = exit_count(GUEST_EXIT_STAGE2_FAULT);
		vd = trap_try(run_fn, (long)&on_dev);
		ept = exit_count(GUEST_EXIT_STAGE2_FAULT) - ept;
		if (vd != vr)
			why = sfmt("inputs %u: on the device %s, on RAM vector %ld", i, trap_describe(vd), vr);
		for (unsigned j = 0; j < 8 && !why; j++)
			if (R32(&d[j]) != ram_win[j])
				why = sfmt("inputs %u: bytes %u-%u: device 0x%x, RAM 0x%x", i, 4 * j, 4 * j + 3,
					   R32(&d[j]), ram_win[j]);
		if (!why && (v.ecx != r.ecx || v.edx != r.edx))
			why = sfmt("inputs %u: ECX/EDX 0x%x/0x%x, on RAM 0x%x/0x%x", i, v.ecx, v.edx, r.ecx, r.edx);
		if (!why && (v.eflags ^ r.eflags) & ARITH_FLAGS)
			why = sfmt("inputs %u: EFLAGS 0x%x, on RAM 0x%x", i, v.eflags, r.eflags);
		if (!why && ept != 1)
			why = sfmt("inputs %u: %ld EPT violations, expected 1", i, ept);
	}
	checkf(sfmt("%s, %s: memory, registers and flags as on RAM", mode_name, k->text), !why, "%s", why);
}

static void run_cases(uint32_t flags, uint32_t dev)
{
	for (const struct mmio_case *k = cases_start; k < cases_end; k++)
		if ((k->flags & flags) == flags)
			run_case(k, dev);
}

/* A0-A3 with 4-byte offsets (the device at A, a constant). */
#define MOFFS(a)                                                                             \
	do {                                                                                 \
		uint32_t b = ~0u, w = ~0u, l = 0;                                            \
		M32((a) + 0x140) = 0x55667788;                                               \
		asm volatile("movb %c1, %%al" : "+a"(b) : "i"((a) + 0x140));                 \
		asm volatile("movw %c1, %%ax" : "+a"(w) : "i"((a) + 0x140));                 \
		asm volatile("movl %c1, %%eax" : "+a"(l) : "i"((a) + 0x140));                \
		M32((a) + 0x148) = 0;                                                        \
		asm volatile("movb %%al, %c1" : : "a"(0xa5a6a7a8u), "i"((a) + 0x148) : "memory"); \
		asm volatile("movw %%ax, %c1" : : "a"(0xa5a6a7a8u), "i"((a) + 0x149) : "memory"); \
		asm volatile("movl %%eax, %c1" : : "a"(0xb1b2b3b4u), "i"((a) + 0x14c) : "memory"); \
		checkf(sfmt("%s: moffs a0-a3, byte, word and dword", mode_name),              \
		       b == 0xffffff88 && w == 0xffff7788 && l == 0x55667788 &&                \
		       R32((a) + 0x148) == 0xa7a8a8 && R32((a) + 0x14c) == 0xb1b2b3b4,          \
		       "loads 0x%x 0x%x 0x%x, stores 0x%x 0x%x", b, w, l, R32((a) + 0x148),    \
		       R32((a) + 0x14c));                                                      \
	} while (0)

static void strings(uint32_t dev)
{
	uint32_t di = dev + 0x400, si, cx = 6;
	uint32_t src[4] = { 0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c };
	uint8_t buf[20] = { 0 };
	bool ok = true;

	asm volatile("rep stosl" : "+D"(di), "+c"(cx) : "a"(0xcafef00du) : "memory");
	for (unsigned i = 0; i < 6; i++)
		ok &= R32(dev + 0x400 + 4 * i) == 0xcafef00d;
	checkf(sfmt("%s: rep stosl (6): values, ECX 0, EDI past the end", mode_name),
	       ok && cx == 0 && di == dev + 0x418, "ECX %u EDI 0x%x", cx, di);
	M32(dev + 0x41c) = M32(dev + 0x420) = M32(dev + 0x424) = 0;
	di = dev + 0x424, cx = 3;
	asm volatile("std; rep stosw; cld" : "+D"(di), "+c"(cx) : "a"(0xbeefu) : "memory", "cc");
	checkf(sfmt("%s: std; 66 rep stosw (3): downwards, EDI 6 lower", mode_name),
	       R32(dev + 0x41c) == 0 && R32(dev + 0x420) == 0xbeefbeef && R32(dev + 0x424) == 0xbeef &&
	       cx == 0 && di == dev + 0x41e, "0x%x 0x%x 0x%x EDI 0x%x", R32(dev + 0x41c), R32(dev + 0x420),
	       R32(dev + 0x424), di);
	di = dev + 0x440, si = (uint32_t)src, cx = 4;
	asm volatile("rep movsl" : "+D"(di), "+S"(si), "+c"(cx) : : "memory");
	di = (uint32_t)buf, si = dev + 0x441, cx = 15;
	asm volatile("rep movsb" : "+D"(di), "+S"(si), "+c"(cx) : : "memory");
	ok = cx == 0 && si == dev + 0x450 && buf[15] == 0;
	for (unsigned i = 0; i < 15; i++)
		ok &= buf[i] == i + 1;
	checkf(sfmt("%s: rep movsl RAM to device, rep movsb device to RAM", mode_name), ok,
	       "ECX %u ESI 0x%x buf[0] 0x%x", cx, si, buf[0]);
	di = dev + 0x44f, si = dev + 0x44b, cx = 12;
	asm volatile("std; rep movsb; cld" : "+D"(di), "+S"(si), "+c"(cx) : : "memory", "cc");
	checkf(sfmt("%s: std; rep movsb device to device, overlapping (memmove)", mode_name),
	       R32(dev + 0x440) == 0x03020100 && R32(dev + 0x444) == 0x03020100 && R32(dev + 0x44c) == 0x0b0a0908 &&
	       di == dev + 0x443 && si == dev + 0x43f, "0x%x 0x%x EDI 0x%x", R32(dev + 0x444), R32(dev + 0x44c), di);
}

/* Our own GDT: the runtime's code and data; data at base DEV for FS; data
 * with a 0x110-byte limit at DEV and (filled in) at a RAM page. */
static uint64_t gdt[6] = { 0, 0x00cf9a000000ffff, 0x00cf92000000ffff, 0xfecf92000000ffff,
			   0xfe4092000000010f };
static uint8_t limit_page[4096] __attribute__((aligned(4096)));

static void movsb_past_limit(long dst)
{
	asm volatile(TRAP_WANT_IP("1f") "1: rep movsb %%fs:(%%esi), %%es:(%%edi)"
		     : : "S"(0x108u), "D"(dst), "c"(16u) : "memory");
}

static void segment_base(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } old,
		ours = { sizeof(gdt) - 1, (uint32_t)gdt };
	volatile struct trap_frame *f = &trap_last.frame;
	uint32_t v = 0, p = (uint32_t)limit_page, ecx, esi, code;
	uint8_t buf[16];
	long vr, vd;

	gdt[5] = 0x004092000000010full | (uint64_t)(p & 0xffffff) << 16 | (uint64_t)(p >> 24) << 56;
	asm volatile("sgdt %0\n\tlgdt %1\n\tmovl $0x18, %%eax\n\tmovl %%eax, %%fs"
		     : "=m"(old) : "m"(ours) : "eax", "memory");
	M32(DEV + 0x118) = 0;
	asm volatile("addr16 movl %0, %%fs:0x108(%%bx,%%si)" : : "r"(0x600dcafeu), "b"(0xabcdfff0u), "S"(0x20u)
		     : "memory");
	check_eq("67 movl %reg, %fs:0x108(%bx,%si): FS base, 16-bit address wraps, EBX/ESI 31:16 ignored",
		 R32(DEV + 0x118), 0x600dcafe);
	asm volatile("movl %%fs:0x118, %0" : "=a"(v));
	check_eq("movl %fs:0x118, %eax (moffs with FS override)", v, 0x600dcafe);
	asm volatile("pushl %%ebp\n\txorl %%ebp, %%ebp\n\t"
		     "addr16 addw $0x1111, %%fs:0x100(%%bp,%%di)\n\tpopl %%ebp" : : "D"(0x18u) : "memory", "cc");
	check_eq("67 addw $imm, %fs:0x100(%bp,%di) (FS overrides the SS default of BP)", R32(DEV + 0x118),
		 0x600ddc0f);

	/* REP MOVSB whose source runs past FS's limit: on RAM, then on the device. */
	asm volatile("movl %0, %%fs" : : "r"(0x28u));
	vr = trap_try(movsb_past_limit, (long)buf);
	ecx = f->ecx, esi = f->esi, code = f->error_code;
	asm volatile("movl %0, %%fs" : : "r"(0x20u));
	vd = trap_try(movsb_past_limit, (long)buf);
	checkf("rep movsb from the device past the source segment's limit: fault, ECX, ESI as on RAM",
	       vd == vr && f->error_code == code && f->ecx == ecx && f->esi == esi,
	       "device: %s ECX %u ESI 0x%x; RAM: vector %ld error 0x%x ECX %u ESI 0x%x", trap_describe(vd), f->ecx,
	       f->esi, vr, code, ecx, esi);
	asm volatile("movl %%eax, %%fs\n\tlgdt %0" : : "m"(old), "a"(0x10u) : "memory");
}

/* 32-bit paging: 4 MiB identity pages, DEV_4M a 4 MiB page onto the device,
 * VA_X 4 KiB pages. PAE: the same with 2 MiB pages. */
static uint32_t pd32[1024] __attribute__((aligned(4096)));
static uint32_t pt32[1024] __attribute__((aligned(4096)));
static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd_pae[4][512] __attribute__((aligned(4096)));
static uint64_t pt_pae[512] __attribute__((aligned(4096)));
static uint8_t page_a[4096] __attribute__((aligned(4096)));
static uint8_t page_b[4096] __attribute__((aligned(4096)));

static void paging_32(void)
{
	for (uint32_t i = 0; i < 1024; i++)
		pd32[i] = i << 22 | PTE_P | PTE_W | PTE_PS;
	pd32[DEV_4M >> 22] = DEV | PTE_P | PTE_W | PTE_PCD | PTE_PS;
	pd32[VA_X >> 22] = (uint32_t)pt32 | PTE_P | PTE_W;
	pt32[0] = (uint32_t)page_a | PTE_P | PTE_W;
	pt32[1] = DEV | PTE_P | PTE_W | PTE_PCD;
	pt32[2] = (uint32_t)page_b | PTE_P | PTE_W;
	write_cr4(read_cr4() | CR4_PSE);
	write_cr3((uint32_t)pd32);
	write_cr0(read_cr0() | CR0_PG);
	mode_name = "32-bit paging";
}

static void paging_pae(void)
{
	write_cr0(read_cr0() & ~CR0_PG);
	for (uint32_t i = 0; i < 4; i++) {
		pdpt[i] = (uint32_t)pd_pae[i] | PTE_P;
		for (uint32_t j = 0; j < 512; j++)
			pd_pae[i][j] = (uint64_t)(i << 30 | j << 21) | PTE_P | PTE_W | PTE_PS;
	}
	pd_pae[DEV_4M >> 30][0] = DEV | PTE_P | PTE_W | PTE_PCD | PTE_PS;
	pd_pae[VA_X >> 30][0] = (uint32_t)pt_pae | PTE_P | PTE_W;
	pt_pae[0] = (uint32_t)page_a | PTE_P | PTE_W;
	pt_pae[1] = DEV | PTE_P | PTE_W | PTE_PCD;
	pt_pae[2] = (uint32_t)page_b | PTE_P | PTE_W;
	write_cr4((read_cr4() & ~CR4_PSE) | CR4_PAE);
	write_cr3((uint32_t)pdpt);
	write_cr0(read_cr0() | CR0_PG);
	mode_name = "PAE paging";
}

static void movsb_into_absent(long arg)
{
	asm volatile(TRAP_WANT_IP("1f") "1: rep movsb"
		     : : "S"(DEV_4M + 0x100), "D"(VA_X + 0x3000 - 8), "c"(16u) : "memory");
}

/* 4-byte accesses across RAM/device page boundaries, and a #PF inside an
 * emulated REP MOVSB from the device into an absent page. */
static void cross_pages(void)
{
	volatile struct trap_frame *f = &trap_last.frame;
	uint32_t last;
	bool ok = true;

	M32((uint32_t)page_a + 4092) = 0xdeadbeef;
	check_eq(sfmt("%s: 4-byte load across RAM into the device page (ID register)", mode_name),
		 R32(VA_X + 0xffe), 0x6474dead);
	M32(VA_X + 0xffe) = 0x01020304;
	last = R32(DEV_4M + 0x18);
	checkf(sfmt("%s: 4-byte store across RAM into the device: a 2-byte write at 0", mode_name),
	       R32((uint32_t)page_a + 4092) == 0x0304beef && last == 0x002 && R32(DEV_4M) == TESTDEV_MAGIC,
	       "RAM 0x%x, last write 0x%x", R32((uint32_t)page_a + 4092), last);
	M32(VA_X + 0x1ffe) = 0x11121314;
	checkf(sfmt("%s: 4-byte store and load across the device into RAM", mode_name),
	       R16(DEV_4M + 0xffe) == 0x1314 && R16((uint32_t)page_b) == 0x1112 && R32(VA_X + 0x1ffe) == 0x11121314,
	       "device 0x%x RAM 0x%x", R16(DEV_4M + 0xffe), R16((uint32_t)page_b));

	for (unsigned o = 0; o < 16; o++)
		M8(DEV_4M + 0x100 + o) = (uint8_t)(0xc0 + o);
	expect_exception(sfmt("%s: rep movsb from the device into an absent page: #PF, write", mode_name), 14, 0x2,
			 movsb_into_absent, 0);
	for (unsigned o = 0; o < 8; o++)
		ok &= page_b[4088 + o] == 0xc0 + o;
	checkf(sfmt("%s: ... CR2, ECX/ESI/EDI after 8 bytes, the 8 bytes copied", mode_name),
	       ok && trap_last.cr2 == VA_X + 0x3000 && f->ecx == 8 && f->esi == DEV_4M + 0x108 &&
	       f->edi == VA_X + 0x3000, "CR2 0x%x ECX %u ESI 0x%x EDI 0x%x, bytes %s", (uint32_t)trap_last.cr2,
	       f->ecx, f->esi, f->edi, ok ? "ok" : "wrong");
}

static void ud_cmpxchg(long a)
{
	asm volatile(TRAP_WANT_IP("1f") "1: lock cmpxchgl %%ecx, (%0)" : : "r"(a), "a"(0), "c"(1) : "memory", "cc");
}

static void ud_push(long a)
{
	asm volatile(TRAP_WANT_IP("1f") "1: pushl (%0)\n\taddl $4, %%esp" : : "r"(a) : "memory");
}

void main(void)
{
	check_eq("the test device's ID register", R32(DEV), TESTDEV_MAGIC);
	run_cases(0, DEV + 0x100);
	MOFFS(DEV);
	strings(DEV);
	segment_base();
	expect_exception("lock cmpxchg on the device: #UD", 6, TRAP_NO_CODE, ud_cmpxchg, DEV + 0x100);
	expect_exception("pushl (mem) on the device: #UD", 6, TRAP_NO_CODE, ud_push, DEV + 0x100);

	paging_32();
	run_cases(SUB, DEV_4M + 0x100);
	MOFFS(DEV_4M);
	strings(DEV_4M);
	cross_pages();

	paging_pae();
	run_cases(SUB, DEV_4M + 0x100);
	MOFFS(DEV_4M);
	strings(DEV_4M);
	cross_pages();
	write_cr0(read_cr0() & ~CR0_PG);
	write_cr4(read_cr4() & ~CR4_PAE);
}
