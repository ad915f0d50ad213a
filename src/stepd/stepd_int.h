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

/* What the processes of a job or step used (JobAcctGather), task by
 * task: each process counts for the task whose process it descends from
 * (by parent links; one reparented to the supervisor keeps the task it
 * last had).  Sampled from /proc every second: the summed VmRSS and
 * VmSize of a task's processes (their maxima), CPU and disk I/O; a
 * process the supervisor reaps adds its totals (wait4's rusage, its
 * /proc/<pid>/io read as a zombie), and each process's own figures
 * include those of the children it reaped.
 *
 * Disk I/O is /proc/<pid>/io read_bytes/write_bytes (what went to or came
 * from storage: page cache writes count when dirtied, reads served from
 * the cache do not), or rchar/wchar (all bytes through read/write-like
 * calls) on kernels without storage I/O accounting.  cgroup v2 io.stat is
 * not used: it needs the io controller and cannot tell tasks apart. */
struct stepd_task_usage {
	pid_t pid; /* the task's process, 0 before it starts */
	uint32_t rank; /* in the step */
	uint64_t max_rss_kb, max_vm_kb; /* of the sums of its live processes */
	uint64_t dead_user_us, dead_sys_us, dead_read, dead_write; /* reaped here */
	uint64_t live_user_us, live_sys_us, live_read, live_write; /* last sample */
	uint64_t read, write; /* the most seen (totals only grow) */
};
struct stepd_proc_task {
	pid_t pid;
	uint32_t task;
};
struct stepd_usage {
	struct stepd_task_usage *t;
	uint32_t n;
	struct stepd_proc_task *procs; /* last sample: which task each process had */
	size_t nprocs;
	uint32_t samples;
};
void stepd_usage_init(struct stepd_usage *u, uint32_t ntasks);
void stepd_usage_free(struct stepd_usage *u);
/* task i (0..n-1) is process pid, rank in the step */
void stepd_usage_task(struct stepd_usage *u, uint32_t i, pid_t pid, uint32_t rank);
/* add a sample of the processes in cgroup (or, without one, in process
 * group pgid) */
void stepd_usage_sample(struct stepd_usage *u, const char *cgroup, pid_t pgid);
/* waitpid(-1, wst, WNOHANG) that first takes the ended child's usage
 * (wst may be NULL): its pid, 0 when none has ended, -1 with errno */
pid_t stepd_usage_reap(struct stepd_usage *u, int *wst);
/* fill jc's usage (this node's tasks) */
void stepd_usage_report(const struct stepd_usage *u, struct job_complete *jc);

/* sstat: the usage so far, in SlurmdSpoolDir/stat/<job>.<step>, replaced
 * atomically; herdd answers REQ_STEP_STAT from it */
void stepd_usage_publish(const struct stepd_usage *u, const char *spool, uint32_t job_id, uint32_t step_id,
    uint32_t uid, uint32_t ntasks);
void stepd_usage_unpublish(const char *spool, uint32_t job_id, uint32_t step_id);
/* read what stepd_usage_publish wrote: 0, or -1 (errno); the node names
 * of out are NULL */
int stepd_usage_read(
    const char *spool, uint32_t job_id, uint32_t step_id, uint32_t *uid, struct acct_step *out);

#endif
