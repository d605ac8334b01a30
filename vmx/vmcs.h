/* vmx/vmcs.h - VMCS field encodings (SDM Vol. 3D, Appendix B), VM-execution,
 * VM-exit and VM-entry control bits (SDM Vol. 3C, 25.6-25.8) and exit reasons
 * (Appendix C). Pure definitions: the host tests include this too. */
#ifndef VMX_VMCS_H
#define VMX_VMCS_H

/* B.1.1 16-bit control fields */
#define VMCS_VPID                              0x00000000
#define VMCS_POSTED_INTR_NV                    0x00000002
#define VMCS_EPTP_INDEX                        0x00000004
/* B.1.2 16-bit guest-state fields */
#define VMCS_GUEST_ES_SELECTOR                 0x00000800
#define VMCS_GUEST_CS_SELECTOR                 0x00000802
#define VMCS_GUEST_SS_SELECTOR                 0x00000804
#define VMCS_GUEST_DS_SELECTOR                 0x00000806
#define VMCS_GUEST_FS_SELECTOR                 0x00000808
#define VMCS_GUEST_GS_SELECTOR                 0x0000080a
#define VMCS_GUEST_LDTR_SELECTOR               0x0000080c
#define VMCS_GUEST_TR_SELECTOR                 0x0000080e
#define VMCS_GUEST_INTR_STATUS                 0x00000810
#define VMCS_GUEST_PML_INDEX                   0x00000812
/* B.1.3 16-bit host-state fields */
#define VMCS_HOST_ES_SELECTOR                  0x00000c00
#define VMCS_HOST_CS_SELECTOR                  0x00000c02
#define VMCS_HOST_SS_SELECTOR                  0x00000c04
#define VMCS_HOST_DS_SELECTOR                  0x00000c06
#define VMCS_HOST_FS_SELECTOR                  0x00000c08
#define VMCS_HOST_GS_SELECTOR                  0x00000c0a
#define VMCS_HOST_TR_SELECTOR                  0x00000c0c

/* B.2.1 64-bit control fields */
#define VMCS_IO_BITMAP_A                       0x00002000
#define VMCS_IO_BITMAP_B                       0x00002002
#define VMCS_MSR_BITMAP                        0x00002004
#define VMCS_VM_EXIT_MSR_STORE_ADDR            0x00002006
#define VMCS_VM_EXIT_MSR_LOAD_ADDR             0x00002008
#define VMCS_VM_ENTRY_MSR_LOAD_ADDR            0x0000200a
#define VMCS_EXECUTIVE_VMCS_PTR                0x0000200c
#define VMCS_PML_ADDRESS                       0x0000200e
#define VMCS_TSC_OFFSET                        0x00002010
#define VMCS_VIRTUAL_APIC_PAGE_ADDR            0x00002012
#define VMCS_APIC_ACCESS_ADDR                  0x00002014
#define VMCS_POSTED_INTR_DESC_ADDR             0x00002016
#define VMCS_VM_FUNCTION_CONTROLS              0x00002018
#define VMCS_EPT_POINTER                       0x0000201a
#define VMCS_EOI_EXIT_BITMAP0                  0x0000201c
#define VMCS_EOI_EXIT_BITMAP1                  0x0000201e
#define VMCS_EOI_EXIT_BITMAP2                  0x00002020
#define VMCS_EOI_EXIT_BITMAP3                  0x00002022
#define VMCS_EPTP_LIST_ADDR                    0x00002024
#define VMCS_VMREAD_BITMAP                     0x00002026
#define VMCS_VMWRITE_BITMAP                    0x00002028
#define VMCS_VE_INFO_ADDR                      0x0000202a
#define VMCS_XSS_EXIT_BITMAP                   0x0000202c
#define VMCS_ENCLS_EXITING_BITMAP              0x0000202e
#define VMCS_SPPTP                             0x00002030
#define VMCS_TSC_MULTIPLIER                    0x00002032
#define VMCS_TERTIARY_VM_EXEC_CONTROL          0x00002034
#define VMCS_ENCLV_EXITING_BITMAP              0x00002036
/* B.2.2 64-bit read-only data fields */
#define VMCS_GUEST_PHYSICAL_ADDRESS            0x00002400
/* B.2.3 64-bit guest-state fields */
#define VMCS_VMCS_LINK_POINTER                 0x00002800
#define VMCS_GUEST_IA32_DEBUGCTL               0x00002802
#define VMCS_GUEST_IA32_PAT                    0x00002804
#define VMCS_GUEST_IA32_EFER                   0x00002806
#define VMCS_GUEST_IA32_PERF_GLOBAL_CTRL       0x00002808
#define VMCS_GUEST_PDPTE0                      0x0000280a
#define VMCS_GUEST_PDPTE1                      0x0000280c
#define VMCS_GUEST_PDPTE2                      0x0000280e
#define VMCS_GUEST_PDPTE3                      0x00002810
#define VMCS_GUEST_IA32_BNDCFGS                0x00002812
#define VMCS_GUEST_IA32_RTIT_CTL               0x00002814
/* B.2.4 64-bit host-state fields */
#define VMCS_HOST_IA32_PAT                     0x00002c00
#define VMCS_HOST_IA32_EFER                    0x00002c02
#define VMCS_HOST_IA32_PERF_GLOBAL_CTRL        0x00002c04

