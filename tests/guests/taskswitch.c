/* tests/guests/taskswitch.c - hardware task switches (SDM Vol. 3A, 8.3), which
 * exit on every CPU and the hypervisor emulates: CALL to a TSS and IRET back
 * with NT, JMP to a TSS and back, and a double fault through a task gate in the
 * IDT as 32-bit Linux has it (6.12.2: error code 0 on the new task's stack),
 * INT n through a task gate, the T bit (#DB with DR6.BT), a task with its
 * own page directory (CR3 from its TSS) and a task with a 16-bit TSS. */
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/insn.h"

struct __attribute__((packed)) tss32 {
	uint16_t link, r0;
	uint32_t esp0;
	uint16_t ss0, r1;
	uint32_t esp1;
	uint16_t ss1, r2;
	uint32_t esp2;
	uint16_t ss2, r3;
	uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint16_t es, r4, cs, r5, ss, r6, ds, r7, fs, r8, gs, r9, ldt, r10, trap, iomap;
};
_Static_assert(sizeof(struct tss32) == 104, "32-bit TSS layout (Figure 8-2)");

struct __attribute__((packed)) tss16 {
	uint16_t link, sp0, ss0, sp1, ss1, sp2, ss2, ip, flags, ax, cx, dx, bx, sp, bp, si, di, es, cs, ss, ds, ldt;
};
_Static_assert(sizeof(struct tss16) == 44, "16-bit TSS layout (Figure 8-11)");

struct __attribute__((packed)) table_reg32 {
	uint16_t limit;
	uint32_t base;
};

/* The runtime's code and data descriptors (lib/desc.c), then four TSSs. */
#define SEL_MAIN 0x18
#define SEL_DF   0x20
#define SEL_CALL 0x28
#define SEL_JMP  0x30
#define SEL_TRAP 0x38
#define SEL_CR3  0x40
#define SEL_T16  0x48                   /* 16-bit TSS */
#define SEL_C16  0x50                   /* its code: based so that IP fits 16 bits */
#define SEL_S16  0x58                   /* its stack: likewise for SP */
#define TYPE_AVAIL16 0x1
#define SEL_BAD  0x60                   /* a TSS whose FS selector is past the GDT */
#define PROBE_VA 0xc0000000u            /* mapped differently by the two page directories */
#define PDE_4M   0x83u
#define DR6_BT   (1u << 15)
#define BAD_SEL  0x1230                 /* far past the GDT's limit: #GP(0x1230) */
#define EFLAGS_NT (1u << 14)
#define TYPE_AVAIL 0x9
#define TYPE_BUSY  0xb

uint64_t ts_gdt[13] = { 0, 0x00cf9a000000ffff, 0x00cf92000000ffff };
struct tss32 tss_main, tss_df, tss_call, tss_jmp, tss_trap, tss_cr3;
struct tss16 tss_t16;
struct tss32 tss_bad;
static uint8_t stack_df[4096] __attribute__((aligned(16)));
static uint8_t stack_call[4096] __attribute__((aligned(16)));
static uint8_t stack_jmp[4096] __attribute__((aligned(16)));
static uint8_t stack_other[4096] __attribute__((aligned(4096)));
static uint32_t dir_main[1024] __attribute__((aligned(4096)));
static uint32_t dir_task[1024] __attribute__((aligned(4096)));

/* What the tasks saw, written by them (asm below). */
volatile uint32_t call_runs, call_eflags, call_tr, call_eax;
volatile uint32_t jmp_runs, jmp_eflags, jmp_tr, jmp_main_type;
volatile uint32_t df_runs, df_error, df_eflags, df_tr, df_esp, df_saved_eip, main_esp;
volatile uint32_t trap_runs, cr3_seen, cr3_probe, probe_addr, db_dr6, db_ip, db_count;
volatile uint32_t probe_marker = 0x7a5c3e3;
volatile uint32_t t16_runs, t16_eflags, t16_tr, t16_eax;
extern const char call_task[], jmp_task[], df_task[], df_fault_ip[], df_resume[], trap_task[], cr3_task[],
	t16_task[];

/* Each task loops, so entering it again (its TSS holds the EIP after its last
 * switch away) runs it again. */
