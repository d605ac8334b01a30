/* boot/fault_test.h - deliberate faults for the integration tests (testfault=). */
#ifndef BOOT_FAULT_TEST_H
#define BOOT_FAULT_TEST_H

#include "lib/cmdline.h"

/* Commits fault f (never returns unless f is TEST_FAULT_NONE or a detector failed). */
void fault_test_run(enum test_fault f);

#endif
