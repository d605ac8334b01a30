/* guest/run.c - running the guests the boot loader brought, one after
 * another, each in a fresh virtual CPU, and reporting how each ended. */
#include "guest/run.h"
#include "guest/loader.h"
#include "vmx/vmx.h"
#include "vmx/vmx_cpu.h"
#include "vmx/ept.h"
#include "vmx/exit_decode.h"
#include "drivers/console.h"
#include "lib/format.h"
#include "lib/cmdline.h"
#include "lib/string.h"
#include "mm/malloc.h"

static struct ept guest_ept;

static void print_ept_summary(const struct ept *e)
{
	char mapped[32], hidden[32];

	fmt_size(mapped, sizeof(mapped), e->mapped);
	fmt_size(hidden, sizeof(hidden), e->hidden);
	printf("EPT: %s mapped (%u x 1G, %u x 2M, %u x 4K), %s hidden, %u table pages\n", mapped,
	       e->pages[3], e->pages[2], e->pages[1], hidden, e->pt.tables_used);
}

/* "exits: CPUID 12, VMCALL 40, ..." in decreasing count. */
static void print_exit_counts(const struct vcpu *v)
{
	bool done[EXIT_REASON_COUNT] = { false };

	printf("guest %s: exits:", v->name);
	for (;;) {
		unsigned int best = EXIT_REASON_COUNT;

		for (unsigned int r = 0; r < EXIT_REASON_COUNT; r++)
			if (!done[r] && v->exits[r].count &&
			    (best == EXIT_REASON_COUNT || v->exits[r].count > v->exits[best].count))
				best = r;
		if (best == EXIT_REASON_COUNT)
			break;
		done[best] = true;
		printf(" %s %llu (avg %llu TSC),", vmx_exit_reason_name(best),
		       (unsigned long long)v->exits[best].count,
		       (unsigned long long)(v->exits[best].tsc_total / v->exits[best].count));
	}
	printf(" total %llu\n", (unsigned long long)v->exit_total);
}

static void run_one(const struct boot_module *m, unsigned int index, const struct hv_options *o)
{
	static const char *const mode_names[] = { "real", "prot32", "long64" };
	struct guest_image g;
	char what[16];
	struct vcpu v;

	if (loader_load(m, index, &g))
		return;
	memset(&v, 0, sizeof(v));
	v.name = g.name;
	v.unmap_once_gpa = INVALID_GPA;
	v.console_port = o->serial_port;
	if (vmx_vcpu_init(&v, &g.start, &guest_ept)) {
		printf("guest %s: cannot set up its virtual CPU\n", g.name);
		vmx_vcpu_destroy(&v);
		return;
	}
	if (cmdline_get(m->cmdline, "hv.testentry", what, sizeof(what)) > 0 &&
	    !vmx_vcpu_break_for_test(&v, what))
		printf("guest %s: unknown hv.testentry=%s (control or guest-state)\n", g.name, what);
	printf("guest %s: starting in %s mode at RIP 0x%016llx\n", g.name, mode_names[g.start.mode],
	       (unsigned long long)g.start.rip);
	vmx_vcpu_run(&v);
	if (v.exit_status >= 0)
		printf("guest %s: exited with status %d after %llu VM exits\n", g.name, v.exit_status,
		       (unsigned long long)v.exit_total);
	else
		printf("guest %s: %s\n", g.name, v.stop_reason);
	print_exit_counts(&v);
	vmx_vcpu_destroy(&v);
}

void guests_run_all(const struct boot_info *bi, const struct hv_options *o)
{
	uint64_t caps = vmx_this_cpu.caps.ept_vpid_cap;
	unsigned int n = 0;

	for (unsigned int i = 0; i < bi->module_count; i++)
		n += loader_is_guest_module(&bi->modules[i]);
	if (!n) {
		printf("hv: no guest to run: add a module whose command line starts with 'guest' "
		       "(docs/hypercalls.md)\n");
		return;
	}
	if (ept_build_identity(&guest_ept, mm_host_map(), caps & EPT_CAP_1GB_PAGE,
			       caps & EPT_CAP_AD_BITS)) {
		printf("hv: out of memory building the EPT\n");
		return;
	}
	print_ept_summary(&guest_ept);
	for (unsigned int i = 0, k = 0; i < bi->module_count; i++)
		if (loader_is_guest_module(&bi->modules[i]))
			run_one(&bi->modules[i], k++, o);
	printf("hv: all guests have stopped\n");
}
