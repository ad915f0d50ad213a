/* SPDX-License-Identifier: MIT */
/*
 * Tests of sacctmgr's association model (src/lib/acct/acctmgr.c) and its
 * show renderer (src/cmd/common/mgrfmt.c): a cluster registered as the
 * reference one was must print exactly shared/golden/slurm-22.05's
 * `sacctmgr show cluster` and `sacctmgr show assoc`; add / modify /
 * delete print Slurm's texts and change exactly what they say.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "acct/acctmgr.h"
#include "base/buf.h"
#include "base/xmalloc.h"
#include "mgrfmt.h"
#include "proto/proto.h"

#define GOLDEN HERD_SHARED_DIR "/golden/slurm-22.05/"

static char *
golden(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s%s", GOLDEN, name);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	struct buf b;
	buf_init(&b);
	char tmp[4096];
	size_t n;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	return buf_take(&b);
}

static void
check(const char *got, const char *want, const char *what)
{
	if (strcmp(got, want) != 0)
		fail_msg("%s differs\n--- want\n%s--- got\n%s---", what, want, got);
}

/* show with format (NULL: default columns), where given as one string
 * of space-separated specs */
static char *
show(const struct acct_tables *t, int entity, int parsable, int noheader, const char *format,
    const char *where)
{
	struct mgr_out o = {.parsable = parsable, .noheader = noheader};
	struct buf out, err;
	buf_init(&out);
	buf_init(&err);
	if (mgr_out_parse(&o, entity, format, &err) < 0)
		fail_msg("format: %s", buf_str(&err));
	char **w = NULL;
	uint32_t nw = 0;
	if (where) {
		char *copy = xstrdup(where), *save = NULL;
		for (char *s = strtok_r(copy, " ", &save); s; s = strtok_r(NULL, " ", &save))
			strv_add(&w, &nw, s);
		free(copy);
	}
	if (mgr_show(t, &o, w, nw, &out, &err) != 0)
		fail_msg("show: %s", buf_str(&err));
	strv_free(w, nw);
	mgr_out_free(&o);
	buf_free(&err);
	return buf_take(&out);
}

/* apply "op entity words..." as sacctmgr would send it; returns rc,
 * text and err in the buffers */
static int
apply(struct acct_tables *t, int op, int entity, const char *words, struct buf *text, struct buf *err)
{
	struct acct_mgr_req r = {.op = (uint32_t)op, .entity = (uint32_t)entity};
	int mode = 0;
	char *copy = xstrdup(words), *save = NULL;
	for (char *s = strtok_r(copy, " ", &save); s; s = strtok_r(NULL, " ", &save)) {
		if (strcmp(s, "where") == 0)
			mode = 1;
		else if (strcmp(s, "set") == 0)
			mode = 2;
		else if (strchr(s, '=') == NULL)
			strv_add(&r.names, &r.names_cnt, s);
		else if (mode == 2)
			strv_add(&r.set, &r.set_cnt, s);
		else
			strv_add(&r.where, &r.where_cnt, s);
	}
	free(copy);
	buf_reset(text);
	buf_reset(err);
	int rc = acctmgr_apply(t, &r, 1000, text, err);
	proto_free(&rdesc_acct_mgr_req, &r);
	return rc;
}

static void
reference(struct acct_tables *t)
{
	memset(t, 0, sizeof(*t));
	assert_int_equal(acctmgr_register(t, "axc", "127.0.0.1", 16817, 1000), 1);
	/* registering again changes nothing */
	assert_int_equal(acctmgr_register(t, "axc", "127.0.0.1", 16817, 2000), 0);
}

static void
test_golden_show_cluster(void **state)
{
	struct acct_tables t;
	reference(&t);
	char *got = show(&t, ACCTMGR_CLUSTER, 0, 0, NULL, NULL);
	char *want = golden("32-sacctmgr-show-cluster.out");
	check(got, want, "sacctmgr show cluster");
	free(got);
	free(want);
	proto_free(&rdesc_acct_tables, &t);
}

static void
test_golden_show_assoc(void **state)
{
	struct acct_tables t;
	reference(&t);
	char *got = show(&t, ACCTMGR_ASSOC, 0, 0, NULL, NULL);
	char *want = golden("33-sacctmgr-show-assoc.out");
	check(got, want, "sacctmgr show assoc");
	free(got);
	free(want);
	proto_free(&rdesc_acct_tables, &t);
}

