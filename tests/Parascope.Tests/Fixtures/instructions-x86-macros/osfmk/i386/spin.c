/* A builtin inside a macro, used twice (original fixture code). */
#define SPIN_TIMESTAMP() __builtin_ia32_rdtsc() // expect: x86.rdtsc

unsigned long long
spin_begin(void)
{
	return SPIN_TIMESTAMP(); // ok: x86.rdtsc (an expansion)
}

unsigned long long
spin_end(void)
{
	return SPIN_TIMESTAMP(); // ok: x86.rdtsc (an expansion)
}

/* Apple's hypercall interface: vmcall in inline asm of a C function. */
static inline unsigned long
hv_ping(unsigned long code)
{
	unsigned long result;
	__asm__ volatile ("vmcall" : "=a" (result) : "a" (code)); // expect: x86.hypercall
	return result;
}

unsigned long
hv_ping_twice(void)
{
	return hv_ping(1) + hv_ping(2);
}
