/*
 * Counter, PMU, speculation-restriction and Apple register accesses in XNU's arm64 style
 * (original fixture code): EL0-accessible only where EL1 allows it, or implementation-defined.
 */
	.text
	.align 2
	.globl EXT(read_counters)
LEXT(read_counters)
	mrs	x0, CNTFRQ_EL0			// expect: arm64.counter-el0
	mrs	x1, CNTVCTSS_EL0		// expect: arm64.counter-el0
	mrs	x2, PMCR_EL0			// expect: arm64.sysreg-el0-trapped
	msr	PMCCNTR_EL0, xzr		// expect: arm64.sysreg-el0-trapped
	mrs	x3, AMCR_EL0			// expect: arm64.sysreg-el0-trapped
	mrs	x4, TPIDR_EL0			// ok: arm64.sysreg-el0-trapped
	mrs	x5, CurrentG			// expect: arm64.sysreg-impdef
	cfp	rctx, x6			// expect: arm64.rctx
	dvp	rctx, x6			// expect: arm64.rctx
	cpp	rctx, x6			// expect: arm64.rctx
	ret
