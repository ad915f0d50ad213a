/* SPDX-License-Identifier: MIT */
/*
 * Credentials on every RPC (DESIGN.md).  A credential binds the sender's
 * uid/gid to one message: the digest SHA-256(type | req_id | body) is
 * signed.
 *
 * auth/munge: the digest is the payload of a MUNGE credential (munged
 *   provides uid/gid, expiry and replay detection).
 * auth/slurm: HMAC-SHA256 with a shared key (AuthInfo key=PATH, default
 *   <dir of slurm.conf>/herd.key) over uid, gid, issue time, ttl, a random
 *   nonce and the digest.  Verification rejects a bad MAC, an expired
 *   credential (ttl 300 s, 60 s clock skew allowed) and a replayed nonce.
 *   A process that cannot read the key (an ordinary user) asks a local
 *   daemon to sign through a Unix socket (AuthInfo socket=PATH, default
 *   /run/herd/auth.sock); the daemon takes uid/gid from SO_PEERCRED.
 */
#ifndef HERD_AUTH_H
#define HERD_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define AUTH_DIGEST_LEN 32

struct auth;

/* type: "auth/munge" or "auth/slurm"; info: AuthInfo value (may be NULL);
 * conf_dir: directory of slurm.conf.  NULL with a message in err on
 * failure (unknown type, unreadable key for a daemon...). */
struct auth *auth_create(const char *type, const char *info, const char *conf_dir, char *err,
    size_t errlen);
void auth_destroy(struct auth *a);

/* Digest of a message. */
void auth_digest(unsigned type, uint32_t req_id, const void *body, size_t len,
    unsigned char out[AUTH_DIGEST_LEN]);

/* Append a credential for this process's uid/gid to cred.  0 or -1. */
int auth_sign(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], struct buf *cred);

/* Verify; on success fill uid/gid and return 0; -1 otherwise. */
int auth_verify(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], const void *cred,
    size_t cred_len, uint32_t *uid, uint32_t *gid);

/* Daemon side of the signing socket (auth/slurm only; returns -1 with
 * errno ENOTSUP for munge).  Returns a listening fd (non-blocking). */
int auth_sack_listen(struct auth *a);
/* Serve one accepted connection: read a digest, sign for the peer's
 * uid/gid, reply, close fd.  Blocking with a short timeout. */
void auth_sack_serve(struct auth *a, int fd);

#endif
