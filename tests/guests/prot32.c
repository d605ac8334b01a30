/* tests/guests/prot32.c - the prot32 start state (docs/hypercalls.md, as a
 * Multiboot loader leaves a kernel: SDM Vol. 3A, 9.9): protected mode without
 * paging, flat 32-bit segments, VMCALL from 32-bit code, paging (4 MiB
 * pages, 4.3) switched on and off by the guest itself, IA32_EFER's writes
 * (emulated: SDM Vol. 4 Table 2-2), and IA-32e mode entered and left
 * (9.8.5) without leaving 32-bit code (compatibility mode). */
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

#define PTE_PW   0x03u              /* present, writable: a table below */
#define PDE_2M   0x83u              /* present, writable, 2 MiB page */

static uint32_t page_dir[1024] __attribute__((aligned(4096)));
/* IA-32e paging, identity for the first 4 GiB in 2 MiB pages. */
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));

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

/* WRMSR of arg (bits 31:0; 63:32 clear) to IA32_EFER. */
static void do_wrmsr_efer(long arg)
{
	asm volatile(TRAP_WANT_IP("1f") "1: wrmsr" : : "c"(MSR_EFER), "a"((uint32_t)arg), "d"(0) : "memory");
}

static void check_paging(void)
{
	uint64_t efer0 = rdmsr(MSR_EFER);

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
	expect_exception("WRMSR IA32_EFER setting LME with paging on: #GP(0)", 13, 0, do_wrmsr_efer,
			 (long)(efer0 | EFER_LME));
	check_eq("IA32_EFER unchanged after it", rdmsr(MSR_EFER), efer0);

	write_cr0(read_cr0() & ~CR0_PG);
	write_cr4(read_cr4() & ~CR4_PSE);
	cr0 = read_cr0();
	checkf("paging off again: CR0.PG reads 0, still running", !(cr0 & CR0_PG), "CR0 0x%lx", cr0);
	uint64_t efer = rdmsr(MSR_EFER);
	checkf("EFER.LMA still clear", !(efer & EFER_LMA), "EFER 0x%llx", (unsigned long long)efer);
}

/* IA32_EFER with paging off: reserved bits fault, NXE exists where CPUID
 * says NX, LMA is read-only. */
static void check_efer(void)
{
	uint64_t efer = rdmsr(MSR_EFER);

	expect_exception("WRMSR IA32_EFER setting reserved bit 1: #GP(0)", 13, 0, do_wrmsr_efer, (long)(efer | 2));
	check_eq("IA32_EFER unchanged after the #GP", rdmsr(MSR_EFER), efer);
	if (cpuid(0x80000001, 0).edx & CPUID81_EDX_NX) {
		wrmsr(MSR_EFER, efer | EFER_NXE);
		check_eq("WRMSR IA32_EFER.NXE (CPUID has NX): reads back", rdmsr(MSR_EFER), efer | EFER_NXE);
		wrmsr(MSR_EFER, efer);
	} else {
		expect_exception("WRMSR IA32_EFER.NXE (CPUID has no NX): #GP(0)", 13, 0, do_wrmsr_efer,
				 (long)(efer | EFER_NXE));
	}
	wrmsr(MSR_EFER, efer | EFER_LMA);
	check_eq("WRMSR IA32_EFER.LMA with paging off: ignored (read-only)", rdmsr(MSR_EFER), efer);
}

/* Vol. 3A 9.8.5: LME, PAE and 4-level tables, then CR0.PG activates IA-32e
 * mode; with a 32-bit CS that is compatibility mode, where this code goes
 * on running. Clearing CR0.PG leaves it. No exception may come in between
 * (the IDT is a 32-bit one): the checks come after. */
static void check_ia32e_mode(void)
{
	uint64_t efer, efer_on, efer_off;
	unsigned long cr0_on;
	long version;

	for (uint32_t i = 0; i < 4; i++) {
		for (uint32_t j = 0; j < 512; j++)
			pd[i][j] = (uint64_t)i << 30 | (uint64_t)j << 21 | PDE_2M;
		pdpt[i] = (uintptr_t)pd[i] | PTE_PW;
	}
	pml4[0] = (uintptr_t)pdpt | PTE_PW;

	efer = rdmsr(MSR_EFER);
	wrmsr(MSR_EFER, efer | EFER_LME);
	efer = rdmsr(MSR_EFER);
	write_cr4(read_cr4() | CR4_PAE);
	write_cr3((uintptr_t)pml4);
	write_cr0(read_cr0() | CR0_PG);
	efer_on = rdmsr(MSR_EFER);
	cr0_on = read_cr0();
	version = hc(HC_VERSION, 0, 0, 0);
	write_cr0(read_cr0() & ~CR0_PG);
	efer_off = rdmsr(MSR_EFER);
	wrmsr(MSR_EFER, efer_off & ~(uint64_t)EFER_LME);
	write_cr4(read_cr4() & ~CR4_PAE);

	checkf("WRMSR IA32_EFER.LME with paging off: LME 1, LMA 0", (efer & (EFER_LME | EFER_LMA)) == EFER_LME,
	       "EFER 0x%llx", (unsigned long long)efer);
	checkf("CR0.PG with LME and CR4.PAE: IA-32e mode (EFER.LMA reads 1)",
	       (efer_on & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA), "EFER 0x%llx", (unsigned long long)efer_on);
	checkf("in compatibility mode CR0.PG reads 1", cr0_on & CR0_PG, "CR0 0x%lx", cr0_on);
	check_eq("VMCALL HC_VERSION in compatibility mode", (uint64_t)version, HC_VERSION_MAJOR << 16 | HC_VERSION_MINOR);
	checkf("CR0.PG cleared: IA-32e mode left (LMA 0, LME still 1)", (efer_off & (EFER_LME | EFER_LMA)) == EFER_LME,
	       "EFER 0x%llx", (unsigned long long)efer_off);
	check_eq("LME cleared with paging off", rdmsr(MSR_EFER) & (EFER_LME | EFER_LMA), 0);
	checkf("still running in protected mode without paging", !(read_cr0() & CR0_PG), "CR0 0x%lx", read_cr0());
}

void main(void)
{
	check_start_state();
	check_eq("VMCALL HC_VERSION from 32-bit code", (uint64_t)hc(HC_VERSION, 0, 0, 0),
		 HC_VERSION_MAJOR << 16 | HC_VERSION_MINOR);
	expect_exception("#UD through the guest's 32-bit IDT: vector 6 at the UD2", 6, TRAP_NO_CODE, do_ud2, 0);
	check_paging();
	check_efer();
	check_ia32e_mode();
}
