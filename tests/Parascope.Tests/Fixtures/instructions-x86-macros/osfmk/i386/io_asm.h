/*
 * Port-I/O and post-code helpers shared by C and assembly (original fixture code).
 * The assembler part is one site per macro: its #define line; the .s files that
 * use POST_CODE are its expansions.
 */
#ifndef _I386_IO_ASM_H_
#define _I386_IO_ASM_H_

#define POST_PORT	0x80

#ifdef __ASSEMBLER__
#define POST_CODE(value)			\
	movb	$(value), %al		;	\
	outb	%al, $(POST_PORT)	/* expect: x86.port-io */
#else
extern void post_code(unsigned char value);
#endif /* __ASSEMBLER__ */

#endif /* _I386_IO_ASM_H_ */
