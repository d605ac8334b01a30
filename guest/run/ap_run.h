/* guest/run/ap_run.h - the application processors' vCPUs (guest/run/ap_run.c). */
#ifndef GUEST_RUN_AP_RUN_H
#define GUEST_RUN_AP_RUN_H

#include "guest/vcpu.h"
#include "guest/vm.h"
#include "lib/cmdline.h"

struct percpu;

/* An AP's life after it reported in (boot/ap_start.c): waits for its turn
 * to turn VMX on, then runs a vCPU whenever the boot CPU hands it one. */
void guests_ap_main(struct percpu *pc) __noreturn;

/* The boot CPU, once its own VMX is on: each AP turns VMX on in turn (a
 * differing CPU is reported and stays parked); prints the count. */
void guests_aps_enable_vmx(const struct hv_options *o);
/* How the boot CPU wakes an AP that sleeps while it has no vCPU (boot/:
 * an NMI to apic_id; true if sent). Without one the APs spin. */
void guests_set_ap_waker(bool (*wake)(uint32_t apic_id));
/* The number of CPUs the machine has (MADT), for the all-but-self check. */
void guests_set_machine_cpus(unsigned int n);
/* True if every CPU the MADT lists is in VMX root operation (after
 * guests_aps_enable_vmx), where INIT is blocked and a start-up IPI ignored
 * (SDM Vol. 3C, 24.8): a guest's INIT or SIPI through the real APIC can then
 * take no CPU out of the hypervisor's hands. */
bool guests_all_cpus_in_vmx(void);
/* Gives vm one vCPU per AP under VMX, each created on its CPU and waiting
 * for SIPI, boot (already created) as vcpus[0]; returns the vCPU count. */
unsigned int guests_aps_start(struct vm *vm, struct vcpu *boot, uint8_t on_reset);
/* Stops every AP vCPU of vm and waits until each is gone. */
void guests_aps_stop(struct vm *vm);
/* If an AP's vCPU stopped the guest, boot stops with its outcome: true. */
bool guests_aps_stopped_guest(struct vcpu *boot);
/* print() for each AP vCPU of the last run that the guest started. */
void guests_aps_report(const struct vm *vm, void (*print)(const struct vcpu *v));

#endif
