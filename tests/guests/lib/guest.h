/* tests/guests/lib/guest.h - the test guests' runtime: hypercalls, console
 * lines, checks, and exceptions caught through the guest's own IDT. Shared by
 * the long64 guests and the prot32 guest (lib/entry64.S or lib/entry32.S).
 *
 * A guest defines `void main(void)`; the entry stub zeroes the BSS, switches
 * to a stack of its own, loads the runtime's GDT, TSS (64-bit) and IDT, calls
 * main, then prints "[NAME] done: N checks, F failed" and exits with status F.
 * Every check prints one line: "[NAME] ok: DESC" or "[NAME] FAILED: DESC (DETAIL)".
 */
#ifndef GUESTS_LIB_GUEST_H
#define GUESTS_LIB_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/hypercall_abi.h"

#ifdef GUEST_NAME
const char guest_name[] = GUEST_NAME;   /* the file stem, set by guests.mk */
#endif
extern const char guest_name[];

/* Selectors of the runtime's GDT (lib/desc.c). */
#define KERNEL_CS  0x08
#define KERNEL_DS  0x10
#define USER_DS    0x1b                 /* 64-bit only, RPL 3 */
#define USER_CS    0x23
#define TSS_SEL    0x28

/* VMCALL: number in RAX, arguments in RBX, RCX, RDX; result in RAX. */
static inline long hc(long nr, long a, long b, long c)
{
	long ret;

	asm volatile("vmcall" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}

/* VM exits of basic reason REASON this guest has caused so far. */
static inline long exit_count(unsigned reason) { return hc(HC_EXIT_COUNT, reason, 0, 0); }

/* Guest-physical address of an object: guests run identity mapped (or unpaged). */
static inline long gpa(const volatile void *p) { return (long)(uintptr_t)p; }

/* lib/runtime.c */
int vfmt(char *buf, size_t size, const char *f, va_list ap);
int fmt(char *buf, size_t size, const char *f, ...) __attribute__((format(printf, 3, 4)));
/* Formats into one of a few rotating static buffers: for check descriptions. */
const char *sfmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
size_t str_len(const char *s);
void print(const char *s);                        /* HC_CONSOLE_WRITE */
void printf_(const char *f, ...) __attribute__((format(printf, 1, 2)));

/* Each returns OK and prints the check's line. */
bool check(const char *desc, bool ok);
bool checkf(const char *desc, bool ok, const char *detail, ...) __attribute__((format(printf, 3, 4)));
bool check_eq(const char *desc, uint64_t got, uint64_t want);   /* detail: got X expected Y */
/* Counts a check whose line the guest put on the console by other means. */
void check_counted(bool ok);

void report_done(void);                           /* the "done" line only */
__attribute__((noreturn)) void guest_exit(long status);
__attribute__((noreturn)) void finish(void);      /* report_done + HC_EXIT(failed) */

/* Exceptions (lib/trap.c). */
#define TRAP_NO_CODE ((uintptr_t)-1)   /* error code recorded for vectors without one */
#define TRAP_NONE    (-1L)             /* trap_try: FN returned normally */

struct trap_frame {                    /* built by lib/entry{64,32}.S */
#ifdef __x86_64__
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
#else
	uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;   /* pushal */
#endif
	uintptr_t vector;
	uintptr_t error_code;              /* TRAP_NO_CODE if the vector has none */
	uintptr_t ip, cs, flags;           /* then SP and SS: 64-bit always, 32-bit from CPL 3 */
};

struct trap_record {
	struct trap_frame frame;           /* as the handler saw it */
	uintptr_t cr2;                     /* for #PF */
};

typedef void (*trap_fn)(long arg);
typedef void (*trap_handler)(struct trap_frame *f);

extern volatile struct trap_record trap_last;   /* the latest exception or interrupt */
extern volatile unsigned long trap_count;       /* handler invocations so far */
/* The RIP an expected exception must report; 0: don't check. Set with TRAP_WANT_IP. */
extern volatile uintptr_t trap_want_ip;

/* Inline-asm fragment: records local label LABEL ("1f") as the wanted RIP. */
#ifdef __x86_64__
#define TRAP_WANT_IP(label) "movq $" label ", trap_want_ip(%%rip)\n\t"
#else
#define TRAP_WANT_IP(label) "movl $" label ", trap_want_ip\n\t"
#endif

/*
 * Runs FN(ARG); an exception (or any interrupt without a handler) in it
 * unwinds back here, like longjmp, back at CPL 0 on the caller's stack.
 * Returns TRAP_NONE if FN returned, else the vector; details in trap_last.
 */
long trap_try(trap_fn fn, long arg);
/* Runs FN(ARG) and checks it raised VECTOR with error code CODE (TRAP_NO_CODE:
 * none) at trap_want_ip, if FN set it. */
bool expect_exception(const char *desc, unsigned vector, uintptr_t code, trap_fn fn, long arg);
/* Runs FN(ARG) and checks it raised nothing. */
bool expect_no_exception(const char *desc, trap_fn fn, long arg);
const char *trap_describe(long vector);         /* "#GP 0x0 at RIP 0x..." of trap_last */

/* lib/desc.c */
void desc_init(void);
void idt_set_handler(unsigned vector, trap_handler h);   /* called instead of unwinding */
void idt_set_gate(unsigned vector, unsigned dpl, unsigned ist);
void tss_set_ist(unsigned ist, uintptr_t top);           /* 64-bit only */

/* lib/runtime.c */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

void main(void);

#endif
