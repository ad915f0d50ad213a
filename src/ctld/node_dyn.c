/* SPDX-License-Identifier: MIT */
/*
 * Dynamic node registration: a herdd started with -Z registers a name that
 * slurm.conf does not have.  With MaxNodeCount room, the controller adds
 * the node (CPUs and memory as the node reported them), every Nodes=ALL
 * partition takes it, and it is recorded in StateSaveLocation/dynamic_nodes
 * so that a restarted controller has the same nodes at the same indexes
 * before it recovers the jobs that ran on them.
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
	struct buf b;
	buf_init(&b);
	for (uint32_t p = 0; p < cf->part_cnt; p++)
		for (uint32_t k = 0; k < cf->parts[p].node_cnt; k++)
			if (cf->parts[p].node_idx[k] == idx) {
				if (b.len)
					buf_addc(&b, ',');
				buf_adds(&b, cf->parts[p].name);
			}
	n->partitions = b.len ? buf_take(&b) : NULL;
	buf_free(&b);
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
	char line[1024];
	int n = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		char *sp = strchr(line, ' ');
		if (sp)
			*sp++ = '\0';
		if (line[0] == '\0')
			continue;
		if (node_dyn_conf_add(c, line, sp) >= 0)
			n++;
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
	if (c->conf->max_node_count <= c->node_cnt) {
		log_warnx("registration from unknown node '%s' (MaxNodeCount=%u leaves no room for dynamic "
		          "nodes)",
		    name, c->conf->max_node_count);
		return -1;
	}
	char spec[256];
	int len = snprintf(spec, sizeof(spec), "CPUs=%u", reg->cpus ? reg->cpus : 1);
	if (reg->real_memory > 0 && len > 0 && (size_t)len < sizeof(spec))
		snprintf(spec + len, sizeof(spec) - (size_t)len, " RealMemory=%" PRIu64, reg->real_memory);
	int idx = node_dyn_conf_add(c, name, spec);
	if (idx < 0)
		return -1;
	/* durable before the node is used: jobs recovered after a restart
	 * refer to it by index */
	char *path = xasprintf("%s/%s", c->conf->state_save_location, NODE_DYN_FILE);
	FILE *f = fopen(path, "a");
	if (f == NULL || fprintf(f, "%s %s\n", name, spec) < 0 || fflush(f) != 0 || fsync(fileno(f)) < 0)
		log_warn("node %s: cannot record it in %s", name, path);
	if (f)
		fclose(f);
	free(path);
	log_info("node %s: added dynamically (%s, node %d of MaxNodeCount=%u)", name, spec, idx + 1,
	    c->conf->max_node_count);
	return idx;
}
