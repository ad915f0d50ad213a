/* SPDX-License-Identifier: MIT */
/*
 * accounting_storage/sqlite: the embedded backend.  StorageLoc is the
 * database file.  WAL journal, a busy timeout, versioned migrations kept
 * in schema_version, prepared statements, one transaction per batch.
 * Columns are named after the fields of acct_job / acct_step
 * (records.h), so rows are bound and read back from the record
 * descriptors instead of by hand.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "proto/jobflags.h"
#include "store.h"

struct store {
	sqlite3 *db;
	sqlite3_stmt *put_job, *del_steps, *put_step;
	/* the longest time_end - time_eligible of a stored job, which bounds
	 * the eligible times a time window must look at; -1 until known */
	int64_t max_span;
};

static void serr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void
serr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Migration i brings the schema from version i to i + 1. */
static const char *const migrations[] = {
    /* 0 -> 1: jobs and steps */
    "CREATE TABLE jobs ("
    " id INTEGER PRIMARY KEY,"
    " \"cluster\" TEXT NOT NULL, \"job_id\" INTEGER NOT NULL,"
    " \"array_job_id\" INTEGER, \"array_task_id\" INTEGER, \"name\" TEXT,"
    " \"user_name\" TEXT, \"uid\" INTEGER, \"group_name\" TEXT, \"gid\" INTEGER,"
    " \"account\" TEXT, \"partition\" TEXT, \"qos\" TEXT, \"state\" INTEGER,"
    " \"reason\" INTEGER, \"exit_code\" INTEGER, \"derived_exit_code\" INTEGER,"
    " \"requid\" INTEGER, \"restarts\" INTEGER, \"priority\" INTEGER,"
    " \"time_submit\" INTEGER NOT NULL, \"time_eligible\" INTEGER, \"time_start\" INTEGER,"
    " \"time_end\" INTEGER, \"time_suspended\" INTEGER, \"timelimit\" INTEGER,"
    " \"nodes\" TEXT, \"nnodes\" INTEGER, \"ncpus\" INTEGER, \"req_cpus\" INTEGER,"
    " \"req_mem_mb\" INTEGER, \"req_nodes\" INTEGER, \"tres_alloc\" TEXT,"
    " \"tres_req\" TEXT, \"work_dir\" TEXT, \"submit_line\" TEXT,"
    " \"constraints\" TEXT, \"comment\" TEXT, \"flags\" INTEGER,"
    " UNIQUE (\"cluster\", \"job_id\", \"time_submit\"));"
    "CREATE INDEX jobs_job_id ON jobs (\"job_id\");"
    "CREATE INDEX jobs_array_job_id ON jobs (\"array_job_id\");"
    "CREATE INDEX jobs_user ON jobs (\"user_name\", \"time_eligible\");"
    "CREATE INDEX jobs_uid ON jobs (\"uid\", \"time_eligible\");"
    "CREATE INDEX jobs_eligible ON jobs (\"time_eligible\");"
    "CREATE INDEX jobs_end ON jobs (\"time_end\");"
    "CREATE TABLE steps ("
    " job_db INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,"
    " \"step_id\" INTEGER NOT NULL, \"name\" TEXT, \"nodes\" TEXT, \"nnodes\" INTEGER,"
    " \"ntasks\" INTEGER, \"ncpus\" INTEGER, \"state\" INTEGER, \"exit_code\" INTEGER,"
    " \"requid\" INTEGER, \"time_start\" INTEGER, \"time_end\" INTEGER,"
    " \"tres_alloc\" TEXT, \"max_rss_kb\" INTEGER, \"ave_rss_kb\" INTEGER,"
    " \"max_vmsize_kb\" INTEGER, \"user_cpu_us\" INTEGER, \"sys_cpu_us\" INTEGER,"
    " PRIMARY KEY (job_db, \"step_id\"));",
    /* 1 -> 2: sacctmgr's association tables */
    "CREATE TABLE clusters (\"name\" TEXT NOT NULL PRIMARY KEY, \"control_host\" TEXT,"
    " \"control_port\" INTEGER, \"rpc_version\" INTEGER, \"time_created\" INTEGER);"
    "CREATE TABLE accounts (\"name\" TEXT NOT NULL PRIMARY KEY, \"description\" TEXT,"
    " \"organization\" TEXT);"
    "CREATE TABLE users (\"name\" TEXT NOT NULL PRIMARY KEY, \"default_account\" TEXT,"
    " \"admin_level\" INTEGER);"
    "CREATE TABLE assocs (\"cluster\" TEXT NOT NULL, \"account\" TEXT NOT NULL, \"user\" TEXT,"
    " \"partition\" TEXT, \"parent\" TEXT, \"shares\" INTEGER, \"qos\" TEXT, \"def_qos\" TEXT);",
    /* 2 -> 3: new columns of jobs and steps (added_columns) */
    NULL,
};
#define NMIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))
_Static_assert(NMIGRATIONS == STORE_SCHEMA_VERSION, "one migration per schema version");

