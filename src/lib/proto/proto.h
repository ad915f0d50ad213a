/* SPDX-License-Identifier: MIT */
/*
 * Records and messages generated from records.h, and the generic engine
 * that packs, unpacks, frees and prints them.
 *
 * Wire encoding of a record: fields in table order, little endian.
 * STR: u32 length (0xffffffff = NULL) then bytes (no NUL).  STRV/ARR: u32
 * count then elements.  Decoding checks every length against the bytes
 * left and rejects NUL bytes inside strings; a malformed record is freed
 * and -1 returned with errno EBADMSG.
 */
#ifndef HERD_PROTO_H
#define HERD_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "proto/records.h"

#define NO_VAL 0xfffffffeU
#define INFINITE 0xffffffffU
#define NO_VAL64 0xfffffffffffffffeULL
#define INFINITE64 0xffffffffffffffffULL

/* special step ids (as Slurm stores them) */
#define STEP_ID_PENDING 0xfffffffdU
#define STEP_ID_EXTERN 0xfffffffcU
#define STEP_ID_BATCH 0xfffffffbU
#define STEP_ID_INTERACTIVE 0xfffffffaU

enum fkind { FK_U32, FK_U64, FK_I32, FK_I64, FK_STR, FK_STRV, FK_BYTES, FK_ARR };

struct rdesc;
struct fdesc {
	const char *name;
	enum fkind kind;
	size_t off;
	size_t cnt_off; /* STRV/ARR: offset of the uint32_t count */
	const struct rdesc *sub;
};

struct rdesc {
	const char *name;
	size_t size;
	size_t nfields;
	const struct fdesc *fields;
};

/* struct generation */
#define PROTO_DECL_U32(t, n) uint32_t n;
#define PROTO_DECL_U64(t, n) uint64_t n;
#define PROTO_DECL_I32(t, n) int32_t n;
#define PROTO_DECL_I64(t, n) int64_t n;
#define PROTO_DECL_STR(t, n) char *n;
#define PROTO_DECL_STRV(t, n) \
	char **n; \
	uint32_t n##_cnt;
#define PROTO_DECL_BYTES(t, n) \
	uint8_t *n; \
	uint32_t n##_len;
#define PROTO_DECL_ARR(t, n) \
	struct t *n; \
	uint32_t n##_cnt;
#define PROTO_DECL(S, k, t, n) PROTO_DECL_##k(t, n)

#define PROTO_STRUCT(name) \
	struct name { \
		REC_##name(PROTO_DECL, name) char _end; \
	};
HERD_RECORDS(PROTO_STRUCT)
#undef PROTO_STRUCT

#define PROTO_RDESC_EXTERN(name) extern const struct rdesc rdesc_##name;
HERD_RECORDS(PROTO_RDESC_EXTERN)
#undef PROTO_RDESC_EXTERN

enum msg_type {
	MSG_NONE = 0,
#define PROTO_MSG_ENUM(type, rec) type,
	HERD_MESSAGES(PROTO_MSG_ENUM)
#undef PROTO_MSG_ENUM
	    MSG_COUNT
};

/* Pack rec (of record d) appending to out. */
void proto_pack(const struct rdesc *d, const void *rec, struct buf *out);
/* Unpack into rec (d->size bytes, zeroed here).  0 or -1/EBADMSG. */
int proto_unpack(const struct rdesc *d, const void *data, size_t len, void *rec);
/* Free members of rec (not rec itself).  rec may be NULL. */
void proto_free(const struct rdesc *d, void *rec);
/* Free members and rec. */
void proto_destroy(const struct rdesc *d, void *rec);
/* Deep copy. */
void *proto_dup(const struct rdesc *d, const void *rec);
/* JSON object for logs and --json output. */
void proto_json(const struct rdesc *d, const void *rec, struct buf *out);

/* Message table lookups; NULL for an unknown type. */
const struct rdesc *proto_msg_rdesc(unsigned type);
const char *proto_msg_name(unsigned type);
/* True for RESP_* messages (never answered, to avoid reply loops). */
int proto_msg_is_response(unsigned type);

/* Small helpers for STRV members. */
void strv_add(char ***v, uint32_t *cnt, const char *s);
void strv_addf(char ***v, uint32_t *cnt, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void strv_free(char **v, uint32_t cnt);
/* env-style lookup "NAME=value": returns value or NULL */
const char *strv_getenv(char **v, uint32_t cnt, const char *name);
/* replace or add NAME=value */
void strv_setenv(char ***v, uint32_t *cnt, const char *name, const char *value);
void strv_unsetenv(char **v, uint32_t *cnt, const char *name);

#endif
