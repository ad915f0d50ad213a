/* SPDX-License-Identifier: MIT */
/*
 * sacct's field table and renderer: fixed-width columns (each followed by
 * one space, strings cut to width-1 plus '+', numbers never cut) or
 * parsable output, one line per job followed by its step lines.
 */
#ifndef HERD_CMD_ACCTFMT_H
#define HERD_CMD_ACCTFMT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "proto/proto.h"

/* acct_query.flags (same bit as herddbd's ACCT_QUERY_ALL_USERS) */
#define SACCT_QUERY_ALL_USERS 0x2U
#define SACCT_QUERY_NO_STEPS 0x4U /* herddbd may leave the steps out */

#define SACCT_DEFAULT_FORMAT "jobid,jobname,partition,account,alloccpus,state,exitcode"
#define SACCT_BRIEF_FORMAT "jobid,state,exitcode"
#define SACCT_LONG_FORMAT \
	"jobid,jobidraw,jobname,partition,maxvmsize,maxrss,averss,ntasks,alloccpus,elapsed,state,exitcode," \
	"cputime,reqmem,alloctres,nnodes,nodelist,timelimit,user,account,submit,start,end"

struct acct_field;

struct acct_col {
	const struct acct_field *f;
	int width; /* > 0 */
	int right;
};

struct acct_out {
	struct acct_col *cols;
	size_t n;
	int parsable; /* 0 fixed width, 1 -p (delimiter after every field), 2 -P */
	const char *delim; /* "|" unless --delimiter */
	int noheader;
	int allocations; /* -X: no step lines */
	int noconvert; /* --noconvert: disk I/O in bytes */
	int64_t now; /* for Elapsed of running jobs */
	/* optional line filter (sacct -j 123.batch): s == NULL for the job
	 * line; a line is printed when want returns non-zero */
	int (*want)(const struct acct_job *j, const struct acct_step *s, void *arg);
	void *want_arg;
};

/* Append the fields of a list "name[%[-]W],..." (case-insensitive).  -1
 * with "Invalid field requested: \"x\"" in err on an unknown name. */
int acct_out_parse(struct acct_out *o, const char *list, char *err, size_t errlen);
void acct_out_free(struct acct_out *o);
/* 1 when o prints step lines or a job field made of the steps (TotalCPU...) */
int acct_out_needs_steps(const struct acct_out *o);

/* Header lines (unless noheader), then the job and step lines. */
void acct_header(const struct acct_out *o, struct buf *out);
void acct_job_lines(const struct acct_out *o, const struct acct_job *j, struct buf *out);
/* only the step lines of j (sstat) */
void acct_job_lines_steps(const struct acct_out *o, const struct acct_job *j, struct buf *out);
/* Sort jobs by submit time, then array job id, task id, job id. */
void acct_sort(struct acct_job *jobs, size_t n);
/* Header, then every job. */
void acct_render(const struct acct_out *o, struct acct_job *jobs, size_t n, struct buf *out);
/* sacct -e: every field name, in columns */
void acct_helpformat(struct buf *out);

/* Steps are listed as Slurm lists them: batch, extern, then the numbered
 * ones; a job's steps are printed in ACCT_STEP_PASSES passes over its
 * array, a step in pass acct_step_pass(its id). */
#define ACCT_STEP_PASSES 3
int acct_step_pass(uint32_t step_id);

/* sacct --json: the jobs and their steps (those o->want takes; none with
 * o->allocations) as one JSON document (acctjson.c) */
void acct_json(const struct acct_out *o, const struct acct_job *jobs, size_t n, struct buf *out);

/* "CANCELLED by 0", "0:15" ... for tests and other users */
void acct_exit_code(struct buf *out, uint32_t status);

#endif
