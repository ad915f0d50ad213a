/* SPDX-License-Identifier: MIT */
/*
 * herdctld RPC handlers, one table row per message type.  Handlers run on
 * the event loop; a reply is queued with conn_reply and leaves after the
 * next state commit.
 */
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/xmalloc.h"
#include "ctld.h"
#include "proto/jobflags.h"

typedef void rpc_fn(struct ctld *c, struct conn *cn, struct msg *m);

/* Daemon-to-daemon messages need root or SlurmUser. */
static int
rpc_is_daemon(struct ctld *c, uint32_t uid)
{
	if (uid == 0 || uid == (uint32_t)getuid())
		return 1;
	if (c->conf->slurm_user != NULL) {
		struct passwd *pw = getpwnam(c->conf->slurm_user);
		if (pw != NULL && pw->pw_uid == uid)
			return 1;
	}
	return 0;
}

static void
rpc_ping(struct ctld *c, struct conn *cn, struct msg *m)
{
	conn_reply_rc(c, cn, m->req_id, 0);
}

static void
rpc_submit(struct ctld *c, struct conn *cn, struct msg *m)
{
	struct job_desc *desc = m->body;
	struct job *j = NULL;
	if (!desc->batch) {
		alloc_submit_rpc(c, cn, m);
		return;
	}
	m->body = NULL; /* job_submit owns desc now */
	char *why = NULL;
	int rc = job_submit(c, desc, m->uid, m->gid, &j, &why);
	if (rc != 0) {
		/* the submit reply carries Slurm's explanatory line, if any */
		struct submit_resp f = {.job_id = 0, .step_id = NO_VAL, .rc = rc, .msg = why};
		conn_reply(c, cn, RESP_SUBMIT_BATCH, m->req_id, &f);
		free(why);
		return;
	}
	struct submit_resp r = {.job_id = j->id, .step_id = NO_VAL, .rc = 0, .msg = NULL};
	conn_reply(c, cn, RESP_SUBMIT_BATCH, m->req_id, &r);
	sched_request_new(c, j);
}

static int
job_matches_id(const struct job *j, uint32_t id)
{
	return j->id == id || j->array_job_id == id;
}

static void
rpc_job_info(struct ctld *c, struct conn *cn, struct msg *m)
{
	struct job_info_req *req = m->body;
	struct job_info_resp resp;
	memset(&resp, 0, sizeof(resp));
	resp.last_update = c->last_update;
	uint32_t n = 0;
	if (req->job_id != 0) {
		for (struct job *j = c->jobs_head; j; j = j->next)
			if (job_matches_id(j, req->job_id))
				n++;
		if (n == 0) {
			conn_reply_rc(c, cn, m->req_id, ESLURM_INVALID_JOB_ID);
			return;
		}
	} else {
		n = c->job_count;
	}
	int active = (req->flags & JOB_INFO_ACTIVE) != 0;
	resp.jobs = xcalloc(n ? n : 1, sizeof(struct job_info));
	for (struct job *j = c->jobs_head; j && resp.jobs_cnt < n; j = j->next) {
		if (req->job_id != 0 && !job_matches_id(j, req->job_id))
			continue;
		if (active && job_state_is_finished(j->state) && !(j->state & JOB_COMPLETING))
			continue;
		if (!(req->flags & JOB_INFO_ALL) && req->job_id == 0 && c->conf->parts[j->part].hidden)
			continue;
		job_fill_info(c, j, &resp.jobs[resp.jobs_cnt++]);
	}
	conn_reply(c, cn, RESP_JOB_INFO, m->req_id, &resp);
	for (uint32_t i = 0; i < resp.jobs_cnt; i++)
		job_info_release(&resp.jobs[i]);
	free(resp.jobs);
}

static void
step_info_fill(struct ctld *c, const struct job *j, const struct step *st, struct step_info *s, int64_t now)
{
	s->job_id = j->id;
	s->array_job_id = j->array_job_id;
	s->array_task_id = j->array_task_id;
	s->partition = xstrdup(c->conf->parts[j->part].name);
	s->user_name = xstrdup(j->user);
	s->uid = j->uid;
	s->state = JOB_RUNNING;
	s->now = now;
	if (st == NULL) {
		s->step_id = STEP_ID_BATCH;
		s->name = xstrdup("batch");
		s->start_time = j->start_time;
		s->time_limit = j->time_limit;
		s->nodes = xstrdup(c->nodes[j->node_idx[0]].cfg->name);
		s->num_tasks = 1;
		s->num_cpus = j->node_cpus[0];
		return;
	}
	s->step_id = st->id;
	s->name = xstrdup(st->name);
	s->start_time = st->start_time;
	s->time_limit = st->time_limit != NO_VAL && st->time_limit ? st->time_limit : j->time_limit;
	s->nodes = xstrdup(st->nodelist);
	s->num_tasks = st->ntasks;
	s->num_cpus = st->total_cpus;
}

