/* arch/cpuinfo.h - what CPUID says about the CPU (SDM Vol. 2A, CPUID). */
#ifndef ARCH_CPUINFO_H
#define ARCH_CPUINFO_H

#include "lib/compiler.h"

struct cpuinfo {
	char vendor[13];                /* "GenuineIntel", "AuthenticAMD", ... */
	char brand[49];                 /* processor brand string, "" if none */
	unsigned int family, model, stepping;   /* display values (extended fields folded in) */
	bool vmx;                       /* CPUID.1:ECX[5] */
	bool svm;                       /* CPUID.80000001H:ECX[2] */
	bool page_1g;                   /* CPUID.80000001H:EDX[26] */
	bool hypervisor;                /* CPUID.1:ECX[31]: we are a guest ourselves */
	unsigned int phys_addr_bits;    /* CPUID.80000008H:EAX[7:0], 36 if absent */
};

/* Reads CPUID into ci. */
void cpuinfo_read(struct cpuinfo *ci);

#endif
