/* guest/vcpu_state.h - one word for what a vCPU is doing, as the shell's
 * `cpus` shows it (pure: the caller gathers the facts on the vCPU's CPU). */
#ifndef GUEST_VCPU_STATE_H
#define GUEST_VCPU_STATE_H

#include "lib/compiler.h"

struct vcpu_looks {
	bool stopped;                    /* its run loop left (the guest stops) */
	bool wait_sipi;                  /* activity state wait-for-SIPI: not started by the guest */
	bool halted;                     /* activity state HLT */
	bool paused;                     /* the shell's pause (or a finished step) holds it */
	bool unknown;                    /* its CPU did not answer: halted or not is unknown */
};

/* "stopped", "wait-for-SIPI", "halted", "running", each "paused (...)"
 * while paused; "running?" style text when unknown. */
const char *vcpu_state_text(const struct vcpu_looks *l);

#endif
