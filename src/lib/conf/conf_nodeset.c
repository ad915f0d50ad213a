/* SPDX-License-Identifier: MIT */
/*
 * NodeSet lines of slurm.conf ("NodeSet=NAME Feature=F", "NodeSet=NAME
 * Nodes=HOSTLIST"): a name a partition's Nodes= may use.  A Feature set
 * takes every node whose Features include F, the slurm.conf nodes when the
 * file is read and dynamic nodes when they register (conf_dyn.c); a Nodes
 * set is a fixed list of slurm.conf nodes.  Also the feature tests used by
 * both and by job constraints (sbatch -C "a&b", "a|b").
 */
#include "conf/conf_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xmalloc.h"
#include "hostlist/hostlist.h"

void
conf_nodeset_free(struct conf_nodeset *ns)
{
	free(ns->name);
	free(ns->feature);
	free(ns->nodes);
}

/* A feature name: letters, digits and _ - . : (no list or operator). */
static int
feature_name_ok(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (!isalnum(ch) && ch != '_' && ch != '-' && ch != '.' && ch != ':')
			return 0;
	}
	return 1;
}

int
conf_nodeset_index(const struct herd_conf *c, const char *name)
{
	if (c == NULL || name == NULL)
		return -1;
	for (uint32_t i = 0; i < c->nodeset_cnt; i++)
		if (strcmp(c->nodesets[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
conf_nodeset_line(struct conf_ctx *x, const struct conf_rline *l, char *err, size_t errlen)
{
	struct herd_conf *c = x->c;
	const char *name = l->pairs[0].val;
	if (*name == '\0') {
		conf_errf(err, errlen, l->file, l->line, "NodeSet needs a name");
		return -1;
	}
	if (strcasecmp(name, "ALL") == 0 || strpbrk(name, ",[]") != NULL) {
		conf_errf(err, errlen, l->file, l->line, "invalid NodeSet name '%s'", name);
		return -1;
	}
	if (conf_nodeset_index(c, name) >= 0) {
		conf_errf(err, errlen, l->file, l->line, "duplicate NodeSet '%s'", name);
		return -1;
	}
	struct conf_nodeset ns = {xstrdup(name), NULL, NULL};
	for (int i = 1; i < l->npairs; i++) {
		const char *key = l->pairs[i].key, *val = l->pairs[i].val;
		char **slot;
		if (strcasecmp(key, "Feature") == 0) {
			if (!feature_name_ok(val, strlen(val))) {
				conf_errf(
				    err, errlen, l->file, l->line, "invalid value for Feature: '%s'", val);
				conf_nodeset_free(&ns);
				return -1;
			}
			slot = &ns.feature;
		} else if (strcasecmp(key, "Nodes") == 0) {
			slot = &ns.nodes;
		} else {
			conf_errf(err, errlen, l->file, l->line, "unknown key '%s'", key);
			conf_nodeset_free(&ns);
			return -1;
		}
		free(*slot);
		*slot = xstrdup(val);
	}
	c->nodesets = xreallocarray(c->nodesets, c->nodeset_cnt + 1, sizeof(*c->nodesets));
	c->nodesets[c->nodeset_cnt++] = ns;
	/* where it was written, for messages after the whole file is read */
	x->nsrec = xreallocarray(x->nsrec, c->nodeset_cnt, sizeof(*x->nsrec));
	x->nsrec[c->nodeset_cnt - 1].file = conf_ctx_file(x, l->file);
	x->nsrec[c->nodeset_cnt - 1].line = l->line;
	return 0;
}

static void
push_idx(uint32_t **idx, size_t *n, size_t *cap, uint32_t v)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*idx = xreallocarray(*idx, *cap, sizeof(**idx));
	}
	(*idx)[(*n)++] = v;
}

void
conf_nodeset_members(
    const struct conf_ctx *x, const struct conf_nodeset *ns, uint32_t **idx, size_t *n, size_t *cap)
{
	const struct herd_conf *c = x->c;
	if (ns->feature != NULL)
		for (uint32_t i = 0; i < c->node_cnt; i++)
			if (conf_features_have(c->nodes[i].features, ns->feature))
				push_idx(idx, n, cap, i);
	struct hostlist *hl = ns->nodes ? hostlist_create(ns->nodes) : NULL;
	for (size_t i = 0; hl && i < hostlist_count(hl); i++) {
		int k = conf_ctx_node_find(x, hostlist_nth(hl, i));
		if (k >= 0) /* always: conf_nodesets_check ran */
			push_idx(idx, n, cap, (uint32_t)k);
	}
	hostlist_destroy(hl);
}

int
conf_nodesets_check(struct conf_ctx *x, char *err, size_t errlen)
{
	const struct herd_conf *c = x->c;
	for (uint32_t s = 0; s < c->nodeset_cnt; s++) {
		const struct conf_nodeset *ns = &c->nodesets[s];
		const char *file = x->nsrec[s].file;
		int line = x->nsrec[s].line;
		if (conf_ctx_node_find(x, ns->name) >= 0) {
			conf_errf(err, errlen, file, line, "NodeSet '%s' has the name of a node", ns->name);
			return -1;
		}
		if (ns->nodes == NULL)
			continue;
		struct hostlist *hl = hostlist_create(ns->nodes);
		if (hl == NULL) {
			conf_errf(err, errlen, file, line, "invalid hostlist for Nodes: '%s'", ns->nodes);
			return -1;
		}
		for (size_t i = 0; i < hostlist_count(hl); i++)
			if (conf_ctx_node_find(x, hostlist_nth(hl, i)) < 0) {
				conf_errf(err, errlen, file, line, "NodeSet %s: unknown node '%s'", ns->name,
				    hostlist_nth(hl, i));
				hostlist_destroy(hl);
				return -1;
			}
		hostlist_destroy(hl);
	}
	return 0;
}

/* Is the feature s[0..n) in the comma-separated list? */
static int
have_n(const char *list, const char *s, size_t n)
{
	if (list == NULL)
		return 0;
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && strncmp(p, s, n) == 0)
			return 1;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

int
conf_features_have(const char *features, const char *f)
{
	return f != NULL && have_n(features, f, strlen(f));
}

int
conf_constraint_match(const char *features, const char *constraint)
{
	if (constraint == NULL)
		return -1;
	int any = 0; /* some '|' alternative fully matched */
	int all = 1; /* every term of the current alternative matched */
	const char *p = constraint;
	for (;;) {
		size_t n = strcspn(p, "&,|");
		if (!feature_name_ok(p, n))
			return -1;
		if (!have_n(features, p, n))
			all = 0;
		p += n;
		if (*p == '\0' || *p == '|') {
			any |= all;
			all = 1;
		}
		if (*p == '\0')
			break;
		p++;
	}
	return any;
}
