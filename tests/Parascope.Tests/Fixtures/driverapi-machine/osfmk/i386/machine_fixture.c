/*
 * driverapi fixture: Mach machine-layer hardware interfaces. Original code written for Parascope's tests.
 */
#include "pio_fixture.h"

typedef unsigned long long vm_offset_t;
typedef unsigned long long addr64_t;
typedef unsigned int boolean_t;

extern vm_offset_t ml_io_map(vm_offset_t phys_addr, vm_offset_t size);
extern unsigned int ml_phys_read_word(addr64_t paddr);
extern void ml_phys_write_byte(addr64_t paddr, unsigned int data);
extern boolean_t ml_set_interrupts_enabled(boolean_t enable);
extern addr64_t kvtophys(vm_offset_t va);
extern void hpet_init(void);
extern void lapic_send_ipi(int cpu, int vector);
extern int PE_parse_boot_argn(const char *name, void *buffer, int size);

/* Names that merely resemble the rules' globs or macros. */
extern void rtclock_intr(void *state);
static int lapic_ops_ready;

void
fixture_machine_init(void)
{
	unsigned char status;
	unsigned int id;
	int value = 0;
	boolean_t istate = ml_set_interrupts_enabled(0); // expect: driver-api.ml-interrupt

	outb(0x43, 0x34); // expect: driver-api.port-io
	status = inb(0x61); // expect: driver-api.port-io
	FIXTURE_POSTCODE(0x12); /* reported at the #define in pio_fixture.h */
	status = FIXTURE_CMOS_READ(0x0b);
	(void)ml_io_map(0xfee00000ULL, 4096); // expect: driver-api.io-map
	id = ml_phys_read_word(0x1000); // expect: pt.phys-conversion (ml_phys_* are owned by the page-table rules)
	ml_phys_write_byte(0x1000, id); // expect: pt.phys-conversion
	(void)kvtophys(0); // expect: pt.phys-conversion
	hpet_init(); // expect: driver-api.hpet, platform.hpet
	id = LAPIC_READ(0x20); // expect: driver-api.local-apic
	LAPIC_WRITE(0xb0, 0); // expect: driver-api.local-apic
	lapic_send_ipi(1, 0xf0); // expect: driver-api.local-apic
	(void)PE_parse_boot_argn("debug", &value, sizeof(value)); // expect: driver-api.pe-platform
	rtclock_intr(0); // ok: driver-api.rtc-pit
	(void)lapic_ops_ready;
	(void)status;
	(void)ml_set_interrupts_enabled(istate); // expect: driver-api.ml-interrupt
}

/* A second user of the macros: one more expansion of the same findings, not new findings. */
void
fixture_machine_halt(void)
{
	unsigned char century = FIXTURE_CMOS_READ(0x32);
	FIXTURE_POSTCODE(century);
	FIXTURE_POSTCODE(inb(0x61)); // expect: driver-api.port-io (the argument's inb is written here)
}
