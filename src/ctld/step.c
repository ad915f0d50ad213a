/* SPDX-License-Identifier: MIT */
/*
 * Job steps (jobs.md section 8): srun asks for a step inside a running
 * job; the controller picks the step's nodes and CPUs among the job's,
 * lays the tasks out, and hands srun one signed credential per node that
 * the node daemons check before they start anything.  srun then talks to
 * the nodes directly; the controller hears of the step's end from srun
 * (at once, so the next step can have the CPUs) and from every node's
 * supervisor (so a step whose srun died still ends).  Steps are kept in
 * memory with their job and go to accounting with it.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "acct/usage.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "ctld.h"
#include "hostlist/hostlist.h"
#include "layout/layout.h"
#include "proto/sigflags.h"
#include "proto/stepcred.h"
#include "proto/stepflags.h"
#include "timefmt/timefmt.h"

#define STEP_CRED_TTL_S 300

struct step *
step_find(struct job *j, uint32_t step_id)
{
	for (struct step *s = j->steps; s; s = s->next)
		if (s->id == step_id)
			return s;
	return NULL;
}

uint32_t
step_count_running(const struct job *j)
{
	uint32_t n = 0;
	for (const struct step *s = j->steps; s; s = s->next)
		if (s->state == JOB_RUNNING)
			n++;
	return n;
}

static void
step_free(struct step *s)
{
	free(s->name);
	free(s->pos);
	free(s->cpus);
	free(s->tasks);
	free(s->nodelist);
	free(s->submit_line);
	usage_free_nodes(&s->usage);
	free(s);
}

void
step_free_all(struct job *j)
{
	while (j->steps) {
		struct step *s = j->steps;
		j->steps = s->next;
		step_free(s);
	}
	j->steps_tail = NULL;
	free(j->step_cpus_used);
	j->step_cpus_used = NULL;
}

/* The step's final state from its highest wait status. */
static uint32_t
step_state_of(uint32_t status, int cancelled)
{
	if (cancelled)
		return JOB_CANCELLED;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return JOB_COMPLETE;
	return JOB_FAILED;
}

static void
step_finish(struct ctld *c, struct job *j, struct step *s, uint32_t state, uint32_t status)
{
	if (s->state != JOB_RUNNING)
		return;
	s->state = state;
	s->exit_code = status;
	s->end_time = ctld_now();
	if (j->step_cpus_used != NULL)
		for (uint32_t k = 0; k < s->node_cnt; k++) {
			uint32_t p = s->pos[k];
			j->step_cpus_used[p] =
			    j->step_cpus_used[p] > s->cpus[k] ? j->step_cpus_used[p] - s->cpus[k] : 0;
		}
	s->acct_change = ++j->step_changes;
	c->last_update = s->end_time;
	state_job_update_lazy(c, j);
	log_verbose("step %u.%u: %s", j->id, s->id, job_state_string(state));
}

void
step_job_ended(struct ctld *c, struct job *j)
{
	uint32_t base = j->state & JOB_STATE_BASE;
	for (struct step *s = j->steps; s; s = s->next)
		if (s->state == JOB_RUNNING)
			step_finish(c, j, s,
			    base == JOB_COMPLETE || base == JOB_FAILED ? JOB_CANCELLED : base, s->exit_code);
}

/* Positions of the job's nodes the step may use, in node order. */
static int
step_candidates(struct ctld *c, struct job *j, const struct step_create_req *r, uint32_t *cand, uint32_t *n)
{
	*n = 0;
	struct hostlist *want = NULL, *not = NULL;
	if (r->req_nodes && *r->req_nodes && (want = hostlist_create(r->req_nodes)) == NULL)
		return ESLURM_INVALID_NODE_NAME;
	if (r->exc_nodes && *r->exc_nodes && (not = hostlist_create(r->exc_nodes)) == NULL) {
		hostlist_destroy(want);
		return ESLURM_INVALID_NODE_NAME;
	}
	uint32_t found = 0;
	for (uint32_t k = 0; k < j->node_cnt; k++) {
		const char *name = c->nodes[j->node_idx[k]].cfg->name;
		if (want && hostlist_find(want, name) < 0)
			continue;
		if (not &&hostlist_find(not, name) >= 0)
			continue;
		cand[(*n)++] = k;
		found++;
	}
	int rc = 0;
	if (want && found != hostlist_count(want))
		rc = ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE; /* a node outside the job */
	hostlist_destroy(want);
	hostlist_destroy(not );
	return rc;
}

