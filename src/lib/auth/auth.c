/* SPDX-License-Identifier: MIT */
/*
 * Authentication front end: parses AuthType/AuthInfo, computes message
 * digests and dispatches sign/verify to auth/munge or auth/slurm.  Also
 * the key generator used by the `herd up` launcher.
 */
#include "auth/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth_int.h"
#include "auth/sha256.h"
#include "base/log.h"
#include "base/xmalloc.h"

#define AUTH_DEFAULT_CONF_DIR "/etc/slurm"

static _Thread_local char auth_err_buf[512];

void
auth_seterr(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(auth_err_buf, sizeof(auth_err_buf), fmt, ap);
	va_end(ap);
	log_warnx("%s", auth_err_buf);
}

const char *
auth_errstr(void)
{
	return auth_err_buf;
}

/* Trimmed copy of [s, e) */
static char *
dup_trim(const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return xstrndup(s, (size_t)(e - s));
}

static int
parse_option(struct auth *a, const char *opt, char *err, size_t errlen)
{
	const char *eq = strchr(opt, '=');
	if (eq == NULL) {
		log_verbose("AuthInfo option '%s' ignored", opt);
		return 0;
	}
	size_t klen = (size_t)(eq - opt);
	const char *val = eq + 1;
	if (klen == 3 && strncasecmp(opt, "key", 3) == 0) {
		if (*val == '\0')
			goto empty;
		free(a->key_path);
		a->key_path = xstrdup(val);
	} else if (klen == 6 && strncasecmp(opt, "socket", 6) == 0) {
		if (*val == '\0')
			goto empty;
		free(a->socket_path);
		a->socket_path = xstrdup(val);
	} else if (klen == 3 && strncasecmp(opt, "ttl", 3) == 0) {
		char *end;
		errno = 0;
		long v = strtol(val, &end, 10);
		if (errno != 0 || end == val || *end != '\0' || v < 1 || v > SLURM_CRED_TTL_MAX) {
			snprintf(err, errlen, "Invalid AuthInfo ttl '%s' (1..%d)", val, SLURM_CRED_TTL_MAX);
			return -1;
		}
		a->ttl = (uint32_t)v;
	} else {
		log_verbose("AuthInfo option '%.*s' ignored", (int)klen, opt);
	}
	return 0;
empty:
	snprintf(err, errlen, "Invalid AuthInfo option '%s' (empty value)", opt);
	return -1;
}

static int
parse_info(struct auth *a, const char *info, char *err, size_t errlen)
{
	if (info == NULL)
		return 0;
	const char *p = info;
	for (;;) {
		const char *e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		char *opt = dup_trim(p, e);
		int rc = *opt ? parse_option(a, opt, err, errlen) : 0;
		free(opt);
		if (rc < 0)
			return -1;
		if (*e == '\0')
			return 0;
		p = e + 1;
	}
}

struct auth *
auth_create(const char *type, const char *info, const char *conf_dir, char *err, size_t errlen)
{
	char dummy[8];
	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	struct auth *a = xcalloc(1, sizeof(*a));
	if (type == NULL || strcasecmp(type, "auth/munge") == 0) {
		a->kind = AUTH_MUNGE;
	} else if (strcasecmp(type, "auth/slurm") == 0) {
		a->kind = AUTH_SLURM;
	} else {
		snprintf(err, errlen, "Invalid AuthType: %s", type);
		goto fail;
	}
	if (parse_info(a, info, err, errlen) < 0)
		goto fail;
	if (a->kind == AUTH_SLURM) {
		if (a->socket_path == NULL)
			a->socket_path = xstrdup(AUTH_SACK_DEFAULT_PATH);
		if (a->key_path == NULL)
			a->key_path = xasprintf(
			    "%s/herd.key", conf_dir != NULL && *conf_dir ? conf_dir : AUTH_DEFAULT_CONF_DIR);
		auth_replay_init(&a->replay, REPLAY_MAX_SLOTS);
		if (auth_slurm_load_key(a, err, errlen) < 0) {
			auth_replay_free(&a->replay);
			goto fail;
		}
	}
	return a;
fail:
	free(a->socket_path);
	free(a->key_path);
	free(a);
	return NULL;
}

void
auth_destroy(struct auth *a)
{
	if (a == NULL)
		return;
	if (a->key != NULL) {
		explicit_bzero(a->key, a->key_len);
		free(a->key);
	}
	if (a->kind == AUTH_SLURM)
		auth_replay_free(&a->replay);
	free(a->nokey_reason);
	free(a->key_path);
	free(a->socket_path);
	free(a);
}

const char *
auth_type_name(const struct auth *a)
{
	return a->kind == AUTH_MUNGE ? "auth/munge" : "auth/slurm";
}

int
auth_can_verify(const struct auth *a)
{
	return a->kind == AUTH_MUNGE || a->key != NULL;
}

void
auth_digest(unsigned type, uint32_t req_id, const void *body, size_t len, unsigned char out[AUTH_DIGEST_LEN])
{
	unsigned char h[6] = {(unsigned char)type, (unsigned char)(type >> 8), (unsigned char)req_id,
	    (unsigned char)(req_id >> 8), (unsigned char)(req_id >> 16), (unsigned char)(req_id >> 24)};
	struct sha256 c;
	sha256_init(&c);
	sha256_update(&c, h, sizeof(h));
	if (len > 0)
		sha256_update(&c, body, len);
	sha256_final(&c, out);
}

int
auth_sign(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], struct buf *cred)
{
	auth_err_buf[0] = '\0';
	if (a->kind == AUTH_MUNGE)
		return auth_munge_sign(a, digest, cred);
	return auth_slurm_sign(a, digest, cred);
}

int
auth_verify(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], const void *cred, size_t cred_len,
    uint32_t *uid, uint32_t *gid)
{
	auth_err_buf[0] = '\0';
	if (a->kind == AUTH_MUNGE)
		return auth_munge_verify(a, digest, cred, cred_len, uid, gid);
	return auth_slurm_verify(a, digest, cred, cred_len, uid, gid);
}

int
auth_keygen(const char *path)
{
	unsigned char key[AUTH_KEYGEN_LEN];
	size_t got = 0;
	int saved;
	while (got < sizeof(key)) {
		ssize_t r = getrandom(key + got, sizeof(key) - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)r;
	}
	/* write a temporary file beside the key, then rename: a reader sees
	 * the old key or the new one, never a partial file */
	char *tmp = xasprintf("%s.XXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		goto fail;
	errno = 0;
	if (fchmod(fd, 0600) < 0 || write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) || fsync(fd) < 0) {
		if (errno == 0)
			errno = EIO;
		goto fail_unlink;
	}
	if (close(fd) < 0) {
		fd = -1;
		goto fail_unlink;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail_unlink;
	explicit_bzero(key, sizeof(key));
	free(tmp);
	return 0;
fail_unlink:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
fail:
	saved = errno;
	explicit_bzero(key, sizeof(key));
	free(tmp);
	errno = saved;
	return -1;
}
