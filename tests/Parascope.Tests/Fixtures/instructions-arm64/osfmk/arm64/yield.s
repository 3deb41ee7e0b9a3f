/*
 * Yielding the CPU (original fixture code). Whether the hypercall or the wait is assembled is decided by a macro
 * cpu_capabilities_asm.h defines: the scan must preprocess the file with its headers, as the build does.
 */
#include "cpu_capabilities_asm.h"

	.text
	.align 2
	.globl _cpu_yield
_cpu_yield:
#if HAS_PARAVIRTUALIZED_YIELD
	hvc	#0x2				// expect: arm64.hvc
#else
	wfe					// expect-inactive: arm64.wfe
#endif
#ifdef HAS_CLUSTER_IDLE
	msr	S3_5_C15_C5_0, x0		// expect-inactive: arm64.sysreg-impdef
#endif
	ret
