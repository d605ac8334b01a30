/* guest/dev/debugexit.h - the debug-exit port (debugexit[=PORT] on the command line). */
#ifndef GUEST_DEBUGEXIT_H
#define GUEST_DEBUGEXIT_H

#include "lib/compiler.h"

#define DEBUGEXIT_DEFAULT_PORT 0xf4

/* Registers the debug-exit device at ports [port, port+4): a write of V ends
 * the guest with exit status V, like QEMU's isa-debug-exit ends QEMU. */
int __must_check debugexit_init(uint16_t port);

#endif
