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

/* arm64 helpers and the SPTM's table calls, by name. */
extern void write_pte_strong(pt_entry_t *ptep, pt_entry_t value);
extern int sptm_map_page(uint64_t table, uint64_t va, pt_entry_t value);

void
arm_style(pt_entry_t *ptep, uint64_t table)
{
	write_pte_strong(ptep, INTEL_PTE_VALID);	// expect: pt.pte-store-helper
	(void)sptm_map_page(table, 0, INTEL_PTE_VALID);	// expect: pt.pte-store-helper
}
