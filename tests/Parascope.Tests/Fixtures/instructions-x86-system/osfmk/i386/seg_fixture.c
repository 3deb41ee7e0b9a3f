/*
 * instructions fixture: the users of seg_fixture.h. Original code written for Parascope's tests.
 */
#include "seg_fixture.h"

/* Named like the instructions; only asm counts. */
static int lldt_count; // ok: x86.lldt
static uintptr_t cr8_shadow; // ok: x86.cr8-read

void
fixture_debugger_return(uintptr_t saved_cr2)
{
	if (fixture_get_cr2() != saved_cr2) {
		fixture_set_cr2(saved_cr2);
	}
	cr8_shadow = fixture_get_cr8();
	fixture_lldt(0);
	lldt_count++;
}
