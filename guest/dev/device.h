/* guest/dev/device.h - device models: the hypervisor's code behind trapped
 * guest-physical ranges and I/O ports. */
#ifndef GUEST_DEVICE_H
#define GUEST_DEVICE_H

#include "guest/vcpu.h"
#include "lib/spinlock.h"

struct device_model {
	const char *name;
	/* MMIO: one access of 1, 2, 4 or 8 bytes at guest-physical addr inside
	 * one of the model's ranges. */
	uint64_t (*mmio_read)(struct device_model *d, struct vcpu *v, gpa_t addr, unsigned int size);
	void (*mmio_write)(struct device_model *d, struct vcpu *v, gpa_t addr, unsigned int size,
			   uint64_t value);
	/* Ports: one access of 1, 2 or 4 bytes at port (inside one of its ranges). */
	uint32_t (*port_in)(struct device_model *d, struct vcpu *v, uint16_t port, unsigned int size);
	void (*port_out)(struct device_model *d, struct vcpu *v, uint16_t port, unsigned int size,
			 uint32_t value);
	/* One line of state for the shell's `devices` (optional). */
	void (*describe)(struct device_model *d);
	void *priv;
};

#define DEVICE_MAX_PORT_RANGES 32

/* Registers [base, base+size) of guest-physical space (4 KiB aligned) as d's.
 * Returns 0, or the gmap error (-EEXIST, -EINVAL, -ENOSPC) after a message. */
int __must_check device_add_mmio(struct device_model *d, gpa_t base, uint64_t size);

/* Registers [base, base+size) of pass-through device memory (4 KiB aligned)
 * as d's for writes only: mapped read-only (UC), so the guest reads the
 * device directly and each write exits to d->mmio_write (reads within an
 * emulated instruction go to d->mmio_read). Must be registered before the
 * stage-2 tables are built: other CPUs may run on them. 0 or the gmap error
 * after a message. */
int __must_check device_add_mmio_writes(struct device_model *d, gpa_t base, uint64_t size);

/* Removes d's MMIO range starting at base. Returns 0 or -ENOENT. */
int __must_check device_remove_mmio(struct device_model *d, gpa_t base);

/* Flags of a port range. DEVICE_PORTS_IN_DWORD: the ports are bytes of an
 * aligned dword that the chipset also decodes whole as another register
 * (0xcf9, the reset control register, inside 0xcf8's PCI CONFIG_ADDRESS): an
 * aligned dword access there goes to the hardware whole, bypassing the model. */
#define DEVICE_PORTS_IN_DWORD (1u << 0)

/* Registers ports [base, base+count) as d's (before guests start: the I/O
 * bitmaps are built from this table). Returns 0, -EEXIST, -EINVAL, -ENOSPC. */
int __must_check device_add_ports(struct device_model *d, uint16_t base, uint16_t count);

/* device_add_ports() with DEVICE_PORTS_* flags. */
int __must_check device_add_ports_flags(struct device_model *d, uint16_t base, uint16_t count,
					unsigned int flags);

/* The model owning port, or NULL (then the port is the guest's). O(log n). */
struct device_model *device_port_owner(uint16_t port);

/* The DEVICE_PORTS_* flags of port's range (0 if nobody owns it). */
unsigned int device_port_flags(uint16_t port);

/* Calls fn for every registered port range (for building I/O bitmaps). */
void device_for_each_port_range(void (*fn)(void *ctx, uint16_t base, uint16_t count), void *ctx);

/* Prints every model with its ranges and state (the shell's `devices`). */
void device_list(void);

/* The device lock: every device model, the port and MMIO registry and the
 * hypercalls run under it, whichever vCPU's exit reaches them (one lock for
 * all: docs/architecture.md, "Locks"). Not recursive. */
extern struct spinlock device_spinlock;

static inline void device_lock(void)
{
	spin_lock(&device_spinlock);
}

static inline void device_unlock(void)
{
	spin_unlock(&device_spinlock);
}

#endif
