/* tests/guests/memory.c - the guest memory map as the EPT gives it: every
 * RAM page boundary around 4K/2M/1G transitions holds data, the
 * hypervisor's hidden memory reads as all ones and drops writes (for the
 * memory-operand instruction forms the emulator supports), and the trapped
 * test device (hypervisor option testmmio=0xfe000000) answers every width.
 * The map comes from HC_MEMMAP. */
#include "tests/guests/lib/guest.h"

#define TESTDEV       0xfe000000ul
#define TESTDEV_MAGIC 0x76656474u
#define LOW_SKIP_LO   0x5f000ul          /* the hypervisor's GDT and page tables for us */
#define LOW_SKIP_HI   0x80000ul          /* ... up to our start stack */
#define MAX_RANGES    64

struct range { uint64_t start, size, e820, kind; };

static struct range ranges[MAX_RANGES];
static unsigned nranges;
extern char __image_start[] __attribute__((weak)), __bss_end[];

static long memmap(long index, struct range *r)
{
	long ret;
	uint64_t b = (uint64_t)index, c, d, s;

	asm volatile("vmcall" : "=a"(ret), "+b"(b), "=c"(c), "=d"(d), "=S"(s) : "a"(HC_MEMMAP) : "memory");
	*r = (struct range){ b, c, d, s };
	return ret;
}

static bool skip(uint64_t a)
{
	/* Our own image and stack, and the tables the CPU is walking right now. */
	return (a >= 0x1000000ul && a < (uint64_t)(uintptr_t)__bss_end + 8) ||
	       (a >= LOW_SKIP_LO && a < LOW_SKIP_HI) || a < 0x1000;
}

static bool is_ram(uint64_t a, unsigned len)
{
	for (unsigned i = 0; i < nranges; i++)
		if (ranges[i].kind == HC_MEM_RAM && a >= ranges[i].start &&
		    a + len <= ranges[i].start + ranges[i].size)
			return true;
	return false;
}

static unsigned touched, touch_bad;

/* An 8-byte access at a (straddling a page boundary when a is 4 below it):
 * save, write a pattern, read it back, restore. */
static void touch(uint64_t a)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)a;
	uint64_t old, pat = 0x5a5a000000000000ull ^ a;

	if (skip(a) || skip(a + 7) || !is_ram(a, 8))
		return;
	old = *p;
	*p = pat;
	if (*p != pat)
		touch_bad++;
	*p = old;
	touched++;
}

static void touch_range(const struct range *r)
{
	uint64_t end = r->start + r->size;

	touch(r->start);
	touch(end - 8);
	/* 4 KiB boundaries in the first 8 MiB (where 4K/2M transitions are), 2 MiB and 1 GiB above. */
	for (uint64_t a = (r->start + 0xfff) & ~0xffful; a < end && a < 0x800000; a += 0x1000)
		touch(a - 4);
	for (uint64_t a = (r->start + 0x1fffff) & ~0x1ffffful; a < end; a += 0x200000)
		touch(a - 4);
	for (uint64_t a = (r->start + 0x3fffffff) & ~0x3ffffffful; a < end; a += 0x40000000)
		touch(a - 4);
}

static void hidden_memory(uint64_t h)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)h;
	volatile uint8_t *b = (volatile uint8_t *)(uintptr_t)h;
	uint64_t v;

	check_eq("hidden memory: 8-byte MOV load reads all ones", *p, ~0ull);
	check_eq("hidden memory: 1-byte MOVZX load reads 0xff", b[3], 0xff);
	*p = 0x1234;
	check_eq("hidden memory: a MOV store is dropped", *p, ~0ull);
	v = 5;
	asm volatile("addq %1, %0" : "+m"(*p) : "r"(v));
	check_eq("hidden memory: ADD to memory is dropped", *p, ~0ull);
	asm volatile("cld; rep stosb" : : "D"(b + 64), "c"(16ul), "a"(0) : "memory");
	check_eq("hidden memory: REP STOSB is dropped", p[8], ~0ull);
	asm volatile("movq %1, %%rax; movq %%rax, %0" : "=m"(v) : "m"(*p) : "rax");
	check_eq("hidden memory: a load into a register", v, ~0ull);
	check_eq("hidden memory: last page too", *(volatile uint64_t *)(uintptr_t)(h + 0xff8), ~0ull);
}