asm(".text\n"
    "call_task:\n\t"
    "pushfl\n\t"
    "popl call_eflags\n\t"
    "str call_tr\n\t"
    "movl %eax, call_eax\n\t"
    "incl call_runs\n\t"
    "iretl\n\t"
    "jmp call_task\n"
    "jmp_task:\n\t"
    "pushfl\n\t"
    "popl jmp_eflags\n\t"
    "str jmp_tr\n\t"
    "movzbl ts_gdt + 0x18 + 5, %eax\n\t"
    "movl %eax, jmp_main_type\n\t"
    "incl jmp_runs\n\t"
    "ljmp $0x18, $0\n\t"
    "jmp jmp_task\n"
    "df_task:\n\t"
    "popl df_error\n\t"
    "movl %esp, df_esp\n\t"
    "pushfl\n\t"
    "popl df_eflags\n\t"
    "str df_tr\n\t"
    "incl df_runs\n\t"
    "movl tss_main + 0x20, %eax\n\t"
    "movl %eax, df_saved_eip\n\t"
    /* Like a fixup: the interrupted task goes on after the faulting instruction. */
    "movl $df_resume, tss_main + 0x20\n\t"
    "iretl\n\t"
    "jmp df_task\n"
    "trap_task:\n\t"
    "incl trap_runs\n\t"
    "iretl\n\t"
    "jmp trap_task\n"
    "cr3_task:\n\t"
    "movl %cr3, %eax\n\t"
    "movl %eax, cr3_seen\n\t"
    "movl probe_addr, %eax\n\t"
    "movl (%eax), %eax\n\t"
    "movl %eax, cr3_probe\n\t"
    "iretl\n\t"
    "jmp cr3_task\n"
    /* 32-bit code in a segment based at its page: run from a 16-bit TSS. */
    ".balign 16\n"
    "t16_task:\n\t"
    "movl %eax, t16_eax\n\t"
    "pushfl\n\t"
    "popl t16_eflags\n\t"
    "str t16_tr\n\t"
    "incl t16_runs\n\t"
    "iretl\n\t"
    "jmp t16_task\n");

static uint64_t tss_desc(const struct tss32 *t)
{
	uint64_t base = (uintptr_t)t;

	return (sizeof(*t) - 1) | (base & 0xffffff) << 16 | (uint64_t)0x89 << 40 | (base >> 24) << 56;
}

static unsigned int gdt_type(unsigned int sel)
{
	return (unsigned int)(ts_gdt[sel / 8] >> 40) & 0xf;
}

static void task_init(struct tss32 *t, const char *entry, uint8_t *stack, size_t size, uint32_t eax)
{
	memset(t, 0, sizeof(*t));
	t->cr3 = (uint32_t)read_cr3();
	t->eip = (uintptr_t)entry;
	t->eflags = 0x2;
	t->esp = (uintptr_t)stack + size;
	t->eax = eax;
	t->cs = KERNEL_CS;
	t->ss = t->ds = t->es = t->fs = t->gs = KERNEL_DS;
	t->iomap = sizeof(*t);
}

static uint32_t eflags_now(void)
{
	uint32_t f;

	asm volatile("pushfl; popl %0" : "=r"(f));
	return f;
}

static void check_ts_and_clear(const char *what)
{
	unsigned long cr0 = read_cr0();

	checkf(sfmt("%s: CR0.TS set by the task switch", what), cr0 & CR0_TS, "CR0 0x%lx", cr0);
	asm volatile("clts");
}

static void check_call(void)
{
	long exits = exit_count(GUEST_EXIT_TASK_SWITCH);

	asm volatile("lcall $0x28, $0" : : : "memory", "cc");
	check_eq("CALL to a TSS: the task ran once", call_runs, 1);
	check_eq("CALL: the new task's registers come from its TSS (EAX)", call_eax, 0xca11);
	check_eq("CALL: TR is the new TSS", call_tr & 0xffff, SEL_CALL);
	checkf("CALL: EFLAGS.NT set in the called task", call_eflags & EFLAGS_NT, "EFLAGS 0x%x", call_eflags);
	check_eq("CALL: the back-link is the caller's TSS", tss_call.link, SEL_MAIN);
	checkf("IRET with NT: back after the CALL, NT clear", !(eflags_now() & EFLAGS_NT), "EFLAGS 0x%x",
	       eflags_now());
	check_eq("IRET: the returned-from task is available again", gdt_type(SEL_CALL), TYPE_AVAIL);
	check_eq("IRET: the caller's TSS is busy", gdt_type(SEL_MAIN), TYPE_BUSY);
	check_ts_and_clear("CALL/IRET");
	asm volatile("lcall $0x28, $0" : : : "memory", "cc");
	check_eq("a second CALL resumes the task after its IRET", call_runs, 2);
	check_eq("two task switches per CALL and IRET, each a VM exit",
		 (uint64_t)(exit_count(GUEST_EXIT_TASK_SWITCH) - exits), 4);
	asm volatile("clts");
}

