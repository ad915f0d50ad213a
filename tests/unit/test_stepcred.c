/* SPDX-License-Identifier: MIT */
/*
 * Step credentials: herdd runs a step only with the controller's signed
 * credential for this node, job, step and user, before it expires.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth/auth.h"
#include "base/log.h"
#include "proto/states.h"
#include "proto/stepcred.h"

static char tdir[] = "/tmp/test_stepcred.XXXXXX";

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

static struct auth *
make_auth(const char *name)
{
	char path[256], info[300], err[256];
	snprintf(path, sizeof(path), "%s/%s", tdir, name);
	if (access(path, F_OK) != 0 && auth_keygen(path) < 0)
		return NULL;
	snprintf(info, sizeof(info), "key=%s", path);
	return auth_create("auth/slurm", info, NULL, err, sizeof(err));
}

static int
daemons_only(void *arg, uint32_t uid)
{
	return uid == *(uint32_t *)arg;
}

struct fx {
	struct auth *ctld, *node, *other;
	uint32_t daemon_uid;
};

static int
setup(void **state)
{
	if (mkdtemp(tdir) == NULL)
		return -1;
	log_set_level(LOG_LVL_QUIET);
	struct fx *f = calloc(1, sizeof(*f));
	f->ctld = make_auth("herd.key");
	f->node = make_auth("herd.key");
	f->other = make_auth("other.key");
	f->daemon_uid = (uint32_t)geteuid(); /* who signs in this process */
	*state = f;
	return f->ctld && f->node && f->other ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	auth_destroy(f->ctld);
	auth_destroy(f->node);
	auth_destroy(f->other);
	free(f);
	nftw(tdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* a launch of step 7.3 for uid 1000 carrying cred for node, signed by a */
static void
launch_with(struct auth *a, const char *node, int64_t expires, struct step_launch *sl, struct buf *b)
{
	struct step_cred c = {.job_id = 7,
	    .step_id = 3,
	    .uid = 1000,
	    .gid = 100,
	    .node_name = (char *)node,
	    .cpus = 2,
	    .expires = expires};
	buf_init(b);
	stepcred_sign(a, &c, b);
	memset(sl, 0, sizeof(*sl));
	sl->job_id = 7;
	sl->step_id = 3;
	sl->uid = 1000;
	sl->gid = 100;
	sl->cred = (uint8_t *)b->data;
	sl->cred_len = (uint32_t)b->len;
}

static int
check(struct fx *f, struct step_launch *sl, const char *node, uint32_t sender, int64_t now)
{
	return stepcred_check(f->node, sl, node, sender, now, daemons_only, &f->daemon_uid);
}

static void
test_valid(void **state)
{
	struct fx *f = *state;
	struct step_launch sl;
	struct buf b;
	launch_with(f->ctld, "n1", 2000, &sl, &b);
	assert_int_equal(check(f, &sl, "n1", 1000, 1000), 0);
	/* the same credential again: a replay */
	assert_int_equal(check(f, &sl, "n1", 1000, 1000), ESLURMD_INVALID_JOB_CREDENTIAL);
	buf_free(&b);
	/* root may launch for the user */
	launch_with(f->ctld, "n1", 2000, &sl, &b);
	assert_int_equal(check(f, &sl, "n1", 0, 1000), 0);
	buf_free(&b);
}

static void
test_refused(void **state)
{
	struct fx *f = *state;
	struct step_launch sl;
	struct buf b;
	launch_with(f->ctld, "n1", 2000, &sl, &b);
	assert_int_equal(check(f, &sl, "n2", 1000, 1000), ESLURMD_INVALID_JOB_CREDENTIAL); /* other node */
	buf_free(&b);
	launch_with(f->ctld, "n1", 999, &sl, &b);
	assert_int_equal(check(f, &sl, "n1", 1000, 1000), ESLURMD_CREDENTIAL_EXPIRED);
	buf_free(&b);
	launch_with(f->ctld, "n1", 2000, &sl, &b);
	assert_int_equal(check(f, &sl, "n1", 1001, 1000), ESLURMD_INVALID_JOB_CREDENTIAL); /* another user */
	buf_free(&b);
	launch_with(f->ctld, "n1", 2000, &sl, &b);
	sl.step_id = 4; /* a credential of another step */
	assert_int_equal(check(f, &sl, "n1", 1000, 1000), ESLURMD_INVALID_JOB_CREDENTIAL);
	buf_free(&b);
	launch_with(f->ctld, "n1", 2000, &sl, &b);
	sl.uid = 0; /* the launch claims root */
	assert_int_equal(check(f, &sl, "n1", 0, 1000), ESLURMD_INVALID_JOB_CREDENTIAL);
	buf_free(&b);
	/* signed with another key */
	launch_with(f->other, "n1", 2000, &sl, &b);
	assert_int_equal(check(f, &sl, "n1", 1000, 1000), ESLURMD_INVALID_JOB_CREDENTIAL);
	buf_free(&b);
	/* signed by a uid that is not a daemon's */
	launch_with(f->ctld, "n1", 2000, &sl, &b);
	uint32_t nobody = f->daemon_uid + 1;
	assert_int_equal(stepcred_check(f->node, &sl, "n1", 1000, 1000, daemons_only, &nobody),
	    ESLURMD_INVALID_JOB_CREDENTIAL);
	buf_free(&b);
}

static void
test_damaged(void **state)
{
	struct fx *f = *state;
	struct step_launch sl;
	struct buf b;
	launch_with(f->ctld, "n1", 2000, &sl, &b);
	for (size_t i = 0; i < b.len; i++) {
		/* every changed byte and every truncation is refused */
		b.data[i] ^= 0x5a;
		assert_int_not_equal(check(f, &sl, "n1", 1000, 1000), 0);
		b.data[i] ^= 0x5a;
		sl.cred_len = (uint32_t)i;
		assert_int_not_equal(check(f, &sl, "n1", 1000, 1000), 0);
		sl.cred_len = (uint32_t)b.len;
	}
	sl.cred = NULL;
	sl.cred_len = 0;
	assert_int_equal(check(f, &sl, "n1", 1000, 1000), ESLURMD_INVALID_JOB_CREDENTIAL);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_damaged),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