static void test_device(void)
{
	volatile uint8_t *d = (volatile uint8_t *)TESTDEV;
	volatile uint64_t q;
	uint8_t buf[16] = { 0 };

	check_eq("testdev: 32-bit ID register", *(volatile uint32_t *)(d + 0x0), TESTDEV_MAGIC);
	*(volatile uint64_t *)(d + 0x8) = 0x1122334455667788ull;
	check_eq("testdev: 64-bit scratch write/read", *(volatile uint64_t *)(d + 0x8), 0x1122334455667788ull);
	check_eq("testdev: 16-bit read of the scratch", *(volatile uint16_t *)(d + 0xa), 0x5566);
	*(volatile uint8_t *)(d + 0x9) = 0xab;
	check_eq("testdev: 8-bit write lands in the scratch", *(volatile uint64_t *)(d + 0x8), 0x112233445566ab88ull);
	check_eq("testdev: last write recorded (offset 9, size 1)", *(volatile uint64_t *)(d + 0x18), 0x901);
	*(volatile uint32_t *)(d + 0x0) = 0;
	check_eq("testdev: the ID register is read-only", *(volatile uint32_t *)(d + 0x0), TESTDEV_MAGIC);
	*(volatile uint32_t *)(d + 0x14) = 0x0000ff01;
	check_eq("testdev: write-one-to-clear", *(volatile uint32_t *)(d + 0x14), 0xffff00feu);
	asm volatile("orl $0x10, %0" : "+m"(*(volatile uint32_t *)(d + 0x100)));
	check_eq("testdev: OR to device memory (read-modify-write)", *(volatile uint32_t *)(d + 0x100), 0x10);
	asm volatile("cld; rep movsb" : : "S"(d + 0x8), "D"(buf), "c"(8ul) : "memory");
	check_eq("testdev: REP MOVSB from the device to RAM", *(uint64_t *)buf, 0x112233445566ab88ull);
	q = *(volatile uint32_t *)(d + 0x10);
	checkf("testdev: access count register counts", q > 10, "got %lu", (unsigned long)q);
	check_eq("testdev: unbacked offset reads its bytes (zero)", *(volatile uint64_t *)(d + 0x200), 0);
}

/* A device model that comes and goes at run time inside a 1 GiB page of the
 * MMIO hole: the EPT splits to 4 KiB around it and merges back afterwards. */
static void runtime_change(void)
{
	const uint64_t at = 0x92345000ul;
	volatile uint32_t *id = (volatile uint32_t *)at;
	long before;

	check_eq("HC_TRAP_TEST registers a device at 0x92345000", hc(HC_TRAP_TEST, at, 1, 0), 0);
	check_eq("the new device answers there", *id, TESTDEV_MAGIC);
	check_eq("HC_TRAP_TEST removes it again", hc(HC_TRAP_TEST, at, 0, 0), 0);
	before = exit_count(GUEST_EXIT_STAGE2_FAULT);
	(void)*id;
	check_eq("afterwards the address is pass-through again (no exit)",
		 exit_count(GUEST_EXIT_STAGE2_FAULT), before);
	check_eq("a misaligned HC_TRAP_TEST is refused", hc(HC_TRAP_TEST, at + 8, 1, 0), -HC_EINVAL);
}

#define PTE_P  0x1ul
#define PTE_W  0x2ul
#define PTE_PWT 0x8ul
#define PTE_PCD 0x10ul
#define PTE_PS 0x80ul
#define PTE_ADDR 0x000ffffffffff000ul

static uint64_t probe_pdpt[512] __attribute__((aligned(4096)));
static uint64_t probe_pd[2][512] __attribute__((aligned(4096)));

/* Maps the 2 MiB page holding a (above 4 GiB) at the same virtual address,
 * uncached, with probe_pd[k]; the loader's tables map [0, 4 GiB) through
 * PML4 entry 0, anything above 512 GiB gets probe_pdpt. */
