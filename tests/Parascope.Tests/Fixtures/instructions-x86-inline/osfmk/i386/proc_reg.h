/* Register access helpers in XNU's style (original fixture code). */
#ifndef _I386_PROC_REG_H_
#define _I386_PROC_REG_H_

#include <stdint.h>

static inline uintptr_t
get_cr3_raw(void)
{
	uintptr_t cr3;
	// expect: x86.cr3-read
	__asm__ volatile ("mov %%cr3, %0" : "=r" (cr3));
	return cr3;
}

static inline void
set_cr3_raw(uintptr_t value)
{
	// expect: x86.cr3-write
	__asm__ volatile ("mov %0, %%cr3" : : "r" (value) : "memory");
}

static inline uintptr_t
get_cr0(void)
{
	uintptr_t cr0;
	__asm__ volatile ("movq %%cr0, %0" : "=r" (cr0)); // expect: x86.cr0-read
	return cr0;
}

static inline void
set_cr4(uintptr_t value)
{
	__asm__ volatile ("movq %0, %%cr4" : : "r" (value)); // expect: x86.cr4-write
}

/* One finding at the definition; the expansion sites are listed with it. */
#define rdmsr(msr, lo, hi) \
	__asm__ volatile ("rdmsr" : "=a" (lo), "=d" (hi) : "c" (msr)) // expect: x86.msr-read

#define wrmsr(msr, lo, hi) \
	__asm__ volatile ("wrmsr" : : "c" (msr), "a" (lo), "d" (hi)) // expect: x86.msr-write

static inline void
flush_tlb_raw(void)
{
	set_cr3_raw(get_cr3_raw()); // expect: pt.mmu-control
}

static inline void
invlpg(uintptr_t addr)
{
	/* The C function is named like the instruction; only the asm counts. */
	__asm__ volatile ("invlpg (%0)" :: "r" (addr) : "memory"); // expect: x86.invlpg
}

#endif /* _I386_PROC_REG_H_ */
