/*
 * Uses of the header's macros (original fixture code): expansions, not sites.
 */
#include <arm64/exc_asm.h>

	.text
	.align 2
	.globl _el1_sync
_el1_sync:
	SAVE_EL1_STATE
	SET_SYSREG TTBR0_EL1, x0
	SET_SYSREG S3_0_C15_C2_0, x1
	WRITE_FIELD SCTLR_EL1, x3
	PV_HYPERCALL
	eret				// expect: arm64.eret
