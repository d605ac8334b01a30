/* lib/addr.h - address spaces: g/h = guest/host, pa/va = phys/virt, fn = frame. */
#ifndef MM_ADDR_H
#define MM_ADDR_H

#include <stdint.h>

typedef uint64_t gpa_t;   /* guest-physical address */
typedef uint64_t gfn_t;   /* guest-physical frame number */
typedef uint64_t hpa_t;   /* host-physical address */
typedef uint64_t hfn_t;   /* host-physical frame number */
typedef uint64_t gva_t;   /* guest-virtual address */

#define PAGE_SHIFT       12
#define PAGE_SIZE        (1ULL << PAGE_SHIFT)
#define PAGE_SIZE_2M     (1ULL << 21)
#define PAGE_SIZE_1G     (1ULL << 30)

#define INVALID_GPA      ((gpa_t)~0ULL)
#define INVALID_HPA      ((hpa_t)~0ULL)

static inline hfn_t hpa_to_hfn(hpa_t a) { return a >> PAGE_SHIFT; }
static inline hpa_t hfn_to_hpa(hfn_t f) { return f << PAGE_SHIFT; }
static inline gfn_t gpa_to_gfn(gpa_t a) { return a >> PAGE_SHIFT; }
static inline gpa_t gfn_to_gpa(gfn_t f) { return f << PAGE_SHIFT; }

#endif