/* B.3.1 32-bit control fields */
#define VMCS_PIN_BASED_VM_EXEC_CONTROL         0x00004000
#define VMCS_CPU_BASED_VM_EXEC_CONTROL         0x00004002
#define VMCS_EXCEPTION_BITMAP                  0x00004004
#define VMCS_PAGE_FAULT_ERROR_CODE_MASK        0x00004006
#define VMCS_PAGE_FAULT_ERROR_CODE_MATCH       0x00004008
#define VMCS_CR3_TARGET_COUNT                  0x0000400a
#define VMCS_VM_EXIT_CONTROLS                  0x0000400c
#define VMCS_VM_EXIT_MSR_STORE_COUNT           0x0000400e
#define VMCS_VM_EXIT_MSR_LOAD_COUNT            0x00004010
#define VMCS_VM_ENTRY_CONTROLS                 0x00004012
#define VMCS_VM_ENTRY_MSR_LOAD_COUNT           0x00004014
#define VMCS_VM_ENTRY_INTR_INFO                0x00004016
#define VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE     0x00004018
#define VMCS_VM_ENTRY_INSTRUCTION_LEN          0x0000401a
#define VMCS_TPR_THRESHOLD                     0x0000401c
#define VMCS_SECONDARY_VM_EXEC_CONTROL         0x0000401e
#define VMCS_PLE_GAP                           0x00004020
#define VMCS_PLE_WINDOW                        0x00004022
/* B.3.2 32-bit read-only data fields */
#define VMCS_VM_INSTRUCTION_ERROR              0x00004400
#define VMCS_EXIT_REASON                       0x00004402
#define VMCS_VM_EXIT_INTR_INFO                 0x00004404
#define VMCS_VM_EXIT_INTR_ERROR_CODE           0x00004406
#define VMCS_IDT_VECTORING_INFO                0x00004408
#define VMCS_IDT_VECTORING_ERROR_CODE          0x0000440a
#define VMCS_VM_EXIT_INSTRUCTION_LEN           0x0000440c
#define VMCS_VM_EXIT_INSTRUCTION_INFO          0x0000440e
/* B.3.3 32-bit guest-state fields */
#define VMCS_GUEST_ES_LIMIT                    0x00004800
#define VMCS_GUEST_CS_LIMIT                    0x00004802
#define VMCS_GUEST_SS_LIMIT                    0x00004804
#define VMCS_GUEST_DS_LIMIT                    0x00004806
#define VMCS_GUEST_FS_LIMIT                    0x00004808
#define VMCS_GUEST_GS_LIMIT                    0x0000480a
#define VMCS_GUEST_LDTR_LIMIT                  0x0000480c
#define VMCS_GUEST_TR_LIMIT                    0x0000480e
#define VMCS_GUEST_GDTR_LIMIT                  0x00004810
#define VMCS_GUEST_IDTR_LIMIT                  0x00004812
#define VMCS_GUEST_ES_AR_BYTES                 0x00004814
#define VMCS_GUEST_CS_AR_BYTES                 0x00004816
#define VMCS_GUEST_SS_AR_BYTES                 0x00004818
#define VMCS_GUEST_DS_AR_BYTES                 0x0000481a
#define VMCS_GUEST_FS_AR_BYTES                 0x0000481c
#define VMCS_GUEST_GS_AR_BYTES                 0x0000481e
#define VMCS_GUEST_LDTR_AR_BYTES               0x00004820
#define VMCS_GUEST_TR_AR_BYTES                 0x00004822
#define VMCS_GUEST_INTERRUPTIBILITY_INFO       0x00004824
#define VMCS_GUEST_ACTIVITY_STATE              0x00004826
#define VMCS_GUEST_SMBASE                      0x00004828
#define VMCS_GUEST_SYSENTER_CS                 0x0000482a
#define VMCS_VMX_PREEMPTION_TIMER_VALUE        0x0000482e
/* B.3.4 32-bit host-state field */
#define VMCS_HOST_IA32_SYSENTER_CS             0x00004c00

