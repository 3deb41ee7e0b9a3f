/*
 * Parascope fixture: MMU control wrappers, frame conversions, physical-address conversions (original code).
 */
typedef unsigned long long	uint64_t;
typedef unsigned long		uintptr_t;
typedef unsigned long		vm_offset_t;
typedef uint64_t		pmap_paddr_t;
typedef uint64_t		pt_entry_t;
typedef unsigned int		ppnum_t;

#define PG_FRAME	0x000ffffffffff000ULL
#define INTEL_PTE_VALID	0x1ULL
#define pa_to_pte(a)	((a) & PG_FRAME)
#define pte_to_pa(p)	((p) & PG_FRAME)
#define i386_btop(x)	((ppnum_t)((x) >> 12))

extern void set_cr3_raw(uintptr_t value);
extern uintptr_t get_cr3_raw(void);
extern void flush_tlb_raw(void);
extern void pmap_update_interrupt(void);
extern pmap_paddr_t kvtophys(vm_offset_t va);
extern vm_offset_t phystokv(pmap_paddr_t pa);
extern unsigned int ml_phys_read_word(vm_offset_t pa);
extern void ml_phys_write_word(vm_offset_t pa, unsigned int value);
extern ppnum_t pmap_find_phys(void *pmap, uint64_t va);

/* A flush macro the way pmap headers wrap their TLB shootdown. */
#define PMAP_UPDATE_TLBS(pmap, s, e)	pmap_update_interrupt()

void
switch_space(uintptr_t cr3)
{
	if (get_cr3_raw() != cr3) {		// ok: pt.mmu-control
		set_cr3_raw(cr3);		// expect: pt.mmu-control
	}
	flush_tlb_raw();			// expect: pt.mmu-control
	PMAP_UPDATE_TLBS(0, 0, 0);		// expect: pt.mmu-control
}

uint64_t
frames(pt_entry_t *ptep, pmap_paddr_t pa, uint64_t mask)
{
	pt_entry_t pte = *ptep;
	uint64_t sum = 0;

	sum += pte & PG_FRAME;			// expect: pt.frame
	sum += pte_to_pa(pte);			// expect: pt.frame
	sum += pa_to_pte(pa) | INTEL_PTE_VALID;	// expect: pt.frame
	sum += i386_btop(pa);			// expect: pt.frame
	sum += pte & mask;			// ok: pt.frame
	return sum;
}

uint64_t
conversions(vm_offset_t va, pmap_paddr_t pa)
{
	uint64_t sum = kvtophys(va);		// expect: pt.phys-conversion
	sum += phystokv(pa);			// expect: pt.phys-conversion
	sum += ml_phys_read_word(pa);		// expect: pt.phys-conversion
	ml_phys_write_word(pa, 0);		// expect: pt.phys-conversion
	sum += pmap_find_phys(0, va);		// expect: pt.phys-conversion
	return sum;
}
