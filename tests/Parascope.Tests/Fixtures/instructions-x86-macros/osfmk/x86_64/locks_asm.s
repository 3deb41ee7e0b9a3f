/*
 * Lock primitives in XNU's x86_64 style (original fixture code). The macros come
 * from headers: each use below is an expansion of the header's site, not a site.
 */
#include <i386/io_asm.h>
#include <i386/flags_asm.h>
#include <i386/hv_asm.h>
#include <kern/spinq.h>

#define STI	sti			/* expect: x86.cli-sti */

	.text
	.globl	_spin_lock_irq
_spin_lock_irq:
	PUSHF				# ok: x86.pushf-popf
	CLI				# ok: x86.cli-sti
	POST_CODE(3)			# ok: x86.port-io
	ret

	.globl	_spin_unlock_irq
_spin_unlock_irq:
	POPF				# ok: x86.pushf-popf
	STI				# ok: x86.cli-sti (a use of this file's own STI)
	POST_CODE(4)			# ok: x86.port-io
	ret

	.globl	_hv_notify
_hv_notify:
	HV_TRAP
	ret

	.globl	_hv_notify_again
_hv_notify_again:
	HV_TRAP
	ret
