/* boot/efi/chain_aps.c - chain mode's APs (chain_aps.h): the procedures
 * EFI_MP_SERVICES_PROTOCOL runs on them. A procedure runs on an AP with the
 * firmware's identity map and stack; it calls no firmware service (PI 1.7
 * vol. 2, 13.4: only the protocol's WhoAmI may be called from an AP), and
 * finds its place in the list by its APIC ID. */
#include "boot/efi/chain_aps.h"
#include "boot/efi/ap_outcome.h"
#include "boot/efi/console.h"
#include "boot/efi/core_enter.h"
#include "boot/efi/core_load.h"
#include "boot/efi/cpu_list.h"
#include "boot/efi/mp_services.h"
#include "boot/efi/vmx_check.h"
#include "guest/load/cpu_resume.h"
#include "arch/cpu.h"
#include "lib/format.h"
#include "lib/string.h"

#define CR4_LA57             (1ULL << 12)
#define TIMEOUT_US(n)        ((UINTN)(5 + (n)) * 1000000)    /* StartupAllAPs: 5 s + 1 s per AP */

/* What a procedure found on AP i (index in the list). */
struct ap_result {
	volatile bool ran;              /* the procedure ran on it */
	volatile bool ok;               /* check: passed */
	volatile bool returned;         /* enter: core_ap_enter returned, rc (set after rc) */
	uint64_t rc;
	char why[128];                  /* check: why not */
};

static struct {
	const struct efi_cpus *cpus;
	hpa_t ap_entry;
	struct efi_ap_handoff *blocks;
	struct ap_result res[EFI_HANDOFF_CPUS_MAX];
	volatile unsigned int strays;   /* procedures on a CPU the list does not have */
} aps;

/* This AP's index in the list, or -1 (counted as a stray). */
static int my_index(void)
{
	int i = cpu_list_find(aps.cpus->apic_id, aps.cpus->count, efi_cpu_apic_id());

	if (i <= 0) {
		__atomic_add_fetch(&aps.strays, 1, __ATOMIC_RELAXED);
		return -1;
	}
	aps.res[i].ran = true;
	return i;
}

/* On an AP: what efi_ap_entry64 and chain_ap_main will depend on. */
static VOID EFIAPI check_ap(VOID *arg)
{
	struct efi_cpu_state fw;
	struct cpu_resume r;
	struct ap_result *res;
	size_t gdt_size;
	int i = my_index();

	(void)arg;
	if (i < 0)
		return;
	res = &aps.res[i];
	if (!efi_vmx_available(res->why, sizeof(res->why)))
		return;
	if (read_cr4() & CR4_LA57) {
		fmt_snprintf(res->why, sizeof(res->why), "5-level paging (CR4.LA57) is on");
		return;
	}
	memset(&fw, 0, sizeof(fw));
	core_capture_env(&fw);
	fw.rflags = 0x2;                /* as a procedure runs: no virtual-8086 flag */
	gdt_size = (size_t)fw.gdtr_limit + 1;
	if (gdt_size > EFI_AP_GDT_MAX) {
		fmt_snprintf(res->why, sizeof(res->why), "its GDT of %zu bytes is larger than the %u the "
			     "core takes", gdt_size, EFI_AP_GDT_MAX);
		return;
	}
	if (cpu_resume_from_efi(&fw, (const void *)(uintptr_t)fw.gdtr_base, gdt_size, &r, res->why,
				sizeof(res->why)))
		return;
	res->ok = true;
}

/* On an AP: into the core, back as the guest (rc 0). */
static VOID EFIAPI enter_ap(VOID *arg)
{
	struct efi_ap_handoff *a;
	struct descriptor_ptr gdtr;
	uint64_t rc;
	int i = my_index();

	(void)arg;
	if (i < 0)
		return;
	a = &aps.blocks[i];
	/* Not the status word: efi_chain_aps_enter set it, and after a time-out
	 * it, not this procedure, decides it (settle). */
	memset(&a->fw, 0, sizeof(a->fw));
	a->magic = EFI_AP_HANDOFF_MAGIC;
	a->cpu_index = (uint32_t)i;
	sgdt(&gdtr);                    /* check_ap found it fits */
	memcpy(a->gdt, (const void *)(uintptr_t)gdtr.base, MIN((size_t)gdtr.limit + 1, sizeof(a->gdt)));
	rc = core_ap_enter(aps.ap_entry, a);
	aps.res[i].rc = rc;
	__atomic_store_n(&aps.res[i].returned, true, __ATOMIC_RELEASE);
}

/* Runs proc on every AP, one after another; the firmware's status. */
static EFI_STATUS run_on_aps(struct efi_fw *fw, const struct efi_cpus *cpus, efi_ap_procedure proc)
{
	struct efi_mp_services *mp = efi_mp_services(fw);

	memset(aps.res, 0, sizeof(aps.res));
	aps.strays = 0;
	aps.cpus = cpus;
	if (!mp)
		return EFI_UNSUPPORTED;
	return mp->StartupAllAPs(mp, proc, TRUE, NULL, TIMEOUT_US(cpus->count), NULL, NULL);
}

