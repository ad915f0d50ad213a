/* SPDX-License-Identifier: MIT */
/*
 * Frames: a 20-byte header (magic, protocol version, message type,
 * request id, credential length, body length), the credential, the body
 * (a packed record, proto.h).  Replies to commands carry no credential;
 * every request does and is verified before it is unpacked.
 */
#ifndef HERD_WIRE_H
#define HERD_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "base/buf.h"

#define WIRE_MAGIC 0x31445248U /* "HRD1" */
#define WIRE_HDR_LEN 20
#define WIRE_MAX_CRED 4096U
#define WIRE_MAX_BODY (64U << 20)

struct wire_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t req_id;
	uint32_t cred_len;
	uint32_t body_len;
};

/* A received message. */
struct msg {
	unsigned type;
	uint32_t req_id;
	int authed; /* credential present and verified */
	uint32_t uid, gid;
	void *body; /* record of the type's rdesc, owned */
};

/* Decode and check a header: 0, or a herd error (HERD_EPROTO,
 * HERD_EVERSION) for bad magic/version/lengths. */
int wire_hdr_decode(const void *p, struct wire_hdr *h);

/* Pack rec as message type; sign it when auth is not NULL. */
void wire_encode(struct auth *auth, unsigned type, uint32_t req_id, const void *rec, struct buf *out);

/* Decode a complete frame (header already decoded into h; cred and body
 * point at their bytes).  With need_auth, a missing or bad credential is
 * HERD_EAUTH.  Returns 0 or a herd error; m->body is NULL on error. */
int wire_decode(struct auth *auth, int need_auth, const struct wire_hdr *h, const void *cred,
    const void *body, struct msg *m);

void msg_free(struct msg *m); /* frees body; m itself is not freed */

#endif
