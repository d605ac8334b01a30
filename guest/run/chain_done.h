/* guest/run/chain_done.h - the end of chain mode's joining phase
 * (guest/run/chain_done.c). */
#ifndef GUEST_RUN_CHAIN_DONE_H
#define GUEST_RUN_CHAIN_DONE_H

#include "guest/vcpu.h"

/*
 * HC_CHAIN_APS_DONE on v: ends the joining phase of v's VM (once), says
 * how many APs joined and, loudly, which did not; disables those in the
 * guest's ACPI view. Returns the number of APs
 * lost (0: all joined), -HC_ENOSYS outside chain mode, -HC_EPERM from a
 * vCPU other than the boot CPU's, -HC_EINVAL the second time.
 */
int64_t chain_aps_done(struct vcpu *v);

#endif
