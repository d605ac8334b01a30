/* boot/ap_start.c - waking one application processor (SDM Vol. 3A, 10.4.4
 * "MP Initialization Example", 11.6.1 ICR): the trampoline page below 1 MiB
 * and the first page tables, INIT-SIPI-SIPI timed by the TSC, and ap_main,
 * where each AP takes its per-CPU block and the boot CPU's control registers,
 * reports in and parks. */
#include "boot/ap_start.h"
#include "arch/cpu.h"
#include "arch/lapic.h"
#include "arch/mca.h"
#include "arch/msr.h"
#include "arch/tsc.h"
#include "drivers/ipi.h"
#include "mm/paging.h"
#include "lib/string.h"
#include "guest/run/ap_run.h"

#define PTE_P          (1ULL << 0)
#define PTE_W          (1ULL << 1)
#define PTE_ADDR       0x000ffffffffff000ULL
#define INIT_WAIT_US   10000            /* INIT to start-up IPI */
#define SIPI_WAIT_US   200              /* start-up IPI to the second one */
#define REPORT_WAIT_US 1000000          /* second start-up IPI to the AP's report */

#define TP_STARTED     1                /* status, as boot/ap_trampoline.asm writes it */

/* The trampoline's parameter block (boot/ap_trampoline.asm, tp_params). The
 * GDT base and the far-jump offsets hold offsets from the trampoline's start
 * until trampoline_install adds the page's address. */
struct __packed trampoline_params {
	uint32_t size;                  /* sizeof(struct trampoline_params): the assembly agrees */
	volatile uint32_t status;       /* the AP: 1 in real mode, 2 in 64-bit mode */
	uint16_t gdt_limit;
	uint32_t gdt_base;
	uint16_t pad0;
	uint32_t jmp32_offset;          /* far pointer to the 32-bit part */
	uint16_t jmp32_selector, pad1;
	uint32_t jmp64_offset;          /* far pointer to the 64-bit part */
	uint16_t jmp64_selector, pad2;
	uint32_t cr3_switch;            /* the first page tables: CR3 is loaded in 32-bit mode */
	uint32_t pad3;
	uint64_t cr3;                   /* the hypervisor's own tables, loaded in ap_entry64 */
	uint64_t stack;                 /* the AP's run stack's top */
	uint64_t percpu;                /* its struct percpu *, ap_main's argument */
	uint64_t entry;                 /* ap_entry64 */
};
_Static_assert(sizeof(struct trampoline_params) == 72, "TP_END in boot/ap_trampoline.asm");
_Static_assert(__builtin_offsetof(struct trampoline_params, jmp32_offset) == 16, "TP_JMP32");
_Static_assert(__builtin_offsetof(struct trampoline_params, cr3_switch) == 32, "TP_CR3_32");
_Static_assert(__builtin_offsetof(struct trampoline_params, entry) == 64, "TP_ENTRY");

extern const uint8_t trampoline_start[], trampoline_end[];   /* boot/ap_trampoline.asm */
extern const uint32_t trampoline_params_offset;
extern const uint8_t ap_entry64[];

void __noreturn ap_main(struct percpu *pc);

/* The page tables an AP switches paging on with: the trampoline page
 * identity-mapped (4 KiB, so nothing else of low memory is), and the
 * hypervisor's upper half, in which it continues. In the image: below 4 GiB. */
static uint64_t first_pml4[512] __section(".bss.page_aligned") __aligned(4096);
static uint64_t first_pdpt[512] __section(".bss.page_aligned") __aligned(4096);
static uint64_t first_pd[512] __section(".bss.page_aligned") __aligned(4096);
static uint64_t first_pt[512] __section(".bss.page_aligned") __aligned(4096);

static struct {
	hpa_t page;                     /* the trampoline page, 0 if none installed */
	uint8_t saved[PAGE_SIZE];       /* its own bytes, put back by ap_trampoline_remove */
	struct trampoline_params *params;
	uint64_t cr0, cr4, efer, pat;   /* the boot CPU's, for every AP */
} tramp;

/* Written by the AP last, read by the boot CPU: which block reported in and
 * the APIC ID the CPU itself says it has. */
static struct {
	struct percpu *pc;
	uint32_t apic_id;
} report;

