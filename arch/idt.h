/* arch/idt.h - the interrupt descriptor table (SDM Vol. 3A, 6.14.1). */
#ifndef ARCH_IDT_H
#define ARCH_IDT_H

/* Installs the IDT with handlers for all 32 exception vectors on this CPU. */
void idt_init(void);

#endif
