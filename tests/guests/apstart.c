/* tests/guests/apstart.c - a guest starts its application processors with
 * INIT and SIPI (SDM Vol. 3A, 8.4.4.1 and 10.6.1; issue 14 point 2), as Linux
 * does, through the xAPIC ICR and then through the x2APIC ICR (MSR 0x830):
 *   - Linux's sequence per AP: INIT assert, INIT de-assert, then two SIPIs
 *     with 10 us waits around each (arch/x86/kernel/smpboot.c,
 *     wakeup_secondary_cpu_via_init, init_udelay 0 on modern CPUs): the AP
 *     arrives once, at the SIPI's vector, under the hypervisor;
 *   - every AP at once: that sequence to each AP without waiting for any
 *     (Linux 6.x's parallel bring-up), and with the all-excluding-self
 *     shorthand;
 *   - a SIPI without INIT to a running AP, and to a halted one: ignored;
 *   - INIT to a running AP: it stops (waits for SIPI), a SIPI starts it
 *     again at the new vector;
 *   - INIT storms: 1000 INITs, then 1000 INIT/SIPI pairs, to every AP back to
 *     back; afterwards Linux's sequence starts each AP exactly once more.
 * The APs come from the MADT. Each runs a real-mode trampoline (copied to
 * two pages below 1 MiB: which one ran tells the vector) that counts its
 * arrival, records CS and CPUID.1:ECX.hypervisor, then spins counting a
 * heartbeat until told to stop, and halts. A guest whose APIC is in x2APIC
 * mode already (hvtest testx2apic) does only the x2APIC part, on APs that
 * never had a real INIT. Waits use the PIT's channel 2
 * (ports 0x42, 0x43, 0x61: passed through). Ends with every AP sent INIT:
 * waiting for SIPI again. Needs 2 or more CPUs; a 1-CPU machine fails the
 * "APs found" check. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

#define APIC_MMIO         0xfee00000ul
#define APIC_ID           0x020
#define APIC_ESR          0x280
#define APIC_ICR_LO       0x300
#define APIC_ICR_HI       0x310
#define X2APIC_ID         0x802
#define X2APIC_ESR        0x828
#define X2APIC_ICR        0x830
#define APIC_BASE_EXTD    (1u << 10)
#define APIC_BASE_ENABLE  (1u << 11)

#define ICR_INIT          (5u << 8)
#define ICR_STARTUP       (6u << 8)
#define ICR_BUSY          (1u << 12)      /* delivery status (xAPIC only) */
#define ICR_ASSERT        (1u << 14)
#define ICR_LEVEL         (1u << 15)
#define ICR_ALL_BUT_SELF  (3u << 18)

/* The trampoline's two pages (vectors 0x20 and 0x21); its data lies in the first. */
#define TRAMP_A           0x20000
#define TRAMP_B           0x21000
#define VEC_A             (TRAMP_A >> 12)
#define VEC_B             (TRAMP_B >> 12)
#define DATA_OFF          0x800
#define MAX_IDS           16              /* APIC IDs the trampoline records */

#define STR_(x) #x
#define STR(x)  STR_(x)

/* One AP's record, written by the trampoline (offsets fixed in its code). */
struct ap_slot {
	uint32_t arrivals;                 /* +0: starts so far */
	uint32_t heartbeat;                /* +4: spin loop iterations */
	uint16_t cs;                       /* +8: CS at its start: vector << 8 */
	uint8_t hv;                        /* +10: CPUID.1:ECX[31] */
	uint8_t halted;                    /* +11: 1 once it stopped spinning */
	uint32_t pad;
};
_Static_assert(sizeof(struct ap_slot) == 16, "the trampoline indexes slots by APIC ID << 4");

struct ap_data {
	struct ap_slot slot[MAX_IDS];
	uint32_t stop;                     /* +0x100: nonzero: spinning APs halt */
};
_Static_assert(__builtin_offsetof(struct ap_data, stop) == 0x100, "the trampoline reads stop at 0x100");

#define DATA ((volatile struct ap_data *)(uintptr_t)(TRAMP_A + DATA_OFF))

/*
 * The trampoline, real mode at CS = vector << 8, IP 0. DS is the data
 * page's segment whichever copy runs. 16-bit addressing ([BX + disp]) keeps
 * every access inside the segment.
 */
