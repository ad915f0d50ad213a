/* SPDX-License-Identifier: MIT */
/*
 * Hostlist expansion and compression: every worked example of
 * config.md section 6, padding, errors and the expansion guard.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hostlist/hostlist.h"

/* Expand expr and compare against the space-separated names in want. */
static void
check_expand(const char *expr, const char *want)
{
	struct hostlist *hl = hostlist_create(expr);
	assert_non_null(hl);
	char got[4096] = "";
	size_t len = 0;
	for (size_t i = 0; i < hostlist_count(hl); i++)
		len +=
		    (size_t)snprintf(got + len, sizeof(got) - len, "%s%s", i ? " " : "", hostlist_nth(hl, i));
	if (strcmp(got, want) != 0)
		fail_msg("expand '%s': got '%s', want '%s'", expr, got, want);
	hostlist_destroy(hl);
}

static void
test_expand_examples(void **state)
{
	check_expand("axc-compute-[01-04]", "axc-compute-01 axc-compute-02 axc-compute-03 axc-compute-04");
	check_expand("n[1-3,5]", "n1 n2 n3 n5");
	check_expand("n[08-11]", "n08 n09 n10 n11");
	check_expand("n[8-11]", "n8 n9 n10 n11");
	check_expand("n[001-3]", "n001 n002 n003");
	check_expand("gpu[1-2],cpu[07,09]", "gpu1 gpu2 cpu07 cpu09");
	check_expand("rack[0-1]_n[1-2]", "rack0_n1 rack0_n2 rack1_n1 rack1_n2");
	check_expand("x[1-2],y", "x1 x2 y");
	check_expand("n1 n2", "n1 n2");
	check_expand("tux[2,1-2]", "tux2 tux1 tux2");
}

static void
test_expand_more(void **state)
{
	check_expand("n[1-2][3-4]", "n13 n14 n23 n24");
	check_expand("n[1-2]-[3-4]", "n1-3 n1-4 n2-3 n2-4");
	check_expand("n[1-2,2]", "n1 n2 n2");
	check_expand("node1.example.com", "node1.example.com");
	check_expand("N[1-2]", "N1 N2");
	check_expand("cpu[07,9]", "cpu07 cpu9");
	check_expand("n[5]", "n5");
	check_expand("  a , b\tc\n", "a b c");
	check_expand("a,,b,", "a b");
	check_expand("[1-3]", "1 2 3");
	check_expand("n[098-101]", "n098 n099 n100 n101");
	check_expand("n[0-0]", "n0");

	struct hostlist *hl = hostlist_create("");
	assert_non_null(hl);
	assert_int_equal(hostlist_count(hl), 0);
	hostlist_destroy(hl);
	hl = hostlist_create(NULL);
	assert_non_null(hl);
	assert_int_equal(hostlist_count(hl), 0);
	char *s = hostlist_ranged_string(hl);
	assert_string_equal(s, "");
	free(s);
	hostlist_destroy(hl);
}

static void
check_bad(const char *expr)
{
	errno = 0;
	struct hostlist *hl = hostlist_create(expr);
	if (hl != NULL)
		fail_msg("'%s' should be invalid", expr);
	assert_int_equal(errno, EINVAL);
}

static void
test_expand_errors(void **state)
{
	check_bad("a[1-2]b");
	check_bad("n[1-3]x");
	check_bad("n[]");
	check_bad("n[a-b]");
	check_bad("n[3-1]");
	check_bad("n[1-3");
	check_bad("n1-3]");
	check_bad("n[[1-2]]");
	check_bad("n[1,]");
	check_bad("n[,1]");
	check_bad("n[1-]");
	check_bad("n[-1]");
	check_bad("n[1-2-3]");
	check_bad("n[1 2]");
	check_bad("ok,n[2-1]");
}

static void
test_guard(void **state)
{
	check_bad("x[0-999999999]");
	check_bad("x[0-999999999999999999999999]");
	check_bad("x[0-1023][0-1024]"); /* 1024*1025 > 2^20 */
	/* the limit itself is fine */
	struct hostlist *hl = hostlist_create("x[0-1023][0-1023]");
	assert_non_null(hl);
	assert_int_equal(hostlist_count(hl), HOSTLIST_MAX_HOSTS);
	assert_string_equal(hostlist_nth(hl, 1025), "x11");
	char *s = hostlist_ranged_string(hl);
	free(s);
	hostlist_destroy(hl);
	/* the guard counts the whole expression, not one item */
	check_bad("a[0-700000],b[0-700000]");
}

