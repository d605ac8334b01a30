/* boot/smp.c - every CPU: the processors of the ACPI MADT (ACPI 6.x,
 * 5.2.12.2 and 5.2.12.12), each application processor started in turn
 * (boot/ap_start.c) through a trampoline page borrowed from low memory,
 * and the boot report. */
#include "boot/smp.h"
#include "boot/ap_start.h"
#include "boot/chain_ap.h"
#include "boot/x2apic_test.h"
#include "drivers/ipi.h"
#include "arch/cpu.h"
#include "arch/lapic.h"
#include "arch/tsc.h"
#include "drivers/acpi/acpi_madt.h"
#include "drivers/acpi/acpi_host.h"
#include "mm/malloc.h"
#include "mm/percpu_alloc.h"
#include "lib/format.h"
#include "lib/print.h"

#define SIPI_LIMIT 0xa0000              /* start-up IPI vectors 0xa0-0xbf are reserved (SDM Vol. 3A, 11.6.1) */

static struct acpi_madt_info madt;
static unsigned int machine_cpus = 1;   /* enabled in the MADT (1 without one) */

unsigned int smp_machine_cpus(void)
{
	return machine_cpus;
}

/* The CPUs running, for the report: the boot CPU's first. */
static struct {
	uint32_t id[MADT_MAX_CPUS];
	struct percpu *pc[MADT_MAX_CPUS];
	unsigned int count;
} running;

/*
 * The highest page of low memory (usable RAM below 1 MiB: the guest's,
 * mm/setup.c) that a start-up IPI can name, page 0 (the real-mode interrupt
 * table) left out; 0 if none. Borrowed, not taken: ap_trampoline_remove()
 * puts its bytes back before any guest runs, so the guest's memory map and
 * its low memory are what they would be without the APs. Keeping it
 * reserved instead would take a page of the guest's low memory for good,
 * for code that never runs again once the APs are up (a later start goes
 * through the guest's own INIT and SIPI: issue 14).
 */
static hpa_t trampoline_page(const struct memmap *m)
{
	hpa_t page = 0;

	for (unsigned int i = 0; i < m->count; i++) {
		const struct mem_range *r = &m->ranges[i];
		hpa_t lo = ALIGN_UP(MAX(r->start, (hpa_t)PAGE_SIZE), PAGE_SIZE);
		hpa_t hi = ALIGN_DOWN(MIN(r->end, (hpa_t)SIPI_LIMIT), PAGE_SIZE);

		if (r->type == MEM_LOWMEM && hi > lo)
			page = hi - PAGE_SIZE;
	}
	return page;
}

/* Chain mode: the firmware's CPUs, from the UEFI loader (smp_use_chain_cpus). */
static const uint32_t *chain_ids;
static unsigned int chain_count;

void smp_use_chain_cpus(const uint32_t *ids, unsigned int n)
{
	chain_ids = ids;
	chain_count = n;
}

/*
 * Chain mode: no AP is started here (boot/chain_ap.c says why); each comes
 * later through efi_ap_entry64 onto the block made now. The loader's list
 * is the machine's CPUs (it checked it against the MADT where there is
 * one); they count as running, so that the guest's ACPI view keeps them.
 */
static unsigned int start_chain(uint32_t boot_id)
{
	char line[160];
	size_t k;

	if (chain_ids[0] != boot_id)
		printf("cpus: warning: chain mode: the loader lists APIC ID %u first, the boot CPU is %u\n",
		       chain_ids[0], boot_id);
	for (unsigned int i = 1; i < chain_count && running.count < MADT_MAX_CPUS; i++)
		running.id[running.count++] = chain_ids[i];
	machine_cpus = chain_count;
	if (chain_aps_prepare(chain_ids, chain_count))
		return 0;
	k = (size_t)fmt_snprintf(line, sizeof(line), "cpus: chain mode: %u from the UEFI loader (APIC IDs",
				 chain_count);
	for (unsigned int i = 0; i < chain_count && k + 16 < sizeof(line); i++)
		k += (size_t)fmt_snprintf(line + k, sizeof(line) - k, " %u", chain_ids[i]);
	printf("%s); the APs come under VMX after the firmware resumes\n", line);
	return running.count;
}

