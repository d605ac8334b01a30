/* guest/dev/reset.h - a guest's attempts to reset the machine, trapped: the
 * guest restarts, stops, or (hv.onreset=machine) the hypervisor resets the
 * machine for it. */
#ifndef GUEST_RESET_H
#define GUEST_RESET_H

#include "drivers/acpi/acpi_fadt.h"
#include "guest/dev/reset_decode.h"
#include "guest/vcpu.h"

/* Traps the reset ports (the 8042's 0x60 and 0x64, 0x92, 0xcf9 bytes) and the FADT reset
 * register (f: NULL or without one if the FADT has none) in I/O or memory
 * space; says what it found. Returns 0 or a negative error after a message. */
int __must_check reset_init(const struct acpi_reset_reg *f);

/* The guest asked for a reset through what ("port 0xcf9 (value 0x6)"):
 * stops it for a restart, or for good, or resets the machine, as its
 * hv.onreset= says (v->on_reset). */
void reset_guest_request(struct vcpu *v, const char *what);

/* Reads hv.onreset= from a guest module's command line into v->on_reset
 * (restart if absent; a bad value gets the default, and a message unless
 * quiet: a restarted guest was told at its first start). */
void reset_read_option(struct vcpu *v, const char *cmdline, bool quiet);

/* Turns off bus mastering on every PCI function (ports 0xcf8/0xcfc) before
 * the guest's memory is reused, and says how many it cleared. */
void reset_busmaster_off(const struct vcpu *v);

#endif
