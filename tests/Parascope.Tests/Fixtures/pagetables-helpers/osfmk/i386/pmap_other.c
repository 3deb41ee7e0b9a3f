/*
 * Parascope fixture: a second unit that calls the wrapper (original code).
 */
#include "pmap_helpers.h"

void
clear_last(pd_entry_t *pdes, int n)
{
	pde_clear(&pdes[n - 1]);
}

void
load_windows(pt_entry_t *kpdp, pt_entry_t *updp, pt_entry_t *physp, pt_entry_t phys)
{
	PMAP_LOAD_WINDOWS(kpdp, updp, physp, phys);
}
