/* SPDX-License-Identifier: MIT */
/*
 * herdctld scheduler.  A pass runs once per event-loop iteration in which
 * something changed (a submission, a job end, a node coming up, a timer),
 * never on a fixed period.  Order: partition PriorityTier, then job
 * priority, then submit time, then id.  sched/backfill: when the top job
 * of a partition cannot start, its earliest start time and nodes are
 * reserved from the running jobs' time limits, and later jobs start only
 * if they end before that time or do not touch the reserved nodes.
 * sched/builtin: strict FIFO per partition.
 */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xmalloc.h"
#include "ctld.h"
#include "hostlist/hostlist.h"
#include "proto/jobflags.h"

void job_launch(struct ctld *c, struct job *j);

void
sched_request(struct ctld *c)
{
	c->sched_need_full = 1;
	event_active(c->sched_ev, EV_TIMEOUT, 0);
}

/* A submission.  When the last full pass left no CPU free anywhere and
 * nothing has freed one since, no pending job can start: the new job only
 * needs its reason, without a walk over every pending job (a busy cluster
 * with thousands queued, which is the usual state of one). */
void
sched_request_new(struct ctld *c, const struct job *j)
{
	if (!c->sched_full) {
		sched_request(c);
		return;
	}
	if (c->sched_fresh_cnt == c->sched_fresh_cap) {
		c->sched_fresh_cap = c->sched_fresh_cap ? c->sched_fresh_cap * 2 : 64;
		c->sched_fresh = xreallocarray(c->sched_fresh, c->sched_fresh_cap, sizeof(uint32_t));
	}
	c->sched_fresh[c->sched_fresh_cnt++] = j->id;
	event_active(c->sched_ev, EV_TIMEOUT, 0);
}

struct alloc {
	uint32_t n;
	uint32_t *idx;
	uint32_t *cpus;
};

/* Try to place job j given free CPUs per node (indexed by node index).
 * reserved: nodes not to use (may be NULL).  Fills a (caller frees). */
static int
alloc_try(struct ctld *c, const struct job *j, const uint32_t *free_cpus, const uint8_t *reserved,
    struct alloc *a, int ignore_state)
{
	const struct conf_part *p = &c->conf->parts[j->part];
	const struct job_desc *d = j->desc;
	int exclusive = (d->flags & JOB_DESC_EXCLUSIVE) || p->oversubscribe == OVERSUB_EXCLUSIVE ||
	                (c->conf->select_type && strstr(c->conf->select_type, "linear") != NULL);
	struct hostlist *req = (d->req_nodes && *d->req_nodes) ? hostlist_create(d->req_nodes) : NULL;
	struct hostlist *exc = (d->exc_nodes && *d->exc_nodes) ? hostlist_create(d->exc_nodes) : NULL;
	uint32_t tpn_cap =
	    (d->ntasks_per_node != NO_VAL && d->ntasks_per_node > 0) ? d->ntasks_per_node : INFINITE;
	a->n = 0;
	a->idx = xcalloc(p->node_cnt ? p->node_cnt : 1, sizeof(uint32_t));
	a->cpus = xcalloc(p->node_cnt ? p->node_cnt : 1, sizeof(uint32_t));
	uint32_t remaining = j->ntasks;
	uint32_t req_left = req ? (uint32_t)hostlist_count(req) : 0;
	/* required nodes first (they must all be used), then the others in order */
	for (int pass = req ? 0 : 1; pass < 2; pass++) {
		for (uint32_t k = 0; k < p->node_cnt; k++) {
			uint32_t ni = p->node_idx[k];
			const struct node *n = &c->nodes[ni];
			int is_req = req && hostlist_find(req, n->cfg->name) >= 0;
			if ((pass == 0) != is_req)
				continue;
			if ((!ignore_state && !node_usable(n)) || (reserved && reserved[ni]) ||
			    (exc != NULL && hostlist_find(exc, n->cfg->name) >= 0))
				continue;
			/* -C: only nodes with the features asked for */
			if (d->constraint && *d->constraint &&
			    conf_constraint_match(n->cfg->features, d->constraint) != 1)
				continue;
			if (a->n >= j->max_nodes)
				break;
			if (remaining == 0 && a->n >= j->min_nodes && !is_req)
				break;
			uint32_t fc = free_cpus[ni];
			if (exclusive && fc < n->cfg->cpus)
				continue;
			uint32_t cap = fc / j->cpt;
			if (cap > tpn_cap)
				cap = tpn_cap;
			if (cap == 0)
				continue;
			uint32_t still_needed = j->min_nodes > a->n + 1 ? j->min_nodes - a->n - 1 : 0;
			if (req_left > (uint32_t)is_req && still_needed < req_left - (uint32_t)is_req)
				still_needed = req_left - (uint32_t)is_req;
			uint32_t take =
			    remaining > still_needed ? remaining - still_needed : (remaining ? 1 : 0);
			if (take > cap)
				take = cap;
			if (take == 0)
				take = 1; /* a node of the minimum count with no task left */
			a->idx[a->n] = ni;
			a->cpus[a->n] = exclusive ? n->cfg->cpus : take * j->cpt;
			a->n++;
			remaining = remaining > take ? remaining - take : 0;
			if (is_req)
				req_left--;
		}
	}
	hostlist_destroy(req);
	hostlist_destroy(exc);
	if (remaining == 0 && a->n >= j->min_nodes && req_left == 0)
		return 0;
	free(a->idx);
	free(a->cpus);
	a->idx = a->cpus = NULL;
	a->n = 0;
	return -1;
}

