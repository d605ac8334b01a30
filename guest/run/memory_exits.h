/* guest/run/memory_exits.h - the exits about memory and ports (stage-2
 * faults and misconfigurations, I/O instructions) and the test hooks that
 * change the stage-2 tables. */
#ifndef GUEST_RUN_MEMORY_EXITS_H
#define GUEST_RUN_MEMORY_EXITS_H

#include "guest/vcpu.h"
#include "guest/dev/vuart.h"
#include "guest/dev/device.h"

void exit_io(struct vcpu *v);
void exit_stage2_fault(struct vcpu *v);
void exit_stage2_misconfig(struct vcpu *v);

/* A stage-2 fault q (EPT violation) for the fast exit path
 * (vmx/fast_exit.c; contract: fast_cpuid in guest/run/cpu_exits.h): only
 * an access the CPU translated itself, outside event delivery, to a device
 * model's range, by an instruction the decoded-instruction cache holds as
 * a simple MOV (emulate_cached_mov), done as exit_stage2_fault would do it,
 * under the device lock. True with *len the instruction's length (RIP is
 * the caller's to advance); false with nothing done. */
struct exit_stage2;
bool fast_stage2_fault(struct vcpu *v, const struct exit_stage2 *q, unsigned int *len);

/* The guest memory map changed over [start, end): bring the stage-2 tables in line. */
int __must_check vcpu_map_changed(struct vcpu *v, gpa_t start, gpa_t end);
/* HC_UNMAP_ONCE: unmaps one RAM page until the guest's next access to it. */
int __must_check vcpu_unmap_once(struct vcpu *v, gpa_t page);

/* A non-string IN or OUT of size bytes at port, decoded by the caller, for
 * the fast exit path (vmx/fast_exit.c; contract: fast_cpuid in
 * guest/run/cpu_exits.h): byte accesses to the guest's COM1 only, to the
 * model that owns those ports (guest/dev/vuart.c, registered whatever the
 * console), called as ioport_in/ioport_out would call it, under the device
 * lock as exit_io is. Inline: the fast path's. */
static inline bool fast_io(struct vcpu *v, uint16_t port, unsigned int size, bool in)
{
	unsigned int reg = (uint16_t)(port - GUEST_COM1);
	uint64_t *rax = &v->regs.gpr[REG_RAX];

	if (size != 1 || reg >= 8)
		return false;
	device_lock();
	if (in)
		*rax = (*rax & ~0xffULL) | vuart_com1_read(reg);
	else
		vuart_com1_write(reg, (uint8_t)*rax);
	device_unlock();
	return true;
}

#endif
