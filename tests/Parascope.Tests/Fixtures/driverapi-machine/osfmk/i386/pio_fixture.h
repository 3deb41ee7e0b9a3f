/*
 * driverapi fixture: port I/O accessors in XNU's style (inline functions) and wrapping macros.
 * Original code written for Parascope's tests.
 */
#ifndef _FIXTURE_PIO_H
#define _FIXTURE_PIO_H

typedef unsigned short i386_ioport_t;

static inline unsigned char
inb(i386_ioport_t port)
{
	unsigned char datum;
	__asm__ volatile ("inb %w1, %0" : "=a" (datum) : "Nd" (port)); // expect: x86.port-io
	return datum;
}

static inline void
outb(i386_ioport_t port, unsigned char datum)
{
	__asm__ volatile ("outb %b0, %w1" : : "a" (datum), "Nd" (port)); // expect: x86.port-io
}

/* A POST code write hidden behind a macro, as drivers and the machine layer do. */
/* The port I/O is written here: reported once, each use listed as an expansion. */
#define FIXTURE_POSTCODE(code)		outb(0x80, (code))	// expect: driver-api.port-io
#define FIXTURE_CMOS_READ(reg)		(outb(0x70, (reg)), inb(0x71))	// expect: driver-api.port-io

/* Local APIC access through a table of function pointers: nothing for clang to resolve but the macro. */
struct fixture_lapic_ops {
	unsigned int (*read)(int reg);
	void (*write)(int reg, unsigned int value);
};
extern struct fixture_lapic_ops *lapic_ops;
#define LAPIC_READ(reg)			lapic_ops->read(reg)
#define LAPIC_WRITE(reg, value)		lapic_ops->write(reg, value)

#endif
