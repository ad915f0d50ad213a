/* SPDX-License-Identifier: MIT */
/* PLACEHOLDER being replaced by the auth implementation (see auth.h). */
#include "auth/auth.h"

#include <errno.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct auth {
	int dummy;
};

struct auth *
auth_create(const char *type, const char *info, const char *conf_dir, char *err, size_t errlen)
{
	return calloc(1, sizeof(struct auth));
}

void
auth_destroy(struct auth *a)
{
	free(a);
}

void
auth_digest(unsigned type, uint32_t req_id, const void *body, size_t len, unsigned char out[AUTH_DIGEST_LEN])
{
	SHA256_CTX c;
	unsigned char h[8] = { (unsigned char)type, (unsigned char)(type >> 8), (unsigned char)req_id,
		(unsigned char)(req_id >> 8), (unsigned char)(req_id >> 16), (unsigned char)(req_id >> 24) };
	SHA256_Init(&c);
	SHA256_Update(&c, h, 6);
	SHA256_Update(&c, body, len);
	SHA256_Final(out, &c);
}

int
auth_sign(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], struct buf *cred)
{
	uint32_t ids[2] = { (uint32_t)getuid(), (uint32_t)getgid() };
	buf_add(cred, ids, sizeof(ids));
	return 0;
}

int
auth_verify(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], const void *cred, size_t cred_len,
    uint32_t *uid, uint32_t *gid)
{
	if (cred_len != 8)
		return -1;
	uint32_t ids[2];
	memcpy(ids, cred, 8);
	*uid = ids[0];
	*gid = ids[1];
	return 0;
}

int
auth_sack_listen(struct auth *a)
{
	errno = ENOTSUP;
	return -1;
}

void
auth_sack_serve(struct auth *a, int fd)
{
	close(fd);
}
