/*
 * Parascope fixture: PTE stores written in inline asm, in the style of XNU's i386 pmap.h (original code).
 */
#ifndef PMAP_ASM_H
#define PMAP_ASM_H

typedef unsigned int		uint32_t;
typedef unsigned long long	uint64_t;
typedef uint64_t		pt_entry_t;
typedef uint64_t		pd_entry_t;

#define PTE_VALID	0x1ULL
#define PTE_WIRED	0x400ULL

/*
 * Store a PTE with an 8-byte compare-and-exchange loop: the old value is read into
 * edx:eax, the new one is in ecx:ebx, and the store retries until it wins.
 */
static inline void
pmap_store_pte(pt_entry_t *entryp, pt_entry_t value)
{
	__asm__ volatile(
		"	movl	(%0), %%eax	\n\t"	/* a load: not the store */
		"	movl	4(%0), %%edx	\n\t"
		"1:				\n\t"
		"	cmpxchg8b (%0)		\n\t"	// expect: pt.pte-atomic
		"	jnz 1b"
		:
		: "D" (entryp),
		  "b" ((uint32_t)value),
		  "c" ((uint32_t)(value >> 32))
		: "eax", "edx", "memory");
}

/* Reading an entry through the same kind of operand is not a store. */
static inline pt_entry_t
pmap_load_pte(pt_entry_t *entryp)
{
	uint32_t lo, hi;

	__asm__ volatile(
		"movl (%2), %0	\n\t"		// ok: pt.pte-store, pt.pte-atomic
		"movl 4(%2), %1"
		: "=r" (lo), "=r" (hi)
		: "r" (entryp)
		: "memory");
	return ((pt_entry_t)hi << 32) | lo;
}

/* Stored through an "m" operand written in a macro: reported once, at the #define. */
#define PTE_ASM_CLEAR(p)	__asm__ volatile("movq $0, %0" : "=m" (*(p)))	// expect: pt.pte-store

#endif /* PMAP_ASM_H */
