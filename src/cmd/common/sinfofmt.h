/* SPDX-License-Identifier: MIT */
/*
 * sinfo: the field table over node groups and the grouping itself
 * (cli.md section 5).  Nodes of a partition whose printed values agree
 * form one line; counts, node lists and (without -e) numeric values are
 * aggregated over the group.
 */
#ifndef HERD_CMD_SINFOFMT_H
#define HERD_CMD_SINFOFMT_H

#include <stddef.h>
#include <stdint.h>

#include "fmt.h"
#include "proto/proto.h"

struct hostlist;

extern const struct fmt_table sinfofmt_table;

#define SINFOFMT_DEFAULT "%#P %.5a %.10l %.6D %.6t %N"
#define SINFOFMT_SUMMARIZE "%#P %.5a %.10l %.16F %N"
#define SINFOFMT_LONG "%#P %.5a %.10l %.10s %.4r %.8h %.10g %.6D %.11T %N"
#define SINFOFMT_NODE "%#N %.6D %.#P %6t"
#define SINFOFMT_NODE_LONG "%#N %.6D %.#P %.11T %4c %.8z %.6m %.8d %.6w %.8f %20E"
#define SINFOFMT_REASON "%20E %9u %19H %N"
#define SINFOFMT_REASON_LONG "%20E %12U %19H %6t %N"
#define SINFOFMT_SORT "#P,-t"
#define SINFOFMT_NODE_SORT "N"

/* one output line */
struct sinfo_rec {
	const struct part_info *part; /* NULL when lines are not per partition */
	int part_idx; /* order of the partition (sort key) */
	const struct node_info *all; /* the node array */
	uint32_t *idx; /* member nodes (indexes into all) */
	size_t n;
	char *nodelist, *hostnames, *addrs; /* filled by sinfofmt_build */
	uint32_t state; /* of the first node */
	uint32_t min_cpus, max_cpus, min_sockets, max_sockets, min_cores, max_cores;
	uint32_t min_threads, max_threads, min_weight, max_weight, min_load, max_load;
	uint64_t min_mem, max_mem, min_disk, max_disk, min_free, max_free;
	uint32_t nodes_alloc, nodes_idle, nodes_other;
	uint64_t cpus_alloc, cpus_idle, cpus_other, cpus_total;
};

struct sinfo_opts {
	int node_mode; /* -N: one line per node and partition */
	int exact; /* -e */
	int all; /* -a: hidden partitions too */
	int reasons; /* -R: only down/drained/failing nodes */
	int responding; /* -r */
	int dead; /* -d */
	char **parts; /* -p */
	size_t nparts;
	const struct hostlist *hosts; /* -n */
	const char *states; /* -t list, validated with sinfofmt_states_valid */
};

struct sinfofmt_ctx {
	int64_t now;
};

/* Build the lines for spec (which decides what splits groups). */
void sinfofmt_build(const struct fmt_spec *spec, const struct node_info *nodes, size_t nn,
    const struct part_info *parts, size_t np, const struct sinfo_opts *o, struct sinfo_rec **out,
    size_t *nout);
void sinfofmt_free(struct sinfo_rec *v, size_t n);

/* Group, sort, size the "#" columns and render header (unless noheader)
 * and rows.  -1 with err for a bad sort key. */
int sinfofmt_render(struct buf *out, struct fmt_spec *spec, const char *sort, int noheader,
    const struct node_info *nodes, size_t nn, const struct part_info *parts, size_t np,
    const struct sinfo_opts *o, char *err, size_t errlen);

/* NO, EXCLUSIVE, YES:4, FORCE:4 (conf.h OVERSUB_*) */
void sinfofmt_oversub(struct buf *o, uint32_t v);

/* -t list: 0 if every name is known, else -1 with *bad at the name */
int sinfofmt_states_valid(const char *list, const char **bad, size_t *badlen);
int sinfofmt_state_list_match(const char *list, uint32_t state);

#endif
