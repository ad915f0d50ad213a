/* SPDX-License-Identifier: MIT */
/*
 * sacct: ask herddbd (AccountingStorageHost:AccountingStoragePort) for the
 * accounting records selected by the options and print them with the
 * field table of acctfmt.c (cli.md section 6).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "acctfmt.h"
#include "base/buf.h"
#include "base/xmalloc.h"
#include "client.h"
#include "cmdutil.h"
#include "hostlist/hostlist.h"
#include "net/net.h"
#include "timefmt/timefmt.h"

enum { OPT_NAME = 256, OPT_DELIM, OPT_UNITS, OPT_NOCONVERT, OPT_HELP, OPT_USAGE, OPT_JSON };

static const struct option long_opts[] = {
    {"allusers", no_argument, NULL, 'a'},
    {"accounts", required_argument, NULL, 'A'},
    {"brief", no_argument, NULL, 'b'},
    {"duplicates", no_argument, NULL, 'D'},
    {"helpformat", no_argument, NULL, 'e'},
    {"group", required_argument, NULL, 'g'},
    {"gid", required_argument, NULL, 'g'},
    {"json", no_argument, NULL, OPT_JSON},
    {"qos", required_argument, NULL, 'q'},
    {"endtime", required_argument, NULL, 'E'},
    {"jobs", required_argument, NULL, 'j'},
    {"long", no_argument, NULL, 'l'},
    {"noheader", no_argument, NULL, 'n'},
    {"nodelist", required_argument, NULL, 'N'},
    {"format", required_argument, NULL, 'o'},
    {"parsable", no_argument, NULL, 'p'},
    {"parsable2", no_argument, NULL, 'P'},
    {"partition", required_argument, NULL, 'r'},
    {"state", required_argument, NULL, 's'},
    {"starttime", required_argument, NULL, 'S'},
    {"user", required_argument, NULL, 'u'},
    {"uid", required_argument, NULL, 'u'},
    {"allocations", no_argument, NULL, 'X'},
    {"name", required_argument, NULL, OPT_NAME},
    {"delimiter", required_argument, NULL, OPT_DELIM},
    {"units", required_argument, NULL, OPT_UNITS},
    {"noconvert", no_argument, NULL, OPT_NOCONVERT},
    {"version", no_argument, NULL, 'V'},
    {"help", no_argument, NULL, OPT_HELP},
    {"usage", no_argument, NULL, OPT_USAGE},
    {NULL, 0, NULL, 0},
};

/* one -j item: "123", "123_4", "123.batch", "123.0", "123_4.extern" */
struct jobsel {
	uint32_t id;
	uint32_t task; /* NO_VAL: none */
	int has_step;
	uint32_t step;
};

static int
parse_u32(const char **pp, uint32_t *v)
{
	const char *p = *pp;
	unsigned long long n = 0;
	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		n = n * 10 + (unsigned)(*p++ - '0');
		if (n >= NO_VAL)
			return -1;
	}
	*v = (uint32_t)n;
	*pp = p;
	return 0;
}

/* 0, or -1 for a bad id; *job_len is the length of the job part */
static int
jobsel_parse(const char *s, struct jobsel *js, size_t *job_len)
{
	const char *p = s;
	memset(js, 0, sizeof(*js));
	js->task = NO_VAL;
	if (parse_u32(&p, &js->id) < 0)
		return -1;
	if (*p == '_') {
		p++;
		if (parse_u32(&p, &js->task) < 0)
			return -1;
	}
	*job_len = (size_t)(p - s);
	if (*p == '\0')
		return 0;
	if (*p++ != '.')
		return -1;
	js->has_step = 1;
	if (strcmp(p, "batch") == 0)
		js->step = STEP_ID_BATCH;
	else if (strcmp(p, "extern") == 0)
		js->step = STEP_ID_EXTERN;
	else if (strcmp(p, "interactive") == 0)
		js->step = STEP_ID_INTERACTIVE;
	else if (parse_u32(&p, &js->step) < 0 || *p != '\0')
		return -1;
	return 0;
}

struct jobsels {
	struct jobsel *v;
	size_t n;
};

static int
jobsel_match(const struct jobsel *js, const struct acct_job *j)
{
	if (js->task != NO_VAL)
		return j->array_job_id == js->id && j->array_task_id == js->task;
	return j->job_id == js->id || (j->array_job_id == js->id && j->array_task_id != NO_VAL);
}

