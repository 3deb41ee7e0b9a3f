/*
 * instructions fixture: LDT and CR8 in an assembly file (original code written for Parascope's tests).
 * lldt in this comment is not an instruction.
 */
	.text
	.globl	_fixture_ldt_switch
_fixture_ldt_switch:
	lldt	%di			# expect: x86.lldt
	movq	%cr8, %rax		# expect: x86.cr8-read
	movq	%rax, %cr8		# expect: x86.cr8-write
	movq	%rsi, %cr2		# expect: x86.cr2-write
	ret
