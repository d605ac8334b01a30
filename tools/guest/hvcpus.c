/* tools/guest/hvcpus.c - /bin/hvcpus of the default Linux guest
 * (tools/mkguest.sh): what every online CPU sees of the hypervisor. For each
 * CPU of its affinity mask (all online CPUs when started from init) it pins
 * itself there (sched_setaffinity, checked with getcpu), runs CPUID 1 (APIC
 * ID, hypervisor flag: SDM Vol. 2A, CPUID) and CPUID 0x40000000 (the
 * hypervisor leaf: max leaf, signature; docs/hypercalls.md), reads 4 bytes
 * at each physical address given on its command line through /dev/mem, and
 * prints one line per CPU:
 *
 *   hv-guest: cpu 1: APIC ID 1, hypervisor flag yes, cpuid 0x40000000: max leaf 0x40000001, signature "hvhvhvhvhvhv", 0x7e000000: ffffffff
 *
 * then "hv-guest: hvcpus: N CPUs". The read is one 32-bit load of this
 * process from an uncached mmap (O_SYNC) of the page, on the pinned CPU;
 * where mmap is refused, pread on /dev/mem (the kernel's own load). Debian's
 * kernel has STRICT_DEVMEM and IO_STRICT_DEVMEM: RAM and busy I/O ranges are
 * refused (shown as "error N"), e820 "Reserved" ranges, which no driver
 * claims, are allowed. Exit status: 0, or 1 if a CPU could not be pinned or
 * a read failed.
 *
 * Freestanding: raw Linux system calls, no libc (the initramfs has none).
 * Usage: hvcpus [PHYSADDR]...   (hexadecimal, 0x optional; at most 8) */
#include <stddef.h>
#include <stdint.h>

#define SYS_pread64           17
#define SYS_write             1
#define SYS_open              2
#define SYS_close             3
#define SYS_mmap              9
#define SYS_sched_setaffinity 203
#define SYS_sched_getaffinity 204
#define SYS_exit_group        231
#define SYS_getcpu            309

#define O_RDONLY   0
#define O_SYNC     04010000
#define PROT_READ  1
#define MAP_SHARED 1
#define PAGE_SIZE  4096ul
#define MAX_ADDRS  8
#define MASK_WORDS 64          /* 4096 CPUs */

/* clang may call these for loops and initializers even when freestanding. */
void *memset(void *d, int c, size_t n);
void *memset(void *d, int c, size_t n)
{
	volatile unsigned char *p = d;   /* volatile: not turned back into a memset call */

	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

static long sys(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 asm("r10") = d;
	register long r8 asm("r8") = e;
	register long r9 asm("r9") = f;

	asm volatile("syscall"
		     : "=a"(ret)
		     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
		     : "rcx", "r11", "memory");
	return ret;
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static struct cpuid_regs cpuid(uint32_t leaf)
{
	struct cpuid_regs r;

	asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(0));
	return r;
}

/* One output line, built up and written at once (lines of several
 * processes on the console must not interleave mid-line). */
static char line[512];
static size_t len;

static void put(const char *s)
{
	while (*s && len < sizeof(line) - 1)
		line[len++] = *s++;
}

static void put_hex(uint64_t v, int digits)
{
	char buf[17];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while ((v || n < digits) && n < 16);
	while (n && len < sizeof(line) - 1)
		line[len++] = buf[--n];
}

static void put_dec(uint64_t v)
{
	char buf[21];
	int n = 0;

	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && len < sizeof(line) - 1)
		line[len++] = buf[--n];
}

static void flush(void)
{
	line[len++] = '\n';
	sys(SYS_write, 1, (long)line, (long)len, 0, 0, 0);
	len = 0;
}

/* "0x7e000000" or "7e000000" -> 0 and *V; anything else -> -1. */
static int parse_hex(const char *s, uint64_t *v)
{
	*v = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s)
		return -1;
	for (; *s; s++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0' :
			*s >= 'a' && *s <= 'f' ? *s - 'a' + 10 :
			*s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : -1;

		if (d < 0 || *v >> 60)
			return -1;
		*v = *v << 4 | (uint64_t)d;
	}
	return 0;
}

struct target {
	uint64_t pa;
	const volatile uint32_t *map;   /* the word at PA through mmap, or NULL: pread */
	long map_err;                   /* mmap's error, if it failed */
};

static void put_signature(const struct cpuid_regs *r)
{
	uint32_t w[3] = { r->ebx, r->ecx, r->edx };
	char sig[13];

	for (int i = 0; i < 12; i++) {
		char c = (char)(w[i / 4] >> (8 * (i % 4)));

		sig[i] = c >= 0x20 && c < 0x7f && c != '"' ? c : '.';
	}
	sig[12] = 0;
	put("\"");
	put(sig);
	put("\"");
}

