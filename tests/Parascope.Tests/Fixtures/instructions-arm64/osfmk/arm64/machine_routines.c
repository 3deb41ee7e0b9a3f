typedef unsigned long long uint64_t;

#define SREG_TTBR0 "TTBR0_EL1"
/* A builtin in a macro body: one site, the #define; the use in ml_set_sctlr is its expansion. */
#define MSR(reg, value) __builtin_arm_wsr64(reg, value) // expect: arm64.sysreg-el1-write
static const char cpacr_name[] = "CPACR_EL1";

uint64_t
ml_get_ttbr0(void)
{
	return __builtin_arm_rsr64(SREG_TTBR0); // expect: arm64.sysreg-el1-read
}

void
ml_set_sctlr(uint64_t value)
{
	__builtin_arm_wsr64("SCTLR_EL1", value); // expect: arm64.sysreg-el1-write
	MSR("TCR_EL1", value);                   // ok: arm64.sysreg-el1-write
	__builtin_arm_wsr("DAIFSet", 3);         // expect: arm64.daif
}

uint64_t
ml_thread_pointer(void)
{
	__builtin_arm_wsr64("TPIDR_EL0", 0);      // ok: arm64.sysreg-el1-write
	return __builtin_arm_rsr64("TPIDR_EL0");  // ok: arm64.sysreg-el1-read
}

uint64_t
ml_impdef(void)
{
	__builtin_arm_wfi();                        // expect: arm64.wfi
	__builtin_arm_wfe();                        // expect: arm64.wfe
	return __builtin_arm_rsr64("S3_1_C15_C0_0"); // expect: arm64.sysreg-impdef
}

void
ml_inline(void)
{
	uint64_t v;
	__asm__ volatile ("mrs %0, TTBR1_EL1" : "=r" (v)); // expect: arm64.sysreg-el1-read
	__asm__ volatile ("msr DAIFSet, #(1 << 1)");       // expect: arm64.daif
	__asm__ volatile ("tlbi vmalle1\n"                 // expect: arm64.tlbi
	                  "dsb ish\n"
	                  "isb");
	__asm__ volatile ("str %0, [sp]" :: "r" (v));      // ok: x86.descriptor-table-read
}

#if CONFIG_NOT_BUILT
uint64_t
ml_skipped(void)
{
	__builtin_arm_wsr64(SREG_TTBR0, 0);          // expect-inactive: arm64.sysreg-el1-write
	return __builtin_arm_rsr64("TPIDR_EL0");      // ok: arm64.sysreg-el1-read
}
#endif

/* The register is a macro parameter: one site, the definition, with each expansion's register resolved. */
#define SREG_WRITE(SR, V) __asm__ volatile ("msr " SR ", %0 ; isb" : : "r" (V)) // expect: arm64.sysreg-impdef
#define SREG_READ(SR) ({ uint64_t VAL; __asm__ volatile ("mrs %0, " SR : "=r" (VAL)); VAL; }) // expect: arm64.sysreg-impdef

uint64_t
ml_pmc(void)
{
	SREG_WRITE("S3_1_C15_C0_0", 1);           // ok: arm64.sysreg-impdef
	(void)SREG_READ("TPIDR_EL0");             // ok: arm64.sysreg-el1-read
	return SREG_READ("S3_1_C15_C1_0");        // ok: arm64.sysreg-impdef
}

#ifdef KPC_DEBUG
static void
ml_pmc_dump(void)
{
	(void)SREG_READ("S3_1_C15_C2_0");         // ok: arm64.sysreg-impdef
}
#endif
