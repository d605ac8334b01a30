/* guest/dev/isa_irq.c - raising the guest's ISA IRQ lines as the guest routed
 * them. The guest owns the interrupt controllers (no external-interrupt
 * exiting; the I/O APIC, the local APIC and the 8259s are passed through), so
 * an edge is delivered the way that routing says:
 * - I/O APIC (pin from the MADT's interrupt source overrides, entry read from
 *   the chip): the entry's vector as a fixed IPI from this CPU's local APIC to
 *   the CPUs the entry names (its destination mode and destination, as the
 *   chip's message would go; SDM Vol. 3A, 11.6.1), so a guest that routes
 *   the serial interrupt to another CPU gets it there, whichever CPU's exit
 *   raised the edge. The real local APICs keep IRR/ISR, priorities and the
 *   guest's EOI.
 * - 8259: the master's vector base (ICW2, write-only) is followed from the
 *   guest's writes to ports 0x20-0x21; the edge is latched (the 8259's IRR)
 *   and injected as an external interrupt at a VM entry where the guest can
 *   take it (vmx/exit.c), with interrupt-window exiting otherwise.
 * Approximate on the 8259 path: the chip knows nothing of an injected IRQ, so
 * its priority resolution, IRR/ISR reads and the poll command ignore it; the
 * guest's EOI for it is kept from the chip (guest/dev/i8259_shadow.c). */
#include "guest/dev/isa_irq.h"
#include "drivers/acpi/acpi_madt.h"
#include "drivers/acpi/acpi_host.h"
#include "guest/dev/acpi_pm.h"
#include "guest/dev/device.h"
#include "guest/dev/i8259_shadow.h"
#include "guest/dev/isa_irq_route.h"
#include "guest/vcpu.h"
#include "arch/cpu.h"
#include "arch/percpu.h"
#include "arch/lapic.h"
#include "drivers/ipi.h"
#include "mm/devmem.h"
#include "drivers/console.h"

#define PIC_MASTER          0x20
#define IOAPIC_IOREGSEL     0x00
#define IOAPIC_IOWIN        0x10
#define IOAPIC_VER          0x01
#define IOAPIC_REDTBL(pin)  (0x10 + 2 * (pin))
#define APIC_DFR            0x0e0
#define APIC_DFR_FLAT       0xfu             /* DFR bits 31:28: 1111 flat, 0000 cluster */
#define APIC_LVT_LINT0      0x350
#define MSR_X2APIC_BASE     0x800            /* x2APIC register n at 0x800 + n / 16 */

struct isa_line {
	int ioapic;                      /* MADT index of its I/O APIC, -1 if none */
	unsigned int pin;
	uint32_t gsi;
	uint64_t sent, injected, refused, dropped;
	uint64_t refused_rte;            /* the last refused entry (said once per value) */
};

static struct acpi_madt_info madt;
static unsigned int ioapic_pins[MADT_MAX_IOAPICS];
static struct isa_line lines[ISA_IRQS];
static struct i8259_shadow pic;
static struct vcpu *boot_vcpu;       /* takes the 8259's interrupts (isa_irq_set_vcpu) */
static uint8_t pic_irr;              /* master IRQs latched, not yet injected */
static bool pic_connected;           /* the 8259's output reaches the boot CPU (at the last look) */
static bool pic_connection_stale;    /* an edge was latched on another CPU: look again on the boot CPU */

/* One I/O APIC register. The guest may be between its IOREGSEL write and its
 * IOWIN access (an exit can fall between them): its selection is put back. */
static uint32_t ioapic_read(unsigned int i, uint32_t reg)
{
	hpa_t base = madt.ioapic[i].address;
	uint32_t sel, val = 0xffffffffu;

	if (devmem_read(base + IOAPIC_IOREGSEL, &sel, 4))
		return val;
	if (!devmem_write(base + IOAPIC_IOREGSEL, &reg, 4) &&
	    devmem_read(base + IOAPIC_IOWIN, &val, 4))
		val = 0xffffffffu;
	(void)devmem_write(base + IOAPIC_IOREGSEL, &sel, 4);
	return val;
}

static uint64_t read_rte(const struct isa_line *l)
{
	return ioapic_read((unsigned int)l->ioapic, IOAPIC_REDTBL(l->pin)) |
	       (uint64_t)ioapic_read((unsigned int)l->ioapic, IOAPIC_REDTBL(l->pin) + 1) << 32;
}

static uint32_t lapic_read(uint64_t apic_base, unsigned int reg)
{
	uint32_t v = 0;

	if (apic_base & APIC_BASE_EXTD)
		return (uint32_t)rdmsr(MSR_X2APIC_BASE + reg / 16);
	if (devmem_read((apic_base & APIC_BASE_ADDR) + reg, &v, 4))
		return 0;
	return v;
}

/* How this CPU's local APIC reads an 8-bit logical destination; the guest
 * sets one model on all its CPUs (SDM Vol. 3A, 11.6.2.2). */
