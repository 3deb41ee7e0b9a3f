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
