/*
 * instructions fixture: the rarely used control-register and descriptor-table accessors
 * (LDT load, CR2 write, CR8 read), in XNU's inline style. Original code written for Parascope's tests.
 */
#ifndef _FIXTURE_SEG_H_
#define _FIXTURE_SEG_H_

#include <stdint.h>

static inline void
fixture_lldt(uint16_t selector)
{
	/* A null selector disables the LDT; the guest asks Xen for MMUEXT_SET_LDT instead. */
	__asm__ volatile ("lldt %0" : : "rm" (selector)); // expect: x86.lldt
}

static inline uintptr_t
fixture_get_cr8(void)
{
	uintptr_t tpr;
	// expect: x86.cr8-read
	__asm__ volatile ("movq %%cr8, %0" : "=r" (tpr));
	return tpr;
}

static inline void
fixture_set_cr2(uintptr_t fault_address)
{
	/* A debugger restoring the faulting address it saved before a nested fault. */
	__asm__ volatile ("mov %0, %%cr2" : : "r" (fault_address)); // expect: x86.cr2-write
}

static inline uintptr_t
fixture_get_cr2(void)
{
	uintptr_t address;
	__asm__ volatile ("mov %%cr2, %0" : "=r" (address)); // expect: x86.cr2-read
	return address;
}

#endif /* _FIXTURE_SEG_H_ */
