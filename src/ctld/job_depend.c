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

enum dep_type {
	DEP_AFTER,
	DEP_AFTERANY,
	DEP_AFTEROK,
	DEP_AFTERNOTOK,
	DEP_AFTERCORR,
	DEP_AFTERBB,
	DEP_SINGLETON
};

static const struct {
	const char *name;
	enum dep_type type;
} dep_names[] = {
    {"after", DEP_AFTER},
    {"afterany", DEP_AFTERANY},
    {"afterok", DEP_AFTEROK},
    {"afternotok", DEP_AFTERNOTOK},
    {"aftercorr", DEP_AFTERCORR},
    {"afterburstbuffer", DEP_AFTERBB},
    {"singleton", DEP_SINGLETON},
};

#define NDEP_NAMES (sizeof(dep_names) / sizeof(dep_names[0]))

static const char *
dep_name(uint8_t type)
{
	for (size_t i = 0; i < NDEP_NAMES; i++)
		if (dep_names[i].type == type)
			return dep_names[i].name;
	return "?";
}

/* "41", "41+5", "41(failed)" -> id, minutes, state */
static int
parse_id(const char *s, uint32_t *id, uint32_t *minutes, uint8_t *state)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (end == s || v == 0 || v > 0xfffffff0UL)
		return -1;
	*id = (uint32_t)v;
	*minutes = 0;
	if (*end == '+') {
		const char *m = end + 1;
		v = strtoul(m, &end, 10);
		if (end == m || v > 525600)
			return -1;
		*minutes = (uint32_t)v;
	}
	if (strcmp(end, "(failed)") == 0) {
		*state = DEP_FAILED;
		return 0;
	}
	if (*end == '\0' || strcmp(end, "(unfulfilled)") == 0)
		return 0;
	return -1;
}

int
depend_parse(const char *spec, uint32_t self_id, struct dep_term **out, uint32_t *cnt, int *is_or)
{
	*out = NULL;
	*cnt = 0;
	*is_or = 0;
	if (spec == NULL || *spec == '\0' || strcmp(spec, "(null)") == 0)
		return 0;
	int has_and = strchr(spec, ',') != NULL, has_or = strchr(spec, '?') != NULL;
	if (has_and && has_or)
		return -1;
	*is_or = has_or;
	char *copy = xstrdup(spec), *save = NULL;
	struct dep_term *t = NULL;
	uint32_t n = 0;
	for (char *item = strtok_r(copy, has_or ? "?" : ",", &save); item;
	     item = strtok_r(NULL, has_or ? "?" : ",", &save)) {
		char *colon = strchr(item, ':');
		if (colon)
			*colon = '\0';
		const char *name = item;
		uint8_t state = DEP_UNFULFILLED;
		/* "singleton(unfulfilled)" */
		char *paren = strchr(item, '(');
		if (paren && colon == NULL) {
			if (strcmp(paren, "(unfulfilled)") != 0 && strcmp(paren, "(failed)") != 0)
				goto fail;
			*paren = '\0';
		}
		size_t k;
		for (k = 0; k < NDEP_NAMES; k++)
			if (strcasecmp(name, dep_names[k].name) == 0)
				break;
		if (k == NDEP_NAMES)
			goto fail;
		if (dep_names[k].type == DEP_SINGLETON) {
			if (colon)
				goto fail;
			t = xreallocarray(t, n + 1, sizeof(*t));
			t[n++] = (struct dep_term){.type = DEP_SINGLETON, .state = state};
			continue;
		}
		if (colon == NULL || colon[1] == '\0')
			goto fail;
		/* type:id[:id...] */
		char *isave = NULL;
		for (char *id = strtok_r(colon + 1, ":", &isave); id; id = strtok_r(NULL, ":", &isave)) {
			struct dep_term d = {.type = dep_names[k].type, .state = DEP_UNFULFILLED};
			if (parse_id(id, &d.job_id, &d.minutes, &d.state) < 0 || d.job_id == self_id)
				goto fail;
			if (d.minutes && d.type != DEP_AFTER)
				goto fail;
			t = xreallocarray(t, n + 1, sizeof(*t));
			t[n++] = d;
		}
	}
	free(copy);
	if (n == 0) {
		free(t);
		return -1;
	}
	*out = t;
	*cnt = n;
	return 0;
fail:
	free(copy);
	free(t);
	return -1;
}

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

static uint8_t
term_eval(struct ctld *c, const struct job *j, const struct dep_term *t, int64_t now)
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
	const struct job *r = job_find(c, t->job_id);
	if (r == NULL)
		return DEP_SATISFIED; /* gone: nothing left to wait for */
	if (r->array_job_id == t->job_id)
		return term_eval_array(c, t, now);
	uint32_t b = r->state & JOB_STATE_BASE;
	int done = job_state_is_finished(r->state) && !(r->state & JOB_COMPLETING);
	switch (t->type) {
	case DEP_AFTER:
		if (b == JOB_CANCELLED)
			return DEP_SATISFIED;
		if (r->start_time == 0 || b == JOB_PENDING)
			return DEP_UNFULFILLED;
		return r->start_time + (int64_t)t->minutes * 60 <= now ? DEP_SATISFIED : DEP_UNFULFILLED;
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

static void
depend_render(struct job *j)
{
	free(j->dep_display);
	j->dep_display = NULL;
	struct buf b;
	buf_init(&b);
	for (uint32_t i = 0; i < j->dep_cnt; i++) {
		const struct dep_term *t = &j->deps[i];
		if (t->state == DEP_SATISFIED)
			continue;
		if (b.len)
			buf_addc(&b, j->dep_or ? '?' : ',');
		if (t->type == DEP_SINGLETON)
			buf_adds(&b, "singleton");
		else if (t->minutes)
			buf_printf(&b, "%s:%u+%u", dep_name(t->type), t->job_id, t->minutes);
		else
			buf_printf(&b, "%s:%u", dep_name(t->type), t->job_id);
		buf_adds(&b, t->state == DEP_FAILED ? "(failed)" : "(unfulfilled)");
	}
	if (b.len)
		j->dep_display = buf_take(&b);
	buf_free(&b);
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

int
depend_eval(struct ctld *c, struct job *j)
{
	if (j->dep_cnt == 0)
		return 1;
	int64_t now = ctld_now();
	int changed = 0, satisfied = 0, failed = 0;
	for (uint32_t i = 0; i < j->dep_cnt; i++) {
		struct dep_term *t = &j->deps[i];
		uint8_t st = t->state == DEP_SATISFIED ? DEP_SATISFIED : term_eval(c, j, t, now);
		if (st != t->state) {
			t->state = st;
			changed = 1;
		}
		satisfied += st == DEP_SATISFIED;
		failed += st == DEP_FAILED;
	}
	if (changed) {
		depend_render(j);
		state_job_update(c, j);
		c->last_update = now;
	}
	uint32_t n = j->dep_cnt;
	if (j->dep_or)
		return satisfied > 0 ? 1 : (failed == (int)n ? -1 : 0);
	return failed > 0 ? -1 : (satisfied == (int)n ? 1 : 0);
}