static void
check_compress(const char *names, const char *want, const char *want_sorted)
{
	struct hostlist *hl = hostlist_create(NULL);
	char tmp[1024];
	snprintf(tmp, sizeof(tmp), "%s", names);
	for (char *tok = strtok(tmp, " "); tok; tok = strtok(NULL, " "))
		hostlist_push_host(hl, tok);
	char *s = hostlist_ranged_string(hl);
	if (strcmp(s, want) != 0)
		fail_msg("compress '%s': got '%s', want '%s'", names, s, want);
	free(s);

	/* the array form agrees */
	const char *arr[64];
	size_t n = hostlist_count(hl);
	for (size_t i = 0; i < n; i++)
		arr[i] = hostlist_nth(hl, i);
	s = hostlist_compress(arr, n);
	assert_string_equal(s, want);
	free(s);

	/* the expression expands back to the same names */
	struct hostlist *back = hostlist_create(want);
	assert_non_null(back);
	assert_int_equal(hostlist_count(back), n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(hostlist_nth(back, i), hostlist_nth(hl, i));
	hostlist_destroy(back);

	hostlist_sort(hl);
	s = hostlist_ranged_string(hl);
	if (strcmp(s, want_sorted) != 0)
		fail_msg("sorted '%s': got '%s', want '%s'", names, s, want_sorted);
	free(s);
	hostlist_destroy(hl);
}

static void
test_compress_examples(void **state)
{
	check_compress("n1 n2 n3 n5", "n[1-3,5]", "n[1-3,5]");
	check_compress("axc-compute-01 axc-compute-02 axc-compute-03 axc-compute-04", "axc-compute-[01-04]",
	    "axc-compute-[01-04]");
	check_compress("n01 n02 n10", "n[01-02,10]", "n[01-02,10]");
	check_compress("n9 n10", "n[9-10]", "n[9-10]");
	check_compress("n01 n2", "n[01,2]", "n[2,01]");
	check_compress("node1", "node1", "node1");
	check_compress("a b", "a,b", "a,b");
	check_compress("login n1 n2", "login,n[1-2]", "login,n[1-2]");
	check_compress("rack0_n1 rack0_n2 rack1_n1", "rack0_n[1-2],rack1_n1", "rack0_n[1-2],rack1_n1");
	check_compress("tux2 tux1 tux2", "tux[2,1-2]", "tux[1-2,2]");
	check_compress("n1 n3 n2", "n[1,3,2]", "n[1-3]");
	check_compress("n1 n2 n3 m1 m2 n4", "n[1-3],m[1-2],n4", "m[1-2],n[1-4]");
	check_compress("n13 n14 n23 n24", "n[13-14,23-24]", "n[13-14,23-24]");
	check_compress(
	    "rack0_n1 rack0_n2 rack1_n1 rack1_n2", "rack0_n[1-2],rack1_n[1-2]", "rack0_n[1-2],rack1_n[1-2]");
}

static void
test_compress_more(void **state)
{
	check_compress("n5 n4 n3", "n[5,4,3]", "n[3-5]");
	check_compress("n09 n10", "n[09-10]", "n[09-10]");
	check_compress("n8 n09", "n[8,09]", "n[8,09]");
	check_compress("n98 n99 n100", "n[98-100]", "n[98-100]");
	check_compress("n098 n099 n100", "n[098-100]", "n[098-100]");
	check_compress("n0 n1", "n[0-1]", "n[0-1]");
	check_compress("1 2 3", "[1-3]", "[1-3]");
	char *s = hostlist_compress(NULL, 0);
	assert_string_equal(s, "");
	free(s);
}

static void
test_find_uniq_push(void **state)
{
	struct hostlist *hl = hostlist_create("n[1-3],n2,n1,m1");
	assert_non_null(hl);
	assert_int_equal(hostlist_count(hl), 6);
	assert_int_equal(hostlist_find(hl, "n2"), 1);
	assert_int_equal(hostlist_find(hl, "m1"), 5);
	assert_int_equal(hostlist_find(hl, "n9"), -1);
	hostlist_uniq(hl);
	assert_int_equal(hostlist_count(hl), 4);
	char *s = hostlist_ranged_string(hl);
	assert_string_equal(s, "n[1-3],m1");
	free(s);

	/* a failed push leaves the list unchanged */
	assert_int_equal(hostlist_push(hl, "x[1-2],y[2-1]"), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(hostlist_count(hl), 4);
	assert_int_equal(hostlist_push(hl, "x[1-2]"), 0);
	assert_int_equal(hostlist_count(hl), 6);
	assert_string_equal(hostlist_nth(hl, 5), "x2");
	assert_null(hostlist_nth(hl, 6));
	hostlist_destroy(hl);
	hostlist_destroy(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_expand_examples),
	    cmocka_unit_test(test_expand_more),
	    cmocka_unit_test(test_expand_errors),
	    cmocka_unit_test(test_guard),
	    cmocka_unit_test(test_compress_examples),
	    cmocka_unit_test(test_compress_more),
	    cmocka_unit_test(test_find_uniq_push),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