static enum apic_logical_model logical_model(uint64_t apic_base)
{
	if (apic_base & APIC_BASE_EXTD)
		return APIC_LOGICAL_X2APIC;
	return lapic_read(apic_base, APIC_DFR) >> 28 == APIC_DFR_FLAT ? APIC_LOGICAL_FLAT :
									 APIC_LOGICAL_CLUSTER;
}

/*
 * A fixed, edge IPI with the I/O APIC entry's vector and destination (the
 * SELF IPI register in x2APIC mode, where no 8-bit name can reach this CPU,
 * 11.12.11). 0, or ipi_send_icr's error.
 */
static int lapic_send_ipi(uint64_t apic_base, uint8_t vector, const struct apic_ipi *ipi)
{
	struct apic_icr i = { .dest = ipi->dest, .vector = vector, .mode = ICR_MODE_FIXED,
			      .logical = ipi->logical, .assert = true,
			      .shorthand = ipi->self ? ICR_DEST_SELF : ICR_DEST_FIELD };

	return ipi_send_icr(apic_base, &i);
}

static bool i8259_connected(uint64_t apic_base)
{
	bool en = apic_base & APIC_BASE_EN;

	return i8259_reaches_cpu(en, en ? lapic_read(apic_base, APIC_LVT_LINT0) : 0);
}

/* The guest the lines belong to now (isa_irq_reset), for messages. */
static const char *current_guest;

static const char *guest_name(void)
{
	return current_guest ? current_guest : "?";
}

void isa_irq_set_vcpu(struct vcpu *v)
{
	__atomic_store_n(&boot_vcpu, v, __ATOMIC_RELEASE);
}

/* The boot vCPU looks at the 8259 before its next entry (vmx/exit.c): its
 * fast exit path does not. */
static void post_boot_vcpu(void)
{
	struct vcpu *v = __atomic_load_n(&boot_vcpu, __ATOMIC_ACQUIRE);

	if (v)
		vcpu_slow_post(v, VCPU_SLOW_IRQ);
}

void isa_irq_raise(unsigned int irq)
{
	struct isa_line *l = &lines[irq % ISA_IRQS];
	uint64_t apic_base = rdmsr(MSR_IA32_APIC_BASE), rte;
	const char *why;
	uint8_t vector;

	if (l->ioapic >= 0) {
		rte = read_rte(l);
		switch (ioapic_rte_verdict(rte, &vector, &why)) {
		case IOAPIC_SEND:
			if (apic_base & APIC_BASE_EN) {
				struct apic_ipi ipi;

				ioapic_rte_ipi(rte, logical_model(apic_base), &ipi);
				if (lapic_send_ipi(apic_base, vector, &ipi))
					l->dropped++;    /* the ICR stayed busy or out of reach */
				else
					l->sent++;
			} else {
				l->dropped++;            /* no local APIC to take the message */
			}
			break;
		case IOAPIC_REFUSED:
			l->refused++;
			if (rte != l->refused_rte)
				printf("guest %s: ISA IRQ %u: I/O APIC pin %u entry 0x%016llx not delivered: %s\n",
				       guest_name(), irq, l->pin, (unsigned long long)rte, why);
			l->refused_rte = rte;
			break;
		case IOAPIC_MASKED:
			break;
		}
	}
	/* The master 8259 sees the edge too; its IRR keeps it even while masked.
	 * (Slave IRQs would need the slave's ICW2 followed too: none is raised.) */
	if (irq < 8) {
		pic_irr |= (uint8_t)(1u << irq);
		if (this_cpu.cpu == 0)
			pic_connected = i8259_connected(apic_base);
		else
			pic_connection_stale = true;
		post_boot_vcpu();
	}
}

static int pending_irq(void)
{
	uint8_t ready = pic_irr & (uint8_t)~pic.imr;

	if (!ready || !pic_connected)
		return -1;
	return __builtin_ctz(ready);         /* IRQ 0 has the highest priority */
}

/* The 8259's INTR reaches the boot CPU's LINT0 (virtual wire; the MP
 * specification has the others mask theirs): its vCPU takes 8259 interrupts,
 * and only its local APIC says whether they reach it. */
int isa_irq_pending_vector(void)
{
	int irq;

	if (!pic_irr || this_cpu.cpu != 0)
		return -1;
	if (pic_connection_stale) {
		pic_connection_stale = false;
		pic_connected = i8259_connected(rdmsr(MSR_IA32_APIC_BASE));
	}
	irq = pending_irq();
	return irq < 0 ? -1 : i8259_vector(&pic, (unsigned int)irq);
}

void isa_irq_injected(void)
{
	int irq = pending_irq();

	if (irq < 0)
		return;
	pic_irr &= (uint8_t)~(1u << irq);
	i8259_shadow_injected(&pic, (unsigned int)irq);
	lines[irq].injected++;
}

