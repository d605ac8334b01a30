/* guest/run/exit.h - the generic exit handlers: what the hypervisor does
 * for each neutral exit reason (guest/exit_reason.h) whatever the backend;
 * the backend calls the two it needs from its own exits (machine checks). */
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

/* The guest memory map changed over [start, end): bring the stage-2 tables in line. */
int __must_check vcpu_map_changed(struct vcpu *v, gpa_t start, gpa_t end);
/* HC_UNMAP_ONCE: unmaps one RAM page until the guest's next access to it. */
int __must_check vcpu_unmap_once(struct vcpu *v, gpa_t page);

/* The handlers of guest/run/cpu_exits.c, guest/run/memory_exits.c and
 * guest/run/task_switch_exit.c. */
void exit_cpuid(struct vcpu *v);
void exit_msr(struct vcpu *v, bool write);
void exit_xsetbv(struct vcpu *v);
void exit_io(struct vcpu *v);
void exit_stage2_fault(struct vcpu *v);
void exit_stage2_misconfig(struct vcpu *v);
void exit_task_switch(struct vcpu *v);

#endif