/* -j with steps: print the job line only when the job itself was asked
 * for, and only the steps asked for */
static int
want_line(const struct acct_job *j, const struct acct_step *s, void *arg)
{
	const struct jobsels *sel = arg;
	int matched = 0;
	for (size_t i = 0; i < sel->n; i++) {
		const struct jobsel *js = &sel->v[i];
		if (!jobsel_match(js, j))
			continue;
		matched = 1;
		if (!js->has_step)
			return 1;
		if (s && s->step_id == js->step)
			return 1;
	}
	return !matched;
}

/* 1 if the hostlist expression nodes names a host of want */
static int
on_nodes(const char *nodes, const struct hostlist *want)
{
	if (nodes == NULL || *nodes == '\0')
		return 0;
	struct hostlist *hl = hostlist_create(nodes);
	int hit = 0;
	for (size_t i = 0; hl && !hit && i < hostlist_count(hl); i++)
		hit = hostlist_find(want, hostlist_nth(hl, i)) >= 0;
	hostlist_destroy(hl);
	return hit;
}

/* -N: only jobs that ran on one of the nodes */
static void
keep_on_nodes(struct acct_jobs *res, const struct hostlist *want)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < res->jobs_cnt; i++) {
		if (on_nodes(res->jobs[i].nodes, want))
			res->jobs[k++] = res->jobs[i];
		else
			proto_free(&rdesc_acct_job, &res->jobs[i]);
	}
	res->jobs_cnt = k;
}

/* without -D: of the runs of a requeued job only the latest */
struct run_key {
	uint32_t job_id, idx;
	int64_t submit;
};

static int
cmp_run(const void *x, const void *y)
{
	const struct run_key *a = x, *b = y;
	if (a->job_id != b->job_id)
		return a->job_id < b->job_id ? -1 : 1;
	if (a->submit != b->submit)
		return a->submit < b->submit ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static void
keep_latest_runs(struct acct_jobs *res)
{
	uint32_t n = res->jobs_cnt;
	if (n < 2)
		return;
	struct run_key *k = xcalloc(n, sizeof(*k));
	uint8_t *drop = xcalloc(n, 1);
	for (uint32_t i = 0; i < n; i++)
		k[i] = (struct run_key){res->jobs[i].job_id, i, res->jobs[i].time_submit};
	qsort(k, n, sizeof(*k), cmp_run);
	for (uint32_t i = 0; i + 1 < n; i++)
		if (k[i].job_id == k[i + 1].job_id)
			drop[k[i].idx] = 1;
	uint32_t w = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (drop[i])
			proto_free(&rdesc_acct_job, &res->jobs[i]);
		else
			res->jobs[w++] = res->jobs[i];
	}
	res->jobs_cnt = w;
	free(k);
	free(drop);
}

/* a numeric uid or gid; -1 for anything else */
static int
id_number(const char *s, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno || v >= 0xffffffffUL)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* -u: every item a user name (numeric uids become names when known) */
static int
users_resolve(struct strlist *users)
{
	for (size_t i = 0; i < users->n; i++) {
		const char *u = users->v[i];
		if (getpwnam(u) != NULL)
			continue;
		uint32_t v;
		if (id_number(u, &v) < 0) {
			fprintf(stderr, "sacct: error: Invalid user id: %s\n", u);
			return -1;
		}
		struct passwd *pw = getpwuid((uid_t)v);
		if (pw) {
			free(users->v[i]);
			users->v[i] = xstrdup(pw->pw_name);
		}
	}
	return 0;
}

/* -g: every item a group name or gid; the gids into *gids */
static int
groups_resolve(const struct strlist *groups, uint32_t **gids)
{
	*gids = groups->n ? xcalloc(groups->n, sizeof(**gids)) : NULL;
	for (size_t i = 0; i < groups->n; i++) {
		const char *g = groups->v[i];
		struct group *gr = getgrnam(g);
		if (gr) {
			(*gids)[i] = (uint32_t)gr->gr_gid;
			continue;
		}
		if (id_number(g, &(*gids)[i]) < 0) {
			fprintf(stderr, "sacct: error: Invalid group id: %s\n", g);
			return -1;
		}
	}
	return 0;
}

