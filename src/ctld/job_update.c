/* SPDX-License-Identifier: MIT */
/*
 * scontrol job actions: hold, release, requeue, suspend/resume and
 * "update JobId=... Key=Value".
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/xmalloc.h"
#include "ctld.h"
#include "proto/jobactions.h"
#include "proto/sigflags.h"
#include "timefmt/timefmt.h"

int job_signal_requeue(struct ctld *c, struct job *j);

static int
job_update_key(struct ctld *c, struct job *j, const char *key, const char *val, int admin)
{
	struct job_desc *d = j->desc;
	int pending = (j->state & JOB_STATE_BASE) == JOB_PENDING;
	if (strcasecmp(key, "TimeLimit") == 0) {
		uint32_t v;
		int rel = (val[0] == '+' || val[0] == '-') ? val[0] : 0;
		if (time_limit_parse(rel ? val + 1 : val, &v) < 0)
			return ESLURM_INVALID_TIME_VALUE;
		if (rel == '+')
			v = j->time_limit == INFINITE ? INFINITE : j->time_limit + v;
		else if (rel == '-')
			v = (j->time_limit == INFINITE || v >= j->time_limit) ? 1 : j->time_limit - v;
		if (!admin && (v == INFINITE || (j->time_limit != INFINITE && v > j->time_limit)))
			return ESLURM_ACCESS_DENIED;
		j->time_limit = v;
		d->time_limit = v;
		if ((j->state & JOB_STATE_BASE) == JOB_RUNNING) {
			j->end_time = v == INFINITE ? 0 : j->start_time + (int64_t)v * 60;
			job_signal_arm_timer(c, j);
		}
		return 0;
	}
	if (strcasecmp(key, "JobName") == 0 || strcasecmp(key, "Name") == 0) {
		free(d->name);
		d->name = xstrdup(val);
		return 0;
	}
	if (strcasecmp(key, "Comment") == 0) {
		free(d->comment);
		d->comment = xstrdup(val);
		return 0;
	}
	if (strcasecmp(key, "Nice") == 0) {
		d->nice = atoi(val);
		return 0;
	}
	if (strcasecmp(key, "Priority") == 0) {
		if (!admin)
			return ESLURM_ACCESS_DENIED;
		j->priority = (uint32_t)strtoul(val, NULL, 10);
		return 0;
	}
	if (!pending)
		return ESLURM_JOB_NOT_PENDING;
	if (strcasecmp(key, "Partition") == 0) {
		int p = conf_part_index(c->conf, val);
		if (p < 0)
			return ESLURM_INVALID_PARTITION_NAME;
		j->part = p;
		free(d->partition);
		d->partition = xstrdup(val);
		return 0;
	}
	if (strcasecmp(key, "NumTasks") == 0 || strcasecmp(key, "NumNodes") == 0 ||
	    strcasecmp(key, "MinCPUsNode") == 0) {
		char *end;
		unsigned long v = strtoul(val, &end, 10);
		if (v == 0 || (*end && *end != '-'))
			return strcasecmp(key, "NumNodes") == 0 ? ESLURM_INVALID_NODE_COUNT : HERD_EPROTO;
		if (strcasecmp(key, "NumTasks") == 0)
			j->ntasks = d->ntasks = (uint32_t)v;
		else if (strcasecmp(key, "NumNodes") == 0)
			j->min_nodes = d->min_nodes = (uint32_t)v;
		return 0;
	}
	if (strcasecmp(key, "StartTime") == 0 || strcasecmp(key, "BeginTime") == 0) {
		int64_t t;
		if (time_abs_parse(val, ctld_now(), &t) < 0)
			return ESLURM_INVALID_TIME_VALUE;
		d->begin_time = t;
		j->eligible_time = t;
		return 0;
	}
	if (strcasecmp(key, "ExcNodeList") == 0 || strcasecmp(key, "ReqNodeList") == 0) {
		char **f = strcasecmp(key, "ExcNodeList") == 0 ? &d->exc_nodes : &d->req_nodes;
		free(*f);
		*f = *val ? xstrdup(val) : NULL;
		return 0;
	}
	if (strcasecmp(key, "Account") == 0 || strcasecmp(key, "QOS") == 0 ||
	    strcasecmp(key, "Features") == 0) {
		char **f = strcasecmp(key, "Account") == 0 ? &d->account
		           : strcasecmp(key, "QOS") == 0   ? &d->qos
		                                           : &d->constraint;
		free(*f);
		*f = *val ? xstrdup(val) : NULL;
		return 0;
	}
	if (strcasecmp(key, "Dependency") == 0) {
		/* replaces the whole list; "" clears it */
		if (depend_set(j, val) < 0)
			return ESLURM_DEPENDENCY;
		free(d->dependency);
		d->dependency = *val ? xstrdup(val) : NULL;
		return 0;
	}
	if (strcasecmp(key, "MinMemoryNode") == 0) {
		uint64_t mb;
		if (mem_size_parse(val, &mb) < 0)
			return ESLURM_INVALID_TASK_MEMORY;
		d->mem_per_node = mb;
		return 0;
	}
	return ESLURM_NOT_SUPPORTED;
}

