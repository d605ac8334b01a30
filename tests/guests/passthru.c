/* tests/guests/passthru.c - emulated instructions whose accesses also reach
 * pass-through memory: an 8-byte load and store straddling a trapped page and
 * the BIOS ROM after it, OUTSB from and INSB into the ROM through a trapped
 * port. Each must do what the guest's own direct access does there (the
 * hypervisor used to stop the guest instead). Needs hvtest (HC_TRAP_TEST). */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"
#include "guest/dev/testdev.h"

#define DEV      0xef000ul      /* a test device just below the ROM, in the BIOS area (reserved in Bochs' map) */
#define ROM      0xf0000ul      /* the BIOS ROM: pass-through */
#define UART_SCR 0x3ff          /* COM1's scratch register: the virtual UART's, a trapped port */

#define R8(a)  (*(volatile uint8_t *)(a))
#define R32(a) (*(volatile uint32_t *)(a))
#define R64(a) (*(volatile uint64_t *)(a))

/* Does a direct write change the byte at a (write-protected ROM or shadow
 * RAM)? The byte is put back. The emulated write must behave the same. */
static bool rom_writable(uintptr_t a)
{
	uint8_t old = R8(a);
	bool changed;

	R8(a) = (uint8_t)~old;
	changed = R8(a) != old;
	R8(a) = old;
	return changed;
}

static void straddle(bool writable)
{
	uint32_t rom0 = R32(ROM);
	long ept = exit_count(GUEST_EXIT_STAGE2_FAULT);
	uint64_t v;

	R32(DEV + 0xffc) = 0x11223344;
	v = R64(DEV + 0xffc);
	check_eq("8-byte load across the trapped page into the ROM: device half, then the ROM's bytes",
		 v, (uint64_t)rom0 << 32 | 0x11223344);
	R64(DEV + 0xffc) = 0xa5a5a5a555667788ull;
	check_eq("8-byte store across into the ROM: the device got its half", R32(DEV + 0xffc), 0x55667788);
	check_eq(writable ? "... and the ROM half landed, as a direct store does here" :
			    "... and the ROM half was dropped, as a direct store is here",
		 R32(ROM), writable ? 0xa5a5a5a5 : rom0);
	R32(ROM) = rom0;
	checkf("both were emulated (EPT violations on the device page)",
	       exit_count(GUEST_EXIT_STAGE2_FAULT) - ept >= 4, "%ld", exit_count(GUEST_EXIT_STAGE2_FAULT) - ept);
}

static void string_io(bool writable)
{
	uintptr_t src = ROM + 0x10, dst = ROM + 0x20;
	uint8_t old = R8(dst), want;
	bool ok = true;

	for (unsigned int i = 0; i < 4; i++) {
		asm volatile("outsb" : "+S"(src) : "d"(UART_SCR) : "memory");
		ok &= inb(UART_SCR) == R8(ROM + 0x10 + i);
	}
	check("OUTSB from the ROM to a trapped port sends the ROM's bytes", ok);
	check_eq("... RSI advanced by 4", src, ROM + 0x14);

	outb(UART_SCR, (uint8_t)~old);
	want = writable ? (uint8_t)~old : old;
	asm volatile("rep insb" : "+D"(dst) : "d"(UART_SCR), "c"(1ul) : "memory");
	check_eq(writable ? "REP INSB into the ROM writes it, as a direct write does here" :
			    "REP INSB into the ROM is dropped, as a direct write is here", R8(ROM + 0x20), want);
	check_eq("... RDI advanced by 1", dst, ROM + 0x21);
	R8(ROM + 0x20) = old;
}

void main(void)
{
	bool writable = rom_writable(ROM) && rom_writable(ROM + 0x20);

	check_eq("HC_TRAP_TEST puts a test device at 0xef000, below the ROM", hc(HC_TRAP_TEST, DEV, 1, 0), 0);
	check_eq("the device answers there", R32(DEV + TESTDEV_ID), TESTDEV_MAGIC);
	straddle(writable);
	string_io(writable);
	check_eq("HC_TRAP_TEST removes the device", hc(HC_TRAP_TEST, DEV, 0, 0), 0);
}
