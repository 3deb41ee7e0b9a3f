/*
 * Written for Parascope's tests in the style of a kernel's machine layer; none of it is Apple's code.
 * CPU identity gates: a model table, a vendor check that panics, and reads that gate nothing.
 */
#include "cpu_ident.h"

static cpu_ident_t ident;

uint32_t
cpu_ident_family(cpu_ident_t *info)
{
	uint32_t family = CPU_FAMILY_UNKNOWN;

	// expect: platform.cpu-identity-gate
	switch (info->cpuid_model) {
	case CPUID_MODEL_ALPHA:
	case CPUID_MODEL_BRAVO:
		family = CPU_FAMILY_ONE;
		break;
	case CPUID_MODEL_CHARLIE:
		family = CPU_FAMILY_TWO;
		break;
	}
	info->cpuid_cpufamily = family;
	return family;
}

void
cpu_ident_check(void)
{
	cpu_ident_t *info = &ident;

	/* the kernel refuses a CPU whose vendor or model it does not know */
	// expect: platform.cpu-identity-gate
	if (strncmp(CPUID_VID_INTEL, info->cpuid_vendor, 12) != 0 ||
	    cpu_ident_family(info) == CPU_FAMILY_UNKNOWN) {
		panic("Unknown CPU");
	}
}

void
cpu_ident_timer(void)
{
	uint32_t cpuFamily = cpuid_info()->cpuid_family;

	// expect: platform.cpu-identity-gate
	if (cpuFamily == 6) {
		kprintf("family 6\n");
	} else {
		panic("timer: unknown CPU family: 0x%X\n", cpuFamily);
	}
}

void
cpu_ident_print(void)
{
	/* a CPUID read used only for logging: no gate */
	kprintf("family %u cores %u\n", cpuid_family(), cpuid_info()->cpuid_cores); // ok: platform.cpu-identity-gate

	/* a feature print: the test decides a message, nothing refuses */
	// ok: platform.cpu-identity-gate
	if (cpuid_features() & CPUID_FEATURE_SSE2) {
		kprintf("SSE2\n");
	}
}
