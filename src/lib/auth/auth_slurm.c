/* SPDX-License-Identifier: MIT */
/*
 * auth/slurm: credentials signed with a shared key (HMAC-SHA256 through
 * sha256.c).  Processes that can read the key sign and verify
 * themselves; the others (ordinary users) sign through the sack socket
 * of a local daemon (auth_sack.c).  The layout is in auth_int.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth_int.h"
#include "auth/sha256.h"
#include "base/log.h"
#include "base/xmalloc.h"

static void
wr32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t
rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void
wr64(unsigned char *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t
rd64(const unsigned char *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

int
auth_slurm_load_key(struct auth *a, char *err, size_t errlen)
{
	int fd = open(a->key_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == EACCES || errno == EPERM || errno == ENOENT) {
			/* an ordinary user: sign through the daemon's socket */
			a->nokey_reason =
			    xasprintf("cannot read key file %s: %s", a->key_path, strerror(errno));
			return 0;
		}
		snprintf(
		    err, errlen, "auth/slurm: cannot open key file %s: %s", a->key_path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		snprintf(
		    err, errlen, "auth/slurm: cannot stat key file %s: %s", a->key_path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "auth/slurm: key file %s is not a regular file", a->key_path);
		goto fail;
	}
	if (st.st_size > (off_t)AUTH_KEY_MAX_LEN) {
		snprintf(err, errlen, "auth/slurm: key file %s is too large (%lld bytes)", a->key_path,
		    (long long)st.st_size);
		goto fail;
	}
	unsigned char *key = xmalloc(AUTH_KEY_MAX_LEN + 1);
	size_t len = 0;
	for (;;) {
		ssize_t r = read(fd, key + len, AUTH_KEY_MAX_LEN + 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "auth/slurm: cannot read key file %s: %s", a->key_path,
			    strerror(errno));
			explicit_bzero(key, len);
			free(key);
			goto fail;
		}
		if (r == 0 || (len += (size_t)r) > AUTH_KEY_MAX_LEN)
			break;
	}
	close(fd);
	if (len < AUTH_KEY_MIN_LEN || len > AUTH_KEY_MAX_LEN) {
		snprintf(err, errlen, "auth/slurm: key file %s is too %s (%zu bytes, need %u..%u)",
		    a->key_path, len < AUTH_KEY_MIN_LEN ? "short" : "long", len, AUTH_KEY_MIN_LEN,
		    AUTH_KEY_MAX_LEN);
		explicit_bzero(key, len);
		free(key);
		return -1;
	}
	if (st.st_mode & 0077)
		log_warnx("auth/slurm: key file %s is accessible by group or others (mode %03o); "
		          "it should be 0600",
		    a->key_path, (unsigned)(st.st_mode & 0777));
	a->key = xrealloc(key, len);
	a->key_len = len;
	return 0;
fail:
	close(fd);
	return -1;
}

/* HMAC-SHA256(key, fields || digest) */
static int
cred_mac(struct auth *a, const unsigned char *fields, const unsigned char digest[AUTH_DIGEST_LEN],
    unsigned char out[SLURM_CRED_MAC_LEN])
{
	struct hmac_sha256 h;
	hmac_sha256_init(&h, a->key, a->key_len);
	hmac_sha256_update(&h, fields, SLURM_CRED_FIELDS_LEN);
	hmac_sha256_update(&h, digest, AUTH_DIGEST_LEN);
	hmac_sha256_final(&h, out);
	return 0;
}

int
auth_slurm_make(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], uint32_t uid, uint32_t gid,
    unsigned char out[SLURM_CRED_LEN])
{
	if (a->key == NULL) {
		auth_seterr("auth/slurm: cannot sign: %s", a->nokey_reason);
		return -1;
	}
	out[0] = SLURM_CRED_VERSION;
	wr32(out + SLURM_CRED_OFF_UID, uid);
	wr32(out + SLURM_CRED_OFF_GID, gid);
	wr64(out + SLURM_CRED_OFF_ISSUED, (uint64_t)(int64_t)time(NULL));
	wr32(out + SLURM_CRED_OFF_TTL, a->ttl != 0 ? a->ttl : SLURM_CRED_TTL_DEFAULT);
	size_t got = 0;
	while (got < SLURM_CRED_NONCE_LEN) {
		ssize_t r = getrandom(out + SLURM_CRED_OFF_NONCE + got, SLURM_CRED_NONCE_LEN - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			auth_seterr("auth/slurm: getrandom: %s", strerror(errno));
			return -1;
		}
		got += (size_t)r;
	}
	return cred_mac(a, out, digest, out + SLURM_CRED_FIELDS_LEN);
}

int
auth_slurm_sign(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], struct buf *cred)
{
	if (a->key == NULL)
		return auth_sack_sign(a, digest, cred);
	unsigned char c[SLURM_CRED_LEN];
	if (auth_slurm_make(a, digest, (uint32_t)geteuid(), (uint32_t)getegid(), c) < 0)
		return -1;
	buf_add(cred, c, sizeof(c));
	return 0;
}

int
auth_slurm_verify(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], const void *cred,
    size_t cred_len, uint32_t *uid, uint32_t *gid)
{
	const unsigned char *c = cred;
	unsigned char mac[SLURM_CRED_MAC_LEN];
	if (a->key == NULL) {
		auth_seterr("auth/slurm: cannot verify credentials: %s", a->nokey_reason);
		return -1;
	}
	if (cred_len != SLURM_CRED_LEN) {
		auth_seterr("auth/slurm: Invalid credential format (%zu bytes)", cred_len);
		return -1;
	}
	if (c[0] != SLURM_CRED_VERSION) {
		auth_seterr("auth/slurm: Invalid credential version %u", c[0]);
		return -1;
	}
	if (cred_mac(a, c, digest, mac) < 0)
		return -1;
	if (ct_memcmp(mac, c + SLURM_CRED_FIELDS_LEN, SLURM_CRED_MAC_LEN) != 0) {
		/* wrong key, altered credential or a credential of another message */
		auth_seterr("auth/slurm: Invalid credential (MAC mismatch)");
		return -1;
	}
	int64_t issued = (int64_t)rd64(c + SLURM_CRED_OFF_ISSUED);
	uint32_t ttl = rd32(c + SLURM_CRED_OFF_TTL);
	int64_t now = (int64_t)time(NULL);
	if (ttl > SLURM_CRED_TTL_MAX) {
		auth_seterr("auth/slurm: Invalid credential (ttl %u above %d)", ttl, SLURM_CRED_TTL_MAX);
		return -1;
	}
	/* issued is authenticated but may be anything the key holder chose:
	 * compare without overflow */
	if (issued > now + SLURM_CRED_SKEW) {
		auth_seterr("auth/slurm: Rewound credential, future ctime (issued at %lld, now %lld)",
		    (long long)issued, (long long)now);
		return -1;
	}
	if (issued < now - (int64_t)ttl) {
		auth_seterr("auth/slurm: Expired credential (issued at %lld, ttl %u s, now %lld)",
		    (long long)issued, ttl, (long long)now);
		return -1;
	}
	int r = auth_replay_check_add(&a->replay, c + SLURM_CRED_OFF_NONCE, issued + ttl, now);
	if (r == 1) {
		auth_seterr("auth/slurm: Replayed credential");
		return -1;
	}
	if (r < 0) {
		auth_seterr("auth/slurm: replay cache full, credential refused");
		return -1;
	}
	*uid = rd32(c + SLURM_CRED_OFF_UID);
	*gid = rd32(c + SLURM_CRED_OFF_GID);
	return 0;
}
