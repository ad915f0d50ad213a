/* SPDX-License-Identifier: MIT */
/*
 * herddbd's storage interface: one ops table per backend (SQLite now,
 * MariaDB later).  A backend creates and migrates its own schema at open;
 * put_job replaces a whole job row (cluster, job_id, time_submit) with its
 * steps; query applies an acct_query as sacct sent it; get_tables and
 * put_tables read and replace sacctmgr's association tables (small: they
 * are kept whole in herddbd's memory).
 */
#ifndef HERD_DBD_STORE_H
#define HERD_DBD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

/* acct_query.flags */
#define ACCT_QUERY_ALL_USERS 0x2U /* bit 1: every user's jobs requested */
#define ACCT_QUERY_NO_STEPS 0x4U /* the jobs only (sacct -X without step fields) */

/* schema version this herddbd writes.  A backend refuses a database of
 * a newer version (its schema_version says so), so an older herddbd never
 * writes rows it does not understand. */
#define STORE_SCHEMA_VERSION 3

struct store;

/* Where the data lives (slurmdbd.conf Storage*). */
struct store_params {
	const char *loc; /* StorageLoc: SQLite file / MariaDB database name */
	const char *host, *user, *pass; /* MariaDB */
	uint16_t port;
};

struct store_ops {
	const char *type; /* StorageType, e.g. "accounting_storage/sqlite" */
	/* NULL with a message in err on failure. */
	struct store *(*open)(const struct store_params *p, char *err, size_t errlen);
	/* Bring the schema to STORE_SCHEMA_VERSION.  0, or -1 with err. */
	int (*migrate)(struct store *s, char *err, size_t errlen);
	/* Upsert n jobs in one transaction.  0, or -1 with err. */
	int (*put_jobs)(struct store *s, const struct acct_job *jobs, size_t n, char *err, size_t errlen);
	/* Fill out (zeroed here) with the selected jobs and their steps,
	 * ordered by job_id then time_submit.  0, or -1 with err. */
	int (*query)(
	    struct store *s, const struct acct_query *q, struct acct_jobs *out, char *err, size_t errlen);
	/* The association tables of sacctmgr (clusters, accounts, users,
	 * associations): all of them into out (zeroed here).  0, or -1 with
	 * err. */
	int (*get_tables)(struct store *s, struct acct_tables *out, char *err, size_t errlen);
	/* Replace the association tables with t in one transaction.  0, or
	 * -1 with err (the stored tables are unchanged then). */
	int (*put_tables)(struct store *s, const struct acct_tables *t, char *err, size_t errlen);
	/* PurgeJobAfter / PurgeStepAfter: delete the jobs (with their steps)
	 * that ended before jobs_before, and the steps of jobs that ended
	 * before steps_before (0: keep).  The counts deleted go to *njobs and
	 * *nsteps.  0, or -1 with err. */
	int (*purge)(struct store *s, int64_t jobs_before, int64_t steps_before, uint64_t *njobs,
	    uint64_t *nsteps, char *err, size_t errlen);
	void (*close)(struct store *s);
};

extern const struct store_ops store_sqlite_ops;
/* weak: programs built without libmariadb (test_store) see NULL */
extern const struct store_ops store_mariadb_ops __attribute__((weak));

/* Ops for a StorageType; NULL with a message in err when unsupported. */
const struct store_ops *store_find(const char *storage_type, char *err, size_t errlen);

/* StoragePass, written once: "file:PATH" is the first line of PATH,
 * "env:NAME" the variable NAME; anything else is the password itself;
 * unset is $HERD_STORAGE_PASS or none.  *out is NULL or malloc'd.  0, or
 * -1 with a message in err. */
int store_resolve_pass(const char *conf_value, char **out, char *err, size_t errlen);

/* The order query returns: job id, then submit time. */
void store_sort_jobs(struct acct_jobs *out);

/* *max_span (the longest time_end - time_eligible stored, -1 while not
 * known) after storing jobs[0..n). */
void store_note_spans(int64_t *max_span, const struct acct_job *jobs, size_t n);

/* A Purge*After value ("12", "12months", "30days", "48hours"; a bare
 * number is months) as the time before which records go, from now; 0
 * for unset or "0" (keep everything).  0, or -1 with a message in err. */
int store_purge_time(const char *value, int64_t now, int64_t *before, char *err, size_t errlen);

/* acct_query.nodelist: keep the jobs that ran on at least one of those
 * nodes (applied after the backend's query).  NULL or "" keeps all.  0,
 * or -1 with a message in err for a bad node list. */
int store_filter_nodes(struct acct_jobs *jobs, const char *nodelist, char *err, size_t errlen);

/* The tables behind struct acct_tables, in its field order. */
struct store_table {
	const char *name;
	const struct rdesc *d;
	size_t arr_off, cnt_off; /* the array and its count in struct acct_tables */
};
extern const struct store_table store_tables[4];

/* The schema version whose migration added the column of field i of
 * rdesc_acct_job or rdesc_acct_step: 1 (the tables as first made), or 3
 * (usage with node and task of the maxima, disk I/O, MinCPU/AveCPU,
 * AveVMSize; the job's dependency), added by ALTER TABLE. */
int store_field_version(const struct rdesc *d, size_t i);

/* One job: put_jobs with n = 1. */
int store_put_job(
    const struct store_ops *ops, struct store *s, const struct acct_job *j, char *err, size_t errlen);

#endif
