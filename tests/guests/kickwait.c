/* tests/guests/kickwait.c - the kick guest (tests/guests/kick.c), then
 * waiting forever with the AP's vCPU counting: test_smp.sh pauses both
 * vCPUs from the debug shell and reads the AP's counter. */
#define KICK_WAIT
#include "tests/guests/kick.c"
