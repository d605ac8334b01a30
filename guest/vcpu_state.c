/* guest/vcpu_state.c - one word for what a vCPU is doing (guest/vcpu_state.h). */
#include "guest/vcpu_state.h"

const char *vcpu_state_text(const struct vcpu_looks *l)
{
	if (l->stopped)
		return "stopped";
	if (l->paused) {
		if (l->wait_sipi)
			return "paused (wait-for-SIPI)";
		if (l->unknown)
			return "paused (no answer)";
		return l->halted ? "paused (halted)" : "paused";
	}
	if (l->wait_sipi)
		return "wait-for-SIPI";
	if (l->unknown)
		return "running? (no answer)";
	return l->halted ? "halted" : "running";
}
