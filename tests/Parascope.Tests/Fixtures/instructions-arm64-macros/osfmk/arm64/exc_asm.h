/*
 * Exception-entry macros in XNU's arm64 style (original fixture code). No
 * __ASSEMBLER__ test: .macro bodies are assembler text wherever they are written.
 */
.macro SAVE_EL1_STATE
	mrs	x1, ELR_EL1		// expect: arm64.sysreg-el1-read
	mrs	x2, ESR_EL1		// expect: arm64.sysreg-el1-read
	stp	x1, x2, [sp, #-16]!
.endmacro

/*
 * SET_SYSREG <system register>, <value register>: the register is a parameter.
 * One site, this msr; each use resolves the register.
 */
.macro SET_SYSREG
	msr	$0, $1			// expect: arm64.sysreg-impdef
	isb	sy
.endmacro

.macro WRITE_FIELD sreg, scratch
	mrs	\scratch, \sreg		// expect: arm64.sysreg-el1-read
	msr	\sreg, \scratch		// expect: arm64.sysreg-el1-write
.endmacro

.macro SET_UNUSED
	msr	$0, $1			// expect: arm64.sysreg-parameter
.endmacro

.macro PV_HYPERCALL
	hvc	#0			// expect: arm64.hvc
.endmacro