/* Appends ", 0xPA: xxxxxxxx" (or the error) for one read on this CPU; 0 or -1. */
static int read_target(int fd, const struct target *t)
{
	uint32_t v;
	long n;

	put(", 0x");
	put_hex(t->pa, 1);
	put(": ");
	if (t->map) {
		v = *t->map;
	} else {
		n = sys(SYS_pread64, fd, (long)&v, sizeof(v), (long)t->pa, 0, 0);
		if (n != sizeof(v)) {
			put("error ");
			put_dec((uint64_t)(n < 0 ? -n : 0));
			put(" (pread");
			if (t->map_err) {
				put("; mmap: error ");
				put_dec((uint64_t)-t->map_err);
			}
			put(")");
			return -1;
		}
	}
	put_hex(v, 8);
	return 0;
}

static int run(int argc, char **argv)
{
	static uint64_t mask[MASK_WORDS], one[MASK_WORDS];
	static struct target targets[MAX_ADDRS];
	int ntargets = 0, fd = -1, failed = 0;
	unsigned ncpus = 0;

	for (int i = 1; i < argc; i++) {
		if (ntargets == MAX_ADDRS || parse_hex(argv[i], &targets[ntargets].pa)) {
			put("hv-guest: hvcpus: bad or too many addresses (usage: hvcpus [PHYSADDR]..., at most 8)");
			flush();
			return 2;
		}
		ntargets++;
	}
	if (ntargets) {
		fd = (int)sys(SYS_open, (long)"/dev/mem", O_RDONLY | O_SYNC, 0, 0, 0, 0);
		if (fd < 0) {
			put("hv-guest: hvcpus: cannot open /dev/mem: error ");
			put_dec((uint64_t)-fd);
			flush();
			return 1;
		}
	}
	for (int i = 0; i < ntargets; i++) {
		struct target *t = &targets[i];
		long p;

		if (t->pa % 4)             /* an unaligned word could straddle the page: pread */
			continue;
		p = sys(SYS_mmap, 0, PAGE_SIZE, PROT_READ, MAP_SHARED, fd, (long)(t->pa & ~(PAGE_SIZE - 1)));
		if (p < 0 && p > -4096)
			t->map_err = p;
		else
			t->map = (const volatile uint32_t *)(p + (long)(t->pa & (PAGE_SIZE - 1)));
	}
	if (sys(SYS_sched_getaffinity, 0, sizeof(mask), (long)mask, 0, 0, 0) < 0) {
		put("hv-guest: hvcpus: sched_getaffinity failed");
		flush();
		return 1;
	}
	for (unsigned cpu = 0; cpu < MASK_WORDS * 64; cpu++) {
		unsigned now = ~0u;

		if (!(mask[cpu / 64] >> (cpu % 64) & 1))
			continue;
		ncpus++;
		for (int w = 0; w < MASK_WORDS; w++)
			one[w] = 0;
		one[cpu / 64] = 1ull << (cpu % 64);
		put("hv-guest: cpu ");
		put_dec(cpu);
		put(": ");
		if (sys(SYS_sched_setaffinity, 0, sizeof(one), (long)one, 0, 0, 0) < 0 ||
		    sys(SYS_getcpu, (long)&now, 0, 0, 0, 0, 0) < 0 || now != cpu) {
			put("not pinned (running on ");
			put_dec(now);
			put(")");
			flush();
			failed = 1;
			continue;
		}
		struct cpuid_regs r1 = cpuid(1), hv = cpuid(0x40000000);

		put("APIC ID ");
		put_dec(r1.ebx >> 24);
		put(", hypervisor flag ");
		put(r1.ecx >> 31 ? "yes" : "no");
		put(", cpuid 0x40000000: max leaf 0x");
		put_hex(hv.eax, 1);
		put(", signature ");
		put_signature(&hv);
		for (int i = 0; i < ntargets; i++)
			if (read_target(fd, &targets[i]))
				failed = 1;
		flush();
	}
	put("hv-guest: hvcpus: ");
	put_dec(ncpus);
	put(" CPUs");
	flush();
	if (fd >= 0)
		sys(SYS_close, fd, 0, 0, 0, 0, 0);
	return failed;
}

/* The kernel starts us with RSP at argc, then argv[]. */
__attribute__((used)) static void start_c(long *sp)
{
	sys(SYS_exit_group, run((int)sp[0], (char **)(sp + 1)), 0, 0, 0, 0, 0);
	__builtin_unreachable();
}

asm(".globl _start\n"
    "_start:\n"
    "	mov %rsp, %rdi\n"
    "	and $-16, %rsp\n"
    "	call start_c\n"
    "	hlt\n");
