/* guest/gmem.h - reaching guest-physical memory from the hypervisor. Guest
 * RAM is identity-mapped (GPA = HPA), so guest RAM is host RAM that is not
 * hidden; these are the only functions that turn a GPA into a pointer. */
#ifndef GUEST_GMEM_H
#define GUEST_GMEM_H

#include "lib/compiler.h"
#include "lib/addr.h"
#include "guest/emul/gpt_walk.h"

struct gmap;
struct memmap;

/* Builds the guest memory map from the host map over [0, top). Returns 0 or
 * a negative error after printing why. */
int __must_check gmem_init(const struct memmap *host, gpa_t top);

/* The guest memory map (guest/gmap.h): the one every consumer reads. */
extern struct gmap gmem_guest_map;
static inline struct gmap *gmem_map(void)
{
	return &gmem_guest_map;
}

/* True if [gpa, gpa+len) is all guest RAM (not MMIO, not the hypervisor's). */
bool gmem_is_ram(gpa_t gpa, uint64_t len);

/* Copies between guest RAM and the hypervisor. Return 0 or -EFAULT if the
 * range is not guest RAM (nothing copied then). */
int __must_check gmem_read(gpa_t gpa, void *buf, uint64_t len);
int __must_check gmem_write(gpa_t gpa, const void *buf, uint64_t len);

/* Guest-physical memory access for the guest page walker (guest/emul/gpt_walk.h). */
const struct gpt_mem *gmem_walk_ops(void);

/* The same for one or a few walks in a row: the guest-map range of the
 * last table entry is kept, so entries in the same RAM range need no lookup
 * of their own. Use w->ops. */
struct gmap_range;
struct gmem_walker {
	struct gpt_mem ops;
	const struct gmap_range *ram;   /* a GMAP_RAM range of the map, or NULL */
	uint64_t gen;                   /* the map's generation when ram was looked up */
};
void gmem_walker_init(struct gmem_walker *w);

/* Pointer to guest RAM already checked with gmem_is_ram(). */
void *gmem_ptr(gpa_t gpa);

struct gmap_range;

/* The hypervisor's bytes the guest reads at gpa inside the GMAP_ROM range r. */
const void *gmem_rom_ptr(const struct gmap_range *r, gpa_t gpa);

#endif
