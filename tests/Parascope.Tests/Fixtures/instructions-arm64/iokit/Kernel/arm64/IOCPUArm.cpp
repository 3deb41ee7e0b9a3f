/* C++ with inline asm and builtins on arm64 (original fixture code). */
typedef unsigned long long uint64_t;

class IOCPUArm {
public:
	void idle();
	uint64_t id();
};

void
IOCPUArm::idle()
{
	__asm__ volatile ("dsb sy\n\twfi"); // expect: arm64.wfi
	__builtin_arm_wfe();                // expect: arm64.wfe
	__asm__ volatile ("isb");           // ok: arm64.wfi
}

uint64_t
IOCPUArm::id()
{
	uint64_t v;
	__asm__ volatile ("mrs %0, MIDR_EL1" : "=r" (v));  // expect: arm64.sysreg-el1-read
	__asm__ volatile ("mrs %0, CNTVCT_EL0" : "=r" (v)); // expect: arm64.counter-el0
	__asm__ volatile ("hvc #0x1");                      // expect: arm64.hvc
	return v + __builtin_arm_rsr64("NZCV");             // ok: arm64.sysreg-el1-read
}
