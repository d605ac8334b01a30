/* vmx/vmcs_fields.h - the VMCS fields by name, group and width (SDM Vol. 3D, Appendix B). */
#ifndef VMX_VMCS_FIELDS_H
#define VMX_VMCS_FIELDS_H

#include "lib/compiler.h"

/* The four field types of an encoding, in the order the debug shell prints them. */
enum vmcs_field_group {
	VMCS_GROUP_CONTROL,
	VMCS_GROUP_GUEST,
	VMCS_GROUP_HOST,
	VMCS_GROUP_EXIT_INFO,
	VMCS_GROUP_COUNT
};

struct vmcs_field_desc {
	const char *name;        /* the vmx/vmcs.h macro without "VMCS_": "GUEST_RIP" */
	uint32_t encoding;       /* the VMREAD/VMWRITE encoding: VMCS_GUEST_RIP */
};

/* Every field vmx/vmcs.h defines, ordered by encoding. */
extern const struct vmcs_field_desc vmcs_fields[];
extern const unsigned int vmcs_field_count;

/*
 * The group of an encoding, from its type in bits 11:10 (Appendix B:
 * 0 control, 1 VM-exit information (read-only data), 2 guest state,
 * 3 host state).
 */
enum vmcs_field_group vmcs_field_group(uint32_t encoding);

/* "control", "guest state", "host state", "exit information"; "unknown" past the end. */
const char *vmcs_group_name(enum vmcs_field_group g);

/*
 * The width in bits of a VMREAD/VMWRITE of an encoding, from bits 14:13
 * (0 16-bit, 1 64-bit, 2 32-bit, 3 natural width, 64 bits here); the high
 * half of a 64-bit field (access type, bit 0, set) is 32 bits.
 */
unsigned int vmcs_field_width(uint32_t encoding);

/*
 * Finds a field by name, case-insensitive, with or without a leading "VMCS_"
 * ("guest_rip", "GUEST_RIP", "vmcs_guest_rip"), or by its encoding as a
 * decimal or 0x-hex number ("0x681e", "26654"). NULL if no field matches.
 */
const struct vmcs_field_desc *vmcs_field_find(const char *name_or_encoding);

#endif
