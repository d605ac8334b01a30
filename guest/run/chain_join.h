/* guest/run/chain_join.h - UEFI chain mode's APs joining the running guest
 * (guest/run/chain_join.c). */
#ifndef GUEST_RUN_CHAIN_JOIN_H
#define GUEST_RUN_CHAIN_JOIN_H

#include "guest/vcpu.h"
#include "guest/vm.h"

struct percpu;

/* Chain mode (boot/chain_ap.c): ids[0..n), the firmware's CPUs, the boot
 * CPU's first. Its APs come under VMX only after the firmware runs as the
 * guest, each on its own (guests_chain_ap_*); until then they are the
 * firmware's, and its INIT and start-up IPIs reach them (vm.h joining_*).
 * Before guests_run_firmware. */
void guests_chain_expect(const uint32_t *ids, unsigned int n);
/* Chain mode, on an arriving AP (its per-CPU block started): VMXON.
 * 0, or an error with why. */
int guests_chain_ap_vmx(struct percpu *pc, const char **why);
/* Then: its vCPU, created from start (VCPU_MODE_RESUME: the firmware's
 * state on this AP), joins the running guest and runs; afterwards the AP
 * serves like any other. The join's last step, just before the vCPU is
 * published, is claim(ctx) (if not NULL): false refuses the join. Returns
 * only if the vCPU could not be made or join (-EBUSY: the guest is
 * stopping, the claim failed, or the test hook testvmx=apjoin) or no guest
 * runs (-ENOENT), with why; the AP is still in VMX root operation. */
int guests_chain_ap_join(struct percpu *pc, const struct vcpu_start *start,
			 bool (*claim)(void *ctx), void *ctx, const char **why);
/* Chain mode, on the boot CPU once its VMX is on, before the firmware runs
 * as the guest: takes for each listed AP what its VMXON and its first vCPU
 * need (backend_reserve_ap), so that no join fails for lack of memory; a
 * failure here hands the boot CPU back instead. 0 or -ENOMEM (said). */
int guests_chain_reserve(void);
/* Chain mode, on an AP whose join failed (after guests_chain_ap_vmx, with
 * or without VMX on): leaves VMX operation (VMXOFF, CR4.VMXE clear) and
 * counts the CPU outside VMX, for the caller to give it back to the
 * firmware. 0, or -EIO if VMXOFF failed (the CPU stays in VMX). */
int __must_check guests_chain_ap_leave(struct percpu *pc);
/* Chain mode, when hv.efi says the APs are done (HC_CHAIN_APS_DONE): ends
 * vm's joining phase (vm.h joining_mask cleared, lost_mask set; the census
 * no longer counts APs still to come). lost[] gets the APIC IDs of the APs
 * that had not joined (room for VM_MAX_VCPUS), *expected the number of APs
 * listed. Returns the number lost, -ENOENT if vm is not chain mode's
 * running guest, -EEXIST the second time. */
int guests_chain_aps_done(struct vm *vm, uint32_t *lost, unsigned int *expected);

#endif
