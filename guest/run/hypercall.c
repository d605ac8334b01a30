/* guest/run/hypercall.c - the VMCALL interface (docs/hypercalls.md): version,
 * console output, exit with a status, chain mode's end of the joining phase,
 * and the test hooks, which exist only with the hypervisor option hvtest. */
#include "guest/run/hypercall.h"
#include "guest/run/memory_exits.h"
#include "guest/backend.h"
#include "guest/hypercall_abi.h"
#include "guest/gmem.h"
#include "guest/gmap.h"
#include "guest/dev/testdev.h"
#include "drivers/console.h"
#include "mm/malloc.h"

static bool test_calls_enabled;
static int64_t (*chain_done)(struct vcpu *v);

void hypercall_set_chain_done(int64_t (*fn)(struct vcpu *v))
{
	chain_done = fn;
}

void hypercall_enable_test_calls(bool on)
{
	test_calls_enabled = on;
}

static bool is_test_call(uint64_t nr)
{
	return nr == HC_EXIT_COUNT || nr == HC_INJECT || nr == HC_UNMAP_ONCE || nr == HC_MEMMAP ||
	       nr == HC_TRAP_TEST;
}

/* HC_INJECT: a hardware exception as the CPU would deliver it now, or an NMI
 * (vector 2) queued for the guest. The error
 * code must fit (16 bits: SDM Vol. 3C 26.2.1.3) where the vector has one in
 * the guest's mode, and be HC_NO_ERROR_CODE where it has none. */
static int64_t hc_inject(struct vcpu *v, uint64_t vector, uint64_t code)
{
	int has_code;

	if (vector >= 32)
		return -HC_EINVAL;
	/* An NMI is queued as the shell's `inject nmi` queues it: delivered
	 * as soon as the guest can take one, as an NMI from outside would be. */
	if (vector == 2) {
		if (code != HC_NO_ERROR_CODE)
			return -HC_EINVAL;
		v->nmis_requested = 1;
		return 0;
	}
	has_code = vcpu_exception_error_code(v, (unsigned int)vector);
	if (has_code < 0)
		return -HC_EINVAL;
	if (has_code ? code > 0xffff : code != HC_NO_ERROR_CODE)
		return -HC_EINVAL;
	vcpu_inject_exception(v, (unsigned int)vector, has_code ? (uint32_t)code : 0);
	return 0;
}

static int64_t hc_console_write(uint64_t gpa, uint64_t len)
{
	const char *p;

	if (len > HC_CONSOLE_MAX)
		return -HC_EINVAL;
	if (!gmem_is_ram(gpa, len))
		return -HC_EFAULT;
	p = gmem_ptr(gpa);
	for (uint64_t i = 0; i < len; i++)
		printf("%c", p[i]);
	return (int64_t)len;
}

/* HC_MEMMAP: the index-th range of the guest memory map in RBX/RCX/RDX/RSI. */
static int64_t hc_memmap(struct vcpu *v, uint64_t index)
{
	static const uint8_t kinds[] = {
		[GMAP_RAM] = HC_MEM_RAM, [GMAP_MMIO] = HC_MEM_MMIO, [GMAP_TRAPPED] = HC_MEM_TRAPPED,
		[GMAP_HIDDEN] = HC_MEM_HIDDEN, [GMAP_UNUSABLE] = HC_MEM_UNUSABLE, [GMAP_ROM] = HC_MEM_ROM,
		[GMAP_WRITE_TRAPPED] = HC_MEM_TRAPPED,
	};
	const struct gmap *g = gmem_map();
	const struct gmap_range *r;

	if (index >= g->flat_count)
		return -HC_EINVAL;
	r = &g->flat[index];
	v->regs.gpr[REG_RBX] = r->start;
	v->regs.gpr[REG_RCX] = r->end - r->start;
	v->regs.gpr[REG_RDX] = r->e820_type;
	v->regs.gpr[REG_RSI] = kinds[r->kind];
	return 0;
}

/* HC_TRAP_TEST: a second test device registered and removed at run time,
 * which makes the EPT split pages and merge them back. */
static int64_t hc_trap_test(struct vcpu *v, uint64_t gpa, bool on)
{
	static struct device_model *dev;

	if (gpa & (PAGE_SIZE - 1))
		return -HC_EINVAL;
	if (on) {
		if (dev)
			return -HC_EINVAL;
		dev = testdev_create("testdev2", gpa);
		if (!dev)
			return -HC_EINVAL;
		if (device_add_mmio(dev, gpa, TESTDEV_SIZE)) {
			testdev_destroy(dev);
			dev = NULL;
			return -HC_EINVAL;
		}
	} else {
		if (!dev || device_remove_mmio(dev, gpa))
			return -HC_EINVAL;
		testdev_destroy(dev);
		dev = NULL;
	}
	printf("guest %s: test device %s at 0x%llx\n", v->name, on ? "registered" : "removed",
	       (unsigned long long)gpa);
	return vcpu_map_changed(v, gpa, gpa + TESTDEV_SIZE) ? -HC_EINVAL : 0;
}

/* HC_EXIT_COUNT for the fast exit path (guest/run/hypercall.h), for a count
 * under 2^31 (the same answer in every mode, as HC_VERSION's). */
bool fast_hypercall_more(struct vcpu *v)
{
	uint64_t *r = v->regs.gpr;

	if (r[REG_RAX] == HC_EXIT_COUNT && test_calls_enabled && r[REG_RBX] < GUEST_EXIT_COUNT &&
	    v->exits[r[REG_RBX]].count < 0x80000000u) {
		r[REG_RAX] = v->exits[r[REG_RBX]].count;
		return true;
	}
	return false;
}

void hypercall(struct vcpu *v, unsigned int cpl, bool long_mode)
{
	uint64_t *r = v->regs.gpr;
	uint64_t mask = long_mode ? ~0ULL : 0xffffffffULL;
	uint64_t nr = r[REG_RAX] & mask, a0 = r[REG_RBX] & mask, a1 = r[REG_RCX] & mask;
	int64_t ret;

	if (cpl != 0) {
		ret = -HC_EPERM;
		goto out;
	}
	if (is_test_call(nr) && !test_calls_enabled) {
		ret = -HC_ENOSYS;
		goto out;
	}
	switch (nr) {
	case HC_VERSION:
		ret = (HC_VERSION_MAJOR << 16) | HC_VERSION_MINOR;
		break;
	case HC_CONSOLE_WRITE:
		ret = hc_console_write(a0, a1);
		break;
	case HC_EXIT:
		v->state = VCPU_STOPPED;
		v->exit_status = (int)(uint32_t)a0;
		ret = 0;
		break;
	case HC_EXIT_COUNT:
		ret = a0 < GUEST_EXIT_COUNT ? (int64_t)v->exits[a0].count : -HC_EINVAL;
		break;
	case HC_INJECT:
		ret = hc_inject(v, a0, a1);
		break;
	case HC_MEMMAP:
		ret = hc_memmap(v, a0);
		break;
	case HC_TRAP_TEST:
		ret = hc_trap_test(v, a0, a1 != 0);
		break;
	case HC_CHAIN_APS_DONE:
		ret = chain_done ? chain_done(v) : -HC_ENOSYS;
		break;
	case HC_UNMAP_ONCE:
		ret = vcpu_unmap_once(v, a0 & ~(PAGE_SIZE - 1)) ? -HC_EFAULT : 0;
		break;
	default:
		ret = -HC_ENOSYS;
		break;
	}
out:
	r[REG_RAX] = (uint64_t)ret & mask;
}
