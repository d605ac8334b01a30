/* tests/guests/triple.c - a triple fault stops this guest only: with an
 * empty IDT, #UD cannot be delivered, nor the #GP for that, nor the #DF
 * (SDM Vol. 3A, 6.15, interrupt 8). The hypervisor reports it and goes on. */
#include "tests/guests/lib/guest.h"

void main(void)
{
	static const struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} empty = { 0, 0 };

	check("about to triple fault", true);
	report_done();
	asm volatile("lidt %0\n\t"
		     "ud2" : : "m"(empty) : "memory");
	check("still running after the triple fault", false);
	finish();
}