bool efi_chain_aps_check(struct efi_fw *fw, const struct efi_cpus *cpus, hpa_t ap_entry,
			 char *err, size_t errlen)
{
	EFI_STATUS st;

	if (cpus->count <= 1)
		return true;
	if (!ap_entry) {
		fmt_snprintf(err, errlen, "the firmware runs %u CPUs and the core has no AP entry", cpus->count);
		return false;
	}
	st = run_on_aps(fw, cpus, check_ap);
	if (EFI_ERROR(st)) {
		fmt_snprintf(err, errlen, "the check on the APs did not run (StartupAllAPs: status 0x%llx)",
			     (unsigned long long)st);
		return false;
	}
	for (unsigned int i = 1; i < cpus->count; i++) {
		const struct ap_result *r = &aps.res[i];

		if (!r->ran) {
			fmt_snprintf(err, errlen, "APIC ID %u did not run the check", cpus->apic_id[i]);
			return false;
		}
		if (!r->ok) {
			fmt_snprintf(err, errlen, "APIC ID %u: %s", cpus->apic_id[i], r->why);
			return false;
		}
	}
	if (aps.strays) {
		fmt_snprintf(err, errlen, "%u APs not in the firmware's list ran the check", aps.strays);
		return false;
	}
	efi_say("chain mode: %u APs checked: VMX usable, state resumable", cpus->count - 1);
	return true;
}

/* After StartupAllAPs: AP i's status word, settled. An AP whose call
 * has not returned may still be on its way in: NONE -> ABANDONED makes it
 * refuse to join (boot/chain_ap.c claim_joined), so that what the word
 * holds afterwards is final, and JOINED exactly the APs under VMX. */
static int32_t settle(struct efi_ap_handoff *b, const struct ap_result *r)
{
	int32_t st = EFI_AP_S_NONE;

	if (__atomic_load_n(&r->returned, __ATOMIC_ACQUIRE))
		return __atomic_load_n(&b->status, __ATOMIC_ACQUIRE);
	if (__atomic_compare_exchange_n(&b->status, &st, EFI_AP_S_ABANDONED, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return EFI_AP_S_ABANDONED;
	return st;
}

unsigned int efi_chain_aps_enter(struct efi_fw *fw, const struct efi_cpus *cpus, hpa_t ap_entry,
				 struct efi_ap_handoff *blocks, bool *blocks_in_use)
{
	unsigned int failed = 0;
	char ids[200];
	size_t k = 0;
	EFI_STATUS st;

	*blocks_in_use = false;
	if (cpus->count <= 1)
		return 0;
	aps.ap_entry = ap_entry;
	aps.blocks = blocks;
	for (unsigned int i = 1; i < cpus->count; i++)
		blocks[i].status = EFI_AP_S_NONE;
	st = run_on_aps(fw, cpus, enter_ap);
	ids[0] = '\0';
	for (unsigned int i = 1; i < cpus->count; i++) {
		const struct ap_result *r = &aps.res[i];
		uint32_t id = cpus->apic_id[i];
		int32_t status = settle(&blocks[i], r);
		bool returned = __atomic_load_n(&r->returned, __ATOMIC_ACQUIRE);

		/* Its CPU may still write to the block (its status, going back). */
		if (r->ran && !returned)
			*blocks_in_use = true;
		switch (ap_outcome(r->ran, returned, r->rc, status)) {
		case AP_OUT_JOINED:
			if (k + 12 < sizeof(ids))
				k += (size_t)fmt_snprintf(ids + k, sizeof(ids) - k, " %u", id);
			if (!returned)
				efi_say("chain mode: APIC ID %u joined the hypervisor; its procedure had not "
					"returned when StartupAllAPs ended", id);
			continue;
		case AP_OUT_RETURNED:
			efi_shout("chain mode: APIC ID %u: its join failed and the core gave it back (the "
				  "hypervisor's console says why): it stays the firmware's, outside VMX; "
				  "isolation does not hold for it", id);
			break;
		case AP_OUT_REFUSED:
			efi_shout("chain mode: APIC ID %u: the core refused the AP (code %llu): it stays the "
				  "firmware's, outside VMX", id, (unsigned long long)r->rc);
			break;
		case AP_OUT_PARKED:
			efi_shout("chain mode: APIC ID %u: the core parked it (the hypervisor's console says "
				  "why): that CPU is lost to the OS", id);
			break;
		case AP_OUT_ABANDONED:
			efi_shout("chain mode: APIC ID %u: did not come back from the core in time: not "
				  "counted, and it may no longer join", id);
			break;
		case AP_OUT_NOT_RUN:
			efi_shout("chain mode: APIC ID %u: the firmware did not run the procedure on it", id);
			break;
		case AP_OUT_MISMATCH:
			efi_shout("chain mode: APIC ID %u: the core returned 0 without marking it joined "
				  "(status %d): not counted", id, (int)status);
			break;
		}
		failed++;
	}
	if (EFI_ERROR(st))
		efi_shout("chain mode: StartupAllAPs: status 0x%llx", (unsigned long long)st);
	efi_say("chain mode: %u of %u APs under the hypervisor (APIC IDs%s)", cpus->count - 1 - failed,
		cpus->count - 1, k ? ids : " none");
	return failed;
}
