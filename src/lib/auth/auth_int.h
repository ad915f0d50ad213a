/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the auth modules (auth.c dispatches to
 * auth_munge.c and auth_slurm.c; auth_sack.c is the signing socket and
 * auth_replay.c the nonce cache of auth/slurm).  Not for other callers;
 * the unit test uses the replay cache directly.
 */
#ifndef HERD_AUTH_INT_H
#define HERD_AUTH_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"

/* auth/slurm credential: version u8, uid u32, gid u32, issued i64,
 * ttl u32, nonce[16] (all little endian), then HMAC-SHA256(key, those
 * fields || digest). */
#define SLURM_CRED_VERSION 1
#define SLURM_CRED_NONCE_LEN 16
#define SLURM_CRED_OFF_UID 1
#define SLURM_CRED_OFF_GID 5
#define SLURM_CRED_OFF_ISSUED 9
#define SLURM_CRED_OFF_TTL 17
#define SLURM_CRED_OFF_NONCE 21
#define SLURM_CRED_FIELDS_LEN 37
#define SLURM_CRED_MAC_LEN 32
#define SLURM_CRED_LEN (SLURM_CRED_FIELDS_LEN + SLURM_CRED_MAC_LEN)
#define SLURM_CRED_TTL_DEFAULT 300
#define SLURM_CRED_TTL_MAX 3600
#define SLURM_CRED_SKEW 60 /* seconds a credential may come from the future */

#define AUTH_KEY_MAX_LEN (1U << 20)
#define AUTH_SACK_TIMEOUT_MS 1000 /* daemon side: wait for a digest */
#define AUTH_SACK_CLIENT_TIMEOUT_MS 10000 /* client side: wait for the reply */

enum auth_kind { AUTH_MUNGE, AUTH_SLURM };

/* Seen nonces with their expiry: open addressing, rebuilt (dropping
 * expired entries) when half full or every prune interval; bounded by
 * REPLAY_MAX_SLOTS.  Thread-safe. */
struct replay_ent {
	unsigned char nonce[SLURM_CRED_NONCE_LEN];
	int64_t expires; /* 0 = empty slot */
};

struct auth_replay {
	pthread_mutex_t lock;
	struct replay_ent *tab;
	size_t cap; /* power of two, 0 before first use */
	size_t count;
	size_t max_slots;
	int64_t last_prune;
	int64_t full_until; /* no rebuild before this when the table is full */
};

#define REPLAY_MIN_SLOTS 1024U
#define REPLAY_MAX_SLOTS (1U << 22) /* 96 MiB, 2M live credentials */
#define REPLAY_PRUNE_INTERVAL 60

void auth_replay_init(struct auth_replay *r, size_t max_slots);
void auth_replay_free(struct auth_replay *r);
/* Record nonce until expires (unix time).  0 = new, 1 = seen before and
 * not yet expired, -1 = cache full (errno ENOSPC). */
int auth_replay_check_add(
    struct auth_replay *r, const unsigned char nonce[SLURM_CRED_NONCE_LEN], int64_t expires, int64_t now);
size_t auth_replay_count(struct auth_replay *r); /* entries held (live or not yet pruned) */
size_t auth_replay_slots(struct auth_replay *r); /* table size */

struct auth {
	enum auth_kind kind;
	char *socket_path; /* munged socket (NULL = libmunge default) or sack socket */
	uint32_t ttl; /* 0 = default */

	/* auth/slurm */
	char *key_path;
	unsigned char *key; /* NULL: client mode, sign through the socket */
	size_t key_len;
	char *nokey_reason; /* why key is NULL */
	struct auth_replay replay;
};

/* Set the thread's error text (auth_errstr) and log it. */
void auth_seterr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int auth_munge_sign(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], struct buf *cred);
int auth_munge_verify(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], const void *cred,
    size_t cred_len, uint32_t *uid, uint32_t *gid);

/* Read the key (or enter client mode); -1 with err on a bad key. */
int auth_slurm_load_key(struct auth *a, char *err, size_t errlen);
/* Build a credential with the key for any uid/gid (daemon side). */
int auth_slurm_make(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], uint32_t uid, uint32_t gid,
    unsigned char out[SLURM_CRED_LEN]);
int auth_slurm_sign(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], struct buf *cred);
int auth_slurm_verify(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], const void *cred,
    size_t cred_len, uint32_t *uid, uint32_t *gid);

/* Client side of the signing socket. */
int auth_sack_sign(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], struct buf *cred);

#endif
