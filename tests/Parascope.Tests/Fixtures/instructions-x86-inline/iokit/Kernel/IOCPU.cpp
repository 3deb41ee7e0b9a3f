#include <stdint.h>

class IOCPU {
public:
	void halt();
	uint64_t stamp();
};

void
IOCPU::halt()
{
	__asm__ __volatile__ ("cli; hlt"); // expect: x86.cli-sti, x86.hlt
}

uint64_t
IOCPU::stamp()
{
	uint32_t lo, hi;
	/* Intel syntax block */
	__asm__ volatile (".intel_syntax noprefix\n\t"
	    "mov rax, cr3\n\t" // expect: x86.cr3-read
	    ".att_syntax prefix" ::: "rax");
	__asm__ volatile ("rdtscp" : "=a" (lo), "=d" (hi) :: "ecx"); // expect: x86.rdtsc
	return ((uint64_t)hi << 32) | lo;
}
