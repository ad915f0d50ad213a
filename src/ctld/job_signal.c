/* SPDX-License-Identifier: MIT */
/*
 * Ending jobs: cancellation, signals, time limits, node failure, and the
 * completion reports from the node daemons.  herdstepd carries out the
 * SIGCONT / SIGTERM / KillWait / SIGKILL sequence on the node and reports
 * once every process of the job is gone; the controller keeps the job
 * COMPLETING until then.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "acct/usage.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "ctld.h"
#include "proto/jobflags.h"
#include "proto/sigflags.h"
#include "timefmt/timefmt.h"

static void
job_send_signal(struct ctld *c, struct job *j, uint32_t sig, uint32_t flags, const char *msg)
{
	struct job_signal js = {.job_id = j->id,
	    .restarts = j->restarts,
	    .signal = sig,
	    .flags = flags,
	    .kill_wait = c->conf->kill_wait,
	    .msg = (char *)msg,
	    .step_id = NO_VAL};
	for (uint32_t k = 0; k < j->node_cnt; k++) {
		struct node *n = &c->nodes[j->node_idx[k]];
		/* the batch node always; the others only run steps */
		if (k != 0 && step_count_running(j) == 0 && j->desc->batch)
			continue;
		if (n->conn != NULL)
			conn_send(c, n->conn, REQ_JOB_SIGNAL, &js);
	}
}

void
job_signal_kill_steps(struct ctld *c, struct job *j)
{
	if (step_count_running(j) > 0)
		job_send_signal(c, j, SIGTERM, SIGNAL_KILL_JOB, NULL);
}

/* A job without a batch script has nothing to wait for once told to end. */
static void
job_end_now_if_alloc(struct ctld *c, struct job *j)
{
	if (j->desc->batch)
		return;
	j->state &= ~JOB_COMPLETING;
	job_release_nodes(c, j);
	state_job_update(c, j);
}

void
job_release_nodes(struct ctld *c, struct job *j)
{
	if (j->released || j->node_cnt == 0)
		return;
	int64_t now = ctld_now();
	for (uint32_t k = 0; k < j->node_cnt; k++) {
		struct node *n = &c->nodes[j->node_idx[k]];
		n->cpus_alloc = n->cpus_alloc > j->node_cpus[k] ? n->cpus_alloc - j->node_cpus[k] : 0;
		if (n->jobs > 0)
			n->jobs--;
		n->last_busy = now;
		node_recompute_state(c, n);
	}
	j->released = 1;
	step_job_ended(c, j);
	alloc_revoked(c, j);
	sched_request(c);
}

static void
job_timer_stop(struct job *j)
{
	if (j->timer)
		evtimer_del(j->timer);
}

static void
job_kill_msg(struct ctld *c, struct job *j, const char *why, char *out, size_t n)
{
	char ts[32];
	fmt_timestamp(ts, sizeof(ts), ctld_now(), "Unknown");
	snprintf(out, n, "*** JOB %u ON %s CANCELLED AT %s%s ***", j->id,
	    j->node_cnt ? c->nodes[j->node_idx[0]].cfg->name : "?", ts, why);
}

/* Final state for a running job: processes are told to go; the job stays
 * COMPLETING until its batch node reports. */
void
job_signal_end(struct ctld *c, struct job *j, uint32_t state, uint32_t reason, uint32_t exit_code)
{
	int64_t now = ctld_now();
	job_timer_stop(j);
	j->state = state | JOB_COMPLETING;
	j->reason = reason;
	j->exit_code = exit_code;
	j->end_time = now;
	c->last_update = now;
	state_job_update(c, j);
}

