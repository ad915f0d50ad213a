/* SPDX-License-Identifier: MIT */
/*
 * MPI types of the step supervisor.  "pmix" is served by mpi_pmix.c (when
 * the build found libpmix); "none" never gets here.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "layout/layout.h"
#include "mpi_hook.h"
#include "mpi_pmix.h"

struct mpi_hook {
	struct mpi_pmix *pmix;
	mpi_hook_send_fn *send;
	void *arg;
	char *tmpdir;
};

static void
pmix_send(void *arg, enum mpi_pmix_kind kind, uint32_t dest_node, uint64_t seq, const void *data, size_t len)
{
	struct mpi_hook *h = arg;
	h->send(h->arg, (uint32_t)kind, dest_node, seq, data, len);
}

struct mpi_hook *
mpi_hook_create(const struct step_launch *sl, const char *node, mpi_hook_send_fn *send, void *arg, char *err,
    size_t errlen)
{
	if (strcmp(sl->mpi, "pmix") != 0 && strncmp(sl->mpi, "pmix_", 5) != 0) {
		snprintf(err, errlen, "MPI type %s is not available", sl->mpi);
		return NULL;
	}
	uint32_t nn = sl->node_names_cnt;
	if (nn == 0 || sl->node_gtids_cnt != nn || sl->node_id >= nn) {
		snprintf(err, errlen, "bad step layout for MPI");
		return NULL;
	}
	uint32_t *cnt = xcalloc(nn, sizeof(uint32_t));
	uint32_t **tids = xcalloc(nn, sizeof(uint32_t *));
	int ok = 1;
	for (uint32_t k = 0; k < nn; k++) {
		tids[k] = xcalloc(sl->ntasks ? sl->ntasks : 1, sizeof(uint32_t));
		int c = layout_parse_gtids(sl->node_gtids[k], tids[k], sl->ntasks);
		if (c < 0)
			ok = 0;
		cnt[k] = c > 0 ? (uint32_t)c : 0;
	}
	struct mpi_hook *h = NULL;
	if (ok) {
		h = xcalloc(1, sizeof(*h));
		h->send = send;
		h->arg = arg;
		h->tmpdir =
		    xasprintf("/tmp/herd-pmix.%s.%u.%u.%ld", node, sl->job_id, sl->step_id, (long)getpid());
		struct mpi_pmix_step st = {.job_id = sl->job_id,
		    .step_id = sl->step_id,
		    .uid = sl->uid,
		    .gid = sl->gid,
		    .nnodes = nn,
		    .node_id = sl->node_id,
		    .node_names = (const char *const *)sl->node_names,
		    .ntasks = sl->ntasks,
		    .task_cnt = cnt,
		    .tids = (const uint32_t *const *)tids,
		    .tmpdir = h->tmpdir};
		h->pmix = mpi_pmix_create(&st, pmix_send, h, err, errlen);
		if (h->pmix == NULL) {
			rmdir(h->tmpdir);
			free(h->tmpdir);
			free(h);
			h = NULL;
		}
	} else {
		snprintf(err, errlen, "bad task list for MPI");
	}
	for (uint32_t k = 0; k < nn; k++)
		free(tids[k]);
	free(tids);
	free(cnt);
	return h;
}

void
mpi_hook_task_env(struct mpi_hook *h, uint32_t lid, char ***env, uint32_t *n)
{
	*env = xreallocarray(*env, (size_t)*n + 1, sizeof(char *));
	(*env)[*n] = NULL;
	size_t cnt = *n;
	mpi_pmix_task_env(h->pmix, lid, env, &cnt);
	*n = (uint32_t)cnt;
}

int
mpi_hook_fd(struct mpi_hook *h)
{
	return mpi_pmix_fd(h->pmix);
}

void
mpi_hook_dispatch(struct mpi_hook *h)
{
	mpi_pmix_dispatch(h->pmix);
}

void
mpi_hook_recv(struct mpi_hook *h, uint32_t kind, uint32_t node, uint64_t seq, const void *data, size_t len)
{
	mpi_pmix_recv(h->pmix, (enum mpi_pmix_kind)kind, node, seq, data, len);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

void
mpi_hook_destroy(struct mpi_hook *h)
{
	if (h == NULL)
		return;
	mpi_pmix_destroy(h->pmix);
	nftw(h->tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(h->tmpdir);
	free(h);
}

const char *const *
mpi_hook_types(void)
{
#ifdef HERD_HAVE_PMIX
	static const char *const types[] = {"none", "pmix", NULL};
#else
	static const char *const types[] = {"none", NULL};
#endif
	return types;
}
