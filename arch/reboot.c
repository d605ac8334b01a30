/* arch/reboot.c - resetting the whole machine: the reset control register
 * (Intel PCH datasheets, RST_CNT at 0xcf9: SYS_RST selects a hard reset,
 * RST_CPU starts it), then the 8042's reset line (pulse command 0xfe). */
#include "arch/reboot.h"
#include "arch/cpu.h"
#include "arch/reset_ports.h"

#define KBC_STATUS_IBF 0x02          /* input buffer full: the 8042 has not taken the last byte */

void machine_reset(void)
{
	outb(PORT_RST_CNT, RST_CNT_SYS_RST);
	outb(PORT_RST_CNT, RST_CNT_SYS_RST | RST_CNT_RST_CPU);
	for (unsigned int i = 0; i < 100000 && (inb(PORT_KBC_CMD) & KBC_STATUS_IBF); i++)
		cpu_relax();
	outb(PORT_KBC_CMD, 0xfe);
	/* Either takes effect within microseconds; give it a moment. */
	for (unsigned int i = 0; i < 1000000; i++)
		cpu_relax();
}
