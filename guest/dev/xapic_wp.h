/* guest/dev/xapic_wp.h - the local APIC page write-protected for the AP
 * start fallback (apstart=trap), or while a CPU of the machine is outside
 * VMX: the guest's xAPIC ICR writes decoded. */
#ifndef GUEST_XAPIC_WP_H
#define GUEST_XAPIC_WP_H

#include "lib/compiler.h"
#include "lib/addr.h"

/* Takes the writes to the xAPIC page at base (IA32_APIC_BASE's; a guest
 * cannot move it) before the stage-2 tables are built. 0 or -errno after a
 * message. */
int __must_check xapic_wp_init(gpa_t base);

#endif