/* Could the job ever run in its partition, whatever the nodes' state? */
int
sched_job_fits_ever(struct ctld *c, struct job *j)
{
	const struct conf_part *p = &c->conf->parts[j->part];
	uint32_t *cap = xcalloc(c->node_cnt ? c->node_cnt : 1, sizeof(uint32_t));
	for (uint32_t k = 0; k < p->node_cnt; k++)
		cap[p->node_idx[k]] = c->nodes[p->node_idx[k]].cfg->cpus;
	struct alloc a;
	int ok = alloc_try(c, j, cap, NULL, &a, 1) == 0;
	if (ok) {
		free(a.idx);
		free(a.cpus);
	}
	free(cap);
	return ok;
}

static int
job_cmp(const void *a, const void *b)
{
	const struct job *x = *(const struct job *const *)a, *y = *(const struct job *const *)b;
	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	if (x->submit_time != y->submit_time)
		return x->submit_time < y->submit_time ? -1 : 1;
	return x->id < y->id ? -1 : (x->id > y->id);
}

static int
job_cmp_tier(const void *a, const void *b, void *arg)
{
	const struct ctld *c = arg;
	const struct job *x = *(const struct job *const *)a, *y = *(const struct job *const *)b;
	uint32_t tx = c->conf->parts[x->part].priority_tier;
	uint32_t ty = c->conf->parts[y->part].priority_tier;
	if (tx != ty)
		return tx > ty ? -1 : 1;
	return job_cmp(a, b);
}

/* Earliest time the job could start on the partition's nodes, given the
 * running jobs' ends; fills reserved[] with the nodes it would use.
 * Returns 0 if never (unlimited jobs in the way). */
static int64_t
sched_reserve(struct ctld *c, struct job *top, const uint32_t *free_cpus, uint8_t *reserved)
{
	uint32_t *fc = xmalloc(c->node_cnt * sizeof(uint32_t));
	memcpy(fc, free_cpus, c->node_cnt * sizeof(uint32_t));
	/* running jobs by end time */
	uint32_t nrun = 0;
	for (struct job *j = c->jobs_head; j; j = j->next)
		if ((j->state & JOB_STATE_BASE) == JOB_RUNNING)
			nrun++;
	struct job **run = xcalloc(nrun ? nrun : 1, sizeof(struct job *));
	nrun = 0;
	for (struct job *j = c->jobs_head; j; j = j->next)
		if ((j->state & JOB_STATE_BASE) == JOB_RUNNING && j->end_time > 0)
			run[nrun++] = j;
	/* insertion sort by end_time: the running set is small */
	for (uint32_t i = 1; i < nrun; i++)
		for (uint32_t k = i; k > 0 && run[k - 1]->end_time > run[k]->end_time; k--) {
			struct job *t = run[k];
			run[k] = run[k - 1];
			run[k - 1] = t;
		}
	int64_t when = 0;
	for (uint32_t i = 0; i < nrun && when == 0; i++) {
		for (uint32_t k = 0; k < run[i]->node_cnt; k++)
			fc[run[i]->node_idx[k]] += run[i]->node_cpus[k];
		struct alloc a;
		if (alloc_try(c, top, fc, NULL, &a, 0) == 0) {
			when = run[i]->end_time;
			for (uint32_t k = 0; k < a.n; k++)
				reserved[a.idx[k]] = 1;
			free(a.idx);
			free(a.cpus);
		}
	}
	free(run);
	free(fc);
	return when;
}

