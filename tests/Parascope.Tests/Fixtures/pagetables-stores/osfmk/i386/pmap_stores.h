/*
 * Parascope fixture: PTE types as XNU's i386 pmap.h declares them (original code).
 */
#ifndef PMAP_STORES_H
#define PMAP_STORES_H

typedef unsigned long long	uint64_t;
typedef unsigned long		uintptr_t;
typedef unsigned long		size_t;

typedef uint64_t	pml4_entry_t;
typedef uint64_t	pdpt_entry_t;
typedef uint64_t	pd_entry_t;
typedef uint64_t	pt_entry_t;
/* A typedef of a typedef still names a page-table entry. */
typedef pt_entry_t	leaf_entry_t;

#define INTEL_PTE_VALID	0x1ULL
#define INTEL_PTE_WRITE	0x2ULL
#define INTEL_PTE_REF	0x20ULL

struct pmap {
	pml4_entry_t	*pm_pml4;
	pd_entry_t	*dirbase;
	pdpt_entry_t	pm_pdpt[4];
	pt_entry_t	pm_template;
	int		ref_count;
};

/* Another struct with a field of the same name, not a PTE. */
struct shadow {
	uint64_t	dirbase;
	uint64_t	*slots;
};

extern void *memset(void *dst, int c, size_t n);
extern void bzero(void *dst, size_t n);
extern void bcopy(const void *src, void *dst, size_t n);

/* Stores written in a macro body are reported once, here, with every use as an expansion. */
#define PTE_STORE_MACRO(p, v)	(*(p) = (v))	// expect: pt.pte-store

/* Over several lines: each store is reported where it is written inside the #define. */
#define PTE_CLEAR_PAIR(p)						\
	do {								\
		bzero((p), sizeof(pt_entry_t));	/* expect: pt.pte-store */	\
		(p)[1] = 0;			/* expect: pt.pte-store */	\
	} while (0)

/*
 * A declaration and a local's assignment come before the store (libkern's os_atomic_cmpxchgv: `_r = (e)`, `_b = …`,
 * then `*(g) = _r`): the store is the `=` whose left side is a dereference, not the body's first `=`.
 */
#define PTE_SWAP_OUT(p, old, repl) ({					\
	pt_entry_t _r = (old); int _b;					\
	_b = (*(p) == _r);						\
	if (_b)								\
		*(p) = (repl);		/* expect: pt.pte-store */	\
	_b;								\
})

/* A store passed as an argument is written at the use site and stays there. */
#define PTE_LOCKED(statement)	do { statement; } while (0)

#endif
