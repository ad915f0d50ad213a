/* SPDX-License-Identifier: MIT */
/*
 * The generic record engine: descriptors for every record of records.h and
 * the pack / unpack / free / dup / JSON functions that walk them.  This is
 * the only code that knows the wire encoding of a record.
 */
#include "proto/proto.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"

#define PROTO_SUB_U32(t) NULL
#define PROTO_SUB_U64(t) NULL
#define PROTO_SUB_I32(t) NULL
#define PROTO_SUB_I64(t) NULL
#define PROTO_SUB_STR(t) NULL
#define PROTO_SUB_STRV(t) NULL
#define PROTO_SUB_BYTES(t) NULL
#define PROTO_SUB_ARR(t) &rdesc_##t
#define PROTO_CNT_U32(S, n) 0
#define PROTO_CNT_U64(S, n) 0
#define PROTO_CNT_I32(S, n) 0
#define PROTO_CNT_I64(S, n) 0
#define PROTO_CNT_STR(S, n) 0
#define PROTO_CNT_STRV(S, n) offsetof(struct S, n##_cnt)
#define PROTO_CNT_BYTES(S, n) offsetof(struct S, n##_len)
#define PROTO_CNT_ARR(S, n) offsetof(struct S, n##_cnt)

#define PROTO_FDESC(S, k, t, n) {#n, FK_##k, offsetof(struct S, n), PROTO_CNT_##k(S, n), PROTO_SUB_##k(t)},

#define PROTO_DEFINE(name) \
	static const struct fdesc fdesc_##name[] = { \
	    REC_##name(PROTO_FDESC, name){NULL, FK_U32, 0, 0, NULL}}; \
	const struct rdesc rdesc_##name = { \
	    #name, sizeof(struct name), sizeof(fdesc_##name) / sizeof(fdesc_##name[0]) - 1, fdesc_##name};
HERD_RECORDS(PROTO_DEFINE)
#undef PROTO_DEFINE

static const struct {
	const char *name;
	const struct rdesc *rd;
} msg_table[] = {{"NONE", NULL},
#define PROTO_MSG_ROW(type, rec) {#type, &rdesc_##rec},
    HERD_MESSAGES(PROTO_MSG_ROW)
#undef PROTO_MSG_ROW
};

const struct rdesc *
proto_msg_rdesc(unsigned type)
{
	if (type == MSG_NONE || type >= MSG_COUNT)
		return NULL;
	return msg_table[type].rd;
}

int
proto_msg_is_response(unsigned type)
{
	return type < MSG_COUNT && type != MSG_NONE && strncmp(msg_table[type].name, "RESP_", 5) == 0;
}

const char *
proto_msg_name(unsigned type)
{
	if (type >= MSG_COUNT)
		return "UNKNOWN";
	return msg_table[type].name;
}

/* --- pack --------------------------------------------------------------- */

