#include <cpuid.h>
#include <x86intrin.h>

#define RDTSC_NOW() __builtin_ia32_rdtsc() // expect: x86.rdtsc (one site; line 20 is its expansion)

static inline unsigned long long
tsc_inline(void)
{
	return __rdtsc(); // expect: x86.rdtsc
}

unsigned long long
tsc_read(void)
{
	unsigned int a, b, c, d, aux;
	__cpuid(0, a, b, c, d);                     // expect: x86.cpuid
	__cpuid_count(7, 0, a, b, c, d);            // expect: x86.cpuid
	(void)__rdtscp(&aux);                       // expect: x86.rdtsc
	(void)__builtin_ia32_rdpmc(0);              // expect: x86.rdpmc
	(void)RDTSC_NOW();                          // ok: x86.rdtsc
	(void)__builtin_ia32_readeflags_u64();      // expect: x86.pushf-popf
	return tsc_inline() + __builtin_ia32_rdtsc(); // expect: x86.rdtsc
}

/* Not counted: ordinary builtins and a function merely named like one. */
static int rdtsc_calls;
unsigned long long
tsc_other(void)
{
	rdtsc_calls++;
	return __builtin_expect(rdtsc_calls, 1) + __builtin_popcount(3); // ok: x86.rdtsc
}
