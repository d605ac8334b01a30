/* arch/mca.h - machine checks: CR4.MCE, and the report and acknowledgement of
 * a #MC from the machine-check MSRs (SDM Vol. 3B, 16.3 and 16.10). */
#ifndef ARCH_MCA_H
#define ARCH_MCA_H

#include "arch/mca_decode.h"

/* Sets CR4.MCE on this CPU where CPUID.1:EDX.MCE says it exists, so that a
 * machine check raises #MC instead of shutting the CPU down (SDM Vol. 3A,
 * 2.5). Returns whether it did. */
bool mca_enable(void);

/* Reads IA32_MCG_CAP, IA32_MCG_STATUS and the banks, prints them (where
 * says where the #MC hit: "in the hypervisor", "while guest linux ran"),
 * decides (mca_decide) and prints why. A MCA_CONTINUE event is acknowledged
 * (reported banks and MCIP cleared); so is a MCA_FATAL one if ack_fatal
 * (the caller goes on without the code that was interrupted). */
enum mca_verdict mca_handle(const char *where, bool ack_fatal);

#endif
