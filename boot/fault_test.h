/* boot/fault_test.h - deliberate faults for the integration tests (testfault=). */
#ifndef BOOT_FAULT_TEST_H
#define BOOT_FAULT_TEST_H

#include "lib/cmdline.h"

/* Commits fault f: never returns, except for TEST_FAULT_NONE, TEST_FAULT_NMI
 * (which is kept for the guest), TEST_FAULT_MC (a spurious #MC, reported)
 * or when a protection failed to catch it. */
void fault_test_run(enum test_fault f);

#endif
