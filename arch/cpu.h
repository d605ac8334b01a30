/* arch/cpu.h - x86-64 special instructions as inline wrappers (SDM Vol. 2).
 * Pure code never includes this header; that is what lets it build on the host. */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include "lib/compiler.h"

#define CR0_PE   (1ULL << 0)
#define CR0_WP   (1ULL << 16)
#define CR0_PG   (1ULL << 31)
#define CR4_PAE  (1ULL << 5)
#define CR4_MCE  (1ULL << 6)
#define CR4_PGE  (1ULL << 7)
#define RFLAGS_IF (1ULL << 9)

struct cpuid_regs { uint32_t eax, ebx, ecx, edx; };

static inline void cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	asm volatile("cpuid"
		     : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
		     : "a"(leaf), "c"(subleaf));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { asm volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { asm volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

#define DEFINE_CR_ACCESSORS(n)                                                         \
	static inline uint64_t read_cr##n(void)                                        \
	{ uint64_t v; asm volatile("mov %%cr" #n ", %0" : "=r"(v)); return v; }       \
	static inline void write_cr##n(uint64_t v)                                     \
	{ asm volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); }
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

/* DR6: the guest's own while it runs (VM exits do not switch it, SDM Vol. 3C 28.3.1). */
static inline uint64_t read_dr6(void) { uint64_t v; asm volatile("mov %%dr6, %0" : "=r"(v)); return v; }
static inline void write_dr6(uint64_t v) { asm volatile("mov %0, %%dr6" : : "r"(v)); }

static inline uint64_t read_rflags(void)
{
	uint64_t v;
	asm volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline uint64_t read_rbp(void)
{
	uint64_t v;
	asm volatile("mov %%rbp, %0" : "=r"(v));
	return v;
}

/* RDTSC clears bits 63:32 of RAX and RDX: no zero extension needed. */
static inline uint64_t rdtsc(void)
{
	uint64_t lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (hi << 32) | lo;
}

struct __packed descriptor_ptr {
	uint16_t limit;
	uint64_t base;
};

static inline void lgdt(const struct descriptor_ptr *p) { asm volatile("lgdt %0" : : "m"(*p)); }
static inline void lidt(const struct descriptor_ptr *p) { asm volatile("lidt %0" : : "m"(*p)); }
static inline void sgdt(struct descriptor_ptr *p) { asm volatile("sgdt %0" : "=m"(*p)); }
static inline void sidt(struct descriptor_ptr *p) { asm volatile("sidt %0" : "=m"(*p)); }
static inline uint16_t read_tr(void) { uint16_t v; asm volatile("str %0" : "=r"(v)); return v; }
static inline uint16_t read_ldtr(void) { uint16_t v; asm volatile("sldt %0" : "=r"(v)); return v; }
/* A segment selector register: read_seg(ds). */
#define read_seg(reg) ({ uint16_t v_; asm volatile("mov %%" #reg ", %0" : "=r"(v_)); v_; })
static inline void ltr(uint16_t sel) { asm volatile("ltr %0" : : "r"(sel)); }
static inline void invlpg(uint64_t va) { asm volatile("invlpg (%0)" : : "r"(va) : "memory"); }
static inline void cpu_relax(void) { asm volatile("pause"); }
/* Writes back and invalidates the cache line of p (for devices whose reads do not snoop). */
static inline void clflush(const volatile void *p) { asm volatile("clflush (%0)" : : "r"(p) : "memory"); }
static inline void mfence(void) { asm volatile("mfence" ::: "memory"); }
static inline void irq_disable(void) { asm volatile("cli" ::: "memory"); }

/* An IRET to the next instruction, which ends blocking by NMI (SDM Vol. 3A,
 * 6.7.1): after an NMI VM exit, which leaves NMIs blocked (Vol. 3C, event
 * blocking on VM exits), and where Bochs 2.7 leaves NMIs blocked in VMX
 * root operation after a VM exit from the wait-for-SIPI activity state,
 * which blocks them in the guest; a halted CPU would then never wake for an
 * NMI, and no CPU would take the request channel's kicks. */
static inline void cpu_nmi_unblock(void)
{
	asm volatile("mov %%ss, %%eax\n\t"
		     "push %%rax\n\t"
		     "lea 8(%%rsp), %%rax\n\t"
		     "push %%rax\n\t"
		     "pushfq\n\t"
		     "mov %%cs, %%eax\n\t"
		     "push %%rax\n\t"
		     "lea 1f(%%rip), %%rax\n\t"
		     "push %%rax\n\t"
		     "iretq\n"
		     "1:"
		     ::: "rax", "memory", "cc");
}

/* Stops this CPU for good: interrupts off, halt forever (NMIs return to hlt). */
static inline __noreturn void cpu_halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt" ::: "memory");
}

#endif
