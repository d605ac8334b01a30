/* tests/guests/bench.c - path lengths of VM exits, for `make bench`
 * (tools/bench.sh, docs/benchmarks.md). Needs the test MMIO device at
 * 0xfe000000 (hypervisor option testmmio=0xfe000000).
 *
 * Each item is one instruction timed with RDTSC, 101 times; the guest prints
 * the median delta less the median of an empty measurement:
 *
 *   bench: NAME PATH
 *
 * Under Bochs with `clock: sync=none` the TSC advances by one per emulated
 * instruction, so PATH is the number of instructions the item costs: 1 for
 * an instruction that does not exit, 1 + the whole exit path (VM exit,
 * hypervisor, VM entry) for one that does. Every repetition of an item runs
 * the same code, so all 101 deltas should be equal; a line
 * "bench: spread NAME: K of 101 differ; min A max B first C" reports an item
 * whose deltas were not (a first execution that takes a longer path, say).
 *
 * The measured sequence is the same for every item and for the empty one:
 *
 *   lfence; rdtsc; lfence; mov %eax,%r8d      start
 *   mov $A,%eax; mov $D,%edx                   set-up (RDTSC clobbers both)
 *   OP                                         nothing for the empty one
 *   lfence; rdtsc; lfence; sub %r8d,%eax       end: EAX = delta
 *
 * RCX and RDI are loaded before the start. LFENCE keeps RDTSC from running
 * ahead of or behind the instructions around it on real hardware (CPUID,
 * the usual serializer, exits here). Checks after the measurements make
 * sure each exiting item caused exactly one exit of its kind per run and
 * the baselines none.
 */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

#define REPS            101
#define TESTDEV         0xfe000000ul
#define TESTDEV_MAGIC   0x76656474u      /* "tdev", the ID register at offset 0 */
#define TESTDEV_AREA    0x100            /* scratch bytes */
#define COM1_LSR        0x3fd            /* the hypervisor's UART: trapped */
#define COM1_SCR        0x3ff
#define PORT_SYSCTL     0x61             /* passed through: no exit */
#define MSR_FEATURE_CTL 0x3a             /* trapped */
#define NO_EXIT         (-1)

struct item {
	const char *name;
	int exit_reason;                 /* the exit each run must cause, or NO_EXIT */
	uint32_t (*run)(void);           /* one measurement: the TSC delta */
};

static volatile uint32_t ram_word = 0x12345678;

/* The measurement; OP is the instruction under test, A and D go to EAX and
 * EDX, C and DI to RCX and RDI before the start. */
#define MEASURE(op, a, d, c, di)                                                   \
	({                                                                         \
		uint32_t delta_, edx_;                                             \
		unsigned long rcx_ = (c), rdi_ = (di);                             \
		asm volatile("lfence\n\trdtsc\n\tlfence\n\tmov %%eax, %%r8d\n\t"   \
			     "mov %[ia], %%eax\n\tmov %[id], %%edx\n\t"            \
			     op "\n\t"                                             \
			     "lfence\n\trdtsc\n\tlfence\n\tsub %%r8d, %%eax"       \
			     : "=&a"(delta_), "=&d"(edx_), "+c"(rcx_), "+D"(rdi_)  \
			     : [ia] "i"(a), [id] "i"(d)                            \
			     : "rbx", "rsi", "r8", "memory");                      \
		(void)edx_;                                                        \
		delta_;                                                            \
	})

static uint32_t m_empty(void)    { return MEASURE("", 0, 0, 0, 0); }
static uint32_t m_mmio_read(void) { return MEASURE("movl (%%rdi), %%eax", 0, 0, 0, TESTDEV); }
static uint32_t m_mmio_write(void)
{
	return MEASURE("movl %%eax, (%%rdi)", 0x5a5a5a5a, 0, 0, TESTDEV + TESTDEV_AREA);
}
static uint32_t m_pio_in(void)   { return MEASURE("inb %%dx, %%al", 0, COM1_LSR, 0, 0); }
static uint32_t m_pio_out(void)  { return MEASURE("outb %%al, %%dx", 0x5a, COM1_SCR, 0, 0); }
static uint32_t m_cpuid(void)    { return MEASURE("cpuid", 0, 0, 0, 0); }
static uint32_t m_vmcall(void)   { return MEASURE("vmcall", HC_VERSION, 0, 0, 0); }
static uint32_t m_rdmsr(void)    { return MEASURE("rdmsr", 0, 0, MSR_FEATURE_CTL, 0); }
static uint32_t m_pio_in_untrapped(void) { return MEASURE("inb %%dx, %%al", 0, PORT_SYSCTL, 0, 0); }
static uint32_t m_ram_read(void)
{
	return MEASURE("movl (%%rdi), %%eax", 0, 0, 0, (unsigned long)(uintptr_t)&ram_word);
}

