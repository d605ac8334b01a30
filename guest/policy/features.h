/* guest/policy/features.h - what a guest may use, as the hardware backend granted
 * it: the CPUID and MSR policies (guest/policy/cpuid_policy.c, guest/policy/msr_policy.c)
 * show a feature only if its instructions work in the guest. Filled once per
 * vCPU by the backend (VMX: vmx_guest_features() from the controls in use;
 * SVM: from its intercepts). Pure. */
#ifndef GUEST_FEATURES_H
#define GUEST_FEATURES_H

#include "lib/compiler.h"

struct guest_features {
	bool rdtscp;     /* RDTSCP and RDPID run; IA32_TSC_AUX is the guest's */
	bool invpcid;    /* INVPCID runs */
	bool xsaves;     /* XSAVES/XRSTORS run; IA32_XSS is the guest's (no supervisor states) */
	bool waitpkg;    /* UMONITOR/UMWAIT/TPAUSE run; IA32_UMWAIT_CONTROL is the guest's */
	bool pconfig;    /* PCONFIG runs */
};

#endif
