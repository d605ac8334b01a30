/* tests/unit/guest/insn_fixture.h - the instruction emulator's test bench:
 * fake memory at MEM with a fault window, its insn_ops, a CPU reset, and
 * run(cpu, "hex bytes") to decode and emulate one instruction. Header-only;
 * FIXTURE_MEM_SIZE may be set before including it. */
#ifndef TESTS_UNIT_GUEST_INSN_FIXTURE_H
#define TESTS_UNIT_GUEST_INSN_FIXTURE_H

#include "tests/unit/check.h"
#include "guest/emul/insn_decode.h"
#include "guest/emul/insn_emulate.h"

#define M16 CPU_MODE_16
#define M32 CPU_MODE_32
#define M64 CPU_MODE_64

#ifndef FIXTURE_MEM_SIZE
#define FIXTURE_MEM_SIZE 0x20000
#endif

/* Fake memory: [MEM, MEM + sizeof(mem)); accesses touching [fault_lo, fault_hi) fail. */
#define MEM 0x100000ULL
static uint8_t mem[FIXTURE_MEM_SIZE];
static struct {
	uint64_t fault_lo, fault_hi;
	unsigned int reads, writes;
} fm;

static bool faults(uint64_t la, unsigned int size)
{
	return la < MEM || la + size > MEM + sizeof(mem) || (la < fm.fault_hi && la + size > fm.fault_lo);
}

static int fake_read(void *ctx, uint64_t la, void *buf, unsigned int size)
{
	if (faults(la, size))
		return -EFAULT;
	memcpy(buf, mem + (la - MEM), size);
	fm.reads++;
	return 0;
}

static int fake_write(void *ctx, uint64_t la, const void *buf, unsigned int size)
{
	if (faults(la, size))
		return -EFAULT;
	memcpy(mem + (la - MEM), buf, size);
	fm.writes++;
	return 0;
}

static const struct insn_ops ops = { fake_read, fake_write, NULL };

static void reset(struct insn_cpu *cpu, enum cpu_mode mode)
{
	memset(mem, 0, sizeof(mem));
	memset(&fm, 0, sizeof(fm));
	memset(cpu, 0, sizeof(*cpu));
	cpu->mode = mode;
	cpu->rip = 0x1000;
	cpu->rflags = 2;
}

static int run(struct insn_cpu *cpu, const char *hex)
{
	uint8_t b[16];
	unsigned int v, n = 0;
	int used;
	struct insn in;

	while (n < sizeof(b) && sscanf(hex, " %2x%n", &v, &used) == 1) {
		b[n++] = (uint8_t)v;
		hex += used;
	}
	if (insn_decode(b, n, cpu->mode, &in) || in.len != n)
		return -1000;
	return insn_emulate(&in, cpu, &ops);
}

static uint64_t rd(uint64_t la, unsigned int size)
{
	uint64_t v = 0;

	memcpy(&v, mem + (la - MEM), size);
	return v;
}

static void wr(uint64_t la, unsigned int size, uint64_t v)
{
	memcpy(mem + (la - MEM), &v, size);
}

#endif
