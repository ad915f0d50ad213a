/* SPDX-License-Identifier: MIT */
/*
 * Output-field engine shared by squeue and sinfo: parses -o / -O format
 * specifications against a field table, renders headers and rows with
 * Slurm's padding and truncation rules, and sorts by -S keys with keys
 * computed once per object.
 */
#include "fmt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xmalloc.h"

const struct fmt_field *
fmt_find_letter(const struct fmt_table *t, char letter)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->fields[i].letter == letter)
			return &t->fields[i];
	return NULL;
}

const struct fmt_field *
fmt_find_name(const struct fmt_table *t, const char *name, size_t len)
{
	for (size_t i = 0; i < t->n; i++) {
		const char *n = t->fields[i].name;
		if (n != NULL && strlen(n) == len && strncasecmp(n, name, len) == 0)
			return &t->fields[i];
	}
	return NULL;
}

static void
spec_push(struct fmt_spec *s, struct fmt_item it)
{
	s->items = xreallocarray(s->items, s->n + 1, sizeof(*s->items));
	s->items[s->n++] = it;
}

void
fmt_spec_add(struct fmt_spec *s, const struct fmt_field *f, int width, int right)
{
	struct fmt_item it = {.f = f, .width = width, .right = right};
	spec_push(s, it);
}

void
fmt_spec_add_text(struct fmt_spec *s, const char *text)
{
	if (text == NULL || *text == '\0')
		return;
	/* merge with a preceding literal */
	if (s->n > 0 && s->items[s->n - 1].f == NULL) {
		struct fmt_item *p = &s->items[s->n - 1];
		char *t = xasprintf("%s%s", p->text, text);
		free(p->text);
		p->text = t;
		return;
	}
	struct fmt_item it = {.text = xstrdup(text)};
	spec_push(s, it);
}

void
fmt_spec_free(struct fmt_spec *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->items[i].text);
	free(s->items);
	s->items = NULL;
	s->n = 0;
}

int
fmt_spec_has(const struct fmt_spec *s, unsigned flags)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->items[i].f != NULL && (s->items[i].f->flags & flags))
			return 1;
	return 0;
}

int
fmt_parse(const struct fmt_table *t, const char *fmt, struct fmt_spec *s, char *err, size_t errlen)
{
	struct buf lit;
	buf_init(&lit);
	memset(s, 0, sizeof(*s));
	const char *p = fmt;
	while (*p) {
		if (*p != '%') {
			buf_addc(&lit, *p++);
			continue;
		}
		p++;
		if (*p == '%') {
			buf_addc(&lit, '%');
			p++;
			continue;
		}
		int right = 0, width = 0, fit = 0;
		for (;; p++) {
			if (*p == '.')
				right = 1;
			else if (*p == '#')
				fit = 1;
			else
				break;
		}
		while (isdigit((unsigned char)*p)) {
			if (width < 100000)
				width = width * 10 + (*p - '0');
			p++;
		}
		const struct fmt_field *f = *p ? fmt_find_letter(t, *p) : NULL;
		if (f == NULL) {
			snprintf(err, errlen, "Invalid field specification: %%%c", *p ? *p : ' ');
			buf_free(&lit);
			fmt_spec_free(s);
			return -1;
		}
		p++;
		if (lit.len) {
			fmt_spec_add_text(s, buf_str(&lit));
			buf_reset(&lit);
		}
		fmt_spec_add(s, f, fit ? FMT_WIDTH_FIT : width, right);
	}
	if (lit.len)
		fmt_spec_add_text(s, buf_str(&lit));
	buf_free(&lit);
	return 0;
}

int
fmt_parse_long(const struct fmt_table *t, const char *list, struct fmt_spec *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	const char *p = list;
	while (*p) {
		size_t len = strcspn(p, ",");
		const char *colon = memchr(p, ':', len);
		size_t nlen = colon ? (size_t)(colon - p) : len;
		const struct fmt_field *f = fmt_find_name(t, p, nlen);
		if (f == NULL) {
			snprintf(err, errlen, "Invalid format specification: %.*s", (int)nlen, p);
			fmt_spec_free(s);
			return -1;
		}
		int width = 20, right = 0;
		char *suffix = NULL;
		if (colon != NULL) {
			const char *q = colon + 1, *end = p + len;
			if (q < end && *q == '.') {
				right = 1;
				q++;
			}
			if (q < end && isdigit((unsigned char)*q)) {
				width = 0;
				while (q < end && isdigit((unsigned char)*q)) {
					if (width < 100000)
						width = width * 10 + (*q - '0');
					q++;
				}
			}
			if (q < end)
				suffix = xstrndup(q, (size_t)(end - q));
		}
		fmt_spec_add(s, f, width, right);
		fmt_spec_add_text(s, suffix);
		free(suffix);
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

void
fmt_put(struct buf *out, const char *s, size_t len, int width, int right, int cut)
{
	if (width <= 0) {
		buf_add(out, s, len);
		return;
	}
	size_t w = (size_t)width;
	if (len >= w) {
		buf_add(out, s, cut ? w : len);
		return;
	}
	if (right)
		buf_pad(out, ' ', w - len);
	buf_add(out, s, len);
	if (!right)
		buf_pad(out, ' ', w - len);
}

void
fmt_cell(const struct fmt_field *f, int width, int right, const void *obj, const void *ctx, struct buf *out)
{
	size_t start = out->len;
	int r = f->get(out, obj, ctx);
	if (width <= 0)
		return;
	size_t len = out->len - start, w = (size_t)width;
	if (len >= w) {
		if (!(f->flags & FMT_NOCUT) && !(r & FMT_NOCUT))
			out->len = start + w;
		return;
	}
	size_t pad = w - len;
	if (right) {
		buf_reserve(out, pad);
		memmove(out->data + start + pad, out->data + start, len);
		memset(out->data + start, ' ', pad);
		out->len += pad;
	} else {
		buf_pad(out, ' ', pad);
	}
}

void
fmt_fit(struct fmt_spec *s, const void *const *objs, size_t n, const void *ctx, int min_width)
{
	struct buf tmp;
	buf_init(&tmp);
	for (size_t i = 0; i < s->n; i++) {
		struct fmt_item *it = &s->items[i];
		if (it->f == NULL || it->width != FMT_WIDTH_FIT)
			continue;
		size_t w = strlen(it->f->header);
		if (w < (size_t)min_width)
			w = (size_t)min_width;
		for (size_t j = 0; j < n; j++) {
			buf_reset(&tmp);
			it->f->get(&tmp, objs[j], ctx);
			if (tmp.len > w)
				w = tmp.len;
		}
		it->width = (int)w;
	}
	buf_free(&tmp);
}

void
fmt_header(const struct fmt_spec *s, struct buf *out)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct fmt_item *it = &s->items[i];
		if (it->f == NULL) {
			buf_adds(out, it->text);
			continue;
		}
		const char *h = it->f->header;
		fmt_put(out, h, strlen(h), it->width, it->right, !(it->f->flags & FMT_HDR_NOCUT));
	}
	buf_addc(out, '\n');
}

