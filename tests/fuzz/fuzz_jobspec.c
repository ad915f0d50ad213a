/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the --dependency and --array parsers.  A dependency that
 * parses is written back as squeue shows it and must read back to the
 * same terms; array indexes must be sorted, unique and within the limit,
 * and their ranges must read back to the same indexes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/jobspec.h"
#include "proto/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_depend(const char *s)
{
	struct dep_term *t;
	uint32_t n;
	int is_or;
	if (depend_parse(s, 7, &t, &n, &is_or) < 0)
		return;
	if (n > DEP_MAX_TERMS)
		abort();
	char *back = depend_string(t, n, is_or);
	struct dep_term *t2;
	uint32_t n2;
	int or2;
	if (back == NULL) {
		/* only terms already satisfied are left out: parse never gives those */
		if (n != 0)
			abort();
	} else {
		if (depend_parse(back, 7, &t2, &n2, &or2) < 0 || n2 != n || (n > 1 && or2 != is_or))
			abort();
		for (uint32_t i = 0; i < n; i++)
			if (t2[i].type != t[i].type || t2[i].state != t[i].state ||
			    t2[i].job_id != t[i].job_id || t2[i].task_id != t[i].task_id ||
			    t2[i].whole != t[i].whole || t2[i].minutes != t[i].minutes)
				abort();
		free(t2);
	}
	free(back);
	free(t);
}

static void
check_array(const char *s)
{
	struct array_spec as;
	if (array_parse(s, 100001, &as) < 0)
		return;
	if (as.cnt == 0 || as.min != as.idx[0] || as.max != as.idx[as.cnt - 1] || as.max > 100000)
		abort();
	for (uint32_t i = 1; i < as.cnt; i++)
		if (as.idx[i] <= as.idx[i - 1])
			abort();
	char *r = array_ranges(as.idx, as.cnt);
	struct array_spec back;
	if (array_parse(r, 100001, &back) < 0 || back.cnt != as.cnt ||
	    memcmp(back.idx, as.idx, as.cnt * sizeof(uint32_t)) != 0)
		abort();
	free(back.idx);
	free(r);
	free(as.idx);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	check_depend(s);
	check_array(s);
	free(s);
	return 0;
}
