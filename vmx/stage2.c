/* vmx/stage2.c - a VM's stage-2 tables as EPT (SDM Vol. 3C, 29.3): the
 * guest-physical space planned for this CPU (vmx/ept_space.c), the EPT
 * built, changed and flushed (vmx/ept.c), the HC_UNMAP_ONCE test hook. */
#include "vmx/stage2.h"
#include "vmx/flush.h"
#include "vmx/vmx_cpu.h"
#include "vmx/ept.h"
#include "drivers/ipi.h"
#include "mm/malloc.h"
#include "lib/print.h"

/* The EPT and its plan, together: struct vm's stage2. */
struct vmx_stage2 {
	struct ept ept;
	struct ept_space space;
};

static struct vmx_stage2 *s2(const struct vm *vm)
{
	return vm->stage2;
}

int stage2_init(struct vm *vm, gpa_t host_end, unsigned int phys_bits, unsigned int keyid_bits)
{
	struct vmx_stage2 *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	/* To MAXPHYADDR (less KeyID bits, at most 48) where the EPT maps that
	 * within EPT_SPACE_BUDGET tables (always with 1 GiB pages), else
	 * max(4 GiB, end of the host map) rounded up to 1 GiB. */
	ept_space_plan(&s->space, host_end, phys_bits, keyid_bits,
		       vmx_this_cpu.caps.ept_vpid_cap & EPT_CAP_1GB_PAGE);
	vm->stage2 = s;
	vm->top = s->space.top;
	return 0;
}

int stage2_build(struct vm *vm, const struct gmap *map, const struct mtrr_state *mtrrs)
{
	uint64_t caps = vmx_this_cpu.caps.ept_vpid_cap;
	struct vmx_stage2 *s = s2(vm);
	int rc = ept_build(&s->ept, map, mtrrs, caps & EPT_CAP_1GB_PAGE, caps & EPT_CAP_AD_BITS);

	if (rc)
		return rc;
	s->ept.space = &s->space;
	vm->stage2_built = true;
	return 0;
}

/*
 * After an edit that removed or narrowed mappings: this CPU's INVEPT, then
 * every other CPU's, acknowledged (drivers/ipi.c: every online CPU is
 * asked, not only those that ran a vCPU of this VM; one in the hypervisor
 * answers from its NMI handler, so asking all costs an NMI each and needs
 * no list of who ran where), and only then the unlinked table pages go
 * back to the frame allocator. If a CPU does not answer they stay held
 * (the next round that all answer frees them): a page another CPU may
 * still walk is never reused.
 */
static unsigned int flush_everywhere(const struct vm *vm, const char *what)
{
	struct ept *e = &s2(vm)->ept;
	unsigned int missed;

	vmx_flush_ept(e);
	missed = cpu_request_all_wait(CPU_REQ_FLUSH_STAGE2, CPU_REQUEST_WAIT_US, what);
	if (!missed)
		ept_release_held(e);
	return missed;
}

unsigned int stage2_invalidate_all(const struct vm *vm)
{
	return flush_everywhere(vm, "the shell's stage-2 flush");
}

int stage2_update(struct vm *vm, gpa_t start, gpa_t end)
{
	int rc = ept_update(&s2(vm)->ept, start, end);

	/* Also on failure: part of the range may have changed already. */
	flush_everywhere(vm, "a stage-2 update");
	return rc;
}

void stage2_print(const struct vm *vm, enum stage2_report what)
{
	switch (what) {
	case STAGE2_MAP:
		ept_print_map(&s2(vm)->ept);
		break;
	case STAGE2_SPACE:
		ept_print_space(&s2(vm)->space);
		break;
	case STAGE2_SUMMARY:
		ept_print_summary(&s2(vm)->ept);
		cpu_request_print_stats();
		break;
	}
}

void stage2_print_walk(const struct vm *vm, gpa_t gpa)
{
	ept_print_walk(&s2(vm)->ept, gpa);
}

int stage2_unmap_once(struct vm *vm, gpa_t page, uint64_t *saved)
{
	uint64_t *pte = pt_leaf_4k(&s2(vm)->ept.pt, page);

	if (!pte)
		return -EFAULT;
	*saved = *pte;
	*pte = 0;
	flush_everywhere(vm, "a stage-2 unmap");
	return 0;
}

void stage2_restore_once(struct vm *vm, gpa_t page, uint64_t saved)
{
	struct pagetable *pt = &s2(vm)->ept.pt;
	uint64_t *pte = pt_leaf_4k(pt, page);

	if (pte)
		*pte = saved;
	/* The split that made the page unmappable is undone too. */
	(void)pt_merge(pt, ALIGN_DOWN(page, PAGE_SIZE_1G), PAGE_SIZE_1G);
	flush_everywhere(vm, "a stage-2 merge");
}

struct ept *vmx_stage2_ept(struct vm *vm)
{
	return &s2(vm)->ept;
}
