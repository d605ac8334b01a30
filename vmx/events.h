/* vmx/events.h - events for the guest: injection, pending NMIs and 8259
 * interrupts, re-queued deliveries (vmx/events.c). */
#ifndef VMX_EVENTS_H
#define VMX_EVENTS_H

#include "vmx/vmx_vcpu.h"

struct inject_ctx;
/* The current guest's facts for vmx/inject_rules.h (mode, IA32_VMX_BASIC[56]). */
void vmx_inject_ctx(struct vcpu *v, struct inject_ctx *c);

/* Injects an NMI the shell asked for, or one that reached the hypervisor,
 * if the guest can take one now; otherwise sets NMI-window exiting where
 * the CPU has it, or leaves it for a later entry. */
void vmx_deliver_pending_nmi(struct vcpu *v);
/* Injects the 8259 interrupt the guest's ISA lines raised (guest/dev/isa_irq.c)
 * if the guest can take an external interrupt now; otherwise turns on
 * interrupt-window exiting so the CPU comes back as soon as it can. */
void vmx_deliver_pending_intr(struct vcpu *v);
/* An exit interrupted the delivery of an event (28.2.4): deliver it again on
 * the next entry, unless the handler decides otherwise. */
void vmx_requeue_vectored_event(const struct exit_info *e);

#endif