/* -g and -q: herddbd does not select on them; kept here */
static void
keep_groups_qos(struct acct_jobs *res, const uint32_t *gids, size_t ngids, const struct strlist *qos)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < res->jobs_cnt; i++) {
		const struct acct_job *j = &res->jobs[i];
		int keep = 1;
		if (ngids) {
			keep = 0;
			for (size_t g = 0; g < ngids && !keep; g++)
				keep = j->gid == gids[g];
		}
		if (keep && qos->n) {
			keep = 0;
			for (size_t q = 0; q < qos->n && !keep; q++)
				keep = j->qos && strcasecmp(j->qos, qos->v[q]) == 0;
		}
		if (keep)
			res->jobs[k++] = res->jobs[i];
		else
			proto_free(&rdesc_acct_job, &res->jobs[i]);
	}
	res->jobs_cnt = k;
}

static int64_t
today_midnight(int64_t now)
{
	time_t t = (time_t)now;
	struct tm tm;
	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

static void
usage(FILE *f)
{
	fprintf(f, "Usage: sacct [options]\n\tUse --help for help\n");
}

/* Ask herddbd.  0 with *resp, -1 (errno) when it cannot be reached, or a
 * herd error code. */
static int
dbd_rpc(struct client *c, const struct acct_query *q, struct msg *resp)
{
	int fd, msg_ms;
	int rc = client_dbd_rpc(c, REQ_ACCT_QUERY, q, resp, &fd, &msg_ms);
	/* a large reply comes in parts: the jobs of each are appended */
	while (rc == 0 && resp->type == RESP_ACCT_JOBS && ((struct acct_jobs *)resp->body)->more) {
		struct msg next;
		memset(&next, 0, sizeof(next));
		rc = net_recv_msg(fd, NULL, 0, msg_ms, &next);
		if (rc != 0)
			break;
		if (next.type != RESP_ACCT_JOBS) {
			msg_free(&next);
			rc = HERD_EPROTO;
			break;
		}
		struct acct_jobs *all = resp->body, *part = next.body;
		all->jobs =
		    xreallocarray(all->jobs, (size_t)all->jobs_cnt + part->jobs_cnt, sizeof(*all->jobs));
		memcpy(all->jobs + all->jobs_cnt, part->jobs, (size_t)part->jobs_cnt * sizeof(*part->jobs));
		all->jobs_cnt += part->jobs_cnt;
		all->more = part->more;
		part->jobs_cnt = 0; /* the records are all's now */
		msg_free(&next);
	}
	int saved = errno;
	if (fd >= 0)
		close(fd);
	errno = saved;
	if (rc != 0) {
		if (resp->body)
			msg_free(resp);
		return rc;
	}
	if (resp->type == RESP_RC) {
		struct rc *r = resp->body;
		int code = r->rc;
		if (r->msg && *r->msg)
			fprintf(stderr, "sacct: error: %s\n", r->msg);
		msg_free(resp);
		return code ? code : HERD_EPROTO;
	}
	if (resp->type != RESP_ACCT_JOBS) {
		msg_free(resp);
		return HERD_EPROTO;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct strlist users = {0}, jobs = {0}, states = {0}, parts = {0}, names = {0}, accts = {0};
	struct strlist groups = {0}, qos = {0};
	struct buf fmt;
	int noconvert = 0; /* disk I/O sizes in bytes */
	const char *nodelist = NULL, *start_s = NULL, *end_s = NULL, *delim = "|";
	int allusers = 0, parsable = 0, noheader = 0, allocations = 0, base = 0, helpformat = 0;
	int opt, duplicates = 0, json = 0;

	buf_init(&fmt);
	while ((opt = getopt_long(argc, argv, "aA:bDeE:g:hj:lnN:o:pPq:r:s:S:u:VX", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			allusers = 1;
			break;
		case 'A':
			strlist_split(&accts, optarg);
			break;
		case 'b':
			base = 'b';
			break;
		case 'D':
			duplicates = 1;
			break;
		case 'e':
			helpformat = 1;
			break;
		case 'E':
			end_s = optarg;
			break;
		case 'g':
			strlist_split(&groups, optarg);
			break;
		case 'q':
			strlist_split(&qos, optarg);
			break;
		case OPT_JSON:
			json = 1;
			break;
		case 'j':
			strlist_split(&jobs, optarg);
			break;
		case 'l':
			base = 'l';
			break;
		case 'n':
			noheader = 1;
			break;
		case 'N':
			nodelist = optarg;
			break;
		case 'o':
			if (fmt.len)
				buf_addc(&fmt, ',');
			buf_adds(&fmt, optarg);
			break;
		case 'p':
			parsable = 1;
			break;
		case 'P':
			parsable = 2;
			break;
		case 'r':
			strlist_split(&parts, optarg);
			break;
		case 's':
			strlist_split(&states, optarg);
			break;
		case 'S':
			start_s = optarg;
			break;
		case 'u':
			strlist_split(&users, optarg);
			break;
		case 'X':
			allocations = 1;
			break;
		case OPT_NAME:
			strlist_split(&names, optarg);
			break;
		case OPT_DELIM:
			delim = optarg;
			break;
		case OPT_NOCONVERT:
			noconvert = 1;
			break;
		case OPT_UNITS:
			break;
		case 'V':
			printf("%s\n", CMD_SLURM_VERSION);
			return 0;
		case 'h':
		case OPT_HELP:
		case OPT_USAGE:
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return client_exit_error();
		}
	}

	if (helpformat) {
		struct buf out;
		buf_init(&out);
		acct_helpformat(&out);
		cmd_write_stdout(&out);
		buf_free(&out);
		return 0;
	}

	/* everything freed at done: */
	struct acct_out o = {0};
	struct jobsels sel = {0};
	struct strlist job_ids = {0}, st_names = {0};
	struct hostlist *want_nodes = NULL;
	uint32_t *gids = NULL;
	struct client c;
	int have_client = 0, ret = 0;
	struct msg resp;
	memset(&resp, 0, sizeof(resp));

	/* the output fields */
	char err[256];
	const char *env_fmt = getenv("SACCT_FORMAT");
	const char *list = SACCT_DEFAULT_FORMAT;
	if (base == 'b')
		list = SACCT_BRIEF_FORMAT;
	else if (base == 'l')
		list = SACCT_LONG_FORMAT;
	else if (env_fmt && *env_fmt)
		list = env_fmt;
	if (fmt.len)
		list = buf_str(&fmt);
	if (acct_out_parse(&o, list, err, sizeof(err)) < 0) {
		fprintf(stderr, "sacct: error: %s\n", err);
		goto fail;
	}
	o.parsable = parsable;
	o.noconvert = noconvert;
	o.delim = delim;
	o.noheader = noheader;
	o.allocations = allocations;
	o.now = (int64_t)time(NULL);

	/* the selection: herddbd gets the job part of each -j item */
	for (size_t i = 0; i < jobs.n; i++) {
		size_t jl;
		sel.v = xreallocarray(sel.v, sel.n + 1, sizeof(*sel.v));
		if (jobsel_parse(jobs.v[i], &sel.v[sel.n], &jl) < 0) {
			fprintf(stderr, "sacct: error: Invalid job id: %s\n", jobs.v[i]);
			goto fail;
		}
		if (sel.v[sel.n].has_step) {
			o.want = want_line;
			o.want_arg = &sel;
		}
		sel.n++;
		char *id = xstrdup(jobs.v[i]);
		id[jl] = '\0';
		if (!strlist_has(&job_ids, id))
			strlist_add(&job_ids, id);
		free(id);
	}
	for (size_t i = 0; i < states.n; i++) {
		int64_t v = job_state_parse(states.v[i]);
		if (v < 0) {
			fprintf(stderr, "sacct: error: Invalid state: %s\n", states.v[i]);
			goto fail;
		}
		/* herddbd selects on the numeric base state; flag states
		 * (COMPLETING, REQUEUED ...) are not stored, so they add nothing */
		if (v & 0x80000000LL)
			continue;
		char num[16];
		snprintf(num, sizeof(num), "%u", (unsigned)v);
		if (!strlist_has(&st_names, num))
			strlist_add(&st_names, num);
	}
	if (nodelist) {
		want_nodes = hostlist_create(nodelist);
		if (want_nodes == NULL) {
			fprintf(stderr, "sacct: error: Invalid node list: %s\n", nodelist);
			goto fail;
		}
	}
	int64_t now = o.now, start, end = now;
	if (jobs.n)
		start = 0;
	else if (states.n)
		start = now;
	else
		start = today_midnight(now);
	if (start_s && time_abs_parse(start_s, now, &start) < 0) {
		fprintf(stderr, "sacct: error: Invalid time specification (pos=0): %s\n", start_s);
		goto fail;
	}
	if (end_s && time_abs_parse(end_s, now, &end) < 0) {
		fprintf(stderr, "sacct: error: Invalid time specification (pos=0): %s\n", end_s);
		goto fail;
	}
	if (start > end) {
		char a[64], b[64];
		fprintf(stderr, "sacct: error: Start time (%s) requested is after end time (%s).\n",
		    fmt_timestamp(a, sizeof(a), start, "Unknown"),
		    fmt_timestamp(b, sizeof(b), end, "Unknown"));
		goto fail;
	}
	if (users_resolve(&users) < 0 || groups_resolve(&groups, &gids) < 0)
		goto fail;

	if (client_init(&c, "sacct") < 0)
		goto fail;
	have_client = 1;
	if (c.conf->acct_storage_type && strstr(c.conf->acct_storage_type, "none")) {
		fprintf(stderr, "sacct: error: Slurm accounting storage is disabled\n");
		goto fail;
	}
	if (users.n == 0 && !allusers && getuid() != 0) {
		struct passwd *pw = getpwuid(getuid());
		if (pw)
			strlist_add(&users, pw->pw_name);
		else {
			char uid[32];
			snprintf(uid, sizeof(uid), "%u", (unsigned)getuid());
			strlist_add(&users, uid);
		}
	}

	struct acct_query q = {0};
	q.flags = (allusers || (users.n == 0)) ? SACCT_QUERY_ALL_USERS : 0;
	if (json ? allocations : !acct_out_needs_steps(&o))
		q.flags |= SACCT_QUERY_NO_STEPS;
	q.users = users.v;
	q.users_cnt = (uint32_t)users.n;
	q.jobs = job_ids.v;
	q.jobs_cnt = (uint32_t)job_ids.n;
	q.states = st_names.v;
	q.states_cnt = (uint32_t)st_names.n;
	q.partitions = parts.v;
	q.partitions_cnt = (uint32_t)parts.n;
	q.names = names.v;
	q.names_cnt = (uint32_t)names.n;
	q.accounts = accts.v;
	q.accounts_cnt = (uint32_t)accts.n;
	q.nodelist = (char *)nodelist; /* herddbd may ignore it: filtered here too */
	q.start = start;
	q.end = end;

	int rc = dbd_rpc(&c, &q, &resp);
	if (rc < 0) {
		fprintf(stderr, "sacct: error: Problem talking to the database: %s\n", strerror(errno));
		goto fail;
	}
	if (rc > 0) {
		fprintf(stderr, "sacct: error: Problem talking to the database: %s\n", herd_strerror(rc));
		goto fail;
	}

	struct acct_jobs *res = resp.body;
	if (want_nodes)
		keep_on_nodes(res, want_nodes);
	if (groups.n || qos.n)
		keep_groups_qos(res, gids, groups.n, &qos);
	if (!duplicates)
		keep_latest_runs(res);
	struct buf out;
	buf_init(&out);
	if (json) {
		acct_sort(res->jobs, res->jobs_cnt);
		acct_json(&o, res->jobs, res->jobs_cnt, &out);
	} else {
		acct_render(&o, res->jobs, res->jobs_cnt, &out);
	}
	if (cmd_write_stdout(&out) < 0)
		ret = client_exit_error();
	buf_free(&out);
	goto done;
fail:
	ret = client_exit_error();
done:
	msg_free(&resp);
	acct_out_free(&o);
	buf_free(&fmt);
	strlist_free(&users);
	strlist_free(&jobs);
	strlist_free(&job_ids);
	free(sel.v);
	strlist_free(&states);
	strlist_free(&st_names);
	strlist_free(&parts);
	strlist_free(&names);
	strlist_free(&accts);
	strlist_free(&groups);
	strlist_free(&qos);
	free(gids);
	hostlist_destroy(want_nodes);
	if (have_client)
		client_fini(&c);
	return ret;
}
