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
	volatile bool paused;            /* no vCPU enters (guest/run/requests.c vm_pause_all) */
	struct vcpu *vcpu;               /* its vCPU while one exists */
};

#endif
