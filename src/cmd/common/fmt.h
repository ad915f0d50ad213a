/* SPDX-License-Identifier: MIT */
/*
 * The output-field engine of squeue and sinfo: one table per kind of
 * object ({letter, -O name, header, flags, getter, sort key}) serves the
 * printf-like `-o "%.18i %j"` syntax and the `-O JobID:10,Name` syntax
 * alike, renders headers and rows into a struct buf, and sorts objects by
 * `-S` keys.  Objects and the context passed to getters are opaque here.
 */
#ifndef HERD_CMD_FMT_H
#define HERD_CMD_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* field flags */
#define FMT_NOCUT 0x01 /* values are padded but never truncated */
#define FMT_HDR_NOCUT 0x02 /* the header is never truncated */
#define FMT_AGG 0x04 /* sinfo: aggregated over a group (node list, counts) */
#define FMT_MINMAX 0x08 /* sinfo: numeric, shown as min[+]; splits groups only with -e */
#define FMT_PART 0x10 /* sinfo: value depends on the partition */

/* Getters append the value of the field for obj to out.  A getter may
 * return FMT_NOCUT to ask that this particular value not be truncated
 * (squeue %R shows a node list uncut but a reason cut); otherwise 0. */
typedef int (*fmt_get_fn)(struct buf *out, const void *obj, const void *ctx);
/* Numeric sort key; fields without one sort by their text. */
typedef int64_t (*fmt_key_fn)(const void *obj, const void *ctx);

struct fmt_field {
	char letter; /* -o letter, 0 if the field has none */
	const char *name; /* -O name (case-insensitive), NULL if none */
	const char *header;
	unsigned flags; /* FMT_* */
	fmt_get_fn get;
	fmt_key_fn key;
};

struct fmt_table {
	const struct fmt_field *fields;
	size_t n;
};

#define FMT_WIDTH_FIT (-1) /* "%#P": width computed from the data by fmt_fit */

struct fmt_item {
	const struct fmt_field *f; /* NULL: literal text */
	char *text; /* literal text (owned) */
	int width; /* 0 natural, > 0 fixed, FMT_WIDTH_FIT */
	int right; /* right-justify */
};

struct fmt_spec {
	struct fmt_item *items;
	size_t n;
};

const struct fmt_field *fmt_find_letter(const struct fmt_table *t, char letter);
const struct fmt_field *fmt_find_name(const struct fmt_table *t, const char *name, size_t len);

/* Parse a -o format ("%[.][#|width]<letter>", other text literal).  On
 * error returns -1 and writes e.g. "Invalid job format specification: %X"
 * style text into err (without the program prefix). */
int fmt_parse(const struct fmt_table *t, const char *fmt, struct fmt_spec *s, char *err, size_t errlen);
/* Parse a -O list ("name[:[.]width],..."); default width 20, left. */
int fmt_parse_long(const struct fmt_table *t, const char *list, struct fmt_spec *s, char *err, size_t errlen);
void fmt_spec_free(struct fmt_spec *s);
/* Add one field item (used to build formats in code). */
void fmt_spec_add(struct fmt_spec *s, const struct fmt_field *f, int width, int right);
void fmt_spec_add_text(struct fmt_spec *s, const char *text);
/* 1 if any field of the spec has one of the flags */
int fmt_spec_has(const struct fmt_spec *s, unsigned flags);

/* Replace FMT_WIDTH_FIT by max(min_width, header, longest value). */
void fmt_fit(struct fmt_spec *s, const void *const *objs, size_t n, const void *ctx, int min_width);

/* Header line and one row, each ending with '\n'. */
void fmt_header(const struct fmt_spec *s, struct buf *out);
void fmt_row(const struct fmt_spec *s, const void *obj, const void *ctx, struct buf *out);
/* One cell: value of f for obj, justified/cut to width (0 = natural). */
void fmt_cell(
    const struct fmt_field *f, int width, int right, const void *obj, const void *ctx, struct buf *out);
/* Append s padded/cut to width. */
void fmt_put(struct buf *out, const char *s, size_t len, int width, int right, int cut);

/* Sort objs by keys such as "P,t,-p" (letters; '-' descending, '+'
 * ascending).  tiebreak decides equal rows (may be NULL: original order).
 * -1 with err for an unknown letter. */
int fmt_sort(const struct fmt_table *t, const char *keys, const void **objs, size_t n, const void *ctx,
    int (*tiebreak)(const void *a, const void *b), char *err, size_t errlen);

#endif
