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
 *
 * AuthInfo: comma-separated options, e.g. "key=/etc/slurm/herd.key,
 * socket=/run/herd/auth.sock,ttl=300".
 *   socket=PATH  auth/munge: munged's socket (MUNGE_OPT_SOCKET);
 *                auth/slurm: the signing ("sack") socket.
 *   key=PATH     auth/slurm: the shared key file (>= 32 bytes).
 *   ttl=SECONDS  lifetime of credentials this process creates (1..3600;
 *                default 300 for auth/slurm, munged's default for munge).
 * Other options of Slurm's AuthInfo (cred_expire=, use_client_ids...) are
 * accepted and ignored.
 *
 * Failures of sign/verify are logged (log_warnx, with the MUNGE wording
 * such as "Expired credential") and kept for auth_errstr().
 */
#ifndef HERD_AUTH_H
#define HERD_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define AUTH_DIGEST_LEN 32
#define AUTH_KEY_MIN_LEN 32 /* shortest key auth/slurm accepts */
#define AUTH_KEYGEN_LEN 64 /* bytes auth_keygen writes */
#define AUTH_SACK_DEFAULT_PATH "/run/herd/auth.sock"

struct auth;

/* type: "auth/munge" or "auth/slurm" (NULL = auth/munge, Slurm's
 * default); info: AuthInfo value (may be NULL); conf_dir: directory of
 * slurm.conf (NULL = /etc/slurm).  NULL with a message in err on failure:
 * "Invalid AuthType: X", a bad AuthInfo option, a key file that exists
 * but is too short or not a regular file.  A key this process may not
 * read (EACCES, ENOENT) is not an error for auth/slurm: the auth then
 * signs through the socket and cannot verify (auth_can_verify). */
struct auth *auth_create(const char *type, const char *info, const char *conf_dir, char *err, size_t errlen);
void auth_destroy(struct auth *a); /* accepts NULL */

/* "auth/munge" or "auth/slurm". */
const char *auth_type_name(const struct auth *a);
/* 1 when auth_verify can succeed in this process (munge: always; slurm:
 * the key was read), else 0. */
int auth_can_verify(const struct auth *a);
/* Text of the last sign/verify/create failure in the calling thread
 * ("" if none).  Valid until the next auth call in this thread. */
const char *auth_errstr(void);

/* Digest of a message. */
void auth_digest(
    unsigned type, uint32_t req_id, const void *body, size_t len, unsigned char out[AUTH_DIGEST_LEN]);

/* Append a credential for this process's effective uid/gid to cred.
 * 0, or -1 with cred unchanged (reason in auth_errstr). */
int auth_sign(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], struct buf *cred);

/* Verify; on success fill uid/gid and return 0; -1 otherwise (bad or
 * expired or replayed credential, digest mismatch, no key, munged
 * unreachable; reason in auth_errstr). */
int auth_verify(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], const void *cred,
    size_t cred_len, uint32_t *uid, uint32_t *gid);

/* Daemon side of the signing socket (auth/slurm only; returns -1 with
 * errno ENOTSUP for munge, ENOKEY without a key, EADDRINUSE when another
 * process already serves the socket).  Creates the socket's directory
 * (mode 0755) if missing; the socket is mode 0666.  Returns a listening
 * fd (non-blocking, close-on-exec). */
int auth_sack_listen(struct auth *a);
/* Serve one accepted connection: read a digest, sign for the peer's
 * uid/gid, reply, close fd.  Blocking with a short timeout. */
void auth_sack_serve(struct auth *a, int fd);
/* Non-blocking servers: sign digest for fd's peer and write the reply
 * (fd is neither read nor closed). */
void auth_sack_reply(struct auth *a, int fd, const unsigned char digest[AUTH_DIGEST_LEN]);

/* Write a new random AUTH_KEYGEN_LEN-byte key to path (mode 0600,
 * replacing an existing file atomically).  0, or -1 with errno. */
int auth_keygen(const char *path);

#endif
