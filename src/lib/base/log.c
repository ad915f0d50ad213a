/* SPDX-License-Identifier: MIT */
/*
 * Daemon logging.  Lines go to a log file or stderr, each with a
 * timestamp, the program name and the level, written with one write(2) so
 * that lines from several processes sharing a file do not interleave.
 */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *log_prog = "herd";
static int log_fd = 2;
static int log_level = LOG_LVL_INFO;
static char log_path[4096];

void
log_init(const char *prog, const char *file, int level)
{
	log_prog = prog;
	log_level = level;
	log_path[0] = '\0';
	if (file != NULL && strcmp(file, "/dev/stdout") != 0 && strcmp(file, "/dev/stderr") != 0) {
		snprintf(log_path, sizeof(log_path), "%s", file);
		log_reopen();
	} else if (file != NULL && strcmp(file, "/dev/stdout") == 0) {
		log_fd = 1;
	}
}

void
log_reopen(void)
{
	if (log_path[0] == '\0')
		return;
	int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return;
	if (log_fd > 2)
		close(log_fd);
	log_fd = fd;
}

void
log_set_level(int level)
{
	log_level = level;
}

int
log_get_level(void)
{
	return log_level;
}

int
log_level_parse(const char *s)
{
	static const struct {
		const char *name;
		int level;
	} names[] = {
	    {"quiet", LOG_LVL_QUIET},
	    {"fatal", LOG_LVL_FATAL},
	    {"error", LOG_LVL_ERROR},
	    {"info", LOG_LVL_INFO},
	    {"verbose", LOG_LVL_VERBOSE},
	    {"debug", LOG_LVL_DEBUG},
	    {"debug2", LOG_LVL_DEBUG2},
	    {"debug3", LOG_LVL_DEBUG2},
	    {"debug4", LOG_LVL_DEBUG2},
	    {"debug5", LOG_LVL_DEBUG2},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i].name) == 0)
			return names[i].level;
	return -1;
}

static void log_vemit(int level, const char *tag, int err, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void
log_vemit(int level, const char *tag, int err, const char *fmt, va_list ap)
{
	if (level > log_level)
		return;
	char line[8192];
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	int n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ld %s: %s", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)(tv.tv_usec / 1000), log_prog,
	    tag);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(line)) {
		int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
		if (m > 0)
			n += m;
	}
	if ((size_t)n >= sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	if (err) {
		int m = snprintf(line + n, sizeof(line) - (size_t)n, ": %s", strerror(err));
		if (m > 0)
			n += m;
		if ((size_t)n >= sizeof(line) - 2)
			n = (int)sizeof(line) - 2;
	}
	line[n++] = '\n';
	(void)!write(log_fd, line, (size_t)n);
}

#define LOG_FN(fn, level, tag, witherr) \
	void fn(const char *fmt, ...) \
	{ \
		int saved = errno; \
		va_list ap; \
		va_start(ap, fmt); \
		log_vemit(level, tag, witherr ? saved : 0, fmt, ap); \
		va_end(ap); \
		errno = saved; \
	}

LOG_FN(log_warn, LOG_LVL_ERROR, "error: ", 1)
LOG_FN(log_warnx, LOG_LVL_ERROR, "error: ", 0)
LOG_FN(log_info, LOG_LVL_INFO, "", 0)
LOG_FN(log_verbose, LOG_LVL_VERBOSE, "", 0)
LOG_FN(log_debug, LOG_LVL_DEBUG, "debug: ", 0)

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	log_vemit(LOG_LVL_FATAL, "fatal: ", saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vemit(LOG_LVL_FATAL, "fatal: ", 0, fmt, ap);
	va_end(ap);
	exit(1);
}
