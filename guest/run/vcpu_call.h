/* guest/run/vcpu_call.h - running a function on the CPU of a vCPU and
 * waiting for it: a VMCS is current on one CPU only (VMPTRLD is per CPU),
 * so another vCPU's registers and VMCS fields are read there (the debug
 * shell's commands on a selected vCPU; docs/architecture.md, "The shell on
 * several CPUs"). */
#ifndef GUEST_RUN_VCPU_CALL_H
#define GUEST_RUN_VCPU_CALL_H

#include "lib/compiler.h"

struct vcpu;

#define VCPU_CALL_WAIT_US 2000000        /* a few console ticks, even in Bochs */

/*
 * Runs fn(target, arg) on target's CPU, out of its guest, between two VM
 * entries of its run loop (running or halted: the request channel kicks it
 * out; paused: its loop looks; waiting for SIPI: a start-up IPI of the
 * hypervisor's own),
 * and waits for it, TSC-bounded. On this CPU's own vCPU: a plain call.
 * Returns 0 when fn ran; -ETIMEDOUT if the CPU did not take it within
 * timeout_us (then fn never runs); -EINPROGRESS if fn started but did not
 * end in a second timeout_us (it ends later: arg must outlive the call);
 * -EBUSY while such an earlier call still runs there. One caller at a time
 * (the shell's CPU).
 */
int vcpu_call(struct vcpu *target, void (*fn)(struct vcpu *v, void *arg), void *arg,
	      uint64_t timeout_us);

/* The run loop's side (guest_requests_serve, and each turn of a paused
 * vCPU's loop): runs a call posted for this CPU's vCPU v, if any. */
void vcpu_call_serve(struct vcpu *v);

#endif
