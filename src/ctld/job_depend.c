/* SPDX-License-Identifier: MIT */
/*
 * Job dependencies (jobs.md section 6): parsing of -d/--dependency, the
 * evaluation of each term against the jobs it names, and the display
 * string (remaining terms with "(unfulfilled)" or "(failed)").  A term
 * that failed stays failed; a term on a job the controller no longer
 * knows is satisfied.  The display string is also what the state journal
 * keeps, so a failed term survives a restart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/xmalloc.h"
#include "ctld.h"

/* A term on a whole array: after = every task started, afterany = every
 * task ended, afterok = every task ended with exit 0, afternotok = every
 * task ended and one did not. */
static uint8_t
term_eval_array(struct ctld *c, const struct dep_term *t, int64_t now)
{
	int pending = 0, running = 0, bad = 0, started_late = 0;
	for (const struct job *r = c->jobs_head; r; r = r->next) {
		if (r->array_job_id != t->job_id)
			continue;
		uint32_t b = r->state & JOB_STATE_BASE;
		if (r->array_pending_cnt > 0 || b == JOB_PENDING) {
			pending++;
			continue;
		}
		if (!job_state_is_finished(r->state) || (r->state & JOB_COMPLETING))
			running++;
		else if (!(b == JOB_COMPLETE && r->exit_code == 0))
			bad++;
		if (r->start_time + (int64_t)t->minutes * 60 > now)
			started_late++;
	}
	switch (t->type) {
	case DEP_AFTER:
		return pending == 0 && started_late == 0 ? DEP_SATISFIED : DEP_UNFULFILLED;
	case DEP_AFTERANY:
	case DEP_AFTERBB:
		return pending + running == 0 ? DEP_SATISFIED : DEP_UNFULFILLED;
	case DEP_AFTEROK:
	case DEP_AFTERCORR:
		if (bad)
			return DEP_FAILED;
		return pending + running == 0 ? DEP_SATISFIED : DEP_UNFULFILLED;
	case DEP_AFTERNOTOK:
		if (pending + running > 0)
			return DEP_UNFULFILLED;
		return bad ? DEP_SATISFIED : DEP_FAILED;
	}
	return DEP_UNFULFILLED;
}

/* A term on one record r: a plain job or one array task */
static uint8_t
term_eval_one(const struct job *r, uint8_t type, uint32_t minutes, int64_t now)
{
	uint32_t b = r->state & JOB_STATE_BASE;
	int done = job_state_is_finished(r->state) && !(r->state & JOB_COMPLETING);
	switch (type) {
	case DEP_AFTER:
		if (b == JOB_CANCELLED)
			return DEP_SATISFIED;
		if (r->start_time == 0 || b == JOB_PENDING)
			return DEP_UNFULFILLED;
		return r->start_time + (int64_t)minutes * 60 <= now ? DEP_SATISFIED : DEP_UNFULFILLED;
	case DEP_AFTERANY:
	case DEP_AFTERBB:
		return done ? DEP_SATISFIED : DEP_UNFULFILLED;
	case DEP_AFTEROK:
	case DEP_AFTERCORR:
		if (!done)
			return DEP_UNFULFILLED;
		return (b == JOB_COMPLETE && r->exit_code == 0) ? DEP_SATISFIED : DEP_FAILED;
	case DEP_AFTERNOTOK:
		if (!done)
			return DEP_UNFULFILLED;
		return b == JOB_COMPLETE ? DEP_FAILED : DEP_SATISFIED;
	}
	return DEP_UNFULFILLED;
}

static int
is_array(struct ctld *c, uint32_t id)
{
	const struct job *r = job_find(c, id);
	return r != NULL && r->array_job_id == id;
}

/* A term (of the given type) on task idx of the array t names: a term on
 * one task, or an aftercorr term on behalf of j's own task idx. */
static uint8_t
term_eval_task(struct ctld *c, const struct dep_term *t, uint8_t type, uint32_t idx, int64_t now)
{
	int pending;
	const struct job *r = array_task_find(c, t->job_id, idx, &pending);
	if (r == NULL)
		return DEP_SATISFIED; /* no such task (or gone): nothing to wait for */
	if (pending)
		return DEP_UNFULFILLED;
	return term_eval_one(r, type, t->minutes, now);
}

/* idx: for an aftercorr term, the index of j's task that is evaluated */
static uint8_t
term_eval(struct ctld *c, const struct job *j, struct dep_term *t, uint32_t idx, int64_t now)
{
	if (t->state == DEP_FAILED)
		return DEP_FAILED;
	if (t->type == DEP_SINGLETON) {
		for (const struct job *o = c->jobs_head; o; o = o->next) {
			if (o == j || o->uid != j->uid || strcmp(o->desc->name, j->desc->name) != 0)
				continue;
			uint32_t b = o->state & JOB_STATE_BASE;
			if (b == JOB_RUNNING || b == JOB_SUSPENDED || (o->state & JOB_COMPLETING))
				return DEP_UNFULFILLED;
			if (b == JOB_PENDING && o->submit_time <= j->submit_time && o->id < j->id)
				return DEP_UNFULFILLED;
		}
		return DEP_SATISFIED;
	}
	if (t->task_id != NO_VAL)
		return term_eval_task(c, t, t->type, t->task_id, now);
	if (!t->whole && is_array(c, t->job_id))
		t->whole = 1; /* shown as id_* from now on */
	if (t->type == DEP_AFTERCORR && t->whole && idx != NO_VAL)
		return term_eval_task(c, t, DEP_AFTEROK, idx, now);
	if (t->whole)
		return job_find(c, t->job_id) == NULL ? DEP_SATISFIED : term_eval_array(c, t, now);
	const struct job *r = job_find(c, t->job_id);
	if (r == NULL)
		return DEP_SATISFIED; /* gone: nothing left to wait for */
	return term_eval_one(r, t->type, t->minutes, now);
}