int
job_signal_cancel(struct ctld *c, struct job *j, uint32_t sig, uint32_t flags, uint32_t uid)
{
	int64_t now = ctld_now();
	uint32_t base = j->state & JOB_STATE_BASE;
	if (job_state_is_finished(j->state) || (j->state & JOB_COMPLETING))
		return ESLURM_ALREADY_DONE;
	if (sig != 0 && sig != SIGKILL && base == JOB_PENDING)
		return ESLURM_JOB_PENDING;
	if (sig != 0 && !(flags & CANCEL_FULL_KILL)) {
		/* scancel -s: signal without cancelling */
		job_send_signal(c, j, sig, flags & (CANCEL_BATCH_ONLY | CANCEL_FULL), NULL);
		log_verbose("job %u: signal %u sent by uid %u", j->id, sig, uid);
		return 0;
	}
	j->requid = uid;
	if (base == JOB_PENDING) {
		j->state = JOB_CANCELLED;
		j->reason = WAIT_NO_REASON;
		j->end_time = now;
		c->last_update = now;
		state_job_update(c, j);
		log_verbose("job %u: cancelled while pending by uid %u", j->id, uid);
		alloc_revoked(c, j);
		sched_request(c);
		return 0;
	}
	char msg[256];
	job_kill_msg(c, j, "", msg, sizeof(msg));
	job_signal_end(c, j, JOB_CANCELLED, WAIT_NO_REASON, 0);
	job_send_signal(c, j, SIGTERM, SIGNAL_KILL_JOB, msg);
	job_end_now_if_alloc(c, j);
	log_verbose("job %u: cancelled by uid %u", j->id, uid);
	return 0;
}

static void
job_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;
	struct ctld *c = j->ctx;
	if ((j->state & JOB_STATE_BASE) != JOB_RUNNING || (j->state & JOB_COMPLETING))
		return;
	int64_t now = ctld_now();
	int64_t deadline = j->end_time + (int64_t)c->conf->over_time_limit * 60;
	if (now < deadline) {
		job_signal_arm_timer(c, j);
		return;
	}
	char msg[256];
	job_kill_msg(c, j, " DUE TO TIME LIMIT", msg, sizeof(msg));
	log_info("job %u: time limit reached", j->id);
	job_signal_end(c, j, JOB_TIMEOUT, FAIL_TIMEOUT, 0);
	job_send_signal(c, j, SIGTERM, SIGNAL_KILL_JOB, msg);
	job_end_now_if_alloc(c, j);
}

void
job_signal_arm_timer(struct ctld *c, struct job *j)
{
	if (j->end_time == 0)
		return;
	j->ctx = c;
	if (j->timer == NULL)
		j->timer = evtimer_new(c->base, job_timer_cb, j);
	int64_t deadline = j->end_time + (int64_t)c->conf->over_time_limit * 60;
	int64_t left = deadline - ctld_now();
	struct timeval tv = {left > 0 ? left : 0, 0};
	evtimer_add(j->timer, &tv);
}

/* Back to PENDING with the same id (requeue). */
static void
job_requeue(struct ctld *c, struct job *j)
{
	if (j->start_time != 0)
		acct_job_requeued(c, j);
	job_release_nodes(c, j);
	job_clear_alloc(j);
	job_timer_stop(j);
	j->state = JOB_PENDING;
	j->reason = WAIT_NO_REASON;
	j->restarts++;
	j->start_time = 0;
	j->end_time = 0;
	j->exit_code = 0;
	/* the new run is a new accounting row (keyed by submit time): never
	 * the same second as the run it follows */
	int64_t now = ctld_now();
	j->submit_time = now > j->submit_time ? now : j->submit_time + 1;
	j->eligible_time = j->submit_time;
	c->last_update = j->submit_time;
	state_job_update(c, j);
	sched_request(c);
}

