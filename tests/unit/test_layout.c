/* SPDX-License-Identifier: MIT */
/*
 * Step task layout (jobs.md section 4) and srun --multi-prog files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/xmalloc.h"
#include "layout/layout.h"
#include "layout/multiprog.h"
#include "proto/proto.h"
#include "proto/stepflags.h"

/* "0,1|2|3": the ranks of each node */
static char *
lay(uint32_t nnodes, const uint32_t *slots, uint32_t ntasks, uint32_t max, uint32_t dist, uint32_t plane)
{
	uint32_t cnt[16];
	uint32_t *tids[16];
	assert_int_equal(layout_tasks(nnodes, slots, ntasks, max, dist, plane, cnt, tids), 0);
	char out[256] = "";
	for (uint32_t k = 0; k < nnodes; k++) {
		char *g = layout_gtids(tids[k], cnt[k]);
		strcat(out, k ? "|" : "");
		strcat(out, g);
		free(g);
		free(tids[k]);
	}
	return xstrdup(out);
}

#define LAY(want, ...) \
	do { \
		char *got = lay(__VA_ARGS__); \
		assert_string_equal(got, want); \
		free(got); \
	} while (0)

static void
test_block_cyclic(void **state)
{
	uint32_t two[] = {2, 2, 2, 2};
	/* jobs.md: 3 nodes x 2 CPUs, 4 tasks: block 2,1,1; cyclic {0,3},{1},{2} */
	LAY("0,1|2|3", 3, two, 4, 0, STEP_DIST_BLOCK, 0);
	LAY("0,3|1|2", 3, two, 4, 0, STEP_DIST_CYCLIC, 0);
	/* default: block when tasks > nodes, else cyclic */
	LAY("0,1|2|3", 3, two, 4, 0, STEP_DIST_DEFAULT, 0);
	LAY("0|1|2", 3, two, 3, 0, STEP_DIST_DEFAULT, 0);
	/* the reference job: 4 tasks on 2 nodes of 2 CPUs */
	LAY("0,1|2,3", 2, two, 4, 0, STEP_DIST_DEFAULT, 0);
	/* pack fills each node first */
	uint32_t three[] = {3, 3, 3};
	LAY("0,1,2|3", 2, three, 4, 0, STEP_DIST_BLOCK | STEP_DIST_PACK, 0);
	/* plane=2 deals blocks of 2 */
	LAY("0,1,4,5|2,3", 2, (uint32_t[]){4, 4}, 6, 0, STEP_DIST_PLANE, 2);
	/* a per-node cap moves tasks on */
	LAY("0|1|2,3", 3, (uint32_t[]){1, 1, 4}, 4, 0, STEP_DIST_BLOCK, 0);
	LAY("0,3|1|2", 3, (uint32_t[]){4, 4, 4}, 4, 2, STEP_DIST_CYCLIC, 0);
	LAY("0,1|2,3", 2, (uint32_t[]){4, 4}, 4, 2, STEP_DIST_BLOCK | STEP_DIST_PACK, 0);
	/* every node full: oversubscribe round-robin */
	LAY("0,2|1,3", 2, (uint32_t[]){1, 1}, 4, 0, STEP_DIST_CYCLIC, 0);
	uint32_t cnt[1];
	uint32_t *tids[1];
	assert_int_equal(layout_tasks(0, two, 1, 0, 0, 0, cnt, tids), -1);
	assert_int_equal(layout_tasks(1, two, 0, 0, 0, 0, cnt, tids), -1);
}

static void
test_gtids(void **state)
{
	uint32_t v[4];
	assert_int_equal(layout_parse_gtids("0,1,5", v, 4), 3);
	assert_int_equal(v[2], 5);
	assert_int_equal(layout_parse_gtids("", v, 4), 0);
	assert_int_equal(layout_parse_gtids("1,2,3,4,5", v, 4), -1);
	assert_int_equal(layout_parse_gtids("1,x", v, 4), -1);
	assert_int_equal(layout_parse_gtids("1,", v, 4), 1);
}

static void
test_multiprog(void **state)
{
	const char *conf = "# comment\n0 echo zero %t\n\n1-2,5 'my prog' \"a b\" %o\n* echo rest\n";
	uint32_t n;
	char err[256];
	char **v = multiprog_argv(conf, 0, &n, err, sizeof(err));
	assert_non_null(v);
	assert_int_equal(n, 3);
	assert_string_equal(v[2], "0");
	assert_null(v[3]);
	strv_free(v, n);
	v = multiprog_argv(conf, 5, &n, err, sizeof(err));
	assert_non_null(v);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "my prog");
	assert_string_equal(v[1], "a b");
	assert_string_equal(v[2], "2");
	strv_free(v, n);
	v = multiprog_argv(conf, 9, &n, err, sizeof(err));
	assert_non_null(v);
	assert_string_equal(v[1], "rest");
	strv_free(v, n);
	assert_null(multiprog_argv("0 a\n", 1, &n, err, sizeof(err)));
	assert_string_equal(err, "No executable program specified for this task (1)");
	assert_null(multiprog_argv("x-y a\n", 1, &n, err, sizeof(err)));
	assert_null(multiprog_argv("3\n", 3, &n, err, sizeof(err)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_block_cyclic),
	    cmocka_unit_test(test_gtids),
	    cmocka_unit_test(test_multiprog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
