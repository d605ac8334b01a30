/* tests/unit/guest/test_insn_limits.c - segment limits in 16/32-bit code:
 * an access past an expand-up limit is #GP(0) (#SS(0) for SS) and changes
 * nothing; REP stops at the element that would cross it. */
#include "guest/emul/insn_emulate.h"
#include "tests/unit/check.h"

static uint8_t mem[0x20000];

static int rd(void *ctx, uint64_t la, void *buf, unsigned int n)
{
	if (la + n > sizeof(mem))
		return -EFAULT;
	memcpy(buf, mem + la, n);
	return 0;
}

static int wr(void *ctx, uint64_t la, const void *buf, unsigned int n)
{
	if (la + n > sizeof(mem))
		return -EFAULT;
	memcpy(mem + la, buf, n);
	return 0;
}

static const struct insn_ops ops = { rd, wr, NULL };

static int run(const uint8_t *b, size_t n, struct insn_cpu *c)
{
	struct insn in;

	CHECK_EQ(insn_decode(b, n, c->mode, &in), 0);
	return insn_emulate(&in, c, &ops);
}

static void cpu32(struct insn_cpu *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = CPU_MODE_32;
	c->seg_limits = true;
	for (unsigned int s = 0; s < 6; s++)
		c->seg_limit[s] = 0xffff;
	c->rflags = 2;
}

TEST(mov_past_limit_is_gp_and_changes_nothing)
{
	static const uint8_t mov_load[] = { 0x8b, 0x03 };        /* mov (%ebx),%eax */
	struct insn_cpu c;

	cpu32(&c);
	c.gpr[3] = 0xfffd;                                      /* 4 bytes at 0xfffd: past 0xffff */
	c.gpr[0] = 0x1234;
	CHECK_EQ(run(mov_load, sizeof(mov_load), &c), INSN_FAULT_GP);
	CHECK_EQ(c.gpr[0], 0x1234);
	CHECK_EQ(c.rip, 0);
	c.gpr[3] = 0xfffc;                                      /* exactly the last 4 bytes */
	CHECK_EQ(run(mov_load, sizeof(mov_load), &c), 0);
	CHECK_EQ(c.rip, 2);
}

TEST(ss_based_access_is_ss_fault)
{
	static const uint8_t mov_ebp[] = { 0x8b, 0x45, 0x00 };  /* mov 0(%ebp),%eax: SS */
	struct insn_cpu c;

	cpu32(&c);
	c.seg_limit[2] = 0xfff;
	c.gpr[5] = 0xffe;
	CHECK_EQ(run(mov_ebp, sizeof(mov_ebp), &c), INSN_FAULT_SS);
}

TEST(rep_movsb_stops_at_the_limit)
{
	static const uint8_t rep_movsb[] = { 0xf3, 0xa4 };
	struct insn_cpu c;

	cpu32(&c);
	c.seg_limit[3] = 0x10f;                                /* DS */
	c.gpr[6] = 0x108;                                       /* ESI */
	c.gpr[7] = 0x1000;                                      /* EDI */
	c.gpr[1] = 16;                                          /* ECX */
	CHECK_EQ(run(rep_movsb, sizeof(rep_movsb), &c), INSN_FAULT_GP);
	CHECK_EQ(c.gpr[1], 8);                                  /* 8 bytes moved first */
	CHECK_EQ(c.gpr[6], 0x110);
	CHECK_EQ(c.gpr[7], 0x1008);
	CHECK_EQ(c.rip, 0);
}

TEST(no_limits_in_64bit_mode)
{
	static const uint8_t mov_load[] = { 0x8b, 0x03 };
	struct insn_cpu c;

	cpu32(&c);
	c.mode = CPU_MODE_64;
	c.gpr[3] = 0x1fffc;
	CHECK_EQ(run(mov_load, sizeof(mov_load), &c), 0);
}
