/* shell/cmd_iommu.h - the shell's `iommu`: the VT-d units and their faults. */
#ifndef SHELL_CMD_IOMMU_H
#define SHELL_CMD_IOMMU_H

void cmd_iommu(int argc, char **argv);

#endif
