/*
 * driverapi fixture: the machine layer's clock, interrupt-controller, ACPI and address-conversion
 * calls, in XNU's C style. Original code written for Parascope's tests.
 */
typedef unsigned long long vm_offset_t;
typedef unsigned long long ppnum_t;
typedef struct fixture_pmap *pmap_t;

extern void rtc_timer_start(void);
extern unsigned int pit_counter_read(void);
extern void rtclock_early_init(void);
extern void ioapic_init(void);
extern void pic_mask_all(void);
extern int acpi_sleep_kernel(void *data);
extern ppnum_t pmap_extract(pmap_t pmap, vm_offset_t va);
extern vm_offset_t vtophys(vm_offset_t va);
extern pmap_t kernel_pmap;

/* Names that merely resemble the rules' globs. */
extern void rtclockinit_fixture(void);
static int acpi_ready;

#define FIXTURE_MASK_PIC()	pic_mask_all()	// expect: driver-api.ioapic

void
fixture_clock_init(void)
{
	rtclock_early_init(); // expect: driver-api.rtc-pit
	rtc_timer_start(); // expect: driver-api.rtc-pit
	(void)pit_counter_read(); // expect: driver-api.rtc-pit
	rtclockinit_fixture(); // ok: driver-api.rtc-pit
}

void
fixture_interrupts_init(void)
{
	FIXTURE_MASK_PIC();
	ioapic_init(); // expect: driver-api.ioapic, platform.ioapic
}

int
fixture_sleep(void *wake_data)
{
	acpi_ready = 1; // ok: driver-api.acpi
	return acpi_sleep_kernel(wake_data); // expect: driver-api.acpi
}

vm_offset_t
fixture_dma_address(vm_offset_t va)
{
	ppnum_t page = pmap_extract(kernel_pmap, va); // expect: driver-api.phys-address-conversion
	return page != 0 ? vtophys(va) : 0; // expect: driver-api.phys-address-conversion
}