static void
rpc_step_info(struct ctld *c, struct conn *cn, struct msg *m)
{
	struct job_info_req *req = m->body;
	struct step_info_resp resp;
	memset(&resp, 0, sizeof(resp));
	uint32_t n = 0;
	for (struct job *j = c->jobs_head; j; j = j->next)
		if ((j->state & JOB_STATE_BASE) == JOB_RUNNING && (req->job_id == 0 || j->id == req->job_id))
			n += 1 + step_count_running(j);
	resp.steps = xcalloc(n ? n : 1, sizeof(struct step_info));
	int64_t now = ctld_now();
	for (struct job *j = c->jobs_head; j && resp.steps_cnt < n; j = j->next) {
		if ((j->state & JOB_STATE_BASE) != JOB_RUNNING || (req->job_id != 0 && j->id != req->job_id))
			continue;
		for (const struct step *st = j->steps; st; st = st->next)
			if (st->state == JOB_RUNNING)
				step_info_fill(c, j, st, &resp.steps[resp.steps_cnt++], now);
		if (j->desc->batch)
			step_info_fill(c, j, NULL, &resp.steps[resp.steps_cnt++], now);
	}
	conn_reply(c, cn, RESP_STEP_INFO, m->req_id, &resp);
	proto_free(&rdesc_step_info_resp, &resp);
}

static void
rpc_node_info(struct ctld *c, struct conn *cn, struct msg *m)
{
	struct node_info_resp resp;
	resp.nodes_cnt = 0;
	resp.nodes = xcalloc(c->node_cnt ? c->node_cnt : 1, sizeof(struct node_info));
	for (uint32_t i = 0; i < c->node_cnt; i++)
		if (!c->nodes[i].removed) /* deleted dynamic nodes */
			node_fill_info(c, &c->nodes[i], &resp.nodes[resp.nodes_cnt++]);
	conn_reply(c, cn, RESP_NODE_INFO, m->req_id, &resp);
	proto_free(&rdesc_node_info_resp, &resp);
}

static void
rpc_part_info(struct ctld *c, struct conn *cn, struct msg *m)
{
	struct part_info_resp resp;
	resp.parts_cnt = c->conf->part_cnt;
	resp.parts = xcalloc(resp.parts_cnt ? resp.parts_cnt : 1, sizeof(struct part_info));
	for (uint32_t i = 0; i < resp.parts_cnt; i++)
		part_fill_info(c, i, &resp.parts[i]);
	conn_reply(c, cn, RESP_PART_INFO, m->req_id, &resp);
	proto_free(&rdesc_part_info_resp, &resp);
}

static void
rpc_config(struct ctld *c, struct conn *cn, struct msg *m)
{
	struct keyvals kv;
	kv.keyvals = c->conf->show;
	kv.keyvals_cnt = c->conf->show_cnt;
	conn_reply(c, cn, RESP_CONFIG, m->req_id, &kv);
}

static void
rpc_cancel(struct ctld *c, struct conn *cn, struct msg *m)
{
	struct cancel_req *req = m->body;
	if (req->step_id != NO_VAL && req->step_id != STEP_ID_BATCH) {
		struct job *j = job_find(c, req->job_id);
		int rc = ESLURM_INVALID_JOB_ID;
		if (j != NULL && j->uid != m->uid && !job_is_admin(c, m->uid))
			rc = ESLURM_ACCESS_DENIED;
		else if (j != NULL)
			rc = step_signal(c, j, req->step_id, req->signal, m->uid);
		conn_reply_rc(c, cn, m->req_id, rc);
		return;
	}
	struct job **t;
	int in_master;
	uint32_t n = job_targets(c, req->job_id, req->array_task_id, &t, &in_master);
	int rc = n ? 0 : ESLURM_INVALID_JOB_ID, done = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct job *j = t[i];
		if (j->uid != m->uid && !job_is_admin(c, m->uid)) {
			log_info("job %u: cancel by uid %u denied", j->id, m->uid);
			rc = ESLURM_ACCESS_DENIED;
			continue;
		}
		if (in_master && (req->signal == 0 || req->signal == SIGKILL)) {
			/* one task of those still pending: it leaves in a record of
			 * its own, which is cancelled (and so accounted) */
			struct job *task = array_split_task(c, j, req->array_task_id, 1);
			if (task == NULL) {
				rc = HERD_EINTERNAL;
				continue;
			}
			j = task;
		}
		int r = job_signal_cancel(c, j, req->signal, req->flags, m->uid);
		if (r == 0)
			done++;
		else if (rc == 0 || rc == ESLURM_ALREADY_DONE)
			rc = r;
	}
	free(t);
	conn_reply_rc(c, cn, m->req_id, done ? 0 : rc);
}

static void
rpc_job_update(struct ctld *c, struct conn *cn, struct msg *m)
{
	conn_reply_rc(c, cn, m->req_id, job_update(c, m->body, m->uid));
}