extern const char ap_tramp[], ap_tramp_end[];
asm(".pushsection .rodata.ap_tramp, \"a\"\n"
    ".code16\n"
    ".globl ap_tramp, ap_tramp_end\n"
    "ap_tramp:\n"
    "	cli\n"
    "	mov $(" STR(TRAMP_A) " >> 4), %ax\n"
    "	mov %ax, %ds\n"
    "	mov $1, %eax\n"
    "	xor %ecx, %ecx\n"
    "	cpuid\n"
    "	shr $24, %ebx\n"
    "	cmp $" STR(MAX_IDS) ", %ebx\n"
    "	jae 9f\n"
    "	shl $4, %bx\n"
    "	lock incl " STR(DATA_OFF) "(%bx)\n"
    "	mov %cs, " STR(DATA_OFF) "+8(%bx)\n"
    "	shr $31, %ecx\n"
    "	movb %cl, " STR(DATA_OFF) "+10(%bx)\n"
    "	movb $0, " STR(DATA_OFF) "+11(%bx)\n"
    "1:	incl " STR(DATA_OFF) "+4(%bx)\n"
    "	pause\n"
    "	cmpl $0, " STR(DATA_OFF) "+0x100\n"
    "	je 1b\n"
    "	movb $1, " STR(DATA_OFF) "+11(%bx)\n"
    "9:	hlt\n"
    "	jmp 9b\n"
    "ap_tramp_end:\n"
    ".code64\n"
    ".popsection\n");

static bool x2apic;                     /* the ICR is MSR 0x830 now */
static uint32_t aps[MAX_IDS];           /* APIC IDs of the APs */
static unsigned naps;
static const char *mode_name = "xAPIC";

static uint32_t apic_read(unsigned reg) { return *(volatile uint32_t *)(APIC_MMIO + reg); }
static void apic_write(unsigned reg, uint32_t v) { *(volatile uint32_t *)(APIC_MMIO + reg) = v; }

/* --- delays: the PIT's channel 2, one-shot (mode 0), 1.193182 MHz --- */

#define PIT_HZ 1193182u

/* Waits US microseconds (at most 50 ms per call); false if OUT2 never rose. */
static bool pit_wait(uint32_t us)
{
	uint32_t count = (uint32_t)((uint64_t)us * PIT_HZ / 1000000u);

	if (count < 2)
		count = 2;
	outb(0x61, (inb(0x61) & ~0x02) | 0x01);     /* gate on, speaker off */
	outb(0x43, 0xb0);                            /* channel 2, lo/hi, mode 0, binary */
	outb(0x42, (uint8_t)count);
	outb(0x42, (uint8_t)(count >> 8));
	for (uint32_t i = 0; i < 50u * 1000 * 1000; i++)
		if (inb(0x61) & 0x20)
			return true;
	return false;
}

static void udelay(uint32_t us)
{
	while (us) {
		uint32_t step = us > 50000 ? 50000 : us;

		pit_wait(step);
		us -= step;
	}
}

static void mdelay(uint32_t ms) { udelay(ms * 1000); }

/* --- the ICR, in either mode --- */

/* As Linux's safe_apic_wait_icr_idle: the xAPIC's delivery status clears
 * (bounded); the x2APIC has none. */
static bool icr_wait_idle(void)
{
	if (x2apic)
		return true;
	for (int i = 0; i < 100000; i++) {
		if (!(apic_read(APIC_ICR_LO) & ICR_BUSY))
			return true;
		asm volatile("pause");
	}
	return false;
}

static unsigned icr_stuck;              /* sends whose delivery status never cleared */

static void icr_send(uint32_t dest, uint32_t lo)
{
	if (x2apic) {
		wrmsr(X2APIC_ICR, (uint64_t)dest << 32 | lo);
	} else {
		apic_write(APIC_ICR_HI, dest << 24);
		apic_write(APIC_ICR_LO, lo);
	}
	if (!icr_wait_idle())
		icr_stuck++;
}

static void esr_clear(void)
{
	if (x2apic) {
		wrmsr(X2APIC_ESR, 0);
	} else {
		apic_write(APIC_ESR, 0);
		(void)apic_read(APIC_ESR);
	}
}