/* B.4.1 natural-width control fields */
#define VMCS_CR0_GUEST_HOST_MASK               0x00006000
#define VMCS_CR4_GUEST_HOST_MASK               0x00006002
#define VMCS_CR0_READ_SHADOW                   0x00006004
#define VMCS_CR4_READ_SHADOW                   0x00006006
#define VMCS_CR3_TARGET_VALUE0                 0x00006008
#define VMCS_CR3_TARGET_VALUE1                 0x0000600a
#define VMCS_CR3_TARGET_VALUE2                 0x0000600c
#define VMCS_CR3_TARGET_VALUE3                 0x0000600e
/* B.4.2 natural-width read-only data fields */
#define VMCS_EXIT_QUALIFICATION                0x00006400
#define VMCS_IO_RCX                            0x00006402
#define VMCS_IO_RSI                            0x00006404
#define VMCS_IO_RDI                            0x00006406
#define VMCS_IO_RIP                            0x00006408
#define VMCS_GUEST_LINEAR_ADDRESS              0x0000640a
/* B.4.3 natural-width guest-state fields */
#define VMCS_GUEST_CR0                         0x00006800
#define VMCS_GUEST_CR3                         0x00006802
#define VMCS_GUEST_CR4                         0x00006804
#define VMCS_GUEST_ES_BASE                     0x00006806
#define VMCS_GUEST_CS_BASE                     0x00006808
#define VMCS_GUEST_SS_BASE                     0x0000680a
#define VMCS_GUEST_DS_BASE                     0x0000680c
#define VMCS_GUEST_FS_BASE                     0x0000680e
#define VMCS_GUEST_GS_BASE                     0x00006810
#define VMCS_GUEST_LDTR_BASE                   0x00006812
#define VMCS_GUEST_TR_BASE                     0x00006814
#define VMCS_GUEST_GDTR_BASE                   0x00006816
#define VMCS_GUEST_IDTR_BASE                   0x00006818
#define VMCS_GUEST_DR7                         0x0000681a
#define VMCS_GUEST_RSP                         0x0000681c
#define VMCS_GUEST_RIP                         0x0000681e
#define VMCS_GUEST_RFLAGS                      0x00006820
#define VMCS_GUEST_PENDING_DBG_EXCEPTIONS      0x00006822
#define VMCS_GUEST_SYSENTER_ESP                0x00006824
#define VMCS_GUEST_SYSENTER_EIP                0x00006826
/* B.4.4 natural-width host-state fields */
#define VMCS_HOST_CR0                          0x00006c00
#define VMCS_HOST_CR3                          0x00006c02
#define VMCS_HOST_CR4                          0x00006c04
#define VMCS_HOST_FS_BASE                      0x00006c06
#define VMCS_HOST_GS_BASE                      0x00006c08
#define VMCS_HOST_TR_BASE                      0x00006c0a
#define VMCS_HOST_GDTR_BASE                    0x00006c0c
#define VMCS_HOST_IDTR_BASE                    0x00006c0e
#define VMCS_HOST_IA32_SYSENTER_ESP            0x00006c10
#define VMCS_HOST_IA32_SYSENTER_EIP            0x00006c12
#define VMCS_HOST_RSP                          0x00006c14
#define VMCS_HOST_RIP                          0x00006c16

