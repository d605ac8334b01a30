/* guest/dev/ioport.h - port I/O the hypervisor traps, and its device models. */
#ifndef GUEST_IOPORT_H
#define GUEST_IOPORT_H

#include "guest/vcpu.h"

/* One IN of `size` bytes (1, 2, 4) from port. */
uint32_t ioport_in(struct vcpu *v, uint16_t port, unsigned int size);

/* One OUT of `size` bytes of value to port. */
void ioport_out(struct vcpu *v, uint16_t port, unsigned int size, uint32_t value);

#endif
