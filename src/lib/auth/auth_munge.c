/* SPDX-License-Identifier: MIT */
/*
 * auth/munge: the message digest travels as the payload of a MUNGE
 * credential.  munged vouches for uid/gid and enforces expiry and replay
 * detection; we only check that the payload is this message's digest.
 * A fresh libmunge context per call keeps this thread-safe.
 */
#include <munge.h>
#include "auth/sha256.h"
#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"
#include "base/xmalloc.h"

static munge_ctx_t
ctx_create(struct auth *a)
{
	munge_ctx_t ctx = munge_ctx_create();
	if (ctx == NULL) {
		auth_seterr("auth/munge: cannot create a munge context");
		return NULL;
	}
	if (a->socket_path != NULL &&
	    munge_ctx_set(ctx, MUNGE_OPT_SOCKET, a->socket_path) != EMUNGE_SUCCESS) {
		auth_seterr("auth/munge: cannot set munge socket %s", a->socket_path);
		munge_ctx_destroy(ctx);
		return NULL;
	}
	if (a->ttl != 0 && munge_ctx_set(ctx, MUNGE_OPT_TTL, (int)a->ttl) != EMUNGE_SUCCESS) {
		auth_seterr("auth/munge: cannot set credential ttl %u", a->ttl);
		munge_ctx_destroy(ctx);
		return NULL;
	}
	return ctx;
}

/* Error text: libmunge's detailed message when there is one, plus a hint
 * for the common case of munged not running. */
static void
munge_err(struct auth *a, const char *what, munge_ctx_t ctx, munge_err_t e)
{
	const char *detail = ctx != NULL ? munge_ctx_strerror(ctx) : NULL;
	if (detail == NULL)
		detail = munge_strerror(e);
	if (e == EMUNGE_SOCKET)
		auth_seterr("auth/munge: Munge %s failed: %s (cannot connect to munged at %s; is "
		            "munged running?)",
		    what, detail, a->socket_path != NULL ? a->socket_path : "the default socket");
	else
		auth_seterr("auth/munge: Munge %s failed: %s", what, detail);
}

int
auth_munge_sign(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], struct buf *cred)
{
	munge_ctx_t ctx = ctx_create(a);
	if (ctx == NULL)
		return -1;
	char *c = NULL;
	munge_err_t e = munge_encode(&c, ctx, digest, AUTH_DIGEST_LEN);
	if (e != EMUNGE_SUCCESS || c == NULL) {
		munge_err(a, "encode", ctx, e);
		munge_ctx_destroy(ctx);
		free(c);
		return -1;
	}
	buf_add(cred, c, strlen(c));
	free(c);
	munge_ctx_destroy(ctx);
	return 0;
}

int
auth_munge_verify(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], const void *cred,
    size_t cred_len, uint32_t *uid, uint32_t *gid)
{
	if (cred_len == 0 || memchr(cred, '\0', cred_len) != NULL) {
		auth_seterr("auth/munge: Munge decode failed: Invalid credential format");
		return -1;
	}
	munge_ctx_t ctx = ctx_create(a);
	if (ctx == NULL)
		return -1;
	char *c = xstrndup(cred, cred_len); /* libmunge wants a C string */
	void *payload = NULL;
	int len = 0;
	uid_t u = (uid_t)-1;
	gid_t g = (gid_t)-1;
	munge_err_t e = munge_decode(c, ctx, &payload, &len, &u, &g);
	int rc = -1;
	if (e != EMUNGE_SUCCESS)
		munge_err(a, "decode", ctx, e);
	else if (payload == NULL || len != AUTH_DIGEST_LEN ||
	         ct_memcmp(payload, digest, AUTH_DIGEST_LEN) != 0)
		auth_seterr("auth/munge: credential does not match the message (digest mismatch)");
	else
		rc = 0;
	if (rc == 0) {
		*uid = (uint32_t)u;
		*gid = (uint32_t)g;
	}
	free(payload); /* allocated even for some errors (expired, replayed) */
	free(c);
	munge_ctx_destroy(ctx);
	return rc;
}
