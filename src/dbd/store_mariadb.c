/* SPDX-License-Identifier: MIT */
/*
 * accounting_storage/mysql: MariaDB/MySQL through libmariadb.  StorageLoc
 * is the database (created if missing), StorageHost/Port/User/Pass the
 * server.  The schema mirrors the SQLite one: columns named after the
 * fields of acct_job / acct_step, generated from the record descriptors;
 * versioned migrations in schema_version under a server lock so that two
 * herddbd never migrate at once; prepared statements for writes, one
 * transaction per batch.  Identifiers are double-quoted (ANSI_QUOTES).
 */
#include <errno.h>
#include <mysql.h>
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
	MYSQL *db;
	MYSQL_STMT *put_job, *del_steps, *put_step;
	char *host, *user, *pass, *loc;
	uint16_t port;
	int down; /* the server is away (said once) */
	/* the longest time_end - time_eligible of a stored job, which bounds
	 * the eligible times a time window must look at; -1 until known */
	int64_t max_span;
};

static void merr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void
merr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
is_scalar(const struct fdesc *f)
{
	return f->kind == FK_U32 || f->kind == FK_U64 || f->kind == FK_I32 || f->kind == FK_I64 ||
	       f->kind == FK_STR;
}

static int
run(struct store *s, const char *sql, char *err, size_t errlen)
{
	if (mysql_query(s->db, sql) != 0) {
		merr(err, errlen, "mysql: %s", mysql_error(s->db));
		return -1;
	}
	/* drain a result set, if any */
	MYSQL_RES *r = mysql_store_result(s->db);
	if (r)
		mysql_free_result(r);
	return 0;
}

/* The columns of a record's scalar fields that schema version v added:
 * ", name type" each (the CREATE TABLE body), or with add set ", ADD
 * COLUMN name type" each (ALTER TABLE) */
static void
columns_ddl(const struct rdesc *d, struct buf *b, int v, int add)
{
	for (size_t i = 0; i < d->nfields; i++) {
		const struct fdesc *f = &d->fields[i];
		if (!is_scalar(f) || store_field_version(d, i) != v)
			continue;
		if (strcmp(f->name, "cluster") == 0)
			buf_printf(b, ", \"%s\" VARCHAR(255) NOT NULL", f->name);
		else
			buf_printf(b, ", %s\"%s\" %s", add ? "ADD COLUMN " : "", f->name,
			    f->kind == FK_STR ? "TEXT" : "BIGINT");
	}
}

