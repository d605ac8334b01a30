/* guest/load/guest_image.h - a loaded guest: its name and start state. */
#ifndef GUEST_GUEST_IMAGE_H
#define GUEST_GUEST_IMAGE_H

#include "guest/vcpu.h"

#define GUEST_NAME_MAX 32

struct guest_image {
	char name[GUEST_NAME_MAX];
	struct vcpu_start start;
};

#endif