static void send_init(uint32_t dest, uint32_t shorthand)
{
	icr_send(dest, shorthand | ICR_LEVEL | ICR_ASSERT | ICR_INIT);
	icr_send(dest, shorthand | ICR_LEVEL | ICR_INIT);            /* de-assert */
}

static void send_sipi(uint32_t dest, uint32_t shorthand, unsigned vector)
{
	esr_clear();
	icr_send(dest, shorthand | ICR_STARTUP | vector);
}

/* Linux's wakeup_secondary_cpu_via_init with init_udelay 0. */
static void linux_start(uint32_t dest, uint32_t shorthand, unsigned vector)
{
	esr_clear();
	send_init(dest, shorthand);
	for (int j = 0; j < 2; j++) {
		send_sipi(dest, shorthand, vector);
		udelay(10);
		icr_wait_idle();
		udelay(10);
	}
}

/* --- what the APs did --- */

static volatile struct ap_slot *slot(uint32_t id) { return &DATA->slot[id]; }

/* Waits up to MS ms for AP ID's arrivals to reach WANT; true if they did. */
static bool wait_arrivals(uint32_t id, uint32_t want, uint32_t ms)
{
	for (uint32_t t = 0; t < ms * 10; t++) {
		if (slot(id)->arrivals >= want)
			return true;
		udelay(100);
	}
	return slot(id)->arrivals >= want;
}

static bool wait_halted(uint32_t id, uint32_t ms)
{
	for (uint32_t t = 0; t < ms * 10; t++) {
		if (slot(id)->halted)
			return true;
		udelay(100);
	}
	return slot(id)->halted;
}

/* The heartbeat moved within MS ms. */
static bool beating(uint32_t id, uint32_t ms)
{
	uint32_t h0 = slot(id)->heartbeat;

	for (uint32_t t = 0; t < ms * 10; t++) {
		if (slot(id)->heartbeat != h0)
			return true;
		udelay(100);
	}
	return false;
}

/* Milliseconds (in 10 ms steps) until AP ID's heartbeat stood still for
 * 10 ms, at most MS; -1 if it never did. */
static int ms_until_still(uint32_t id, int ms)
{
	for (int t = 0; t <= ms; t += 10)
		if (!beating(id, 10))
			return t;
	return -1;
}

/* An INIT stops a running AP at once (SDM Vol. 3A, 10.4.7.3): within 20 ms
 * here; the detail says when it did. */
static void check_stopped(const char *desc, bool ran, uint32_t id)
{
	int t = ran ? ms_until_still(id, 2000) : -1;

	checkf(desc, ran && t >= 0 && t <= 20, "%s", !ran ? "it never ran" :
	       t < 0 ? "still running after 2000 ms" : sfmt("stopped only after %d ms", t));
}

/* Checks that AP ID started exactly once more (from BEFORE), at VECTOR,
 * under the hypervisor; waits a little for a wrong second start to show. */
static bool check_started(const char *how, uint32_t id, uint32_t before, unsigned vector)
{
	bool came = wait_arrivals(id, before + 1, 2000);

	mdelay(20);
	if (!checkf(sfmt("%s: %s: AP %u started once", mode_name, how, id),
		    came && slot(id)->arrivals == before + 1, "arrivals %u, expected 1",
		    slot(id)->arrivals - before))
		return false;
	bool at = check_eq(sfmt("%s: %s: AP %u ran at vector 0x%x (CS)", mode_name, how, id, vector),
			   slot(id)->cs, vector << 8);
	bool hv = check(sfmt("%s: %s: AP %u runs under the hypervisor (CPUID.1:ECX[31])", mode_name, how, id),
			slot(id)->hv == 1);
	return at && hv;
}

/* Makes the spinning APs halt; checks they did. */
static void halt_all(const char *how)
{
	DATA->stop = 1;
	for (unsigned i = 0; i < naps; i++)
		if (slot(aps[i])->arrivals && !slot(aps[i])->halted)
			checkf(sfmt("%s: %s: AP %u halts when told", mode_name, how, aps[i]),
			       wait_halted(aps[i], 2000), "still spinning");
}

static uint32_t arrivals_of(uint32_t id) { return slot(id)->arrivals; }

/* --- the checks, for one ICR mode --- */

