/* guest/hypercall.c - the VMCALL interface (docs/hypercalls.md): version,
 * console output, exit with a status, and the test hooks. */
#include "guest/hypercall.h"
#include "guest/hypercall_abi.h"
#include "guest/gmem.h"
#include "drivers/console.h"

/* Exceptions HC_INJECT may deliver as hardware exceptions (not NMI, not reserved). */
static bool injectable(uint64_t v)
{
	return v < 32 && v != 2 && v != 9 && v != 15 && (v <= 21 || v == 28 || v == 29 || v == 30);
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
		ret = a0 < EXIT_REASON_COUNT ? (int64_t)v->exits[a0].count : -HC_EINVAL;
		break;
	case HC_INJECT:
		if (!injectable(a0)) {
			ret = -HC_EINVAL;
			break;
		}
		vcpu_inject_exception(v, (unsigned int)a0, (uint32_t)a1);
		ret = 0;
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
