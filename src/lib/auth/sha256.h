/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104).  Written here so that
 * the commands do not load a general crypto library at every start: that
 * load was the largest single cost of an sbatch.
 */
#ifndef HERD_SHA256_H
#define HERD_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define SHA256_BLOCK 64

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;
	unsigned char buf[SHA256_BLOCK];
	size_t fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, unsigned char out[SHA256_LEN]);

struct hmac_sha256 {
	struct sha256 inner, outer;
};

void hmac_sha256_init(struct hmac_sha256 *h, const void *key, size_t key_len);
void hmac_sha256_update(struct hmac_sha256 *h, const void *data, size_t len);
void hmac_sha256_final(struct hmac_sha256 *h, unsigned char out[SHA256_LEN]);

/* Compare in time independent of the contents: 0 when equal. */
int ct_memcmp(const void *a, const void *b, size_t len);

#endif
