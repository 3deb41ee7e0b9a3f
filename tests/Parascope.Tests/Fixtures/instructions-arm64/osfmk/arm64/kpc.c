typedef unsigned long long uint64_t;

/*
 * The PMU registers as strings, one name each (xnu-4903's kpc.c style): the accessors below paste the name,
 * not a literal, into the template, so a use's register is the value of the macro its argument names.
 */
#define SREG_PMCR0 "S3_1_c15_c0_0"
#define SREG_PMCR1 "S3_1_c15_c1_0"
#define SREG_PMC2  "S3_2_c15_c2_0"

#define SREG_WRITE(SR, V) __asm__ volatile("msr " SR ", %0 ; isb" : : "r"(V)) // expect: arm64.sysreg-impdef
#define SREG_READ(SR)     ({ uint64_t VAL; \
	                     __asm__ volatile("mrs %0, " SR : "=r"(VAL)); /* expect: arm64.sysreg-impdef */ \
	                     VAL; })

void
kpc_enable(uint64_t mask)
{
	uint64_t pmcr0 = SREG_READ(SREG_PMCR0) | mask; // ok: arm64.sysreg-impdef
	SREG_WRITE(SREG_PMCR0, pmcr0);                 // ok: arm64.sysreg-impdef
}

uint64_t
kpc_read_pmc2(void)
{
	return SREG_READ(SREG_PMC2);                   // ok: arm64.sysreg-impdef
}

#ifdef KPC_DEBUG
static void
kpc_dump(void)
{
	(void)SREG_READ(SREG_PMCR1);                   // ok: arm64.sysreg-impdef
}
#endif