static int
exec_sql(struct store *s, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		serr(err, errlen, "sqlite: %s", msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static struct store *
sq_open(const struct store_params *p, char *err, size_t errlen)
{
	const char *loc = p->loc;
	if (loc == NULL || *loc == '\0') {
		serr(err, errlen, "StorageLoc: no database file");
		return NULL;
	}
	struct store *s = xcalloc(1, sizeof(*s));
	int rc = sqlite3_open_v2(
	    loc, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		serr(err, errlen, "cannot open database %s: %s", loc,
		    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		sqlite3_close(s->db);
		free(s);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, 10000);
	s->max_span = -1;
	if (exec_sql(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", err,
	        errlen) < 0) {
		sqlite3_close(s->db);
		free(s);
		return NULL;
	}
	return s;
}

static int
schema_version(struct store *s, int *version, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(
	        s->db, "SELECT coalesce(max(version), 0) FROM schema_version", -1, &st, NULL) != SQLITE_OK) {
		serr(err, errlen, "sqlite: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	else
		serr(err, errlen, "sqlite: %s", sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* ALTER TABLE for the columns that schema version v added; the old rows
 * get NULL there, read back as 0 or no string */
static char *
added_columns(int v)
{
	struct buf b;
	buf_init(&b);
	const struct rdesc *d[2] = {&rdesc_acct_job, &rdesc_acct_step};
	for (int t = 0; t < 2; t++)
		for (size_t i = 0; i < d[t]->nfields; i++) {
			const struct fdesc *f = &d[t]->fields[i];
			if (f->kind == FK_ARR || f->kind == FK_STRV || f->kind == FK_BYTES ||
			    store_field_version(d[t], i) != v)
				continue;
			buf_printf(&b, "ALTER TABLE %s ADD COLUMN \"%s\" %s;", t ? "steps" : "jobs", f->name,
			    f->kind == FK_STR ? "TEXT" : "INTEGER");
		}
	return buf_take(&b);
}

static int
sq_migrate(struct store *s, char *err, size_t errlen)
{
	if (exec_sql(s, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	int version = 0;
	if (exec_sql(s,
	        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied INTEGER NOT "
	        "NULL)",
	        err, errlen) < 0 ||
	    schema_version(s, &version, err, errlen) < 0)
		goto fail;
	if (version > STORE_SCHEMA_VERSION) {
		serr(err, errlen, "database schema version %d is newer than this herddbd's (%d)", version,
		    STORE_SCHEMA_VERSION);
		goto fail;
	}
	for (int v = version; v < STORE_SCHEMA_VERSION; v++) {
		char *gen = migrations[v] ? NULL : added_columns(v + 1);
		int r = exec_sql(s, gen ? gen : migrations[v], err, errlen);
		free(gen);
		if (r < 0)
			goto fail;
		char sql[128];
		snprintf(sql, sizeof(sql),
		    "INSERT INTO schema_version (version, applied) VALUES (%d, strftime('%%s','now'))",
		    v + 1);
		if (exec_sql(s, sql, err, errlen) < 0)
			goto fail;
		log_info("database schema migrated to version %d", v + 1);
	}
	if (exec_sql(s, "COMMIT", err, errlen) < 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* "c1", "c2", ... from a record's scalar fields; the ARR ones are skipped */
static void
column_list(const struct rdesc *d, struct buf *cols, struct buf *params, struct buf *update)
{
	int first = 1;
	for (size_t i = 0; i < d->nfields; i++) {
		const struct fdesc *f = &d->fields[i];
		if (f->kind == FK_ARR || f->kind == FK_STRV || f->kind == FK_BYTES)
			continue;
		if (cols)
			buf_printf(cols, "%s\"%s\"", first ? "" : ", ", f->name);
		if (params)
			buf_printf(params, "%s?", first ? "" : ", ");
		if (update)
			buf_printf(update, "%s\"%s\" = excluded.\"%s\"", first ? "" : ", ", f->name, f->name);
		first = 0;
	}
}

/* Bind the scalar fields of rec from parameter first on. */
static int
bind_record(sqlite3_stmt *st, int first, const struct rdesc *d, const void *rec)
{
	int p = first;
	const char *base = rec;
	for (size_t i = 0; i < d->nfields; i++) {
		const struct fdesc *f = &d->fields[i];
		const void *v = base + f->off;
		int rc = SQLITE_OK;
		switch (f->kind) {
		case FK_U32:
			rc = sqlite3_bind_int64(st, p++, *(const uint32_t *)v);
			break;
		case FK_U64:
			rc = sqlite3_bind_int64(st, p++, (sqlite3_int64) * (const uint64_t *)v);
			break;
		case FK_I32:
			rc = sqlite3_bind_int64(st, p++, *(const int32_t *)v);
			break;
		case FK_I64:
			rc = sqlite3_bind_int64(st, p++, *(const int64_t *)v);
			break;
		case FK_STR: {
			const char *str = *(char *const *)v;
			rc = str ? sqlite3_bind_text(st, p++, str, -1, SQLITE_STATIC)
			         : sqlite3_bind_null(st, p++);
			break;
		}
		default:
			break;
		}
		if (rc != SQLITE_OK)
			return -1;
	}
	return 0;
}

/* Read the scalar fields of rec from columns first on. */
static void
read_record(sqlite3_stmt *st, int first, const struct rdesc *d, void *rec)
{
	int c = first;
	char *base = rec;
	for (size_t i = 0; i < d->nfields; i++) {
		const struct fdesc *f = &d->fields[i];
		void *v = base + f->off;
		switch (f->kind) {
		case FK_U32:
			*(uint32_t *)v = (uint32_t)sqlite3_column_int64(st, c++);
			break;
		case FK_U64:
			*(uint64_t *)v = (uint64_t)sqlite3_column_int64(st, c++);
			break;
		case FK_I32:
			*(int32_t *)v = (int32_t)sqlite3_column_int64(st, c++);
			break;
		case FK_I64:
			*(int64_t *)v = sqlite3_column_int64(st, c++);
			break;
		case FK_STR: {
			const unsigned char *t = sqlite3_column_text(st, c++);
			*(char **)v = t ? xstrdup((const char *)t) : NULL;
			break;
		}
		default:
			break;
		}
	}
}

static int
prepare(struct store *s, sqlite3_stmt **st, const char *sql, char *err, size_t errlen)
{
	if (*st)
		return 0;
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK) {
		serr(err, errlen, "sqlite: %s", sqlite3_errmsg(s->db));
		*st = NULL;
		return -1;
	}
	return 0;
}

static int
prepare_put(struct store *s, char *err, size_t errlen)
{
	if (s->put_job && s->put_step && s->del_steps)
		return 0;
	struct buf cols, params, upd, sql;
	buf_init(&cols);
	buf_init(&params);
	buf_init(&upd);
	buf_init(&sql);
	column_list(&rdesc_acct_job, &cols, &params, &upd);
	buf_printf(&sql,
	    "INSERT INTO jobs (%s) VALUES (%s) ON CONFLICT (\"cluster\", \"job_id\", \"time_submit\") "
	    "DO UPDATE SET %s RETURNING id",
	    buf_str(&cols), buf_str(&params), buf_str(&upd));
	int rc = prepare(s, &s->put_job, buf_str(&sql), err, errlen);
	buf_reset(&cols);
	buf_reset(&params);
	buf_reset(&sql);
	column_list(&rdesc_acct_step, &cols, &params, NULL);
	buf_printf(&sql, "INSERT OR REPLACE INTO steps (job_db, %s) VALUES (?, %s)", buf_str(&cols),
	    buf_str(&params));
	if (rc == 0)
		rc = prepare(s, &s->put_step, buf_str(&sql), err, errlen);
	if (rc == 0)
		rc = prepare(s, &s->del_steps, "DELETE FROM steps WHERE job_db = ?", err, errlen);
	buf_free(&cols);
	buf_free(&params);
	buf_free(&upd);
	buf_free(&sql);
	return rc;
}

static int
put_one(struct store *s, const struct acct_job *j, char *err, size_t errlen)
{
	if (j->cluster == NULL) {
		serr(err, errlen, "job %u: no cluster name", j->job_id);
		return -1;
	}
	/* a partial record updates the steps it has and keeps the others */
	struct acct_job row = *j;
	row.flags &= ~ACCT_JOB_STEPS_PARTIAL;
	sqlite3_reset(s->put_job);
	sqlite3_clear_bindings(s->put_job);
	if (bind_record(s->put_job, 1, &rdesc_acct_job, &row) < 0 || sqlite3_step(s->put_job) != SQLITE_ROW)
		goto sqlerr;
	sqlite3_int64 id = sqlite3_column_int64(s->put_job, 0);
	sqlite3_reset(s->put_job);
	sqlite3_reset(s->del_steps);
	sqlite3_bind_int64(s->del_steps, 1, id);
	if (!(j->flags & ACCT_JOB_STEPS_PARTIAL) && sqlite3_step(s->del_steps) != SQLITE_DONE)
		goto sqlerr;
	for (uint32_t i = 0; i < j->steps_cnt; i++) {
		sqlite3_reset(s->put_step);
		sqlite3_clear_bindings(s->put_step);
		sqlite3_bind_int64(s->put_step, 1, id);
		if (bind_record(s->put_step, 2, &rdesc_acct_step, &j->steps[i]) < 0 ||
		    sqlite3_step(s->put_step) != SQLITE_DONE)
			goto sqlerr;
	}
	sqlite3_reset(s->put_step);
	return 0;
sqlerr:
	serr(err, errlen, "job %u: sqlite: %s", j->job_id, sqlite3_errmsg(s->db));
	sqlite3_reset(s->put_job);
	sqlite3_reset(s->put_step);
	sqlite3_reset(s->del_steps);
	return -1;
}

static int
sq_put_jobs(struct store *s, const struct acct_job *jobs, size_t n, char *err, size_t errlen)
{
	if (prepare_put(s, err, errlen) < 0)
		return -1;
	if (exec_sql(s, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (put_one(s, &jobs[i], err, errlen) < 0) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	if (exec_sql(s, "COMMIT", err, errlen) < 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	store_note_spans(&s->max_span, jobs, n);
	return 0;
}

/* Bound values of the query under construction. */
struct qargs {
	struct buf sql;
	int nargs;
	int kind[64 + 6 * 256];
	sqlite3_int64 num[64 + 6 * 256];
	const char *text[64 + 6 * 256];
};

static int
qarg_num(struct qargs *a, sqlite3_int64 v)
{
	if (a->nargs >= (int)(sizeof(a->kind) / sizeof(a->kind[0])))
		return -1;
	a->kind[a->nargs] = 0;
	a->num[a->nargs++] = v;
	return 0;
}

static int
qarg_text(struct qargs *a, const char *v)
{
	if (a->nargs >= (int)(sizeof(a->kind) / sizeof(a->kind[0])))
		return -1;
	a->kind[a->nargs] = 1;
	a->text[a->nargs++] = v;
	return 0;
}

/* AND "col" IN (?, ...) for a list of names */
static int
where_in_text(struct qargs *a, const char *col, char **v, uint32_t cnt)
{
	if (cnt == 0)
		return 0;
	buf_printf(&a->sql, " AND \"%s\" IN (", col);
	for (uint32_t i = 0; i < cnt; i++) {
		buf_printf(&a->sql, "%s?", i ? ", " : "");
		if (qarg_text(a, v[i] ? v[i] : "") < 0)
			return -1;
	}
	buf_printf(&a->sql, ")");
	return 0;
}

static int
parse_u32(const char *s, const char **end, uint32_t *out)
{
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	char *e;
	unsigned long v = strtoul(s, &e, 10);
	if (errno || v > 0xffffffffUL)
		return -1;
	*out = (uint32_t)v;
	*end = e;
	return 0;
}

static int
where_jobs(struct qargs *a, char **v, uint32_t cnt, char *err, size_t errlen)
{
	if (cnt == 0)
		return 0;
	buf_printf(&a->sql, " AND (");
	for (uint32_t i = 0; i < cnt; i++) {
		uint32_t id, task;
		const char *e;
		if (parse_u32(v[i], &e, &id) < 0 || (*e != '\0' && *e != '_')) {
			serr(err, errlen, "Invalid job id: %s", v[i] ? v[i] : "");
			return -1;
		}
		if (*e == '_') {
			const char *e2;
			if (parse_u32(e + 1, &e2, &task) < 0 || *e2 != '\0') {
				serr(err, errlen, "Invalid job id: %s", v[i]);
				return -1;
			}
			buf_printf(
			    &a->sql, "%s(\"array_job_id\" = ? AND \"array_task_id\" = ?)", i ? " OR " : "");
			if (qarg_num(a, id) < 0 || qarg_num(a, task) < 0)
				goto many;
		} else {
			buf_printf(&a->sql, "%s\"job_id\" = ? OR \"array_job_id\" = ?", i ? " OR " : "");
			if (qarg_num(a, id) < 0 || qarg_num(a, id) < 0)
				goto many;
		}
	}
	buf_printf(&a->sql, ")");
	return 0;
many:
	serr(err, errlen, "too many selection values");
	return -1;
}

static int
where_states(struct qargs *a, char **v, uint32_t cnt, char *err, size_t errlen)
{
	if (cnt == 0)
		return 0;
	buf_printf(&a->sql, " AND (\"state\" & 255) IN (");
	for (uint32_t i = 0; i < cnt; i++) {
		uint32_t st;
		const char *e;
		if (parse_u32(v[i], &e, &st) < 0 || *e != '\0') {
			serr(err, errlen, "Invalid state: %s", v[i] ? v[i] : "");
			return -1;
		}
		buf_printf(&a->sql, "%s?", i ? ", " : "");
		if (qarg_num(a, st) < 0) {
			serr(err, errlen, "too many selection values");
			return -1;
		}
	}
	buf_printf(&a->sql, ")");
	return 0;
}

/* the longest run of a stored job (one scan, then kept up to date by
 * sq_put_jobs); -1 when it cannot be read */
static int64_t
max_span(struct store *s)
{
	if (s->max_span >= 0)
		return s->max_span;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
	        "SELECT coalesce(max(\"time_end\" - \"time_eligible\"), 0) FROM jobs"
	        " WHERE \"time_end\" > 0 AND \"time_eligible\" > 0",
	        -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		int64_t v = sqlite3_column_int64(st, 0);
		s->max_span = v < 0 ? 0 : v;
	}
	sqlite3_finalize(st);
	return s->max_span;
}

/* The WHERE clause of a query (after "WHERE") with its arguments. */
static int
query_where(struct store *s, struct qargs *a, const struct acct_query *q, char *err, size_t errlen)
{
	buf_printf(&a->sql, "1");
	if (where_in_text(a, "user_name", q->users, q->users_cnt) < 0 ||
	    where_in_text(a, "partition", q->partitions, q->partitions_cnt) < 0 ||
	    where_in_text(a, "name", q->names, q->names_cnt) < 0 ||
	    where_in_text(a, "account", q->accounts, q->accounts_cnt) < 0) {
		serr(err, errlen, "too many selection values");
		return -1;
	}
	if (where_jobs(a, q->jobs, q->jobs_cnt, err, errlen) < 0 ||
	    where_states(a, q->states, q->states_cnt, err, errlen) < 0)
		return -1;
	/* eligible or running inside [start, end]; a job that was never
	 * eligible (held, then cancelled) only by its id */
	int64_t span = q->jobs_cnt == 0 && q->start > 0 && q->end > 0 ? max_span(s) : -1;
	if (span >= 0) {
		/* ended jobs: eligible no earlier than start - the longest run,
		 * so the eligible index reads only the window; jobs still
		 * running or pending through the end index */
		int64_t lo = q->start - span > 1 ? q->start - span : 1;
		buf_printf(&a->sql, " AND ((\"time_eligible\" BETWEEN ? AND ? AND \"time_end\" >= ?) OR"
		                    " (\"time_end\" = 0 AND \"time_eligible\" BETWEEN 1 AND ?))");
		if (qarg_num(a, lo) < 0 || qarg_num(a, q->end) < 0 || qarg_num(a, q->start) < 0 ||
		    qarg_num(a, q->end) < 0)
			goto many;
		return 0;
	}
	if (q->jobs_cnt == 0)
		buf_printf(&a->sql, " AND \"time_eligible\" > 0");
	if (q->end > 0) {
		buf_printf(&a->sql, " AND \"time_eligible\" <= ?");
		if (qarg_num(a, q->end) < 0)
			goto many;
	}
	if (q->start > 0) {
		buf_printf(&a->sql, " AND (\"time_end\" = 0 OR \"time_end\" >= ?)");
		if (qarg_num(a, q->start) < 0)
			goto many;
	}
	return 0;
many:
	serr(err, errlen, "too many selection values");
	return -1;
}

/* sql with the arguments of a bound */
static int
query_prepare(
    struct store *s, const char *sql, const struct qargs *a, sqlite3_stmt **st, char *err, size_t errlen)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
		serr(err, errlen, "sqlite: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	for (int i = 0; i < a->nargs; i++) {
		if (a->kind[i] == 0)
			sqlite3_bind_int64(*st, i + 1, a->num[i]);
		else
			sqlite3_bind_text(*st, i + 1, a->text[i], -1, SQLITE_STATIC);
	}
	return 0;
}

/* a job's row id and its index in the reply */
struct job_ref {
	sqlite3_int64 id;
	uint32_t idx;
};

static int
cmp_ref(const void *x, const void *y)
{
	const struct job_ref *a = x, *b = y;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* The steps of every selected job in one pass (the selection again as a
 * subquery), attached by row id. */
static int
load_steps(struct store *s, const char *where, const struct qargs *a, struct job_ref *refs,
    struct acct_jobs *out, char *err, size_t errlen)
{
	qsort(refs, out->jobs_cnt, sizeof(*refs), cmp_ref);
	struct buf cols, sql;
	buf_init(&cols);
	buf_init(&sql);
	column_list(&rdesc_acct_step, &cols, NULL, NULL);
	buf_printf(&sql,
	    "SELECT job_db, %s FROM steps WHERE job_db IN (SELECT id FROM jobs WHERE %s)"
	    " ORDER BY job_db, \"step_id\"",
	    buf_str(&cols), where);
	buf_free(&cols);
	sqlite3_stmt *st = NULL;
	int rc = query_prepare(s, buf_str(&sql), a, &st, err, errlen);
	uint32_t k = 0, cap = 0;
	struct acct_job *j = NULL;
	int step = SQLITE_DONE;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(st, 0);
		if (j == NULL || refs[k].id != id) {
			while (k < out->jobs_cnt && refs[k].id < id)
				k++;
			if (k == out->jobs_cnt || refs[k].id != id)
				continue; /* stored after the jobs were read */
			j = &out->jobs[refs[k].idx];
			cap = 0;
		}
		if (j->steps_cnt >= cap) {
			cap = cap ? cap * 2 : 4;
			if (cap <= j->steps_cnt)
				cap = j->steps_cnt * 2;
			j->steps = xreallocarray(j->steps, cap, sizeof(*j->steps));
		}
		struct acct_step *x = &j->steps[j->steps_cnt++];
		memset(x, 0, sizeof(*x));
		read_record(st, 1, &rdesc_acct_step, x);
	}
	if (rc == 0 && step != SQLITE_DONE) {
		serr(err, errlen, "sqlite: %s", sqlite3_errmsg(s->db));
		rc = -1;
	}
	sqlite3_finalize(st);
	buf_free(&sql);
	return rc;
}

static int
sq_query(struct store *s, const struct acct_query *q, struct acct_jobs *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct qargs *a = xcalloc(1, sizeof(*a));
	buf_init(&a->sql);
	struct buf cols, sql;
	buf_init(&cols);
	buf_init(&sql);
	int rc = -1;
	sqlite3_stmt *st = NULL;
	struct job_ref *refs = NULL;
	/* one read transaction: the rows and their steps agree */
	sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);
	if (query_where(s, a, q, err, errlen) < 0)
		goto out;
	column_list(&rdesc_acct_job, &cols, NULL, NULL);
	buf_printf(&sql, "SELECT id, %s FROM jobs WHERE %s", buf_str(&cols), buf_str(&a->sql));
	if (query_prepare(s, buf_str(&sql), a, &st, err, errlen) < 0)
		goto out;
	uint32_t cap = 0;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->jobs_cnt == cap) {
			cap = cap ? cap * 2 : 16;
			out->jobs = xreallocarray(out->jobs, cap, sizeof(*out->jobs));
			refs = xreallocarray(refs, cap, sizeof(*refs));
		}
		refs[out->jobs_cnt] = (struct job_ref){sqlite3_column_int64(st, 0), out->jobs_cnt};
		struct acct_job *j = &out->jobs[out->jobs_cnt++];
		memset(j, 0, sizeof(*j));
		read_record(st, 1, &rdesc_acct_job, j);
	}
	if (step != SQLITE_DONE) {
		serr(err, errlen, "sqlite: %s", sqlite3_errmsg(s->db));
		goto out;
	}
	if (out->jobs_cnt && !(q->flags & ACCT_QUERY_NO_STEPS) &&
	    load_steps(s, buf_str(&a->sql), a, refs, out, err, errlen) < 0)
		goto out;
	/* job id, then submit time (the rows came in index order) */
	store_sort_jobs(out);
	rc = 0;
out:
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(st);
	buf_free(&a->sql);
	buf_free(&sql);
	buf_free(&cols);
	free(a);
	free(refs);
	if (rc < 0) {
		proto_free(&rdesc_acct_jobs, out);
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

static int
sq_get_tables(struct store *s, struct acct_tables *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	int rc = 0;
	sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);
	for (size_t t = 0; t < 4 && rc == 0; t++) {
		const struct store_table *tab = &store_tables[t];
		void **arr = (void **)((char *)out + tab->arr_off);
		uint32_t *cnt = (uint32_t *)((char *)out + tab->cnt_off);
		struct buf cols, sql;
		buf_init(&cols);
		buf_init(&sql);
		column_list(tab->d, &cols, NULL, NULL);
		buf_printf(&sql, "SELECT %s FROM %s ORDER BY rowid", buf_str(&cols), tab->name);
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(s->db, buf_str(&sql), -1, &st, NULL) != SQLITE_OK) {
			serr(err, errlen, "sqlite: %s", sqlite3_errmsg(s->db));
			rc = -1;
		}
		int step;
		uint32_t cap = 0;
		while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
			if (*cnt == cap) {
				cap = cap ? cap * 2 : 8;
				*arr = xreallocarray(*arr, cap, tab->d->size);
			}
			void *row = (char *)*arr + (size_t)(*cnt)++ * tab->d->size;
			memset(row, 0, tab->d->size);
			read_record(st, 0, tab->d, row);
		}
		if (rc == 0 && step != SQLITE_DONE) {
			serr(err, errlen, "sqlite: %s", sqlite3_errmsg(s->db));
			rc = -1;
		}
		sqlite3_finalize(st);
		buf_free(&cols);
		buf_free(&sql);
	}
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc < 0) {
		proto_free(&rdesc_acct_tables, out);
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

static int
sq_put_tables(struct store *s, const struct acct_tables *t, char *err, size_t errlen)
{
	*err = '\0';
	if (exec_sql(s, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	int rc = 0;
	for (size_t k = 0; k < 4 && rc == 0; k++) {
		const struct store_table *tab = &store_tables[k];
		const char *arr = *(char *const *)((const char *)t + tab->arr_off);
		uint32_t cnt = *(const uint32_t *)((const char *)t + tab->cnt_off);
		struct buf cols, params, sql;
		buf_init(&cols);
		buf_init(&params);
		buf_init(&sql);
		column_list(tab->d, &cols, &params, NULL);
		buf_printf(&sql, "DELETE FROM %s", tab->name);
		rc = exec_sql(s, buf_str(&sql), err, errlen);
		buf_reset(&sql);
		buf_printf(
		    &sql, "INSERT INTO %s (%s) VALUES (%s)", tab->name, buf_str(&cols), buf_str(&params));
		sqlite3_stmt *st = NULL;
		if (rc == 0 && sqlite3_prepare_v2(s->db, buf_str(&sql), -1, &st, NULL) != SQLITE_OK)
			rc = -1;
		for (uint32_t i = 0; rc == 0 && i < cnt; i++) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			if (bind_record(st, 1, tab->d, arr + (size_t)i * tab->d->size) < 0 ||
			    sqlite3_step(st) != SQLITE_DONE)
				rc = -1;
		}
		if (rc < 0 && *err == '\0')
			serr(err, errlen, "sqlite: %s", sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		buf_free(&cols);
		buf_free(&params);
		buf_free(&sql);
	}
	if (rc == 0 && exec_sql(s, "COMMIT", err, errlen) == 0)
		return 0;
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int
sq_purge(struct store *s, int64_t jobs_before, int64_t steps_before, uint64_t *njobs, uint64_t *nsteps,
    char *err, size_t errlen)
{
	*njobs = *nsteps = 0;
	if (exec_sql(s, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	static const char *const sql[2] = {
	    "DELETE FROM steps WHERE job_db IN (SELECT id FROM jobs WHERE \"time_end\" > 0 AND "
	    "\"time_end\" < ?)",
	    "DELETE FROM jobs WHERE \"time_end\" > 0 AND \"time_end\" < ?"};
	/* the steps of jobs that go, or only steps; then the jobs */
	int64_t steps_at = steps_before > jobs_before ? steps_before : jobs_before;
	int64_t at[2] = {steps_at, jobs_before};
	uint64_t *count[2] = {nsteps, njobs};
	int rc = 0;
	for (int i = 0; i < 2 && rc == 0; i++) {
		if (at[i] <= 0)
			continue;
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(s->db, sql[i], -1, &st, NULL) != SQLITE_OK) {
			rc = -1;
		} else {
			sqlite3_bind_int64(st, 1, at[i]);
			if (sqlite3_step(st) == SQLITE_DONE)
				*count[i] = (uint64_t)sqlite3_changes(s->db);
			else
				rc = -1;
		}
		if (rc < 0)
			serr(err, errlen, "sqlite: %s", sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
	}
	if (rc == 0 && exec_sql(s, "COMMIT", err, errlen) == 0)
		return 0;
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static void
sq_close(struct store *s)
{
	if (s == NULL)
		return;
	sqlite3_finalize(s->put_job);
	sqlite3_finalize(s->del_steps);
	sqlite3_finalize(s->put_step);
	sqlite3_close(s->db);
	free(s);
}

const struct store_ops store_sqlite_ops = {
    .type = "accounting_storage/sqlite",
    .open = sq_open,
    .migrate = sq_migrate,
    .put_jobs = sq_put_jobs,
    .query = sq_query,
    .get_tables = sq_get_tables,
    .put_tables = sq_put_tables,
    .purge = sq_purge,
    .close = sq_close,
};