static uint32_t pic_in(struct device_model *d, struct vcpu *v, uint16_t port, unsigned int size)
{
	uint32_t val = 0;

	for (unsigned int i = 0; i < size; i++)
		val |= (uint32_t)inb((uint16_t)(port + i)) << (8 * i);
	return val;
}

/* The chip's in-service register, leaving its read select as the guest set it. */
static uint8_t chip_isr(void)
{
	uint8_t isr;

	outb(PIC_MASTER, I8259_OCW3_READ_ISR);
	isr = inb(PIC_MASTER);
	outb(PIC_MASTER, pic.read_isr ? I8259_OCW3_READ_ISR : I8259_OCW3_READ_IRR);
	return isr;
}

static void pic_out(struct device_model *d, struct vcpu *v, uint16_t port, unsigned int size,
		    uint32_t value)
{
	for (unsigned int i = 0; i < size; i++) {
		uint16_t p = (uint16_t)(port + i);
		uint8_t b = (uint8_t)(value >> (8 * i));
		unsigned int reg = p - PIC_MASTER;
		uint8_t isr = i8259_shadow_needs_isr(&pic, reg, b) ? chip_isr() : 0;

		if (i8259_shadow_write(&pic, reg, b, isr))
			outb(p, b);
	}
	if (pic_irr && this_cpu.cpu == 0)
		pic_connected = i8259_connected(rdmsr(MSR_IA32_APIC_BASE));
	else if (pic_irr)
		pic_connection_stale = true;
	/* A latched IRQ may be unmasked now. */
	if (pic_irr)
		post_boot_vcpu();
}

static struct device_model pic_model = { .name = "8259", .port_in = pic_in, .port_out = pic_out };

void isa_irq_describe(unsigned int irq, const char *owner)
{
	struct isa_line *l = &lines[irq % ISA_IRQS];
	char rte[96] = "no I/O APIC pin (no MADT)";
	uint64_t apic_base = rdmsr(MSR_IA32_APIC_BASE);

	if (l->ioapic >= 0)
		ioapic_rte_describe(read_rte(l), rte, sizeof(rte));
	printf("  %s interrupt: ISA IRQ %u: I/O APIC %d pin %u (GSI %u): %s; 8259 IRQ %u: %s, vector 0x%02x%s, "
	       "%s; %llu sent as IPIs, %llu injected from the 8259, %llu refused\n",
	       owner, irq, l->ioapic >= 0 ? madt.ioapic[l->ioapic].id : -1, l->pin, l->gsi, rte, irq,
	       pic.imr & (1u << irq) ? "masked" : "unmasked", i8259_vector(&pic, irq),
	       pic.base_known ? "" : " (BIOS base assumed)",
	       i8259_connected(apic_base) ? "reaches the CPU" : "not connected (LINT0 not ExtINT)",
	       (unsigned long long)l->sent, (unsigned long long)l->injected,
	       (unsigned long long)l->refused);
}

void isa_irq_reset(const char *guest)
{
	current_guest = guest;
	pic_irr = 0;
	pic.injected_isr = 0;
	for (unsigned int i = 0; i < ISA_IRQS; i++) {
		lines[i].sent = lines[i].injected = lines[i].refused = lines[i].dropped = 0;
		lines[i].refused_rte = 0;
	}
}

int isa_irq_init(const struct boot_info *bi)
{
	char err[96];
	int rc, have_madt;

	i8259_shadow_reset(&pic, inb(PIC_MASTER + 1));
	have_madt = !acpi_read_madt(bi->rsdp, bi->rsdp_len, acpi_host_read, NULL, &madt, err, sizeof(err));
	for (unsigned int i = 0; have_madt && i < madt.ioapic_count; i++)
		ioapic_pins[i] = ((ioapic_read(i, IOAPIC_VER) >> 16) & 0xff) + 1;
	for (unsigned int irq = 0; irq < ISA_IRQS; irq++) {
		struct isa_line *l = &lines[irq];

		l->gsi = have_madt ? madt.isa_gsi[irq] : irq;
		l->ioapic = have_madt ? madt_ioapic_for_gsi(&madt, ioapic_pins, l->gsi, &l->pin) : -1;
	}
	rc = device_add_ports(&pic_model, PIC_MASTER, 2);
	if (rc) {
		printf("hv: cannot follow the guest's 8259 (%d)\n", rc);
		return rc;
	}
	if (!have_madt)
		printf("isa-irq: %s: the guest's ISA IRQs reach it through its 8259 only\n", err);
	else if (lines[4].ioapic < 0)
		printf("isa-irq: no I/O APIC has GSI %u (ISA IRQ 4): the 8259 only\n", lines[4].gsi);
	else
		printf("isa-irq: ISA IRQ 4 is I/O APIC %u (0x%x) pin %u (GSI %u), or 8259 IRQ 4\n",
		       madt.ioapic[lines[4].ioapic].id, madt.ioapic[lines[4].ioapic].address,
		       lines[4].pin, lines[4].gsi);
	return 0;
}