static const struct item items[] = {
	{ "mmio_read_4",  GUEST_EXIT_STAGE2_FAULT,  m_mmio_read },
	{ "mmio_write_4", GUEST_EXIT_STAGE2_FAULT,  m_mmio_write },
	{ "pio_in_3fd",   GUEST_EXIT_IO, m_pio_in },
	{ "pio_out_3ff",  GUEST_EXIT_IO, m_pio_out },
	{ "cpuid_0",      GUEST_EXIT_CPUID,          m_cpuid },
	{ "vmcall_version", GUEST_EXIT_HYPERCALL,       m_vmcall },
	{ "rdmsr_3a",     GUEST_EXIT_MSR_READ,       m_rdmsr },
	{ "pio_in_61",    NO_EXIT,                    m_pio_in_untrapped },
	{ "ram_read_4",   NO_EXIT,                    m_ram_read },
};
#define NITEMS (sizeof(items) / sizeof(items[0]))

/* The exit kinds the checks look at. */
static const int reasons[] = {
	GUEST_EXIT_STAGE2_FAULT, GUEST_EXIT_IO, GUEST_EXIT_CPUID,
	GUEST_EXIT_HYPERCALL, GUEST_EXIT_MSR_READ,
};
#define NREASONS (sizeof(reasons) / sizeof(reasons[0]))

struct stats { uint32_t median, min, max, first, off; };

/* Runs FN REPS times; the median, minimum and maximum delta, the first one,
 * and how many differ from the median. */
static struct stats measure(uint32_t (*fn)(void))
{
	static uint32_t s[REPS];

	for (unsigned i = 0; i < REPS; i++)
		s[i] = fn();
	uint32_t first = s[0];
	for (unsigned i = 1; i < REPS; i++) {           /* insertion sort: 101 values */
		uint32_t v = s[i];
		unsigned j = i;
		for (; j > 0 && s[j - 1] > v; j--)
			s[j] = s[j - 1];
		s[j] = v;
	}
	unsigned off = 0;
	for (unsigned i = 0; i < REPS; i++)
		off += s[i] != s[REPS / 2];
	return (struct stats){ s[REPS / 2], s[0], s[REPS - 1], first, off };
}

static void counts(long out[NREASONS])
{
	for (unsigned i = 0; i < NREASONS; i++)
		out[i] = exit_count((unsigned)reasons[i]);
}

/* The exits one run of ITEM causes, per kind, must be exactly its own one
 * (the HC_EXIT_COUNT VMCALLs in between are counted out). */
static void check_exits(const struct item *it)
{
	long before[NREASONS], after[NREASONS];
	bool ok = true;
	char detail[160];
	size_t n = 0;

	counts(before);
	(void)it->run();
	counts(after);
	detail[0] = 0;
	for (unsigned i = 0; i < NREASONS; i++) {
		long want = (reasons[i] == it->exit_reason) +
			    (reasons[i] == GUEST_EXIT_HYPERCALL ? (long)NREASONS : 0);
		long got = after[i] - before[i];
		if (got != want) {
			ok = false;
			n += (size_t)fmt(detail + n, sizeof(detail) - n, "%sreason %d: %ld exits, expected %ld",
					 n ? "; " : "", reasons[i], got, want);
		}
	}
	if (it->exit_reason == NO_EXIT)
		checkf(sfmt("%s causes no exit", it->name), ok, "%s", detail);
	else
		checkf(sfmt("%s causes one exit of reason %d", it->name, it->exit_reason), ok, "%s", detail);
}

void main(void)
{
	struct stats empty = measure(m_empty);
	struct stats r[NITEMS];

	for (unsigned i = 0; i < NITEMS; i++)
		r[i] = measure(items[i].run);

	printf_("bench: repetitions %u\n", REPS);
	printf_("bench: empty %u\n", empty.median);
	for (unsigned i = 0; i < NITEMS; i++)
		printf_("bench: %s %u\n", items[i].name, r[i].median - empty.median);
	if (empty.off)
		printf_("bench: spread empty: %u of %u differ; min %u max %u first %u\n", empty.off, REPS,
			empty.min, empty.max, empty.first);
	for (unsigned i = 0; i < NITEMS; i++)
		if (r[i].off)
			printf_("bench: spread %s: %u of %u differ; min %u max %u first %u\n", items[i].name,
				r[i].off, REPS, r[i].min - empty.median, r[i].max - empty.median,
				r[i].first - empty.median);

	/* What was measured is what was meant. */
	uint32_t id;
	asm volatile("movl (%1), %0" : "=a"(id) : "D"(TESTDEV) : "memory");
	check_eq("the test device's ID register reads its magic", id, TESTDEV_MAGIC);
	check_eq("the UART's LSR (0x3fd) reads 0x60", inb(COM1_LSR), 0x60);
	check_eq("HC_VERSION returns 0.1", (uint64_t)hc(HC_VERSION, 0, 0, 0),
		 HC_VERSION_MAJOR << 16 | HC_VERSION_MINOR);
	for (unsigned i = 0; i < NITEMS; i++)
		check_exits(&items[i]);
	check_exits(&(struct item){ "the empty measurement", NO_EXIT, m_empty });
	finish();
}
