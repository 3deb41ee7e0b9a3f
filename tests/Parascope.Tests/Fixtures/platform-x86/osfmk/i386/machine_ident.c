/*
 * Written for Parascope's tests in the style of a kernel's machine layer; none of it is Apple's code.
 * Platform devices and firmware the machine layer sets up.
 */
#include "cpu_ident.h"

void *madt;

void
machine_ident_init(uint64_t rsdp, void *args)
{
	void *entry;

	PE_init_platform(0, args); // expect: platform.boot-args-device-tree, driver-api.pe-platform
	madt = acpi_find_table(rsdp, "APIC"); // expect: platform.acpi-tables, driver-api.acpi
	lapic_init(); // expect: platform.local-apic, driver-api.local-apic
	ioapic_init(); // expect: platform.ioapic, driver-api.ioapic
	hpet_init(); // expect: platform.hpet, driver-api.hpet
	efi_init(); // expect: platform.efi-runtime
	if (gPEEFIRuntimeServices == 0) { // expect: platform.efi-runtime
		return;
	}
	(void)SecureDTLookupEntry(0, "/efi/platform", &entry); // expect: platform.boot-args-device-tree
}
