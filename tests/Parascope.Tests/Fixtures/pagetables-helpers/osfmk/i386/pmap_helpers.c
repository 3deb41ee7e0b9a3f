/*
 * Parascope fixture: helper calls, wrapper callers, a same-named function of another kind (original code).
 */
#include "pmap_helpers.h"

void
enter_one(pt_entry_t *ptep, uint64_t pa)
{
	pmap_store_pte(ptep, (pa & PG_FRAME) | INTEL_PTE_VALID);	// expect: pt.pte-store-helper
}

void
protect_one(pt_entry_t *ptep)
{
	pt_entry_t old = *ptep;

	pmap_update_pte(ptep, old, old & ~INTEL_PTE_VALID);	// expect: pt.pte-store-helper
}

void
clear_directory(pd_entry_t *pdes, int n)
{
	for (int i = 0; i < n; i++) {
		pde_clear(&pdes[i]);
	}
}

void
clear_first(pd_entry_t *pdes)
{
	pde_clear(pdes);
}
