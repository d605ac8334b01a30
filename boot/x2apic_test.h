/* boot/x2apic_test.h - hvtest's testx2apic: the boot CPU's local APIC put
 * in x2APIC mode before the APs start, and chain mode's hand-back putting
 * it back in xAPIC mode as the firmware had it (SDM Vol. 3A, 11.12.5). */
#ifndef BOOT_X2APIC_TEST_H
#define BOOT_X2APIC_TEST_H

#include "lib/compiler.h"

/*
 * Switches the boot CPU's APIC (IA32_APIC_BASE apic_base, enabled, in
 * xAPIC mode) to x2APIC mode where CPUID.1:ECX.x2APIC says it can, after
 * saving its xAPIC registers (arch/lapic_state.h) for x2apic_test_undo.
 * Prints a line either way; returns IA32_APIC_BASE as it now is.
 */
uint64_t x2apic_test_switch(uint64_t apic_base);

/*
 * Chain mode's hand-back (boot/chain_fail.c): if x2apic_test_switch
 * switched, back to xAPIC mode through the disabled state (x2APIC ->
 * disabled -> xAPIC, 11.12.5.1, the only way out of x2APIC mode; it resets
 * the APIC) and the saved registers written back, the timer's initial count
 * only if the timer was still counting. Prints a line; IA32_APIC_BASE is
 * read back ("did not come back" where an emulator ignores the write, as
 * Bochs 2.7 does once the APIC is globally disabled). Nothing otherwise.
 */
void x2apic_test_undo(void);

#endif