static int
job_update_one(struct ctld *c, struct job *j, struct job_update_req *req, uint32_t uid)
{
	int admin = job_is_admin(c, uid);
	if (j->uid != uid && !admin)
		return ESLURM_ACCESS_DENIED;
	int64_t now = ctld_now();
	uint32_t base = j->state & JOB_STATE_BASE;
	int rc = 0;
	switch (req->action) {
	case JOB_ACT_HOLD:
	case JOB_ACT_UHOLD:
		if (base != JOB_PENDING || (j->state & JOB_COMPLETING))
			return ESLURM_JOB_NOT_PENDING;
		j->held = 1;
		j->priority = 0;
		j->reason =
		    (req->action == JOB_ACT_HOLD && admin && uid != j->uid) ? WAIT_HELD : WAIT_HELD_USER;
		break;
	case JOB_ACT_RELEASE:
		if (base != JOB_PENDING)
			return ESLURM_JOB_NOT_PENDING;
		if (!j->held)
			return 0;
		if (j->reason == WAIT_HELD && !admin)
			return ESLURM_ACCESS_DENIED;
		j->held = 0;
		j->priority = c->next_priority;
		if (c->next_priority > 1)
			c->next_priority--;
		j->reason = WAIT_NO_REASON;
		if (j->eligible_time == 0 || j->eligible_time < now)
			j->eligible_time = j->desc->begin_time > now ? j->desc->begin_time : now;
		break;
	case JOB_ACT_REQUEUE:
	case JOB_ACT_REQUEUEHOLD:
		rc = job_signal_requeue(c, j);
		if (rc == 0 && req->action == JOB_ACT_REQUEUEHOLD) {
			j->held = 1;
			j->priority = 0;
			j->reason = admin && uid != j->uid ? WAIT_HELD : WAIT_HELD_USER;
		}
		break;
	case JOB_ACT_SUSPEND:
	case JOB_ACT_RESUME: {
		if (!admin)
			return ESLURM_ACCESS_DENIED;
		int susp = req->action == JOB_ACT_SUSPEND;
		if (susp && base != JOB_RUNNING)
			return ESLURM_JOB_NOT_RUNNING;
		if (!susp && base != JOB_SUSPENDED)
			return ESLURM_JOB_NOT_SUSPENDED;
		struct job_signal js = {.job_id = j->id,
		    .restarts = j->restarts,
		    .signal = susp ? SIGSTOP : SIGCONT,
		    .flags = CANCEL_FULL,
		    .step_id = NO_VAL};
		/* the batch script and the steps on every node of the job */
		for (uint32_t k = 0; k < j->node_cnt; k++)
			if (c->nodes[j->node_idx[k]].conn)
				conn_send(c, c->nodes[j->node_idx[k]].conn, REQ_JOB_SIGNAL, &js);
		j->state = (j->state & ~JOB_STATE_BASE) | (susp ? JOB_SUSPENDED : JOB_RUNNING);
		break;
	}
	case JOB_ACT_UPDATE:
		for (uint32_t i = 0; i < req->keyvals_cnt && rc == 0; i++) {
			char *kv = xstrdup(req->keyvals[i]);
			char *eq = strchr(kv, '=');
			if (eq == NULL) {
				rc = ESLURM_NOT_SUPPORTED;
			} else {
				*eq = '\0';
				rc = job_update_key(c, j, kv, eq + 1, admin);
			}
			free(kv);
		}
		break;
	default:
		return HERD_EUNKNOWN_MSG;
	}
	if (rc == 0) {
		c->last_update = now;
		state_job_update(c, j);
		sched_request(c);
	}
	return rc;
}

/* A job, every record of an array, or one task (a task still pending in
 * the array's original record is first split off into a record of its
 * own, as Slurm does, so that the change is its alone). */
int
job_update(struct ctld *c, struct job_update_req *req, uint32_t uid)
{
	struct job **t;
	int in_master;
	uint32_t n = job_targets(c, req->job_id, req->array_task_id, &t, &in_master);
	int rc = n ? 0 : ESLURM_INVALID_JOB_ID, done = 0;
	if (n == 1 && in_master && (t[0]->uid == uid || job_is_admin(c, uid))) {
		struct job *task = array_split_task(c, t[0], req->array_task_id, 1);
		if (task == NULL)
			rc = HERD_EINTERNAL;
		t[0] = task;
		n = task != NULL;
	}
	for (uint32_t i = 0; i < n; i++) {
		int r = job_update_one(c, t[i], req, uid);
		if (r == 0)
			done++;
		else
			rc = r;
	}
	free(t);
	/* for a whole array, records in other states (running tasks for a
	 * hold) are not an error as long as one record took the change */
	return (n > 1 && done) ? 0 : rc;
}
