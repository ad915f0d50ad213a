/* SPDX-License-Identifier: MIT */
/*
 * NodeName and DownNodes lines of slurm.conf (config.md section 4):
 * DEFAULT templates, hostlist expansion of names, hostnames, addresses and
 * ports (matched one to one), CPU topology defaults, duplicate detection.
 */
#include "conf/conf_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xmalloc.h"
#include "hostlist/hostlist.h"
#include "proto/states.h"

static uint64_t
name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

int
conf_ctx_node_find(const struct conf_ctx *x, const char *name)
{
	if (x->hsize == 0)
		return -1;
	size_t pos = (size_t)name_hash(name) & (x->hsize - 1);
	while (x->hash[pos] != 0) {
		uint32_t i = x->hash[pos] - 1;
		if (strcmp(x->c->nodes[i].name, name) == 0)
			return (int)i;
		pos = (pos + 1) & (x->hsize - 1);
	}
	return -1;
}

static void
hash_insert(uint32_t *hash, size_t hsize, const char *name, uint32_t idx)
{
	size_t pos = (size_t)name_hash(name) & (hsize - 1);
	while (hash[pos] != 0)
		pos = (pos + 1) & (hsize - 1);
	hash[pos] = idx + 1;
}

static void
hash_add(struct conf_ctx *x, uint32_t idx)
{
	if ((size_t)(x->c->node_cnt) * 2 > x->hsize) {
		size_t hsize = x->hsize ? x->hsize * 2 : 64;
		while ((size_t)x->c->node_cnt * 2 > hsize)
			hsize *= 2;
		uint32_t *h = xcalloc(hsize, sizeof(*h));
		for (uint32_t i = 0; i < x->c->node_cnt; i++)
			if (i != idx)
				hash_insert(h, hsize, x->c->nodes[i].name, i);
		free(x->hash);
		x->hash = h;
		x->hsize = hsize;
	}
	hash_insert(x->hash, x->hsize, x->c->nodes[idx].name, idx);
}

void
conf_node_free(struct conf_node *n)
{
	free(n->name);
	free(n->hostname);
	free(n->addr);
	free(n->features);
	free(n->gres);
	free(n->reason);
}

static int
bit_of(const struct conf_key *k)
{
	return (int)(k - conf_node_keys);
}

static int
key_set(const struct conf_node_tmpl *t, const char *name)
{
	const struct conf_key *k = conf_key_find(conf_node_keys, conf_node_nkeys, name);
	return k && (t->set & (1ULL << bit_of(k)));
}

/* Apply pairs[1..] of a NodeName line to a template. */
static int
apply_pairs(struct conf_node_tmpl *t, const struct conf_rline *l, char *err, size_t errlen)
{
	char msg[256];
	for (int i = 1; i < l->npairs; i++) {
		const struct conf_key *k = conf_key_find(conf_node_keys, conf_node_nkeys, l->pairs[i].key);
		if (k == NULL || k->type == K_SKIP) {
			conf_errf(err, errlen, l->file, l->line, "unknown key '%s'", l->pairs[i].key);
			return -1;
		}
		if (conf_key_set(k, t, l->pairs[i].val, msg, sizeof(msg)) < 0) {
			conf_errf(err, errlen, l->file, l->line, "%s", msg);
			return -1;
		}
		t->set |= 1ULL << bit_of(k);
	}
	return 0;
}

/* A hostlist whose count is 1 or cnt; NULL list when expr is NULL. */
static int
expand_matching(const char *expr, size_t cnt, const char *what, struct hostlist **out,
    const struct conf_rline *l, char *err, size_t errlen)
{
	*out = NULL;
	if (expr == NULL)
		return 0;
	struct hostlist *hl = hostlist_create(expr);
	if (hl == NULL) {
		conf_errf(err, errlen, l->file, l->line, "invalid hostlist for %s: '%s'", what, expr);
		return -1;
	}
	size_t n = hostlist_count(hl);
	if (n != 1 && n != cnt) {
		conf_errf(err, errlen, l->file, l->line, "%s count (%zu) does not match NodeName count (%zu)",
		    what, n, cnt);
		hostlist_destroy(hl);
		return -1;
	}
	*out = hl;
	return 0;
}

