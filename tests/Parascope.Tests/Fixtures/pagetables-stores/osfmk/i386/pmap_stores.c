/*
 * Parascope fixture: every form of a PTE store, and what is not one (original code).
 */
#include "pmap_stores.h"

pt_entry_t kernel_ptes[512];

void
store_forms(struct pmap *pmap, pt_entry_t *ptep, leaf_entry_t *leafp, uintptr_t va, int i)	// expect: pt.pte-store-wrapper
{
	*ptep = INTEL_PTE_VALID;		// expect: pt.pte-store
	ptep[i] = 0;				// expect: pt.pte-store
	pmap->dirbase[i] = INTEL_PTE_WRITE;	// expect: pt.pte-store
	pmap->pm_pdpt[1] = 0;			// expect: pt.pte-store
	pmap->pm_template = INTEL_PTE_VALID;	// expect: pt.pte-store
	*(pt_entry_t *)va = 0;			// expect: pt.pte-store
	*leafp = INTEL_PTE_REF;			// expect: pt.pte-store
	kernel_ptes[i] = 0;			// expect: pt.pte-store
	(*ptep) = 0;				// expect: pt.pte-store
	*pmap->pm_pml4 = 0;			// expect: pt.pte-store
}

void
compound_and_increment(struct pmap *pmap, pt_entry_t *ptep, int i)	// expect: pt.pte-store-wrapper
{
	*ptep |= INTEL_PTE_WRITE;		// expect: pt.pte-store
	ptep[i] &= ~INTEL_PTE_REF;		// expect: pt.pte-store
	pmap->dirbase[0] ^= INTEL_PTE_VALID;	// expect: pt.pte-store
	(*ptep)++;				// expect: pt.pte-store
	--ptep[i];				// expect: pt.pte-store
	PTE_STORE_MACRO(ptep, 0);		/* reported at the #define */
	PTE_CLEAR_PAIR(ptep);
}

void
bulk_stores(struct pmap *pmap, pt_entry_t *ptes, size_t n)	// expect: pt.pte-store-wrapper
{
	memset(ptes, 0, n * sizeof(pt_entry_t));		// expect: pt.pte-store
	bzero(pmap->dirbase, 4096);				// expect: pt.pte-store
	bcopy(ptes, (void *)&pmap->pm_pdpt[0], 32);		// expect: pt.pte-store
	bzero(&pmap->pm_template, sizeof(pt_entry_t));		// expect: pt.pte-store
	PTE_STORE_MACRO(&ptes[1], INTEL_PTE_VALID);
	PTE_CLEAR_PAIR(ptes);
	PTE_LOCKED(ptes[2] = 0);				// expect: pt.pte-store
}

uint64_t
not_stores(struct pmap *pmap, struct shadow *shadow, pt_entry_t *ptep, uint64_t *words, int i)
{
	pt_entry_t template = INTEL_PTE_VALID;	/* a declaration, not a store */
	pt_entry_t local_table[4];
	uint64_t sum;

	template = *ptep | INTEL_PTE_WRITE;	// ok: pt.pte-store
	template |= INTEL_PTE_REF;		// ok: pt.pte-store
	template++;				// ok: pt.pte-store
	local_table[i] = template;		// ok: pt.pte-store
	*words = 0;				// ok: pt.pte-store
	words[i] |= 1;				// ok: pt.pte-store
	shadow->dirbase = 0;			// ok: pt.pte-store
	shadow->slots[i] = 0;			// ok: pt.pte-store
	ptep = pmap->dirbase;			// ok: pt.pte-store
	ptep++;					// ok: pt.pte-store
	memset(&template, 0, sizeof(template));	// ok: pt.pte-store
	memset(words, 0, 64);			// ok: pt.pte-store
	sum = *ptep & ~INTEL_PTE_REF;		// ok: pt.pte-store
	sum += ~*ptep;				// ok: pt.pte-store
	return sum + template + local_table[0] + (uint64_t)pmap->ref_count;
}

/*
 * A loop opened under one conditional and closed under a later one with the same test (xnu-4903 arm_vm_init):
 * the store in the skipped branch after them is still inside the function and sees its declarations.
 */
void
window_init(pt_entry_t *base, int n)
{
#if !TWO_LEVEL_TABLES
	pt_entry_t *l1;
#else
	/* two levels: no L1 table */
#endif
	pt_entry_t *l2 = base;

#if !TWO_LEVEL_TABLES
	l1 = base;
	while (n > 0) {
#else
		n = 1;
#endif
		l2++;
#if !TWO_LEVEL_TABLES
		l1++;
		n--;
	}
#endif

#if SUBPAGE_L1
	*l1 = 0;				// expect-inactive: pt.pte-store
#endif
}

int
swap_out(pt_entry_t *ptep)					// expect: pt.pte-store-wrapper
{
	return PTE_SWAP_OUT(ptep, 0, INTEL_PTE_VALID);
}
