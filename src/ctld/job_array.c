/* SPDX-License-Identifier: MIT */
/*
 * Job arrays (jobs.md section 7).  A submission creates one record whose
 * id is the array job id; it holds the indexes still pending.  When the
 * scheduler starts a task it is split off into a record of its own with a
 * new id from the normal sequence, except the last one, which takes over
 * the original record.  Tasks are named <array job id>_<index> everywhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xmalloc.h"
#include "ctld.h"

void
array_refresh_str(struct job *j)
{
	free(j->array_str);
	j->array_str = j->array_pending_cnt ? array_ranges(j->array_pending, j->array_pending_cnt) : NULL;
}

/* Running (or completing) tasks of an array, for its throttle. */
uint32_t
array_running(struct ctld *c, uint32_t array_job_id)
{
	uint32_t n = 0;
	for (struct job *t = c->jobs_head; t; t = t->next)
		if (t->array_job_id == array_job_id && t->array_task_id != NO_VAL &&
		    ((t->state & JOB_STATE_BASE) == JOB_RUNNING || (t->state & JOB_COMPLETING)))
			n++;
	return n;
}

/* Split task idx, pending in master, into a record of its own (a new job
 * id), or let master itself become the task when it is its last pending
 * one.  with_deps: the new record keeps master's remaining dependency and
 * its hold (a task split off to be changed alone); without, it is about
 * to run.  NULL if idx is not pending there or the new record could not
 * be saved (the task stays pending). */
struct job *
array_split_task(struct ctld *c, struct job *m, uint32_t idx, int with_deps)
{
	uint32_t pos = 0;
	while (pos < m->array_pending_cnt && m->array_pending[pos] != idx)
		pos++;
	if (pos == m->array_pending_cnt)
		return NULL;
	if (m->array_pending_cnt == 1) {
		m->array_pending_cnt = 0;
		m->array_task_id = idx;
		array_refresh_str(m);
		job_expand_paths(c, m);
		if (with_deps)
			state_job_update(c, m);
		return m;
	}
	struct job *t = xcalloc(1, sizeof(*t));
	t->desc = proto_dup(&rdesc_job_desc, m->desc);
	t->id = job_alloc_id(c);
	if (t->id == 0) {
		job_free(t);
		return NULL;
	}
	t->uid = m->uid;
	t->gid = m->gid;
	t->user = xstrdup(m->user);
	t->group = xstrdup(m->group);
	t->state = JOB_PENDING;
	t->reason = with_deps ? m->reason : WAIT_NO_REASON;
	t->priority = m->priority;
	t->part = m->part;
	t->submit_time = m->submit_time;
	t->eligible_time = m->eligible_time;
	t->last_sched_eval = m->last_sched_eval;
	t->time_limit = m->time_limit;
	t->ntasks = m->ntasks;
	t->min_nodes = m->min_nodes;
	t->max_nodes = m->max_nodes;
	t->cpt = m->cpt;
	t->array_job_id = m->array_job_id;
	t->array_task_id = idx;
	t->array_count = m->array_count;
	t->array_min = m->array_min;
	t->array_max = m->array_max;
	t->array_step = m->array_step;
	if (with_deps) {
		t->held = m->held;
		if (m->dep_display != NULL && depend_set(t, m->dep_display) < 0)
			log_warnx(
			    "job %u: dependency '%s' not copied to task %u", m->id, m->dep_display, idx);
		t->dep_or = m->dep_or;
	}
	job_expand_paths(c, t);
	job_insert(c, t);
	if (state_job_new(c, t) < 0) {
		job_remove(c, t);
		job_free(t);
		return NULL;
	}
	memmove(m->array_pending + pos, m->array_pending + pos + 1,
	    (m->array_pending_cnt - pos - 1) * sizeof(uint32_t));
	m->array_pending_cnt--;
	if (m->array_next >= m->array_pending_cnt)
		m->array_next = 0;
	array_refresh_str(m);
	state_job_update(c, m);
	return t;
}

/* The record that runs master's next pending task (array_next, chosen by
 * an aftercorr dependency, else the lowest index). */
struct job *
array_split(struct ctld *c, struct job *m)
{
	uint32_t pos = m->array_next < m->array_pending_cnt ? m->array_next : 0;
	m->array_next = 0;
	return array_split_task(c, m, m->array_pending[pos], 0);
}

/* Task idx of array array_id: its own record, or the array's record in
 * which it is still pending (*in_master set); NULL if there is no such
 * task (never was, or purged). */
struct job *
array_task_find(struct ctld *c, uint32_t array_id, uint32_t idx, int *in_master)
{
	*in_master = 0;
	if (array_id == 0)
		return NULL;
	for (struct job *t = c->jobs_head; t; t = t->next) {
		if (t->array_job_id != array_id)
			continue;
		if (t->array_task_id == idx)
			return t;
		for (uint32_t i = 0; i < t->array_pending_cnt; i++)
			if (t->array_pending[i] == idx) {
				*in_master = 1;
				return t;
			}
	}
	return NULL;
}

/* The records that a job id (with an optional array index) names: a plain
 * job, every record of an array (its array job id without an index), or
 * one task.  A task still pending inside the array's original record is
 * returned as *master with *in_master set.  Returns the number of records
 * in *out (caller frees *out). */
uint32_t
job_targets(struct ctld *c, uint32_t job_id, uint32_t task, struct job ***out, int *in_master)
{
	*out = NULL;
	*in_master = 0;
	if (task != NO_VAL) {
		struct job *t = array_task_find(c, job_id, task, in_master);
		if (t == NULL)
			return 0;
		*out = xmalloc(sizeof(struct job *));
		(*out)[0] = t;
		return 1;
	}
	uint32_t n = 0, cap = 0;
	struct job *j = job_find(c, job_id);
	if (j != NULL && j->array_job_id != job_id) {
		*out = xmalloc(sizeof(struct job *));
		(*out)[0] = j;
		return 1;
	}
	for (struct job *t = c->jobs_head; t; t = t->next) {
		if (t->array_job_id != job_id || t->array_job_id == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xreallocarray(*out, cap, sizeof(struct job *));
		}
		(*out)[n++] = t;
	}
	return n;
}
