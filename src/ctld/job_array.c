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

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int
parse_num(const char **p, uint32_t *v)
{
	char *end;
	if (**p < '0' || **p > '9')
		return -1;
	unsigned long n = strtoul(*p, &end, 10);
	if (n > 0xffffffUL)
		return -1;
	*v = (uint32_t)n;
	*p = end;
	return 0;
}

int
array_parse(const char *spec, uint32_t max_size, struct array_spec *out)
{
	memset(out, 0, sizeof(*out));
	if (spec == NULL || *spec == '\0' || max_size == 0)
		return -1;
	const char *p = spec;
	uint32_t cap = 0;
	for (;;) {
		uint32_t lo, hi, step = 1;
		if (parse_num(&p, &lo) < 0)
			goto fail;
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_num(&p, &hi) < 0 || hi < lo)
				goto fail;
			if (*p == ':') {
				p++;
				if (parse_num(&p, &step) < 0 || step == 0)
					goto fail;
			}
		}
		if (hi >= max_size)
			goto fail;
		for (uint64_t v = lo; v <= hi; v += step) {
			if (out->cnt == cap) {
				cap = cap ? cap * 2 : 16;
				out->idx = xreallocarray(out->idx, cap, sizeof(uint32_t));
			}
			out->idx[out->cnt++] = (uint32_t)v;
		}
		if (out->step == 0 && lo != hi)
			out->step = step;
		if (*p == ',') {
			p++;
			continue;
		}
		break;
	}
	if (*p == '%') {
		p++;
		if (parse_num(&p, &out->throttle) < 0)
			goto fail;
	}
	if (*p != '\0' || out->cnt == 0)
		goto fail;
	qsort(out->idx, out->cnt, sizeof(uint32_t), cmp_u32);
	uint32_t k = 0;
	for (uint32_t i = 0; i < out->cnt; i++)
		if (k == 0 || out->idx[k - 1] != out->idx[i])
			out->idx[k++] = out->idx[i];
	out->cnt = k;
	out->min = out->idx[0];
	out->max = out->idx[k - 1];
	if (out->step == 0)
		out->step = 1;
	return 0;
fail:
	free(out->idx);
	memset(out, 0, sizeof(*out));
	return -1;
}

/* "1-3,5"; a run of more than five with a regular stride spanning more
 * than ten indexes is written a-b:step */
char *
array_ranges(const uint32_t *idx, uint32_t n)
{
	struct buf b;
	buf_init(&b);
	for (uint32_t i = 0; i < n;) {
		uint32_t j = i;
		while (j + 1 < n && idx[j + 1] == idx[j] + 1)
			j++;
		if (j == i && i + 1 < n) {
			/* a stride run? */
			uint32_t step = idx[i + 1] - idx[i], k = i + 1;
			while (k + 1 < n && idx[k + 1] - idx[k] == step)
				k++;
			if (step > 1 && k - i + 1 > 5 && idx[k] - idx[i] > 10) {
				if (b.len)
					buf_addc(&b, ',');
				buf_printf(&b, "%u-%u:%u", idx[i], idx[k], step);
				i = k + 1;
				continue;
			}
		}
		if (b.len)
			buf_addc(&b, ',');
		if (j == i)
			buf_printf(&b, "%u", idx[i]);
		else
			buf_printf(&b, "%u-%u", idx[i], idx[j]);
		i = j + 1;
	}
	return buf_take(&b);
}

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

/* The record that runs the next pending task of master: a new one split
 * off, or master itself for the last task.  NULL if the new record could
 * not be saved (the task stays pending). */
struct job *
array_split(struct ctld *c, struct job *m)
{
	uint32_t idx = m->array_pending[0];
	if (m->array_pending_cnt == 1) {
		m->array_pending_cnt = 0;
		m->array_task_id = idx;
		array_refresh_str(m);
		job_expand_paths(c, m);
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
	t->reason = WAIT_NO_REASON;
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
	job_expand_paths(c, t);
	job_insert(c, t);
	if (state_job_new(c, t) < 0) {
		job_remove(c, t);
		job_free(t);
		return NULL;
	}
	memmove(m->array_pending, m->array_pending + 1, (m->array_pending_cnt - 1) * sizeof(uint32_t));
	m->array_pending_cnt--;
	array_refresh_str(m);
	state_job_update(c, m);
	return t;
}

/* Take index idx out of master's pending set; 1 if it was there. */
int
array_drop_pending(struct job *m, uint32_t idx)
{
	for (uint32_t i = 0; i < m->array_pending_cnt; i++) {
		if (m->array_pending[i] == idx) {
			memmove(&m->array_pending[i], &m->array_pending[i + 1],
			    (m->array_pending_cnt - i - 1) * sizeof(uint32_t));
			m->array_pending_cnt--;
			array_refresh_str(m);
			return 1;
		}
	}
	return 0;
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
	uint32_t n = 0, cap = 0;
	struct job *j = job_find(c, job_id);
	int whole_array = task == NO_VAL && (j == NULL || j->array_job_id == job_id);
	if (task == NO_VAL && !whole_array) {
		*out = xmalloc(sizeof(struct job *));
		(*out)[0] = j;
		return 1;
	}
	for (struct job *t = c->jobs_head; t; t = t->next) {
		if (t->array_job_id != job_id || t->array_job_id == 0)
			continue;
		if (task != NO_VAL && t->array_task_id != task) {
			int pending_here = 0;
			for (uint32_t i = 0; i < t->array_pending_cnt && !pending_here; i++)
				pending_here = t->array_pending[i] == task;
			if (!pending_here)
				continue;
			*in_master = 1;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xreallocarray(*out, cap, sizeof(struct job *));
		}
		(*out)[n++] = t;
		if (task != NO_VAL)
			break;
	}
	return n;
}
