/* SPDX-License-Identifier: MIT */
/*
 * Frame encoding and decoding with credential checks.
 */
#include "proto/wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "proto/proto.h"
#include "proto/states.h"

static uint32_t
rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void
wr32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

int
wire_hdr_decode(const void *vp, struct wire_hdr *h)
{
	const unsigned char *p = vp;
	h->magic = rd32(p);
	h->version = (uint16_t)(p[4] | p[5] << 8);
	h->type = (uint16_t)(p[6] | p[7] << 8);
	h->req_id = rd32(p + 8);
	h->cred_len = rd32(p + 12);
	h->body_len = rd32(p + 16);
	if (h->magic != WIRE_MAGIC)
		return HERD_EPROTO;
	if (h->version != HERD_PROTO_VERSION)
		return HERD_EVERSION;
	if (h->cred_len > WIRE_MAX_CRED || h->body_len > WIRE_MAX_BODY)
		return HERD_EPROTO;
	return 0;
}

void
wire_encode(struct auth *auth, unsigned type, uint32_t req_id, const void *rec, struct buf *out)
{
	const struct rdesc *d = proto_msg_rdesc(type);
	size_t start = out->len;
	buf_pad(out, 0, WIRE_HDR_LEN);
	size_t body_start = out->len;
	if (d != NULL && rec != NULL)
		proto_pack(d, rec, out);
	size_t body_len = out->len - body_start;
	uint32_t cred_len = 0;
	if (auth != NULL) {
		unsigned char dig[AUTH_DIGEST_LEN];
		struct buf cred;
		buf_init(&cred);
		auth_digest(type, req_id, out->data + body_start, body_len, dig);
		if (auth_sign(auth, dig, &cred) == 0 && cred.len <= WIRE_MAX_CRED) {
			/* insert the credential between header and body */
			buf_reserve(out, cred.len);
			memmove(out->data + body_start + cred.len, out->data + body_start, body_len);
			memcpy(out->data + body_start, cred.data, cred.len);
			out->len += cred.len;
			cred_len = (uint32_t)cred.len;
		}
		buf_free(&cred);
	}
	unsigned char *h = (unsigned char *)out->data + start;
	wr32(h, WIRE_MAGIC);
	h[4] = (unsigned char)HERD_PROTO_VERSION;
	h[5] = (unsigned char)(HERD_PROTO_VERSION >> 8);
	h[6] = (unsigned char)type;
	h[7] = (unsigned char)(type >> 8);
	wr32(h + 8, req_id);
	wr32(h + 12, cred_len);
	wr32(h + 16, (uint32_t)body_len);
}

int
wire_decode(struct auth *auth, int need_auth, const struct wire_hdr *h, const void *cred, const void *body,
    struct msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = h->type;
	m->req_id = h->req_id;
	const struct rdesc *d = proto_msg_rdesc(h->type);
	if (d == NULL)
		return HERD_EUNKNOWN_MSG;
	if (h->cred_len > 0 && auth != NULL) {
		unsigned char dig[AUTH_DIGEST_LEN];
		auth_digest(h->type, h->req_id, body, h->body_len, dig);
		if (auth_verify(auth, dig, cred, h->cred_len, &m->uid, &m->gid) == 0)
			m->authed = 1;
		else
			return HERD_EAUTH;
	}
	if (need_auth && !m->authed)
		return HERD_EAUTH;
	void *rec = xmalloc(d->size);
	if (proto_unpack(d, body, h->body_len, rec) < 0) {
		free(rec);
		return HERD_EPROTO;
	}
	m->body = rec;
	return 0;
}

void
msg_free(struct msg *m)
{
	if (m == NULL || m->body == NULL)
		return;
	const struct rdesc *d = proto_msg_rdesc(m->type);
	if (d != NULL)
		proto_destroy(d, m->body);
	m->body = NULL;
}
