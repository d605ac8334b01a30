/* tests/unit/vmx/test_intr_ready.c - when an external interrupt may be
 * injected (the 8259 path of the guest's ISA IRQs). */
#include "vmx/intr_ready.h"
#include "vmx/vmcs.h"
#include "tests/unit/check.h"

#define IF (1ULL << 9)

TEST(ready_when_interruptible)
{
	CHECK(intr_injectable(0, IF | 2, 0, ACTIVITY_ACTIVE));
	CHECK(intr_injectable(0, IF, INTERRUPTIBILITY_NMI, ACTIVITY_ACTIVE));   /* NMI blocking: not ours */
	CHECK(intr_injectable(0, IF, 0, ACTIVITY_HLT));                         /* wakes it */
}

TEST(waits_otherwise)
{
	CHECK(!intr_injectable(0, 2, 0, ACTIVITY_ACTIVE));                      /* IF = 0 */
	CHECK(!intr_injectable(0, IF, INTERRUPTIBILITY_STI, ACTIVITY_ACTIVE));  /* after STI */
	CHECK(!intr_injectable(0, IF, INTERRUPTIBILITY_MOV_SS, ACTIVITY_ACTIVE));
	CHECK(!intr_injectable(INTR_INFO_VALID | 14 | 3 << 8, IF, 0, ACTIVITY_ACTIVE));  /* a #PF queued */
	CHECK(!intr_injectable(0, IF, 0, ACTIVITY_SHUTDOWN));
	CHECK(!intr_injectable(0, IF, 0, ACTIVITY_WAIT_FOR_SIPI));
}
