/* guest/run/exit.h - the generic exit handlers: what the hypervisor does
 * for each neutral exit reason (guest/exit_reason.h) whatever the backend
 * (the handlers themselves: cpu_exits.h, memory_exits.h, task_switch_exit.h);
 * the backend calls guest_machine_check from its own #MC exits. */
#ifndef GUEST_RUN_EXIT_H
#define GUEST_RUN_EXIT_H

#include "guest/vcpu.h"

/* One entry of v and the handling of the exit that ends it, counted under
 * its neutral reason (stops the guest on failure). */
void vcpu_run_once(struct vcpu *v);

/* A machine check while the guest ran (an intercepted #MC) or during its
 * entry: reported and acknowledged (arch/mca.c); the guest goes on unless
 * the interrupted code cannot (then it stops, the hypervisor goes on). */
void guest_machine_check(struct vcpu *v, bool during_entry);

#endif
