/* tests/guests/lib/insn.h - inline wrappers for the special instructions the
 * test guests use (CPUID, MSRs, TSC, control registers, port I/O), for both
 * 64-bit and 32-bit guests. */
#ifndef GUESTS_LIB_INSN_H
#define GUESTS_LIB_INSN_H

#include <stdint.h>

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

#define DEFINE_CR(n)                                                              \
	static inline unsigned long read_cr##n(void)                              \
	{                                                                         \
		unsigned long v;                                                  \
		asm volatile("mov %%cr" #n ", %0" : "=r"(v) : : "memory");        \
		return v;                                                         \
	}                                                                         \
	static inline void write_cr##n(unsigned long v)                           \
	{                                                                         \
		asm volatile("mov %0, %%cr" #n : : "r"(v) : "memory");            \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { asm volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { asm volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cli(void) { asm volatile("cli" : : : "memory"); }
/* STI's one-instruction shadow makes "sti; hlt" wait for an interrupt that arrives in between. */
static inline void sti_hlt(void) { asm volatile("sti; hlt" : : : "memory"); }

#define CR0_PE    (1ul << 0)
#define CR0_TS    (1ul << 3)
#define CR0_WP    (1ul << 16)
#define CR0_PG    (1ul << 31)
#define CR4_PSE   (1ul << 4)
#define CR4_PAE   (1ul << 5)
#define CR4_PGE   (1ul << 7)
#define CR4_VMXE  (1ul << 13)
#define CR4_OSXSAVE (1ul << 18)

#define MSR_IA32_TSC             0x10
#define MSR_IA32_APIC_BASE       0x1b
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_IA32_SYSENTER_ESP    0x175
#define MSR_IA32_MISC_ENABLE     0x1a0
#define MSR_IA32_DEBUGCTL        0x1d9
#define MSR_IA32_VMX_BASIC       0x480
#define MSR_IA32_VMX_VMFUNC      0x491
#define MSR_EFER                 0xc0000080u
#define EFER_LME                 (1u << 8)
#define EFER_LMA                 (1u << 10)
#define EFER_NXE                 (1u << 11)
#define CPUID81_EDX_NX           (1u << 20)

#endif
