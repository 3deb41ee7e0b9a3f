/*
 * mini-xnu: processor register accessors for i386/x86_64.
 * Written for Parascope's sample tree in the style of osfmk/i386.
 */
#ifndef _I386_PROC_REG_MINI_H_
#define _I386_PROC_REG_MINI_H_

#include <stdint.h>

#define CR0_PG	0x80000000
#define CR4_PGE	0x00000080

#define MSR_IA32_APIC_BASE	0x1b
#define MSR_IA32_KERNEL_GS_BASE	0xc0000102

/* One macro, many users: a porter changes it once. */
#define wrmsr(msr, lo, hi) \
	__asm__ volatile("wrmsr" : : "c" (msr), "a" (lo), "d" (hi))

static inline uintptr_t
get_cr3_raw(void)
{
	uintptr_t cr3;
	__asm__ volatile("mov %%cr3, %0" : "=r" (cr3));
	return cr3;
}

static inline void
set_cr3_raw(uintptr_t value)
{
	__asm__ volatile("mov %0, %%cr3" : : "r" (value) : "memory");
}

static inline uint64_t
rdmsr64(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a" (lo), "=d" (hi) : "c" (msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void
wrmsr64(uint32_t msr, uint64_t value)
{
	wrmsr(msr, (uint32_t)value, (uint32_t)(value >> 32));
}

static inline void
invlpg(uintptr_t addr)
{
	__asm__ volatile("invlpg (%0)" : : "r" (addr) : "memory");
}

static inline void
ml_cli(void)
{
	__asm__ volatile("cli");
}

static inline void
ml_sti(void)
{
	__asm__ volatile("sti");
}

static inline uint64_t
rdtsc64(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence\n\t"
	                 "rdtsc" : "=a" (lo), "=d" (hi));
	return ((uint64_t)hi << 32) | lo;
}

#endif /* _I386_PROC_REG_MINI_H_ */