static void
rpc_node_update(struct ctld *c, struct conn *cn, struct msg *m)
{
	if (!job_is_admin(c, m->uid)) {
		conn_reply_rc(c, cn, m->req_id, ESLURM_ACCESS_DENIED);
		return;
	}
	conn_reply_rc(c, cn, m->req_id, node_update(c, m->body, m->uid));
}

static void
rpc_part_update(struct ctld *c, struct conn *cn, struct msg *m)
{
	if (!job_is_admin(c, m->uid)) {
		conn_reply_rc(c, cn, m->req_id, ESLURM_ACCESS_DENIED);
		return;
	}
	conn_reply_rc(c, cn, m->req_id, part_update(c, m->body));
}

static void
rpc_node_register(struct ctld *c, struct conn *cn, struct msg *m)
{
	if (!rpc_is_daemon(c, m->uid)) {
		log_warnx("node registration from uid %u refused", m->uid);
		conn_reply_rc(c, cn, m->req_id, ESLURM_ACCESS_DENIED);
		return;
	}
	conn_reply_rc(c, cn, m->req_id, node_register(c, cn, m->body));
}

static void
rpc_job_complete(struct ctld *c, struct conn *cn, struct msg *m)
{
	if (!rpc_is_daemon(c, m->uid) || conn_node(cn) < 0) {
		conn_reply_rc(c, cn, m->req_id, ESLURM_ACCESS_DENIED);
		return;
	}
	struct job_complete *jc = m->body;
	if (jc->step_id != STEP_ID_BATCH)
		step_node_done(c, jc, conn_node(cn));
	else
		job_signal_complete(c, jc, conn_node(cn));
	conn_reply_rc(c, cn, m->req_id, 0);
}

static void
rpc_node_ping(struct ctld *c, struct conn *cn, struct msg *m)
{
	int idx = conn_node(cn);
	if (idx < 0)
		return;
	struct node *n = &c->nodes[idx];
	n->last_seen = ctld_now();
	if (n->state & NODE_STATE_NO_RESPOND) {
		/* it speaks again on a connection that stayed open (it was stopped,
		 * or the network hung): its registration decides what happens */
		conn_send(c, cn, REQ_NODE_PING, NULL);
	}
}

static void
rpc_shutdown(struct ctld *c, struct conn *cn, struct msg *m)
{
	if (!job_is_admin(c, m->uid)) {
		conn_reply_rc(c, cn, m->req_id, ESLURM_ACCESS_DENIED);
		return;
	}
	log_info("shutdown requested by uid %u", m->uid);
	conn_reply_rc(c, cn, m->req_id, 0);
	c->shutting_down = 1;
}

static void
rpc_unsupported(struct ctld *c, struct conn *cn, struct msg *m)
{
	conn_reply_rc(c, cn, m->req_id, ESLURM_NOT_SUPPORTED);
}

static const struct {
	unsigned type;
	rpc_fn *fn;
} rpc_table[] = {
    {REQ_PING, rpc_ping},
    {REQ_SUBMIT_BATCH, rpc_submit},
    {REQ_JOB_INFO, rpc_job_info},
    {REQ_STEP_INFO, rpc_step_info},
    {REQ_NODE_INFO, rpc_node_info},
    {REQ_PART_INFO, rpc_part_info},
    {REQ_CONFIG, rpc_config},
    {REQ_CANCEL, rpc_cancel},
    {REQ_JOB_UPDATE, rpc_job_update},
    {REQ_NODE_UPDATE, rpc_node_update},
    {REQ_PART_UPDATE, rpc_part_update},
    {REQ_NODE_REGISTER, rpc_node_register},
    {REQ_JOB_COMPLETE, rpc_job_complete},
    {REQ_NODE_PING, rpc_node_ping},
    {REQ_SHUTDOWN, rpc_shutdown},
    {REQ_RECONFIGURE, rpc_unsupported},
    {REQ_STEP_CREATE, step_create_rpc},
    {REQ_STEP_COMPLETE, step_complete_rpc},
    {REQ_ALLOC_DONE, alloc_done_rpc},
};

void
rpc_dispatch(struct ctld *c, struct conn *cn, struct msg *m)
{
	int idx = conn_node(cn);
	if (idx >= 0)
		c->nodes[idx].last_seen = ctld_now();
	for (size_t i = 0; i < sizeof(rpc_table) / sizeof(rpc_table[0]); i++) {
		if (rpc_table[i].type == m->type) {
			log_debug("rpc %s from uid %u", proto_msg_name(m->type), m->uid);
			rpc_table[i].fn(c, cn, m);
			return;
		}
	}
	log_warnx("unexpected message %s from uid %u", proto_msg_name(m->type), m->uid);
	conn_reply_rc(c, cn, m->req_id, HERD_EUNKNOWN_MSG);
}
