/* SPDX-License-Identifier: MIT */
/*
 * herdctld node table: registration of herdd, liveness (NOT_RESPONDING,
 * then DOWN after SlurmdTimeout), ReturnToService, admin state changes,
 * and the node and partition views sent to commands.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/xmalloc.h"
#include "ctld.h"
#include "hostlist/hostlist.h"
#include "proto/sigflags.h"
#include "timefmt/timefmt.h"

void
node_table_create(struct ctld *c)
{
	struct herd_conf *cf = c->conf;
	c->node_cnt = cf->node_cnt;
	c->nodes = xcalloc(cf->node_cnt ? cf->node_cnt : 1, sizeof(struct node));
	int64_t now = ctld_now();
	for (uint32_t i = 0; i < cf->node_cnt; i++) {
		struct node *n = &c->nodes[i];
		n->idx = i;
		n->cfg = &cf->nodes[i];
		n->state = cf->nodes[i].state;
		if (cf->nodes[i].reason) {
			n->reason = xstrdup(cf->nodes[i].reason);
			n->reason_time = now;
		}
		n->last_seen = now;
		n->real_memory = cf->nodes[i].real_memory_mb;
		struct buf b;
		buf_init(&b);
		for (uint32_t p = 0; p < cf->part_cnt; p++)
			for (uint32_t k = 0; k < cf->parts[p].node_cnt; k++)
				if (cf->parts[p].node_idx[k] == i) {
					if (b.len)
						buf_addc(&b, ',');
					buf_adds(&b, cf->parts[p].name);
				}
		n->partitions = b.len ? buf_take(&b) : NULL;
		buf_free(&b);
	}
}

void
node_table_destroy(struct ctld *c)
{
	for (uint32_t i = 0; i < c->node_cnt; i++) {
		struct node *n = &c->nodes[i];
		free(n->reason);
		free(n->version);
		free(n->os);
		free(n->arch);
		free(n->partitions);
	}
	free(c->nodes);
	c->nodes = NULL;
}

int
node_usable(const struct node *n)
{
	uint32_t b = n->state & NODE_STATE_BASE;
	if (n->conn == NULL)
		return 0;
	if (b == NODE_STATE_DOWN || b == NODE_STATE_FUTURE || b == NODE_STATE_UNKNOWN)
		return 0;
	if (n->state & (NODE_STATE_DRAIN | NODE_STATE_NO_RESPOND | NODE_STATE_FAIL | NODE_STATE_INVALID_REG))
		return 0;
	return 1;
}

void
node_recompute_state(struct ctld *c, struct node *n)
{
	uint32_t flags = n->state & ~NODE_STATE_BASE;
	uint32_t b = n->state & NODE_STATE_BASE;
	if (b == NODE_STATE_DOWN || b == NODE_STATE_FUTURE || (b == NODE_STATE_UNKNOWN && n->conn == NULL)) {
		c->last_update = ctld_now();
		return;
	}
	if (n->cpus_alloc == 0)
		b = NODE_STATE_IDLE;
	else if (n->cpus_alloc >= n->cfg->cpus)
		b = NODE_STATE_ALLOCATED;
	else
		b = NODE_STATE_MIXED;
	flags &= ~NODE_STATE_COMPLETING;
	if (n->completing > 0)
		flags |= NODE_STATE_COMPLETING;
	n->state = b | flags;
	c->last_update = ctld_now();
}

static void
node_set_reason(struct node *n, const char *reason, uint32_t uid)
{
	free(n->reason);
	n->reason = reason ? xstrdup(reason) : NULL;
	n->reason_uid = uid;
	n->reason_time = reason ? ctld_now() : 0;
}

static void
node_set_down(struct ctld *c, struct node *n, const char *reason, uint32_t uid, int by_timeout)
{
	n->state = NODE_STATE_DOWN | (n->state & ~NODE_STATE_BASE & ~NODE_STATE_COMPLETING);
	n->down_by_timeout = by_timeout;
	node_set_reason(n, reason, uid);
	c->last_update = ctld_now();
	log_info("node %s: DOWN (%s)", n->cfg->name, reason);
	job_signal_node_failed(c, n->idx);
	n->cpus_alloc = 0;
	n->jobs = 0;
}

int
node_register(struct ctld *c, struct conn *cn, struct node_register *reg)
{
	int idx = reg->node_name ? conf_node_index(c->conf, reg->node_name) : -1;
	/* herdd -Z: only it registers a name slurm.conf lacks (or one deleted) */
	if (reg->node_name && (idx < 0 || c->nodes[idx].removed))
		idx = node_dyn_register(c, reg);
	if (idx < 0) {
		log_warnx("registration from unknown node '%s'", reg->node_name ? reg->node_name : "");
		return ESLURM_INVALID_NODE_NAME;
	}
	struct node *n = &c->nodes[idx];
	if (n->conn != NULL && n->conn != cn) {
		struct conn *old = n->conn;
		conn_set_node(old, -1);
		conn_close(c, old);
	}
	n->conn = cn;
	conn_set_node(cn, idx);
	int64_t now = ctld_now();
	n->last_seen = now;
	if (n->last_busy == 0)
		n->last_busy = now;
	n->boot_time = reg->boot_time;
	n->start_time = reg->start_time;
	n->cpu_load = reg->cpu_load;
	n->free_mem = reg->free_mem;
	n->reg_cpus = reg->cpus;
	free(n->version);
	free(n->os);
	free(n->arch);
	n->version = xstrdup(reg->version);
	n->os = xstrdup(reg->os);
	n->arch = xstrdup(reg->arch);
	uint32_t b = n->state & NODE_STATE_BASE;
	int was_no_respond = (n->state & NODE_STATE_NO_RESPOND) != 0;
	n->state &= ~NODE_STATE_NO_RESPOND;
	if (b == NODE_STATE_DOWN) {
		uint32_t rts = c->conf->return_to_service;
		if ((rts >= 1 && n->down_by_timeout) || rts == 2) {
			n->state = NODE_STATE_IDLE | (n->state & ~NODE_STATE_BASE);
			node_set_reason(n, NULL, 0);
			n->down_by_timeout = 0;
			log_info("node %s: returned to service", n->cfg->name);
		}
	} else if (b == NODE_STATE_UNKNOWN) {
		n->state = NODE_STATE_IDLE | (n->state & ~NODE_STATE_BASE);
	}
	/* reconcile jobs: what the node runs against what we think it runs */
	for (uint32_t i = 0; i < reg->jobs_cnt; i++) {
		struct job *j = job_find(c, reg->jobs[i].job_id);
		int ours = j && !j->released && j->node_cnt && (int)j->node_idx[0] == idx &&
		           ((j->state & JOB_STATE_BASE) == JOB_RUNNING || (j->state & JOB_COMPLETING));
		if (!ours) {
			log_info("node %s: runs unknown or finished job %u, killing it", n->cfg->name,
			    reg->jobs[i].job_id);
			struct job_signal js = {.job_id = reg->jobs[i].job_id,
			    .restarts = NO_VAL,
			    .signal = 9,
			    .flags = SIGNAL_KILL_JOB,
			    .kill_wait = 0,
			    .step_id = NO_VAL};
			conn_send(c, cn, REQ_JOB_SIGNAL, &js);
		}
	}
	for (struct job *j = c->jobs_head; j; j = j->next) {
		if (j->released || j->node_cnt == 0 || (int)j->node_idx[0] != idx || !j->desc->batch)
			continue;
		if ((j->state & JOB_STATE_BASE) != JOB_RUNNING && !(j->state & JOB_COMPLETING))
			continue;
		int found = 0;
		for (uint32_t i = 0; i < reg->jobs_cnt; i++)
			if (reg->jobs[i].job_id == j->id)
				found = 1;
		if (!found && now - j->start_time >= 0) {
			/* the launch may still be in flight only if it was sent on this very
			 * connection; registration always precedes launches on a connection */
			log_info("job %u: lost by node %s", j->id, n->cfg->name);
			struct job_complete jc = {
			    .job_id = j->id, .restarts = j->restarts, .status = 0, .flags = 0};
			if (j->state & JOB_COMPLETING) {
				job_signal_complete(c, &jc, idx);
			} else {
				job_signal_end(c, j, JOB_NODE_FAIL, FAIL_DOWN_NODE, 0);
				job_signal_complete(c, &jc, idx);
			}
		}
	}
	node_recompute_state(c, n);
	if (was_no_respond || b != NODE_STATE_IDLE)
		log_info("node %s: registered (%u CPUs)", n->cfg->name, reg->cpus);
	sched_request(c);
	return 0;
}

