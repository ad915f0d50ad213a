/* SPDX-License-Identifier: MIT */
/*
 * Parsers of two job specifications that users write and the controller
 * keeps: --array index lists (jobs.md section 7) and -d/--dependency
 * (section 6).  Pure functions of the text, shared by herdctld and the
 * fuzz and unit tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "proto/jobspec.h"
#include "proto/proto.h"

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

const char *
depend_type_name(uint8_t type)
{
	for (size_t i = 0; i < NDEP_NAMES; i++)
		if (dep_names[i].type == type)
			return dep_names[i].name;
	return "?";
}

/* The first sep in s outside a task list's [] (where ',' and ':' have a
 * meaning of their own), or NULL. */
static const char *
find_outside(const char *s, char sep)
{
	int depth = 0;
	for (; *s; s++) {
		if (*s == sep && depth == 0)
			return s;
		depth += *s == '[' ? 1 : *s == ']' ? -1 : 0;
	}
	return NULL;
}

/* Cut *s at its next sep outside []: the piece before it, and *s moves
 * past it (NULL after the last piece). */
static char *
next_piece(char **s, char sep)
{
	char *piece = *s;
	if (piece == NULL)
		return NULL;
	char *cut = (char *)find_outside(piece, sep);
	if (cut != NULL) {
		*cut = '\0';
		*s = cut + 1;
	} else {
		*s = NULL;
	}
	return piece;
}

/* The tail of an id: "", "+5", "(failed)", "+5(unfulfilled)" */
static int
parse_tail(const char *s, struct dep_term *d)
{
	char *end;
	if (*s == '+') {
		const char *m = s + 1;
		unsigned long v = strtoul(m, &end, 10);
		if (end == m || v > 525600)
			return -1;
		d->minutes = (uint32_t)v;
		s = end;
	}
	if (strcmp(s, "(failed)") == 0) {
		d->state = DEP_FAILED;
		return 0;
	}
	return *s == '\0' || strcmp(s, "(unfulfilled)") == 0 ? 0 : -1;
}

static void
add_term(struct dep_term **t, uint32_t *n, const struct dep_term *d)
{
	*t = xreallocarray(*t, *n + 1, sizeof(**t));
	(*t)[(*n)++] = *d;
}

/* One id of a term: "41", "41_3", "41_*", "41_[1-3,7]" (one term per
 * task), each with an optional "+minutes" and a saved "(failed)". */
static int
parse_id(const char *s, const struct dep_term *proto, struct dep_term **t, uint32_t *n)
{
	struct dep_term d = *proto;
	char *end;
	if (*s < '0' || *s > '9')
		return -1;
	unsigned long v = strtoul(s, &end, 10);
	if (v == 0 || v > 0xfffffff0UL)
		return -1;
	d.job_id = (uint32_t)v;
	d.task_id = NO_VAL;
	if (*end != '_')
		return parse_tail(end, &d) < 0 ? -1 : (add_term(t, n, &d), 0);
	const char *x = end + 1;
	if (*x == '*') {
		d.whole = 1;
		return parse_tail(x + 1, &d) < 0 ? -1 : (add_term(t, n, &d), 0);
	}
	if (*x == '[') {
		const char *close = strchr(x, ']');
		if (close == NULL)
			return -1;
		char *spec = xstrndup(x + 1, (size_t)(close - x - 1));
		struct array_spec as;
		int rc = array_parse(spec, 4000001, &as);
		free(spec);
		if (rc < 0 || as.throttle || *n + as.cnt > DEP_MAX_TERMS || parse_tail(close + 1, &d) < 0) {
			if (rc == 0)
				free(as.idx);
			return -1;
		}
		for (uint32_t i = 0; i < as.cnt; i++) {
			d.task_id = as.idx[i];
			add_term(t, n, &d);
		}
		free(as.idx);
		return 0;
	}
	if (*x < '0' || *x > '9')
		return -1;
	v = strtoul(x, &end, 10);
	if (v >= NO_VAL)
		return -1;
	d.task_id = (uint32_t)v;
	return parse_tail(end, &d) < 0 ? -1 : (add_term(t, n, &d), 0);
}

int
depend_parse(const char *spec, uint32_t self_id, struct dep_term **out, uint32_t *cnt, int *is_or)
{
	*out = NULL;
	*cnt = 0;
	*is_or = 0;
	if (spec == NULL || *spec == '\0' || strcmp(spec, "(null)") == 0)
		return 0;
	/* joined by ',' (all) or '?' (any), not both; a ',' inside a task
	 * list "41_[1,3]" joins no terms */
	int has_or = strchr(spec, '?') != NULL;
	if (has_or && find_outside(spec, ',') != NULL)
		return -1;
	*is_or = has_or;
	char *copy = xstrdup(spec);
	struct dep_term *t = NULL;
	uint32_t n = 0;
	char sep = has_or ? '?' : ',';
	for (char *rest = copy, *item; (item = next_piece(&rest, sep)) != NULL;) {
		if (*item == '\0')
			continue;
		char *colon = strchr(item, ':');
		if (colon)
			*colon = '\0';
		const char *name = item;
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
			if (n >= DEP_MAX_TERMS)
				goto fail;
			add_term(&t, &n,
			    &(struct dep_term){
			        .type = DEP_SINGLETON, .state = DEP_UNFULFILLED, .task_id = NO_VAL});
			continue;
		}
		if (colon == NULL || colon[1] == '\0')
			goto fail;
		/* type:id[:id...] */
		struct dep_term proto = {.type = dep_names[k].type, .state = DEP_UNFULFILLED};
		char *ids = colon + 1;
		for (char *id; (id = next_piece(&ids, ':')) != NULL;) {
			if (*id == '\0')
				continue; /* "afterok:41:" */
			uint32_t first = n;
			if (n >= DEP_MAX_TERMS || parse_id(id, &proto, &t, &n) < 0)
				goto fail;
			for (uint32_t i = first; i < n; i++)
				if ((t[i].job_id == self_id && t[i].task_id == NO_VAL) ||
				    (t[i].minutes && t[i].type != DEP_AFTER))
					goto fail;
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

char *
depend_string(const struct dep_term *terms, uint32_t cnt, int is_or)
{
	struct buf b;
	buf_init(&b);
	for (uint32_t i = 0; i < cnt; i++) {
		const struct dep_term *t = &terms[i];
		if (t->state == DEP_SATISFIED)
			continue;
		if (b.len)
			buf_addc(&b, is_or ? '?' : ',');
		if (t->type == DEP_SINGLETON) {
			buf_adds(&b, "singleton");
		} else {
			buf_printf(&b, "%s:%u", depend_type_name(t->type), t->job_id);
			if (t->task_id != NO_VAL)
				buf_printf(&b, "_%u", t->task_id);
			else if (t->whole)
				buf_adds(&b, "_*");
			if (t->minutes)
				buf_printf(&b, "+%u", t->minutes);
		}
		buf_adds(&b, t->state == DEP_FAILED ? "(failed)" : "(unfulfilled)");
	}
	char *out = b.len ? buf_take(&b) : NULL;
	buf_free(&b);
	return out;
}
