/* SPDX-License-Identifier: MIT */
/*
 * Dynamic node registration: a herdd started with -Z registers a name that
 * slurm.conf does not have.  With MaxNodeCount room, the controller adds
 * the node, described by the keys of its --conf (CPUs, RealMemory,
 * Features, NodeAddr, Port ...; without --conf CPUs and memory as the node
 * reported them), every partition whose Nodes= is ALL or names a NodeSet
 * with one of its Features takes it, and it is recorded in StateSaveLocation/dynamic_nodes
 * so that a restarted controller has the same nodes at the same indexes
 * before it recovers the jobs that ran on them.  `scontrol delete
 * NodeName=X` removes an idle dynamic node from every partition and every
 * view; its index stays taken (jobs refer to nodes by index) and the same
 * name may register again.  The file is a log: "NAME SPEC" adds or brings
 * back a node, "-NAME" deletes it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "ctld.h"

#define NODE_DYN_FILE "dynamic_nodes"

/* the node's partition names, for node info */
static void
node_dyn_grow_partitions(struct ctld *c, struct node *n)
{
	const struct herd_conf *cf = c->conf;
	struct buf b;
	buf_init(&b);
	for (uint32_t p = 0; p < cf->part_cnt; p++)
		for (uint32_t k = 0; k < cf->parts[p].node_cnt; k++)
			if (cf->parts[p].node_idx[k] == n->idx) {
				if (b.len)
					buf_addc(&b, ',');
				buf_adds(&b, cf->parts[p].name);
			}
	free(n->partitions);
	n->partitions = b.len ? buf_take(&b) : NULL;
	buf_free(&b);
}

/* The node table follows conf->nodes, which conf_node_add may move. */
static void
node_dyn_grow(struct ctld *c, uint32_t idx)
{
	struct herd_conf *cf = c->conf;
	c->nodes = xreallocarray(c->nodes, cf->node_cnt, sizeof(struct node));
	c->node_cnt = cf->node_cnt;
	for (uint32_t i = 0; i < c->node_cnt; i++)
		c->nodes[i].cfg = &cf->nodes[i];
	struct node *n = &c->nodes[idx];
	memset(n, 0, sizeof(*n));
	n->idx = idx;
	n->cfg = &cf->nodes[idx];
	n->state = NODE_STATE_UNKNOWN;
	n->last_seen = ctld_now();
	n->real_memory = cf->nodes[idx].real_memory_mb;
	node_dyn_grow_partitions(c, n);
	n->dynamic = 1;
	c->last_update = ctld_now();
}

static void
node_dyn_log(struct ctld *c, const char *prefix, const char *name, const char *spec)
{
	char *path = xasprintf("%s/%s", c->conf->state_save_location, NODE_DYN_FILE);
	FILE *f = fopen(path, "a");
	if (f == NULL || fprintf(f, "%s%s%s%s\n", prefix, name, spec ? " " : "", spec ? spec : "") < 0 ||
	    fflush(f) != 0 || fsync(fileno(f)) < 0)
		log_warn("node %s: cannot record it in %s", name, path);
	if (f)
		fclose(f);
	free(path);
}

static void
node_dyn_mark_removed(struct ctld *c, struct node *n)
{
	conf_node_leave_parts(c->conf, n->idx);
	n->removed = 1;
	n->state = NODE_STATE_FUTURE;
	free(n->partitions);
	n->partitions = NULL;
	free(n->reason);
	n->reason = NULL;
	c->last_update = ctld_now();
}

/* a deleted node registers again: back in its partitions (with the keys
 * it first had) */
static void
node_dyn_revive(struct ctld *c, uint32_t idx)
{
	conf_node_join_parts(c->conf, idx);
	struct node *n = &c->nodes[idx];
	n->removed = 0;
	n->state = NODE_STATE_UNKNOWN;
	node_dyn_grow_partitions(c, n);
	c->last_update = ctld_now();
}

static int
node_dyn_conf_add(struct ctld *c, const char *name, const char *spec)
{
	char err[512];
	int idx = conf_node_add(c->conf, name, spec, err, sizeof(err));
	if (idx < 0) {
		log_warnx("node %s: cannot add it: %s", name, err);
		return -1;
	}
	node_dyn_grow(c, (uint32_t)idx);
	return idx;
}

