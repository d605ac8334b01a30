/* guest/dev/isa_irq.h - the guest's ISA IRQ lines (its COM1's IRQ 4) raised the
 * way the guest routed them, through its own interrupt controllers: an I/O
 * APIC entry becomes a fixed IPI from this CPU's local APIC to where the
 * entry points; an
 * 8259 IRQ becomes an external interrupt injected at VM entry. */
#ifndef GUEST_ISA_IRQ_H
#define GUEST_ISA_IRQ_H

#include "boot/info/boot_info.h"

/* Finds the I/O APICs and the ISA IRQ to GSI map in the MADT and follows the
 * guest's programming of the master 8259 (ports 0x20-0x21 trapped, every
 * write still reaching the chip). Prints what it found; 0 or -errno. */
int __must_check isa_irq_init(const struct boot_info *bi);

/* Forgets latched and in-service IRQs and counts (before each guest, with
 * its name for messages; after it, with NULL). */
void isa_irq_reset(const char *guest);

/* A rising edge on ISA IRQ line irq (0-15), as the guest routed it: its I/O
 * APIC entry if unmasked (refused, with one message per entry value, unless
 * fixed or lowest priority with a vector of 16 or more), and its master 8259,
 * which latches the edge until the IRQ is unmasked and can be delivered. */
void isa_irq_raise(unsigned int irq);

struct vcpu;

/* The vCPU the 8259's output reaches (the boot CPU's), told of every IRQ
 * the 8259 latches or may now deliver (vcpu_slow_post); NULL: none runs. */
void isa_irq_set_vcpu(struct vcpu *v);

/* For the backend before each VM entry: the vector of an 8259 interrupt to
 * inject now, or -1; isa_irq_injected() once it is queued (INTA). */
int isa_irq_pending_vector(void);
void isa_irq_injected(void);

/* One line for the shell's `devices`: how IRQ irq reaches the guest now. */
void isa_irq_describe(unsigned int irq, const char *owner);

#endif
