/* tests/guests/prot32.c - the prot32 start state (docs/hypercalls.md, as a
 * Multiboot loader leaves a kernel: SDM Vol. 3A, 9.9): protected mode without
 * paging, flat 32-bit segments, VMCALL from 32-bit code, and paging (4 MiB
 * pages, 4.3) switched on and off by the guest itself. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

#define UNMAPPED 0xc0000000u        /* the 4 MiB page left out of our page directory */
#define PDE_4M   0x83u              /* present, writable, 4 MiB page */

struct __attribute__((packed)) table_reg32 {
	uint16_t limit;
	uint32_t base;
};

/* Recorded by lib/entry32.S before the runtime loads its own GDT. */
extern uint32_t entry_esp, entry_ds_probe, entry_es_probe;
extern uint16_t entry_cs, entry_ds, entry_ss;
extern struct table_reg32 entry_gdtr;

static uint32_t page_dir[1024] __attribute__((aligned(4096)));

struct seg_info {
	bool lsl_ok, lar_ok;
	uint32_t limit, ar, base;
};

/* LSL and LAR read the descriptor from the GDT: the hypervisor's, briefly
 * reloaded (no segment register is loaded meanwhile). */
static struct seg_info entry_segment(uint16_t sel)
{
	struct seg_info s = { 0 };
	struct table_reg32 ours;
	uint8_t lsl_ok, lar_ok;

	asm volatile("sgdt %[ours]\n\t"
		     "lgdt %[entry]\n\t"
		     "lsl %[sel], %[limit]\n\t"
		     "setz %[lsl_ok]\n\t"
		     "lar %[sel], %[ar]\n\t"
		     "setz %[lar_ok]\n\t"
		     "lgdt %[ours]"
		     : [ours] "=m"(ours), [limit] "=&r"(s.limit), [ar] "=&r"(s.ar), [lsl_ok] "=&q"(lsl_ok),
		       [lar_ok] "=&q"(lar_ok)
		     : [entry] "m"(entry_gdtr), [sel] "r"((uint32_t)sel)
		     : "cc", "memory");
	s.lsl_ok = lsl_ok;
	s.lar_ok = lar_ok;
	if (s.lsl_ok) {   /* within the GDT's limit: read the base from the descriptor */
		const volatile uint32_t *d = (const volatile uint32_t *)(uintptr_t)(entry_gdtr.base + (sel & ~7u));
		s.base = d[0] >> 16 | (d[1] & 0xff) << 16 | (d[1] & 0xff000000);
	}
	return s;
}

static void check_start_state(void)
{
	unsigned long cr0 = read_cr0();
	checkf("CR0.PE is set", cr0 & CR0_PE, "CR0 0x%lx", cr0);
	checkf("CR0.PG is clear", !(cr0 & CR0_PG), "CR0 0x%lx", cr0);
	uint64_t efer = rdmsr(MSR_EFER);
	checkf("EFER.LMA and EFER.LME are clear", !(efer & (EFER_LMA | EFER_LME)), "EFER 0x%llx",
	       (unsigned long long)efer);
	check_eq("ESP was 0x80000 at entry", entry_esp, 0x80000);

	struct seg_info cs = entry_segment(entry_cs);
	checkf(sfmt("entry CS 0x%x: LSL gives limit 0xffffffff", entry_cs), cs.lsl_ok && cs.limit == 0xffffffff,
	       "ZF %d, limit 0x%x; entry GDT at 0x%x limit 0x%x", cs.lsl_ok, cs.limit, entry_gdtr.base,
	       entry_gdtr.limit);
	checkf("entry CS: LAR gives a present 32-bit code segment, 4 KiB granular",
	       cs.lar_ok && (cs.ar & 0x00c09800) == 0x00c09800, "ZF %d, access rights 0x%x", cs.lar_ok, cs.ar);
	checkf("entry CS: descriptor base is 0", cs.lsl_ok && cs.base == 0, "ZF %d, base 0x%x", cs.lsl_ok, cs.base);

	struct seg_info ds = entry_segment(entry_ds);
	checkf(sfmt("entry DS 0x%x: flat writable data (LSL, LAR, base 0)", entry_ds),
	       ds.lsl_ok && ds.lar_ok && ds.limit == 0xffffffff && (ds.ar & 0x00c09a00) == 0x00c09200 &&
		       ds.base == 0,
	       "ZF %d/%d, limit 0x%x, access rights 0x%x, base 0x%x", ds.lsl_ok, ds.lar_ok, ds.limit, ds.ar,
	       ds.base);
	checkf("stores through the entry DS and ES at 16 MiB+ read back",
	       entry_ds_probe == 0x600dda7a && entry_es_probe == 0x600dda7a, "read 0x%x and 0x%x at %p",
	       entry_ds_probe, entry_es_probe, (void *)&entry_ds_probe);
}

static void do_ud2(long arg) { asm volatile(TRAP_WANT_IP("1f") "1: ud2" : : : "memory"); }

static void do_read(long addr)
{
	asm volatile(TRAP_WANT_IP("1f") "1: movl (%0), %%eax" : : "r"(addr) : "eax", "memory");
}

static void check_paging(void)
{
	for (uint32_t i = 0; i < 1024; i++)
		page_dir[i] = i << 22 | PDE_4M;
	page_dir[UNMAPPED >> 22] = 0;
	write_cr4(read_cr4() | CR4_PSE);
	write_cr3((uintptr_t)page_dir);
	write_cr0(read_cr0() | CR0_PG);

	unsigned long cr0 = read_cr0();
	checkf("paging on (4 MiB pages, CR4.PSE): CR0.PG reads 1, still running", cr0 & CR0_PG, "CR0 0x%lx", cr0);
	check_eq("VMCALL HC_VERSION with paging on", (uint64_t)hc(HC_VERSION, 0, 0, 0),
		 HC_VERSION_MAJOR << 16 | HC_VERSION_MINOR);
	expect_exception("#PF reading a non-present 4 MiB page: error code 0", 14, 0, do_read, UNMAPPED);
	check_eq("#PF CR2 is the address read", trap_last.cr2, UNMAPPED);

	write_cr0(read_cr0() & ~CR0_PG);
	write_cr4(read_cr4() & ~CR4_PSE);
	cr0 = read_cr0();
	checkf("paging off again: CR0.PG reads 0, still running", !(cr0 & CR0_PG), "CR0 0x%lx", cr0);
	uint64_t efer = rdmsr(MSR_EFER);
	checkf("EFER.LMA still clear", !(efer & EFER_LMA), "EFER 0x%llx", (unsigned long long)efer);
}

void main(void)
{
	check_start_state();
	check_eq("VMCALL HC_VERSION from 32-bit code", (uint64_t)hc(HC_VERSION, 0, 0, 0),
		 HC_VERSION_MAJOR << 16 | HC_VERSION_MINOR);
	expect_exception("#UD through the guest's 32-bit IDT: vector 6 at the UD2", 6, TRAP_NO_CODE, do_ud2, 0);
	check_paging();
}
