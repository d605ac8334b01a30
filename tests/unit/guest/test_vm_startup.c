/* tests/unit/guest/test_vm_startup.c - a VM's vCPUs by APIC ID and the INIT
 * and SIPI signals posted to a vCPU's mailbox (guest/vm.c). */
#include "guest/vm.h"
#include "guest/vcpu.h"
#include "tests/unit/check.h"

static unsigned int inits, starts;
static uint8_t last_vector;
static uint32_t kicked_id;
static unsigned int kicks;

static void fake_init(struct vcpu *v)
{
	inits++;
	v->wait_sipi = true;
}

static void fake_start(struct vcpu *v, uint8_t vector)
{
	starts++;
	last_vector = vector;
	v->wait_sipi = false;
}

static bool fake_send(uint32_t apic_id, uint8_t vector)
{
	kicks++;
	kicked_id = apic_id;
	return true;
}

static void reset_counts(void)
{
	inits = starts = kicks = 0;
	last_vector = 0;
	kicked_id = ~0u;
}

TEST(vcpu_by_apic_id)
{
	static struct vm vm;
	static struct vcpu a, b;

	a.apic_id = 0;
	b.apic_id = 6;
	vm.vcpus[0] = &a;
	vm.vcpus[1] = &b;
	vm.vcpu_count = 2;
	CHECK(vm_vcpu_by_apic_id(&vm, 0) == &a);
	CHECK(vm_vcpu_by_apic_id(&vm, 6) == &b);
	CHECK(vm_vcpu_by_apic_id(&vm, 1) == NULL);
	vm.vcpu_count = 1;
	CHECK(vm_vcpu_by_apic_id(&vm, 6) == NULL);
}

TEST(init_then_sipi_starts_an_ap)
{
	static struct vcpu v;

	reset_counts();
	v.cpu = 1;
	v.apic_id = 1;
	vm_set_sipi_sender(NULL);
	vcpu_post_init(&v);
	vcpu_post_sipi(&v, 0x9a);
	vcpu_take_mailbox(&v, fake_init, fake_start);
	CHECK_EQ(inits, 1);
	CHECK_EQ(starts, 1);
	CHECK_EQ(last_vector, 0x9a);
	CHECK_EQ(v.mailbox, 0);
	/* Nothing posted: nothing happens. */
	vcpu_take_mailbox(&v, fake_init, fake_start);
	CHECK_EQ(inits, 1);
	CHECK_EQ(starts, 1);
}

TEST(sipi_ignored_unless_waiting)
{
	static struct vcpu v;

	reset_counts();
	v.cpu = 1;
	v.wait_sipi = false;                    /* running */
	vcpu_post_sipi(&v, 0x10);
	vcpu_take_mailbox(&v, fake_init, fake_start);
	CHECK_EQ(starts, 0);
	CHECK_EQ(v.mailbox, 0);                 /* taken and dropped, not kept for later */
	/* A second SIPI after the start (Linux sends two) is ignored too. */
	v.wait_sipi = true;
	vcpu_post_sipi(&v, 0x10);
	vcpu_take_mailbox(&v, fake_init, fake_start);
	vcpu_post_sipi(&v, 0x11);
	vcpu_take_mailbox(&v, fake_init, fake_start);
	CHECK_EQ(starts, 1);
	CHECK_EQ(last_vector, 0x10);
}

TEST(init_cancels_an_earlier_sipi)
{
	static struct vcpu v;

	reset_counts();
	v.cpu = 2;
	v.wait_sipi = false;
	vcpu_post_sipi(&v, 0x20);               /* before INIT: too early */
	vcpu_post_init(&v);
	vcpu_take_mailbox(&v, fake_init, fake_start);
	CHECK_EQ(inits, 1);
	CHECK_EQ(starts, 0);
	CHECK(v.wait_sipi);
}

TEST(boot_vcpu_ignores_startup_signals)
{
	static struct vcpu v;

	reset_counts();
	v.cpu = 0;
	vcpu_post_init(&v);
	vcpu_post_sipi(&v, 0x30);
	vcpu_take_mailbox(&v, fake_init, fake_start);
	CHECK_EQ(inits, 0);
	CHECK_EQ(starts, 0);
	CHECK_EQ(v.mailbox, 0);
}

