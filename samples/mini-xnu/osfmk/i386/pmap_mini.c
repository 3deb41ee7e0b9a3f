/*
 * mini-xnu: a pmap-like file. Original code for Parascope's sample tree.
 */
#include <stdint.h>
#include <stddef.h>
#include "proc_reg.h"

extern void *memset(void *dst, int c, size_t len);	/* libkern provides it */

typedef uint64_t	pt_entry_t;
typedef pt_entry_t	pd_entry_t;

#define INTEL_PTE_VALID	0x1ULL
#define INTEL_PTE_WRITE	0x2ULL
#define PG_FRAME	0x000ffffffffff000ULL

struct pmap {
	pd_entry_t	*dirbase;	/* page directory */
	uintptr_t	cr3;		/* physical address of the top level */
	int		ref_count;
};

/* The one place this pmap stores a PTE: a Xen PV port turns it into mmu_update. */
static inline void
pmap_store_pte(pt_entry_t *entryp, pt_entry_t value)
{
	*entryp = value;
}

void
pmap_enter_mini(struct pmap *pmap, pt_entry_t *ptep, uint64_t pa)
{
	pt_entry_t template = (pa & PG_FRAME) | INTEL_PTE_VALID;	/* a local: not a write */

	pmap_store_pte(ptep, template);
	pmap->dirbase[0] |= INTEL_PTE_WRITE;
	pmap->ref_count++;
	invlpg((uintptr_t)ptep);
}

void
pmap_clear_mini(pt_entry_t *ptes, int count)
{
	for (int i = 0; i < count; i++) {
		ptes[i] = 0;
	}
	memset(ptes, 0, sizeof(pt_entry_t) * (unsigned)count);
}

uint64_t
pmap_pte_to_pa_mini(pt_entry_t *ptep)
{
	return *ptep & PG_FRAME;
}

void
pmap_switch_mini(struct pmap *pmap)
{
	if (get_cr3_raw() != pmap->cr3) {
		set_cr3_raw(pmap->cr3);
	}
	wrmsr64(MSR_IA32_KERNEL_GS_BASE, 0);
}

void
pmap_poke_mini(uintptr_t va)
{
	*(pt_entry_t *)va = 0;
}
