/*
 * Parascope fixture: arm64 translation-table entries and MMU control (original code).
 */
typedef unsigned long long	uint64_t;
typedef uint64_t		tt_entry_t;
typedef uint64_t		pt_entry_t;

extern void set_mmu_ttb(uint64_t ttb);
extern void flush_mmu_tlb_entry(uint64_t va);
extern uint64_t ml_static_ptovirt(uint64_t pa);

void
arm_switch(tt_entry_t *ttep, uint64_t ttb, uint64_t va)	// expect: pt.pte-store-wrapper
{
	*ttep = ttb | 0x3;			// expect: pt.pte-store
	set_mmu_ttb(ttb);			// expect: pt.mmu-control
	flush_mmu_tlb_entry(va);		// expect: pt.mmu-control
	(void)ml_static_ptovirt(ttb);		// expect: pt.phys-conversion
}
