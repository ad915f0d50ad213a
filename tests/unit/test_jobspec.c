/* SPDX-License-Identifier: MIT */
/*
 * The --dependency and --array parsers (jobs.md sections 6 and 7): the id
 * forms 123, 123_4, 123_[1-3], 123_*; separators; the saved display form;
 * errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/jobspec.h"
#include "proto/proto.h"

/* Parse spec (as job 99) and compare its display form with want. */
static void
check_dep(const char *spec, const char *want)
{
	struct dep_term *t;
	uint32_t n;
	int is_or;
	if (depend_parse(spec, 99, &t, &n, &is_or) < 0)
		fail_msg("'%s' refused", spec);
	char *s = depend_string(t, n, is_or);
	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
	free(t);
}

static void
check_dep_bad(const char *spec)
{
	struct dep_term *t = NULL;
	uint32_t n = 1;
	int is_or;
	if (depend_parse(spec, 99, &t, &n, &is_or) == 0)
		fail_msg("'%s' accepted", spec);
	assert_null(t);
	assert_int_equal(n, 0);
}

static void
test_dep_forms(void **state)
{
	(void)state;
	check_dep("afterok:41", "afterok:41(unfulfilled)");
	check_dep("afterok:41_3", "afterok:41_3(unfulfilled)");
	check_dep("afterany:40_*", "afterany:40_*(unfulfilled)");
	check_dep("afterok:41_[1-3]",
	    "afterok:41_1(unfulfilled),afterok:41_2(unfulfilled),afterok:41_3(unfulfilled)");
	check_dep("afterok:41_[2-6:2]:42", "afterok:41_2(unfulfilled),afterok:41_4(unfulfilled),"
	                                   "afterok:41_6(unfulfilled),afterok:42(unfulfilled)");
	check_dep("after:42+5", "after:42+5(unfulfilled)");
	check_dep("after:42_1+5", "after:42_1+5(unfulfilled)");
	check_dep("afterok:41?afternotok:41", "afterok:41(unfulfilled)?afternotok:41(unfulfilled)");
	check_dep("afterok:41_[1,3]?singleton",
	    "afterok:41_1(unfulfilled)?afterok:41_3(unfulfilled)?singleton(unfulfilled)");
	check_dep("AfterOK:1:2", "afterok:1(unfulfilled),afterok:2(unfulfilled)");
	check_dep("aftercorr:5", "aftercorr:5(unfulfilled)");
	/* the saved form reads back, failed terms included */
	check_dep("afterok:41_3(failed),afterany:40_*(unfulfilled)",
	    "afterok:41_3(failed),afterany:40_*(unfulfilled)");
	/* a task of the job's own array is not the job itself */
	check_dep("afterok:99_1", "afterok:99_1(unfulfilled)");
}

static void
test_dep_errors(void **state)
{
	(void)state;
	const char *bad[] = {"afterok", "afterok:", "afterok:x", "afterok:0", "afterok:99", "afterok:41_",
	    "afterok:41_x", "afterok:41_[1-", "afterok:41_[3-1]", "afterok:41_[1-3%2]", "afterok:41_*x",
	    "afterok:41+5", "after:41+x", "afterok:1,afterok:2?afterok:3", "sometime:41", "singleton:4",
	    "afterok:41(maybe)", "afterok:-4", "afterok:41_-1", "afterok:41_[0-100000]"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_dep_bad(bad[i]);
	/* nothing at all is no dependency */
	struct dep_term *t;
	uint32_t n;
	int is_or;
	assert_int_equal(depend_parse("(null)", 99, &t, &n, &is_or), 0);
	assert_int_equal(n, 0);
	assert_int_equal(depend_parse("", 99, &t, &n, &is_or), 0);
	assert_int_equal(n, 0);
}

static void
test_array(void **state)
{
	(void)state;
	struct array_spec as;
	assert_int_equal(array_parse("1-7:2,4%3", 1001, &as), 0);
	assert_int_equal(as.cnt, 5);
	assert_int_equal(as.idx[0], 1);
	assert_int_equal(as.idx[4], 7);
	assert_int_equal(as.throttle, 3);
	char *r = array_ranges(as.idx, as.cnt);
	assert_string_equal(r, "1,3-5,7");
	free(r);
	free(as.idx);
	assert_int_equal(array_parse("0-40:4", 1001, &as), 0);
	r = array_ranges(as.idx, as.cnt);
	assert_string_equal(r, "0-40:4");
	free(r);
	free(as.idx);
	const char *bad[] = {"", "5-1", "0-1001", "1-x", "1,,2", "1-3:0", "%2", "1%", "-1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (array_parse(bad[i], 1001, &as) == 0)
			fail_msg("'%s' accepted", bad[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dep_forms),
	    cmocka_unit_test(test_dep_errors),
	    cmocka_unit_test(test_array),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
