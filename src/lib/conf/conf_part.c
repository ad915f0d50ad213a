/* SPDX-License-Identifier: MIT */
/*
 * PartitionName lines of slurm.conf (config.md section 5) and the work
 * done once the whole file is read: partition node lists resolved to node
 * indexes (nodes may be defined after the partition), DownNodes applied,
 * the default partition chosen.
 */
#include "conf/conf_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xmalloc.h"
#include "hostlist/hostlist.h"
#include "proto/proto.h"

void
conf_part_free(struct conf_part *p)
{
	free(p->name);
	free(p->nodes_expr);
	free(p->node_idx);
	for (uint32_t i = 0; i < p->feature_cnt; i++)
		free(p->features[i]);
	free(p->features);
	conf_key_free(conf_part_keys, conf_part_nkeys, p);
}

/* Apply pairs[1..] to p; Nodes= goes to *nodes. */
static int
apply_pairs(struct conf_part *p, char **nodes, const struct conf_rline *l, char *err, size_t errlen)
{
	char msg[256];
	for (int i = 1; i < l->npairs; i++) {
		const char *key = l->pairs[i].key, *val = l->pairs[i].val;
		const struct conf_key *k = conf_key_find(conf_part_keys, conf_part_nkeys, key);
		if (k == NULL || strcasecmp(k->name, "PartitionName") == 0) {
			conf_errf(err, errlen, l->file, l->line, "unknown key '%s'", key);
			return -1;
		}
		if (strcasecmp(k->name, "Nodes") == 0) {
			free(*nodes);
			*nodes = xstrdup(val);
			continue;
		}
		if (strcasecmp(k->name, "Priority") == 0) {
			/* old key: sets both the tier and the job factor */
			const struct conf_key *t =
			    conf_key_find(conf_part_keys, conf_part_nkeys, "PriorityTier");
			const struct conf_key *f =
			    conf_key_find(conf_part_keys, conf_part_nkeys, "PriorityJobFactor");
			if (conf_key_set(t, p, val, msg, sizeof(msg)) < 0 ||
			    conf_key_set(f, p, val, msg, sizeof(msg)) < 0) {
				conf_errf(err, errlen, l->file, l->line, "%s", msg);
				return -1;
			}
			continue;
		}
		if (conf_key_set(k, p, val, msg, sizeof(msg)) < 0) {
			conf_errf(err, errlen, l->file, l->line, "%s", msg);
			return -1;
		}
	}
	return 0;
}