/* 25.6.1 Pin-based VM-execution controls */
#define PIN_EXTERNAL_INTERRUPT_EXITING         (1u << 0)
#define PIN_NMI_EXITING                        (1u << 3)
#define PIN_VIRTUAL_NMIS                       (1u << 5)
#define PIN_VMX_PREEMPTION_TIMER               (1u << 6)
#define PIN_POSTED_INTERRUPTS                  (1u << 7)

/* 25.6.2 Primary processor-based VM-execution controls */
#define CPU_INTERRUPT_WINDOW_EXITING           (1u << 2)
#define CPU_USE_TSC_OFFSETTING                 (1u << 3)
#define CPU_HLT_EXITING                        (1u << 7)
#define CPU_INVLPG_EXITING                     (1u << 9)
#define CPU_MWAIT_EXITING                      (1u << 10)
#define CPU_RDPMC_EXITING                      (1u << 11)
#define CPU_RDTSC_EXITING                      (1u << 12)
#define CPU_CR3_LOAD_EXITING                   (1u << 15)
#define CPU_CR3_STORE_EXITING                  (1u << 16)
#define CPU_ACTIVATE_TERTIARY_CONTROLS         (1u << 17)
#define CPU_CR8_LOAD_EXITING                   (1u << 19)
#define CPU_CR8_STORE_EXITING                  (1u << 20)
#define CPU_USE_TPR_SHADOW                     (1u << 21)
#define CPU_NMI_WINDOW_EXITING                 (1u << 22)
#define CPU_MOV_DR_EXITING                     (1u << 23)
#define CPU_UNCONDITIONAL_IO_EXITING           (1u << 24)
#define CPU_USE_IO_BITMAPS                     (1u << 25)
#define CPU_MONITOR_TRAP_FLAG                  (1u << 27)
#define CPU_USE_MSR_BITMAPS                    (1u << 28)
#define CPU_MONITOR_EXITING                    (1u << 29)
#define CPU_PAUSE_EXITING                      (1u << 30)
#define CPU_ACTIVATE_SECONDARY_CONTROLS        (1u << 31)

/* 25.6.2 Secondary processor-based VM-execution controls */
#define CPU2_VIRTUALIZE_APIC_ACCESSES          (1u << 0)
#define CPU2_ENABLE_EPT                        (1u << 1)
#define CPU2_DESCRIPTOR_TABLE_EXITING          (1u << 2)
#define CPU2_ENABLE_RDTSCP                     (1u << 3)
#define CPU2_VIRTUALIZE_X2APIC_MODE            (1u << 4)
#define CPU2_ENABLE_VPID                       (1u << 5)
#define CPU2_WBINVD_EXITING                    (1u << 6)
#define CPU2_UNRESTRICTED_GUEST                (1u << 7)
#define CPU2_APIC_REGISTER_VIRTUALIZATION      (1u << 8)
#define CPU2_VIRTUAL_INTERRUPT_DELIVERY        (1u << 9)
#define CPU2_PAUSE_LOOP_EXITING                (1u << 10)
#define CPU2_RDRAND_EXITING                    (1u << 11)
#define CPU2_ENABLE_INVPCID                    (1u << 12)
#define CPU2_ENABLE_VM_FUNCTIONS               (1u << 13)
#define CPU2_VMCS_SHADOWING                    (1u << 14)
#define CPU2_ENCLS_EXITING                     (1u << 15)
#define CPU2_RDSEED_EXITING                    (1u << 16)
#define CPU2_ENABLE_PML                        (1u << 17)
#define CPU2_EPT_VIOLATION_VE                  (1u << 18)
#define CPU2_ENABLE_XSAVES_XRSTORS             (1u << 20)
#define CPU2_SUBPAGE_WRITE_PERMISSIONS         (1u << 23)
#define CPU2_USE_TSC_SCALING                   (1u << 25)
#define CPU2_ENABLE_USER_WAIT_PAUSE            (1u << 26)
#define CPU2_ENABLE_PCONFIG                    (1u << 27)
#define CPU2_ENCLV_EXITING                     (1u << 28)