static void one_at_a_time(void)
{
	const char *how = "INIT, SIPI, SIPI with Linux's timing, one AP at a time";

	DATA->stop = 0;
	for (unsigned i = 0; i < naps; i++) {
		uint32_t before = arrivals_of(aps[i]);

		linux_start(aps[i], 0, VEC_A);
		check_started(how, aps[i], before, VEC_A);
		check(sfmt("%s: %s: AP %u spins (heartbeat)", mode_name, how, aps[i]), beating(aps[i], 500));
	}
	halt_all(how);
}

static void all_at_once(void)
{
	const char *how = "every AP at once (Linux 6.x's parallel start)";
	uint32_t before[MAX_IDS];

	DATA->stop = 1;                     /* they halt at once: cheaper for the emulator */
	for (unsigned i = 0; i < naps; i++)
		before[i] = arrivals_of(aps[i]);
	esr_clear();
	for (unsigned i = 0; i < naps; i++)
		send_init(aps[i], 0);
	for (int j = 0; j < 2; j++) {
		for (unsigned i = 0; i < naps; i++)
			send_sipi(aps[i], 0, VEC_B);
		udelay(10);
		udelay(10);
	}
	for (unsigned i = 0; i < naps; i++)
		check_started(how, aps[i], before[i], VEC_B);

	how = "INIT, SIPI, SIPI to all excluding self";
	for (unsigned i = 0; i < naps; i++)
		before[i] = arrivals_of(aps[i]);
	linux_start(0, ICR_ALL_BUT_SELF, VEC_A);
	for (unsigned i = 0; i < naps; i++)
		check_started(how, aps[i], before[i], VEC_A);
	halt_all(how);
}

static void sipi_without_init(void)
{
	const char *how = "SIPI without INIT";
	uint32_t before[MAX_IDS];
	bool ran[MAX_IDS];

	/* Running (spinning) APs first, started at VEC_A; a check of one that
	 * did not start fails rather than pass for nothing. */
	DATA->stop = 0;
	for (unsigned i = 0; i < naps; i++) {
		before[i] = arrivals_of(aps[i]);
		linux_start(aps[i], 0, VEC_A);
		ran[i] = check_started("restart for the SIPI check", aps[i], before[i], VEC_A);
		before[i] = arrivals_of(aps[i]);
		send_sipi(aps[i], 0, VEC_B);
		send_sipi(aps[i], 0, VEC_B);
	}
	mdelay(50);
	for (unsigned i = 0; i < naps; i++) {
		checkf(sfmt("%s: %s to a running AP %u: ignored (no new start)", mode_name, how, aps[i]),
		       ran[i] && arrivals_of(aps[i]) == before[i], "%s, %u new starts",
		       ran[i] ? "it ran" : "it never ran", arrivals_of(aps[i]) - before[i]);
		check(sfmt("%s: %s: AP %u still runs where it was (CS, heartbeat)", mode_name, how, aps[i]),
		      ran[i] && slot(aps[i])->cs == VEC_A << 8 && beating(aps[i], 500));
	}
	/* Then halted ones. */
	halt_all(how);
	for (unsigned i = 0; i < naps; i++) {
		before[i] = arrivals_of(aps[i]);
		send_sipi(aps[i], 0, VEC_B);
	}
	mdelay(50);
	for (unsigned i = 0; i < naps; i++)
		checkf(sfmt("%s: %s to a halted AP %u: ignored", mode_name, how, aps[i]),
		       ran[i] && arrivals_of(aps[i]) == before[i] && slot(aps[i])->halted, "%s, %u new starts",
		       ran[i] ? "it ran" : "it never ran", arrivals_of(aps[i]) - before[i]);
}

static void init_running(void)
{
	const char *how = "INIT to a running AP";

	DATA->stop = 0;
	for (unsigned i = 0; i < naps; i++) {
		uint32_t id = aps[i], before = arrivals_of(id);

		linux_start(id, 0, VEC_A);
		check_started("restart for the INIT check", id, before, VEC_A);
		bool ran = check(sfmt("%s: %s: AP %u spins before", mode_name, how, id), beating(id, 500));
		before = arrivals_of(id);
		send_init(id, 0);
		check_stopped(sfmt("%s: %s: AP %u stops (heartbeat still within 20 ms)", mode_name, how, id), ran, id);
		check(sfmt("%s: %s: AP %u does not start again by itself", mode_name, how, id),
		      ran && arrivals_of(id) == before);
		send_sipi(id, 0, VEC_B);
		check_started("INIT to a running AP, then one SIPI", id, before, VEC_B);
		check(sfmt("%s: %s: AP %u spins again", mode_name, how, id), beating(id, 500));
	}
	halt_all(how);
}

