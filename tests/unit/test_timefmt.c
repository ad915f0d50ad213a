/* SPDX-License-Identifier: MIT */
/*
 * Time limits, durations, timestamps, absolute time inputs, memory sizes
 * and compressed counts (cli.md section 0, jobs.md section 4).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "proto/proto.h"
#include "timefmt/timefmt.h"

static uint32_t
tl(const char *s)
{
	uint32_t m = 12345;
	if (time_limit_parse(s, &m) != 0)
		fail_msg("time limit '%s' rejected", s);
	return m;
}

static void
tl_bad(const char *s)
{
	uint32_t m = 12345;
	errno = 0;
	if (time_limit_parse(s, &m) == 0)
		fail_msg("time limit '%s' accepted as %u", s ? s : "(null)", m);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(m, 12345);
}

static void
test_time_limit_parse(void **state)
{
	assert_int_equal(tl("5"), 5);
	assert_int_equal(tl("1:30"), 2); /* M:S rounds up */
	assert_int_equal(tl("0:30"), 1);
	assert_int_equal(tl("2:00"), 2);
	assert_int_equal(tl("1:00:00"), 60);
	assert_int_equal(tl("24:00:00"), 1440);
	assert_int_equal(tl("00:30:00"), 30);
	assert_int_equal(tl("00:00:05"), 1);
	assert_int_equal(tl("1:02:01"), 63);
	assert_int_equal(tl("1-0"), 1440);
	assert_int_equal(tl("1-2"), 1560);
	assert_int_equal(tl("1-2:03"), 1563);
	assert_int_equal(tl("1-00:00:00"), 1440);
	assert_int_equal(tl("2-03:04:05"), 2 * 1440 + 3 * 60 + 5);
	assert_int_equal(tl("UNLIMITED"), INFINITE);
	assert_int_equal(tl("unlimited"), INFINITE);
	assert_int_equal(tl("INFINITE"), INFINITE);
	assert_int_equal(tl("-1"), INFINITE);
	assert_int_equal(tl("0"), INFINITE);

	tl_bad("");
	tl_bad("abc");
	tl_bad("1:2:3:4");
	tl_bad("1:2-3");
	tl_bad("1-2-3");
	tl_bad("1h");
	tl_bad(" 5");
	tl_bad("5:");
	tl_bad(":5");
	tl_bad("1-");
	tl_bad("-5");
	tl_bad("99999999999");
	tl_bad(NULL);
}

static void
test_durations(void **state)
{
	char b[64];
	assert_string_equal(fmt_duration_short(b, sizeof(b), 5), "0:05");
	assert_string_equal(fmt_duration_short(b, sizeof(b), 1800), "30:00");
	assert_string_equal(fmt_duration_short(b, sizeof(b), 3600), "1:00:00");
	assert_string_equal(fmt_duration_short(b, sizeof(b), 86400), "1-00:00:00");
	assert_string_equal(fmt_duration_short(b, sizeof(b), 0), "0:00");
	assert_string_equal(fmt_duration_short(b, sizeof(b), 90061), "1-01:01:01");
	assert_string_equal(fmt_duration_short(b, sizeof(b), -3), "INVALID");

	assert_string_equal(fmt_duration_long(b, sizeof(b), 5), "00:00:05");
	assert_string_equal(fmt_duration_long(b, sizeof(b), 3600), "01:00:00");
	assert_string_equal(fmt_duration_long(b, sizeof(b), 86400), "1-00:00:00");
	assert_string_equal(fmt_duration_long(b, sizeof(b), 1800), "00:30:00");
	assert_string_equal(fmt_duration_long(b, sizeof(b), 12 * 86400 + 3661), "12-01:01:01");

	assert_string_equal(fmt_time_limit(b, sizeof(b), INFINITE, 1, "infinite", "N/A"), "infinite");
	assert_string_equal(fmt_time_limit(b, sizeof(b), INFINITE, 0, "UNLIMITED", "NONE"), "UNLIMITED");
	assert_string_equal(fmt_time_limit(b, sizeof(b), NO_VAL, 0, "UNLIMITED", "NONE"), "NONE");
	assert_string_equal(fmt_time_limit(b, sizeof(b), 1440, 0, "UNLIMITED", "NONE"), "1-00:00:00");
	assert_string_equal(fmt_time_limit(b, sizeof(b), 30, 0, "UNLIMITED", "NONE"), "00:30:00");
	assert_string_equal(fmt_time_limit(b, sizeof(b), 30, 1, "UNLIMITED", "NONE"), "30:00");
	assert_string_equal(fmt_time_limit(b, sizeof(b), 60, 1, "UNLIMITED", "NONE"), "1:00:00");

	/* parse(display(x)) == x */
	for (uint32_t m = 1; m < 5000; m += 7) {
		uint32_t back;
		fmt_time_limit(b, sizeof(b), m, 0, "UNLIMITED", "NONE");
		assert_int_equal(time_limit_parse(b, &back), 0);
		assert_int_equal(back, m);
		fmt_time_limit(b, sizeof(b), m, 1, "UNLIMITED", "NONE");
		assert_int_equal(time_limit_parse(b, &back), 0);
		if (m >= 60)
			assert_int_equal(back, m);
	}
}

