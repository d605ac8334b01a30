/* boot/efi/ap_outcome.c - one chain-mode AP's outcome (ap_outcome.h). */
#include "boot/efi/ap_outcome.h"
#include "boot/info/efi_handoff.h"

enum ap_outcome ap_outcome(bool ran, bool returned, uint64_t rc, int32_t status)
{
	switch (status) {
	case EFI_AP_S_JOINED:
		return AP_OUT_JOINED;
	case EFI_AP_S_RETURNED:
		return AP_OUT_RETURNED;
	case EFI_AP_S_PARKED:
		return AP_OUT_PARKED;
	default:
		break;
	}
	if (returned && rc == 0)
		return AP_OUT_MISMATCH;
	if (returned)
		return rc == EFI_AP_E_CORE ? AP_OUT_RETURNED : AP_OUT_REFUSED;
	return ran ? AP_OUT_ABANDONED : AP_OUT_NOT_RUN;
}