static void
depend_render(struct job *j)
{
	free(j->dep_display);
	j->dep_display = depend_string(j->deps, j->dep_cnt, j->dep_or);
}

int
depend_set(struct job *j, const char *spec)
{
	struct dep_term *t;
	uint32_t n;
	int is_or;
	if (depend_parse(spec, j->id, &t, &n, &is_or) < 0)
		return -1;
	free(j->deps);
	j->deps = t;
	j->dep_cnt = n;
	j->dep_or = is_or;
	depend_render(j);
	return 0;
}

/* Does an aftercorr term of j depend on which of j's tasks runs? */
static int
has_corr(const struct job *j)
{
	if (j->array_job_id == 0)
		return 0;
	for (uint32_t i = 0; i < j->dep_cnt; i++)
		if (j->deps[i].type == DEP_AFTERCORR && j->deps[i].task_id == NO_VAL)
			return 1;
	return 0;
}

static int
combine(const struct job *j, int satisfied, int failed)
{
	int n = (int)j->dep_cnt;
	if (j->dep_or)
		return satisfied > 0 ? 1 : (failed == n ? -1 : 0);
	return failed > 0 ? -1 : (satisfied == n ? 1 : 0);
}

/* Evaluate j's terms for its task idx.  Terms that do not depend on the
 * task keep their state; with latch, aftercorr terms keep theirs too. */
static int
eval_terms(
    struct ctld *c, struct job *j, uint32_t idx, int latch, int64_t now, int *changed, uint32_t *corr_failed)
{
	int satisfied = 0, failed = 0;
	for (uint32_t i = 0; i < j->dep_cnt; i++) {
		struct dep_term *t = &j->deps[i];
		int corr = t->type == DEP_AFTERCORR && t->task_id == NO_VAL;
		uint8_t was_whole = t->whole;
		uint8_t st = t->state == DEP_SATISFIED ? DEP_SATISFIED : term_eval(c, j, t, idx, now);
		*changed |= was_whole != t->whole;
		if (corr && !latch) {
			if (st == DEP_FAILED && corr_failed)
				*corr_failed = 1;
		} else if (st != t->state) {
			t->state = st;
			*changed = 1;
		}
		satisfied += st == DEP_SATISFIED;
		failed += st == DEP_FAILED;
	}
	return combine(j, satisfied, failed);
}

int
depend_eval(struct ctld *c, struct job *j)
{
	if (j->dep_cnt == 0)
		return 1;
	int64_t now = ctld_now();
	int changed = 0, rc = 0;
	j->array_next = 0;
	if (j->array_pending_cnt > 1 && has_corr(j)) {
		/* aftercorr on an array still holding several pending tasks:
		 * the first task whose own term holds may run; a task whose
		 * term failed leaves in a record of its own, which waits with
		 * DependencyNeverSatisfied (or is cancelled) */
		for (uint32_t pos = 0; pos < j->array_pending_cnt;) {
			uint32_t idx = j->array_pending[pos], corr_failed = 0;
			int r = eval_terms(c, j, idx, 0, now, &changed, &corr_failed);
			if (r > 0) {
				j->array_next = pos;
				rc = 1;
				break;
			}
			if (r < 0 && !corr_failed) {
				rc = -1; /* a term on something else failed: every task */
				break;
			}
			if (r == 0) {
				pos++;
				continue;
			}
			struct job *t = array_split_task(c, j, idx, 1);
			if (t == NULL)
				pos++;
			else if (t == j)
				break; /* j is now that task alone */
			else
				depend_eval(c, t);
		}
		if (rc < 0 || j->array_pending_cnt == 0) {
			uint32_t idx = j->array_pending_cnt ? j->array_pending[0] : j->array_task_id;
			rc = eval_terms(c, j, idx, 1, now, &changed, NULL);
		}
	} else {
		uint32_t idx = j->array_task_id;
		if (idx == NO_VAL && j->array_pending_cnt > 0)
			idx = j->array_pending[0];
		if (j->array_job_id == 0)
			idx = NO_VAL;
		rc = eval_terms(c, j, idx, 1, now, &changed, NULL);
		/* the last pending task's own aftercorr term failed: it is that
		 * task's failure, shown on it (A_2, not A_[2]) */
		if (rc < 0 && j->array_pending_cnt == 1 && has_corr(j))
			array_split_task(c, j, idx, 1);
	}
	if (changed) {
		depend_render(j);
		state_job_update(c, j);
		c->last_update = now;
	}
	return rc;
}
