/*
 * Written for Parascope's tests in the style of a kernel's arm64 machine layer; none of it is Apple's code.
 * The identity register's fields, and an "architecture" field that the kernel sets itself from its build (no CPU
 * reports it): a switch on it is not a gate a virtual CPU has to pass.
 */
typedef unsigned int uint32_t;

#define CPU_KIND_ARCH_BASE      0x3
#define CPU_KIND_ARCH_EXTENDED  0x4
#define CPU_KIND_PART_ONE       0x0a1
#define CPU_KIND_PART_TWO       0x0b2

typedef union {
	struct {
		uint32_t arm_revision : 4,
		    arm_part : 12,
		    arm_arch : 4,
		    arm_variant : 4,
		    arm_implementor : 8;
	} arm_info;
	uint32_t value;
} cpu_kind_info_t;

extern uint32_t read_identity_register(void);
extern void panic(const char *fmt, ...);

static cpu_kind_info_t kind_info;
static uint32_t kind_subtype;
static uint32_t kind_family;

void
cpu_kind_read(void)
{
	kind_info.value = read_identity_register();
#if defined(KIND_EXTENDED_ISA)
	kind_info.arm_info.arm_arch = CPU_KIND_ARCH_EXTENDED;
#else
	kind_info.arm_info.arm_arch = CPU_KIND_ARCH_BASE;
#endif
}

void
cpu_kind_subtype(void)
{
	cpu_kind_info_t *info = &kind_info;

	/* the value is the build's, set just above: the default cannot be taken */
	// ok: platform.cpu-identity-gate
	switch (info->arm_info.arm_arch) {
	case CPU_KIND_ARCH_BASE:
		kind_subtype = 1;
		break;
	case CPU_KIND_ARCH_EXTENDED:
		kind_subtype = 2;
		break;
	default:
		panic("cpu_kind_subtype: unknown architecture");
	}
}

void
cpu_kind_family(void)
{
	/* the part number is the CPU's own: a virtual CPU must report one of these */
	// expect: platform.cpu-identity-gate
	switch (kind_info.arm_info.arm_part) {
	case CPU_KIND_PART_ONE:
		kind_family = 0x11;
		break;
	case CPU_KIND_PART_TWO:
		kind_family = 0x22;
		break;
	default:
		panic("cpu_kind_family: unknown part");
	}
}
