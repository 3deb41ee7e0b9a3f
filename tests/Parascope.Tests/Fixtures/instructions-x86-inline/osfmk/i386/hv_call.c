/*
 * A hypercall wrapper in XNU's style (original fixture code): the kernel asks the hypervisor
 * it runs on for a service, with the call number in %rax.
 */
#include <stdint.h>

static inline uint64_t
hv_call(uint64_t nr, uint64_t arg)
{
	uint64_t ret;
	__asm__ volatile ("vmcall" : "=a" (ret) : "a" (nr), "D" (arg) : "memory"); // expect: x86.hypercall
	return ret;
}

uint64_t
hv_get_version(void)
{
	/* vmcall here is a comment */
	return hv_call(1, 0);
}