/* Choose the step's nodes among cand (free[k] = CPUs it may take there).
 * 0, ESLURM_NODES_BUSY (would fit once other steps end) or a permanent
 * error. */
static int
step_pick(struct job *j, const struct step_create_req *r, const uint32_t *cand, uint32_t ncand,
    const uint32_t *free_cpus, uint32_t cpt, uint32_t ntasks, int fixed_nodes, uint32_t *pick,
    uint32_t *npick)
{
	uint32_t min = r->min_nodes != NO_VAL ? r->min_nodes : 1;
	uint32_t max = r->max_nodes != NO_VAL ? r->max_nodes : (r->min_nodes != NO_VAL ? min : ncand);
	if (fixed_nodes)
		min = max = ncand;
	if (max > ncand)
		max = ncand;
	if (min > ncand || min == 0)
		return ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE;
	if (ntasks < min)
		min = max = ntasks;
	/* could it ever fit, with every CPU of the job free? */
	uint32_t ever = 0;
	for (uint32_t i = 0; i < max; i++)
		ever += j->node_cpus[cand[i]] / cpt;
	uint32_t per_node = r->ntasks_per_node != NO_VAL && r->ntasks_per_node ? r->ntasks_per_node : 0;
	if (per_node && per_node * max < ntasks)
		return ESLURM_BAD_DIST;
	if (ever < ntasks)
		return ESLURM_TOO_MANY_REQUESTED_CPUS;
	*npick = 0;
	uint32_t slots = 0;
	for (uint32_t i = 0; i < ncand && *npick < max; i++) {
		uint32_t s = free_cpus[cand[i]] / cpt;
		if (per_node && s > per_node)
			s = per_node;
		if (s == 0) {
			if (fixed_nodes)
				return ESLURM_NODES_BUSY;
			continue;
		}
		pick[(*npick)++] = cand[i];
		slots += s;
		if (*npick >= min && slots >= ntasks)
			break;
	}
	if (*npick < min || slots < ntasks)
		return ESLURM_NODES_BUSY;
	return 0;
}

static void
step_reply_err(struct ctld *c, struct conn *cn, uint32_t req_id, uint32_t job_id, int rc)
{
	struct step_create_resp r;
	memset(&r, 0, sizeof(r));
	r.rc = rc;
	r.job_id = job_id;
	r.step_id = NO_VAL;
	conn_reply(c, cn, RESP_STEP_CREATE, req_id, &r);
}