/* Starts one AP under the next free CPU index; prints why it did not start. */
static void start_one(const struct madt_cpu *c, uint64_t apic_base)
{
	static unsigned int next = 1;
	struct percpu *pc;
	int rc;

	if (!(apic_base & APIC_BASE_EXTD) && c->apic_id > APIC_XAPIC_MAX_ID) {
		printf("cpu: APIC ID %u did not start: its ID needs x2APIC mode, the boot CPU's APIC is in xAPIC mode\n",
		       c->apic_id);
		return;
	}
	while (next < PERCPU_MAX && percpu_cpus[next])
		next++;
	pc = percpu_alloc(next, c->apic_id);
	if (!pc) {
		printf("cpu: APIC ID %u did not start: no memory or CPU index for its per-CPU block\n",
		       c->apic_id);
		return;
	}
	/* Its index is used up whatever happens: a CPU that did not report
	 * may have begun to use the block. */
	next++;
	rc = ap_start(pc, apic_base);
	if (rc == -EBUSY) {
		printf("cpu: APIC ID %u did not start: the local APIC did not send the IPI\n", c->apic_id);
		return;
	}
	if (rc) {
		printf("cpu: APIC ID %u did not start\n", c->apic_id);
		return;
	}
	if (ap_reported_apic_id() != c->apic_id)
		printf("cpu: APIC ID %u started but reads its APIC ID as %u\n", c->apic_id,
		       ap_reported_apic_id());
	running.pc[running.count] = pc;
	running.id[running.count++] = c->apic_id;
}

/* Runs one hvtest check on every AP: `one` returns NULL where AP i passed,
 * else why not ("cpu: APIC ID 2: NMI check: no NMI counted"); then the
 * count ("cpus: hvtest: 3 of 3 APs <passed>"). */
static void check_aps(const char *name, const char *passed,
		      const char *(*one)(unsigned int i, const void *ctx), const void *ctx)
{
	unsigned int ok = 0;

	for (unsigned int i = 1; i < running.count; i++) {
		const char *why = one(i, ctx);

		if (why)
			printf("cpu: APIC ID %u: %s check: %s\n", running.id[i], name, why);
		else
			ok++;
	}
	printf("cpus: hvtest: %u of %u APs %s\n", ok, running.count - 1, passed);
}

/* hvtest: an NMI to each parked AP must be taken on that CPU's own NMI
 * stack (its TSS's IST), interrupting hypervisor code on its run stack, and
 * return: the hardware frame at the IST stack's top says where it came from.
 * ctx: the boot CPU's IA32_APIC_BASE. */
static const char *nmi_check_one(unsigned int i, const void *ctx)
{
	struct percpu *pc = running.pc[i];
	volatile uint64_t *top = (volatile uint64_t *)(uintptr_t)stack_top(pc->stacks[STACK_NMI].s);
	uint64_t t0 = rdtsc(), ticks = tsc_khz() * 100;          /* 100 ms */

	for (int k = 1; k <= 5; k++)
		top[-k] = 0;
	if (!ap_send_nmi(pc, *(const uint64_t *)ctx))
		return "the local APIC did not send it";
	while (!__atomic_load_n(&pc->nmis_pending, __ATOMIC_ACQUIRE) && rdtsc() - t0 < ticks)
		cpu_relax();
	if (!__atomic_load_n(&pc->nmis_pending, __ATOMIC_ACQUIRE))
		return "no NMI counted";
	if (top[-4] != GDT_SEL_CODE || stack_containing(top[-2]) != &pc->stacks[STACK_RUN])
		return "not on its NMI stack from its run stack";
	return NULL;
}

/* Each AP's count of guest NMIs and of kicks before the request. */
struct request_before {
	unsigned int pending[MADT_MAX_CPUS], kicks[MADT_MAX_CPUS];
};

static const char *request_check_one(unsigned int i, const void *ctx)
{
	const struct request_before *b = ctx;
	const struct percpu *pc = running.pc[i];

	if (!cpu_request_acked(&pc->req, pc->req.seq))
		return "no acknowledgement";
	if (pc->req.kicks != b->kicks[i] + 1)
		return "its kick NMI was not seen as one";
	if (pc->nmis_pending != b->pending[i])
		return "the kick was counted as a guest's NMI";
	return NULL;
}