static void check_jmp(void)
{
	asm volatile("ljmp $0x30, $0" : : : "memory", "cc");
	check_eq("JMP to a TSS: the task ran and jumped back", jmp_runs, 1);
	check_eq("JMP: TR was the new TSS", jmp_tr & 0xffff, SEL_JMP);
	checkf("JMP: EFLAGS.NT clear in the new task", !(jmp_eflags & EFLAGS_NT), "EFLAGS 0x%x", jmp_eflags);
	check_eq("JMP: the left task was not busy meanwhile", jmp_main_type, 0x80 | TYPE_AVAIL);
	check_eq("JMP: no back-link written", tss_jmp.link, 0xbeef);
	check_eq("JMP back: this task busy again", gdt_type(SEL_MAIN), TYPE_BUSY);
	check_eq("JMP back: the other task available", gdt_type(SEL_JMP), TYPE_AVAIL);
	check_ts_and_clear("JMP");
}

/* #GP whose IDT gate is not present: the #NP that delivery raises makes a #DF
 * (SDM Vol. 3A, Table 6-5), whose gate is a task gate. */
static void __attribute__((noinline)) check_double_fault(void)
{
	struct table_reg32 idtr;
	uint32_t *idt, saved8[2], saved13[2], ebx = 0;

	asm volatile("sidt %0" : "=m"(idtr));
	idt = (uint32_t *)(uintptr_t)idtr.base;
	memcpy(saved8, &idt[16], 8);
	memcpy(saved13, &idt[26], 8);
	idt[16] = SEL_DF << 16;                 /* task gate: TSS selector, P, DPL 0, type 5 */
	idt[17] = 0x8500;
	idt[27] &= ~0x8000u;                    /* #GP gate not present */
	asm volatile("movl $0x5a1e5a1e, %%ebx\n\t"
		     "movw %w1, %%ax\n\t"
		     "movl %%esp, main_esp\n"
		     "df_fault_ip:\n\t"
		     "movw %%ax, %%ds\n"
		     "df_resume:\n\t"
		     "movl %%ebx, %0"
		     : "=r"(ebx) : "r"(BAD_SEL) : "eax", "ebx", "memory", "cc");
	memcpy(&idt[16], saved8, 8);
	memcpy(&idt[26], saved13, 8);
	check_eq("#DF through a task gate: the #DF task ran once", df_runs, 1);
	check_eq("#DF: error code 0 on the new task's stack", df_error, 0);
	check_eq("#DF: the stack is the new task's", df_esp, (uintptr_t)stack_df + sizeof(stack_df));
	check_eq("#DF: TR was the #DF task's TSS", df_tr & 0xffff, SEL_DF);
	checkf("#DF: EFLAGS.NT set in the #DF task", df_eflags & EFLAGS_NT, "EFLAGS 0x%x", df_eflags);
	check_eq("#DF: the back-link is the faulting task's TSS", tss_df.link, SEL_MAIN);
	check_eq("#DF: the old task's saved EBX", tss_main.ebx, 0x5a1e5a1e);
	check_eq("IRET from the #DF task: back in the old task with its registers", ebx, 0x5a1e5a1e);
	check_eq("#DF: the old task's saved EIP is the faulting MOV", df_saved_eip, (uintptr_t)df_fault_ip);
	check_eq("#DF: the old task's saved ESP", tss_main.esp, main_esp);
	check_eq("#DF task available again after its IRET", gdt_type(SEL_DF), TYPE_AVAIL);
	check_ts_and_clear("#DF");
}