void
step_create_rpc(struct ctld *c, struct conn *cn, struct msg *m)
{
	struct step_create_req *r = m->body;
	struct job *j = job_find(c, r->job_id);
	if (j == NULL) {
		step_reply_err(c, cn, m->req_id, r->job_id, ESLURM_INVALID_JOB_ID);
		return;
	}
	if (j->uid != m->uid && m->uid != 0 && !job_is_admin(c, m->uid)) {
		step_reply_err(c, cn, m->req_id, r->job_id, ESLURM_ACCESS_DENIED);
		return;
	}
	uint32_t base = j->state & JOB_STATE_BASE;
	if (base == JOB_PENDING) {
		step_reply_err(c, cn, m->req_id, r->job_id, ESLURM_JOB_PENDING);
		return;
	}
	if (base != JOB_RUNNING || (j->state & JOB_COMPLETING)) {
		step_reply_err(c, cn, m->req_id, r->job_id, ESLURM_ALREADY_DONE);
		return;
	}
	if (j->step_cpus_used == NULL)
		j->step_cpus_used = xcalloc(j->node_cnt, sizeof(uint32_t));
	uint32_t cpt = r->cpus_per_task != NO_VAL && r->cpus_per_task ? r->cpus_per_task : 1;
	int overlap = (r->flags & STEP_F_OVERLAP) != 0;
	uint32_t *cand = xcalloc(j->node_cnt, sizeof(uint32_t));
	uint32_t *pick = xcalloc(j->node_cnt, sizeof(uint32_t));
	uint32_t *free_cpus = xcalloc(j->node_cnt, sizeof(uint32_t));
	uint32_t ncand = 0, npick = 0;
	int rc = step_candidates(c, j, r, cand, &ncand);
	for (uint32_t k = 0; k < j->node_cnt; k++)
		free_cpus[k] =
		    overlap ? j->node_cpus[k]
		            : (j->node_cpus[k] > j->step_cpus_used[k] ? j->node_cpus[k] - j->step_cpus_used[k]
		                                                      : 0);
	uint32_t ntasks = r->ntasks;
	if (ntasks == NO_VAL || ntasks == 0) {
		uint32_t nn = r->min_nodes != NO_VAL ? r->min_nodes : 1;
		ntasks = nn * (r->ntasks_per_node != NO_VAL && r->ntasks_per_node ? r->ntasks_per_node : 1);
	}
	if (rc == 0 && ncand == 0)
		rc = ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE;
	if (rc == 0)
		rc = step_pick(
		    j, r, cand, ncand, free_cpus, cpt, ntasks, r->req_nodes && *r->req_nodes, pick, &npick);
	if (rc != 0) {
		step_reply_err(c, cn, m->req_id, r->job_id, rc);
		free(cand);
		free(pick);
		free(free_cpus);
		return;
	}
	uint32_t *slots = xcalloc(npick, sizeof(uint32_t));
	uint32_t *cnt = xcalloc(npick, sizeof(uint32_t));
	uint32_t **tids = xcalloc(npick, sizeof(uint32_t *));
	for (uint32_t i = 0; i < npick; i++)
		slots[i] = free_cpus[pick[i]] / cpt;
	layout_tasks(npick, slots, ntasks, r->ntasks_per_node != NO_VAL ? r->ntasks_per_node : 0,
	    r->distribution, r->plane_size, cnt, tids);

	struct step *s = xcalloc(1, sizeof(*s));
	s->id = j->next_step_id++;
	s->name = xstrdup(r->name ? r->name : "");
	s->state = JOB_RUNNING;
	s->start_time = ctld_now();
	s->node_cnt = npick;
	s->pos = xcalloc(npick, sizeof(uint32_t));
	s->cpus = xcalloc(npick, sizeof(uint32_t));
	s->tasks = xcalloc(npick, sizeof(uint32_t));
	s->ntasks = ntasks;
	s->flags = r->flags;
	s->time_limit = r->time_limit;
	s->nodes_left = npick;
	s->requid = NO_VAL;
	s->submit_line = r->submit_line ? xstrdup(r->submit_line) : NULL;
	const char **names = xcalloc(npick, sizeof(char *));
	for (uint32_t i = 0; i < npick; i++) {
		uint32_t p = pick[i];
		s->pos[i] = p;
		s->tasks[i] = cnt[i];
		uint32_t take = (r->flags & STEP_F_EXACT) ? cnt[i] * cpt : free_cpus[p];
		if (take > free_cpus[p])
			take = free_cpus[p];
		if (take < cnt[i] * cpt && take < free_cpus[p])
			take = free_cpus[p];
		s->total_cpus += take ? take : cnt[i] * cpt;
		s->cpus[i] = overlap ? 0 : take;
		j->step_cpus_used[p] += s->cpus[i];
		names[i] = c->nodes[j->node_idx[p]].cfg->name;
	}
	s->nodelist = hostlist_compress(names, npick);
	if (j->steps_tail)
		j->steps_tail->next = s;
	else
		j->steps = s;
	j->steps_tail = s;
	s->acct_change = ++j->step_changes;

	struct step_create_resp resp;
	memset(&resp, 0, sizeof(resp));
	resp.job_id = j->id;
	resp.step_id = s->id;
	resp.nodelist = s->nodelist;
	resp.ntasks = ntasks;
	resp.tasks_per_node = fmt_compressed_counts(cnt, npick);
	resp.nodes = xcalloc(npick, sizeof(struct step_node));
	resp.nodes_cnt = npick;
	int64_t expires = ctld_now() + STEP_CRED_TTL_S;
	for (uint32_t i = 0; i < npick; i++) {
		struct node *nd = &c->nodes[j->node_idx[pick[i]]];
		struct step_node *sn = &resp.nodes[i];
		sn->name = (char *)nd->cfg->name;
		sn->addr = (char *)(nd->cfg->addr ? nd->cfg->addr
		                                  : (nd->cfg->hostname ? nd->cfg->hostname : nd->cfg->name));
		sn->port = conf_node_port(c->conf, nd->idx);
		sn->ntasks = cnt[i];
		sn->cpus = s->cpus[i] ? s->cpus[i] : cnt[i] * cpt;
		sn->gtids = layout_gtids(tids[i], cnt[i]);
		struct step_cred cr = {.job_id = j->id,
		    .step_id = s->id,
		    .uid = j->uid,
		    .gid = j->gid,
		    .node_name = (char *)nd->cfg->name,
		    .cpus = sn->cpus,
		    .expires = expires};
		struct buf b;
		buf_init(&b);
		stepcred_sign(c->auth, &cr, &b);
		sn->cred = (uint8_t *)b.data;
		sn->cred_len = (uint32_t)b.len;
	}
	conn_reply(c, cn, RESP_STEP_CREATE, m->req_id, &resp);
	for (uint32_t i = 0; i < npick; i++) {
		free(resp.nodes[i].gtids);
		free(resp.nodes[i].cred);
		free(tids[i]);
	}
	free(resp.nodes);
	free(resp.tasks_per_node);
	free(names);
	free(tids);
	free(cnt);
	free(slots);
	free(cand);
	free(pick);
	free(free_cpus);
	c->last_update = s->start_time;
	state_job_update_lazy(c, j);
	log_verbose("step %u.%u: %u tasks on %s", j->id, s->id, ntasks, s->nodelist);
}

