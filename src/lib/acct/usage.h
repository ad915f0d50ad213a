/* SPDX-License-Identifier: MIT */
/*
 * Step usage (JobAcctGather) across nodes: a step's supervisor reports
 * its node's tasks in a job_complete record (or the sstat file); the
 * controller and sstat merge the nodes into one acct_step: maxima with
 * the node and task (rank in the step) that had them, the minimum CPU
 * likewise, averages weighted by the tasks behind them, CPU summed.
 */
#ifndef HERD_ACCT_USAGE_H
#define HERD_ACCT_USAGE_H

#include "proto/proto.h"

/* Copy the usage fields (the five basic ones, USAGE_FIELDS and the node
 * names) of src into dst; dup: dst gets its own copies of the names. */
void usage_copy(struct acct_step *dst, const struct acct_step *src, int dup);
/* One node's report as a step's usage; the node names point to
 * jc->node_name (dst is not the owner). */
void usage_from_complete(struct acct_step *dst, const struct job_complete *jc);
/* Point every node name of s (MaxRSSNode...) to node, not owned;
 * nothing when s has no usage (usage_tasks 0). */
void usage_set_node(struct acct_step *s, char *node);
/* Add the usage of one (a node, or another part of the step) to into,
 * which owns its node names. */
void usage_merge(struct acct_step *into, const struct acct_step *one);
/* Free and clear the node names of s. */
void usage_free_nodes(struct acct_step *s);

#endif
