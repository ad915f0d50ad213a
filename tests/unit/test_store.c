/* SPDX-License-Identifier: MIT */
/*
 * Tests of herddbd's stores on real databases: SQLite (src/dbd/
 * store_sqlite.c) on a file in a temporary directory and, when built with
 * libmariadb and a MariaDB server is installed, MariaDB
 * (store_mariadb.c) on a private mariadbd started in a temporary
 * directory on a loopback port.  Migrations on a fresh database and on
 * reopen, a newer schema refused, upsert replacing the steps, every query
 * filter, and 100,000 rows inserted in batches then selected by job id
 * and by user.
 */
#include <ftw.h>
#include <signal.h>
#include <sqlite3.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "acct/acctmgr.h"
#include "base/xmalloc.h"
#include "proto/proto.h"
#include "proto/states.h"
#include "store.h"

#ifdef HERD_TEST_MARIADB
#include <mysql.h>
#endif

static char tdir[256];
static char dbpath[300];
/* the backend under test */
static const struct store_ops *ops;
static struct store_params sp;
static int migration_rows; /* rows schema_version holds when current */

static int
rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int
setup(void **state)
{
	snprintf(tdir, sizeof(tdir), "/tmp/herd-test-store-XXXXXX");
	if (mkdtemp(tdir) == NULL)
		return -1;
	snprintf(dbpath, sizeof(dbpath), "%s/acct.db", tdir);
	ops = &store_sqlite_ops;
	sp = (struct store_params){.loc = dbpath};
	migration_rows = STORE_SCHEMA_VERSION;
	return 0;
}

