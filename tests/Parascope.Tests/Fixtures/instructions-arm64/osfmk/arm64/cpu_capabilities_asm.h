/*
 * What this CPU has, for assembly (original fixture code). A board's header in XNU's style: the macros are set
 * here, not on the command line, so only a preprocessor that reads the header knows them.
 */
#ifndef _ARM64_CPU_CAPABILITIES_ASM_H_
#define _ARM64_CPU_CAPABILITIES_ASM_H_

#define HAS_PARAVIRTUALIZED_YIELD	1
#undef HAS_CLUSTER_IDLE

#endif /* _ARM64_CPU_CAPABILITIES_ASM_H_ */