/* 25.7.1 VM-exit controls */
#define EXIT_SAVE_DEBUG_CONTROLS               (1u << 2)
#define EXIT_HOST_ADDRESS_SPACE_SIZE           (1u << 9)
#define EXIT_LOAD_IA32_PERF_GLOBAL_CTRL        (1u << 12)
#define EXIT_ACK_INTERRUPT_ON_EXIT             (1u << 15)
#define EXIT_SAVE_IA32_PAT                     (1u << 18)
#define EXIT_LOAD_IA32_PAT                     (1u << 19)
#define EXIT_SAVE_IA32_EFER                    (1u << 20)
#define EXIT_LOAD_IA32_EFER                    (1u << 21)
#define EXIT_SAVE_VMX_PREEMPTION_TIMER         (1u << 22)

/* 25.8.1 VM-entry controls */
#define ENTRY_LOAD_DEBUG_CONTROLS              (1u << 2)
#define ENTRY_IA32E_MODE_GUEST                 (1u << 9)
#define ENTRY_SMM                              (1u << 10)
#define ENTRY_DEACTIVATE_DUAL_MONITOR          (1u << 11)
#define ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL       (1u << 13)
#define ENTRY_LOAD_IA32_PAT                    (1u << 14)
#define ENTRY_LOAD_IA32_EFER                   (1u << 15)

/* 25.8.3 / 26.9 interruption-information fields (entry, exit, IDT-vectoring) */
#define INTR_INFO_VECTOR_MASK                  0xffu
#define INTR_INFO_TYPE_SHIFT                   8
#define INTR_INFO_TYPE_MASK                    (7u << 8)
#define INTR_INFO_DELIVER_ERROR_CODE           (1u << 11)
#define INTR_INFO_NMI_UNBLOCKING_IRET          (1u << 12)
#define INTR_INFO_VALID                        (1u << 31)
#define INTR_TYPE_EXTERNAL_INTERRUPT           0u
#define INTR_TYPE_NMI                          2u
#define INTR_TYPE_HARDWARE_EXCEPTION           3u
#define INTR_TYPE_SOFTWARE_INTERRUPT           4u
#define INTR_TYPE_PRIV_SOFTWARE_EXCEPTION      5u
#define INTR_TYPE_SOFTWARE_EXCEPTION           6u
#define INTR_TYPE_OTHER_EVENT                  7u

/* 25.4.2 guest interruptibility state */
#define INTERRUPTIBILITY_STI                   (1u << 0)
#define INTERRUPTIBILITY_MOV_SS                (1u << 1)
#define INTERRUPTIBILITY_SMI                   (1u << 2)
/* The blocking an instruction's completion ends (SDM Vol. 3C, 25.4.2):
 * vcpu_skip_instruction's rule, the fast exit path's and a task switch's. */
#define INTERRUPTIBILITY_ENDS_WITH_INSN        (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)
#define INTERRUPTIBILITY_NMI                   (1u << 3)

/* 25.4.2 activity state */
#define ACTIVITY_ACTIVE                        0u
#define ACTIVITY_HLT                           1u
#define ACTIVITY_SHUTDOWN                      2u
#define ACTIVITY_WAIT_FOR_SIPI                 3u