int
node_dyn_load(struct ctld *c)
{
	char *path = xasprintf("%s/%s", c->conf->state_save_location, NODE_DYN_FILE);
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		int rc = errno == ENOENT ? 0 : -1;
		if (rc < 0)
			log_warn("%s", path);
		free(path);
		return rc;
	}
	char line[CONF_DYN_SPEC_MAX + 512];
	int n = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		char *sp = strchr(line, ' ');
		if (sp)
			*sp++ = '\0';
		if (line[0] == '\0')
			continue;
		int idx = conf_node_index(c->conf, line[0] == '-' ? line + 1 : line);
		if (line[0] == '-') {
			if (idx >= 0 && c->nodes[idx].dynamic && !c->nodes[idx].removed) {
				node_dyn_mark_removed(c, &c->nodes[idx]);
				n--;
			}
		} else if (idx >= 0) {
			if (c->nodes[idx].dynamic && c->nodes[idx].removed) {
				node_dyn_revive(c, (uint32_t)idx);
				n++;
			}
		} else if (node_dyn_conf_add(c, line, sp) >= 0) {
			n++;
		}
	}
	fclose(f);
	free(path);
	if (n > 0)
		log_info("%d dynamic nodes from %s", n, NODE_DYN_FILE);
	return 0;
}

int
node_dyn_register(struct ctld *c, const struct node_register *reg)
{
	const char *name = reg->node_name;
	int old = conf_node_index(c->conf, name);
	if (old >= 0) {
		if (!c->nodes[old].dynamic || !c->nodes[old].removed)
			return -1;
		node_dyn_revive(c, (uint32_t)old);
		node_dyn_log(c, "", name, NULL);
		log_info("node %s: dynamic node registered again", name);
		return old;
	}
	uint32_t live = 0;
	for (uint32_t i = 0; i < c->node_cnt; i++)
		live += !c->nodes[i].removed;
	if (c->conf->max_node_count <= live) {
		log_warnx("registration from unknown node '%s' (MaxNodeCount=%u leaves no room for dynamic "
		          "nodes)",
		    name, c->conf->max_node_count);
		return -1;
	}
	char spec[CONF_DYN_SPEC_MAX + 1];
	if (reg->dyn_conf && *reg->dyn_conf) {
		/* herdd -Z --conf: the node's own keys, which it parsed already */
		if (strpbrk(reg->dyn_conf, "\r\n") != NULL || strlen(reg->dyn_conf) > CONF_DYN_SPEC_MAX) {
			log_warnx("node %s: --conf is not one line of at most %d characters", name,
			    CONF_DYN_SPEC_MAX);
			return -1;
		}
		snprintf(spec, sizeof(spec), "%s", reg->dyn_conf);
	} else {
		int len = snprintf(spec, sizeof(spec), "CPUs=%u", reg->cpus ? reg->cpus : 1);
		if (reg->real_memory > 0 && len > 0 && (size_t)len < sizeof(spec))
			snprintf(
			    spec + len, sizeof(spec) - (size_t)len, " RealMemory=%" PRIu64, reg->real_memory);
	}
	int idx = node_dyn_conf_add(c, name, spec);
	if (idx < 0)
		return -1;
	/* durable before the node is used: jobs recovered after a restart
	 * refer to it by index */
	node_dyn_log(c, "", name, spec);
	log_info("node %s: added dynamically (%s, node %d of MaxNodeCount=%u)", name, spec, idx + 1,
	    c->conf->max_node_count);
	return idx;
}

int
node_dyn_delete(struct ctld *c, struct node *n)
{
	if (!n->dynamic) {
		log_warnx("node %s: only dynamic nodes can be deleted", n->cfg->name);
		return ESLURM_NOT_SUPPORTED;
	}
	if (n->jobs > 0 || n->cpus_alloc > 0 || n->completing > 0) {
		log_warnx("node %s: not deleted, it has jobs", n->cfg->name);
		return ESLURM_INVALID_NODE_STATE;
	}
	if (n->conn != NULL) {
		struct conn *cn = n->conn;
		conn_set_node(cn, -1);
		n->conn = NULL;
		conn_close(c, cn);
	}
	node_dyn_mark_removed(c, n);
	node_dyn_log(c, "-", n->cfg->name, NULL);
	log_info("node %s: deleted", n->cfg->name);
	return 0;
}
