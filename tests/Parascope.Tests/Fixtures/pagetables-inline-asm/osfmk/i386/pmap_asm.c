/*
 * Parascope fixture: inline-asm PTE stores and reads, and stores in branches no configuration compiles
 * (original code, in the style of XNU's i386 pmap).
 */
#include "pmap_asm.h"

/* The macro's asm stores through the parameter: this function is a store wrapper too. */
void
pmap_enter_asm(pt_entry_t *ptep, pt_entry_t template)	// expect: pt.pte-store-wrapper
{
	pmap_store_pte(ptep, template);		// expect: pt.pte-store-helper
	PTE_ASM_CLEAR(ptep + 1);
}

/* A read-modify-write on the entry's memory operand: an atomic update. */
void
pte_set_wired_asm(pt_entry_t *ptep)	// expect: pt.pte-store-wrapper
{
	__asm__ volatile("lock; orq %1, %0"	// expect: pt.pte-atomic
		: "+m" (*ptep)
		: "r" (PTE_WIRED)
		: "cc");
}

/* An "m" input only read, and a register operand compared: no store. */
int
pte_is_valid_asm(pt_entry_t *ptep)
{
	pt_entry_t value;
	int bit;

	__asm__ volatile("movq %1, %0" : "=r" (value) : "m" (*ptep));	// ok: pt.pte-store
	__asm__ volatile("btq $0, %1; setc %b0" : "=q" (bit) : "m" (*ptep) : "cc");	// ok: pt.pte-store, pt.pte-atomic
	return bit && value != 0;
}

/* A store to a local through asm is not a page-table store. */
pt_entry_t
pte_make_asm(pt_entry_t pa)
{
	pt_entry_t pte;

	__asm__ volatile("movq %1, %0" : "=m" (pte) : "r" (pa | PTE_VALID));	// ok: pt.pte-store
	return pte;
}

void
pmap_remove_range_asm(pt_entry_t *spte, pt_entry_t *epte, pd_entry_t *pdep)	// expect: pt.pte-store-wrapper
{
	pt_entry_t *cpte;

	for (cpte = spte; cpte < epte; cpte++) {
#if 0
		*cpte = 0;			// expect-inactive: pt.pte-store
#endif
	}
#ifdef MACH_KDB
	if (*pdep == 0)			// ok: pt.pte-store
		pdep[1] = PTE_VALID;	// expect-inactive: pt.pte-store
	if (spte[0] != epte[0] && *spte >= PTE_VALID)	// ok: pt.pte-store
		return;
	pt_entry_t *saved = spte;	// ok: pt.pte-store
	pmap_store_pte(epte, 0);	// expect-inactive: pt.pte-store-helper
#else
	*pdep |= PTE_VALID;		// expect: pt.pte-store
#endif
}
