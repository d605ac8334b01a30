/* tests/guests/mb2info.c - mbinfo.c as a Multiboot2 kernel: the v2 header
 * (information request for tags 1, 2, 4, 6; entry address tag) and the
 * tagged information (Multiboot2 2.0, 3.3 and 3.6). */
#define MB_VERSION 2
#include "tests/guests/mbinfo.c"