int
conf_part_line(struct conf_ctx *x, const struct conf_rline *l, char *err, size_t errlen)
{
	const char *name = l->pairs[0].val;
	if (strcasecmp(name, "DEFAULT") == 0)
		return apply_pairs(&x->part_def, &x->part_def_nodes, l, err, errlen);
	if (*name == '\0') {
		conf_errf(err, errlen, l->file, l->line, "PartitionName needs a name");
		return -1;
	}
	struct herd_conf *c = x->c;
	for (uint32_t i = 0; i < c->part_cnt; i++)
		if (strcmp(c->parts[i].name, name) == 0) {
			conf_errf(err, errlen, l->file, l->line, "duplicate PartitionName '%s'", name);
			return -1;
		}

	struct conf_part p = x->part_def;
	conf_key_dup_strings(conf_part_keys, conf_part_nkeys, &p);
	p.name = xstrdup(name);
	p.nodes_expr = NULL;
	p.node_idx = NULL;
	p.node_cnt = 0;
	p.features = NULL;
	p.feature_cnt = 0;
	char *nodes = xstrdup(x->part_def_nodes);
	if (apply_pairs(&p, &nodes, l, err, errlen) < 0) {
		conf_part_free(&p);
		free(nodes);
		return -1;
	}
	if (c->part_cnt == x->part_cap) {
		x->part_cap = x->part_cap ? x->part_cap * 2 : 8;
		c->parts = xreallocarray(c->parts, x->part_cap, sizeof(*c->parts));
		x->prec = xreallocarray(x->prec, x->part_cap, sizeof(*x->prec));
	}
	x->prec[c->part_cnt].file = conf_ctx_file(x, l->file);
	x->prec[c->part_cnt].line = l->line;
	x->prec[c->part_cnt].nodes = nodes;
	c->parts[c->part_cnt++] = p;
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int
part_has_feature(const struct conf_part *p, const char *f)
{
	for (uint32_t i = 0; i < p->feature_cnt; i++)
		if (strcmp(p->features[i], f) == 0)
			return 1;
	return 0;
}

void
conf_part_set_expr(struct herd_conf *c, struct conf_part *part)
{
	const char **names = xcalloc(part->node_cnt ? part->node_cnt : 1, sizeof(*names));
	for (uint32_t k = 0; k < part->node_cnt; k++)
		names[k] = c->nodes[part->node_idx[k]].name;
	free(part->nodes_expr);
	part->nodes_expr = part->node_cnt ? hostlist_compress(names, part->node_cnt) : xstrdup("");
	free(names);
}

/* *all_expr: the compressed list of every node, built on first use. */
static int
resolve_part(struct conf_ctx *x, uint32_t pi, char **all_expr, char *err, size_t errlen)
{
	struct herd_conf *c = x->c;
	struct conf_part *p = &c->parts[pi];
	const struct conf_part_rec *r = &x->prec[pi];
	const char *expr = r->nodes ? r->nodes : "";
	if (strcasecmp(expr, "ALL") == 0) {
		p->node_idx = xcalloc(c->node_cnt ? c->node_cnt : 1, sizeof(*p->node_idx));
		for (uint32_t i = 0; i < c->node_cnt; i++)
			p->node_idx[i] = i;
		p->node_cnt = c->node_cnt;
		p->all_nodes = 1;
		if (*all_expr == NULL) {
			const char **names = xcalloc(c->node_cnt ? c->node_cnt : 1, sizeof(*names));
			for (uint32_t i = 0; i < c->node_cnt; i++)
				names[i] = c->nodes[i].name;
			*all_expr = hostlist_compress(names, c->node_cnt);
			free(names);
		}
		p->nodes_expr = xstrdup(*all_expr);
		return 0;
	}
	struct hostlist *hl = hostlist_create(expr);
	if (hl == NULL) {
		conf_errf(err, errlen, r->file, r->line, "invalid hostlist for Nodes: '%s'", expr);
		return -1;
	}
	size_t n = 0, cap = hostlist_count(hl) + 1;
	uint32_t *idx = xcalloc(cap, sizeof(*idx));
	int sets = 0; /* a nodeset is named: Nodes= is shown expanded */
	for (size_t i = 0; i < hostlist_count(hl); i++) {
		const char *name = hostlist_nth(hl, i);
		int k = conf_ctx_node_find(x, name);
		if (k >= 0) {
			if (n == cap) {
				cap *= 2;
				idx = xreallocarray(idx, cap, sizeof(*idx));
			}
			idx[n++] = (uint32_t)k;
			continue;
		}
		int s = conf_nodeset_index(c, name);
		if (s < 0) {
			conf_errf(
			    err, errlen, r->file, r->line, "partition %s: unknown node '%s'", p->name, name);
			hostlist_destroy(hl);
			free(idx);
			return -1;
		}
		const struct conf_nodeset *ns = &c->nodesets[s];
		sets = 1;
		conf_nodeset_members(x, ns, &idx, &n, &cap);
		if (ns->feature != NULL && !part_has_feature(p, ns->feature)) {
			p->features = xreallocarray(p->features, p->feature_cnt + 1, sizeof(*p->features));
			p->features[p->feature_cnt++] = xstrdup(ns->feature);
		}
	}
	hostlist_destroy(hl);
	/* node order, each node once */
	qsort(idx, n, sizeof(*idx), cmp_u32);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (m == 0 || idx[m - 1] != idx[i])
			idx[m++] = idx[i];
	p->node_idx = idx;
	p->node_cnt = (uint32_t)m;
	if (sets)
		conf_part_set_expr(c, p);
	else
		p->nodes_expr = xstrdup(expr);
	return 0;
}

int
conf_records_finish(struct conf_ctx *x, char *err, size_t errlen)
{
	struct herd_conf *c = x->c;
	if (conf_nodesets_check(x, err, errlen) < 0)
		return -1;
	char *all_expr = NULL;
	for (uint32_t i = 0; i < c->part_cnt; i++)
		if (resolve_part(x, i, &all_expr, err, errlen) < 0) {
			free(all_expr);
			return -1;
		}
	free(all_expr);

	for (size_t d = 0; d < x->ndown; d++) {
		const struct conf_down_rec *r = &x->down[d];
		struct hostlist *hl = hostlist_create(r->nodes);
		if (hl == NULL) {
			conf_errf(
			    err, errlen, r->file, r->line, "invalid hostlist for DownNodes: '%s'", r->nodes);
			return -1;
		}
		for (size_t i = 0; i < hostlist_count(hl); i++) {
			int idx = conf_ctx_node_find(x, hostlist_nth(hl, i));
			if (idx < 0) {
				conf_errf(err, errlen, r->file, r->line, "DownNodes: unknown node '%s'",
				    hostlist_nth(hl, i));
				hostlist_destroy(hl);
				return -1;
			}
			struct conf_node *n = &c->nodes[idx];
			n->state = r->state;
			if (r->reason) {
				free(n->reason);
				n->reason = xstrdup(r->reason);
			}
		}
		hostlist_destroy(hl);
	}

	/* the last Default=YES partition wins, as in Slurm */
	c->default_part = -1;
	for (uint32_t i = 0; i < c->part_cnt; i++)
		if (c->parts[i].is_default)
			c->default_part = (int)i;
	for (uint32_t i = 0; i < c->part_cnt; i++)
		c->parts[i].is_default = (int)i == c->default_part;
	return 0;
}
