/* SPDX-License-Identifier: MIT */
/*
 * squeue's field tables for jobs and steps (cli.md section 4) and the
 * small job helpers that scontrol shares: job id text, run time, exit
 * code text.
 */
#ifndef HERD_CMD_JOBFMT_H
#define HERD_CMD_JOBFMT_H

#include <stdint.h>

#include "base/buf.h"
#include "fmt.h"
#include "proto/proto.h"

struct jobfmt_ctx {
	int64_t now; /* used when a record carries no controller time */
	int bitstr_len; /* SLURM_BITSTR_LEN: longest array expression shown (default 64) */
};

extern const struct fmt_table jobfmt_table;
extern const struct fmt_table stepfmt_table;

/* squeue defaults */
#define JOBFMT_DEFAULT "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R"
#define JOBFMT_LONG "%.18i %.9P %.8j %.8u %.8T %.10M %.9l %.6D %R"
#define JOBFMT_START "%.18i %.9P %.8j %.8u %.2t %.19S %.6D %20Y %R"
#define STEPFMT_DEFAULT "%.15i %.8j %.9P %.8u %.9M %N"
#define JOBFMT_SORT "P,t,-p"
#define STEPFMT_SORT "P,i"

/* "123", "123_4", "123_[5-9%2]" */
void jobfmt_id(struct buf *out, const struct job_info *j, int bitstr_len);
/* seconds the job has run (0 while pending; frozen while suspended) */
int64_t jobfmt_run_secs(const struct job_info *j, int64_t now);
/* wait(2) status as "exit:signal" */
void jobfmt_exit_code(struct buf *out, uint32_t status);
/* controller time of the record, or ctx fallback */
int64_t jobfmt_now(const struct job_info *j, const struct jobfmt_ctx *c);
/* OverSubscribe of a job: OK, NO, YES, USER, MCS */
const char *jobfmt_oversub(const struct job_info *j);
/* job id order: array/job id, then task id */
int jobfmt_cmp_id(const void *a, const void *b);
int stepfmt_cmp_id(const void *a, const void *b);

/* Sort (by -S keys, then job id) and render header (unless noheader) and
 * rows.  The array is reordered.  -1 with err for a bad sort key. */
int jobfmt_render(struct buf *out, const struct fmt_spec *spec, const char *sort, int noheader,
    const struct job_info **jobs, size_t n, const struct jobfmt_ctx *ctx, char *err, size_t errlen);
int stepfmt_render(struct buf *out, const struct fmt_spec *spec, const char *sort, int noheader,
    const struct step_info **steps, size_t n, const struct jobfmt_ctx *ctx, char *err, size_t errlen);

#endif
