#define SREG_WRITE(SR, V) __asm__ volatile ("msr " SR ", %0" : : "r" (V)) /* expect-inactive: arm64.sysreg-parameter (no use gives the register) */
#define PE_WFI() __asm__ volatile ("wfi") /* expect-inactive: arm64.wfi (no unit includes this header) */
