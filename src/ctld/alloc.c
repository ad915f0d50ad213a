/* SPDX-License-Identifier: MIT */
/*
 * Allocations without a batch script, for srun (outside a job) and
 * salloc: the job is submitted and scheduled like any other; the client
 * keeps its connection open and is told on it when the job starts
 * (RESP_ALLOC with the job's record) and when the job ends for another
 * reason than the client's own release (revoked: cancelled, timed out,
 * node failure).  The connection is the allocation's lifeline: if the
 * client goes away, its job ends.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "base/log.h"
#include "base/xmalloc.h"
#include "ctld.h"
#include "proto/sigflags.h"

static void
alloc_detach(struct job *j)
{
	if (j->alloc_conn != NULL) {
		conn_alloc_ref(j->alloc_conn, -1);
		j->alloc_conn = NULL;
	}
}

static void
alloc_push(struct ctld *c, struct conn *cn, struct job *j)
{
	struct job_info ji;
	job_fill_info(c, j, &ji);
	conn_reply(c, cn, RESP_ALLOC, 0, &ji);
	job_info_release(&ji);
}

void
alloc_submit_rpc(struct ctld *c, struct conn *cn, struct msg *m)
{
	struct job_desc *desc = m->body;
	struct job *j = NULL;
	m->body = NULL;
	char *why = NULL;
	int rc = job_submit(c, desc, m->uid, m->gid, &j, &why);
	if (rc != 0) {
		struct submit_resp f = {.job_id = 0, .step_id = NO_VAL, .rc = rc, .msg = why};
		conn_reply(c, cn, RESP_SUBMIT_BATCH, m->req_id, &f);
		free(why);
		return;
	}
	/* try at once: the client says "queued and waiting" only if it must */
	c->sched_need_full = 1;
	sched_cb(-1, 0, c);
	struct submit_resp r = {
	    .job_id = j->id, .step_id = NO_VAL, .rc = 0, .state = j->state, .reason = j->reason};
	conn_reply(c, cn, RESP_SUBMIT_BATCH, m->req_id, &r);
	if ((j->state & JOB_STATE_BASE) == JOB_RUNNING)
		alloc_push(c, cn, j);
	if (!job_state_is_finished(j->state)) {
		j->alloc_conn = cn;
		conn_alloc_ref(cn, 1);
	}
}

void
alloc_granted(struct ctld *c, struct job *j)
{
	if (j->alloc_conn != NULL)
		alloc_push(c, j->alloc_conn, j);
}

void
alloc_revoked(struct ctld *c, struct job *j)
{
	if (j->alloc_conn == NULL)
		return;
	alloc_push(c, j->alloc_conn, j);
	alloc_detach(j);
}

/* End a running allocation now: there is no batch script to wait for. */
static void
alloc_end(struct ctld *c, struct job *j, uint32_t state, uint32_t status, uint32_t uid)
{
	job_signal_end(c, j, state, WAIT_NO_REASON, status);
	j->requid = uid;
	job_signal_kill_steps(c, j);
	j->state &= ~JOB_COMPLETING;
	job_release_nodes(c, j);
	state_job_update(c, j);
}

void
alloc_done_rpc(struct ctld *c, struct conn *cn, struct msg *m)
{
	struct step_complete *sc = m->body;
	struct job *j = job_find(c, sc->job_id);
	if (j == NULL || j->desc->batch) {
		conn_reply_rc(c, cn, m->req_id, ESLURM_INVALID_JOB_ID);
		return;
	}
	if (j->uid != m->uid && m->uid != 0 && !job_is_admin(c, m->uid)) {
		conn_reply_rc(c, cn, m->req_id, ESLURM_ACCESS_DENIED);
		return;
	}
	alloc_detach(j);
	uint32_t base = j->state & JOB_STATE_BASE;
	if (sc->flags & 2) {
		/* salloc --no-shell: the allocation lives on without its client */
	} else if (base == JOB_PENDING) {
		job_signal_cancel(c, j, 0, 0, m->uid);
	} else if (base == JOB_RUNNING && !(j->state & JOB_COMPLETING)) {
		uint32_t st = sc->status;
		uint32_t state = (sc->flags & 1)                           ? JOB_CANCELLED
		                 : (WIFEXITED(st) && WEXITSTATUS(st) == 0) ? JOB_COMPLETE
		                                                           : JOB_FAILED;
		alloc_end(c, j, state, st, m->uid);
		log_verbose("job %u: allocation released by uid %u", j->id, m->uid);
	}
	conn_reply_rc(c, cn, m->req_id, 0);
}

void
alloc_conn_lost(struct ctld *c, struct conn *cn)
{
	for (struct job *j = c->jobs_head; j; j = j->next) {
		if (j->alloc_conn != cn)
			continue;
		alloc_detach(j);
		uint32_t base = j->state & JOB_STATE_BASE;
		log_info("job %u: its %s went away, ending the allocation", j->id,
		    j->desc->name ? j->desc->name : "client");
		if (base == JOB_PENDING)
			job_signal_cancel(c, j, 0, 0, j->uid);
		else if (base == JOB_RUNNING && !(j->state & JOB_COMPLETING))
			alloc_end(c, j, JOB_CANCELLED, 0, j->uid);
	}
}
