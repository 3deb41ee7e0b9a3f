/*
 * Written for Parascope's tests in the style of a kernel's machine layer; none of it is Apple's code.
 * Time sources: a frequency from the booter's properties, a ratio from an MSR, the invariant-TSC bit;
 * the core count from an MSR a hypervisor need not offer.
 */
#include "cpu_ident.h"

uint64_t tsc_freq;

void
tsc_ident_init(void)
{
	uint64_t busFreq;
	uint64_t ratio;

	busFreq = EFI_get_frequency("FSBFrequency"); // expect: platform.time-source-firmware
	ratio = rdmsr64(MSR_PLATFORM_INFO); // expect: platform.time-source-msr
	(void)rdmsr64(0x10); // ok: platform.time-source-msr
	if (busFreq != 0) {
		tsc_freq = busFreq * ((ratio >> 8) & 0xff);
	} else {
		panic("tsc_ident_init: no bus frequency");
	}
	// expect: platform.invariant-tsc
	if ((cpuid_extfeatures() & CPUID_EXTFEATURE_TSCI) == 0) {
		kprintf("TSC is not invariant\n");
	}
}

uint32_t core_count;

void
tsc_ident_topology(void)
{
	uint64_t msr = rdmsr64(MSR_CORE_THREAD_COUNT); // expect: platform.msr-refused
	(void)rdmsr64(MSR_TSC_AUX); // ok: platform.msr-refused

	core_count = (uint32_t)((msr >> 16) & 0xffff);
}
