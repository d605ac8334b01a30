/* guest/vcpu.c - what any backend's vCPU shares: stopping a guest with a
 * reason for its report, and the names of the neutral exit reasons. */
#include "guest/vcpu.h"
#include "lib/format.h"

void vcpu_vstop(struct vcpu *v, const char *fmt, va_list ap)
{
	fmt_vsnprintf(v->stop_reason, sizeof(v->stop_reason), fmt, ap);
	v->state = VCPU_STOPPED;
	v->exit_status = -1;
	/* The run loop's to see now, also where the fast exit path stopped
	 * it (a device model's MMIO handler: the reset register). */
	vcpu_slow_post(v, VCPU_SLOW_STOP);
}

void vcpu_stop(struct vcpu *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcpu_vstop(v, fmt, ap);
	va_end(ap);
}
