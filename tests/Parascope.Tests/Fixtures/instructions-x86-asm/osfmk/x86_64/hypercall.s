/*
 * A hypervisor call in XNU's x86_64 style (original fixture code).
 * vmcall in a comment is not an instruction.
 */
	.text
	.globl	_hv_call_intel
_hv_call_intel:
	movq	%rdi, %rax
	vmcall				# expect: x86.hypercall
	ret

	.globl	_hv_call_amd
_hv_call_amd:
	movq	%rdi, %rax
	vmmcall				# expect: x86.hypercall
	ret