void
step_complete_rpc(struct ctld *c, struct conn *cn, struct msg *m)
{
	struct step_complete *sc = m->body;
	struct job *j = job_find(c, sc->job_id);
	struct step *s = j ? step_find(j, sc->step_id) : NULL;
	if (s == NULL) {
		conn_reply_rc(c, cn, m->req_id, ESLURM_INVALID_JOB_ID);
		return;
	}
	if (j->uid != m->uid && m->uid != 0 && !job_is_admin(c, m->uid)) {
		conn_reply_rc(c, cn, m->req_id, ESLURM_ACCESS_DENIED);
		return;
	}
	step_finish(c, j, s, step_state_of(sc->status, (sc->flags & 1) != 0), sc->status);
	conn_reply_rc(c, cn, m->req_id, 0);
}

void
step_node_done(struct ctld *c, struct job_complete *jc, int node_idx)
{
	struct job *j = job_find(c, jc->job_id);
	struct step *s = j ? step_find(j, jc->step_id) : NULL;
	if (s == NULL)
		return;
	int on = 0;
	for (uint32_t k = 0; k < s->node_cnt; k++)
		if ((int)j->node_idx[s->pos[k]] == node_idx)
			on = 1;
	if (!on)
		return;
	if (s->nodes_left > 0)
		s->nodes_left--;
	struct acct_step one;
	memset(&one, 0, sizeof(one));
	usage_from_complete(&one, jc);
	usage_merge(&s->usage, &one);
	if (jc->status > s->exit_code || (jc->flags & COMPLETE_LAUNCH_FAILED))
		s->exit_code = jc->status;
	if (s->nodes_left == 0 && s->state == JOB_RUNNING)
		step_finish(c, j, s, step_state_of(s->exit_code, 0), s->exit_code);
	else if (s->state != JOB_RUNNING) {
		s->acct_change = ++j->step_changes; /* the usage arrived after the end */
		state_job_update_lazy(c, j);
	}
}