/* INT n through a task gate: the interrupted task resumes after the INT (6.12.2). */
static void check_int_task_gate(void)
{
	struct table_reg32 idtr;
	uint32_t *idt, saved[2], runs = call_runs;

	asm volatile("sidt %0" : "=m"(idtr));
	idt = (uint32_t *)(uintptr_t)idtr.base;
	memcpy(saved, &idt[2 * 0x80], 8);
	idt[2 * 0x80] = SEL_CALL << 16;
	idt[2 * 0x80 + 1] = 0x8500;
	asm volatile("int $0x80" : : : "memory", "cc");
	memcpy(&idt[2 * 0x80], saved, 8);
	check_eq("INT 0x80 through a task gate: the task ran once, back after the INT", call_runs - runs, 1);
	checkf("INT 0x80: EFLAGS.NT set in the task", call_eflags & EFLAGS_NT, "EFLAGS 0x%x", call_eflags);
	asm volatile("clts");
}

static void db_handler(struct trap_frame *f)
{
	uint32_t dr6;

	asm volatile("movl %%dr6, %0" : "=r"(dr6));
	db_dr6 = dr6;
	db_ip = f->ip;
	db_count++;
	asm volatile("movl %0, %%dr6" : : "r"(0xffff0ff0u));
}

/* The T bit of the new TSS: #DB before the new task's first instruction (17.2.3: DR6.BT). */
static void check_trap_bit(void)
{
	idt_set_handler(1, db_handler);
	asm volatile("lcall $0x38, $0" : : : "memory", "cc");
	idt_set_handler(1, 0);
	check_eq("T bit in the new TSS: one #DB", db_count, 1);
	check_eq("T bit: #DB at the new task's first instruction", db_ip, (uintptr_t)trap_task);
	checkf("T bit: DR6.BT set", db_dr6 & DR6_BT, "DR6 0x%x", db_dr6);
	check_eq("T bit: the task ran once after it", trap_runs, 1);
	asm volatile("clts");
}

/* A task with its own page directory: CR3 comes from its TSS and the switch
 * back loads this task's (4 MiB pages, SDM Vol. 3A 4.3). */
static void check_cr3(void)
{
	uint32_t off = (uintptr_t)&probe_marker & 0x3fffff;

	for (uint32_t i = 0; i < 1024; i++)
		dir_main[i] = dir_task[i] = i << 22 | PDE_4M;
	dir_main[PROBE_VA >> 22] = 0 | PDE_4M;
	dir_task[PROBE_VA >> 22] = ((uintptr_t)&probe_marker & ~0x3fffffu) | PDE_4M;
	probe_addr = PROBE_VA + off;
	tss_main.cr3 = (uintptr_t)dir_main;
	tss_cr3.cr3 = (uintptr_t)dir_task;
	write_cr4(read_cr4() | CR4_PSE);
	write_cr3((uintptr_t)dir_main);
	write_cr0(read_cr0() | CR0_PG);
	asm volatile("lcall $0x40, $0" : : : "memory", "cc");
	unsigned long cr3 = read_cr3();
	write_cr0(read_cr0() & ~CR0_PG);
	write_cr4(read_cr4() & ~CR4_PSE);
	asm volatile("clts");
	check_eq("paged task: CR3 loaded from its TSS", cr3_seen, (uintptr_t)dir_task);
	check_eq("paged task: its page directory maps the probe page", cr3_probe, 0x7a5c3e3);
	check_eq("IRET back: this task's CR3 from its TSS", cr3, (uintptr_t)dir_main);
}

