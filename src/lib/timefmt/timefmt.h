/* SPDX-License-Identifier: MIT */
/*
 * Time and size formats of Slurm's commands (cli.md section 0).
 */
#ifndef HERD_TIMEFMT_H
#define HERD_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Time limit: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S, UNLIMITED, INFINITE, -1.
 * Seconds round up to minutes.  "0", UNLIMITED, INFINITE and -1 give
 * INFINITE (0xffffffff).  -1 with errno EINVAL on bad syntax. */
int time_limit_parse(const char *s, uint32_t *minutes);

/* Durations in seconds. */
/* scontrol/sacct: HH:MM:SS or D-HH:MM:SS ("00:00:05", "1-00:00:00") */
char *fmt_duration_long(char *buf, size_t n, int64_t secs);
/* squeue/sinfo: M:SS, H:MM:SS, D-HH:MM:SS ("0:05", "1:00:00", "1-00:00:00") */
char *fmt_duration_short(char *buf, size_t n, int64_t secs);
/* Time limit in minutes: INFINITE -> unlimited_str (e.g. "UNLIMITED",
 * "infinite"), NO_VAL -> noval_str; else long or short duration form. */
char *fmt_time_limit(
    char *buf, size_t n, uint32_t minutes, int short_form, const char *unlimited_str, const char *noval_str);

/* Local time %FT%T; t == 0 prints zero_str ("Unknown", "N/A", "None"). */
char *fmt_timestamp(char *buf, size_t n, int64_t t, const char *zero_str);

/* Absolute time inputs of --begin, sacct -S/-E: HH:MM[:SS][AM|PM],
 * MMDD[YY], MM/DD[/YY], MM.DD[.YY], YYYY-MM-DD[THH:MM[:SS]],
 * now[+-count[seconds|minutes|hours|days|weeks]], today, tomorrow,
 * midnight, noon, fika, teatime.  0 or -1/EINVAL. */
int time_abs_parse(const char *s, int64_t now, int64_t *out);

/* Memory: integer with optional K|M|G|T suffix, default unit MB. */
int mem_size_parse(const char *s, uint64_t *mb);
/* "1000M", "4G" (exact multiples use the bigger unit) */
char *fmt_mem(char *buf, size_t n, uint64_t mb);

/* "2(x3),1" for {2,2,2,1}; caller frees */
char *fmt_compressed_counts(const uint32_t *v, size_t n);

#endif