static void
test_timestamp(void **state)
{
	char b[64];
	unsetenv("SLURM_TIME_FORMAT");
	assert_string_equal(fmt_timestamp(b, sizeof(b), 0, "Unknown"), "Unknown");
	assert_string_equal(fmt_timestamp(b, sizeof(b), 0, "N/A"), "N/A");
	setenv("TZ", "UTC", 1);
	tzset();
	assert_string_equal(fmt_timestamp(b, sizeof(b), 1700000000, "Unknown"), "2023-11-14T22:13:20");
	setenv("SLURM_TIME_FORMAT", "%Y/%m/%d", 1);
	assert_string_equal(fmt_timestamp(b, sizeof(b), 1700000000, "Unknown"), "2023/11/14");
	setenv("SLURM_TIME_FORMAT", "standard", 1);
	assert_string_equal(fmt_timestamp(b, sizeof(b), 1700000000, "Unknown"), "2023-11-14T22:13:20");
	setenv("SLURM_TIME_FORMAT", "relative", 1);
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	char want[32];
	strftime(want, sizeof(want), "%H:%M:%S", &tm);
	assert_string_equal(fmt_timestamp(b, sizeof(b), now, "Unknown"), want);
	unsetenv("SLURM_TIME_FORMAT");
}

/* local time helper for expected values */
static int64_t
lt(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

static int64_t
abs_ok(const char *s, int64_t now)
{
	int64_t t = -42;
	if (time_abs_parse(s, now, &t) != 0)
		fail_msg("time '%s' rejected", s);
	return t;
}

static void
abs_bad(const char *s, int64_t now)
{
	int64_t t = -42;
	errno = 0;
	if (time_abs_parse(s, now, &t) == 0)
		fail_msg("time '%s' accepted as %lld", s ? s : "(null)", (long long)t);
	assert_int_equal(errno, EINVAL);
}

static void
test_time_abs(void **state)
{
	setenv("TZ", "UTC", 1);
	tzset();
	/* now = 2024-03-15 10:30:20 (a Friday) */
	int64_t now = lt(2024, 3, 15, 10, 30, 20);

	assert_int_equal(abs_ok("now", now), now);
	assert_int_equal(abs_ok("now+60", now), now + 60);
	assert_int_equal(abs_ok("now+5minutes", now), now + 300);
	assert_int_equal(abs_ok("now+2hours", now), now + 7200);
	assert_int_equal(abs_ok("now+1day", now), now + 86400);
	assert_int_equal(abs_ok("now+3days", now), now + 3 * 86400);
	assert_int_equal(abs_ok("now+1weeks", now), now + 7 * 86400);
	assert_int_equal(abs_ok("now + 10 seconds", now), now + 10);
	assert_int_equal(abs_ok("now-1hour", now), now - 3600);

	assert_int_equal(abs_ok("today", now), lt(2024, 3, 15, 0, 0, 0));
	assert_int_equal(abs_ok("tomorrow", now), lt(2024, 3, 16, 0, 0, 0));
	assert_int_equal(abs_ok("midnight", now), lt(2024, 3, 16, 0, 0, 0));
	assert_int_equal(abs_ok("noon", now), lt(2024, 3, 15, 12, 0, 0));
	assert_int_equal(abs_ok("fika", now), lt(2024, 3, 15, 15, 0, 0));
	assert_int_equal(abs_ok("teatime", now), lt(2024, 3, 15, 16, 0, 0));
	assert_int_equal(abs_ok("noon tomorrow", now), lt(2024, 3, 16, 12, 0, 0));

	/* time of day: future today, past (or this minute) tomorrow */
	assert_int_equal(abs_ok("11:00", now), lt(2024, 3, 15, 11, 0, 0));
	assert_int_equal(abs_ok("09:00", now), lt(2024, 3, 16, 9, 0, 0));
	assert_int_equal(abs_ok("10:30", now), lt(2024, 3, 16, 10, 30, 0));
	assert_int_equal(abs_ok("10:31:15", now), lt(2024, 3, 15, 10, 31, 15));
	assert_int_equal(abs_ok("4:00PM", now), lt(2024, 3, 15, 16, 0, 0));
	assert_int_equal(abs_ok("4:00 pm", now), lt(2024, 3, 15, 16, 0, 0));
	assert_int_equal(abs_ok("12:00AM", now), lt(2024, 3, 16, 0, 0, 0));
	assert_int_equal(abs_ok("12:15PM", now), lt(2024, 3, 15, 12, 15, 0));

	/* dates */
	assert_int_equal(abs_ok("0320", now), lt(2024, 3, 20, 0, 0, 0));
	assert_int_equal(abs_ok("032025", now), lt(2025, 3, 20, 0, 0, 0));
	assert_int_equal(abs_ok("03/20", now), lt(2024, 3, 20, 0, 0, 0));
	assert_int_equal(abs_ok("03/20/25", now), lt(2025, 3, 20, 0, 0, 0));
	assert_int_equal(abs_ok("3/2/2025", now), lt(2025, 3, 2, 0, 0, 0));
	assert_int_equal(abs_ok("03.20", now), lt(2024, 3, 20, 0, 0, 0));
	assert_int_equal(abs_ok("03.20.25", now), lt(2025, 3, 20, 0, 0, 0));
	assert_int_equal(abs_ok("2024-01-05", now), lt(2024, 1, 5, 0, 0, 0));
	assert_int_equal(abs_ok("2024-01-05T13:45", now), lt(2024, 1, 5, 13, 45, 0));
	assert_int_equal(abs_ok("2024-01-05T13:45:07", now), lt(2024, 1, 5, 13, 45, 7));
	assert_int_equal(abs_ok("2024-01-05T13", now), lt(2024, 1, 5, 13, 0, 0));
	assert_int_equal(abs_ok("2024-02-29", now), lt(2024, 2, 29, 0, 0, 0));
	assert_int_equal(abs_ok("03/20 16:00", now), lt(2024, 3, 20, 16, 0, 0));

	abs_bad("", now);
	abs_bad("   ", now);
	abs_bad("yesterday", now);
	abs_bad("25:00", now);
	abs_bad("10:61", now);
	abs_bad("13:00PM", now);
	abs_bad("2024-13-01", now);
	abs_bad("2023-02-29", now);
	abs_bad("2024-01-05X", now);
	abs_bad("13/01", now);
	abs_bad("0230", now);
	abs_bad("now+", now);
	abs_bad("now+5years", now);
	abs_bad("nowish", now);
	abs_bad("12345", now);
	abs_bad(NULL, now);
}

static void
mem_ok(const char *s, uint64_t want)
{
	uint64_t mb = 777;
	if (mem_size_parse(s, &mb) != 0)
		fail_msg("mem '%s' rejected", s);
	assert_int_equal(mb, want);
}

static void
test_mem(void **state)
{
	mem_ok("0", 0);
	mem_ok("1000", 1000);
	mem_ok("1000M", 1000);
	mem_ok("1000m", 1000);
	mem_ok("4G", 4096);
	mem_ok("4g", 4096);
	mem_ok("4GB", 4096);
	mem_ok("2T", 2 * 1024 * 1024);
	mem_ok("1024K", 1);
	mem_ok("1K", 1); /* rounds up */
	mem_ok("1500K", 2);

	const char *bad[] = {"", "G", "-1", "1.5G", "4X", "4GG", "4 G", "99999999999999999999999", "1e3"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t mb;
		errno = 0;
		if (mem_size_parse(bad[i], &mb) == 0)
			fail_msg("mem '%s' accepted", bad[i]);
		assert_int_equal(errno, EINVAL);
	}

	char b[32];
	assert_string_equal(fmt_mem(b, sizeof(b), 1000), "1000M");
	assert_string_equal(fmt_mem(b, sizeof(b), 4096), "4G");
	assert_string_equal(fmt_mem(b, sizeof(b), 1536), "1536M");
	assert_string_equal(fmt_mem(b, sizeof(b), 1024 * 1024), "1T");
	assert_string_equal(fmt_mem(b, sizeof(b), 1), "1M");
	assert_string_equal(fmt_mem(b, sizeof(b), 0), "0");
}

static void
test_counts(void **state)
{
	uint32_t a[] = {2, 2, 2, 1};
	char *s = fmt_compressed_counts(a, 4);
	assert_string_equal(s, "2(x3),1");
	free(s);
	uint32_t b[] = {1};
	s = fmt_compressed_counts(b, 1);
	assert_string_equal(s, "1");
	free(s);
	uint32_t c[] = {4, 4};
	s = fmt_compressed_counts(c, 2);
	assert_string_equal(s, "4(x2)");
	free(s);
	uint32_t d[] = {1, 2, 2, 3, 1, 1};
	s = fmt_compressed_counts(d, 6);
	assert_string_equal(s, "1,2(x2),3,1(x2)");
	free(s);
	s = fmt_compressed_counts(NULL, 0);
	assert_string_equal(s, "");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_time_limit_parse),
	    cmocka_unit_test(test_durations),
	    cmocka_unit_test(test_timestamp),
	    cmocka_unit_test(test_time_abs),
	    cmocka_unit_test(test_mem),
	    cmocka_unit_test(test_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
