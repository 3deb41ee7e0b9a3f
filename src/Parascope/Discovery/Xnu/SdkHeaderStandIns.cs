using System.Collections.Immutable;

namespace Parascope.Discovery.Xnu;

/// <summary>
/// Headers of Apple's internal SDK that public trees include but do not carry, each with the declarations the
/// tree's code needs from it, written here from how that code uses them (none of Apple's text; placeholder
/// values). Which ones: the missing includes measured on xnu-11417 (docs/parse-health.md). A tree that carries
/// one of them keeps its own.
/// </summary>
public static class SdkHeaderStandIns
{
    public static readonly ImmutableArray<(string Name, string Text)> Headers =
    [
        // libdispatch's firehose buffer: the kernel's os_log ring (libkern/os/log.c, bsd/kern/subr_log.c,
        // OSKext.cpp). Chunk counts are placeholders, not libdispatch's.
        ("os/firehose_buffer_private.h", """
            #pragma once
            #include <stdint.h>
            #include <stddef.h>
            #include <stdbool.h>
            #include <firehose/firehose_types_private.h>
            #include <firehose/tracepoint_private.h>
            #include <firehose/chunk_private.h>
            #ifdef __cplusplus
            extern "C" {
            #endif
            struct firehose_buffer_range_s { uint16_t fbr_offset; uint16_t fbr_length; };
            extern uint8_t __firehose_buffer_kernel_chunk_count;
            extern uint8_t __firehose_num_kernel_io_pages;
            #define FIREHOSE_BUFFER_KERNEL_DEFAULT_CHUNK_COUNT 128
            #define FIREHOSE_BUFFER_KERNEL_DEFAULT_IO_PAGES 8
            #define FIREHOSE_BUFFER_KERNEL_CHUNK_COUNT __firehose_buffer_kernel_chunk_count
            firehose_tracepoint_t __firehose_buffer_tracepoint_reserve(uint64_t stamp, firehose_stream_t stream,
                uint16_t pubsize, uint16_t privsize, uint8_t **privptr);
            void __firehose_buffer_tracepoint_flush(firehose_tracepoint_t ft, firehose_tracepoint_id_u ftid);
            firehose_buffer_t __firehose_buffer_create(size_t *size);
            bool __firehose_merge_updates(firehose_push_reply_t update);
            bool __firehose_kernel_configuration_valid(uint8_t chunk_count, uint8_t io_pages);
            #ifdef __cplusplus
            }
            #endif

            """),
        // The PPL's SART and UAT (DART-like IOMMU and GPU page tables): osfmk/arm/pmap/pmap.c calls only their
        // bootstrap routines.
        ("arm64/ppl/sart.h", """
            #pragma once
            extern void sart_bootstrap(void);

            """),
        ("arm64/ppl/uat.h", """
            #pragma once
            extern void uat_bootstrap(void);

            """),
        // The PPL's hibernation interface: the physical ranges the hibernation HMAC covers.
        ("arm64/ppl/ppl_hib.h", """
            #pragma once
            #include <stdint.h>
            typedef struct { uint64_t start_addr; uint64_t end_addr; } hib_phys_range_t;

            """),
        // SPTM (the Secure Page Table Monitor of recent Apple silicon) and TXM: the SPTM pmap (osfmk/arm64/sptm),
        // arm_init_sptm.c, kdp and hibernation use its frame types, retype/map/update calls and boot arguments.
        ("sptm/debug_header.h", """
            #pragma once
            #include <stdint.h>
            #define DEBUG_HEADER_MAGIC_VAL 0x44424748u
            #define DEBUG_HEADER_CURRENT_VERSION 1
            enum { DEBUG_HEADER_ENTRY_SPTM = 0, DEBUG_HEADER_ENTRY_TXM = 1, DEBUG_HEADER_ENTRY_XNU = 2, DEBUG_HEADER_NUM_ENTRIES = 8 };
            typedef struct debug_header {
                uint32_t magic;
                uint32_t version;
                uint32_t count;
                void *image[DEBUG_HEADER_NUM_ENTRIES];
            } debug_header_t;

            """),
        // libsptm's calls are declared without parameter lists: parsing needs their result types only.
        ("sptm/sptm_xnu.h", """
            #pragma once
            #include <stdint.h>
            #include <stddef.h>
            #include <stdbool.h>
            #include <sptm/debug_header.h>
            typedef uint64_t sptm_paddr_t;
            typedef uint64_t sptm_vaddr_t;
            typedef uint64_t sptm_papt_t;
            typedef uint64_t sptm_pte_t;
            typedef uint64_t sptm_tte_t;
            typedef uint8_t sptm_pt_level_t;
            typedef uint32_t sptm_iommu_id_t;
            typedef uint32_t iommu_token_t;
            typedef enum {
                SPTM_SUCCESS = 0, SPTM_MAP_VALID, SPTM_MAP_FLUSH_PENDING, SPTM_MAP_CODESIGN_ERROR, SPTM_UPDATE_DELAYED_TLBI,
            } sptm_return_t;
            typedef enum { LIBSPTM_SUCCESS = 0, LIBSPTM_FAILURE } libsptm_error_t;
            typedef enum { SPTM_REFCOUNT_NONE = 0, SPTM_REFCOUNT_MAPPING, SPTM_REFCOUNT_EXEC } libsptm_refcnt_type_t;
            typedef enum {
                XNU_DEFAULT = 0, XNU_KERNEL_RESTRICTED, XNU_PROTECTED_IO, XNU_ROZONE, XNU_USER_EXEC, XNU_USER_DEBUG, XNU_USER_JIT,
                XNU_PAGE_TABLE, XNU_PAGE_TABLE_SHARED, XNU_PAGE_TABLE_ROZONE, XNU_PAGE_TABLE_COMMPAGE, XNU_USER_ROOT_TABLE,
                XNU_SHARED_ROOT_TABLE, XNU_STAGE2_ROOT_TABLE, XNU_STAGE2_PAGE_TABLE, XNU_COMMPAGE_RW, XNU_COMMPAGE_RO, XNU_COMMPAGE_RX,
                TXM_DEFAULT, SPTM_UNTYPED,
            } sptm_frame_type_t;
            #define SPTM_MAPPING_LIMIT 64
            #define SPTM_IOMMUS_N_IDS 8
            #define PMAP_IOMMU_NUM_SCRATCH_PAGES 1
            #define SPTM_PT_GEOMETRY_4K 0
            #define SPTM_PT_GEOMETRY_16K 1
            #define SPTM_RETYPE_PARAMS_NULL 0ULL
            #define SPTM_ROOT_PT_FLAGS_DEFAULT 0
            #define SPTM_REMOVE_COMPRESSED 0x1u
            #define SPTM_UPDATE_PERMS_AND_WAS_WRITABLE 0x1u
            #define SPTM_UPDATE_AF 0x2u
            #define SPTM_UPDATE_DEFER_TLBI 0x4u
            #define SPTM_UPDATE_SH 0x8u
            #define SPTM_UPDATE_MAIR 0x10u
            #define SPTM_UPDATE_NG 0x20u
            #define SPTM_UPDATE_SW_WIRED 0x40u
            #define SPTM_UPDATE_SKIP_PAPT 0x80u
            #define SPTM_ARM64_COMMPAGE_REGION_START _COMM_PAGE64_NESTING_START
            #define SPTM_ARM64_COMMPAGE_REGION_SIZE _COMM_PAGE64_NESTING_SIZE
            typedef union {
                uint64_t raw;
                struct { uint16_t asid; uint16_t vmid; uint8_t level; uint8_t attr_idx; uint16_t flags; };
            } sptm_retype_params_t;
            typedef struct { sptm_paddr_t root_pt_paddr; sptm_vaddr_t vaddr; sptm_pte_t pte_template; } sptm_disjoint_op_t;
            typedef union {
                struct { sptm_paddr_t paddr; sptm_pte_t papt_pte_template; uint32_t options; uint32_t num_mappings; } per_paddr_header;
                sptm_disjoint_op_t disjoint_op;
            } sptm_update_disjoint_multipage_op_t;
            typedef struct { uint64_t start_addr; uint64_t end_addr; } sptm_hib_phys_range_t;
            typedef struct { uint64_t hibtext_stack_top; } sptm_hib_protected_metadata_t;
            typedef struct {
                sptm_hib_protected_metadata_t protected_metadata;
                const sptm_hib_phys_range_t *iboot_loaded_ranges;
                size_t num_iboot_loaded_ranges;
            } sptm_hib_metadata_t;
            typedef void (*sptm_guest_dispatch_t)(void);
            typedef struct { sptm_paddr_t root_table_paddr; } libsptm_state_t;
            typedef struct {
                libsptm_state_t libsptm_state;
                const bool *xnu_triggered_panic;
                uint64_t first_avail_phys;
                sptm_vaddr_t sptm_reset_vector_vaddr;
                struct debug_header *debug_header;
                sptm_hib_metadata_t *hib_metadata;
                uint64_t txm_thread_stacks[64];
                bool sk_bootstrapped;
                uint64_t sk_carveout_size;
                uint64_t timestamp_xnu_bootstrap;
                uint64_t timestamp_sk_bootstrap;
                uint32_t sptm_variant;
                sptm_pte_t *sptm_prev_ptes;
                void *sptm_pmap_io_ranges;
                uint32_t sptm_pmap_io_ranges_count;
                void *sptm_pmap_io_filters;
                uint32_t sptm_pmap_io_filters_count;
                const uint8_t *random_seed;
                size_t random_seed_length;
                sptm_papt_t physmap_base;
                sptm_papt_t physmap_end;
                sptm_paddr_t phys_slide_papt;
                uint64_t phys_slide_size;
                uint32_t num_asids;
                sptm_papt_t cpu_stack_papt_start;
                sptm_papt_t cpu_stack_papt_end;
                void *auxkc_mh;
                uint64_t auxkc_base;
                uint64_t auxkc_end;
            } sptm_bootstrap_args_xnu_t;
            /* libsptm's calls, declared without parameter lists: parsing needs their result types. */
            #ifdef __cplusplus
            #define PARASCOPE_SPTM_PARAMS ...
            extern "C" {
            #else
            #define PARASCOPE_SPTM_PARAMS
            #endif
            libsptm_error_t sptm_check_inflight(PARASCOPE_SPTM_PARAMS);
            libsptm_error_t sptm_get_paddr_type(PARASCOPE_SPTM_PARAMS);
            libsptm_error_t sptm_paddr_is_last_mapping(PARASCOPE_SPTM_PARAMS);
            libsptm_error_t sptm_get_table_mapping_count(PARASCOPE_SPTM_PARAMS);
            libsptm_error_t sptm_kvtophys(PARASCOPE_SPTM_PARAMS);
            sptm_papt_t sptm_phystokv(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_retype(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_map_page(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_map_table(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_unmap_table(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_unmap_region(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_unmap_disjoint(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_update_region(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_update_disjoint(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_update_disjoint_multipage(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_update_cache_attr(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_nest_region(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_unnest_region(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_slide_region(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_switch_root(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_configure_root(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_configure_shared_region(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_register_cpu(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_lockdown_xnu(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_prefetch_fte(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_iofilter_protected_write(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_map_sk_domain(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_register_xnu_exc_return(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_xnu_panic_begin(PARASCOPE_SPTM_PARAMS);
            sptm_return_t sptm_get_cpu_state(PARASCOPE_SPTM_PARAMS);
            uint8_t libsptm_init(PARASCOPE_SPTM_PARAMS);
            uint64_t sptm_cpu_id(PARASCOPE_SPTM_PARAMS);
            bool sptm_features_available(PARASCOPE_SPTM_PARAMS);
            uint64_t sptm_sign_user_pointer(PARASCOPE_SPTM_PARAMS);
            uint64_t sptm_auth_user_pointer(PARASCOPE_SPTM_PARAMS);
            void sptm_copy_callee_saved_state(PARASCOPE_SPTM_PARAMS);
            #ifdef __cplusplus
            }
            #endif
            #undef PARASCOPE_SPTM_PARAMS

            """),
        // arm_init_sptm.c's view of the same interface.
        ("sptm/sptm_common.h", """
            #pragma once
            #include <sptm/sptm_xnu.h>

            """),
        // TXM, the code-signing monitor beside SPTM: osfmk/vm/pmap.h's CONFIG_SPTM half and the SPTM pmap.
        ("TrustedExecutionMonitor/API.h", """
            #pragma once
            #include <stdint.h>
            #include <stddef.h>
            #include <stdbool.h>
            typedef uint32_t TXMReturnCode_t;
            typedef struct { uint32_t returnCode; uint32_t errorCode; } TXMReturn_t;
            typedef uint32_t TXMKernelSelector_t;
            typedef uint32_t TXMAddressSpaceFlags_t;
            enum { kTXMAddressSpaceFlagInit = 0x1, kTXMAddressSpaceFlagTest = 0x2 };
            enum { kTXMAddressSpaceIDTypeInvalid = 0, kTXMAddressSpaceIDTypeAddressSpace, kTXMAddressSpaceIDTypeSharedRegion };
            typedef struct { uintptr_t addr; uintptr_t addrEnd; } TXMRegion_t;
            typedef struct TXMAddressSpace {
                struct { uint32_t type; uint32_t id; } addrSpaceID;
                TXMRegion_t *mainRegion;
                TXMRegion_t *jitRegion;
                _Atomic bool allowsInvalidCode;
            } TXMAddressSpace_t;
            typedef uint32_t CSTrust_t;
            enum { kCSTrustUntrusted = 0 };
            typedef struct CSConfig CSConfig_t;
            typedef struct TXMReadOnlyData TXMReadOnlyData_t;
            typedef struct TXMStatistics TXMStatistics_t;
            #define kTXMStackReturnWords 8
            typedef struct { uint64_t return_words[kTXMStackReturnWords]; } TXMThreadStack_t;

            """),
    ];
}
