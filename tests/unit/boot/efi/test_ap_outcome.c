/* tests/unit/boot/efi/test_ap_outcome.c - chain mode's per-AP outcome
 * (boot/efi/ap_outcome.c): the status word, not the procedure's return,
 * says whether an AP is under the hypervisor. */
#include "tests/unit/check.h"
#include "boot/efi/ap_outcome.h"
#include "boot/info/efi_handoff.h"

TEST(joined_and_returned)
{
	CHECK_EQ(ap_outcome(true, true, 0, EFI_AP_S_JOINED), AP_OUT_JOINED);
}

TEST(joined_but_its_return_not_seen_counts_as_joined)
{
	/* StartupAllAPs timed out after the AP's vCPU joined, before its
	 * procedure's return was seen: under the hypervisor all the same. */
	CHECK_EQ(ap_outcome(true, false, 0, EFI_AP_S_JOINED), AP_OUT_JOINED);
}

TEST(given_back)
{
	CHECK_EQ(ap_outcome(true, true, EFI_AP_E_CORE, EFI_AP_S_RETURNED), AP_OUT_RETURNED);
	/* Its return not seen yet: the status word, written first, says it. */
	CHECK_EQ(ap_outcome(true, false, 0, EFI_AP_S_RETURNED), AP_OUT_RETURNED);
	/* hv.efi had abandoned it; it then gave itself back: the core's word wins. */
	CHECK_EQ(ap_outcome(true, true, EFI_AP_E_CORE, EFI_AP_S_ABANDONED), AP_OUT_RETURNED);
}

TEST(refused_by_the_entry)
{
	CHECK_EQ(ap_outcome(true, true, EFI_AP_E_INDEX, EFI_AP_S_NONE), AP_OUT_REFUSED);
	CHECK_EQ(ap_outcome(true, true, EFI_AP_E_CPU, EFI_AP_S_NONE), AP_OUT_REFUSED);
}

TEST(parked)
{
	CHECK_EQ(ap_outcome(true, false, 0, EFI_AP_S_PARKED), AP_OUT_PARKED);
}

TEST(abandoned_or_never_run)
{
	CHECK_EQ(ap_outcome(true, false, 0, EFI_AP_S_ABANDONED), AP_OUT_ABANDONED);
	CHECK_EQ(ap_outcome(false, false, 0, EFI_AP_S_ABANDONED), AP_OUT_NOT_RUN);
}

TEST(rc_zero_without_the_claim_is_a_mismatch)
{
	/* Only a core that did not claim the word returns 0: not counted. */
	CHECK_EQ(ap_outcome(true, true, 0, EFI_AP_S_NONE), AP_OUT_MISMATCH);
	CHECK_EQ(ap_outcome(true, true, 0, EFI_AP_S_ABANDONED), AP_OUT_MISMATCH);
}
