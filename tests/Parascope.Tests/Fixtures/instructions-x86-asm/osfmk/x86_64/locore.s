/*
 * Entry paths in XNU's style (original fixture code).
 * cli and hlt in this comment are not instructions; nor is wrmsr.
 */
#include <i386/asm.h>

#define CLI_IF_NEEDED	cli	/* expect: x86.cli-sti */

	.text
	.globl	_cpu_start
_cpu_start:
	cli				# expect: x86.cli-sti
	movq	%rax, %cr3		// expect: x86.cr3-write
	movq	%cr3, %rax		/* expect: x86.cr3-read */
	lgdt	(%rdi)			# expect: x86.lgdt
	lidt	(%rsi)			# expect: x86.lidt
	ltr	%ax			# expect: x86.ltr
	mov	%ax, %ds		# expect: x86.segment-load
	pushq	%fs			# expect: x86.segment-push-pop
	CLI_IF_NEEDED			# ok: x86.cli-sti
	xorl %eax, %eax ; hlt		# expect: x86.hlt
	invlpg	(%rax)			# expect: x86.invlpg
	wrmsr				# expect: x86.msr-write
	rdmsr				# expect: x86.msr-read
	swapgs				# expect: x86.swapgs
	sysretq				# expect: x86.sysret
	iretq				# expect: x86.iret
	outl	%eax, %dx		# expect: x86.port-io
	insb				# expect: x86.port-io
	rep outsw			# expect: x86.port-io
	popfq				# expect: x86.pushf-popf
	sidt	(%rsp)			# expect: x86.descriptor-table-read
	str	%ax			# expect: x86.descriptor-table-read
	lsl	%eax, %ecx		# expect: x86.segment-check
	ljmp	*(%rax)			# expect: x86.far-transfer
	rdpmc				# expect: x86.rdpmc
	mwait				# expect: x86.monitor-mwait
	mov	%rax, %dr7		# expect: x86.dr-write
	mov	%cr2, %rax		# expect: x86.cr2-read
	mov	%cr4, %rax		# expect: x86.cr4-read
	mov	%rax, %cr0		# expect: x86.cr0-write
	lmsw	%ax			# expect: x86.lmsw
	invpcid	(%rax), %rcx		# expect: x86.invpcid
	verw	(%rsp)			# expect: x86.segment-check
	lfence				# ok: x86.rdtsc
	mfence
	movq	%rax, %rbx

Lcli:					# ok: x86.cli-sti
	jmp	Lcli
hlt_label:				# ok: x86.hlt
	ret

	.byte	0x0f, 0x01, 0xf8	# expect: x86.swapgs
	.byte	0x0f, 0x30		# expect: x86.msr-write
	.byte	0x01, 0x02, 0x03	# ok: x86.swapgs

msg:	.ascii	"cli; hlt"		# ok: x86.cli-sti, x86.hlt
	.asciz	"wrmsr"			# ok: x86.msr-write

	.macro	SAVE_AND_DISABLE
	pushfq				# expect: x86.pushf-popf
	cli				# expect: x86.cli-sti
	.endm

	.intel_syntax noprefix
	mov	cr3, rax		# expect: x86.cr3-write
	mov	rax, cr3		# expect: x86.cr3-read
	.att_syntax prefix

#if defined(__i386__)
	sysexit				# expect-inactive: x86.sysret
#else
	cpuid				# expect: x86.cpuid
#endif

#if 0
	invd				# expect-inactive: x86.cache-flush
#endif

/* Real-mode helpers written as bytes, as the old assembler needed. */
#define	operand_size_prefix	.byte 0x66
#define	LJMP(segment, address)	\
	operand_size_prefix	;\
	.byte	0xea		/* expect: x86.far-transfer */ ;\
	.long	address		;\
	.word	segment
#define	LGDT(address)		\
	operand_size_prefix	;\
	.word	0x010f		/* expect: x86.lgdt */ ;\
	.byte	0x15		;\
	.long	address