/* --kill-on-invalid-dep=yes, or SchedulerParameters=kill_invalid_depend
 * unless the job said no */
static int
sched_kill_invalid_dep(struct ctld *c, const struct job *j)
{
	if (j->desc->flags & JOB_DESC_KILL_INV_DEP)
		return 1;
	if (j->desc->flags & JOB_DESC_NO_KILL_INV_DEP)
		return 0;
	return c->conf->scheduler_params && strstr(c->conf->scheduler_params, "kill_invalid_depend") != NULL;
}

/* Whether pending job j may start now as far as it alone goes (not held,
 * eligible, dependencies satisfied); sets its reason when not. */
static int
sched_candidate(struct ctld *c, struct job *j, int64_t now)
{
	if ((j->state & JOB_STATE_BASE) != JOB_PENDING || (j->state & JOB_COMPLETING))
		return 0;
	if (j->held || j->priority == 0)
		return 0;
	if (j->eligible_time > now) {
		if (j->reason != WAIT_TIME) {
			j->reason = WAIT_TIME;
			c->last_update = now;
		}
		return 0;
	}
	int dep = depend_eval(c, j);
	if (dep <= 0) {
		uint32_t want = dep == 0 ? WAIT_DEPENDENCY : WAIT_DEP_INVALID;
		if (dep < 0 && sched_kill_invalid_dep(c, j)) {
			log_info("job %u: dependency can never be satisfied, cancelled", j->id);
			job_signal_cancel(c, j, 0, 0, 0);
			return 0;
		}
		if (j->reason != want) {
			j->reason = want;
			c->last_update = now;
		}
		return 0;
	}
	return 1;
}

/* The checks before placing candidate j: its partition's state and
 * limits, its array's throttle, the jobs ahead of it (blocked[part]) and
 * free CPUs.  1 with j's reason set when it must wait. */
static int
sched_waits(struct ctld *c, struct job *j, int64_t now, int builtin, uint8_t *blocked, uint32_t total_free)
{
	const struct conf_part *p = &c->conf->parts[j->part];
	if (p->state == PART_STATE_DOWN) {
		j->reason = WAIT_PART_DOWN;
		return 1;
	}
	if (p->state == PART_STATE_INACTIVE) {
		j->reason = WAIT_PART_INACTIVE;
		return 1;
	}
	if (p->max_time_min != INFINITE && j->time_limit > p->max_time_min) {
		j->reason = WAIT_PART_CONFIG;
		return 1;
	}
	if ((p->max_nodes != INFINITE && j->min_nodes > p->max_nodes) || j->min_nodes > p->node_cnt) {
		j->reason = WAIT_PART_NODE_LIMIT;
		return 1;
	}
	j->last_sched_eval = now;
	if (j->array_pending_cnt > 0 && j->array_throttle > 0 &&
	    array_running(c, j->array_job_id) >= j->array_throttle) {
		j->reason = WAIT_ARRAY_TASK_LIMIT;
		return 1;
	}
	if (blocked[j->part] && builtin) {
		j->reason = WAIT_PRIORITY;
		return 1;
	}
	if (total_free == 0) {
		j->reason = blocked[j->part] ? WAIT_PRIORITY : WAIT_RESOURCES;
		blocked[j->part] = 1;
		return 1;
	}
	return 0;
}

