/* SPDX-License-Identifier: MIT */
/*
 * Replay cache of auth/slurm: the nonces of credentials already accepted,
 * each kept until its credential expires.  An open-addressing hash set
 * that never deletes in place: it is rebuilt without the expired entries
 * when it reaches half load and at least every REPLAY_PRUNE_INTERVAL
 * seconds, growing or shrinking with the live count.  Memory is bounded
 * by max_slots; when that many live credentials exist, new ones are
 * refused (failing closed) rather than forgetting nonces early.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"
#include "base/xmalloc.h"

void
auth_replay_init(struct auth_replay *r, size_t max_slots)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	size_t m = REPLAY_MIN_SLOTS;
	while (m < max_slots)
		m *= 2;
	r->max_slots = m;
}

void
auth_replay_free(struct auth_replay *r)
{
	free(r->tab);
	r->tab = NULL;
	r->cap = r->count = 0;
	pthread_mutex_destroy(&r->lock);
}

static size_t
slot_of(const unsigned char *nonce, size_t cap)
{
	/* nonces are random and authenticated: any mixing of them will do */
	uint64_t h;
	memcpy(&h, nonce, sizeof(h));
	h *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 32) & (cap - 1);
}

static void
place(struct replay_ent *tab, size_t cap, const struct replay_ent *e)
{
	size_t i = slot_of(e->nonce, cap);
	while (tab[i].expires != 0)
		i = (i + 1) & (cap - 1);
	tab[i] = *e;
}

static void
rebuild(struct auth_replay *r, int64_t now)
{
	size_t live = 0;
	for (size_t i = 0; i < r->cap; i++)
		if (r->tab[i].expires != 0 && r->tab[i].expires >= now)
			live++;
	size_t cap = r->cap ? r->cap : REPLAY_MIN_SLOTS;
	while ((live + 1) * 2 > cap && cap < r->max_slots)
		cap *= 2;
	while (cap > REPLAY_MIN_SLOTS && (live + 1) * 8 < cap)
		cap /= 2;
	struct replay_ent *tab = xcalloc(cap, sizeof(*tab));
	for (size_t i = 0; i < r->cap; i++)
		if (r->tab[i].expires != 0 && r->tab[i].expires >= now)
			place(tab, cap, &r->tab[i]);
	free(r->tab);
	r->tab = tab;
	r->cap = cap;
	r->count = live;
	r->last_prune = now;
}

int
auth_replay_check_add(
    struct auth_replay *r, const unsigned char nonce[SLURM_CRED_NONCE_LEN], int64_t expires, int64_t now)
{
	int rc = 0;
	if (expires < 1)
		expires = 1; /* 0 marks an empty slot */
	pthread_mutex_lock(&r->lock);
	if (r->tab == NULL || now - r->last_prune >= REPLAY_PRUNE_INTERVAL ||
	    ((r->count + 1) * 2 > r->cap && now >= r->full_until))
		rebuild(r, now);
	size_t i = slot_of(nonce, r->cap);
	/* load stays <= 1/2, so the probe reaches an empty slot */
	while (r->tab[i].expires != 0) {
		if (memcmp(r->tab[i].nonce, nonce, SLURM_CRED_NONCE_LEN) == 0) {
			if (r->tab[i].expires >= now)
				rc = 1;
			else
				r->tab[i].expires = expires; /* expired entry: reuse */
			goto out;
		}
		i = (i + 1) & (r->cap - 1);
	}
	if ((r->count + 1) * 2 > r->cap) {
		r->full_until = now + 1; /* rebuild at most once a second while full */
		errno = ENOSPC;
		rc = -1;
		goto out;
	}
	memcpy(r->tab[i].nonce, nonce, SLURM_CRED_NONCE_LEN);
	r->tab[i].expires = expires;
	r->count++;
out:
	pthread_mutex_unlock(&r->lock);
	return rc;
}

size_t
auth_replay_count(struct auth_replay *r)
{
	pthread_mutex_lock(&r->lock);
	size_t n = r->count;
	pthread_mutex_unlock(&r->lock);
	return n;
}

size_t
auth_replay_slots(struct auth_replay *r)
{
	pthread_mutex_lock(&r->lock);
	size_t n = r->cap;
	pthread_mutex_unlock(&r->lock);
	return n;
}
