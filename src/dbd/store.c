/* SPDX-License-Identifier: MIT */
/*
 * StorageType -> backend: accounting_storage/sqlite, and
 * accounting_storage/mysql (MariaDB) where libmariadb is linked in.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>

#include "base/xmalloc.h"
#include "hostlist/hostlist.h"

#include "store.h"

const struct store_table store_tables[4] = {
    {"clusters", &rdesc_acct_cluster, offsetof(struct acct_tables, clusters),
        offsetof(struct acct_tables, clusters_cnt)},
    {"accounts", &rdesc_acct_account, offsetof(struct acct_tables, accounts),
        offsetof(struct acct_tables, accounts_cnt)},
    {"users", &rdesc_acct_user, offsetof(struct acct_tables, users), offsetof(struct acct_tables, users_cnt)},
    {"assocs", &rdesc_acct_assoc, offsetof(struct acct_tables, assocs),
        offsetof(struct acct_tables, assocs_cnt)},
};

const struct store_ops *
store_find(const char *storage_type, char *err, size_t errlen)
{
	if (storage_type == NULL) {
		snprintf(err, errlen, "StorageType is not set");
		return NULL;
	}
	if (strcmp(storage_type, store_sqlite_ops.type) == 0)
		return &store_sqlite_ops;
	if (strcmp(storage_type, "accounting_storage/mysql") == 0) {
		if (&store_mariadb_ops != NULL)
			return &store_mariadb_ops;
		snprintf(err, errlen, "StorageType accounting_storage/mysql: MariaDB backend not built yet");
		return NULL;
	}
	snprintf(err, errlen,
	    "StorageType %s is not supported (use accounting_storage/sqlite or accounting_storage/mysql)",
	    storage_type);
	return NULL;
}

int
store_put_job(
    const struct store_ops *ops, struct store *s, const struct acct_job *j, char *err, size_t errlen)
{
	return ops->put_jobs(s, j, 1, err, errlen);
}

int
store_resolve_pass(const char *v, char **out, char *err, size_t errlen)
{
	*out = NULL;
	if (v == NULL) {
		const char *e = getenv("HERD_STORAGE_PASS");
		*out = e ? xstrdup(e) : NULL;
		return 0;
	}
	if (strncmp(v, "env:", 4) == 0) {
		const char *e = getenv(v + 4);
		if (e == NULL) {
			snprintf(err, errlen, "StoragePass %s: variable %s is not set", v, v + 4);
			return -1;
		}
		*out = xstrdup(e);
		return 0;
	}
	if (strncmp(v, "file:", 5) == 0) {
		FILE *f = fopen(v + 5, "r");
		if (f == NULL) {
			snprintf(err, errlen, "StoragePass %s: %s", v, strerror(errno));
			return -1;
		}
		char line[1024];
		if (fgets(line, sizeof(line), f) == NULL)
			line[0] = '\0';
		fclose(f);
		line[strcspn(line, "\r\n")] = '\0';
		*out = xstrdup(line);
		return 0;
	}
	*out = xstrdup(v);
	return 0;
}

int
store_filter_nodes(struct acct_jobs *jobs, const char *nodelist, char *err, size_t errlen)
{
	if (nodelist == NULL || *nodelist == '\0')
		return 0;
	struct hostlist *want = hostlist_create(nodelist);
	if (want == NULL) {
		snprintf(err, errlen, "Invalid node list: %s", nodelist);
		return -1;
	}
	uint32_t kept = 0;
	for (uint32_t i = 0; i < jobs->jobs_cnt; i++) {
		struct acct_job *j = &jobs->jobs[i];
		int match = 0;
		struct hostlist *hl = j->nodes && *j->nodes ? hostlist_create(j->nodes) : NULL;
		for (size_t k = 0; hl && k < hostlist_count(hl) && !match; k++)
			match = hostlist_find(want, hostlist_nth(hl, k)) >= 0;
		hostlist_destroy(hl);
		if (match)
			jobs->jobs[kept++] = *j;
		else
			proto_free(&rdesc_acct_job, j);
	}
	jobs->jobs_cnt = kept;
	hostlist_destroy(want);
	return 0;
}

int
store_field_version(const struct rdesc *d, size_t i)
{
	/* the fields added in version 3 are the last ones of each record,
	 * from these on */
	const char *first = d == &rdesc_acct_job    ? "dependency"
	                    : d == &rdesc_acct_step ? "usage_tasks"
	                                            : NULL;
	if (first == NULL)
		return 1;
	for (size_t k = 0; k < d->nfields && k <= i; k++)
		if (strcmp(d->fields[k].name, first) == 0)
			return 3;
	return 1;
}

int
store_purge_time(const char *value, int64_t now, int64_t *before, char *err, size_t errlen)
{
	*before = 0;
	if (value == NULL || *value == '\0')
		return 0;
	char *end;
	errno = 0;
	unsigned long long n = strtoull(value, &end, 10);
	if (end == value || errno || n > 100000) {
		snprintf(err, errlen, "Invalid purge time: %s", value);
		return -1;
	}
	if (n == 0)
		return 0;
	int64_t unit;
	if (*end == '\0' || strncasecmp(end, "month", 5) == 0)
		unit = 0; /* calendar months */
	else if (strncasecmp(end, "day", 3) == 0)
		unit = 86400;
	else if (strncasecmp(end, "hour", 4) == 0)
		unit = 3600;
	else {
		snprintf(err, errlen, "Invalid purge time: %s", value);
		return -1;
	}
	if (unit) {
		*before = now - (int64_t)n * unit;
		return 0;
	}
	time_t t = (time_t)now;
	struct tm tm;
	localtime_r(&t, &tm);
	tm.tm_mon -= (int)n;
	tm.tm_isdst = -1;
	*before = (int64_t)mktime(&tm);
	return 0;
}

static int
job_cmp(const void *x, const void *y)
{
	const struct acct_job *a = x, *b = y;
	if (a->job_id != b->job_id)
		return a->job_id < b->job_id ? -1 : 1;
	return a->time_submit < b->time_submit ? -1 : a->time_submit > b->time_submit;
}

void
store_sort_jobs(struct acct_jobs *out)
{
	if (out->jobs_cnt > 1)
		qsort(out->jobs, out->jobs_cnt, sizeof(*out->jobs), job_cmp);
}

void
store_note_spans(int64_t *max_span, const struct acct_job *jobs, size_t n)
{
	for (size_t i = 0; *max_span >= 0 && i < n; i++)
		if (jobs[i].time_end > 0 && jobs[i].time_eligible > 0 &&
		    jobs[i].time_end - jobs[i].time_eligible > *max_span)
			*max_span = jobs[i].time_end - jobs[i].time_eligible;
}