/* the bootstrap tools run, with Slurm's texts */
static void
test_bootstrap(void **state)
{
	struct acct_tables t = {0};
	struct buf text, err;
	buf_init(&text);
	buf_init(&err);

	/* no cluster yet: an account cannot be added */
	assert_int_equal(apply(&t, ACCTMGR_ADD, ACCTMGR_ACCOUNT, "physics", &text, &err), 1);
	check(buf_str(&err),
	    " Can't add accounts, no cluster defined yet.\n Please contact your administrator.\n",
	    "add account without cluster");

	assert_int_equal(apply(&t, ACCTMGR_ADD, ACCTMGR_CLUSTER, "Mycluster", &text, &err), 0);
	check(buf_str(&text), " Adding Cluster(s)\n  Name           = mycluster\n", "add cluster");
	assert_int_equal(apply(&t, ACCTMGR_ADD, ACCTMGR_CLUSTER, "mycluster", &text, &err), 1);
	check(buf_str(&text), " This cluster mycluster already exists.  Not adding.\n Nothing new added.\n",
	    "add cluster again");

	assert_int_equal(
	    apply(&t, ACCTMGR_ADD, ACCTMGR_ACCOUNT, "Physics Cluster=mycluster", &text, &err), 0);
	check(buf_str(&text),
	    " Adding Account(s)\n  physics\n  Description     = physics\n  Organization    = physics\n"
	    " Associations\n  A = physics    C = mycluster \n",
	    "add account");
	assert_int_equal(apply(&t, ACCTMGR_ADD, ACCTMGR_ACCOUNT, "physics", &text, &err), 1);
	check(buf_str(&text), " Nothing new added.\n", "add account again");

	assert_int_equal(apply(&t, ACCTMGR_ADD, ACCTMGR_USER, "Alice Account=physics", &text, &err), 0);
	check(buf_str(&text),
	    " Adding User(s)\n  alice\n  Default Account = physics\n Associations =\n"
	    "  U = alice     A = physics    C = mycluster \n",
	    "add user");
	assert_int_equal(apply(&t, ACCTMGR_ADD, ACCTMGR_USER, "alice Account=physics", &text, &err), 1);
	check(buf_str(&text), " Nothing new added.\n", "add user again");
	assert_int_equal(apply(&t, ACCTMGR_ADD, ACCTMGR_USER, "bob Account=nope", &text, &err), 1);
	check(buf_str(&err),
	    " This account 'nope' doesn't exist.\n        Contact your admin to add this account.\n",
	    "add user to a missing account");

	char *got = show(&t, ACCTMGR_ASSOC, 2, 1, "account", "user=alice");
	check(got, "physics\n", "show assoc where user=alice format=account");
	free(got);
	got = show(&t, ACCTMGR_ASSOC, 2, 0, "cluster,account,user,share", NULL);
	check(got,
	    "Cluster|Account|User|Share\nmycluster|root||1\nmycluster|root|root|1\n"
	    "mycluster|physics||1\nmycluster|physics|alice|1\n",
	    "show assoc -P");
	free(got);
	got = show(&t, ACCTMGR_USER, 0, 0, NULL, NULL);
	check(got,
	    "      User   Def Acct     Admin \n---------- ---------- --------- \n"
	    "     alice    physics      None \n      root       root Administ+ \n",
	    "show user");
	free(got);
	got = show(&t, ACCTMGR_ACCOUNT, 1, 0, NULL, "name=physics");
	check(got, "Account|Descr|Org|\nphysics|physics|physics|\n", "show account -p");
	free(got);
	got = show(&t, ACCTMGR_TRES, 0, 0, NULL, NULL);
	check(got,
	    "    Type            Name     ID \n-------- --------------- ------ \n"
	    "     cpu                      1 \n     mem                      2 \n"
	    "  energy                      3 \n    node                      4 \n"
	    " billing                      5 \n      fs            disk      6 \n"
	    "    vmem                      7 \n   pages                      8 \n",
	    "show tres");
	free(got);
	got = show(&t, ACCTMGR_TRES, 2, 1, NULL, "type=fs");
	check(got, "fs|disk|6\n", "show tres where type=fs");
	free(got);
	got = show(&t, ACCTMGR_QOS, 2, 1, "name,priority,usagefactor", NULL);
	check(got, "normal|0|1.000000\n", "show qos");
	free(got);

	proto_free(&rdesc_acct_tables, &t);
	buf_free(&text);
	buf_free(&err);
}

