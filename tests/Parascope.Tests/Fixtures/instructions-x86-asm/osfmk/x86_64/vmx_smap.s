/*
 * Hardware-virtualization, SMAP, breakpoint and segment-read statements in XNU's x86_64 style
 * (original fixture code). Each is privileged or sensitive by the SDM / Robin & Irvine; the
 * rules give them Xen-faithful (low) severities.
 * "into" in a comment is not an instruction: we step into the VMX region here.
 */
	.text
	.globl	_vmx_enter
_vmx_enter:
	vmxon	(%rdi)			# expect: x86.vmx
	vmread	%rax, %rcx		# expect: x86.vmx
	invept	(%rsi), %rax		# expect: x86.vmx
	vmxoff				# expect: x86.vmx
	ret

	.globl	_user_copy_window
_user_copy_window:
	stac				# expect: x86.smap
	movq	(%rsi), %rax
	clac				# expect: x86.smap
	ret

	.globl	_save_segments
_save_segments:
	movw	%es, 0(%rdi)		# expect: x86.segment-read
	movw	%fs, 2(%rdi)		# expect: x86.segment-read
	mov	%cs, %ax		# expect: x86.segment-read
	mov	%ax, %es		# expect: x86.segment-load
	movw	%ds:(%rsi), %ax		# ok: x86.segment-read
	int3				# expect: x86.breakpoint
	int1				# expect: x86.breakpoint
	ret