/* Exit reason field (26.9.1): basic reason in bits 15:0, entry failure in bit 31. */
#define EXIT_REASON_BASIC_MASK                 0xffffu
#define EXIT_REASON_ENTRY_FAILURE              (1u << 31)

/* Appendix C: basic exit reasons */
#define EXIT_REASON_EXCEPTION_NMI              0
#define EXIT_REASON_EXTERNAL_INTERRUPT         1
#define EXIT_REASON_TRIPLE_FAULT               2
#define EXIT_REASON_INIT_SIGNAL                3
#define EXIT_REASON_SIPI                       4
#define EXIT_REASON_IO_SMI                     5
#define EXIT_REASON_OTHER_SMI                  6
#define EXIT_REASON_INTERRUPT_WINDOW           7
#define EXIT_REASON_NMI_WINDOW                 8
#define EXIT_REASON_TASK_SWITCH                9
#define EXIT_REASON_CPUID                      10
#define EXIT_REASON_GETSEC                     11
#define EXIT_REASON_HLT                        12
#define EXIT_REASON_INVD                       13
#define EXIT_REASON_INVLPG                     14
#define EXIT_REASON_RDPMC                      15
#define EXIT_REASON_RDTSC                      16
#define EXIT_REASON_RSM                        17
#define EXIT_REASON_VMCALL                     18
#define EXIT_REASON_VMCLEAR                    19
#define EXIT_REASON_VMLAUNCH                   20
#define EXIT_REASON_VMPTRLD                    21
#define EXIT_REASON_VMPTRST                    22
#define EXIT_REASON_VMREAD                     23
#define EXIT_REASON_VMRESUME                   24
#define EXIT_REASON_VMWRITE                    25
#define EXIT_REASON_VMXOFF                     26
#define EXIT_REASON_VMXON                      27
#define EXIT_REASON_CR_ACCESS                  28
#define EXIT_REASON_DR_ACCESS                  29
#define EXIT_REASON_IO_INSTRUCTION             30
#define EXIT_REASON_MSR_READ                   31
#define EXIT_REASON_MSR_WRITE                  32
#define EXIT_REASON_INVALID_GUEST_STATE        33
#define EXIT_REASON_MSR_LOADING                34
#define EXIT_REASON_MWAIT_INSTRUCTION          36
#define EXIT_REASON_MONITOR_TRAP_FLAG          37
#define EXIT_REASON_MONITOR_INSTRUCTION        39
#define EXIT_REASON_PAUSE_INSTRUCTION          40
#define EXIT_REASON_MCE_DURING_VMENTRY         41
#define EXIT_REASON_TPR_BELOW_THRESHOLD        43
#define EXIT_REASON_APIC_ACCESS                44
#define EXIT_REASON_EOI_INDUCED                45
#define EXIT_REASON_GDTR_IDTR                  46
#define EXIT_REASON_LDTR_TR                    47
#define EXIT_REASON_EPT_VIOLATION              48
#define EXIT_REASON_EPT_MISCONFIG              49
#define EXIT_REASON_INVEPT                     50
#define EXIT_REASON_RDTSCP                     51
#define EXIT_REASON_PREEMPTION_TIMER           52
#define EXIT_REASON_INVVPID                    53
#define EXIT_REASON_WBINVD                     54
#define EXIT_REASON_XSETBV                     55
#define EXIT_REASON_APIC_WRITE                 56
#define EXIT_REASON_RDRAND                     57
#define EXIT_REASON_INVPCID                    58
#define EXIT_REASON_VMFUNC                     59
#define EXIT_REASON_ENCLS                      60
#define EXIT_REASON_RDSEED                     61
#define EXIT_REASON_PML_FULL                   62
#define EXIT_REASON_XSAVES                     63
#define EXIT_REASON_XRSTORS                    64
#define EXIT_REASON_UMWAIT                     67
#define EXIT_REASON_TPAUSE                     68
#define EXIT_REASON_COUNT                      128   /* size of per-reason tables */

#endif
