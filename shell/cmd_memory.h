/* shell/cmd_memory.h - the shell's commands that read guest memory. */
#ifndef SHELL_CMD_MEMORY_H
#define SHELL_CMD_MEMORY_H

#include "lib/compiler.h"

struct vcpu;

void cmd_gva(int argc, char **argv);
void cmd_x(int argc, char **argv);
void cmd_xp(int argc, char **argv);
/* Reads guest-virtual memory through the guest's page tables (no A/D
 * updates); returns bytes read, stopping at the first page not in RAM. */
size_t shell_read_gva(struct vcpu *v, uint64_t gva, uint8_t *buf, size_t len);

#endif
