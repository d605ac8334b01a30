/* arch/cpuinfo.c - what CPUID says about the CPU (SDM Vol. 2A, CPUID). */
#include "arch/cpuinfo.h"
#include "arch/cpu.h"

static void copy_regs(char *dst, const uint32_t *regs, unsigned int n)
{
	for (unsigned int i = 0; i < n * 4; i++)
		dst[i] = (char)(regs[i / 4] >> (8 * (i % 4)));
}

void cpuinfo_read(struct cpuinfo *ci)
{
	struct cpuid_regs r;
	uint32_t max_ext, sig;
	unsigned int i = 0;

	*ci = (struct cpuinfo){ .phys_addr_bits = 36 };
	cpuid(0, 0, &r);
	copy_regs(ci->vendor, (uint32_t[]){ r.ebx, r.edx, r.ecx }, 3);

	cpuid(1, 0, &r);
	sig = r.eax;
	ci->stepping = sig & 0xf;
	ci->model = (sig >> 4) & 0xf;
	ci->family = (sig >> 8) & 0xf;
	if (ci->family == 0xf)
		ci->family += (sig >> 20) & 0xff;
	if (ci->family == 0x6 || ci->family >= 0xf)
		ci->model |= ((sig >> 16) & 0xf) << 4;
	ci->vmx = r.ecx & (1u << 5);
	ci->hypervisor = r.ecx & (1u << 31);

	cpuid(0x80000000, 0, &r);
	max_ext = r.eax;
	if (max_ext >= 0x80000001) {
		cpuid(0x80000001, 0, &r);
		ci->svm = r.ecx & (1u << 2);
		ci->page_1g = r.edx & (1u << 26);
	}
	if (max_ext >= 0x80000004) {
		for (uint32_t leaf = 0x80000002; leaf <= 0x80000004; leaf++) {
			cpuid(leaf, 0, &r);
			copy_regs(ci->brand + 16 * (leaf - 0x80000002),
				  (uint32_t[]){ r.eax, r.ebx, r.ecx, r.edx }, 4);
		}
		/* Brand strings are often right-aligned with leading spaces. */
		while (ci->brand[i] == ' ')
			i++;
		for (unsigned int j = 0; j + i <= 48; j++)
			ci->brand[j] = ci->brand[j + i];
	}
	if (max_ext >= 0x80000008) {
		cpuid(0x80000008, 0, &r);
		ci->phys_addr_bits = r.eax & 0xff;
	}
}
