/*
 * Exception-entry state handling in XNU's arm64 style (original fixture code):
 * PSTATE and thread-pointer accesses that are EL1-only by the architecture.
 */
	.text
	.align 2
	.globl EXT(save_state)
LEXT(save_state)
	mrs	x1, DAIF			// expect: arm64.daif-read
	msr	DAIF, x1			// expect: arm64.daif
	msr	SPSel, #0			// expect: arm64.sysreg-el1-write
	msr	SPSel, x2			// expect: arm64.sysreg-el1-write
	mrs	x2, SPSel			// expect: arm64.sysreg-el1-read
	msr	TPIDRRO_EL0, x3			// expect: arm64.tpidrro-write
	mrs	x3, TPIDRRO_EL0			// ok: arm64.tpidrro-write
	ic	ivau, x4			// expect: arm64.ic
	ret
