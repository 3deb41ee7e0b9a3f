/*
 * Parascope fixture: atomic updates of PTEs, and atomics that are not (original code).
 */
typedef unsigned long long	uint64_t;
typedef uint64_t		pt_entry_t;
typedef uint64_t		pd_entry_t;

#define INTEL_PTE_REF	0x20ULL
#define INTEL_PTE_MOD	0x40ULL

/* The shape of XNU's os_atomic_*: a cast to an _Atomic pointer around a C11 builtin. */
#define os_atomic_or_orig(p, v)	__c11_atomic_fetch_or((_Atomic pt_entry_t *)(p), (v), __ATOMIC_RELAXED)


uint64_t refcount;
typedef unsigned long uintptr_t;

/* The shape of XNU's os_atomic_store/load: a statement expression, a typeof cast through uintptr_t. */
#define os_cast_atomic_ptr(p)	(__typeof__(*(p)) volatile _Atomic *)(uintptr_t)(p)
#define os_atomic_store_rel(p, v)	({ __auto_type _v = (v); __c11_atomic_store(os_cast_atomic_ptr(p), _v, __ATOMIC_RELEASE); })
#define os_atomic_load_rlx(p)	({ __c11_atomic_load(os_cast_atomic_ptr(p), __ATOMIC_RELAXED); })

void
publish(pt_entry_t **pair, pt_entry_t value)
{
	os_atomic_store_rel(pair[1], value);	// expect: pt.pte-atomic
	if (os_atomic_load_rlx(pair[0]) != value) {	// ok: pt.pte-atomic
		os_atomic_store_rel(&refcount, 1);	// ok: pt.pte-atomic
	}
}

int
clear_ref_mod(pt_entry_t *ptep, pd_entry_t *pdep, uint64_t *counter)	// expect: pt.pte-store-wrapper
{
	pt_entry_t old = *ptep;
	int changed = 0;

	changed += __sync_bool_compare_and_swap(ptep, old, old & ~INTEL_PTE_REF);	// expect: pt.pte-atomic
	__atomic_fetch_and(pdep, ~INTEL_PTE_MOD, __ATOMIC_SEQ_CST);	// expect: pt.pte-atomic
	__atomic_store_n(&ptep[1], 0, __ATOMIC_RELEASE);		// expect: pt.pte-atomic
	(void)os_atomic_or_orig(ptep, INTEL_PTE_REF);			// expect: pt.pte-atomic
	__sync_fetch_and_add(counter, 1);				// ok: pt.pte-atomic
	__atomic_fetch_add(&refcount, 1, __ATOMIC_RELAXED);		// ok: pt.pte-atomic
	__atomic_store_n(&old, 0, __ATOMIC_RELAXED);			// ok: pt.pte-atomic
	return changed + (int)old;
}

/* A designated initializer of a PTE-pointer field is no atomic (xnu-11417's SPTM pmap_tlb_flush_range_t). */
typedef struct {
	void		*ptfr_pmap;
	pt_entry_t	*current_ptep;
	unsigned int	pending_entries;
} flush_range_t;

void
start_flush(void *pmap, flush_range_t *out)
{
	flush_range_t range = {
		.ptfr_pmap = pmap,
		.current_ptep = ((void *)0),	// ok: pt.pte-atomic
		.pending_entries = 0,
	};
	*out = range;
}
