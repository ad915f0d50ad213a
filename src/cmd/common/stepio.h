/* SPDX-License-Identifier: MIT */
/*
 * srun's step engine: create the step, launch it on its nodes, serve its
 * I/O and signals, report the tasks' ends (cli.md section 2).
 */
#ifndef HERD_STEPIO_H
#define HERD_STEPIO_H

#include <stdint.h>

#include "allocreq.h"
#include "client.h"
#include "jobopt.h"

struct stepio_opts {
	struct jobopt *opt; /* srun's options (borrowed) */
	char **argv; /* the command */
	uint32_t argc;
	const char *mpi; /* "none", "pmix" */
	uint32_t job_id;
	int inside; /* the job existed before srun (SLURM_JOB_ID / --jobid) */
	struct allocreq *alloc; /* the allocation srun made, or NULL */
	char *std_out, *std_err, *std_in; /* -o/-e/-i as given (borrowed) */
	/* results */
	uint32_t worst_status; /* highest task wait status */
	int cancelled; /* the step was cancelled (Ctrl-C twice, scancel) */
};

/* Run one step; returns srun's exit status. */
int stepio_run(struct client *c, struct stepio_opts *so);

/* 1 when the node daemons of this build serve --mpi=pmix */
int stepio_have_pmix(void);

#endif
