/* guest/run/run.h - running the guests the boot loader brought, one after another. */
#ifndef GUEST_RUN_H
#define GUEST_RUN_H

#include "boot/info/boot_info.h"
#include "lib/cmdline.h"

/* Builds the stage-2 tables and runs every guest module in order, reporting how each
 * one ended. Returns when all have stopped. */
void guests_run_all(const struct boot_info *bi, const struct hv_options *o);

struct cpu_resume;

/* Chain mode (boot/info/efi_handoff.h): one guest, "uefi", whose boot vCPU
 * resumes the firmware where it called the core (r), on the same stage-2
 * tables and devices as guests_run_all's; ready (if not NULL) runs once all
 * is prepared, just before the first VM entry. Returns 0 when the guest has stopped, or
 * a negative error when no VM entry succeeded (said; nothing the guest could
 * see happened: the caller may hand the CPU back). */
int __must_check guests_run_firmware(const struct boot_info *bi, const struct hv_options *o,
				     const struct cpu_resume *r, void (*ready)(void));

struct vm;

/* The guests' VM (memory map, stage-2 tables), or NULL before
 * guests_run_all() built its stage-2 tables (for the shell). */
const struct vm *guests_vm(void);

struct vcpu;

/* What runs on every console tick of a guest, running or paused (the debug
 * shell's turn: boot/main.c installs shell_service, which is above guest/run). */
void guests_set_console_hook(void (*hook)(struct vcpu *v));

/* The virtual CPU running now, or NULL between guests (for the shell). */
struct vcpu *guests_current(void);

#endif