int ap_trampoline_install(hpa_t pa)
{
	size_t len = (size_t)(trampoline_end - trampoline_start);
	struct trampoline_params *tp;
	uint8_t *page;
	const uint64_t *live;

	if (!pa || pa & (PAGE_SIZE - 1) || pa >= 0xa0000 || len > PAGE_SIZE ||
	    image_hpa(first_pml4) >= 4 * GiB)
		return -EINVAL;
	page = hpa_to_ptr(pa);
	memcpy(tramp.saved, page, PAGE_SIZE);
	memcpy(page, trampoline_start, len);
	tp = (struct trampoline_params *)(page + trampoline_params_offset);
	if (tp->size != sizeof(*tp)) {
		memcpy(page, tramp.saved, PAGE_SIZE);
		return -EINVAL;
	}
	tramp.page = pa;
	tramp.params = tp;
	tp->gdt_base += (uint32_t)pa;
	tp->jmp32_offset += (uint32_t)pa;
	tp->jmp64_offset += (uint32_t)pa;

	tramp.cr0 = read_cr0();
	tramp.cr4 = read_cr4();
	tramp.efer = rdmsr(MSR_IA32_EFER);
	tramp.pat = rdmsr(MSR_IA32_PAT);
	tp->cr3 = read_cr3();
	tp->entry = (uint64_t)(uintptr_t)ap_entry64;

	live = hpa_to_ptr(tp->cr3 & PTE_ADDR);
	memset(first_pml4, 0, sizeof(first_pml4));
	for (unsigned int i = 256; i < 512; i++)
		first_pml4[i] = live[i];
	first_pml4[0] = image_hpa(first_pdpt) | PTE_P | PTE_W;
	first_pdpt[0] = image_hpa(first_pd) | PTE_P | PTE_W;
	first_pd[0] = image_hpa(first_pt) | PTE_P | PTE_W;
	memset(first_pt, 0, sizeof(first_pt));
	first_pt[pa >> PAGE_SHIFT] = pa | PTE_P | PTE_W;        /* executable: no XD */
	tp->cr3_switch = (uint32_t)image_hpa(first_pml4);
	return 0;
}

void ap_trampoline_remove(void)
{
	if (!tramp.page)
		return;
	memcpy(hpa_to_ptr(tramp.page), tramp.saved, PAGE_SIZE);
	tramp.page = 0;
	tramp.params = NULL;
}

static void wait_us(uint64_t us)
{
	uint64_t t0 = rdtsc(), ticks = tsc_khz() * us / 1000;

	while (rdtsc() - t0 < ticks)
		cpu_relax();
}

static bool reported(const struct percpu *pc)
{
	return __atomic_load_n(&report.pc, __ATOMIC_ACQUIRE) == pc;
}

int ap_start(struct percpu *pc, uint64_t apic_base)
{
	struct trampoline_params *tp = tramp.params;
	uint32_t id = pc->apic_id;
	uint8_t page = (uint8_t)(tramp.page >> PAGE_SHIFT);
	uint64_t t0, ticks = tsc_khz() * REPORT_WAIT_US / 1000;

	if (!tp)
		return -EINVAL;
	tp->status = 0;
	tp->stack = stack_top(pc->stacks[STACK_RUN].s);
	tp->percpu = (uint64_t)(uintptr_t)pc;
	__atomic_store_n(&report.pc, NULL, __ATOMIC_RELEASE);

	if (!ipi_send_base(apic_base, id, ICR_MODE_INIT, 0))
		return -EBUSY;
	wait_us(INIT_WAIT_US);
	if (!ipi_send_base(apic_base, id, ICR_MODE_STARTUP, page))
		return -EBUSY;
	wait_us(SIPI_WAIT_US);
	/* A CPU that took the first start-up IPI ignores a second one, but
	 * 10.4.4 sends it only where the first was not taken. */
	if (tp->status < TP_STARTED && !ipi_send_base(apic_base, id, ICR_MODE_STARTUP, page))
		return -EBUSY;
	t0 = rdtsc();
	while (!reported(pc) && rdtsc() - t0 < ticks)
		cpu_relax();
	if (reported(pc))
		return 0;
	/* Back to waiting for a start-up IPI: it must not run the trampoline
	 * page once that is guest memory again. */
	(void)ipi_send_base(apic_base, id, ICR_MODE_INIT, 0);
	return -ETIMEDOUT;
}

bool ap_send_nmi(const struct percpu *pc, uint64_t apic_base)
{
	return ipi_send_base(apic_base, pc->apic_id, ICR_MODE_NMI, 0);
}

/* The AP's first C, from ap_entry64 on its own run stack and the
 * hypervisor's page tables, interrupts off. Nothing here prints: the console
 * is the boot CPU's (issue 14 gives it one owner at a time). */
void ap_main(struct percpu *pc)
{
	percpu_start(pc);
	write_cr0(tramp.cr0);
	write_cr4(tramp.cr4);
	wrmsr(MSR_IA32_EFER, tramp.efer);
	wrmsr(MSR_IA32_PAT, tramp.pat);
	(void)mca_enable();             /* CR4.MCE where this CPU has it, as on the boot CPU */
	report.apic_id = percpu_read_apic_id();
	__atomic_store_n(&report.pc, pc, __ATOMIC_RELEASE);
	/* Parked in a spin until the boot CPU has VMX on, then VMXON and a vCPU
	 * per guest (guest/run/ap_run.c). An NMI is handled on its own NMI
	 * stack (its TSS's IST) and returns. */
	guests_ap_main(pc);
}

bool ap_wake(uint32_t apic_id)
{
	return ipi_send_nmi(apic_id);
}

bool ap_send_sipi(uint32_t apic_id, uint8_t vector)
{
	/* In the mode the APIC is in now: the guest may have switched it to x2APIC. */
	return ipi_send(apic_id, ICR_MODE_STARTUP, vector);
}

uint32_t ap_reported_apic_id(void)
{
	return report.apic_id;
}