/* hvtest: every parked AP answers a request of the channel (drivers/ipi.c)
 * from its NMI handler within the time allowed, and its kick NMI is told
 * from a guest's: not counted in nmis_pending. */
static void request_check(void)
{
	struct request_before b;

	for (unsigned int i = 1; i < running.count; i++) {
		b.pending[i] = running.pc[i]->nmis_pending;
		b.kicks[i] = running.pc[i]->req.kicks;
	}
	(void)cpu_request_all_wait(CPU_REQ_KICK, CPU_REQUEST_WAIT_US, "the hvtest request");
	check_aps("request", "acknowledged a request", request_check_one, &b);
}

static void print_report(unsigned int enabled, unsigned int online_capable, unsigned int skipped,
			 unsigned int max)
{
	char line[600];
	size_t n;

	n = (size_t)fmt_snprintf(line, sizeof(line), "cpus: %u in the MADT, %u running (APIC IDs",
				 enabled, running.count);
	for (unsigned int i = 0; i < running.count && n < sizeof(line); i++) {
		if (n + 16 >= sizeof(line)) {
			n += (size_t)fmt_snprintf(line + n, sizeof(line) - n, " ...");
			break;
		}
		n += (size_t)fmt_snprintf(line + n, sizeof(line) - n, " %u", running.id[i]);
	}
	printf("%s)", line);
	if (skipped)
		printf("; %u not started (cpus=%u)", skipped, max);
	if (online_capable)
		printf("; %u online-capable, not started", online_capable);
	printf("\n");
}

unsigned int smp_running(const uint32_t **ids)
{
	*ids = running.id;
	return running.count;
}

unsigned int smp_start(const struct boot_info *bi, const struct hv_options *opt)
{
	uint32_t boot_id = percpu_self()->apic_id;
	unsigned int enabled = 0, online_capable = 0, skipped = 0;
	uint64_t apic_base = rdmsr(MSR_IA32_APIC_BASE);
	unsigned int max = opt->max_cpus ? opt->max_cpus : PERCPU_MAX;
	char err[120] = "";
	bool can_start;
	hpa_t page;

	if (opt->test_hooks && opt->test_x2apic)
		apic_base = x2apic_test_switch(apic_base);
	running.id[running.count++] = boot_id;
	if (chain_count)
		return start_chain(boot_id);
	if (acpi_read_madt(bi->rsdp, bi->rsdp_len, acpi_host_read, NULL, &madt, err, sizeof(err))) {
		printf("cpus: no usable MADT (%s): 1 running (APIC IDs %u)\n", err, boot_id);
		return running.count;
	}
	if (madt_cpu_find(&madt, boot_id) < 0)
		printf("cpus: warning: the boot CPU's APIC ID %u is not in the MADT\n", boot_id);
	if (madt.cpus_dropped)
		printf("cpus: warning: the MADT lists %u more CPUs than the %u kept\n",
		       madt.cpus_dropped, MADT_MAX_CPUS);
	for (unsigned int i = 0; i < madt.cpu_count; i++) {
		enabled += madt.cpu[i].enabled;
		online_capable += madt.cpu[i].online_capable;
	}
	machine_cpus = MAX(enabled, 1u);
	page = trampoline_page(mm_host_map());
	can_start = enabled > 1 && max > 1;
	if (can_start && !(apic_base & APIC_BASE_EN)) {
		printf("cpus: the boot CPU's local APIC is disabled: no other CPU is started\n");
		can_start = false;
	} else if (can_start && (!page || ap_trampoline_install(page))) {
		printf("cpus: no page of low memory for the start-up code: no other CPU is started\n");
		can_start = false;
	}
	for (unsigned int i = 0; i < madt.cpu_count; i++) {
		const struct madt_cpu *c = &madt.cpu[i];

		if (!c->enabled || c->apic_id == boot_id)
			continue;
		if (running.count >= max)
			skipped++;
		else if (can_start)
			start_one(c, apic_base);
	}
	ap_trampoline_remove();
	if (opt->test_hooks && running.count > 1) {
		check_aps("NMI", "took an NMI on their own NMI stack", nmi_check_one, &apic_base);
		request_check();
	}
	print_report(enabled, online_capable, skipped, max);
	return running.count;
}
