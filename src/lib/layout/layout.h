/* SPDX-License-Identifier: MIT */
/*
 * Task layout of a step (jobs.md section 4): how many tasks each node of
 * the step runs and which global ranks they are, for the block, cyclic,
 * plane and pack distributions.  Used by herdctld (step creation) and by
 * the tests; pure functions.
 */
#ifndef HERD_LAYOUT_H
#define HERD_LAYOUT_H

#include <stdint.h>

/* Lay ntasks out over nnodes nodes whose free task slots are slots[k]
 * (allocated CPUs / cpus per task); max_per_node caps each node (0 = no
 * cap).  dist is STEP_DIST_* (stepflags.h) possibly with STEP_DIST_PACK;
 * plane is the block size of STEP_DIST_PLANE.  When every node is full
 * the remaining tasks are dealt round-robin (oversubscription).
 * Fills cnt[k] and tids[k] (xmalloc'd array of cnt[k] ranks, caller
 * frees each).  0, or -1 (errno EINVAL) for nnodes == 0 or ntasks == 0. */
int layout_tasks(uint32_t nnodes, const uint32_t *slots, uint32_t ntasks, uint32_t max_per_node,
    uint32_t dist, uint32_t plane, uint32_t *cnt, uint32_t **tids);

/* "0,1,5" for the ranks; caller frees */
char *layout_gtids(const uint32_t *tids, uint32_t n);
/* parse "0,1,5" (at most max entries): count, or -1 on a bad list */
int layout_parse_gtids(const char *s, uint32_t *out, uint32_t max);

#endif