static const char *
nth_or_first(const struct hostlist *hl, size_t i)
{
	if (hl == NULL)
		return NULL;
	return hostlist_nth(hl, hostlist_count(hl) == 1 ? 0 : i);
}

static int
parse_port(const char *s, uint16_t *port)
{
	char *end;
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	unsigned long v = strtoul(s, &end, 10);
	if (*end != '\0' || v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static void
tmpl_free(struct conf_node_tmpl *t)
{
	conf_key_free(conf_node_keys, conf_node_nkeys, t);
}

int
conf_node_line(struct conf_ctx *x, const struct conf_rline *l, char *err, size_t errlen)
{
	const char *names = l->pairs[0].val;
	if (strcasecmp(names, "DEFAULT") == 0)
		return apply_pairs(&x->node_def, l, err, errlen);
	if (strcasecmp(names, "ALL") == 0) {
		conf_errf(err, errlen, l->file, l->line, "NodeName=ALL is not allowed");
		return -1;
	}

	struct conf_node_tmpl t = x->node_def;
	conf_key_dup_strings(conf_node_keys, conf_node_nkeys, &t);
	struct hostlist *hl = NULL, *hosts = NULL, *addrs = NULL, *ports = NULL;
	if (apply_pairs(&t, l, err, errlen) < 0)
		goto fail;

	hl = hostlist_create(names);
	if (hl == NULL || hostlist_count(hl) == 0) {
		conf_errf(err, errlen, l->file, l->line, "invalid hostlist for NodeName: '%s'", names);
		goto fail;
	}
	size_t cnt = hostlist_count(hl);
	if (x->c->node_cnt + cnt > HOSTLIST_MAX_HOSTS) {
		conf_errf(err, errlen, l->file, l->line, "too many nodes (more than %u)", HOSTLIST_MAX_HOSTS);
		goto fail;
	}
	if (expand_matching(t.n.hostname, cnt, "NodeHostname", &hosts, l, err, errlen) < 0 ||
	    expand_matching(t.n.addr, cnt, "NodeAddr", &addrs, l, err, errlen) < 0 ||
	    expand_matching(t.port_expr, cnt, "Port", &ports, l, err, errlen) < 0)
		goto fail;
	uint16_t *portv = NULL;
	if (ports) {
		portv = xcalloc(hostlist_count(ports), sizeof(*portv));
		for (size_t i = 0; i < hostlist_count(ports); i++)
			if (parse_port(hostlist_nth(ports, i), &portv[i]) < 0) {
				conf_errf(err, errlen, l->file, l->line, "invalid value for Port: '%s'",
				    t.port_expr);
				free(portv);
				goto fail;
			}
	}

	/* CPU topology (config.md section 4) */
	uint64_t boards = t.n.boards ? t.n.boards : 1, cores = t.n.cores ? t.n.cores : 1;
	uint64_t threads = t.n.threads ? t.n.threads : 1, sockets = t.n.sockets ? t.n.sockets : 1;
	int spb_set = key_set(&t, "SocketsPerBoard"), sockets_set = key_set(&t, "Sockets");
	int cpus_set = key_set(&t, "CPUs") || key_set(&t, "Procs");
	uint64_t cpus;
	if (spb_set && !sockets_set) {
		sockets = boards * (t.sockets_per_board ? t.sockets_per_board : 1);
		cpus = sockets * cores * threads;
	} else {
		cpus = boards * sockets * cores * threads;
	}
	if (cpus_set) {
		cpus = t.n.cpus;
		if (!sockets_set && !spb_set) {
			sockets = cpus / (cores * threads);
			if (sockets == 0)
				sockets = 1;
		}
	}
	if (cpus == 0 || cpus > 0xffffffffULL || sockets > 0xffffffffULL) {
		conf_errf(err, errlen, l->file, l->line, "invalid CPU count for NodeName=%s", names);
		free(portv);
		goto fail;
	}

	struct herd_conf *c = x->c;
	if (c->node_cnt + cnt > x->node_cap) {
		size_t cap = x->node_cap ? x->node_cap : 16;
		while (cap < c->node_cnt + cnt)
			cap *= 2;
		c->nodes = xreallocarray(c->nodes, cap, sizeof(*c->nodes));
		x->node_cap = cap;
	}
	for (size_t i = 0; i < cnt; i++) {
		/* a failed load is discarded whole: no rollback needed */
		if (conf_ctx_node_find(x, hostlist_nth(hl, i)) >= 0) {
			conf_errf(
			    err, errlen, l->file, l->line, "duplicate NodeName '%s'", hostlist_nth(hl, i));
			free(portv);
			goto fail;
		}
		struct conf_node *n = &c->nodes[c->node_cnt];
		memset(n, 0, sizeof(*n));
		n->name = xstrdup(hostlist_nth(hl, i));
		const char *h = nth_or_first(hosts, i);
		n->hostname = xstrdup(h ? h : n->name);
		const char *a = nth_or_first(addrs, i);
		n->addr = xstrdup(a ? a : n->hostname);
		if (portv) {
			n->port = portv[hostlist_count(ports) == 1 ? 0 : i];
			n->port_set = 1;
		}
		n->cpus = (uint32_t)cpus;
		n->boards = (uint32_t)boards;
		n->sockets = (uint32_t)sockets;
		n->cores = (uint32_t)cores;
		n->threads = (uint32_t)threads;
		n->real_memory_mb = t.n.real_memory_mb;
		n->tmp_disk_mb = t.n.tmp_disk_mb;
		n->weight = t.n.weight;
		n->features = xstrdup(t.n.features);
		n->gres = xstrdup(t.n.gres);
		n->state = t.n.state;
		n->reason = xstrdup(t.n.reason);
		c->node_cnt++;
		hash_add(x, c->node_cnt - 1);
	}
	free(portv);
	hostlist_destroy(hl);
	hostlist_destroy(hosts);
	hostlist_destroy(addrs);
	hostlist_destroy(ports);
	tmpl_free(&t);
	return 0;
fail:
	hostlist_destroy(hl);
	hostlist_destroy(hosts);
	hostlist_destroy(addrs);
	hostlist_destroy(ports);
	tmpl_free(&t);
	return -1;
}

int
conf_down_line(struct conf_ctx *x, const struct conf_rline *l, char *err, size_t errlen)
{
	struct conf_down_rec r = {conf_ctx_file(x, l->file), l->line, NULL, NODE_STATE_DOWN, NULL};
	const struct conf_key *sk = conf_key_find(conf_node_keys, conf_node_nkeys, "State");
	struct conf_node_tmpl t;
	memset(&t, 0, sizeof(t));
	t.n.state = NODE_STATE_DOWN;
	char msg[256];
	for (int i = 1; i < l->npairs; i++) {
		const char *key = l->pairs[i].key, *val = l->pairs[i].val;
		if (strcasecmp(key, "State") == 0) {
			if (conf_key_set(sk, &t, val, msg, sizeof(msg)) < 0) {
				conf_errf(err, errlen, l->file, l->line, "%s", msg);
				free(r.reason);
				return -1;
			}
		} else if (strcasecmp(key, "Reason") == 0) {
			free(r.reason);
			r.reason = xstrdup(val);
		} else {
			conf_errf(err, errlen, l->file, l->line, "unknown key '%s'", key);
			free(r.reason);
			return -1;
		}
	}
	r.state = t.n.state;
	r.nodes = xstrdup(l->pairs[0].val);
	x->down = xreallocarray(x->down, x->ndown + 1, sizeof(*x->down));
	x->down[x->ndown++] = r;
	return 0;
}
