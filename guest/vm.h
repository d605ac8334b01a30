/* guest/vm.h - a virtual machine: its guest-physical space, the stage-2
 * page tables that map it (owned by the VM, not by a CPU: every vCPU of the
 * VM runs on the same tables) and its vCPUs (one today). */
#ifndef GUEST_VM_H
#define GUEST_VM_H

#include "lib/compiler.h"
#include "lib/addr.h"

struct vcpu;

struct vm {
	gpa_t top;                       /* end of the guest-physical space (stage2_init) */
	void *stage2;                    /* backend's tables (vmx/: struct ept), NULL before stage2_init */
	bool stage2_built;               /* stage2_build succeeded */
	struct vcpu *vcpu;               /* its vCPU while one exists */
	bool ap_start_trap;              /* the guest's INIT and start-up IPIs are trapped (ICR) and
					    emulated (apstart=, guest/dev/guest_ipi.c), not left to
					    the CPU's wait-for-SIPI state */
};

#endif