void
fmt_row(const struct fmt_spec *s, const void *obj, const void *ctx, struct buf *out)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct fmt_item *it = &s->items[i];
		if (it->f == NULL)
			buf_adds(out, it->text);
		else
			fmt_cell(it->f, it->width, it->right, obj, ctx, out);
	}
	buf_addc(out, '\n');
}

/* sorting */

struct sort_key {
	const struct fmt_field *f;
	int desc;
};

struct sort_row {
	const void *obj;
	size_t idx;
	int64_t *num; /* per key */
	char **str; /* per key, NULL for numeric keys */
};

static struct {
	const struct sort_key *keys;
	size_t nkeys;
	int (*tiebreak)(const void *, const void *);
} sort_state;

static int
sort_cmp(const void *pa, const void *pb)
{
	const struct sort_row *a = pa, *b = pb;
	for (size_t k = 0; k < sort_state.nkeys; k++) {
		int c;
		if (a->str[k] != NULL || b->str[k] != NULL)
			c = strcmp(a->str[k] ? a->str[k] : "", b->str[k] ? b->str[k] : "");
		else
			c = (a->num[k] > b->num[k]) - (a->num[k] < b->num[k]);
		if (c != 0)
			return sort_state.keys[k].desc ? -c : c;
	}
	if (sort_state.tiebreak != NULL) {
		int c = sort_state.tiebreak(a->obj, b->obj);
		if (c != 0)
			return c;
	}
	return (a->idx > b->idx) - (a->idx < b->idx);
}

int
fmt_sort(const struct fmt_table *t, const char *keys, const void **objs, size_t n, const void *ctx,
    int (*tiebreak)(const void *a, const void *b), char *err, size_t errlen)
{
	struct sort_key *kv = NULL;
	size_t nk = 0;
	for (const char *p = keys ? keys : ""; *p;) {
		int desc = 0;
		if (*p == ',' || *p == ' ') {
			p++;
			continue;
		}
		if (*p == '-' || *p == '+') {
			desc = *p == '-';
			p++;
		}
		if (*p == '#') /* "#P": partition order is the input order */
			p++;
		const struct fmt_field *f = *p ? fmt_find_letter(t, *p) : NULL;
		if (f == NULL) {
			snprintf(err, errlen, "Invalid sort specification: %s", keys);
			free(kv);
			return -1;
		}
		p++;
		kv = xreallocarray(kv, nk + 1, sizeof(*kv));
		kv[nk].f = f;
		kv[nk].desc = desc;
		nk++;
	}
	if (n < 2) {
		free(kv);
		return 0;
	}
	struct sort_row *rows = xcalloc(n, sizeof(*rows));
	int64_t *nums = xcalloc(n * (nk ? nk : 1), sizeof(*nums));
	char **strs = xcalloc(n * (nk ? nk : 1), sizeof(*strs));
	struct buf tmp;
	buf_init(&tmp);
	for (size_t i = 0; i < n; i++) {
		rows[i].obj = objs[i];
		rows[i].idx = i;
		rows[i].num = nums + i * nk;
		rows[i].str = strs + i * nk;
		for (size_t k = 0; k < nk; k++) {
			if (kv[k].f->key != NULL) {
				rows[i].num[k] = kv[k].f->key(objs[i], ctx);
			} else {
				buf_reset(&tmp);
				kv[k].f->get(&tmp, objs[i], ctx);
				rows[i].str[k] = xstrndup(tmp.data ? tmp.data : "", tmp.len);
			}
		}
	}
	buf_free(&tmp);
	sort_state.keys = kv;
	sort_state.nkeys = nk;
	sort_state.tiebreak = tiebreak;
	qsort(rows, n, sizeof(*rows), sort_cmp);
	for (size_t i = 0; i < n; i++)
		objs[i] = rows[i].obj;
	for (size_t i = 0; i < n * nk; i++)
		free(strs[i]);
	free(strs);
	free(nums);
	free(rows);
	free(kv);
	return 0;
}
