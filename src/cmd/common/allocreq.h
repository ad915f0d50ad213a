/* SPDX-License-Identifier: MIT */
/*
 * Getting a job allocation for srun (outside a job) and salloc: submit a
 * job without a batch script, say what Slurm says while it waits, and
 * keep the connection on which the controller tells us of the grant and
 * of a revocation.  Also the allocation's environment (cli.md section 3).
 */
#ifndef HERD_ALLOCREQ_H
#define HERD_ALLOCREQ_H

#include <signal.h>
#include <stdint.h>

#include "client.h"

struct allocreq {
	uint32_t job_id;
	int fd; /* the lifeline: RESP_ALLOC arrives here */
	struct job_info *ji; /* the granted job (owned) */
	int revoked; /* the job ended without us */
};

/* Submit d (its batch flag is cleared) and wait until the job runs.
 * stop: set by a signal handler; when it becomes non-zero while waiting,
 * the job is released and "<prog>: Job allocation N has been revoked" is
 * printed.  0 with a filled allocreq, or -1 (message printed). */
int allocreq_get(struct client *c, const char *prog, struct job_desc *d, int quiet,
    volatile sig_atomic_t *stop, struct allocreq *a);

/* Non-blocking look at the lifeline: 1 when the allocation was revoked
 * (the job ended without us), 0 otherwise. */
int allocreq_revoked(struct allocreq *a);

/* Release the allocation: the job ends with status (a wait status);
 * cancelled marks it CANCELLED.  0 or -1. */
int allocreq_release(struct client *c, struct allocreq *a, uint32_t status, int cancelled);
void allocreq_free(struct allocreq *a);

/* The job-level variables of an allocation (salloc's environment, and
 * what srun adds when it made the job) into env. */
void allocreq_env(struct client *c, const struct job_info *ji, char ***env, uint32_t *n);

/* SLURM_TASKS_PER_NODE of a job: block layout of its tasks over its nodes
 * (caller frees) */
char *allocreq_tasks_per_node(const struct job_info *ji);

#endif
