/* guest/load/start_tables.h - the flat GDT and identity page tables of a guest's start state. */
#ifndef GUEST_START_TABLES_H
#define GUEST_START_TABLES_H

#include "guest/vcpu.h"

/* Shared by the ELF and Linux paths: a flat GDT (0x10 code, 0x18 data) at gdt,
 * and identity page tables for [0, 4 GiB) (6 pages) at tables. */
void loader_build_gdt(struct vcpu_start *s, gpa_t gdt, bool long64);
void loader_build_identity_tables(struct vcpu_start *s, gpa_t tables);

#endif
