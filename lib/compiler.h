/* lib/compiler.h - compiler attributes and small generic macros. */
#ifndef LIB_COMPILER_H
#define LIB_COMPILER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define ARRAY_SIZE(a)      (sizeof(a) / sizeof((a)[0]))
#define ALIGN_DOWN(x, a)   ((x) & ~((__typeof__(x))(a) - 1))
#define ALIGN_UP(x, a)     ALIGN_DOWN((x) + ((__typeof__(x))(a) - 1), (a))
#define IS_ALIGNED(x, a)   (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b)          ((a) < (b) ? (a) : (b))
#define MAX(a, b)          ((a) > (b) ? (a) : (b))

#define __must_check       __attribute__((warn_unused_result))
#define __noreturn         __attribute__((noreturn))
#define __noinline         __attribute__((noinline))
#ifndef __always_inline                 /* host tests: glibc's <sys/cdefs.h> has it */
#define __always_inline    inline __attribute__((always_inline))
#endif
#define __packed           __attribute__((packed))
#define __aligned(n)       __attribute__((aligned(n)))
#define __printf(f, a)     __attribute__((format(printf, f, a)))
#define __section(s)       __attribute__((section(s)))
#define __used             __attribute__((used))
#define __unused           __attribute__((unused))

#define likely(x)          __builtin_expect(!!(x), 1)
#define unlikely(x)        __builtin_expect(!!(x), 0)

#define KiB                (1024ULL)
#define MiB                (1024ULL * KiB)
#define GiB                (1024ULL * MiB)

/* Error codes returned as negative values by functions that can fail. */
#define EINVAL   22   /* malformed argument or input */
#define ENOMEM   12   /* out of memory or table space */
#define ERANGE   34   /* value out of range */
#define ENOENT    2   /* not found */
#define EEXIST   17   /* already present */
#define ENOSPC   28   /* fixed-size table full */
#define EFAULT   14   /* address not accessible */
#define EPERM     1   /* not allowed */
#define ENOTSUP  95   /* the hardware cannot do it */
#define EBUSY    16   /* in use by someone else */
#define ETIMEDOUT 110 /* no answer within the time allowed */
#define EINPROGRESS 115 /* started, not finished yet */
#define EIO       5   /* the hardware refused the operation */

#endif
