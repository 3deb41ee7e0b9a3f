/*
 * Parascope fixture: PTE-store helpers in XNU's style (original code).
 */
#ifndef PMAP_HELPERS_H
#define PMAP_HELPERS_H

typedef unsigned long long	uint64_t;
typedef unsigned long		uintptr_t;
typedef int			boolean_t;
typedef uint64_t		pt_entry_t;
typedef uint64_t		pd_entry_t;

#define INTEL_PTE_VALID	0x1ULL
#define PG_FRAME	0x000ffffffffff000ULL

/* Listed in the rules: its calls are sites, its definition is not a wrapper finding. */
static inline void
pmap_store_pte(pt_entry_t *entryp, pt_entry_t value)
{
	*entryp = value;	// expect: pt.pte-store
}

static inline boolean_t
pmap_cmpx_pte(pt_entry_t *entryp, pt_entry_t old, pt_entry_t new)
{
	return __sync_bool_compare_and_swap(entryp, old, new);	// expect: pt.pte-atomic
}

/* A helper macro as xnu-792 wrote pmap_update_pte. */
#define pmap_update_pte(entryp, old, new) \
	while (!pmap_cmpx_pte((entryp), (old), (new)))

/* Two helper calls in one macro body (xnu-792's PMAP_SWITCH_CONTEXT): each is a site, at its own line. */
#define PMAP_LOAD_WINDOWS(kpdp, updp, physp, phys)			\
	do {								\
		pmap_store_pte((kpdp), *(updp));	/* expect: pt.pte-store-helper */ \
		if ((physp) != 0)					\
			pmap_store_pte((physp), (phys));	/* expect: pt.pte-store-helper */ \
	} while (0)

/* Not listed anywhere: found because it stores through its parameter. */
static inline void
pde_clear(pd_entry_t *pdep)	// expect: pt.pte-store-wrapper
{
	*pdep = 0;	// expect: pt.pte-store
}

#endif
