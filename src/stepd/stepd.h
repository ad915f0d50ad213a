/* SPDX-License-Identifier: MIT */
/*
 * The step supervisor, run in a process that herdd forked for the job.
 */
#ifndef HERD_STEPD_H
#define HERD_STEPD_H

#include "proto/proto.h"

/* Supervise the batch job bl (owned) until the controller has its end;
 * returns the process exit status.  Never returns to herdd's event loop. */
int stepd_run(const char *spool, const char *node, struct batch_launch *bl);

/* Supervise this node's tasks of a step (sl owned) until they are gone
 * and srun and the controller know; returns the process exit status. */
int stepd_step_run(const char *spool, const char *node, struct step_launch *sl);

#endif