static void map_probe(uint64_t a, unsigned k)
{
	uint64_t *pml4, *pdpt, cr3;
	unsigned i4 = (a >> 39) & 511, i3 = (a >> 30) & 511;

	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	pml4 = (uint64_t *)(uintptr_t)(cr3 & PTE_ADDR);
	if (!(pml4[i4] & PTE_P))
		pml4[i4] = (uint64_t)(uintptr_t)probe_pdpt | PTE_P | PTE_W;
	pdpt = (uint64_t *)(uintptr_t)(pml4[i4] & PTE_ADDR);
	pdpt[i3] = (uint64_t)(uintptr_t)probe_pd[k] | PTE_P | PTE_W;
	probe_pd[k][(a >> 21) & 511] = (a & ~0x1ffffful) | PTE_P | PTE_W | PTE_PS | PTE_PCD | PTE_PWT;
	asm volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
}

/* An 8-byte load at a (mapped by map_probe): nothing lives there in Bochs,
 * so the bus reads all ones either way; that the EPT maps it shows in the
 * exit count: no EPT violation. */
static void probe_above_ram(const char *what, uint64_t a, unsigned k)
{
	long before;
	uint64_t v;

	map_probe(a, k);
	before = exit_count(GUEST_EXIT_STAGE2_FAULT);
	v = *(volatile uint64_t *)(uintptr_t)a;
	before = exit_count(GUEST_EXIT_STAGE2_FAULT) - before;
	checkf(sfmt("%s (0x%lx): pass-through, read without an EPT violation", what, a), before == 0 && v == ~0ul,
	       "%ld EPT violations, read 0x%lx", before, v);
}

/* The guest-physical space reaches MAXPHYADDR (CPUID.80000008H:EAX[7:0],
 * at most 48 bits): the map's last range ends there as pass-through MMIO. */
static void above_ram(void)
{
	uint32_t eax, ebx, ecx, edx;
	unsigned bits;
	uint64_t top;
	const struct range *last = &ranges[nranges - 1];

	asm volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(0x80000008u), "c"(0));
	bits = eax & 0xff;
	top = 1ul << (bits > 48 ? 48 : bits);
	checkf(sfmt("the guest map reaches MAXPHYADDR (%u bits) as pass-through MMIO", bits),
	       last->start + last->size == top && last->kind == HC_MEM_MMIO && last->start <= 0x800000000ul,
	       "last range 0x%lx-0x%lx kind %lu", last->start, last->start + last->size, last->kind);
	probe_above_ram("a 64-bit BAR's place at 32 GiB", 0x800000000ul, 0);
	probe_above_ram("the last page below MAXPHYADDR", top - 8, 1);
}

void main(void)
{
	uint64_t hidden = 0;
	bool have_device = false;

	for (nranges = 0; nranges < MAX_RANGES; nranges++)
		if (memmap(nranges, &ranges[nranges]))
			break;
	checkf("HC_MEMMAP lists the guest memory map", nranges > 3 && nranges < MAX_RANGES,
	       "%u ranges", nranges);
	for (unsigned i = 0; i < nranges; i++) {
		if (ranges[i].kind == HC_MEM_HIDDEN && ranges[i].size >= 0x1000 && !hidden)
			hidden = ranges[i].start;
		if (ranges[i].kind == HC_MEM_TRAPPED && ranges[i].start == TESTDEV)
			have_device = true;
	}
	for (unsigned i = 0; i < nranges; i++)
		if (ranges[i].kind == HC_MEM_RAM)
			touch_range(&ranges[i]);
	checkf("RAM keeps data at every page boundary touched", touch_bad == 0 && touched > 1000,
	       "%u touched, %u wrong", touched, touch_bad);
	checkf("the map has hidden hypervisor memory", hidden != 0, "none");
	if (hidden)
		hidden_memory(hidden);
	checkf("the map has the test device at 0xfe000000", have_device, "not registered");
	if (have_device)
		test_device();
	runtime_change();
	above_ram();
	finish();
}
