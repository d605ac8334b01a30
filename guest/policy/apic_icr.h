/* guest/policy/apic_icr.h - the local APIC's interrupt command register as a
 * guest writes it (SDM Vol. 3A, 10.6.1 xAPIC, 10.12.9 x2APIC): decoded, and
 * what the hypervisor does with it: the real APIC sends it, INIT and
 * start-up are emulated on vCPUs (the AP start fallback, issue 14), or it is
 * dropped. Pure: the host tests reach it. */
#ifndef GUEST_APIC_ICR_H
#define GUEST_APIC_ICR_H

#include "arch/lapic_icr.h"

/* What a guest's ICR write does. */
enum icr_action {
	ICR_SEND,               /* fixed, lowest priority, NMI: the real APIC sends it as written */
	ICR_INIT,               /* INIT (assert): emulated on every vCPU it reaches */
	ICR_STARTUP,            /* start-up IPI: emulated on every vCPU it reaches, with the vector */
	ICR_NOTHING,            /* INIT level de-assert: does nothing since the Pentium 4 */
	ICR_DROP,               /* SMI, a reserved mode, or an INIT/start-up this does not
				   emulate (apic_icr_decision.why): dropped */
	ICR_GP,                 /* x2APIC with reserved bits set: #GP, as the CPU would */
};

struct apic_icr_decision {
	struct apic_icr icr;
	enum icr_action action;
	const char *why;                /* ICR_DROP and ICR_GP: the reason in words; else NULL */
};

/* Decodes an x2APIC ICR value (MSR 0x830, one 64-bit write) and decides. */
void apic_icr_decode_x2apic(uint64_t val, struct apic_icr_decision *d);

/* Decodes an xAPIC ICR write: low is what the guest writes to offset 0x300,
 * high the value of offset 0x310 at that moment. Reserved bits are ignored
 * (the xAPIC has no #GP to give). */
void apic_icr_decode_xapic(uint32_t low, uint32_t high, struct apic_icr_decision *d);

/*
 * True if the IPI i, sent by the APIC whose ID is self, reaches the APIC whose
 * ID is id: shorthands as named; physical mode: the ID, or every APIC for the
 * broadcast ID; x2APIC logical mode: the cluster (dest[31:16] = id[19:4]) and
 * the bit (dest[15:0] bit id[3:0]; 10.12.10.2), 0xffffffff every APIC.
 * xAPIC logical mode depends on each target's LDR and DFR, which the
 * hypervisor does not follow: false (decoding drops INIT and start-up sent so).
 */
bool apic_icr_reaches(const struct apic_icr *i, uint32_t self, uint32_t id);

/*
 * The vCPUs an INIT or start-up IPI i sent by the APIC whose ID is self is
 * carried to, among the n (at most 64) APIC IDs ids[] of a VM's vCPUs: bit k
 * set for ids[k]. The sender is never among them (an INIT would reset it; a
 * physical broadcast names it), so nothing reaches a CPU outside the VM.
 */
uint64_t apic_icr_vcpu_targets(const struct apic_icr *i, uint32_t self, const uint32_t *ids,
			       unsigned int n);

/* What a write of size bytes at offset off of the xAPIC page is. */
enum xapic_write {
	XAPIC_WRITE_OTHER,              /* not the ICR's low dword: performed on the real APIC */
	XAPIC_WRITE_ICR,                /* the ICR's low dword (offset 0x300, 4 or 8 bytes): sends */
	XAPIC_WRITE_ICR_PART,           /* 1 or 2 bytes of it, or straddling it: dropped (the APIC
					   takes aligned dwords, 10.4.1; a part could still send) */
};
enum xapic_write apic_xapic_write_kind(uint64_t off, unsigned int size);

/* The delivery mode's name ("INIT", "start-up", ...). */
const char *apic_icr_mode_name(enum icr_mode m);

#endif