static void init_storms(void)
{
	const char *how = "INIT storms";
	unsigned stuck = icr_stuck;

	DATA->stop = 1;
	for (unsigned i = 0; i < naps; i++)
		for (int k = 0; k < 1000; k++)
			icr_send(aps[i], ICR_LEVEL | ICR_ASSERT | ICR_INIT);
	for (unsigned i = 0; i < naps; i++)
		for (int k = 0; k < 1000; k++) {
			icr_send(aps[i], ICR_LEVEL | ICR_ASSERT | ICR_INIT);
			icr_send(aps[i], ICR_STARTUP | (k & 1 ? VEC_A : VEC_B));
		}
	for (int k = 0; k < 1000; k++) {
		send_init(0, ICR_ALL_BUT_SELF);
		send_sipi(0, ICR_ALL_BUT_SELF, VEC_B);
	}
	mdelay(100);
	check_eq(sfmt("%s: %s: the hypervisor still answers (HC_VERSION)", mode_name, how), hc(HC_VERSION, 0, 0, 0),
		 HC_VERSION_MAJOR << 16 | HC_VERSION_MINOR);
	check_eq(sfmt("%s: %s: the ICR always went idle", mode_name, how), icr_stuck - stuck, 0);
	for (unsigned i = 0; i < naps; i++) {
		uint32_t before = arrivals_of(aps[i]);

		linux_start(aps[i], 0, VEC_A);
		check_started("after the storms, Linux's sequence", aps[i], before, VEC_A);
	}
}

/* Every AP back to waiting for SIPI: no AP runs the guest's code after it exits. */
static void park_all(void)
{
	bool ran[MAX_IDS];

	DATA->stop = 0;
	for (unsigned i = 0; i < naps; i++) {
		uint32_t before = arrivals_of(aps[i]);

		linux_start(aps[i], 0, VEC_A);
		ran[i] = check_started("restart before the end", aps[i], before, VEC_A) && beating(aps[i], 500);
		send_init(aps[i], 0);
	}
	for (unsigned i = 0; i < naps; i++)
		check_stopped(sfmt("%s: INIT at the end: AP %u waits for SIPI (heartbeat still within 20 ms)",
				   mode_name, aps[i]), ran[i], aps[i]);
}

static void run_checks(void)
{
	one_at_a_time();
	all_at_once();
	sipi_without_init();
	init_running();
	init_storms();
}

/* --- finding the APs: ACPI's MADT (ACPI 6.x, 5.2.12) --- */

static bool mem_eq(const void *a, const char *b, size_t n)
{
	const uint8_t *p = a;

	for (size_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)b[i])
			return false;
	return true;
}

static bool sum_ok(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s == 0;
}

static const uint8_t *find_rsdp(void)
{
	uintptr_t ebda = (uintptr_t)*(volatile uint16_t *)0x40e << 4;
	const uintptr_t from[2] = { ebda, 0xe0000 }, to[2] = { ebda + 1024, 0x100000 };

	for (int r = 0; r < 2; r++) {
		if (!from[r])
			continue;
		for (uintptr_t a = from[r]; a + 20 <= to[r]; a += 16) {
			const uint8_t *p = (const uint8_t *)a;

			if (mem_eq(p, "RSD PTR ", 8) && sum_ok(p, 20))
				return p;
		}
	}
	return NULL;
}

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static const uint8_t *find_madt(void)
{
	const uint8_t *rsdp = find_rsdp(), *sdt;
	bool x;

	if (!rsdp)
		return NULL;
	x = rsdp[15] >= 2 && rd64(rsdp + 24);
	sdt = (const uint8_t *)(uintptr_t)(x ? rd64(rsdp + 24) : rd32(rsdp + 16));
	uint32_t len = rd32(sdt + 4), step = x ? 8 : 4;

	if (len < 36 || len > 65536)
		return NULL;
	for (uint32_t off = 36; off + step <= len; off += step) {
		const uint8_t *t = (const uint8_t *)(uintptr_t)(x ? rd64(sdt + off) : rd32(sdt + off));

		if (mem_eq(t, "APIC", 4) && rd32(t + 4) >= 44 && rd32(t + 4) < 65536)
			return t;
	}
	return NULL;
}

