/* tests/guests/lib/trap.c - the guests' exception dispatcher and the
 * expect_exception() checks built on trap_try() (lib/entry{64,32}.S). */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

/* lib/entry{64,32}.S push the registers, then the vector and error code, under the CPU's frame. */
#ifdef __x86_64__
_Static_assert(offsetof(struct trap_frame, vector) == 15 * 8, "64-bit stubs push 15 registers");
#else
_Static_assert(offsetof(struct trap_frame, vector) == 8 * 4, "32-bit stubs use pushal");
#endif
_Static_assert(offsetof(struct trap_frame, ip) == offsetof(struct trap_frame, vector) + 2 * sizeof(uintptr_t),
	       "vector, error code, then the CPU's frame");

volatile struct trap_record trap_last;
volatile unsigned long trap_count;
volatile uintptr_t trap_want_ip;
uintptr_t trap_jmp_sp;                 /* trap_try's frame while FN runs, else 0 */
trap_handler trap_handlers[256];

__attribute__((noreturn)) void trap_resume(long vector);   /* lib/entry*.S */

static const char *const names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#09", "#TS",
	"#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

static const char *vector_name(long v)
{
	if (v >= 0 && v < 32 && names[v])
		return names[v];
	return sfmt("vector %ld", v);
}

const char *trap_describe(long vector)
{
	const volatile struct trap_frame *f = &trap_last.frame;

	if (vector == TRAP_NONE)
		return "no exception";
	return sfmt("%s error %s at RIP %p%s", vector_name(vector),
		    f->error_code == TRAP_NO_CODE ? "none" : sfmt("0x%lx", (unsigned long)f->error_code),
		    (void *)f->ip, vector == 14 ? sfmt(", CR2 %p", (void *)trap_last.cr2) : "");
}

/* Called by every stub with the frame it built: records the event, then runs
 * the vector's handler, unwinds into trap_try, or reports an unexpected event. */
void trap_dispatch(struct trap_frame *f)
{
	trap_count++;
	trap_last.frame = *f;
	trap_last.cr2 = f->vector == 14 ? read_cr2() : 0;
	if (trap_handlers[f->vector]) {
		trap_handlers[f->vector](f);
		return;
	}
	if (trap_jmp_sp)
		trap_resume((long)f->vector);
	checkf("no unexpected exception", false, "%s", trap_describe((long)f->vector));
	finish();
}

bool expect_exception(const char *desc, unsigned vector, uintptr_t code, trap_fn fn, long arg)
{
	trap_want_ip = 0;
	long got = trap_try(fn, arg);
	const volatile struct trap_frame *f = &trap_last.frame;
	bool ok = got == (long)vector && f->error_code == code &&
		  (!trap_want_ip || f->ip == trap_want_ip);

	return checkf(desc, ok, "got %s, expected %s error %s%s", trap_describe(got),
		      vector_name(vector), code == TRAP_NO_CODE ? "none" : sfmt("0x%lx", (unsigned long)code),
		      trap_want_ip ? sfmt(" at RIP %p", (void *)trap_want_ip) : "");
}

bool expect_no_exception(const char *desc, trap_fn fn, long arg)
{
	long got = trap_try(fn, arg);

	return checkf(desc, got == TRAP_NONE, "got %s", trap_describe(got));
}