void
job_signal_complete(struct ctld *c, struct job_complete *jc, int node_idx)
{
	struct job *j = job_find(c, jc->job_id);
	if (j == NULL) {
		log_debug("job %u: completion for unknown job from node %d", jc->job_id, node_idx);
		return;
	}
	if (jc->restarts != j->restarts) {
		log_debug("job %u: completion of an earlier run (%u) ignored", j->id, jc->restarts);
		return;
	}
	if (j->node_cnt == 0 || (int)j->node_idx[0] != node_idx) {
		log_debug("job %u: completion from a node that is not its batch host", j->id);
		return;
	}
	int64_t now = ctld_now();
	uint32_t base = j->state & JOB_STATE_BASE;
	memset(&j->batch_usage, 0, sizeof(j->batch_usage));
	usage_from_complete(&j->batch_usage, jc);
	usage_set_node(&j->batch_usage, NULL);
	if (base == JOB_RUNNING && !(j->state & JOB_COMPLETING)) {
		uint32_t st = jc->status;
		j->exit_code = st;
		j->end_time = now;
		if (jc->flags & COMPLETE_LAUNCH_FAILED) {
			j->state = JOB_FAILED;
			j->reason = FAIL_LAUNCH;
			log_warnx("job %u: launch failed on %s: %s", j->id, c->nodes[node_idx].cfg->name,
			    jc->msg ? jc->msg : "unknown error");
		} else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			j->state = JOB_COMPLETE;
			j->reason = WAIT_NO_REASON;
		} else if (WIFEXITED(st)) {
			j->state = JOB_FAILED;
			j->reason = FAIL_EXIT_CODE;
		} else {
			j->state = JOB_FAILED;
			j->reason = FAIL_LAUNCH;
		}
		if (jc->flags & COMPLETE_OOM) {
			j->state = JOB_OOM;
			j->reason = FAIL_OOM;
		}
	} else if (j->state & JOB_COMPLETING) {
		j->state &= ~JOB_COMPLETING;
		if (base == JOB_CANCELLED)
			j->exit_code = jc->status;
		if (base == JOB_PENDING) { /* requeued while running */
			job_requeue(c, j);
			return;
		}
	} else {
		return;
	}
	job_timer_stop(j);
	job_release_nodes(c, j);
	c->last_update = now;
	state_job_update(c, j);
	log_info("job %u: %s, exit %u:%u", j->id, job_state_string(j->state),
	    WIFEXITED(jc->status) ? WEXITSTATUS(jc->status) : 0,
	    WIFSIGNALED(jc->status) ? WTERMSIG(jc->status) : 0);
}

/* A node failed (DOWN): its jobs end as NODE_FAIL or go back to the queue. */
void
job_signal_node_failed(struct ctld *c, uint32_t node_idx)
{
	for (struct job *j = c->jobs_head; j; j = j->next) {
		if ((j->state & JOB_STATE_BASE) != JOB_RUNNING && !(j->state & JOB_COMPLETING))
			continue;
		if (j->released)
			continue;
		int on = 0;
		for (uint32_t k = 0; k < j->node_cnt; k++)
			if (j->node_idx[k] == node_idx)
				on = 1;
		if (!on)
			continue;
		const struct job_desc *d = j->desc;
		int requeue = (d->flags & JOB_DESC_REQUEUE_SET) ? !!(d->flags & JOB_DESC_REQUEUE)
		                                                : c->conf->job_requeue != 0;
		/* an allocation of srun/salloc has no batch script to wait for */
		int batch_node_lost = j->node_idx[0] == node_idx || !d->batch;
		if (!d->batch)
			requeue = 0;
		if (j->state & JOB_COMPLETING) {
			if (batch_node_lost) {
				j->state &= ~JOB_COMPLETING;
				job_release_nodes(c, j);
				state_job_update(c, j);
			}
			continue;
		}
		log_info("job %u: node %s failed, %s", j->id, c->nodes[node_idx].cfg->name,
		    requeue ? "requeued" : "NODE_FAIL");
		if (requeue) {
			if (batch_node_lost) {
				job_requeue(c, j);
			} else {
				j->state = JOB_PENDING | JOB_COMPLETING;
				job_send_signal(c, j, SIGKILL, SIGNAL_KILL_JOB, NULL);
				state_job_update(c, j);
			}
			continue;
		}
		job_signal_end(c, j, JOB_NODE_FAIL, FAIL_DOWN_NODE, 0);
		if (batch_node_lost) {
			j->state &= ~JOB_COMPLETING;
			job_release_nodes(c, j);
			state_job_update(c, j);
		} else {
			job_send_signal(c, j, SIGKILL, SIGNAL_KILL_JOB, NULL);
		}
	}
}

int job_signal_requeue(struct ctld *c, struct job *j);
int
job_signal_requeue(struct ctld *c, struct job *j)
{
	uint32_t base = j->state & JOB_STATE_BASE;
	if (base == JOB_PENDING)
		return ESLURM_JOB_PENDING;
	if (j->state & JOB_COMPLETING)
		return ESLURM_TRANSITION_STATE_NO_UPDATE;
	if (base == JOB_RUNNING || base == JOB_SUSPENDED) {
		j->state = JOB_PENDING | JOB_COMPLETING | JOB_REQUEUE;
		job_timer_stop(j);
		job_send_signal(c, j, SIGTERM, SIGNAL_KILL_JOB, NULL);
		state_job_update(c, j);
		return 0;
	}
	job_requeue(c, j);
	return 0;
}