void
node_conn_lost(struct ctld *c, int idx)
{
	struct node *n = &c->nodes[idx];
	n->conn = NULL;
	if ((n->state & NODE_STATE_BASE) != NODE_STATE_DOWN)
		n->state |= NODE_STATE_NO_RESPOND;
	c->last_update = ctld_now();
	log_info("node %s: connection lost", n->cfg->name);
}

void
node_check_timeouts(struct ctld *c)
{
	int64_t now = ctld_now();
	uint32_t timeout = c->conf->slurmd_timeout;
	for (uint32_t i = 0; i < c->node_cnt; i++) {
		struct node *n = &c->nodes[i];
		uint32_t b = n->state & NODE_STATE_BASE;
		if (b == NODE_STATE_DOWN || b == NODE_STATE_FUTURE)
			continue;
		int64_t silent = now - n->last_seen;
		/* three pings missed: not responding (the '*' of sinfo) */
		if (silent > 3 * (int64_t)conf_ping_interval(c->conf) &&
		    !(n->state & NODE_STATE_NO_RESPOND)) {
			n->state |= NODE_STATE_NO_RESPOND;
			c->last_update = now;
		}
		if (timeout > 0 && silent >= (int64_t)timeout && b != NODE_STATE_UNKNOWN) {
			n->state |= NODE_STATE_NO_RESPOND;
			node_set_down(c, n, "Not responding", 0, 1);
		} else if (timeout > 0 && silent >= (int64_t)timeout && b == NODE_STATE_UNKNOWN &&
		           n->conn == NULL && !(n->state & NODE_STATE_NO_RESPOND)) {
			n->state |= NODE_STATE_NO_RESPOND;
			c->last_update = now;
		}
	}
}

