/* guest/run/task_switch_exit.h - the exit for a hardware task switch. */
#ifndef GUEST_RUN_TASK_SWITCH_EXIT_H
#define GUEST_RUN_TASK_SWITCH_EXIT_H

#include "guest/vcpu.h"

void exit_task_switch(struct vcpu *v);

#endif