static void
put_u32(struct buf *b, uint32_t v)
{
	unsigned char p[4] = {
	    (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
	buf_add(b, p, 4);
}

static void
put_u64(struct buf *b, uint64_t v)
{
	put_u32(b, (uint32_t)v);
	put_u32(b, (uint32_t)(v >> 32));
}

static void
put_str(struct buf *b, const char *s)
{
	if (s == NULL) {
		put_u32(b, 0xffffffffU);
		return;
	}
	size_t n = strlen(s);
	put_u32(b, (uint32_t)n);
	buf_add(b, s, n);
}

#define FIELD(rec, f, type) ((type *)(void *)((char *)(rec) + (f)->off))
#define CFIELD(rec, f, type) ((const type *)(const void *)((const char *)(rec) + (f)->off))
#define CNT(rec, f) (*(uint32_t *)(void *)((char *)(rec) + (f)->cnt_off))
#define CCNT(rec, f) (*(const uint32_t *)(const void *)((const char *)(rec) + (f)->cnt_off))

void
proto_pack(const struct rdesc *d, const void *rec, struct buf *out)
{
	for (size_t i = 0; i < d->nfields; i++) {
		const struct fdesc *f = &d->fields[i];
		switch (f->kind) {
		case FK_U32:
			put_u32(out, *CFIELD(rec, f, uint32_t));
			break;
		case FK_I32:
			put_u32(out, (uint32_t)*CFIELD(rec, f, int32_t));
			break;
		case FK_U64:
			put_u64(out, *CFIELD(rec, f, uint64_t));
			break;
		case FK_I64:
			put_u64(out, (uint64_t)*CFIELD(rec, f, int64_t));
			break;
		case FK_STR:
			put_str(out, *CFIELD(rec, f, char *));
			break;
		case FK_STRV: {
			uint32_t n = CCNT(rec, f);
			char *const *v = *(char **const *)(const void *)((const char *)rec + f->off);
			put_u32(out, n);
			for (uint32_t j = 0; j < n; j++)
				put_str(out, v[j]);
			break;
		}
		case FK_BYTES: {
			uint32_t n = CCNT(rec, f);
			put_u32(out, n);
			buf_add(out, *CFIELD(rec, f, void *), n);
			break;
		}
		case FK_ARR: {
			uint32_t n = CCNT(rec, f);
			const char *v = *CFIELD(rec, f, char *);
			put_u32(out, n);
			for (uint32_t j = 0; j < n; j++)
				proto_pack(f->sub, v + (size_t)j * f->sub->size, out);
			break;
		}
		}
	}
}

/* --- unpack ------------------------------------------------------------- */

struct rd {
	const unsigned char *p;
	size_t left;
	int depth;
};

static int
get_u32(struct rd *r, uint32_t *v)
{
	if (r->left < 4)
		return -1;
	*v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 | (uint32_t)r->p[3] << 24;
	r->p += 4;
	r->left -= 4;
	return 0;
}

static int
get_u64(struct rd *r, uint64_t *v)
{
	uint32_t lo, hi;
	if (get_u32(r, &lo) < 0 || get_u32(r, &hi) < 0)
		return -1;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

static int
get_str(struct rd *r, char **s)
{
	uint32_t n;
	if (get_u32(r, &n) < 0)
		return -1;
	if (n == 0xffffffffU) {
		*s = NULL;
		return 0;
	}
	if (n > r->left)
		return -1;
	if (memchr(r->p, '\0', n) != NULL)
		return -1;
	*s = xstrndup((const char *)r->p, n);
	r->p += n;
	r->left -= n;
	return 0;
}

static int unpack_rec(const struct rdesc *d, struct rd *r, void *rec);

/* Fewest bytes a record of d packs to: 8 for a 64-bit number, 4 for
 * anything else (a number, or a length/count prefix). */
static size_t
min_packed(const struct rdesc *d)
{
	size_t n = 0;
	for (size_t i = 0; i < d->nfields; i++)
		n += d->fields[i].kind == FK_U64 || d->fields[i].kind == FK_I64 ? 8 : 4;
	return n;
}

static int
unpack_field(const struct fdesc *f, struct rd *r, void *rec)
{
	switch (f->kind) {
	case FK_U32:
		return get_u32(r, FIELD(rec, f, uint32_t));
	case FK_I32: {
		uint32_t v;
		if (get_u32(r, &v) < 0)
			return -1;
		*FIELD(rec, f, int32_t) = (int32_t)v;
		return 0;
	}
	case FK_U64:
		return get_u64(r, FIELD(rec, f, uint64_t));
	case FK_I64: {
		uint64_t v;
		if (get_u64(r, &v) < 0)
			return -1;
		*FIELD(rec, f, int64_t) = (int64_t)v;
		return 0;
	}
	case FK_STR:
		return get_str(r, FIELD(rec, f, char *));
	case FK_STRV: {
		uint32_t n;
		if (get_u32(r, &n) < 0 || n > r->left / 4)
			return -1;
		char **v = xcalloc(n ? n : 1, sizeof(char *));
		*FIELD(rec, f, char **) = v;
		for (uint32_t j = 0; j < n; j++) {
			CNT(rec, f) = j;
			if (get_str(r, &v[j]) < 0)
				return -1;
			if (v[j] == NULL)
				v[j] = xstrdup("");
		}
		CNT(rec, f) = n;
		return 0;
	}
	case FK_BYTES: {
		uint32_t n;
		if (get_u32(r, &n) < 0 || n > r->left)
			return -1;
		void *p = xmalloc(n);
		memcpy(p, r->p, n);
		r->p += n;
		r->left -= n;
		*FIELD(rec, f, void *) = p;
		CNT(rec, f) = n;
		return 0;
	}
	case FK_ARR: {
		uint32_t n;
		if (get_u32(r, &n) < 0)
			return -1;
		/* bound the allocation by the bytes left: n elements need at
		 * least n * min_packed bytes (an empty record packs to none) */
		size_t min = min_packed(f->sub);
		if (min > 0 ? n > r->left / min : n > 1024)
			return -1;
		char *v = xcalloc(n ? n : 1, f->sub->size);
		*FIELD(rec, f, char *) = v;
		for (uint32_t j = 0; j < n; j++) {
			CNT(rec, f) = j;
			if (unpack_rec(f->sub, r, v + (size_t)j * f->sub->size) < 0) {
				CNT(rec, f) = j + 1; /* free the partial one too */
				return -1;
			}
		}
		CNT(rec, f) = n;
		return 0;
	}
	}
	return -1;
}

static int
unpack_rec(const struct rdesc *d, struct rd *r, void *rec)
{
	if (++r->depth > 8)
		return -1;
	for (size_t i = 0; i < d->nfields; i++)
		if (unpack_field(&d->fields[i], r, rec) < 0)
			return -1;
	r->depth--;
	return 0;
}

int
proto_unpack(const struct rdesc *d, const void *data, size_t len, void *rec)
{
	struct rd r = {data, len, 0};
	memset(rec, 0, d->size);
	if (unpack_rec(d, &r, rec) < 0 || r.left != 0) {
		proto_free(d, rec);
		memset(rec, 0, d->size);
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

/* --- free / dup --------------------------------------------------------- */

void
proto_free(const struct rdesc *d, void *rec)
{
	if (rec == NULL)
		return;
	for (size_t i = 0; i < d->nfields; i++) {
		const struct fdesc *f = &d->fields[i];
		switch (f->kind) {
		case FK_STR:
			free(*FIELD(rec, f, char *));
			*FIELD(rec, f, char *) = NULL;
			break;
		case FK_STRV:
			strv_free(*FIELD(rec, f, char **), CNT(rec, f));
			*FIELD(rec, f, char **) = NULL;
			CNT(rec, f) = 0;
			break;
		case FK_BYTES:
			free(*FIELD(rec, f, void *));
			*FIELD(rec, f, void *) = NULL;
			CNT(rec, f) = 0;
			break;
		case FK_ARR: {
			char *v = *FIELD(rec, f, char *);
			for (uint32_t j = 0; v && j < CNT(rec, f); j++)
				proto_free(f->sub, v + (size_t)j * f->sub->size);
			free(v);
			*FIELD(rec, f, char *) = NULL;
			CNT(rec, f) = 0;
			break;
		}
		default:
			break;
		}
	}
}

void
proto_destroy(const struct rdesc *d, void *rec)
{
	if (rec == NULL)
		return;
	proto_free(d, rec);
	free(rec);
}

void *
proto_dup(const struct rdesc *d, const void *rec)
{
	struct buf b;
	buf_init(&b);
	proto_pack(d, rec, &b);
	void *copy = xmalloc(d->size);
	if (proto_unpack(d, b.data, b.len, copy) < 0)
		abort(); /* our own encoding must decode */
	buf_free(&b);
	return copy;
}

/* --- JSON --------------------------------------------------------------- */

static void
json_str(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_adds(b, "null");
		return;
	}
	buf_addc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			buf_adds(b, "\\\"");
			break;
		case '\\':
			buf_adds(b, "\\\\");
			break;
		case '\n':
			buf_adds(b, "\\n");
			break;
		case '\t':
			buf_adds(b, "\\t");
			break;
		case '\r':
			buf_adds(b, "\\r");
			break;
		default:
			if (*p < 0x20)
				buf_printf(b, "\\u%04x", *p);
			else
				buf_addc(b, (char)*p);
		}
	}
	buf_addc(b, '"');
}

void
proto_json(const struct rdesc *d, const void *rec, struct buf *out)
{
	buf_addc(out, '{');
	for (size_t i = 0; i < d->nfields; i++) {
		const struct fdesc *f = &d->fields[i];
		if (i)
			buf_addc(out, ',');
		json_str(out, f->name);
		buf_addc(out, ':');
		switch (f->kind) {
		case FK_U32:
			buf_printf(out, "%u", *CFIELD(rec, f, uint32_t));
			break;
		case FK_I32:
			buf_printf(out, "%d", *CFIELD(rec, f, int32_t));
			break;
		case FK_U64:
			buf_printf(out, "%llu", (unsigned long long)*CFIELD(rec, f, uint64_t));
			break;
		case FK_I64:
			buf_printf(out, "%lld", (long long)*CFIELD(rec, f, int64_t));
			break;
		case FK_STR:
			json_str(out, *CFIELD(rec, f, char *));
			break;
		case FK_STRV: {
			char *const *v = *(char **const *)(const void *)((const char *)rec + f->off);
			buf_addc(out, '[');
			for (uint32_t j = 0; j < CCNT(rec, f); j++) {
				if (j)
					buf_addc(out, ',');
				json_str(out, v[j]);
			}
			buf_addc(out, ']');
			break;
		}
		case FK_BYTES:
			buf_printf(out, "%u", CCNT(rec, f));
			break;
		case FK_ARR: {
			const char *v = *CFIELD(rec, f, char *);
			buf_addc(out, '[');
			for (uint32_t j = 0; j < CCNT(rec, f); j++) {
				if (j)
					buf_addc(out, ',');
				proto_json(f->sub, v + (size_t)j * f->sub->size, out);
			}
			buf_addc(out, ']');
			break;
		}
		}
	}
	buf_addc(out, '}');
}

/* --- string vectors ----------------------------------------------------- */

void
strv_add(char ***v, uint32_t *cnt, const char *s)
{
	*v = xreallocarray(*v, *cnt + 1, sizeof(char *));
	(*v)[(*cnt)++] = xstrdup(s);
}

void
strv_addf(char ***v, uint32_t *cnt, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	*v = xreallocarray(*v, *cnt + 1, sizeof(char *));
	(*v)[(*cnt)++] = s;
}

void
strv_free(char **v, uint32_t cnt)
{
	if (v == NULL)
		return;
	for (uint32_t i = 0; i < cnt; i++)
		free(v[i]);
	free(v);
}

static int
env_match(const char *entry, const char *name, size_t nlen)
{
	return strncmp(entry, name, nlen) == 0 && entry[nlen] == '=';
}

const char *
strv_getenv(char **v, uint32_t cnt, const char *name)
{
	size_t nlen = strlen(name);
	for (uint32_t i = 0; i < cnt; i++)
		if (env_match(v[i], name, nlen))
			return v[i] + nlen + 1;
	return NULL;
}

void
strv_setenv(char ***v, uint32_t *cnt, const char *name, const char *value)
{
	size_t nlen = strlen(name);
	for (uint32_t i = 0; i < *cnt; i++) {
		if (env_match((*v)[i], name, nlen)) {
			free((*v)[i]);
			(*v)[i] = xasprintf("%s=%s", name, value);
			return;
		}
	}
	strv_addf(v, cnt, "%s=%s", name, value);
}

void
strv_unsetenv(char **v, uint32_t *cnt, const char *name)
{
	size_t nlen = strlen(name);
	for (uint32_t i = 0; i < *cnt; i++) {
		if (env_match(v[i], name, nlen)) {
			free(v[i]);
			memmove(&v[i], &v[i + 1], (*cnt - i - 1) * sizeof(char *));
			(*cnt)--;
			return;
		}
	}
}
