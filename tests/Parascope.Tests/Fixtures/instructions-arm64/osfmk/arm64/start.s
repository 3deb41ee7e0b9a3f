/*
 * Start-up code in XNU's arm64 style (original fixture code).
 * msr ttbr0_el1 in a comment is not an instruction.
 */
#include <arm64/asm.h>
#include <arm64/proc_reg.h>

#define ARM64_REG_HID0	S3_0_C15_C0_0

#define DISABLE_IRQS	msr DAIFSet, #3		/* expect: arm64.daif */

	.text
	.align 2
	.globl EXT(start_cpu)
LEXT(start_cpu)
	msr	TTBR0_EL1, x0			// expect: arm64.sysreg-el1-write
	MRS	x1, TTBR1_EL1			// expect: arm64.sysreg-el1-read
	msr	VBAR_EL1, x2			// expect: arm64.sysreg-el1-write
	mrs	x0, TPIDR_EL0			// ok: arm64.sysreg-el1-read
	msr	TPIDRRO_EL0, x0			// expect: arm64.tpidrro-write
	mrs	x0, FPCR			// ok: arm64.sysreg-el1-read
	msr	SP_EL0, x3			// expect: arm64.sysreg-el1-write
	msr	HCR_EL2, x4			// expect: arm64.sysreg-el2
	mrs	x4, SCR_EL3			// expect: arm64.sysreg-el3
	mrs	x5, S3_0_C15_C0_0		// expect: arm64.sysreg-impdef
	msr	ARM64_REG_HID0, x5		// expect: arm64.sysreg-impdef
	msr	CNTP_CTL_EL0, x6		// expect: arm64.timer-physical
	msr	CNTV_CVAL_EL0, x6		// expect: arm64.timer-virtual
	mrs	x6, CNTVCT_EL0			// expect: arm64.counter-el0
	msr	DAIFClr, #(DAIFSC_IRQF)		// expect: arm64.daif
	tlbi	vmalle1is			// expect: arm64.tlbi
	dc	cisw, x0			// expect: arm64.dc-set-way
	dc	civac, x0			// expect: arm64.dc-va
	ic	iallu				// expect: arm64.ic
	at	s1e1r, x0			// expect: arm64.at
	isb					// ok: arm64.tlbi
	dsb	sy
	dmb	ish
	wfi					// expect: arm64.wfi
	wfe					// expect: arm64.wfe
	hvc	#0				// expect: arm64.hvc
	smc	#0				// expect: arm64.smc
	str	x0, [x1]			// ok: x86.descriptor-table-read
	hlt	#0				// ok: x86.hlt
	mov x0, x1 %% eret			// expect: arm64.eret
	nop ; eret (a comment on Darwin arm64)	// ok: arm64.eret
	.long	0xd518c000			// expect: arm64.sysreg-el1-write
	.long	0xd503207f			// expect: arm64.wfi
	.long	0x12345678			// ok: arm64.wfi
	DISABLE_IRQS				// ok: arm64.daif
wfi_spin:					// ok: arm64.wfi
	b	wfi_spin
	.asciz	"msr ttbr0_el1, x0"		// ok: arm64.sysreg-el1-write

#if defined(__x86_64__)
	msr	SCTLR_EL1, x0			// expect-inactive: arm64.sysreg-el1-write
#endif
