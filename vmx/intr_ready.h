/* vmx/intr_ready.h - whether VM entry can inject an external interrupt now
 * (SDM Vol. 3C, 26.3.1.5 checks on the interruptibility and activity state;
 * 26.6.2: a vectoring entry leaves the CPU active). Pure. */
#ifndef VMX_INTR_READY_H
#define VMX_INTR_READY_H

#include "lib/compiler.h"

/* True if an external interrupt may go into the VM-entry interruption-
 * information field: nothing is queued there (entry_intr_info), RFLAGS.IF is
 * 1, there is no blocking by STI or MOV SS, and the activity state is active
 * or HLT (not shutdown or wait-for-SIPI). Otherwise the caller waits, with
 * interrupt-window exiting on. */
bool intr_injectable(uint32_t entry_intr_info, uint64_t rflags, uint64_t interruptibility,
		     uint64_t activity);

#endif
