/* SPDX-License-Identifier: MIT */
/*
 * Step credentials: herdctld's signed statement that a uid may run step
 * job.step on one node until an expiry time (a REQ_STEP_CRED frame).
 * srun carries one per node in its launch request; herdd checks it before
 * it starts anything.
 */
#ifndef HERD_STEPCRED_H
#define HERD_STEPCRED_H

#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "base/buf.h"
#include "proto/proto.h"

/* Append the signed frame of c to out. */
void stepcred_sign(struct auth *a, const struct step_cred *c, struct buf *out);

/* Is uid one of the daemons' (root, SlurmUser)? */
typedef int stepcred_daemon_fn(void *arg, uint32_t uid);

/* Check sl's credential for node at time now, for a launch that came from
 * sender_uid: signed by a daemon, for this job, step, uid, gid and node,
 * not expired, and sent by its uid (or root).  0, or
 * ESLURMD_INVALID_JOB_CREDENTIAL / ESLURMD_CREDENTIAL_EXPIRED. */
int stepcred_check(struct auth *a, const struct step_launch *sl, const char *node, uint32_t sender_uid,
    int64_t now, stepcred_daemon_fn *is_daemon, void *arg);

#endif
