/* lib/log.h - how much the hypervisor says about what guests do (the shell's
 * `log` command): errors and warnings always matter; info is the default;
 * debug traces every VM exit. */
#ifndef LIB_LOG_H
#define LIB_LOG_H

#include "lib/compiler.h"

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG_LEVEL_COUNT };

extern enum log_level log_level;

static inline bool log_enabled(enum log_level l)
{
	return l <= log_level;
}

/* "error", "warn", "info", "debug"; "?" past the end. */
const char *log_level_name(enum log_level l);

/* Parses a level name (also "warning"); -EINVAL if none matches. */
int __must_check log_level_parse(const char *s, enum log_level *out);

#endif