int
node_update(struct ctld *c, struct keyvals *kv, uint32_t uid)
{
	const char *names = NULL, *state = NULL, *reason = NULL;
	for (uint32_t i = 0; i < kv->keyvals_cnt; i++) {
		const char *s = kv->keyvals[i];
		if (strncasecmp(s, "NodeName=", 9) == 0)
			names = s + 9;
		else if (strncasecmp(s, "State=", 6) == 0)
			state = s + 6;
		else if (strncasecmp(s, "Reason=", 7) == 0)
			reason = s + 7;
		else
			return ESLURM_NOT_SUPPORTED;
	}
	if (names == NULL)
		return ESLURM_INVALID_NODE_NAME;
	struct hostlist *hl = hostlist_create(names);
	if (hl == NULL)
		return ESLURM_INVALID_NODE_NAME;
	for (size_t i = 0; i < hostlist_count(hl); i++)
		if (conf_node_index(c->conf, hostlist_nth(hl, i)) < 0) {
			hostlist_destroy(hl);
			return ESLURM_INVALID_NODE_NAME;
		}
	int rc = 0;
	for (size_t i = 0; i < hostlist_count(hl) && rc == 0; i++) {
		struct node *n = &c->nodes[conf_node_index(c->conf, hostlist_nth(hl, i))];
		if (n->removed) {
			rc = ESLURM_INVALID_NODE_NAME;
			break;
		}
		if (state != NULL && strcasecmp(state, "DELETE") == 0) { /* scontrol delete */
			rc = node_dyn_delete(c, n);
			continue;
		}
		if (state == NULL) {
			if (reason)
				node_set_reason(n, reason, uid);
			continue;
		}
		if (strcasecmp(state, "DRAIN") == 0) {
			n->state |= NODE_STATE_DRAIN;
			node_set_reason(n, reason, uid);
		} else if (strcasecmp(state, "FAIL") == 0) {
			n->state |= NODE_STATE_FAIL;
			node_set_reason(n, reason, uid);
		} else if (strcasecmp(state, "DOWN") == 0) {
			node_set_down(c, n, reason, uid, 0);
		} else if (strcasecmp(state, "RESUME") == 0 || strcasecmp(state, "IDLE") == 0 ||
		           strcasecmp(state, "UNDRAIN") == 0) {
			n->state &= ~(NODE_STATE_DRAIN | NODE_STATE_FAIL);
			if ((n->state & NODE_STATE_BASE) == NODE_STATE_DOWN &&
			    strcasecmp(state, "UNDRAIN") != 0) {
				n->state = (n->conn ? NODE_STATE_IDLE : NODE_STATE_UNKNOWN) |
				           (n->state & ~NODE_STATE_BASE);
				if (n->conn == NULL)
					n->state |= NODE_STATE_NO_RESPOND;
				n->down_by_timeout = 0;
			}
			node_set_reason(n, NULL, 0);
		} else {
			rc = ESLURM_INVALID_NODE_STATE;
		}
		node_recompute_state(c, n);
	}
	hostlist_destroy(hl);
	sched_request(c);
	return rc;
}