static char *
migration(int v)
{
	struct buf b;
	buf_init(&b);
	switch (v) {
	case 0:
		buf_printf(&b, "CREATE TABLE jobs (id BIGINT AUTO_INCREMENT PRIMARY KEY");
		columns_ddl(&rdesc_acct_job, &b, 1, 0);
		buf_printf(&b,
		    ", UNIQUE KEY jobs_key (\"cluster\", \"job_id\", \"time_submit\"),"
		    " KEY jobs_job_id (\"job_id\"), KEY jobs_array_job_id (\"array_job_id\"),"
		    " KEY jobs_user (\"user_name\"(64), \"time_eligible\"),"
		    " KEY jobs_uid (\"uid\", \"time_eligible\"), KEY jobs_eligible (\"time_eligible\"),"
		    " KEY jobs_end (\"time_end\")) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
		    "COLLATE=utf8mb4_bin");
		break;
	case 1:
		buf_printf(&b, "CREATE TABLE steps (job_db BIGINT NOT NULL");
		columns_ddl(&rdesc_acct_step, &b, 1, 0);
		buf_printf(&b, ", PRIMARY KEY (job_db, \"step_id\"),"
		               " FOREIGN KEY (job_db) REFERENCES jobs (id) ON DELETE CASCADE)"
		               " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
		break;
	/* version 2: sacctmgr's association tables */
	case 2:
		buf_printf(&b, "CREATE TABLE clusters (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
		               " \"name\" VARCHAR(255) NOT NULL UNIQUE,"
		               " \"control_host\" TEXT, \"control_port\" BIGINT, \"rpc_version\" BIGINT,"
		               " \"time_created\" BIGINT)");
		break;
	case 3:
		buf_printf(&b, "CREATE TABLE accounts (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
		               " \"name\" VARCHAR(255) NOT NULL UNIQUE,"
		               " \"description\" TEXT, \"organization\" TEXT)");
		break;
	case 4:
		buf_printf(&b, "CREATE TABLE users (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
		               " \"name\" VARCHAR(255) NOT NULL UNIQUE,"
		               " \"default_account\" TEXT, \"admin_level\" BIGINT)");
		break;
	case 5:
		buf_printf(&b, "CREATE TABLE assocs (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
		               " \"cluster\" VARCHAR(255) NOT NULL, \"account\" VARCHAR(255) NOT NULL,"
		               " \"user\" TEXT, \"partition\" TEXT, \"parent\" TEXT, \"shares\" BIGINT,"
		               " \"qos\" TEXT, \"def_qos\" TEXT)");
		break;
	/* version 3: new columns of jobs and steps (the first ", " cut) */
	case 6:
	case 7: {
		struct buf cols;
		buf_init(&cols);
		columns_ddl(v == 6 ? &rdesc_acct_job : &rdesc_acct_step, &cols, 3, 1);
		buf_printf(&b, "ALTER TABLE %s%s", v == 6 ? "jobs" : "steps", buf_str(&cols) + 1);
		buf_free(&cols);
		return buf_take(&b);
	}
	default:
		buf_free(&b);
		return NULL;
	}
	if (v >= 2)
		buf_printf(&b, " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
	return buf_take(&b);
}

/* DDL commits by itself in MariaDB, so a schema version here is a list
 * of statements; versions are steps of that list. */
#define MARIADB_MIGRATIONS 8
static const int version_of_migration[MARIADB_MIGRATIONS] = {1, 1, 2, 2, 2, 2, 3, 3};

static void
drop_conn(struct store *s)
{
	if (s->put_job)
		mysql_stmt_close(s->put_job);
	if (s->del_steps)
		mysql_stmt_close(s->del_steps);
	if (s->put_step)
		mysql_stmt_close(s->put_step);
	s->put_job = s->del_steps = s->put_step = NULL;
	if (s->db)
		mysql_close(s->db);
	s->db = NULL;
}

static void
md_close(struct store *s)
{
	if (s == NULL)
		return;
	drop_conn(s);
	free(s->host);
	free(s->user);
	free(s->pass);
	free(s->loc);
	free(s);
}

/* Connect, create the database if missing, set the session up. */
static int
md_connect(struct store *s, char *err, size_t errlen)
{
	s->db = mysql_init(NULL);
	if (s->db == NULL) {
		merr(err, errlen, "mysql_init failed");
		return -1;
	}
	unsigned timeout = 10;
	mysql_optionsv(s->db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_optionsv(s->db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (mysql_real_connect(s->db, s->host, s->user, s->pass, NULL, s->port, NULL, 0) == NULL) {
		merr(err, errlen, "cannot connect to %s:%u as %s: %s", s->host ? s->host : "localhost",
		    s->port, s->user ? s->user : "(current user)", mysql_error(s->db));
		drop_conn(s);
		return -1;
	}
	char sql[256];
	snprintf(sql, sizeof(sql), "CREATE DATABASE IF NOT EXISTS `%s`", s->loc);
	*err = '\0';
	if (run(s, sql, err, errlen) < 0 || mysql_select_db(s->db, s->loc) != 0 ||
	    run(s, "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')", err, errlen) < 0 ||
	    run(s, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", err, errlen) < 0) {
		if (*err == '\0')
			merr(err, errlen, "mysql: %s", mysql_error(s->db));
		drop_conn(s);
		return -1;
	}
	return 0;
}

static struct store *
md_open(const struct store_params *p, char *err, size_t errlen)
{
	const char *loc = p->loc && *p->loc ? p->loc : "slurm_acct_db";
	if (strchr(loc, '`') != NULL || strlen(loc) > 64) {
		merr(err, errlen, "StorageLoc %s: not a database name", loc);
		return NULL;
	}
	struct store *s = xcalloc(1, sizeof(*s));
	s->max_span = -1;
	s->host = xstrdup(p->host);
	s->user = xstrdup(p->user);
	s->pass = xstrdup(p->pass);
	s->loc = xstrdup(loc);
	s->port = p->port;
	if (md_connect(s, err, errlen) < 0) {
		md_close(s);
		return NULL;
	}
	return s;
}

/* The server may have restarted since the last request: check the
 * connection and make a new one when it is gone. */
static int
md_alive(struct store *s, char *err, size_t errlen)
{
	if (s->db && mysql_ping(s->db) == 0)
		return 0;
	if (!s->down)
		log_warnx("connection to the database lost%s%s: reconnecting", s->db ? ": " : "",
		    s->db ? mysql_error(s->db) : "");
	drop_conn(s);
	if (md_connect(s, err, errlen) < 0) {
		s->down = 1;
		return -1;
	}
	log_info("reconnected to the database at %s:%u", s->host ? s->host : "localhost", s->port);
	s->down = 0;
	return 0;
}

static long long
query_int(struct store *s, const char *sql, int *ok)
{
	*ok = 0;
	if (mysql_query(s->db, sql) != 0)
		return 0;
	MYSQL_RES *r = mysql_store_result(s->db);
	if (r == NULL)
		return 0;
	MYSQL_ROW row = mysql_fetch_row(r);
	long long v = row && row[0] ? strtoll(row[0], NULL, 10) : 0;
	*ok = row != NULL;
	mysql_free_result(r);
	return v;
}

static int
md_migrate(struct store *s, char *err, size_t errlen)
{
	int ok;
	if (query_int(s, "SELECT GET_LOCK('herddbd_schema', 60)", &ok) != 1 || !ok) {
		merr(err, errlen, "cannot take the schema lock: %s", mysql_error(s->db));
		return -1;
	}
	int rc = -1;
	if (run(s,
	        "CREATE TABLE IF NOT EXISTS schema_version (step INT NOT NULL PRIMARY KEY,"
	        " version INT NOT NULL, applied BIGINT NOT NULL) ENGINE=InnoDB",
	        err, errlen) < 0)
		goto out;
	long long version = query_int(s, "SELECT COALESCE(MAX(version), 0) FROM schema_version", &ok);
	long long done = query_int(s, "SELECT COUNT(*) FROM schema_version", &ok);
	if (!ok) {
		merr(err, errlen, "mysql: %s", mysql_error(s->db));
		goto out;
	}
	if (version > STORE_SCHEMA_VERSION || done > MARIADB_MIGRATIONS) {
		merr(err, errlen, "database schema version %lld is newer than this herddbd's (%d)", version,
		    STORE_SCHEMA_VERSION);
		goto out;
	}
	for (long long i = done; i < MARIADB_MIGRATIONS; i++) {
		char *ddl = migration((int)i);
		int r = run(s, ddl, err, errlen);
		free(ddl);
		if (r < 0)
			goto out;
		char sql[160];
		snprintf(sql, sizeof(sql),
		    "INSERT INTO schema_version (step, version, applied) VALUES (%lld, %d, UNIX_TIMESTAMP())",
		    i + 1, version_of_migration[i]);
		if (run(s, sql, err, errlen) < 0)
			goto out;
		log_info("database schema migration step %lld applied (version %d)", i + 1,
		    version_of_migration[i]);
	}
	rc = 0;
out:
	query_int(s, "SELECT RELEASE_LOCK('herddbd_schema')", &ok);
	return rc;
}

/* Parameters of one record: value storage for its MYSQL_BINDs. */
struct rbind {
	MYSQL_BIND b[64];
	long long num[64];
	my_bool isnull[64];
	unsigned long len[64];
	size_t n;
};

static void
rbind_record(struct rbind *rb, const struct rdesc *d, const void *rec)
{
	const char *base = rec;
	for (size_t i = 0; i < d->nfields && rb->n < 64; i++) {
		const struct fdesc *f = &d->fields[i];
		if (!is_scalar(f))
			continue;
		size_t k = rb->n++;
		MYSQL_BIND *b = &rb->b[k];
		memset(b, 0, sizeof(*b));
		const void *v = base + f->off;
		rb->isnull[k] = 0;
		b->is_null = &rb->isnull[k];
		if (f->kind == FK_STR) {
			const char *str = *(char *const *)v;
			b->buffer_type = MYSQL_TYPE_STRING;
			if (str == NULL)
				rb->isnull[k] = 1;
			rb->len[k] = str ? strlen(str) : 0;
			b->buffer = (void *)(str ? str : "");
			b->buffer_length = rb->len[k];
			b->length = &rb->len[k];
			continue;
		}
		b->buffer_type = MYSQL_TYPE_LONGLONG;
		b->buffer = &rb->num[k];
		switch (f->kind) {
		case FK_U32:
			rb->num[k] = *(const uint32_t *)v;
			break;
		case FK_U64:
			rb->num[k] = (long long)*(const uint64_t *)v;
			break;
		case FK_I32:
			rb->num[k] = *(const int32_t *)v;
			break;
		default:
			rb->num[k] = *(const int64_t *)v;
			break;
		}
	}
}

static int
prepare(struct store *s, MYSQL_STMT **st, const char *sql, char *err, size_t errlen)
{
	if (*st)
		return 0;
	*st = mysql_stmt_init(s->db);
	if (*st == NULL || mysql_stmt_prepare(*st, sql, strlen(sql)) != 0) {
		merr(err, errlen, "mysql: %s", *st ? mysql_stmt_error(*st) : mysql_error(s->db));
		if (*st)
			mysql_stmt_close(*st);
		*st = NULL;
		return -1;
	}
	return 0;
}

static void
column_names(const struct rdesc *d, struct buf *cols, struct buf *params, struct buf *upd)
{
	int first = 1;
	for (size_t i = 0; i < d->nfields; i++) {
		const struct fdesc *f = &d->fields[i];
		if (!is_scalar(f))
			continue;
		if (cols)
			buf_printf(cols, "%s\"%s\"", first ? "" : ", ", f->name);
		if (params)
			buf_printf(params, "%s?", first ? "" : ", ");
		if (upd)
			buf_printf(upd, "%s\"%s\" = VALUES(\"%s\")", first ? "" : ", ", f->name, f->name);
		first = 0;
	}
}

static int
prepare_put(struct store *s, char *err, size_t errlen)
{
	if (s->put_job && s->del_steps && s->put_step)
		return 0;
	struct buf c, p, u, q;
	buf_init(&c);
	buf_init(&p);
	buf_init(&u);
	buf_init(&q);
	column_names(&rdesc_acct_job, &c, &p, &u);
	buf_printf(&q,
	    "INSERT INTO jobs (%s) VALUES (%s) ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), %s",
	    buf_str(&c), buf_str(&p), buf_str(&u));
	int rc = prepare(s, &s->put_job, buf_str(&q), err, errlen);
	buf_reset(&c);
	buf_reset(&p);
	buf_reset(&q);
	column_names(&rdesc_acct_step, &c, &p, NULL);
	buf_printf(&q, "REPLACE INTO steps (job_db, %s) VALUES (?, %s)", buf_str(&c), buf_str(&p));
	if (rc == 0)
		rc = prepare(s, &s->put_step, buf_str(&q), err, errlen);
	if (rc == 0)
		rc = prepare(s, &s->del_steps, "DELETE FROM steps WHERE job_db = ?", err, errlen);
	buf_free(&c);
	buf_free(&p);
	buf_free(&u);
	buf_free(&q);
	return rc;
}

static int
exec_stmt(MYSQL_STMT *st, MYSQL_BIND *b)
{
	return mysql_stmt_bind_param(st, b) == 0 && mysql_stmt_execute(st) == 0 ? 0 : -1;
}

static int
put_one(struct store *s, const struct acct_job *j, char *err, size_t errlen)
{
	if (j->cluster == NULL) {
		merr(err, errlen, "job %u: no cluster name", j->job_id);
		return -1;
	}
	/* a partial record updates the steps it has and keeps the others */
	struct acct_job row = *j;
	row.flags &= ~ACCT_JOB_STEPS_PARTIAL;
	struct rbind rb = {0};
	rbind_record(&rb, &rdesc_acct_job, &row);
	if (exec_stmt(s->put_job, rb.b) < 0) {
		merr(err, errlen, "job %u: mysql: %s", j->job_id, mysql_stmt_error(s->put_job));
		return -1;
	}
	long long id = (long long)mysql_stmt_insert_id(s->put_job);
	MYSQL_BIND idb;
	memset(&idb, 0, sizeof(idb));
	idb.buffer_type = MYSQL_TYPE_LONGLONG;
	idb.buffer = &id;
	if (!(j->flags & ACCT_JOB_STEPS_PARTIAL) && exec_stmt(s->del_steps, &idb) < 0) {
		merr(err, errlen, "job %u: mysql: %s", j->job_id, mysql_stmt_error(s->del_steps));
		return -1;
	}
	for (uint32_t i = 0; i < j->steps_cnt; i++) {
		struct rbind sb = {0};
		sb.n = 1;
		sb.b[0] = idb;
		rbind_record(&sb, &rdesc_acct_step, &j->steps[i]);
		if (exec_stmt(s->put_step, sb.b) < 0) {
			merr(err, errlen, "job %u: mysql: %s", j->job_id, mysql_stmt_error(s->put_step));
			return -1;
		}
	}
	return 0;
}

static int
md_put_jobs(struct store *s, const struct acct_job *jobs, size_t n, char *err, size_t errlen)
{
	if (md_alive(s, err, errlen) < 0 || prepare_put(s, err, errlen) < 0)
		return -1;
	if (mysql_autocommit(s->db, 0) != 0) {
		merr(err, errlen, "mysql: %s", mysql_error(s->db));
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = put_one(s, &jobs[i], err, errlen);
	if (rc == 0 && mysql_commit(s->db) != 0) {
		merr(err, errlen, "mysql: %s", mysql_error(s->db));
		rc = -1;
	}
	if (rc < 0)
		mysql_rollback(s->db);
	mysql_autocommit(s->db, 1);
	if (rc == 0)
		store_note_spans(&s->max_span, jobs, n);
	return rc;
}

/* the longest run of a stored job (one scan, then kept up to date by
 * md_put_jobs); -1 when it cannot be read */
static int64_t
max_span(struct store *s)
{
	if (s->max_span >= 0)
		return s->max_span;
	if (mysql_query(s->db, "SELECT COALESCE(MAX(\"time_end\" - \"time_eligible\"), 0) FROM jobs"
	                       " WHERE \"time_end\" > 0 AND \"time_eligible\" > 0") != 0)
		return -1;
	MYSQL_RES *r = mysql_store_result(s->db);
	MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
	if (row && row[0]) {
		long long v = strtoll(row[0], NULL, 10);
		s->max_span = v < 0 ? 0 : v;
	}
	if (r)
		mysql_free_result(r);
	return s->max_span;
}

static void
add_text(struct store *s, struct buf *q, const char *v)
{
	size_t n = strlen(v);
	char *e = xmalloc(2 * n + 1);
	mysql_real_escape_string(s->db, e, v, (unsigned long)n);
	buf_printf(q, "'%s'", e);
	free(e);
}

static void
where_in(struct store *s, struct buf *q, const char *col, char **v, uint32_t cnt)
{
	if (cnt == 0)
		return;
	buf_printf(q, " AND \"%s\" IN (", col);
	for (uint32_t i = 0; i < cnt; i++) {
		if (i)
			buf_printf(q, ", ");
		add_text(s, q, v[i] ? v[i] : "");
	}
	buf_printf(q, ")");
}

static int
parse_u32(const char *p, const char **end, unsigned long *out)
{
	if (p == NULL || *p < '0' || *p > '9')
		return -1;
	errno = 0;
	char *e;
	unsigned long v = strtoul(p, &e, 10);
	if (errno || v > 0xffffffffUL)
		return -1;
	*out = v;
	*end = e;
	return 0;
}

static int
build_where(struct store *s, const struct acct_query *q, struct buf *w, char *err, size_t errlen)
{
	buf_printf(w, " WHERE 1");
	where_in(s, w, "user_name", q->users, q->users_cnt);
	where_in(s, w, "partition", q->partitions, q->partitions_cnt);
	where_in(s, w, "name", q->names, q->names_cnt);
	where_in(s, w, "account", q->accounts, q->accounts_cnt);
	if (q->jobs_cnt) {
		buf_printf(w, " AND (");
		for (uint32_t i = 0; i < q->jobs_cnt; i++) {
			unsigned long id, task;
			const char *e, *e2;
			if (parse_u32(q->jobs[i], &e, &id) < 0 ||
			    (*e == '_' ? parse_u32(e + 1, &e2, &task) < 0 || *e2 != '\0' : *e != '\0')) {
				merr(err, errlen, "Invalid job id: %s", q->jobs[i] ? q->jobs[i] : "");
				return -1;
			}
			if (*e == '_')
				buf_printf(w, "%s(\"array_job_id\" = %lu AND \"array_task_id\" = %lu)",
				    i ? " OR " : "", id, task);
			else
				buf_printf(w, "%s\"job_id\" = %lu OR \"array_job_id\" = %lu", i ? " OR " : "",
				    id, id);
		}
		buf_printf(w, ")");
	}
	if (q->states_cnt) {
		buf_printf(w, " AND (\"state\" & 255) IN (");
		for (uint32_t i = 0; i < q->states_cnt; i++) {
			unsigned long st;
			const char *e;
			if (parse_u32(q->states[i], &e, &st) < 0 || *e != '\0') {
				merr(err, errlen, "Invalid state: %s", q->states[i] ? q->states[i] : "");
				return -1;
			}
			buf_printf(w, "%s%lu", i ? ", " : "", st);
		}
		buf_printf(w, ")");
	}
	/* eligible or running inside [start, end]: ended jobs eligible no
	 * earlier than start - the longest run (the eligible index reads only
	 * the window), jobs still running or pending through the end index */
	int64_t span = q->jobs_cnt == 0 && q->start > 0 && q->end > 0 ? max_span(s) : -1;
	if (span >= 0) {
		long long lo = q->start - span > 1 ? q->start - span : 1;
		buf_printf(w,
		    " AND ((\"time_eligible\" BETWEEN %lld AND %lld AND \"time_end\" >= %lld) OR"
		    " (\"time_end\" = 0 AND \"time_eligible\" BETWEEN 1 AND %lld))",
		    lo, (long long)q->end, (long long)q->start, (long long)q->end);
		return 0;
	}
	/* a job that was never eligible (held, then cancelled) only by its id */
	if (q->jobs_cnt == 0)
		buf_printf(w, " AND \"time_eligible\" > 0");
	if (q->end > 0)
		buf_printf(w, " AND \"time_eligible\" <= %lld", (long long)q->end);
	if (q->start > 0)
		buf_printf(w, " AND (\"time_end\" = 0 OR \"time_end\" >= %lld)", (long long)q->start);
	return 0;
}

/* Fill rec's scalar fields from a text row starting at column first. */
static void
read_row(MYSQL_ROW row, size_t first, const struct rdesc *d, void *rec)
{
	size_t c = first;
	char *base = rec;
	for (size_t i = 0; i < d->nfields; i++) {
		const struct fdesc *f = &d->fields[i];
		if (!is_scalar(f))
			continue;
		const char *t = row[c++];
		void *v = base + f->off;
		long long n = t ? strtoll(t, NULL, 10) : 0;
		switch (f->kind) {
		case FK_STR:
			*(char **)v = xstrdup(t);
			break;
		case FK_U32:
			*(uint32_t *)v = (uint32_t)n;
			break;
		case FK_U64:
			*(uint64_t *)v = (uint64_t)n;
			break;
		case FK_I32:
			*(int32_t *)v = (int32_t)n;
			break;
		default:
			*(int64_t *)v = n;
			break;
		}
	}
}

struct idx {
	long long id;
	uint32_t i;
};

static int
idx_cmp(const void *a, const void *b)
{
	const struct idx *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int
md_query(struct store *s, const struct acct_query *q, struct acct_jobs *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct buf w, sql, cols;
	buf_init(&w);
	buf_init(&sql);
	buf_init(&cols);
	struct idx *ids = NULL;
	int rc = -1;
	if (md_alive(s, err, errlen) < 0) {
		buf_free(&w);
		buf_free(&sql);
		buf_free(&cols);
		return -1;
	}
	if (build_where(s, q, &w, err, errlen) < 0)
		goto done;
	column_names(&rdesc_acct_job, &cols, NULL, NULL);
	buf_printf(&sql, "SELECT id, %s FROM jobs%s", buf_str(&cols), buf_str(&w));
	if (run(s, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", err, errlen) < 0)
		goto done;
	if (mysql_query(s->db, buf_str(&sql)) != 0) {
		merr(err, errlen, "mysql: %s", mysql_error(s->db));
		goto done;
	}
	/* rows streamed as they come (not copied into a result set first) */
	MYSQL_RES *r = mysql_use_result(s->db);
	if (r == NULL) {
		merr(err, errlen, "mysql: %s", mysql_error(s->db));
		goto done;
	}
	MYSQL_ROW row;
	uint32_t cap = 0;
	while ((row = mysql_fetch_row(r)) != NULL) {
		if (out->jobs_cnt == cap) {
			cap = cap ? cap * 2 : 64;
			out->jobs = xreallocarray(out->jobs, cap, sizeof(*out->jobs));
			ids = xreallocarray(ids, cap, sizeof(*ids));
		}
		uint32_t i = out->jobs_cnt++;
		memset(&out->jobs[i], 0, sizeof(out->jobs[i]));
		ids[i].id = strtoll(row[0], NULL, 10);
		ids[i].i = i;
		read_row(row, 1, &rdesc_acct_job, &out->jobs[i]);
	}
	int failed = mysql_errno(s->db) != 0;
	if (failed)
		merr(err, errlen, "mysql: %s", mysql_error(s->db));
	mysql_free_result(r);
	if (failed)
		goto done;
	if (out->jobs_cnt > 0 && !(q->flags & ACCT_QUERY_NO_STEPS)) {
		/* every step of the selected jobs in one statement */
		qsort(ids, out->jobs_cnt, sizeof(*ids), idx_cmp);
		buf_reset(&cols);
		buf_reset(&sql);
		column_names(&rdesc_acct_step, &cols, NULL, NULL);
		buf_printf(&sql,
		    "SELECT job_db, %s FROM steps WHERE job_db IN (SELECT id FROM jobs%s)"
		    " ORDER BY job_db, \"step_id\"",
		    buf_str(&cols), buf_str(&w));
		if (mysql_query(s->db, buf_str(&sql)) != 0 || (r = mysql_use_result(s->db)) == NULL) {
			merr(err, errlen, "mysql: %s", mysql_error(s->db));
			goto done;
		}
		while ((row = mysql_fetch_row(r)) != NULL) {
			struct idx key = {.id = strtoll(row[0], NULL, 10)};
			struct idx *hit = bsearch(&key, ids, out->jobs_cnt, sizeof(*ids), idx_cmp);
			if (hit == NULL)
				continue; /* a job inserted since the first statement */
			struct acct_job *j = &out->jobs[hit->i];
			j->steps = xreallocarray(j->steps, j->steps_cnt + 1, sizeof(*j->steps));
			struct acct_step *st = &j->steps[j->steps_cnt++];
			memset(st, 0, sizeof(*st));
			read_row(row, 1, &rdesc_acct_step, st);
		}
		int bad = mysql_errno(s->db) != 0;
		if (bad)
			merr(err, errlen, "mysql: %s", mysql_error(s->db));
		mysql_free_result(r);
		if (bad)
			goto done;
	}
	/* job id, then submit time (the rows came in index order) */
	store_sort_jobs(out);
	rc = 0;
done:
	char scratch[256];
	run(s, "COMMIT", scratch, sizeof(scratch));
	free(ids);
	buf_free(&w);
	buf_free(&sql);
	buf_free(&cols);
	if (rc < 0)
		proto_free(&rdesc_acct_jobs, out);
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

static int
md_get_tables(struct store *s, struct acct_tables *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (md_alive(s, err, errlen) < 0)
		return -1;
	int rc = 0;
	for (size_t t = 0; t < 4 && rc == 0; t++) {
		const struct store_table *tab = &store_tables[t];
		void **arr = (void **)((char *)out + tab->arr_off);
		uint32_t *cnt = (uint32_t *)((char *)out + tab->cnt_off);
		struct buf cols, sql;
		buf_init(&cols);
		buf_init(&sql);
		column_names(tab->d, &cols, NULL, NULL);
		/* rows come back in the order they were stored */
		buf_printf(&sql, "SELECT %s FROM %s ORDER BY id", buf_str(&cols), tab->name);
		MYSQL_RES *r = NULL;
		if (mysql_query(s->db, buf_str(&sql)) != 0 || (r = mysql_store_result(s->db)) == NULL) {
			merr(err, errlen, "mysql: %s", mysql_error(s->db));
			rc = -1;
		}
		if (rc == 0) {
			uint64_t n = mysql_num_rows(r);
			*arr = xcalloc(n ? n : 1, tab->d->size);
			MYSQL_ROW row;
			while ((row = mysql_fetch_row(r)) != NULL && *cnt < n)
				read_row(row, 0, tab->d, (char *)*arr + (size_t)(*cnt)++ * tab->d->size);
			mysql_free_result(r);
		}
		buf_free(&cols);
		buf_free(&sql);
	}
	if (rc < 0) {
		proto_free(&rdesc_acct_tables, out);
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

static int
md_put_tables(struct store *s, const struct acct_tables *t, char *err, size_t errlen)
{
	if (md_alive(s, err, errlen) < 0)
		return -1;
	if (mysql_autocommit(s->db, 0) != 0) {
		merr(err, errlen, "mysql: %s", mysql_error(s->db));
		return -1;
	}
	int rc = 0;
	for (size_t k = 0; k < 4 && rc == 0; k++) {
		const struct store_table *tab = &store_tables[k];
		const char *arr = *(char *const *)((const char *)t + tab->arr_off);
		uint32_t cnt = *(const uint32_t *)((const char *)t + tab->cnt_off);
		struct buf c, p, q;
		buf_init(&c);
		buf_init(&p);
		buf_init(&q);
		column_names(tab->d, &c, &p, NULL);
		buf_printf(&q, "DELETE FROM %s", tab->name);
		rc = run(s, buf_str(&q), err, errlen);
		buf_reset(&q);
		buf_printf(&q, "INSERT INTO %s (%s) VALUES (%s)", tab->name, buf_str(&c), buf_str(&p));
		MYSQL_STMT *st = NULL;
		if (rc == 0)
			rc = prepare(s, &st, buf_str(&q), err, errlen);
		for (uint32_t i = 0; rc == 0 && i < cnt; i++) {
			struct rbind rb = {0};
			rbind_record(&rb, tab->d, arr + (size_t)i * tab->d->size);
			if (exec_stmt(st, rb.b) < 0) {
				merr(err, errlen, "mysql: %s", mysql_stmt_error(st));
				rc = -1;
			}
		}
		if (st)
			mysql_stmt_close(st);
		buf_free(&c);
		buf_free(&p);
		buf_free(&q);
	}
	if (rc == 0 && mysql_commit(s->db) != 0) {
		merr(err, errlen, "mysql: %s", mysql_error(s->db));
		rc = -1;
	}
	if (rc < 0)
		mysql_rollback(s->db);
	mysql_autocommit(s->db, 1);
	return rc;
}

static int
md_purge(struct store *s, int64_t jobs_before, int64_t steps_before, uint64_t *njobs, uint64_t *nsteps,
    char *err, size_t errlen)
{
	*njobs = *nsteps = 0;
	if (md_alive(s, err, errlen) < 0)
		return -1;
	int64_t steps_at = steps_before > jobs_before ? steps_before : jobs_before;
	char q[256];
	if (steps_at > 0) {
		snprintf(q, sizeof(q),
		    "DELETE steps FROM steps JOIN jobs ON steps.job_db = jobs.id"
		    " WHERE jobs.\"time_end\" > 0 AND jobs.\"time_end\" < %lld",
		    (long long)steps_at);
		if (mysql_query(s->db, q) != 0) {
			merr(err, errlen, "mysql: %s", mysql_error(s->db));
			return -1;
		}
		*nsteps = (uint64_t)mysql_affected_rows(s->db);
	}
	if (jobs_before > 0) {
		snprintf(q, sizeof(q), "DELETE FROM jobs WHERE \"time_end\" > 0 AND \"time_end\" < %lld",
		    (long long)jobs_before);
		if (mysql_query(s->db, q) != 0) {
			merr(err, errlen, "mysql: %s", mysql_error(s->db));
			return -1;
		}
		*njobs = (uint64_t)mysql_affected_rows(s->db);
	}
	return 0;
}

const struct store_ops store_mariadb_ops = {
    .type = "accounting_storage/mysql",
    .open = md_open,
    .migrate = md_migrate,
    .put_jobs = md_put_jobs,
    .query = md_query,
    .get_tables = md_get_tables,
    .put_tables = md_put_tables,
    .purge = md_purge,
    .close = md_close,
};
