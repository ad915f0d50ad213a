/* SPDX-License-Identifier: MIT */
/*
 * Internal helpers of the step supervisors (stepd_common.c).
 */
#ifndef HERD_STEPD_INT_H
#define HERD_STEPD_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto/proto.h"

#define STEPD_HELLO 0x100U

int64_t stepd_now_ms(void);
/* create/replace path with data; 0 or -1 with errno */
int stepd_write_file(const char *path, const char *data, size_t len, mode_t mode);
/* a fresh cgroup v2 for the job (tag tells steps apart), or NULL when the
 * system does not let us (process groups only then); caller frees */
char *stepd_cgroup_create(const char *node, uint32_t job_id, const char *tag);
/* SIGKILL everything in the cgroup (NULL: nothing) */
void stepd_cgroup_kill(const char *cgroup);
/* signal everything in the cgroup */
void stepd_cgroup_signal(const char *cgroup, int sig);
/* 1 when no process is left in it (or cgroup is NULL) */
int stepd_cgroup_empty(const char *cgroup);

/* fork(), the child born inside cgroup when the kernel allows it
 * (clone3 CLONE_INTO_CGROUP; *placed = 1), else a plain fork.  Only for
 * single-threaded callers. */
pid_t stepd_fork_into(const char *cgroup, int *placed);

/* what the processes of a job or step used (JobAcctGather) */
struct stepd_usage {
	uint64_t max_rss_kb, max_vmsize_kb, rss_sum_kb;
	uint32_t samples;
	uint64_t live_user_us, live_sys_us; /* of the processes still running */
};
/* add a sample of the processes in cgroup (or, without one, in process
 * group pgid): their summed VmRSS and VmSize */
void stepd_usage_sample(struct stepd_usage *u, const char *cgroup, pid_t pgid);
/* fill jc's usage: CPU of every waited-for child (getrusage), the sampled
 * and the kernel's maximum RSS */
void stepd_usage_report(const struct stepd_usage *u, struct job_complete *jc);

/* sstat: the usage so far, in SlurmdSpoolDir/stat/<job>.<step>, replaced
 * atomically; herdd answers REQ_STEP_STAT from it */
void stepd_usage_publish(const struct stepd_usage *u, const char *spool, uint32_t job_id, uint32_t step_id,
    uint32_t uid, uint32_t ntasks);
void stepd_usage_unpublish(const char *spool, uint32_t job_id, uint32_t step_id);
/* read what stepd_usage_publish wrote: 0, or -1 (errno) */
int stepd_usage_read(
    const char *spool, uint32_t job_id, uint32_t step_id, uint32_t *uid, struct acct_step *out);

#endif