void
node_fill_info(struct ctld *c, const struct node *n, struct node_info *ni)
{
	const struct conf_node *cfg = n->cfg;
	memset(ni, 0, sizeof(*ni));
	ni->name = xstrdup(cfg->name);
	ni->hostname = xstrdup(cfg->hostname ? cfg->hostname : cfg->name);
	ni->addr = xstrdup(cfg->addr ? cfg->addr : ni->hostname);
	ni->port = conf_node_port(c->conf, n->idx);
	ni->port_set = cfg->port_set;
	ni->cpus = cfg->cpus;
	ni->boards = cfg->boards;
	ni->sockets = cfg->sockets;
	ni->cores = cfg->cores;
	ni->threads = cfg->threads;
	ni->real_memory = cfg->real_memory_mb;
	ni->tmp_disk = cfg->tmp_disk_mb;
	ni->weight = cfg->weight;
	ni->features = xstrdup(cfg->features);
	ni->gres = xstrdup(cfg->gres);
	ni->state = n->state;
	ni->cpus_alloc = n->cpus_alloc;
	ni->mem_alloc = 0;
	ni->reason = xstrdup(n->reason);
	ni->reason_uid = n->reason_uid;
	ni->reason_time = n->reason_time;
	ni->boot_time = n->boot_time;
	ni->slurmd_start_time = n->start_time;
	ni->last_busy = n->last_busy;
	ni->version = xstrdup(n->version);
	ni->os = xstrdup(n->os);
	ni->arch = xstrdup(n->arch);
	ni->cpu_load = n->cpu_load;
	ni->free_mem = n->free_mem;
	ni->partitions = xstrdup(n->partitions);
}

