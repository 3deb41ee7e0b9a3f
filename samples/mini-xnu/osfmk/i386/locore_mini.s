/*
 * mini-xnu: a locore-like entry file. Original code for Parascope's sample tree.
 */
#define ENTRY(name)	.globl name; .align 4; name:

	.text

/* void lgdt_mini(void *gdt_desc) */
ENTRY(lgdt_mini)
	lgdt	(%rdi)			/* load the GDT */
	ret

/* void lidt_mini(void *idt_desc) */
ENTRY(lidt_mini)
	lidt	(%rdi)
	ret

/* Return to user space: swap GS back and return from the interrupt. */
ENTRY(return_to_user_mini)
	cli
	swapgs
	iretq

ENTRY(halt_cpu_mini)
	sti
	hlt				# wait for the next interrupt
	ret

#if defined(MINI_DEBUG_PORT)
/* Only debug kernels poke the POST port. */
ENTRY(post_code_mini)
	movl	%edi, %eax
	outb	%al, $0x80
	ret
#endif

	.data
banner:	.ascii "cli sti hlt are instructions, not here"
