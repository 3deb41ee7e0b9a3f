/*
 * Old-style assembler functions, for a compiler no configuration uses (original fixture code):
 * the body is assembly, found in the branch nothing compiles.
 */
#if OLD_ASM_COMPILER
asm int intr_off()
{
	pushfl		/* expect-inactive: x86.pushf-popf */
	cli		/* expect-inactive: x86.cli-sti */
}
#endif
