; vmx/vmcs_fail.asm - where a failed VMREAD/VMWRITE goes (vmx/vmcs_access.h):
; the inline accessors jump here from their cold stubs, without a call, so
; the code around them needs no aligned stack for one. RDI, RSI (, RDX) hold
; vmcs_read_failed's (vmcs_write_failed's) arguments; the stack is aligned
; here for the C call, which panics and does not return.

extern vmcs_read_failed
extern vmcs_write_failed

section .text
bits 64

global vmcs_read_fail_stub
global vmcs_write_fail_stub

vmcs_read_fail_stub:
	and rsp, -16
	call vmcs_read_failed
	ud2

vmcs_write_fail_stub:
	and rsp, -16
	call vmcs_write_failed
	ud2
