/*
 * Written for Parascope's tests in the style of a kernel's machine layer; none of it is Apple's code.
 * Hypervisor detection: the present bit, the vendor leaf, a vendor switch, and what each vendor changes.
 */
#include "cpu_ident.h"

static vmm_ident_t vmm;

#define VMM_FAMILY_NONE         0
#define VMM_FAMILY_UNKNOWN      1
#define VMM_FAMILY_ONE          2
#define VMM_FAMILY_TWO          3

void
vmm_ident_init(void)
{
	uint32_t regs[4];

	// expect: platform.hypervisor-detect
	if (!(cpuid_features() & CPUID_FEATURE_VMM)) {
		vmm.cpuid_vmm_family = VMM_FAMILY_NONE;
		return;
	}
	do_cpuid(0x40000000, regs); // expect: platform.hypervisor-leaf
	// expect: platform.hypervisor-detect
	if (0 == strcmp(vmm.cpuid_vmm_vendor, VMM_ID_ONE)) {
		vmm.cpuid_vmm_family = VMM_FAMILY_ONE;
	// expect: platform.hypervisor-detect
	} else if (0 == bcmp(vmm.cpuid_vmm_vendor, VMM_ID_TWO, 12)) {
		vmm.cpuid_vmm_family = VMM_FAMILY_TWO;
	} else {
		vmm.cpuid_vmm_family = VMM_FAMILY_UNKNOWN;
	}
}

uint64_t
vmm_tsc_frequency(void)
{
	uint32_t regs[4];

	do_cpuid(0x40000010, regs); // expect: platform.time-source-cpuid
	return (uint64_t)regs[0] * 1000;
}

void
vmm_apply(void)
{
	// expect: platform.hypervisor-detect
	switch (vmm.cpuid_vmm_family) {
	case VMM_FAMILY_ONE:
		use_vmm_timer();
		break;
	case VMM_FAMILY_TWO:
		enable_pv_locks();
		break;
	default:
		break;
	}
}
