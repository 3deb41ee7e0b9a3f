#include "proc_reg.h"

/* Identifiers named like mnemonics are not instructions. */
static int cli = 1;
static int hlt;
static const char *str = "cli; hlt; wrmsr";

void
cpu_interrupts(int enable)
{
	if (enable) {
		__asm__ volatile ("sti"); // expect: x86.cli-sti
	} else {
		asm volatile ("cli" ::: "memory"); // expect: x86.cli-sti
	}
	/* cli here is a comment: hlt, wrmsr, mov %cr3 */
	cli = enable;
}

void
cpu_idle(void)
{
	__asm__ volatile (
		"sti\n\t" // expect: x86.cli-sti
		"hlt"     // expect: x86.hlt
		);
}

unsigned long
cpu_msr_read(unsigned int msr)
{
	unsigned int lo, hi;
	rdmsr(msr, lo, hi);
	wrmsr(msr, lo, hi);
	invlpg(0x1000); // expect: pt.mmu-control
	return ((unsigned long)hi << 32) | lo;
}

void
cpu_segments(void)
{
	unsigned short sel = 0x10;
	unsigned long flags;
	struct { unsigned short limit; unsigned long base; } __attribute__((packed)) gdtr;
	__asm__ volatile ("mov %0, %%ds" : : "r" (sel));      // expect: x86.segment-load
	__asm__ volatile ("mov %%ds, %0" : "=r" (sel));       // expect: x86.segment-read
	__asm__ volatile ("sgdt %0" : "=m" (gdtr));           // expect: x86.descriptor-table-read
	__asm__ volatile ("pushfq; popq %0" : "=r" (flags));  // expect: x86.pushf-popf
	__asm__ volatile ("lfence; rdtsc" ::: "eax", "edx"); // expect: x86.rdtsc
	__asm__ volatile ("cpuid" ::: "eax", "ebx", "ecx", "edx"); // expect: x86.cpuid
	__asm__ volatile ("outb %%al, $0x80" :: "a" (0));     // expect: x86.port-io
	__asm__ volatile ("inb $0x61, %%al" ::: "eax");       // expect: x86.port-io
	__asm__ volatile ("swapgs");                          // expect: x86.swapgs
	__asm__ volatile ("lgdt %0" :: "m" (gdtr));           // expect: x86.lgdt
	__asm__ volatile ("mov %%dr7, %0" : "=r" (flags));    // expect: x86.dr-read
	__asm__ volatile ("mov %0, %%cr8" :: "r" (flags));    // expect: x86.cr8-write
	__asm__ volatile ("lfence; mfence" ::: "memory");     // ok: x86.rdtsc
	__asm__ volatile ("wbinvd");                          // expect: x86.cache-flush
	__asm__ volatile ("xsetbv" :: "a" (0), "c" (0), "d" (0)); // expect: x86.xsetbv
	__asm__ volatile ("clts");                            // expect: x86.clts
	__asm__ volatile ("ltr %w0" :: "r" (sel));            // expect: x86.ltr
	__asm__ volatile ("iretq");                           // expect: x86.iret
	__asm__ volatile ("int $0x80");                       // expect: x86.int
	__asm__ volatile ("lretq");                           // expect: x86.far-transfer
	__asm__ volatile ("smsw %0" : "=r" (sel));            // expect: x86.smsw
}

#if defined(__i386__)
void
cpu_old_i386(void)
{
	__asm__ volatile ("lidt %0" :: "m" (*(char *)0)); // expect-inactive: x86.lidt
}
#endif

#if 0
void
cpu_never(void)
{
	__asm__ volatile ("invd"); // expect-inactive: x86.cache-flush
}
#endif

#if defined(__arm64__)
static inline void
cpu_arm_side(void)
{
	__asm__ volatile ("msr DAIFSet, #3"); // expect-inactive: arm64.daif
	__asm__ volatile ("str x0, [x1]");    // ok: x86.descriptor-table-read
}
#endif

/* The #else of an i386 test is x86_64 code, not another family's: a branch skipped inside it is still x86. */
void
cpu_gs_load(void)
{
#ifdef __i386__
	cpu_gs_load_i386();
#else
#if GPROF
	__asm__ volatile ("mov %0, %%gs" : : "rm" ((unsigned short)0x10)); // expect-inactive: x86.segment-load
#endif
#endif
}
