/* tests/fuzz/fuzz_insn.c - libFuzzer target: random bytes through insn_decode in 16-, 32- and
 * 64-bit code and insn_emulate over a small fake memory, with ASan and UBSan watching.
 *
 * Input: byte 0 controls the run (register values, DF, after how many accesses
 * memory faults); the rest are the instruction bytes. Beyond "no crash, no UB"
 * it checks the contracts: a decode reads only its own bytes and is -ERANGE
 * one byte short; a failed emulation leaves registers and memory as they were
 * (string instructions: RIP stays); a completed one advances RIP by the length;
 * an instruction decoded as not writing memory (LODS, SCAS, CMPS, CMOVcc, ...)
 * never changes it.
 */
#include <stdlib.h>
#include <string.h>
#include "guest/emul/insn_decode.h"
#include "guest/emul/insn_emulate.h"

#define MEM_SIZE 1024                   /* fake memory at linear [0, MEM_SIZE) */

static uint8_t mem[MEM_SIZE];
static struct {
	unsigned int accesses;              /* successful so far */
	unsigned int fault_after;           /* the access that fails, 0 = none */
} fm;

static int fake_access(uint64_t la, unsigned int size)
{
	if (size == 0 || size > 8 || (size & (size - 1)))
		abort();                        /* the emulator asked for a size it never should */
	if (la >= MEM_SIZE || MEM_SIZE - la < size)
		return -EFAULT;
	if (fm.fault_after && fm.accesses + 1 == fm.fault_after)
		return -EFAULT;
	fm.accesses++;
	return 0;
}

static int fake_read(void *ctx, uint64_t la, void *buf, unsigned int size)
{
	int err = fake_access(la, size);

	if (!err)
		memcpy(buf, mem + la, size);
	return err;
}

static int fake_write(void *ctx, uint64_t la, const void *buf, unsigned int size)
{
	int err = fake_access(la, size);

	if (!err)
		memcpy(mem + la, buf, size);
	return err;
}

static const struct insn_ops ops = { fake_read, fake_write, NULL };

/* Registers near the fake memory most of the time, so accesses land and REP loops stay short. */
static void setup_cpu(struct insn_cpu *cpu, enum cpu_mode mode, uint8_t ctl)
{
	memset(cpu, 0, sizeof(*cpu));
	cpu->mode = mode;
	for (int i = 0; i < 16; i++)
		cpu->gpr[i] = ((uint64_t)ctl * 37 + (uint64_t)i * 0x1f3) % (MEM_SIZE - 64);
	if (ctl & 0x80)
		cpu->gpr[ctl & 15] |= 0xffffffff00000000ULL;    /* upper bits that must not matter */
	cpu->gpr[INSN_REG_RCX] = ctl & 0x1f;
	cpu->rip = (ctl & 0x40) ? 0xfff0 : 0x100;
	cpu->rflags = 2 | ((ctl & 0x20) ? INSN_RFLAGS_DF : 0) | (ctl & 1 ? INSN_RFLAGS_CF : 0);
	if (ctl & 0x10)
		cpu->seg_base[INSN_SEG_FS] = cpu->seg_base[INSN_SEG_DS] = 0x100;
}

static bool is_string(unsigned int kind)
{
	return kind == INSN_STOS || kind == INSN_MOVS || kind == INSN_LODS || kind == INSN_SCAS ||
	       kind == INSN_CMPS;
}

static uint64_t rip_after(const struct insn_cpu *cpu, unsigned int len)
{
	uint64_t rip = cpu->rip + len;

	return cpu->mode == CPU_MODE_16 ? rip & 0xffff : cpu->mode == CPU_MODE_32 ? rip & 0xffffffff : rip;
}

static void one_mode(const uint8_t *b, size_t n, enum cpu_mode mode, uint8_t ctl)
{
	static uint8_t mem_before[MEM_SIZE];
	struct insn in, again;
	struct insn_cpu cpu, before;
	uint8_t *exact;
	int ret;

	ret = insn_decode(b, n, mode, &in);
	if (ret != 0 && ret != -EINVAL && ret != -ERANGE && ret != -E2BIG)
		abort();
	if (ret)
		return;
	if (in.len == 0 || in.len > INSN_MAX_LEN || in.len > n)
		abort();
	/* the same bytes alone decode the same; one byte fewer asks for more */
	exact = malloc(in.len);
	memcpy(exact, b, in.len);
	if (insn_decode(exact, in.len, mode, &again) || memcmp(&in, &again, sizeof(in)))
		abort();
	if (insn_decode(exact, in.len - 1u, mode, &again) != -ERANGE)
		abort();
	free(exact);

	setup_cpu(&cpu, mode, ctl);
	for (size_t i = 0; i < MEM_SIZE; i++)
		mem[i] = (uint8_t)(i * 13 + ctl);
	fm.accesses = 0;
	fm.fault_after = (ctl >> 1) & 7;
	memcpy(&before, &cpu, sizeof(cpu));      /* with the padding, for memcmp */
	memcpy(mem_before, mem, MEM_SIZE);

	ret = insn_emulate(&in, &cpu, &ops);
	if (ret == 0) {
		bool str = is_string(in.kind);

		if (!str && cpu.rip != rip_after(&before, in.len))
			abort();
		if (str && cpu.rip != before.rip && cpu.rip != rip_after(&before, in.len))
			abort();
		if ((cpu.rflags ^ before.rflags) & ~INSN_RFLAGS_ARITH)
			abort();                /* only the arithmetic flags ever change */
	} else if (ret == -EFAULT) {
		if (is_string(in.kind)) {
			if (cpu.rip != before.rip)
				abort();
		} else if (memcmp(&cpu, &before, sizeof(cpu)) || memcmp(mem, mem_before, MEM_SIZE)) {
			abort();                /* a fault must leave no trace */
		}
	} else {
		abort();                        /* a decoded instruction is never -EINVAL */
	}
	if (!in.is_write && memcmp(mem, mem_before, MEM_SIZE))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	for (int mode = CPU_MODE_16; mode <= CPU_MODE_64; mode++)
		one_mode(data + 1, size - 1, (enum cpu_mode)mode, data[0]);
	return 0;
}
