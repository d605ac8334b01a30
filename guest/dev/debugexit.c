/* guest/dev/debugexit.c - the debug-exit port: a test guest writes its status
 * there and is stopped with it (QEMU's isa-debug-exit, iosize 4). */
#include "guest/dev/debugexit.h"
#include "guest/dev/device.h"
#include "drivers/console.h"

static uint16_t debugexit_port;

static uint32_t debugexit_in(struct device_model *d, struct vcpu *v, uint16_t port, unsigned int size)
{
	return 0xffffffffu;
}

static void debugexit_out(struct device_model *d, struct vcpu *v, uint16_t port, unsigned int size,
			  uint32_t value)
{
	printf("guest %s: wrote 0x%x to the debug-exit port 0x%x\n", v->name, value, port);
	v->state = VCPU_STOPPED;
	v->exit_status = (int)(value & 0x7fffffff);
}

static void debugexit_describe(struct device_model *d)
{
	printf("  %s: debug-exit port at 0x%x\n", d->name, debugexit_port);
}

static struct device_model debugexit = {
	.name = "debug-exit", .port_in = debugexit_in, .port_out = debugexit_out,
	.describe = debugexit_describe,
};

int debugexit_init(uint16_t port)
{
	int rc = device_add_ports(&debugexit, port, 4);

	if (!rc) {
		debugexit_port = port;
		printf("debug-exit: a guest's write to port 0x%x ends it with that status\n", port);
	}
	return rc;
}
