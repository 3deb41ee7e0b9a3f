/* C accessors whose system register is a macro parameter (original fixture code). */
#define MSR(reg, src)	__asm__ volatile ("msr " reg ", %0" :: "r" (src))	// expect: arm64.sysreg-el1-write
#define MRS(dest, reg)	__asm__ volatile ("mrs %0, " reg : "=r" (dest))	// expect: arm64.sysreg-el1-read
#define SET_DBGBVR(n, value) \
	__asm__ volatile ("msr DBGBVR" #n "_EL1, %0" :: "r" (value))		// expect: arm64.sysreg-el1-write
/* The parameter is the destination, the register is named: an EL0-readable one is no site. */
#define READ_TPIDRRO(dest)	__asm__ volatile ("mrs %0, TPIDRRO_EL0" : "=r" (dest))	// ok: arm64.sysreg-parameter
#define GET_THREAD(_reg)	__asm__ volatile ("mrs " #_reg ", TPIDRRO_EL0")		// ok: arm64.sysreg-parameter
