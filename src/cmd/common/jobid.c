/* SPDX-License-Identifier: MIT */
/*
 * Parsing of job id arguments ("123_[1-3].batch") and matching them
 * against job records, shared by squeue, scancel and scontrol.
 */
#include "jobid.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xmalloc.h"

static int
parse_u32(const char **pp, uint32_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v >= NO_VAL)
			return -1;
		p++;
	}
	*pp = p;
	*out = (uint32_t)v;
	return 0;
}

/* "1-3,5,7-11:2" up to end; appends ranges. */
static int
parse_ranges(const char *p, const char *end, struct jobid_range **v, size_t *n)
{
	if (p == end)
		return -1;
	while (p < end) {
		struct jobid_range r = {0, 0, 1};
		if (parse_u32(&p, &r.lo) < 0)
			return -1;
		r.hi = r.lo;
		if (p < end && *p == '-') {
			p++;
			if (parse_u32(&p, &r.hi) < 0 || r.hi < r.lo)
				return -1;
			if (p < end && *p == ':') {
				p++;
				if (parse_u32(&p, &r.step) < 0 || r.step == 0)
					return -1;
			}
		}
		if (p < end && *p == '%') { /* throttle, irrelevant for ids */
			p++;
			uint32_t dummy;
			if (parse_u32(&p, &dummy) < 0)
				return -1;
		}
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		(*v)[(*n)++] = r;
		if (p < end) {
			if (*p != ',')
				return -1;
			p++;
			if (p == end)
				return -1;
		}
	}
	return 0;
}

int
jobid_parse(const char *s, struct jobid *out)
{
	memset(out, 0, sizeof(*out));
	out->array_task_id = NO_VAL;
	out->step_id = NO_VAL;
	out->het_offset = NO_VAL;
	const char *p = s;
	if (parse_u32(&p, &out->job_id) < 0 || out->job_id == 0)
		goto fail;
	if (*p == '_') {
		p++;
		if (*p == '[') {
			const char *close = strchr(p, ']');
			if (close == NULL || parse_ranges(p + 1, close, &out->tasks, &out->ntasks) < 0)
				goto fail;
			p = close + 1;
		} else if (parse_u32(&p, &out->array_task_id) < 0) {
			goto fail;
		}
	}
	if (*p == '+') {
		p++;
		if (parse_u32(&p, &out->het_offset) < 0)
			goto fail;
	}
	if (*p == '.') {
		p++;
		if (strcasecmp(p, "batch") == 0) {
			out->step_id = STEP_ID_BATCH;
			p += 5;
		} else if (strcasecmp(p, "extern") == 0) {
			out->step_id = STEP_ID_EXTERN;
			p += 6;
		} else if (strcasecmp(p, "interactive") == 0) {
			out->step_id = STEP_ID_INTERACTIVE;
			p += 11;
		} else if (parse_u32(&p, &out->step_id) < 0) {
			goto fail;
		}
	}
	if (*p != '\0')
		goto fail;
	return 0;
fail:
	jobid_free(out);
	memset(out, 0, sizeof(*out));
	errno = EINVAL;
	return -1;
}

void
jobid_free(struct jobid *id)
{
	if (id == NULL)
		return;
	free(id->tasks);
	id->tasks = NULL;
	id->ntasks = 0;
}

int
jobid_list_parse(const char *list, struct jobid **v, size_t *n, char **bad)
{
	const char *p = list;
	*bad = NULL;
	while (*p) {
		const char *q = p;
		int depth = 0;
		while (*q && (depth > 0 || (*q != ',' && *q != ' '))) {
			if (*q == '[')
				depth++;
			else if (*q == ']' && depth > 0)
				depth--;
			q++;
		}
		if (q > p) {
			char *tok = xstrndup(p, (size_t)(q - p));
			struct jobid id;
			if (jobid_parse(tok, &id) < 0) {
				*bad = tok;
				errno = EINVAL;
				return -1;
			}
			free(tok);
			*v = xreallocarray(*v, *n + 1, sizeof(**v));
			(*v)[(*n)++] = id;
		}
		p = *q ? q + 1 : q;
	}
	return 0;
}

void
jobid_list_free(struct jobid *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		jobid_free(&v[i]);
	free(v);
}

int
jobid_has_task(const struct jobid *id, uint32_t t)
{
	if (id->array_task_id != NO_VAL)
		return id->array_task_id == t;
	for (size_t i = 0; i < id->ntasks; i++) {
		const struct jobid_range *r = &id->tasks[i];
		if (t >= r->lo && t <= r->hi && (t - r->lo) % r->step == 0)
			return 1;
	}
	return 0;
}

int
array_expr_has(const char *expr, uint32_t t)
{
	if (expr == NULL)
		return 0;
	size_t len = strcspn(expr, "%");
	struct jobid_range *v = NULL;
	size_t n = 0;
	int found = 0;
	if (parse_ranges(expr, expr + len, &v, &n) == 0) {
		for (size_t i = 0; i < n && !found; i++)
			if (t >= v[i].lo && t <= v[i].hi && (t - v[i].lo) % v[i].step == 0)
				found = 1;
	}
	free(v);
	return found;
}

int
jobid_match(const struct jobid *id, const struct job_info *j)
{
	int is_array = j->array_task_str != NULL || j->array_task_id != NO_VAL;
	if (id->array_task_id == NO_VAL && id->ntasks == 0) {
		if (j->job_id == id->job_id)
			return 1;
		return is_array && j->array_job_id == id->job_id;
	}
	if (!is_array || j->array_job_id != id->job_id)
		return 0;
	if (j->array_task_id != NO_VAL)
		return jobid_has_task(id, j->array_task_id);
	/* pending remainder: does it hold any of the named tasks? */
	if (id->array_task_id != NO_VAL)
		return array_expr_has(j->array_task_str, id->array_task_id);
	size_t budget = 100000; /* huge ranges: overlap of the bounds is enough */
	for (size_t i = 0; i < id->ntasks; i++) {
		const struct jobid_range *r = &id->tasks[i];
		for (uint64_t t = r->lo; t <= r->hi; t += r->step) {
			if (budget-- == 0)
				return 1;
			if (array_expr_has(j->array_task_str, (uint32_t)t))
				return 1;
		}
	}
	return 0;
}

const char *
step_name_str(char *out, size_t n, uint32_t step_id)
{
	switch (step_id) {
	case STEP_ID_BATCH:
		return "batch";
	case STEP_ID_EXTERN:
		return "extern";
	case STEP_ID_INTERACTIVE:
		return "interactive";
	case STEP_ID_PENDING:
		return "TBD";
	}
	snprintf(out, n, "%u", step_id);
	return out;
}

char *
step_id_str(
    char *out, size_t n, uint32_t job_id, uint32_t array_job_id, uint32_t array_task_id, uint32_t step_id)
{
	char tmp[16];
	const char *s = step_name_str(tmp, sizeof(tmp), step_id);
	if (array_task_id != NO_VAL && array_job_id != 0)
		snprintf(out, n, "%u_%u.%s", array_job_id, array_task_id, s);
	else
		snprintf(out, n, "%u.%s", job_id, s);
	return out;
}