void
sched_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctld *c = arg;
	int64_t now = ctld_now();
	int builtin = c->conf->scheduler_type && strstr(c->conf->scheduler_type, "builtin") != NULL;
	if (c->sched_full && !c->sched_need_full && c->sched_blocked_cnt == c->conf->part_cnt) {
		/* only submissions since a pass that left no CPU free */
		for (uint32_t i = 0; i < c->sched_fresh_cnt; i++) {
			struct job *j = job_find(c, c->sched_fresh[i]);
			if (j == NULL || !sched_candidate(c, j, now))
				continue;
			uint32_t old_reason = j->reason;
			sched_waits(c, j, now, builtin, c->sched_blocked, 0);
			if (j->reason != old_reason)
				c->last_update = now;
		}
		c->sched_fresh_cnt = 0;
		return;
	}
	c->sched_need_full = 0;
	c->sched_fresh_cnt = 0;
	c->sched_full = 0;
	/* one walk over the job list: only jobs that could start now are
	 * sorted (held jobs and jobs waiting for their begin time are not) */
	uint32_t npend = 0, cap = 0;
	struct job **pend = NULL;
	for (struct job *j = c->jobs_head; j; j = j->next) {
		if (!sched_candidate(c, j, now))
			continue;
		if (npend == cap) {
			cap = cap ? cap * 2 : 64;
			pend = xreallocarray(pend, cap, sizeof(*pend));
		}
		pend[npend++] = j;
	}
	if (npend == 0) {
		free(pend);
		return;
	}
	/* the job list is in submission order and priorities fall with it:
	 * the pending jobs are usually in order already (one pass to see) */
	uint32_t in_order = 1;
	while (in_order < npend && job_cmp_tier(&pend[in_order - 1], &pend[in_order], c) <= 0)
		in_order++;
	if (in_order < npend)
		qsort_r(pend, npend, sizeof(pend[0]), job_cmp_tier, c);

	uint32_t *free_cpus = xcalloc(c->node_cnt ? c->node_cnt : 1, sizeof(uint32_t));
	uint32_t total_free = 0;
	for (uint32_t i = 0; i < c->node_cnt; i++) {
		struct node *n = &c->nodes[i];
		free_cpus[i] =
		    node_usable(n) && n->cfg->cpus > n->cpus_alloc ? n->cfg->cpus - n->cpus_alloc : 0;
		total_free += free_cpus[i];
	}
	uint32_t np = c->conf->part_cnt;
	uint8_t *blocked = xcalloc(np ? np : 1, 1);
	int64_t *resv_time = xcalloc(np ? np : 1, sizeof(int64_t));
	uint8_t **resv = xcalloc(np ? np : 1, sizeof(uint8_t *));
	int started = 0, again = 0;
	for (uint32_t i = 0; i < npend; i++) {
		struct job *j = pend[i];
		uint32_t old_reason = j->reason;
		if (again) {
			/* the array's next task: an aftercorr term may hold it */
			again = 0;
			if (j->dep_cnt && depend_eval(c, j) <= 0) {
				j->reason = WAIT_DEPENDENCY;
				goto next;
			}
		}
		if (sched_waits(c, j, now, builtin, blocked, total_free))
			goto next;
		struct alloc a;
		const uint8_t *excl = NULL;
		if (blocked[j->part] && resv[j->part] != NULL) {
			/* backfill: may not delay the reserved top job */
			int64_t end =
			    j->time_limit == INFINITE ? INT64_MAX : now + (int64_t)j->time_limit * 60;
			if (resv_time[j->part] == 0 || end > resv_time[j->part])
				excl = resv[j->part];
		}
		if (alloc_try(c, j, free_cpus, excl, &a, 0) == 0) {
			/* an array's next task runs in a record of its own */
			struct job *run = j->array_pending_cnt > 0 ? array_split(c, j) : j;
			if (run == NULL) {
				free(a.idx);
				free(a.cpus);
				goto next;
			}
			run->node_cnt = a.n;
			run->node_idx = a.idx;
			run->node_cpus = a.cpus;
			run->total_cpus = 0;
			for (uint32_t k = 0; k < a.n; k++) {
				run->total_cpus += a.cpus[k];
				free_cpus[a.idx[k]] -= a.cpus[k];
				total_free -= a.cpus[k];
			}
			run->reason = WAIT_NO_REASON;
			job_launch(c, run);
			started++;
			if (run != j) {
				i--; /* more tasks of the same array may fit */
				again = 1;
			}
			continue;
		}
		if (!blocked[j->part]) {
			blocked[j->part] = 1;
			j->reason = sched_job_fits_ever(c, j) ? WAIT_RESOURCES : WAIT_PART_CONFIG;
			if (!builtin && j->reason == WAIT_RESOURCES) {
				resv[j->part] = xcalloc(c->node_cnt ? c->node_cnt : 1, 1);
				resv_time[j->part] = sched_reserve(c, j, free_cpus, resv[j->part]);
			}
		} else {
			j->reason = WAIT_PRIORITY;
		}
	next:
		if (j->reason != old_reason)
			c->last_update = now;
	}
	if (started)
		c->last_update = now;
	/* no CPU left anywhere: until one is freed, submissions only need a
	 * reason (sched_request_new) */
	c->sched_full = total_free == 0;
	free(c->sched_blocked);
	c->sched_blocked = blocked;
	c->sched_blocked_cnt = np;
	for (uint32_t p = 0; p < np; p++)
		free(resv[p]);
	free(resv);
	free(resv_time);
	free(free_cpus);
	free(pend);
}
