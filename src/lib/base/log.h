/* SPDX-License-Identifier: MIT */
/*
 * Daemon logging: one line per event, prefixed with the program name.
 * log_warn appends strerror(errno); log_warnx does not.  fatal exits.
 */
#ifndef HERD_LOG_H
#define HERD_LOG_H

enum log_level {
	LOG_LVL_QUIET = 0,
	LOG_LVL_FATAL,
	LOG_LVL_ERROR,
	LOG_LVL_INFO,
	LOG_LVL_VERBOSE,
	LOG_LVL_DEBUG,
	LOG_LVL_DEBUG2,
};

/* prog: program name used as prefix; file: NULL or "/dev/stdout" = stderr. */
void log_init(const char *prog, const char *file, int level);
void log_set_level(int level);
int log_get_level(void);
int log_level_parse(const char *s); /* quiet,fatal,error,info,verbose,debug..debug5; -1 if bad */
void log_reopen(void);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