static int
teardown(void **state)
{
	nftw(tdir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static struct store *
open_store(void)
{
	char err[512] = "";
	struct store *s = ops->open(&sp, err, sizeof(err));
	if (s == NULL)
		fail_msg("open: %s", err);
	if (ops->migrate(s, err, sizeof(err)) < 0)
		fail_msg("migrate: %s", err);
	return s;
}

#ifdef HERD_TEST_MARIADB
static char md_dir[256];
static uint16_t md_port;
static pid_t md_pid = -1;
static char md_db[64];

static MYSQL *
md_connect(const char *db)
{
	MYSQL *m = mysql_init(NULL);
	assert_non_null(m);
	if (mysql_real_connect(m, "127.0.0.1", "root", NULL, db, md_port, NULL, 0) == NULL) {
		mysql_close(m);
		return NULL;
	}
	return m;
}
#endif

static int
db_int(const char *sql)
{
#ifdef HERD_TEST_MARIADB
	if (ops != &store_sqlite_ops) {
		MYSQL *m = md_connect(md_db);
		assert_non_null(m);
		assert_int_equal(mysql_query(m, sql), 0);
		MYSQL_RES *r = mysql_store_result(m);
		assert_non_null(r);
		MYSQL_ROW row = mysql_fetch_row(r);
		assert_non_null(row);
		int v = atoi(row[0]);
		mysql_free_result(r);
		mysql_close(m);
		return v;
	}
#endif
	sqlite3 *db;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void
db_exec(const char *sql)
{
#ifdef HERD_TEST_MARIADB
	if (ops != &store_sqlite_ops) {
		MYSQL *m = md_connect(md_db);
		assert_non_null(m);
		assert_int_equal(mysql_query(m, sql), 0);
		mysql_close(m);
		return;
	}
#endif
	sqlite3 *db;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void
make_job(struct acct_job *j, uint32_t id, const char *user, uint32_t state, int64_t elig, int64_t end)
{
	memset(j, 0, sizeof(*j));
	j->cluster = xstrdup("test");
	j->job_id = id;
	j->name = xasprintf("job%u", id);
	j->user_name = xstrdup(user);
	j->uid = 1000;
	j->account = xstrdup("acct");
	j->partition = xstrdup("debug");
	j->state = state;
	j->time_submit = elig - 10;
	j->time_eligible = elig;
	j->time_start = end ? elig + 1 : 0;
	j->time_end = end;
	j->req_mem_mb = NO_VAL64;
	j->array_job_id = 0;
	j->array_task_id = NO_VAL;
}

static void
add_step(struct acct_job *j, uint32_t step_id, uint32_t state)
{
	j->steps = xreallocarray(j->steps, j->steps_cnt + 1, sizeof(*j->steps));
	struct acct_step *s = &j->steps[j->steps_cnt++];
	memset(s, 0, sizeof(*s));
	s->step_id = step_id;
	s->name = xstrdup(step_id == STEP_ID_BATCH ? "batch" : "step");
	s->state = state;
	s->max_rss_kb = 12345;
}

static void
put(struct store *s, struct acct_job *j)
{
	char err[512];
	if (store_put_job(ops, s, j, err, sizeof(err)) < 0)
		fail_msg("put: %s", err);
	proto_free(&rdesc_acct_job, j);
}

static void
query(struct store *s, struct acct_query *q, struct acct_jobs *out)
{
	char err[512];
	if (ops->query(s, q, out, err, sizeof(err)) < 0)
		fail_msg("query: %s", err);
}

static void
test_migrate_fresh_and_reopen(void **state)
{
	struct store *s = open_store();
	ops->close(s);
	assert_int_equal(db_int("SELECT max(version) FROM schema_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(db_int("SELECT count(*) FROM schema_version"), migration_rows);
	if (ops == &store_sqlite_ops) {
		assert_int_equal(db_int("SELECT count(*) FROM sqlite_master WHERE name = 'jobs_user'"), 1);
		/* WAL is persistent in the file */
		assert_int_equal(db_int("SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
	}

	/* reopen: no migration runs twice, data survives */
	s = open_store();
	struct acct_job j;
	make_job(&j, 7, "alice", JOB_COMPLETE, 1000, 2000);
	put(s, &j);
	ops->close(s);
	s = open_store();
	assert_int_equal(db_int("SELECT count(*) FROM schema_version"), migration_rows);
	struct acct_query q = {0};
	struct acct_jobs out;
	query(s, &q, &out);
	assert_int_equal(out.jobs_cnt, 1);
	assert_int_equal(out.jobs[0].job_id, 7);
	proto_free(&rdesc_acct_jobs, &out);
	ops->close(s);
}

static void
test_newer_schema_refused(void **state)
{
	struct store *s = open_store();
	ops->close(s);
	if (ops == &store_sqlite_ops)
		db_exec("INSERT INTO schema_version (version, applied) VALUES (99, 0)");
	else
		db_exec("INSERT INTO schema_version (step, version, applied) VALUES (99, 99, 0)");
	char err[512] = "";
	s = ops->open(&sp, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(ops->migrate(s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "newer"));
	ops->close(s);
}

static void
test_storage_types(void **state)
{
	char err[512] = "";
	assert_ptr_equal(store_find("accounting_storage/sqlite", err, sizeof(err)), &store_sqlite_ops);
#ifdef HERD_TEST_MARIADB
	assert_ptr_equal(store_find("accounting_storage/mysql", err, sizeof(err)), &store_mariadb_ops);
	/* a server that is not there: a clear error */
	struct store_params none = {.loc = "x", .host = "127.0.0.1", .user = "root", .port = 1};
	assert_null(store_mariadb_ops.open(&none, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot connect to 127.0.0.1:1"));
#else
	assert_null(store_find("accounting_storage/mysql", err, sizeof(err)));
	assert_string_equal(err, "StorageType accounting_storage/mysql: MariaDB backend not built yet");
#endif
	assert_null(store_find("accounting_storage/filetxt", err, sizeof(err)));
	assert_non_null(strstr(err, "accounting_storage/filetxt"));
	assert_null(store_sqlite_ops.open(
	    &(struct store_params){.loc = "/nonexistent-dir/x/acct.db"}, err, sizeof(err)));
}

static void
test_storage_pass(void **state)
{
	char err[512], *pw, path[400];
	assert_int_equal(store_resolve_pass("secret", &pw, err, sizeof(err)), 0);
	assert_string_equal(pw, "secret");
	free(pw);
	snprintf(path, sizeof(path), "%s/pass", tdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("from-file\nsecond line\n", f);
	fclose(f);
	char v[420];
	snprintf(v, sizeof(v), "file:%s", path);
	assert_int_equal(store_resolve_pass(v, &pw, err, sizeof(err)), 0);
	assert_string_equal(pw, "from-file");
	free(pw);
	snprintf(v, sizeof(v), "file:%s/none", tdir);
	assert_int_equal(store_resolve_pass(v, &pw, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	setenv("HERD_TEST_PASS", "from-env", 1);
	assert_int_equal(store_resolve_pass("env:HERD_TEST_PASS", &pw, err, sizeof(err)), 0);
	assert_string_equal(pw, "from-env");
	free(pw);
	unsetenv("HERD_TEST_PASS");
	assert_int_equal(store_resolve_pass("env:HERD_TEST_PASS", &pw, err, sizeof(err)), -1);
	unsetenv("HERD_STORAGE_PASS");
	assert_int_equal(store_resolve_pass(NULL, &pw, err, sizeof(err)), 0);
	assert_null(pw);
	setenv("HERD_STORAGE_PASS", "default-env", 1);
	assert_int_equal(store_resolve_pass(NULL, &pw, err, sizeof(err)), 0);
	assert_string_equal(pw, "default-env");
	free(pw);
	unsetenv("HERD_STORAGE_PASS");
}

static void
test_filter_nodes(void **state)
{
	struct acct_jobs out = {0};
	const char *nodes[] = {"node[01-02]", "node03", NULL, "gpu1"};
	out.jobs = xcalloc(4, sizeof(*out.jobs));
	out.jobs_cnt = 4;
	for (uint32_t i = 0; i < 4; i++) {
		out.jobs[i].job_id = i + 1;
		out.jobs[i].nodes = xstrdup(nodes[i]);
	}
	char err[256];
	assert_int_equal(store_filter_nodes(&out, NULL, err, sizeof(err)), 0);
	assert_int_equal(out.jobs_cnt, 4);
	assert_int_equal(store_filter_nodes(&out, "node[02-03]", err, sizeof(err)), 0);
	assert_int_equal(out.jobs_cnt, 2);
	assert_int_equal(out.jobs[0].job_id, 1);
	assert_int_equal(out.jobs[1].job_id, 2);
	assert_int_equal(store_filter_nodes(&out, "node[", err, sizeof(err)), -1);
	assert_int_equal(store_filter_nodes(&out, "gpu1", err, sizeof(err)), 0);
	assert_int_equal(out.jobs_cnt, 0);
	proto_free(&rdesc_acct_jobs, &out);
}

static void
test_put_replace(void **state)
{
	struct store *s = open_store();
	struct acct_job j;
	make_job(&j, 42, "alice", JOB_RUNNING, 1000, 0);
	j.work_dir = xstrdup("/home/alice");
	add_step(&j, STEP_ID_BATCH, JOB_RUNNING);
	add_step(&j, 0, JOB_RUNNING);
	put(s, &j);

	struct acct_query q = {0};
	struct acct_jobs out;
	query(s, &q, &out);
	assert_int_equal(out.jobs_cnt, 1);
	assert_int_equal(out.jobs[0].steps_cnt, 2);
	assert_int_equal(out.jobs[0].steps[0].step_id, 0);
	assert_int_equal(out.jobs[0].steps[1].step_id, STEP_ID_BATCH);
	assert_int_equal(out.jobs[0].steps[1].max_rss_kb, 12345);
	assert_string_equal(out.jobs[0].work_dir, "/home/alice");
	assert_null(out.jobs[0].comment);
	assert_true(out.jobs[0].req_mem_mb == NO_VAL64);
	assert_int_equal(out.jobs[0].array_task_id, NO_VAL);
	proto_free(&rdesc_acct_jobs, &out);

	/* the very same record again changes nothing */
	for (int k = 0; k < 2; k++) {
		make_job(&j, 42, "alice", JOB_RUNNING, 1000, 0);
		j.work_dir = xstrdup("/home/alice");
		add_step(&j, STEP_ID_BATCH, JOB_RUNNING);
		add_step(&j, 0, JOB_RUNNING);
		put(s, &j);
	}
	query(s, &q, &out);
	assert_int_equal(out.jobs_cnt, 1);
	assert_int_equal(out.jobs[0].steps_cnt, 2);
	proto_free(&rdesc_acct_jobs, &out);
	assert_int_equal(db_int("SELECT count(*) FROM steps"), 2);

	/* the same job again (same submit time): the row and steps are replaced */
	make_job(&j, 42, "alice", JOB_FAILED, 1000, 3000);
	j.exit_code = 256;
	add_step(&j, STEP_ID_BATCH, JOB_FAILED);
	put(s, &j);
	query(s, &q, &out);
	assert_int_equal(out.jobs_cnt, 1);
	assert_int_equal(out.jobs[0].state, JOB_FAILED);
	assert_int_equal(out.jobs[0].exit_code, 256);
	assert_int_equal(out.jobs[0].time_end, 3000);
	assert_null(out.jobs[0].work_dir);
	assert_int_equal(out.jobs[0].steps_cnt, 1);
	assert_int_equal(out.jobs[0].steps[0].state, JOB_FAILED);
	proto_free(&rdesc_acct_jobs, &out);
	assert_int_equal(db_int("SELECT count(*) FROM steps"), 1);

	/* a requeued run with another submit time is a second row */
	make_job(&j, 42, "alice", JOB_PENDING, 5000, 0);
	put(s, &j);
	query(s, &q, &out);
	assert_int_equal(out.jobs_cnt, 2);
	assert_int_equal(out.jobs[0].time_submit, 990);
	assert_int_equal(out.jobs[1].time_submit, 4990);
	proto_free(&rdesc_acct_jobs, &out);

	/* a record without a cluster is refused and nothing of the batch stays */
	struct acct_job two[2];
	make_job(&two[0], 50, "bob", JOB_PENDING, 100, 0);
	make_job(&two[1], 51, "bob", JOB_PENDING, 100, 0);
	free(two[1].cluster);
	two[1].cluster = NULL;
	char err[512];
	assert_int_equal(ops->put_jobs(s, two, 2, err, sizeof(err)), -1);
	proto_free(&rdesc_acct_job, &two[0]);
	proto_free(&rdesc_acct_job, &two[1]);
	assert_int_equal(db_int("SELECT count(*) FROM jobs WHERE job_id = 50"), 0);
	ops->close(s);
}

static uint32_t
ids(const struct acct_jobs *out, uint32_t *v, uint32_t max)
{
	for (uint32_t i = 0; i < out->jobs_cnt && i < max; i++)
		v[i] = out->jobs[i].job_id;
	return out->jobs_cnt;
}

static void
test_filters(void **state)
{
	struct store *s = open_store();
	struct acct_job j;
	make_job(&j, 1, "alice", JOB_COMPLETE, 1000, 2000); /* [1000, 2000] */
	put(s, &j);
	make_job(&j, 2, "bob", JOB_FAILED, 3000, 4000); /* [3000, 4000] */
	j.partition[0] = 'D';
	put(s, &j);
	make_job(&j, 3, "alice", JOB_RUNNING, 5000, 0); /* [5000, now] */
	put(s, &j);
	make_job(&j, 10, "carol", JOB_COMPLETE | JOB_REQUEUE, 1500, 1600); /* array 9_4 */
	j.array_job_id = 9;
	j.array_task_id = 4;
	free(j.account);
	j.account = xstrdup("physics");
	put(s, &j);

	struct acct_jobs out;
	uint32_t v[8];

	char *users[] = {"alice"};
	struct acct_query q = {.users = users, .users_cnt = 1};
	query(s, &q, &out);
	assert_int_equal(ids(&out, v, 8), 2);
	assert_int_equal(v[0], 1);
	assert_int_equal(v[1], 3);
	proto_free(&rdesc_acct_jobs, &out);

	char *jobs[] = {"2", "9"};
	q = (struct acct_query){.jobs = jobs, .jobs_cnt = 2};
	query(s, &q, &out);
	assert_int_equal(ids(&out, v, 8), 2);
	assert_int_equal(v[0], 2);
	assert_int_equal(v[1], 10);
	proto_free(&rdesc_acct_jobs, &out);

	char *task[] = {"9_4"};
	q = (struct acct_query){.jobs = task, .jobs_cnt = 1};
	query(s, &q, &out);
	assert_int_equal(ids(&out, v, 8), 1);
	assert_int_equal(v[0], 10);
	proto_free(&rdesc_acct_jobs, &out);

	char *bad[] = {"12x"};
	q = (struct acct_query){.jobs = bad, .jobs_cnt = 1};
	char err[512];
	assert_int_equal(ops->query(s, &q, &out, err, sizeof(err)), -1);
	assert_int_equal(out.jobs_cnt, 0);

	/* states are base states: COMPLETED matches a flagged COMPLETED too */
	char *states[] = {"3"};
	assert_int_equal(JOB_COMPLETE, 3);
	q = (struct acct_query){.states = states, .states_cnt = 1};
	query(s, &q, &out);
	assert_int_equal(ids(&out, v, 8), 2);
	assert_int_equal(v[0], 1);
	assert_int_equal(v[1], 10);
	proto_free(&rdesc_acct_jobs, &out);

	/* window [2500, 3500]: only job 2; job 3 became eligible later */
	q = (struct acct_query){.start = 2500, .end = 3500};
	query(s, &q, &out);
	assert_int_equal(ids(&out, v, 8), 1);
	assert_int_equal(v[0], 2);
	proto_free(&rdesc_acct_jobs, &out);

	/* start only: running job 3 and those ended after 1900 */
	q = (struct acct_query){.start = 1900};
	query(s, &q, &out);
	assert_int_equal(ids(&out, v, 8), 3);
	assert_int_equal(v[0], 1);
	assert_int_equal(v[1], 2);
	assert_int_equal(v[2], 3);
	proto_free(&rdesc_acct_jobs, &out);

	/* end only */
	q = (struct acct_query){.end = 1200};
	query(s, &q, &out);
	assert_int_equal(ids(&out, v, 8), 1);
	assert_int_equal(v[0], 1);
	proto_free(&rdesc_acct_jobs, &out);

	char *parts[] = {"Debug"}, *accts[] = {"physics"}, *names[] = {"job3"};
	q = (struct acct_query){.partitions = parts, .partitions_cnt = 1};
	query(s, &q, &out);
	assert_int_equal(ids(&out, v, 8), 1);
	assert_int_equal(v[0], 2);
	proto_free(&rdesc_acct_jobs, &out);
	q = (struct acct_query){.accounts = accts, .accounts_cnt = 1};
	query(s, &q, &out);
	assert_int_equal(ids(&out, v, 8), 1);
	assert_int_equal(v[0], 10);
	proto_free(&rdesc_acct_jobs, &out);
	q = (struct acct_query){.names = names, .names_cnt = 1, .users = users, .users_cnt = 1};
	query(s, &q, &out);
	assert_int_equal(ids(&out, v, 8), 1);
	assert_int_equal(v[0], 3);
	proto_free(&rdesc_acct_jobs, &out);

	/* a name nobody has */
	char *nobody[] = {"nobody-here"};
	q = (struct acct_query){.users = nobody, .users_cnt = 1};
	query(s, &q, &out);
	assert_int_equal(out.jobs_cnt, 0);
	proto_free(&rdesc_acct_jobs, &out);
	ops->close(s);
}

static void
test_hundred_thousand(void **state)
{
	struct store *s = open_store();
	enum { TOTAL = 100000, BATCH = 1000, USERS = 100 };
	struct acct_job *b = xcalloc(BATCH, sizeof(*b));
	char err[512];
	for (uint32_t base = 0; base < TOTAL; base += BATCH) {
		for (uint32_t i = 0; i < BATCH; i++) {
			uint32_t id = base + i + 1;
			char user[16];
			snprintf(user, sizeof(user), "user%u", id % USERS);
			make_job(&b[i], id, user, JOB_COMPLETE, 1000000 + id, 1000000 + id + 60);
			add_step(&b[i], STEP_ID_BATCH, JOB_COMPLETE);
		}
		if (ops->put_jobs(s, b, BATCH, err, sizeof(err)) < 0)
			fail_msg("put_jobs: %s", err);
		for (uint32_t i = 0; i < BATCH; i++)
			proto_free(&rdesc_acct_job, &b[i]);
	}
	free(b);
	assert_int_equal(db_int("SELECT count(*) FROM jobs"), TOTAL);

	struct acct_jobs out;
	char *jobs[] = {"54321"};
	struct acct_query q = {.jobs = jobs, .jobs_cnt = 1};
	query(s, &q, &out);
	assert_int_equal(out.jobs_cnt, 1);
	assert_int_equal(out.jobs[0].job_id, 54321);
	assert_string_equal(out.jobs[0].user_name, "user21");
	assert_int_equal(out.jobs[0].steps_cnt, 1);
	proto_free(&rdesc_acct_jobs, &out);

	char *users[] = {"user7"};
	q = (struct acct_query){.users = users, .users_cnt = 1};
	query(s, &q, &out);
	assert_int_equal(out.jobs_cnt, TOTAL / USERS);
	for (uint32_t i = 0; i < out.jobs_cnt; i++) {
		assert_int_equal(out.jobs[i].job_id % USERS, 7);
		assert_string_equal(out.jobs[i].user_name, "user7");
		if (i > 0)
			assert_true(out.jobs[i].job_id > out.jobs[i - 1].job_id);
	}
	proto_free(&rdesc_acct_jobs, &out);

	/* one user inside a window of 1,000 seconds: 10 jobs */
	q = (struct acct_query){.users = users, .users_cnt = 1, .start = 1050000, .end = 1050999};
	query(s, &q, &out);
	/* eligible <= 1050999 and ended >= 1050000: ids 49941..50999 */
	uint32_t expect = 0;
	for (uint32_t id = 1; id <= TOTAL; id++)
		if (id % USERS == 7 && 1000000 + id <= 1050999 && 1000000 + id + 60 >= 1050000)
			expect++;
	assert_int_equal(out.jobs_cnt, expect);
	proto_free(&rdesc_acct_jobs, &out);
	ops->close(s);
}

static void
tables_get(struct store *s, struct acct_tables *t)
{
	char err[512];
	if (ops->get_tables(s, t, err, sizeof(err)) < 0)
		fail_msg("get_tables: %s", err);
}

static void
tables_put(struct store *s, const struct acct_tables *t)
{
	char err[512];
	if (ops->put_tables(s, t, err, sizeof(err)) < 0)
		fail_msg("put_tables: %s", err);
}

/* packed bytes of two table sets are the same */
static void
assert_tables_equal(const struct acct_tables *a, const struct acct_tables *b)
{
	struct buf x, y;
	buf_init(&x);
	buf_init(&y);
	proto_pack(&rdesc_acct_tables, a, &x);
	proto_pack(&rdesc_acct_tables, b, &y);
	assert_int_equal(x.len, y.len);
	assert_memory_equal(x.data, y.data, x.len);
	buf_free(&x);
	buf_free(&y);
}

static void
mgr(struct acct_tables *t, unsigned op, unsigned entity, const char *names, const char *where)
{
	struct acct_mgr_req r = {.op = op, .entity = entity};
	if (names)
		strv_add(&r.names, &r.names_cnt, names);
	if (where)
		strv_add(&r.where, &r.where_cnt, where);
	struct buf text, err;
	buf_init(&text);
	buf_init(&err);
	int rc = acctmgr_apply(t, &r, 1000, &text, &err);
	if (rc != 0)
		fail_msg("acctmgr_apply: %s%s", buf_str(&text), buf_str(&err));
	buf_free(&text);
	buf_free(&err);
	proto_free(&rdesc_acct_mgr_req, &r);
}

/* sacctmgr's tables: stored whole, read back identical (strings, NULLs
 * and numbers), replaced whole, kept across a reopen. */
static void
test_tables(void **state)
{
	struct store *s = open_store();
	struct acct_tables t, got;
	tables_get(s, &t);
	assert_int_equal(t.clusters_cnt + t.accounts_cnt + t.users_cnt + t.assocs_cnt, 0);
	assert_int_equal(acctmgr_register(&t, "Axc", "127.0.0.1", 16817, 1000), 1);
	mgr(&t, ACCTMGR_ADD, ACCTMGR_ACCOUNT, "physics", "Description=Physics Dept");
	mgr(&t, ACCTMGR_ADD, ACCTMGR_USER, "alice", "Account=physics");
	tables_put(s, &t);
	tables_get(s, &got);
	assert_tables_equal(&t, &got);
	assert_int_equal(got.clusters_cnt, 1);
	assert_string_equal(got.clusters[0].name, "axc");
	assert_int_equal(got.clusters[0].control_port, 16817);
	assert_int_equal(got.accounts_cnt, 2);
	assert_int_equal(got.users_cnt, 2);
	assert_int_equal(got.assocs_cnt, 4);
	assert_null(got.assocs[0].user);
	proto_free(&rdesc_acct_tables, &got);

	/* delete replaces the stored rows */
	mgr(&t, ACCTMGR_DELETE, ACCTMGR_USER, "alice", NULL);
	tables_put(s, &t);
	ops->close(s);
	s = open_store();
	tables_get(s, &got);
	assert_tables_equal(&t, &got);
	assert_int_equal(got.users_cnt, 1);
	assert_int_equal(got.assocs_cnt, 3);
	proto_free(&rdesc_acct_tables, &got);
	proto_free(&rdesc_acct_tables, &t);
	ops->close(s);
}

/* Drop the columns that schema version 3 added (back to the version 2
 * tables). */
static void
drop_v3_columns(void)
{
	const struct rdesc *d[2] = {&rdesc_acct_job, &rdesc_acct_step};
	for (int t = 0; t < 2; t++)
		for (size_t i = 0; i < d[t]->nfields; i++) {
			if (d[t]->fields[i].kind == FK_ARR || store_field_version(d[t], i) != 3)
				continue;
			char sql[128];
			snprintf(sql, sizeof(sql), "ALTER TABLE %s DROP COLUMN %s", t ? "steps" : "jobs",
			    d[t]->fields[i].name);
			db_exec(sql);
		}
}

/* the usage fields of schema version 3 on a step */
static void
set_v3_usage(struct acct_step *st)
{
	st->usage_tasks = 2;
	st->max_rss_task = 1;
	st->max_rss_node = xstrdup("n2");
	st->max_vmsize_task = 0;
	st->max_vmsize_node = xstrdup("n1");
	st->ave_vmsize_kb = 5000;
	st->max_disk_read = 3ULL << 40; /* beyond 32 bits */
	st->max_disk_read_task = 1;
	st->max_disk_read_node = xstrdup("n2");
	st->ave_disk_read = 1ULL << 40;
	st->max_disk_write = 20971520;
	st->max_disk_write_task = 1;
	st->max_disk_write_node = xstrdup("n2");
	st->ave_disk_write = 10485760;
	st->min_cpu_us = 1500000;
	st->min_cpu_task = 0;
	st->min_cpu_node = xstrdup("n1");
	st->ave_cpu_us = 2500000;
}

/* The new fields of schema version 3 are stored and read back. */
static void
test_v3_fields_round_trip(void **state)
{
	struct store *s = open_store();
	struct acct_job j;
	make_job(&j, 77, "alice", JOB_COMPLETE, 1000, 2000);
	j.dependency = xstrdup("afterok:12,afternotok:13");
	add_step(&j, 0, JOB_COMPLETE);
	set_v3_usage(&j.steps[0]);
	put(s, &j);
	struct acct_query q = {0};
	struct acct_jobs out;
	query(s, &q, &out);
	assert_int_equal(out.jobs_cnt, 1);
	assert_string_equal(out.jobs[0].dependency, "afterok:12,afternotok:13");
	assert_int_equal(out.jobs[0].steps_cnt, 1);
	struct acct_step want;
	memset(&want, 0, sizeof(want));
	set_v3_usage(&want);
	const struct acct_step *got = &out.jobs[0].steps[0];
	assert_int_equal(got->max_rss_kb, 12345);
#define SAME(S, KIND, SUB, NAME) assert_true(got->NAME == want.NAME);
	USAGE_FIELDS(SAME, _)
#undef SAME
	assert_string_equal(got->max_rss_node, "n2");
	assert_string_equal(got->max_vmsize_node, "n1");
	assert_string_equal(got->max_disk_read_node, "n2");
	assert_string_equal(got->max_disk_write_node, "n2");
	assert_string_equal(got->min_cpu_node, "n1");
	proto_free(&rdesc_acct_step, &want);
	proto_free(&rdesc_acct_jobs, &out);
	ops->close(s);
}

/* A database of schema version 2 keeps its jobs and steps: the new
 * columns read as none (0, no node, no dependency), and new rows get
 * them.  SQLite: the version 2 tables are made here as that version made
 * them; MariaDB: the version 3 columns are dropped from a fresh database
 * and its last two migration steps forgotten. */
static void
test_migrate_from_v2(void **state)
{
	if (ops == &store_sqlite_ops) {
		db_exec("CREATE TABLE schema_version (version INTEGER NOT NULL, applied INTEGER NOT NULL);"
		        "INSERT INTO schema_version VALUES (1, 0), (2, 0);"
		        "CREATE TABLE jobs (id INTEGER PRIMARY KEY, cluster TEXT NOT NULL,"
		        " job_id INTEGER NOT NULL, array_job_id INTEGER, array_task_id INTEGER, name TEXT,"
		        " user_name TEXT, uid INTEGER, group_name TEXT, gid INTEGER, account TEXT,"
		        " partition TEXT, qos TEXT, state INTEGER, reason INTEGER, exit_code INTEGER,"
		        " derived_exit_code INTEGER, requid INTEGER, restarts INTEGER, priority INTEGER,"
		        " time_submit INTEGER NOT NULL, time_eligible INTEGER, time_start INTEGER,"
		        " time_end INTEGER, time_suspended INTEGER, timelimit INTEGER, nodes TEXT,"
		        " nnodes INTEGER, ncpus INTEGER, req_cpus INTEGER, req_mem_mb INTEGER,"
		        " req_nodes INTEGER, tres_alloc TEXT, tres_req TEXT, work_dir TEXT,"
		        " submit_line TEXT, constraints TEXT, comment TEXT, flags INTEGER,"
		        " UNIQUE (cluster, job_id, time_submit));"
		        "CREATE TABLE steps (job_db INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,"
		        " step_id INTEGER NOT NULL, name TEXT, nodes TEXT, nnodes INTEGER, ntasks INTEGER,"
		        " ncpus INTEGER, state INTEGER, exit_code INTEGER, requid INTEGER,"
		        " time_start INTEGER, time_end INTEGER, tres_alloc TEXT, max_rss_kb INTEGER,"
		        " ave_rss_kb INTEGER, max_vmsize_kb INTEGER, user_cpu_us INTEGER,"
		        " sys_cpu_us INTEGER, PRIMARY KEY (job_db, step_id));"
		        "CREATE TABLE clusters (name TEXT NOT NULL PRIMARY KEY, control_host TEXT,"
		        " control_port INTEGER, rpc_version INTEGER, time_created INTEGER);"
		        "CREATE TABLE accounts (name TEXT NOT NULL PRIMARY KEY, description TEXT,"
		        " organization TEXT);"
		        "CREATE TABLE users (name TEXT NOT NULL PRIMARY KEY, default_account TEXT,"
		        " admin_level INTEGER);"
		        "CREATE TABLE assocs (cluster TEXT NOT NULL, account TEXT NOT NULL, user TEXT,"
		        " partition TEXT, parent TEXT, shares INTEGER, qos TEXT, def_qos TEXT);"
		        "INSERT INTO jobs (id, cluster, job_id, name, user_name, state, time_submit,"
		        " time_eligible, time_start, time_end) VALUES (1, 'test', 42, 'old', 'bob', 3,"
		        " 990, 1000, 1001, 2000);"
		        "INSERT INTO steps (job_db, step_id, name, state, max_rss_kb, user_cpu_us)"
		        " VALUES (1, 0, 'step', 3, 4321, 250000);");
	} else {
		struct store *s = open_store();
		struct acct_job j;
		make_job(&j, 42, "bob", JOB_COMPLETE, 1000, 2000);
		add_step(&j, 0, JOB_COMPLETE);
		j.steps[0].max_rss_kb = 4321;
		j.steps[0].user_cpu_us = 250000;
		put(s, &j);
		ops->close(s);
		drop_v3_columns();
		db_exec("DELETE FROM schema_version WHERE step > 6");
	}
	struct store *s = open_store();
	assert_int_equal(db_int("SELECT max(version) FROM schema_version"), 3);
	assert_int_equal(db_int("SELECT count(*) FROM schema_version"), migration_rows);
	struct acct_query q = {0};
	struct acct_jobs out;
	query(s, &q, &out);
	assert_int_equal(out.jobs_cnt, 1);
	struct acct_job *o = &out.jobs[0];
	assert_int_equal(o->job_id, 42);
	assert_string_equal(o->user_name, "bob");
	assert_null(o->dependency);
	assert_int_equal(o->steps_cnt, 1);
	assert_int_equal(o->steps[0].max_rss_kb, 4321);
	assert_int_equal(o->steps[0].user_cpu_us, 250000);
	assert_int_equal(o->steps[0].usage_tasks, 0);
	assert_int_equal(o->steps[0].max_disk_write, 0);
	assert_int_equal(o->steps[0].max_rss_task, 0);
	assert_null(o->steps[0].max_rss_node);
	assert_null(o->steps[0].max_disk_write_node);
	proto_free(&rdesc_acct_jobs, &out);

	/* the migrated database takes the new fields */
	struct acct_job j;
	make_job(&j, 43, "bob", JOB_COMPLETE, 3000, 4000);
	j.dependency = xstrdup("afterok:42");
	add_step(&j, 0, JOB_COMPLETE);
	set_v3_usage(&j.steps[0]);
	put(s, &j);
	struct acct_query q43 = {0};
	char *jobs43[] = {(char *)"43"};
	q43.jobs = jobs43;
	q43.jobs_cnt = 1;
	query(s, &q43, &out);
	assert_int_equal(out.jobs_cnt, 1);
	assert_string_equal(out.jobs[0].dependency, "afterok:42");
	assert_int_equal(out.jobs[0].steps[0].max_disk_write, 20971520);
	assert_string_equal(out.jobs[0].steps[0].max_disk_write_node, "n2");
	proto_free(&rdesc_acct_jobs, &out);
	ops->close(s);
}

/* A database of schema version 1 (jobs only) gains the tables and keeps
 * its jobs. */
static void
test_migrate_from_v1(void **state)
{
	struct store *s = open_store();
	struct acct_job j;
	make_job(&j, 42, "bob", JOB_COMPLETE, 1000, 2000);
	put(s, &j);
	ops->close(s);
	db_exec("DROP TABLE clusters");
	db_exec("DROP TABLE accounts");
	db_exec("DROP TABLE users");
	db_exec("DROP TABLE assocs");
	drop_v3_columns();
	if (ops == &store_sqlite_ops)
		db_exec("DELETE FROM schema_version WHERE version >= 2");
	else
		db_exec("DELETE FROM schema_version WHERE step > 2");
	s = open_store();
	assert_int_equal(db_int("SELECT count(*) FROM schema_version"), migration_rows);
	struct acct_tables t;
	tables_get(s, &t);
	assert_int_equal(t.clusters_cnt, 0);
	acctmgr_register(&t, "c1", "10.0.0.1", 6817, 5);
	tables_put(s, &t);
	proto_free(&rdesc_acct_tables, &t);
	struct acct_query q = {0};
	struct acct_jobs out;
	query(s, &q, &out);
	assert_int_equal(out.jobs_cnt, 1);
	assert_int_equal(out.jobs[0].job_id, 42);
	proto_free(&rdesc_acct_jobs, &out);
	ops->close(s);
}

#ifdef HERD_TEST_MARIADB
static int
md_rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int
run_quiet(char *const argv[], const char *log)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		FILE *f = freopen(log, "a", stdout);
		if (f)
			dup2(fileno(f), 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char md_log[300], data_arg[320], sock_arg[320], pid_arg[320], log_arg[320];

/* Start mariadbd on md_port; 0 once it answers. */
static int
md_start(void)
{
	char port_s[32];
	const char *user = geteuid() == 0 ? "--user=root" : "--verbose";
	snprintf(port_s, sizeof(port_s), "--port=%u", md_port);
	md_pid = fork();
	if (md_pid < 0)
		return -1;
	if (md_pid == 0) {
		FILE *f = freopen(md_log, "a", stdout);
		if (f)
			dup2(fileno(f), 2);
		execlp("mariadbd", "mariadbd", "--no-defaults", data_arg, sock_arg, pid_arg, log_arg, port_s,
		    "--bind-address=127.0.0.1", user, "--skip-grant-tables", "--skip-name-resolve",
		    "--innodb-flush-log-at-trx-commit=2", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 1500; i++) {
		MYSQL *m = md_connect(NULL);
		if (m) {
			mysql_close(m);
			return 0;
		}
		int st;
		if (waitpid(md_pid, &st, WNOHANG) == md_pid) {
			md_pid = -1;
			print_message("mariadbd exited (see %s)\n", md_log);
			return -1;
		}
		usleep(20000);
	}
	print_message("mariadbd does not answer\n");
	return -1;
}

static void
md_stop(void)
{
	if (md_pid > 0) {
		kill(md_pid, SIGTERM);
		waitpid(md_pid, NULL, 0);
		md_pid = -1;
	}
}

/* A private mariadbd in a temporary directory on a loopback port;
 * every test then skips when none could be started. */
static int
md_group_setup(void **state)
{
	snprintf(md_dir, sizeof(md_dir), "/tmp/herd-test-mariadb-XXXXXX");
	if (mkdtemp(md_dir) == NULL)
		return 0;
	char data[300];
	snprintf(data, sizeof(data), "%s/data", md_dir);
	snprintf(md_log, sizeof(md_log), "%s/mariadb.log", md_dir);
	snprintf(data_arg, sizeof(data_arg), "--datadir=%s", data);
	snprintf(sock_arg, sizeof(sock_arg), "--socket=%s/sock", md_dir);
	snprintf(pid_arg, sizeof(pid_arg), "--pid-file=%s/pid", md_dir);
	snprintf(log_arg, sizeof(log_arg), "--log-error=%s", md_log);
	const char *user = geteuid() == 0 ? "--user=root" : "--verbose";
	char *install[] = {"mariadb-install-db", "--no-defaults", data_arg, (char *)user,
	    "--auth-root-authentication-method=normal", "--skip-test-db", NULL};
	if (run_quiet(install, md_log) != 0) {
		print_message("no MariaDB server here (mariadb-install-db failed): MariaDB tests skipped\n");
		return 0;
	}
	/* a free port */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return 0;
	close(fd);
	md_port = ntohs(sa.sin_port);
	if (md_start() < 0)
		print_message("MariaDB tests skipped\n");
	return 0;
}

static int
md_group_teardown(void **state)
{
	md_stop();
	if (md_dir[0])
		nftw(md_dir, md_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* The server goes away and comes back: the store reconnects. */
static void
test_reconnect(void **state)
{
	struct store *s = open_store();
	struct acct_job j;
	make_job(&j, 1, "alice", JOB_RUNNING, 1000, 0);
	put(s, &j);
	md_stop();
	char err[512] = "";
	make_job(&j, 2, "alice", JOB_PENDING, 1000, 0);
	assert_int_equal(store_put_job(ops, s, &j, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot connect"));
	assert_int_equal(md_start(), 0);
	put(s, &j);
	struct acct_query q = {0};
	struct acct_jobs out;
	query(s, &q, &out);
	assert_int_equal(out.jobs_cnt, 2);
	proto_free(&rdesc_acct_jobs, &out);
	ops->close(s);
}

/* A fresh database for each test. */
static int
md_setup(void **state)
{
	static int n;
	setup(state);
	ops = &store_mariadb_ops;
	migration_rows = 8;
	snprintf(md_db, sizeof(md_db), "herd_test_%d", ++n);
	sp = (struct store_params){.loc = md_db, .host = "127.0.0.1", .user = "root", .port = md_port};
	return 0;
}

/* Tests skip when no server could be started. */
#define MD_TEST(f) \
	static void md_##f(void **state) \
	{ \
		if (md_pid <= 0) \
			skip(); \
		f(state); \
	}
MD_TEST(test_migrate_fresh_and_reopen)
MD_TEST(test_newer_schema_refused)
MD_TEST(test_put_replace)
MD_TEST(test_filters)
MD_TEST(test_hundred_thousand)
MD_TEST(test_reconnect)
MD_TEST(test_tables)
MD_TEST(test_migrate_from_v1)
MD_TEST(test_migrate_from_v2)
MD_TEST(test_v3_fields_round_trip)
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_migrate_fresh_and_reopen, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_storage_types, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_storage_pass, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_filter_nodes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_put_replace, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hundred_thousand, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tables, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migrate_from_v1, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migrate_from_v2, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v3_fields_round_trip, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
#ifdef HERD_TEST_MARIADB
	const struct CMUnitTest md_tests[] = {
	    cmocka_unit_test_setup_teardown(md_test_migrate_fresh_and_reopen, md_setup, teardown),
	    cmocka_unit_test_setup_teardown(md_test_newer_schema_refused, md_setup, teardown),
	    cmocka_unit_test_setup_teardown(md_test_put_replace, md_setup, teardown),
	    cmocka_unit_test_setup_teardown(md_test_filters, md_setup, teardown),
	    cmocka_unit_test_setup_teardown(md_test_hundred_thousand, md_setup, teardown),
	    cmocka_unit_test_setup_teardown(md_test_reconnect, md_setup, teardown),
	    cmocka_unit_test_setup_teardown(md_test_tables, md_setup, teardown),
	    cmocka_unit_test_setup_teardown(md_test_migrate_from_v1, md_setup, teardown),
	    cmocka_unit_test_setup_teardown(md_test_migrate_from_v2, md_setup, teardown),
	    cmocka_unit_test_setup_teardown(md_test_v3_fields_round_trip, md_setup, teardown),
	};
	rc += cmocka_run_group_tests_name("mariadb", md_tests, md_group_setup, md_group_teardown);
#endif
	return rc;
}
