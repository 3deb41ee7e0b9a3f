/*
 * Parascope fixture: a second unit that calls the wrapper (original code).
 */
#include "pmap_helpers.h"

void
clear_last(pd_entry_t *pdes, int n)
{
	pde_clear(&pdes[n - 1]);
}
