/*
 * mini-xnu: arm64 machine routines. Original code for Parascope's sample tree.
 * Scanned for arm64 only (parascope scan samples/mini-xnu --arch arm64).
 */
#include <stdint.h>

#define SREG_TTBR0	"TTBR0_EL1"

static inline void
set_mmu_ttb_mini(uint64_t ttb)
{
	__asm__ volatile("msr TTBR0_EL1, %0\n"
	                 "isb sy" : : "r" (ttb));
}

static inline void
flush_mmu_tlb_mini(void)
{
	__asm__ volatile("dsb ish\n"
	                 "tlbi vmalle1is\n"
	                 "dsb ish\n"
	                 "isb sy");
}

uint64_t
get_ttbr0_mini(void)
{
	return __builtin_arm_rsr64(SREG_TTBR0);
}

uint64_t
get_thread_pointer_mini(void)
{
	return __builtin_arm_rsr64("TPIDR_EL0");	/* EL0 register: fine in a guest */
}

void
machine_idle_mini(void)
{
	__builtin_arm_wfi();
	__asm__ volatile("msr DAIFClr, #(1 << 1)");
}