TEST(sipi_kicks_a_vcpu_waiting_in_the_guest)
{
	static struct vcpu v;

	reset_counts();
	vm_set_sipi_sender(fake_send);
	v.cpu = 3;
	v.apic_id = 7;
	v.wait_sipi = true;
	vcpu_post_sipi(&v, 0x40);
	CHECK_EQ(kicks, 1);
	CHECK_EQ(kicked_id, 7);
	CHECK(v.mailbox & VCPU_MB_KICK);        /* its SIPI exit is the wake-up, not a start */
	vcpu_take_mailbox(&v, fake_init, fake_start);
	CHECK_EQ(starts, 1);
	CHECK(v.mailbox & VCPU_MB_KICK);        /* kept for the SIPI exit, which clears it */
	/* Not waiting: no wake-up sent. */
	v.mailbox = 0;
	CHECK(!vcpu_kick_wait_sipi(&v));
	CHECK_EQ(kicks, 1);
	vm_set_sipi_sender(NULL);
}

static unsigned int nmi_kicks;

static void fake_nmi_kick(struct vcpu *v)
{
	(void)v;
	nmi_kicks++;
}

TEST(held_vcpu_is_woken_by_the_kicker_not_a_sipi)
{
	static struct vm vm;
	static struct vcpu v;

	reset_counts();
	nmi_kicks = 0;
	vm_set_sipi_sender(fake_send);
	vm_set_kicker(fake_nmi_kick);
	vm.hold_aps = true;
	v.vm = &vm;
	v.cpu = 1;
	v.apic_id = 1;
	v.wait_sipi = true;                     /* held in its INIT state */
	vcpu_post_sipi(&v, 0x9a);
	CHECK_EQ(kicks, 0);                     /* a CPU in root mode ignores a SIPI */
	CHECK_EQ(nmi_kicks, 1);
	CHECK(!(v.mailbox & VCPU_MB_KICK));     /* no SIPI exit will clear it */
	vcpu_take_mailbox(&v, fake_init, fake_start);
	CHECK_EQ(starts, 1);
	CHECK_EQ(last_vector, 0x9a);
	CHECK_EQ(v.mailbox, 0);
	/* Running: an INIT kicks it out of the guest, the next SIPI starts it again. */
	vcpu_post_init(&v);
	CHECK_EQ(nmi_kicks, 2);
	vcpu_take_mailbox(&v, fake_init, fake_start);
	CHECK_EQ(inits, 1);
	CHECK(v.wait_sipi);
	CHECK(vcpu_kick_wait_sipi(&v));
	CHECK_EQ(nmi_kicks, 3);
	CHECK_EQ(kicks, 0);
	vm_set_kicker(NULL);
	vm_set_sipi_sender(NULL);
}

/* The words chain mode records for an AP on its way into the hypervisor
 * (guest/dev/guest_ipi.c to_joining) follow the mailbox's own rules. */
TEST(mailbox_words)
{
	uint32_t m = 0;

	m = vcpu_mb_with_init(m);
	CHECK_EQ(m, VCPU_MB_INIT);
	m = vcpu_mb_with_sipi(m, 0x9a);                 /* INIT, SIPI: both kept */
	CHECK_EQ(m, VCPU_MB_INIT | VCPU_MB_SIPI | 0x9a00u);
	m = vcpu_mb_with_sipi(m, 0x9b);                 /* the second SIPI replaces the first */
	CHECK_EQ(VCPU_MB_VECTOR(m), 0x9b);
	CHECK(m & VCPU_MB_INIT);
	m = vcpu_mb_with_init(m);                       /* INIT cancels the SIPI before it */
	CHECK_EQ(m, VCPU_MB_INIT);
	CHECK_EQ(vcpu_mb_with_sipi(VCPU_MB_KICK, 0x10), VCPU_MB_KICK | VCPU_MB_SIPI | 0x1000u);
	CHECK_EQ(vcpu_mb_with_init(VCPU_MB_KICK | VCPU_MB_SIPI | 0x1000u), VCPU_MB_KICK | VCPU_MB_INIT);
}

/* A recorded INIT-SIPI-SIPI, moved into a new vCPU's mailbox, starts it at
 * the last vector when its run loop takes the mailbox. */
TEST(recorded_init_sipi_sipi_starts_the_joined_vcpu)
{
	static struct vcpu v;
	uint32_t rec = 0;

	reset_counts();
	rec = vcpu_mb_with_init(rec);
	rec = vcpu_mb_with_sipi(rec, 0x9f);
	rec = vcpu_mb_with_sipi(rec, 0x9f);
	v.cpu = 1;
	v.wait_sipi = false;                            /* resumed, running the firmware's code */
	v.mailbox = rec;
	vcpu_take_mailbox(&v, fake_init, fake_start);
	CHECK_EQ(inits, 1u);
	CHECK_EQ(starts, 1u);
	CHECK_EQ(last_vector, 0x9f);
	CHECK(!v.wait_sipi);
	CHECK_EQ(v.mailbox, 0u);
}
