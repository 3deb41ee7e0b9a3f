/* Register helpers shared by C and assembly (original fixture code). */
#ifndef _ARM64_PROC_REG_H_
#define _ARM64_PROC_REG_H_

#ifdef __ASSEMBLER__
.macro	LOAD_KERNEL_TTBR
	mrs	x0, TTBR1_EL1		// expect: arm64.sysreg-el1-read
	msr	TTBR0_EL1, x0		// expect: arm64.sysreg-el1-write
.endm

#define SET_VBAR(reg)	msr VBAR_EL1, reg	/* expect: arm64.sysreg-el1-write */
#else
/* C side: a function named like an instruction is not one. */
static inline void eret(void) { }
int msr_count;
#endif /* __ASSEMBLER__ */

#endif
