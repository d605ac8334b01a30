/* lib/log.c - the hypervisor's log level. */
#include "lib/log.h"
#include "lib/string.h"

enum log_level log_level = LOG_INFO;

static const char *const names[LOG_LEVEL_COUNT] = { "error", "warn", "info", "debug" };

const char *log_level_name(enum log_level l)
{
	return (unsigned int)l < LOG_LEVEL_COUNT ? names[l] : "?";
}

int log_level_parse(const char *s, enum log_level *out)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "warning")) {
		*out = LOG_WARN;
		return 0;
	}
	for (unsigned int i = 0; i < LOG_LEVEL_COUNT; i++)
		if (!strcmp(s, names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	return -EINVAL;
}