/* A segment descriptor: flat-style 32-bit, byte-granular, with this base and limit. */
static uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access)
{
	return (limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 | (uint64_t)access << 40 |
	       (uint64_t)(limit >> 16 & 0xf) << 48 | (uint64_t)0x4 << 52 | (uint64_t)(base >> 24) << 56;
}

/* CALL to a 16-bit TSS and IRET back: 16-bit fields, zero-extended registers. */
static void check_tss16(void)
{
	uint32_t code_base = (uintptr_t)t16_task & ~0xfffu;

	memset(&tss_t16, 0, sizeof(tss_t16));
	tss_t16.ip = (uint16_t)((uintptr_t)t16_task - code_base);
	tss_t16.flags = 0x2;
	tss_t16.ax = 0x1616;
	tss_t16.sp = sizeof(stack_other);
	tss_t16.cs = SEL_C16;
	tss_t16.ss = SEL_S16;
	tss_t16.ds = tss_t16.es = KERNEL_DS;
	ts_gdt[SEL_T16 / 8] = (sizeof(tss_t16) - 1) | ((uintptr_t)&tss_t16 & 0xffffff) << 16 |
			      (uint64_t)0x81 << 40 | (uint64_t)((uintptr_t)&tss_t16 >> 24) << 56;
	ts_gdt[SEL_C16 / 8] = seg_desc(code_base, 0xfffff, 0x9a);
	ts_gdt[SEL_S16 / 8] = seg_desc((uintptr_t)stack_other, sizeof(stack_other) - 1, 0x92);
	asm volatile("lcall $0x48, $0" : : : "memory", "cc");
	asm volatile("clts");
	check_eq("16-bit TSS: the task ran once and IRET came back", t16_runs, 1);
	check_eq("16-bit TSS: EAX is its AX, zero-extended", t16_eax, 0x1616);
	check_eq("16-bit TSS: TR was its TSS", t16_tr & 0xffff, SEL_T16);
	checkf("16-bit TSS: EFLAGS.NT set in the called task", t16_eflags & EFLAGS_NT, "EFLAGS 0x%x", t16_eflags);
	check_eq("16-bit TSS: back-link and busy bit back to available",
		 (uint64_t)tss_t16.link << 8 | gdt_type(SEL_T16), SEL_MAIN << 8 | TYPE_AVAIL16);
}

static void do_call_bad(long arg)
{
	trap_want_ip = (uintptr_t)call_task;    /* the new task's first instruction */
	asm volatile("lcall $0x60, $0" : : : "memory", "cc");
}

/* A segment check that fails after the commit faults in the new task (SDM Vol. 3A,
 * 8.3 and Table 8-2): #TS with FS's selector at the new task's EIP. Last: the
 * handler unwinds to this task's stack but TR stays the new task's. */
static void check_fault_in_new_task(void)
{
	uint16_t tr;

	task_init(&tss_bad, call_task, stack_other, sizeof(stack_other), 0);
	tss_bad.fs = BAD_SEL;           /* not DS: the handler (lib/entry32.S) needs it */
	ts_gdt[SEL_BAD / 8] = tss_desc(&tss_bad);
	expect_exception("#TS(0x1230) from a bad FS in the new TSS, at the new task's EIP", 10, BAD_SEL,
			 do_call_bad, 0);
	asm volatile("str %0" : "=r"(tr));
	check_eq("#TS came in the new task: TR is its TSS", tr, SEL_BAD);
}

void main(void)
{
	struct table_reg32 gdtr = { sizeof(ts_gdt) - 1, (uintptr_t)ts_gdt };

	task_init(&tss_main, 0, 0, 0, 0);
	task_init(&tss_df, df_task, stack_df, sizeof(stack_df), 0);
	task_init(&tss_call, call_task, stack_call, sizeof(stack_call), 0xca11);
	task_init(&tss_jmp, jmp_task, stack_jmp, sizeof(stack_jmp), 0);
	tss_jmp.link = 0xbeef;
	task_init(&tss_trap, trap_task, stack_other, sizeof(stack_other), 0);
	tss_trap.trap = 1;
	task_init(&tss_cr3, cr3_task, stack_other, sizeof(stack_other), 0);
	ts_gdt[SEL_MAIN / 8] = tss_desc(&tss_main);
	ts_gdt[SEL_DF / 8] = tss_desc(&tss_df);
	ts_gdt[SEL_CALL / 8] = tss_desc(&tss_call);
	ts_gdt[SEL_JMP / 8] = tss_desc(&tss_jmp);
	ts_gdt[SEL_TRAP / 8] = tss_desc(&tss_trap);
	ts_gdt[SEL_CR3 / 8] = tss_desc(&tss_cr3);
	/* Same code and data descriptors at the same selectors: no reload needed,
	 * except FS and GS, still the start state's 0x18: a TSS in this GDT, which
	 * loading this task's state back would refuse (#TS). */
	asm volatile("lgdt %0\n\t"
		     "ltr %w1\n\t"
		     "mov %w2, %%fs\n\t"
		     "mov %w2, %%gs" : : "m"(gdtr), "r"(SEL_MAIN), "r"(KERNEL_DS) : "memory");
	check_eq("LTR: this task's TSS is busy", gdt_type(SEL_MAIN), TYPE_BUSY);
	check_call();
	check_jmp();
	check_double_fault();
	check_int_task_gate();
	check_trap_bit();
	check_cr3();
	check_tss16();
	check_fault_in_new_task();
}
