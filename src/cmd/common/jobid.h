/* SPDX-License-Identifier: MIT */
/*
 * Job id syntax accepted by the commands (cli.md section 0): "123",
 * "123_4" (array task), "123_[1-3,5]" (several tasks), "123.4",
 * "123.batch", "123.extern", "123.interactive" (steps), "123+1" (het
 * component), and combinations such as "123_4.0".
 */
#ifndef HERD_CMD_JOBID_H
#define HERD_CMD_JOBID_H

#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

struct jobid_range {
	uint32_t lo, hi, step;
};

struct jobid {
	uint32_t job_id;
	uint32_t array_task_id; /* one task, or NO_VAL */
	struct jobid_range *tasks; /* "123_[1-3,5]": task ranges (owned), else NULL */
	size_t ntasks;
	uint32_t step_id; /* NO_VAL: the whole job; STEP_ID_BATCH ... */
	uint32_t het_offset; /* NO_VAL unless "123+N" */
};

/* Parse one id.  0, or -1 with errno EINVAL (out left zeroed). */
int jobid_parse(const char *s, struct jobid *out);
void jobid_free(struct jobid *id);

/* Parse a list "1,2_[3-4],5.0" (commas inside brackets do not split) and
 * append to *v.  -1/EINVAL with *bad pointing at a malloc'd copy of the
 * offending token (caller frees). */
int jobid_list_parse(const char *list, struct jobid **v, size_t *n, char **bad);
void jobid_list_free(struct jobid *v, size_t n);

/* Does the id name this job record?  A plain id matches the job and, for
 * an array master id, every task (and the pending remainder). */
int jobid_match(const struct jobid *id, const struct job_info *j);
/* Is task t among the tasks the id names (single, ranges)? */
int jobid_has_task(const struct jobid *id, uint32_t t);

/* Does the array expression "1-3,5,7-11:2" (a pending remainder) contain
 * task t? */
int array_expr_has(const char *expr, uint32_t t);

/* "1.0", "1.batch", "18_2.extern" into out (>= 64 bytes) */
char *step_id_str(
    char *out, size_t n, uint32_t job_id, uint32_t array_job_id, uint32_t array_task_id, uint32_t step_id);
/* "batch", "extern", "interactive", "pending" or the number */
const char *step_name_str(char *out, size_t n, uint32_t step_id);

#endif
