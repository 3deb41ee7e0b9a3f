/* 32-bit entry code in the style of the 2006 i386 tree (original fixture code). */
#include <i386/asm.h>

#define	LGDT(address)		\
	.word	0x010f		/* expect: x86.lgdt */ ;\
	.byte	0x15		;\
	.long	address

Entry(slave_start)
	cli				/* expect: x86.cli-sti */
	lgdtl	gdtptr			/* expect: x86.lgdt */
	lidtl	idtptr			/* expect: x86.lidt */
	movl	%cr0, %eax		/* expect: x86.cr0-read */
	orl	$0x80000000, %eax
	movl	%eax, %cr0		/* expect: x86.cr0-write */
	ljmp	$0x08, $1f		/* expect: x86.far-transfer */
1:	movw	$0x10, %ax
	movw	%ax, %ds		/* expect: x86.segment-load */
	pushl	%es			/* expect: x86.segment-push-pop */
	popfl				/* expect: x86.pushf-popf */
	lcall	$0x07, $0		/* expect: x86.far-transfer */
	iret				/* expect: x86.iret */
	sysexit				/* expect: x86.sysret */
	inl	%dx, %eax		/* expect: x86.port-io */
	outsl				/* expect: x86.port-io */
	sldt	%ax			/* expect: x86.descriptor-table-read */
	int	$0x80			/* expect: x86.int */
	int3				/* expect: x86.breakpoint */
	movl	%eax, %ebx		/* ok: x86.segment-load */
