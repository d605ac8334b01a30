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