/* Enabled processor local APIC and x2APIC entries other than this CPU's. */
static void find_aps(uint32_t self)
{
	const uint8_t *madt = find_madt();

	check("MADT found", madt != NULL);
	if (!madt)
		return;
	uint32_t len = rd32(madt + 4);

	for (uint32_t off = 44; off + 2 <= len && madt[off + 1] >= 2; off += madt[off + 1]) {
		const uint8_t *e = madt + off;
		uint32_t id, flags;

		if (e[0] == 0 && e[1] >= 8)
			id = e[3], flags = rd32(e + 4);
		else if (e[0] == 9 && e[1] >= 16)
			id = rd32(e + 4), flags = rd32(e + 8);
		else
			continue;
		if (!(flags & 1) || id == self)
			continue;
		if (id >= MAX_IDS || naps == MAX_IDS) {
			printf_("[%s] APIC ID %u: beyond what this guest records; left alone\n", guest_name, id);
			continue;
		}
		aps[naps++] = id;
	}
}

/* Whether guest-physical A is guest RAM (HC_MEMMAP, a test hook: hvtest);
 * true if the hypervisor does not say. */
static bool is_ram(uint64_t a)
{
	for (long i = 0;; i++) {
		uint64_t start = (uint64_t)i, size, kind;
		long rc;

		asm volatile("vmcall" : "=a"(rc), "+b"(start), "=c"(size), "=S"(kind)
			     : "a"((long)HC_MEMMAP) : "rdx", "memory");
		if (rc == -HC_ENOSYS)
			return true;
		if (rc < 0)
			return false;
		if (start <= a && a < start + size)
			return kind == HC_MEM_RAM;
	}
}

void main(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	bool x2_first = base & APIC_BASE_EXTD;   /* hvtest testx2apic: only the x2APIC ICR */
	uint32_t self = x2_first ? (uint32_t)rdmsr(X2APIC_ID) : apic_read(APIC_ID) >> 24;
	char ids[64];
	size_t n = 0;

	checkf(sfmt("IA32_APIC_BASE: %s enabled at 0xfee00000", x2_first ? "x2APIC" : "xAPIC"),
	       (base & APIC_BASE_ENABLE) && (base & ~0xfffull) == APIC_MMIO, "got 0x%llx",
	       (unsigned long long)base);
	check("the PIT's channel 2 counts (port 0x61 bit 5)", pit_wait(100));
	find_aps(self);
	for (unsigned i = 0; i < naps; i++)
		n += (size_t)fmt(ids + n, sizeof(ids) - n, " %u", aps[i]);
	ids[n] = 0;
	printf_("[%s] this CPU: APIC ID %u; APs:%s\n", guest_name, self, naps ? ids : " none");
	check("APs found in the MADT", naps > 0);
	check("the trampoline's pages are guest RAM", is_ram(TRAMP_A) && is_ram(TRAMP_B));
	if (!naps || !is_ram(TRAMP_A) || !is_ram(TRAMP_B))
		return;
	memset((void *)(uintptr_t)TRAMP_A, 0, 2 * 4096);
	memcpy((void *)(uintptr_t)TRAMP_A, ap_tramp, (size_t)(ap_tramp_end - ap_tramp));
	memcpy((void *)(uintptr_t)TRAMP_B, ap_tramp, (size_t)(ap_tramp_end - ap_tramp));
	DATA->stop = 1;

	if (!x2_first) {
		run_checks();
		if (!(cpuid(1, 0).ecx & 1u << 21)) {
			printf_("[%s] no x2APIC in CPUID: the x2APIC ICR is not tried\n", guest_name);
			park_all();
			return;
		}
		halt_all("before x2APIC");
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD);
		check_eq("x2APIC mode: MSR 0x802 holds this CPU's APIC ID", rdmsr(X2APIC_ID), self);
	}
	x2apic = true;
	mode_name = "x2APIC";
	run_checks();
	park_all();
}
