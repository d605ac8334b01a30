/* tests/guests/debugexit.c - ends itself through the debug-exit port (the
 * hypervisor option debugexit): the status written is its exit status. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

void main(void)
{
	check("about to write 42 to the debug-exit port", true);
	report_done();
	outl(0xf4, 42);
	check("the write to the debug-exit port returned", false);
	finish();
}
