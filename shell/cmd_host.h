/* shell/cmd_host.h - the shell's commands about the host, the EPT and devices. */
#ifndef SHELL_CMD_HOST_H
#define SHELL_CMD_HOST_H

#include "lib/compiler.h"

void cmd_info(int argc, char **argv);
void cmd_mem(int argc, char **argv);
void cmd_mtree(int argc, char **argv);
void cmd_ept(int argc, char **argv);
void cmd_devices(int argc, char **argv);
void cmd_log(int argc, char **argv);
void cmd_reboot(int argc, char **argv);

#endif
