/* SPDX-License-Identifier: MIT */
/*
 * Nodes added after slurm.conf was read: dynamic registration (a herdd
 * started with -Z for a name slurm.conf does not have, up to
 * MaxNodeCount).  The node is described by the keys of a NodeName line
 * ("CPUs=2 RealMemory=1000 Feature=compute"), parsed by the same code as
 * slurm.conf, and joins every partition whose Nodes= is ALL or names a
 * NodeSet whose Feature the node has.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xmalloc.h"
#include "conf/conf_int.h"
#include "hostlist/hostlist.h"

/* Does node idx belong in part: Nodes=ALL, or a Feature nodeset it matches? */
static int
part_takes(const struct herd_conf *c, const struct conf_part *part, uint32_t idx)
{
	if (part->all_nodes)
		return 1;
	for (uint32_t f = 0; f < part->feature_cnt; f++)
		if (conf_features_have(c->nodes[idx].features, part->features[f]))
			return 1;
	return 0;
}

void
conf_node_join_parts(struct herd_conf *c, uint32_t idx)
{
	for (uint32_t p = 0; p < c->part_cnt; p++) {
		struct conf_part *part = &c->parts[p];
		if (!part_takes(c, part, idx))
			continue;
		uint32_t at = 0; /* node order: the first index above idx */
		while (at < part->node_cnt && part->node_idx[at] < idx)
			at++;
		if (at < part->node_cnt && part->node_idx[at] == idx)
			continue;
		part->node_idx = xreallocarray(part->node_idx, part->node_cnt + 1, sizeof(*part->node_idx));
		memmove(part->node_idx + at + 1, part->node_idx + at,
		    (part->node_cnt - at) * sizeof(*part->node_idx));
		part->node_idx[at] = idx;
		part->node_cnt++;
		conf_part_set_expr(c, part);
	}
}

void
conf_node_leave_parts(struct herd_conf *c, uint32_t idx)
{
	for (uint32_t p = 0; p < c->part_cnt; p++) {
		struct conf_part *part = &c->parts[p];
		uint32_t w = 0;
		for (uint32_t k = 0; k < part->node_cnt; k++)
			if (part->node_idx[k] != idx)
				part->node_idx[w++] = part->node_idx[k];
		if (w != part->node_cnt) {
			part->node_cnt = w;
			conf_part_set_expr(c, part);
		}
	}
}

static int
dyn_line(void *arg, const struct conf_rline *l, char *err, size_t errlen)
{
	struct conf_ctx *x = arg;
	if (l->npairs < 1 || strcasecmp(l->pairs[0].key, "NodeName") != 0) {
		conf_errf(err, errlen, l->file, l->line, "a dynamic node is described by NodeName keys only");
		return -1;
	}
	return conf_node_line(x, l, err, errlen);
}

static const char *
dyn_cluster(void *arg)
{
	const struct conf_ctx *x = arg;
	return x->c->cluster_name;
}

int
conf_node_add(struct herd_conf *c, const char *name, const char *spec, char *err, size_t errlen)
{
	struct conf_full *full = (struct conf_full *)c;
	if (name == NULL || *name == '\0' || strpbrk(name, " \t=,[]") != NULL) {
		snprintf(err, errlen, "invalid node name '%s'", name ? name : "");
		return -1;
	}
	if (conf_node_index(c, name) >= 0) {
		snprintf(err, errlen, "duplicate NodeName '%s'", name);
		return -1;
	}
	struct conf_ctx x;
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.hash = full->hash;
	x.hsize = full->hsize;
	x.node_cap = c->node_cnt; /* the array is exactly full: grows on add */
	conf_key_defaults(conf_node_keys, conf_node_nkeys, &x.node_def);
	char *line = xasprintf("NodeName=%s %s\n", name, spec ? spec : "");
	struct conf_reader r = {dyn_line, &x, NULL, dyn_cluster, 0};
	uint32_t before = c->node_cnt;
	int rc = conf_read_text(&r, line, strlen(line), "dynamic node", err, errlen);
	free(line);
	conf_key_free(conf_node_keys, conf_node_nkeys, &x.node_def);
	full->hash = x.hash;
	full->hsize = x.hsize;
	if (rc < 0)
		return -1;
	if (c->node_cnt != before + 1) {
		snprintf(err, errlen, "'%s' is not one node name", name);
		return -1; /* cannot happen: the name has no brackets or commas */
	}
	uint32_t idx = before;
	conf_node_join_parts(c, idx);
	return (int)idx;
}