void
part_fill_info(struct ctld *c, uint32_t pi_idx, struct part_info *pi)
{
	const struct conf_part *p = &c->conf->parts[pi_idx];
	memset(pi, 0, sizeof(*pi));
	pi->name = xstrdup(p->name);
	const char **names = xcalloc(p->node_cnt ? p->node_cnt : 1, sizeof(char *));
	for (uint32_t k = 0; k < p->node_cnt; k++) {
		const struct conf_node *n = &c->conf->nodes[p->node_idx[k]];
		names[k] = n->name;
		pi->total_cpus += n->cpus;
		pi->total_mem += n->real_memory_mb;
	}
	pi->nodes = p->node_cnt ? hostlist_compress(names, p->node_cnt) : NULL;
	free(names);
	pi->flags = (p->is_default ? 1U : 0) | (p->hidden ? 2U : 0) | (p->root_only ? 4U : 0);
	pi->state = p->state;
	pi->max_time = p->max_time_min;
	pi->default_time = p->default_time_min;
	pi->max_nodes = p->max_nodes;
	pi->min_nodes = p->min_nodes;
	pi->priority_tier = p->priority_tier;
	pi->priority_job_factor = p->priority_job_factor;
	pi->oversubscribe = p->oversubscribe;
	pi->total_nodes = p->node_cnt;
	pi->allow_groups = xstrdup(p->allow_groups);
	pi->allow_accounts = xstrdup(p->allow_accounts);
	pi->allow_qos = xstrdup(p->allow_qos);
	pi->deny_accounts = xstrdup(p->deny_accounts);
	pi->deny_qos = xstrdup(p->deny_qos);
	pi->def_mem_per_cpu = p->def_mem_per_cpu;
	pi->def_mem_per_node = p->def_mem_per_node;
	pi->max_mem_per_cpu = p->max_mem_per_cpu;
	pi->max_mem_per_node = p->max_mem_per_node;
	pi->over_time_limit = p->over_time_limit;
	pi->grace_time = p->grace_time;
	pi->max_cpus_per_node = p->max_cpus_per_node;
}

/* scontrol update PartitionName=... State= MaxTime= DefaultTime= Default= */
int
part_update(struct ctld *c, struct keyvals *kv)
{
	int p = -1;
	for (uint32_t i = 0; i < kv->keyvals_cnt; i++)
		if (strncasecmp(kv->keyvals[i], "PartitionName=", 14) == 0)
			p = conf_part_index(c->conf, kv->keyvals[i] + 14);
	if (p < 0)
		return ESLURM_INVALID_PARTITION_NAME;
	struct conf_part *pt = &c->conf->parts[p];
	/* validate everything first: a bad value changes nothing */
	struct conf_part nw = *pt;
	int make_default = 0;
	for (uint32_t i = 0; i < kv->keyvals_cnt; i++) {
		const char *k = kv->keyvals[i];
		const char *v = strchr(k, '=');
		if (v == NULL)
			return ESLURM_NOT_SUPPORTED;
		v++;
		if (strncasecmp(k, "PartitionName=", 14) == 0)
			continue;
		if (strncasecmp(k, "State=", 6) == 0) {
			if (strcasecmp(v, "UP") == 0)
				nw.state = PART_STATE_UP;
			else if (strcasecmp(v, "DOWN") == 0)
				nw.state = PART_STATE_DOWN;
			else if (strcasecmp(v, "DRAIN") == 0)
				nw.state = PART_STATE_DRAIN;
			else if (strcasecmp(v, "INACTIVE") == 0)
				nw.state = PART_STATE_INACTIVE;
			else
				return ESLURM_NOT_SUPPORTED;
		} else if (strncasecmp(k, "MaxTime=", 8) == 0 || strncasecmp(k, "DefaultTime=", 12) == 0) {
			uint32_t m;
			if (time_limit_parse(v, &m) < 0)
				return ESLURM_INVALID_TIME_VALUE;
			if (k[0] == 'M' || k[0] == 'm')
				nw.max_time_min = m;
			else
				nw.default_time_min = m;
		} else if (strncasecmp(k, "Default=", 8) == 0) {
			if (strcasecmp(v, "YES") == 0)
				make_default = 1;
			else if (strcasecmp(v, "NO") == 0)
				nw.is_default = 0;
			else
				return ESLURM_NOT_SUPPORTED;
		} else {
			return ESLURM_NOT_SUPPORTED;
		}
	}
	*pt = nw;
	if (make_default) {
		for (uint32_t i = 0; i < c->conf->part_cnt; i++)
			c->conf->parts[i].is_default = (int)i == p;
		c->conf->default_part = p;
	} else if (!pt->is_default && c->conf->default_part == p) {
		c->conf->default_part = -1;
	}
	log_info("partition %s updated", pt->name);
	c->last_update = ctld_now();
	sched_request(c);
	return 0;
}
