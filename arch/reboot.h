/* arch/reboot.h - resetting the whole machine. */
#ifndef ARCH_REBOOT_H
#define ARCH_REBOOT_H

/* Resets the machine the way the chipset allows (reset control register
 * 0xcf9, then the keyboard controller); returns only if nothing did. The one
 * place the hypervisor resets the machine (the shell's reboot, hv.onreset=machine). */
void machine_reset(void);

#endif
