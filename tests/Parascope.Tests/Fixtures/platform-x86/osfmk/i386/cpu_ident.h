/*
 * Written for Parascope's tests in the style of a kernel's machine layer; none of it is Apple's code.
 * CPU and hypervisor identity as the machine layer keeps it.
 */
#ifndef _I386_CPU_IDENT_H_
#define _I386_CPU_IDENT_H_

typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;
typedef unsigned long size_t;

#define CPUID_VID_INTEL         "GenuineIntel"
#define CPUID_FEATURE_SSE2      (1ULL << 26)
#define CPUID_FEATURE_VMM       (1ULL << 63)
#define CPUID_EXTFEATURE_TSCI   (1ULL << 40)

#define CPUID_MODEL_ALPHA       0x1A
#define CPUID_MODEL_BRAVO       0x2C
#define CPUID_MODEL_CHARLIE     0x3E
#define CPU_FAMILY_UNKNOWN      0
#define CPU_FAMILY_ONE          0x11
#define CPU_FAMILY_TWO          0x22

#define VMM_ID_ONE              "OneVisorOne!"
#define VMM_ID_TWO              "TwoVisorTwo\0"

#define MSR_PLATFORM_INFO       0xce
#define MSR_CORE_THREAD_COUNT   0x35
#define MSR_TSC_AUX             0xc0000103

typedef struct {
	char            cpuid_vendor[16];
	uint32_t        cpuid_family;
	uint32_t        cpuid_model;
	uint32_t        cpuid_cpufamily;
	uint64_t        cpuid_features;
	uint32_t        cpuid_cores;
} cpu_ident_t;

typedef struct {
	char            cpuid_vmm_vendor[16];
	uint32_t        cpuid_vmm_family;
} vmm_ident_t;

extern cpu_ident_t *cpuid_info(void);
extern uint32_t cpuid_family(void);
extern uint64_t cpuid_features(void);
extern uint64_t cpuid_extfeatures(void);
extern int cpuid_vmm_present(void);
extern void do_cpuid(uint32_t leaf, uint32_t *regs);
extern void panic(const char *fmt, ...);
extern int kprintf(const char *fmt, ...);
extern int strncmp(const char *a, const char *b, size_t n);
extern int strcmp(const char *a, const char *b);
extern int bcmp(const void *a, const void *b, size_t n);
extern uint64_t rdmsr64(uint32_t msr);
extern uint64_t EFI_get_frequency(const char *name);
extern void *acpi_find_table(uint64_t rsdp, const char *signature);
extern void lapic_init(void);
extern void ioapic_init(void);
extern void hpet_init(void);
extern void efi_init(void);
extern void *gPEEFIRuntimeServices;
extern void PE_init_platform(int vm_initialized, void *args);
extern int SecureDTLookupEntry(void *from, const char *path, void **entry);
extern void use_vmm_timer(void);
extern void enable_pv_locks(void);

#endif
