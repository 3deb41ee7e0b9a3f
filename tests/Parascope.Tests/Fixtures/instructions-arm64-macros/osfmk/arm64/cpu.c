/* Uses of sysreg.h's accessors (original fixture code): expansions of its definitions. */
#include "sysreg.h"

typedef unsigned long long uint64_t;

void
cpu_set_vectors(uint64_t base)
{
	MSR("VBAR_EL1", base);		// ok: arm64.sysreg-el1-write
	MSR("ACTLR_EL1", 0);		// ok: arm64.sysreg-el1-write
}

uint64_t
cpu_read_tcr(void)
{
	uint64_t value;
	MRS(value, "TCR_EL1");		// ok: arm64.sysreg-el1-read
	return value;
}

void
cpu_set_breakpoints(uint64_t a, uint64_t b)
{
	SET_DBGBVR(0, a);		// ok: arm64.sysreg-el1-write
	SET_DBGBVR(1, b);		// ok: arm64.sysreg-el1-write
}
