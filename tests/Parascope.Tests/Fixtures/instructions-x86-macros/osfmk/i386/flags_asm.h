/*
 * Interrupt-flag macros for the lock code (original fixture code). No __ASSEMBLER__
 * test: only assembly includes this header, so its #define bodies are assembler text.
 */
#define CLI	cli		/* expect: x86.cli-sti */
#define PUSHF	pushf		/* expect: x86.pushf-popf */
#define POPF	popf		/* expect: x86.pushf-popf */