static void
test_modify_delete(void **state)
{
	struct acct_tables t;
	reference(&t);
	struct buf text, err;
	buf_init(&text);
	buf_init(&err);
	assert_int_equal(
	    apply(&t, ACCTMGR_ADD, ACCTMGR_ACCOUNT, "chem description=Chemistry", &text, &err), 0);
	assert_int_equal(apply(&t, ACCTMGR_ADD, ACCTMGR_ACCOUNT, "bio", &text, &err), 0);
	assert_int_equal(apply(&t, ACCTMGR_ADD, ACCTMGR_USER, "carol account=chem,bio", &text, &err), 0);

	assert_int_equal(apply(&t, ACCTMGR_MODIFY, ACCTMGR_USER,
	                     "where name=carol set defaultaccount=bio adminlevel=admin", &text, &err),
	    0);
	check(buf_str(&text), " Modified users...\n  carol\n", "modify user");
	const struct acct_user *u = acctmgr_find_user(&t, "carol");
	assert_string_equal(u->default_account, "bio");
	assert_int_equal(u->admin_level, ACCTMGR_ADMIN_ADMIN);
	/* not associated with that account */
	assert_int_equal(
	    apply(&t, ACCTMGR_MODIFY, ACCTMGR_USER, "where name=carol set defaultaccount=root", &text, &err),
	    1);
	assert_int_equal(
	    apply(&t, ACCTMGR_MODIFY, ACCTMGR_USER, "where name=nobody set adminlevel=none", &text, &err), 1);
	check(buf_str(&text), " Nothing modified\n", "modify nobody");
	assert_int_equal(
	    apply(&t, ACCTMGR_MODIFY, ACCTMGR_ACCOUNT, "where name=chem set bogus=1", &text, &err), 1);
	check(
	    buf_str(&err), " Unknown option: bogus=1\n Use keyword 'where' to modify condition\n", "bad set");
	assert_int_equal(
	    apply(&t, ACCTMGR_MODIFY, ACCTMGR_ACCOUNT, "where name=chem set fairshare=10", &text, &err), 0);
	check(buf_str(&text),
	    " Modified account associations...\n  C = axc        A = chem       U =          \n",
	    "modify fairshare");
	assert_int_equal(acctmgr_find_assoc(&t, "axc", "chem", NULL, NULL)->shares, 10);

	/* removing carol from bio moves her default account back to chem */
	assert_int_equal(
	    apply(&t, ACCTMGR_DELETE, ACCTMGR_USER, "where name=carol account=bio", &text, &err), 0);
	check(buf_str(&text),
	    " Deleting user associations...\n  C = axc        A = bio        U = carol    \n",
	    "delete user association");
	assert_string_equal(acctmgr_find_user(&t, "carol")->default_account, "chem");
	assert_null(acctmgr_find_assoc(&t, "axc", "bio", "carol", NULL));

	/* deleting an account takes its users' associations; a user left
	 * with none is gone */
	assert_int_equal(apply(&t, ACCTMGR_DELETE, ACCTMGR_ACCOUNT, "where name=chem", &text, &err), 0);
	check(buf_str(&text), " Deleting accounts...\n  chem\n", "delete account");
	assert_null(acctmgr_find_user(&t, "carol"));
	assert_int_equal(apply(&t, ACCTMGR_DELETE, ACCTMGR_ACCOUNT, "where name=chem", &text, &err), 1);
	check(buf_str(&text), " Nothing deleted\n", "delete again");
	assert_int_equal(apply(&t, ACCTMGR_DELETE, ACCTMGR_ACCOUNT, "where name=root", &text, &err), 1);

	assert_int_equal(apply(&t, ACCTMGR_DELETE, ACCTMGR_CLUSTER, "axc", &text, &err), 0);
	check(buf_str(&text), " Deleting clusters...\n  axc\n", "delete cluster");
	assert_int_equal(t.clusters_cnt, 0);
	assert_int_equal(t.assocs_cnt, 0);
	proto_free(&rdesc_acct_tables, &t);
	buf_free(&text);
	buf_free(&err);
}

static void
test_bad_format_and_where(void **state)
{
	struct acct_tables t;
	reference(&t);
	struct mgr_out o = {0};
	struct buf err, out;
	buf_init(&err);
	buf_init(&out);
	assert_int_equal(mgr_out_parse(&o, ACCTMGR_ASSOC, "account,nosuch", &err), -1);
	check(buf_str(&err), "Unknown field 'nosuch'\n", "unknown field");
	mgr_out_free(&o);
	buf_reset(&err);
	assert_int_equal(mgr_out_parse(&o, ACCTMGR_ASSOC, "acc%12,user%-6", &err), 0);
	char *w[] = {"color=red"};
	assert_int_equal(mgr_show(&t, &o, w, 1, &out, &err), 1);
	check(buf_str(&err), " Unknown condition: color=red\n Use keyword 'set' to modify value\n",
	    "bad where");
	buf_reset(&out);
	assert_int_equal(mgr_show(&t, &o, NULL, 0, &out, &err), 0);
	check(buf_str(&out),
	    "     Account User   \n------------ ------ \n        root        \n        root root   \n",
	    "widths");
	mgr_out_free(&o);
	buf_free(&err);
	buf_free(&out);
	proto_free(&rdesc_acct_tables, &t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden_show_cluster),
	    cmocka_unit_test(test_golden_show_assoc),
	    cmocka_unit_test(test_bootstrap),
	    cmocka_unit_test(test_modify_delete),
	    cmocka_unit_test(test_bad_format_and_where),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
