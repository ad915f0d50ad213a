/* SPDX-License-Identifier: MIT */
/*
 * The step supervisor, run in a process that herdd forked for the job.
 */
#ifndef HERD_STEPD_H
#define HERD_STEPD_H

#include <signal.h>
#include <sys/types.h>
#include <time.h>

#include "proto/proto.h"

/* Supervise the batch job bl (owned) until the controller has its end;
 * returns the process exit status.  Never returns to herdd's event loop. */
int stepd_run(const char *spool, const char *node, struct batch_launch *bl);

/* Supervise this node's tasks of a step (sl owned) until they are gone
 * and srun and the controller know; returns the process exit status. */
int stepd_step_run(const char *spool, const char *node, struct step_launch *sl);

/* JobAcctGatherFrequency (task): seconds between usage samples of a
 * running job or step; 0 samples only at the end.  herdd sets it from
 * slurm.conf before it forks supervisors.  A supervisor also samples when
 * it gets STEPD_SIG_SAMPLE (sstat asks herdd, herdd asks it). */
extern unsigned stepd_acct_freq_s;
#define STEPD_SIG_SAMPLE SIGUSR2
/* the first sample, soon after the tasks start (what a short step uses) */
#define STEPD_FIRST_SAMPLE_MS 100
/* The time to the next sample: 1 s after the first, then doubling up to
 * JobAcctGatherFrequency (short steps are seen several times, long ones
 * at the configured rate).  *gap_ms is the previous gap, 0 at first. */
int64_t stepd_sample_gap_ms(int64_t *gap_ms);

/* The published usage of job_id.step_id (stepd_common.c): the supervisor
 * is asked for a fresh sample first, and its answer awaited a moment. */
/* A fresh sstat sample: stepd_usage_mark notes the published file as it is,
 * then SIGUSR2 to the supervisor, then stepd_usage_changed until it is
 * replaced (the supervisor answers in a few ms). */
struct stepd_usage_mark {
	int had;
	ino_t ino;
	struct timespec mtim;
};
void stepd_usage_mark(const char *spool, uint32_t job_id, uint32_t step_id, struct stepd_usage_mark *m);
int stepd_usage_changed(
    const char *spool, uint32_t job_id, uint32_t step_id, const struct stepd_usage_mark *m);

#endif
