/*
 * A hypercall wrapper as a GAS macro in a header (original fixture code).
 */
.macro HV_TRAP
	movq	%rdi, %rax
	vmcall				/* expect: x86.hypercall */
.endm
