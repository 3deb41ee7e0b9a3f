/*
 * mini-xnu: a CPU identity check. Original code for Parascope's sample tree.
 * An unmodified kernel booted as a Xen HVM guest meets it before anything else: the virtual CPU must present
 * the vendor it compares with, or the kernel panics.
 */
#include <stdint.h>

typedef struct {
	char		cpuid_vendor[16];
	uint32_t	cpuid_family;
} i386_cpu_info_mini_t;

extern i386_cpu_info_mini_t *cpuid_info(void);
extern int strncmp(const char *a, const char *b, unsigned long n);
extern void panic(const char *fmt, ...);

void
cpuid_check_mini(void)
{
	if (strncmp("GenuineIntel", cpuid_info()->cpuid_vendor, 12) != 0) {
		panic("Unsupported CPU");
	}
}