int
step_signal(struct ctld *c, struct job *j, uint32_t step_id, uint32_t sig, uint32_t uid)
{
	struct step *s = step_find(j, step_id);
	if (s == NULL)
		return ESLURM_INVALID_JOB_ID;
	if (s->state != JOB_RUNNING)
		return ESLURM_ALREADY_DONE;
	struct job_signal js = {.job_id = j->id,
	    .restarts = j->restarts,
	    .signal = sig ? sig : SIGKILL,
	    .flags = sig ? 0 : SIGNAL_KILL_JOB,
	    .kill_wait = c->conf->kill_wait,
	    .step_id = s->id};
	char msg[256];
	if (sig == 0) {
		char ts[32];
		fmt_timestamp(ts, sizeof(ts), ctld_now(), "Unknown");
		snprintf(msg, sizeof(msg), "*** STEP %u.%u ON %s CANCELLED AT %s ***", j->id, s->id,
		    c->nodes[j->node_idx[s->pos[0]]].cfg->name, ts);
		js.msg = msg;
		js.signal = SIGTERM;
		s->requid = uid;
	}
	for (uint32_t k = 0; k < s->node_cnt; k++) {
		struct node *n = &c->nodes[j->node_idx[s->pos[k]]];
		if (n->conn != NULL)
			conn_send(c, n->conn, REQ_JOB_SIGNAL, &js);
	}
	if (sig == 0)
		step_finish(c, j, s, JOB_CANCELLED, s->exit_code);
	return 0;
}

void
step_to_records(const struct job *j, struct acct_step **out, uint32_t *cnt)
{
	uint32_t n = 0;
	for (const struct step *s = j->steps; s; s = s->next)
		n++;
	*out = n ? xcalloc(n, sizeof(struct acct_step)) : NULL;
	*cnt = n;
	n = 0;
	for (const struct step *s = j->steps; s; s = s->next) {
		struct acct_step *x = &(*out)[n++];
		x->step_id = s->id;
		x->name = xstrdup(s->name);
		x->nodes = xstrdup(s->nodelist);
		x->nnodes = s->node_cnt;
		x->ntasks = s->ntasks;
		x->ncpus = s->total_cpus;
		x->state = s->state;
		x->exit_code = s->exit_code;
		x->requid = s->requid;
		x->time_start = s->start_time;
		x->time_end = s->end_time;
		usage_copy(x, &s->usage, 1);
	}
}

void
step_from_records(struct ctld *c, struct job *j, const struct acct_step *v, uint32_t cnt)
{
	step_free_all(j);
	for (uint32_t i = 0; i < cnt; i++) {
		const struct acct_step *x = &v[i];
		struct step *s = xcalloc(1, sizeof(*s));
		s->id = x->step_id;
		s->name = xstrdup(x->name ? x->name : "");
		s->state = x->state;
		s->start_time = x->time_start;
		s->end_time = x->time_end;
		s->ntasks = x->ntasks;
		s->total_cpus = x->ncpus;
		s->exit_code = x->exit_code;
		s->requid = x->requid;
		s->nodelist = xstrdup(x->nodes ? x->nodes : "");
		s->time_limit = NO_VAL;
		usage_copy(&s->usage, x, 1);
		struct hostlist *hl = hostlist_create(s->nodelist);
		size_t nn = hl ? hostlist_count(hl) : 0;
		s->pos = xcalloc(nn ? nn : 1, sizeof(uint32_t));
		s->cpus = xcalloc(nn ? nn : 1, sizeof(uint32_t));
		s->tasks = xcalloc(nn ? nn : 1, sizeof(uint32_t));
		for (size_t k = 0; k < nn; k++)
			for (uint32_t p = 0; p < j->node_cnt; p++)
				if (strcmp(c->conf->nodes[j->node_idx[p]].name, hostlist_nth(hl, k)) == 0)
					s->pos[s->node_cnt++] = p;
		hostlist_destroy(hl);
		s->nodes_left = s->state == JOB_RUNNING ? s->node_cnt : 0;
		if (j->steps_tail)
			j->steps_tail->next = s;
		else
			j->steps = s;
		j->steps_tail = s;
	}
}
