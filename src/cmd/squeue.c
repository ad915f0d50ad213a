/* SPDX-License-Identifier: MIT */
/*
 * squeue: list jobs or steps (cli.md section 4).  One RPC fetches every
 * job (or the one named job); filtering, sorting and formatting happen
 * here with the field engine in common/jobfmt.c, and the whole table is
 * written with one write(2).
 */
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "client.h"
#include "proto/jobflags.h"
#include "cmdutil.h"
#include "fmt.h"
#include "hostlist/hostlist.h"
#include "jobfmt.h"
#include "jobid.h"

struct sq_opts {
	int noheader, long_fmt, start, array, all, verbose, me;
	int steps; /* -s given */
	int jobs; /* -j given */
	unsigned iterate; /* seconds, 0 = once */
	const char *format; /* -o */
	const char *format2; /* -O */
	const char *sort;
	const char *job_list, *step_list;
	const char *nodelist;
	struct strlist users, parts, names, accounts, qos, resvs, states;
	int bitstr_len;
};

/* state filter: bit per base state plus flag bits */
struct state_filter {
	int all;
	uint32_t base_mask;
	uint32_t flags;
};

static void
usage(FILE *f)
{
	fprintf(f, "Usage: squeue [-A account] [--clusters names] [-i seconds] [--job jobid]\n"
	           "              [-n name] [-o format] [-O fields] [-p partitions] [--qos qos]\n"
	           "              [--reservation reservation] [--sort fields] [--start]\n"
	           "              [--step step_id] [-t states] [-u user_name] [--usage]\n"
	           "              [-L licenses] [-w nodes] [--federation] [--local] [--sibling]\n"
	           "              [-ahjlrsv]\n");
}

static void
help(void)
{
	usage(stdout);
	printf("\nParallel run options:\n"
	       "  -A, --account=account(s)        comma separated list of accounts\n"
	       "                                  to view, default is all accounts\n"
	       "  -a, --all                       display jobs in hidden partitions\n"
	       "  -h, --noheader                  no headers on output\n"
	       "  -i, --iterate=seconds           specify an interation period\n"
	       "  -j, --job=job(s)                comma separated list of jobs IDs\n"
	       "                                  to view, default is all\n"
	       "  -l, --long                      long report\n"
	       "      --me                        equivalent to --user=<my username>\n"
	       "  -n, --name=job_name(s)          comma separated list of job names to view\n"
	       "  -o, --format=format             format specification\n"
	       "  -O, --Format=format             format specification\n"
	       "  -p, --partition=partition(s)    comma separated list of partitions\n"
	       "                                  to view, default is all partitions\n"
	       "  -q, --qos=qos(s)                comma separated list of qos's\n"
	       "                                  to view, default is all qos's\n"
	       "  -R, --reservation=name          reservation to view, default is all\n"
	       "  -r, --array                     display one job array element per line\n"
	       "  -s, --step=step(s)              comma separated list of job steps\n"
	       "                                  to view, default is all\n"
	       "  -S, --sort=fields               comma separated list of fields to sort on\n"
	       "      --start                     print expected start times of pending jobs\n"
	       "  -t, --states=states             comma separated list of states to view,\n"
	       "                                  default is pending and running,\n"
	       "                                  '--states=all' reports all states\n"
	       "  -u, --user=user_name(s)         comma separated list of users to view\n"
	       "  -v, --verbose                   verbosity level\n"
	       "  -V, --version                   output version information and exit\n"
	       "  -w, --nodelist=hostlist         list of nodes to view, default is\n"
	       "                                  all nodes\n"
	       "\nHelp options:\n"
	       "  --help                          show this help message\n"
	       "  --usage                         display a brief summary of squeue options\n");
}

enum {
	OPT_ME = 0x100,
	OPT_START,
	OPT_HELP,
	OPT_USAGE,
	OPT_ARRAY_UNIQUE,
	OPT_HIDE,
	OPT_IGNORED,
	OPT_IGNORED_ARG
};

static const struct option long_opts[] = {
    {"account", required_argument, NULL, 'A'},
    {"all", no_argument, NULL, 'a'},
    {"array", no_argument, NULL, 'r'},
    {"array-unique", no_argument, NULL, OPT_ARRAY_UNIQUE},
    {"noheader", no_argument, NULL, 'h'},
    {"iterate", required_argument, NULL, 'i'},
    {"jobs", optional_argument, NULL, 'j'},
    {"job", optional_argument, NULL, 'j'},
    {"licenses", required_argument, NULL, 'L'},
    {"long", no_argument, NULL, 'l'},
    {"me", no_argument, NULL, OPT_ME},
    {"name", required_argument, NULL, 'n'},
    {"format", required_argument, NULL, 'o'},
    {"Format", required_argument, NULL, 'O'},
    {"partition", required_argument, NULL, 'p'},
    {"priority", no_argument, NULL, 'P'},
    {"qos", required_argument, NULL, 'q'},
    {"reservation", required_argument, NULL, 'R'},
    {"steps", optional_argument, NULL, 's'},
    {"step", optional_argument, NULL, 's'},
    {"sort", required_argument, NULL, 'S'},
    {"start", no_argument, NULL, OPT_START},
    {"states", required_argument, NULL, 't'},
    {"state", required_argument, NULL, 't'},
    {"user", required_argument, NULL, 'u'},
    {"users", required_argument, NULL, 'u'},
    {"verbose", no_argument, NULL, 'v'},
    {"version", no_argument, NULL, 'V'},
    {"nodelist", required_argument, NULL, 'w'},
    {"nodes", required_argument, NULL, 'w'},
    {"hide", no_argument, NULL, OPT_HIDE},
    {"help", no_argument, NULL, OPT_HELP},
    {"usage", no_argument, NULL, OPT_USAGE},
    {"clusters", required_argument, NULL, 'M'},
    {"federation", no_argument, NULL, OPT_IGNORED},
    {"local", no_argument, NULL, OPT_IGNORED},
    {"sibling", no_argument, NULL, OPT_IGNORED},
    {"noconvert", no_argument, NULL, OPT_IGNORED},
    {NULL, 0, NULL, 0},
};

static void
env_defaults(struct sq_opts *o)
{
	const char *e;
	if ((e = getenv("SQUEUE_FORMAT")) != NULL && *e)
		o->format = e;
	if ((e = getenv("SQUEUE_FORMAT2")) != NULL && *e)
		o->format2 = e;
	if ((e = getenv("SQUEUE_SORT")) != NULL && *e)
		o->sort = e;
	if ((e = getenv("SQUEUE_STATES")) != NULL && *e)
		strlist_split(&o->states, e);
	if ((e = getenv("SQUEUE_USERS")) != NULL && *e)
		strlist_split(&o->users, e);
	if ((e = getenv("SQUEUE_PARTITION")) != NULL && *e)
		strlist_split(&o->parts, e);
	if ((e = getenv("SQUEUE_ACCOUNT")) != NULL && *e)
		strlist_split(&o->accounts, e);
	if ((e = getenv("SQUEUE_NAMES")) != NULL && *e)
		strlist_split(&o->names, e);
	if ((e = getenv("SQUEUE_QOS")) != NULL && *e)
		strlist_split(&o->qos, e);
	if (getenv("SQUEUE_ARRAY") != NULL)
		o->array = 1;
	if (getenv("SQUEUE_ALL") != NULL)
		o->all = 1;
	if ((e = getenv("SLURM_BITSTR_LEN")) != NULL && *e)
		o->bitstr_len = atoi(e);
}

static int
parse_args(struct sq_opts *o, int argc, char **argv)
{
	int c;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "A:ahi:j::L:ln:o:O:p:Pq:R:rs::S:t:u:vVw:M:", long_opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'A':
			strlist_split(&o->accounts, optarg);
			break;
		case 'a':
			o->all = 1;
			break;
		case 'h':
			o->noheader = 1;
			break;
		case 'i': {
			long v = strtol(optarg, NULL, 10);
			if (v <= 0) {
				fprintf(stderr, "squeue: error: --iterate=%s is invalid\n", optarg);
				return -1;
			}
			o->iterate = (unsigned)v;
			break;
		}
		case 'j':
			o->jobs = 1;
			if (optarg != NULL)
				o->job_list = optarg;
			break;
		case 'l':
			o->long_fmt = 1;
			break;
		case 'n':
			strlist_split(&o->names, optarg);
			break;
		case 'o':
			o->format = optarg;
			break;
		case 'O':
			o->format2 = optarg;
			break;
		case 'p':
			strlist_split(&o->parts, optarg);
			break;
		case 'q':
			strlist_split(&o->qos, optarg);
			break;
		case 'R':
			strlist_split(&o->resvs, optarg);
			break;
		case 'r':
		case OPT_ARRAY_UNIQUE:
			o->array = 1;
			break;
		case 's':
			o->steps = 1;
			if (optarg != NULL)
				o->step_list = optarg;
			break;
		case 'S':
			o->sort = optarg;
			break;
		case 't':
			strlist_free(&o->states);
			strlist_split(&o->states, optarg);
			break;
		case 'u':
			strlist_split(&o->users, optarg);
			break;
		case 'v':
			o->verbose++;
			break;
		case 'V':
			printf("%s\n", CMD_SLURM_VERSION);
			exit(0);
		case 'w':
			o->nodelist = optarg;
			break;
		case OPT_ME:
			o->me = 1;
			break;
		case OPT_START:
			o->start = 1;
			break;
		case OPT_HELP:
			help();
			exit(0);
		case OPT_USAGE:
			usage(stdout);
			exit(0);
		case 'P':
		case 'L':
		case 'M':
		case OPT_HIDE:
		case OPT_IGNORED:
			break;
		default:
			fprintf(stderr, "Try \"squeue --help\" for more information\n");
			return -1;
		}
	}
	/* "squeue -j 123": the optional argument may follow as a word */
	if (optind < argc) {
		if (o->jobs && o->job_list == NULL)
			o->job_list = argv[optind++];
		else if (o->steps && o->step_list == NULL)
			o->step_list = argv[optind++];
	}
	if (optind < argc) {
		fprintf(stderr, "squeue: error: Unrecognized option: %s\n", argv[optind]);
		usage(stderr);
		return -1;
	}
	return 0;
}

static int
build_state_filter(const struct sq_opts *o, struct state_filter *sf)
{
	memset(sf, 0, sizeof(*sf));
	if (o->states.n == 0) {
		if (o->start) {
			sf->base_mask = 1U << JOB_PENDING;
		} else if (o->job_list != NULL) {
			sf->all = 1; /* named jobs are shown in any state */
		} else {
			sf->base_mask = 1U << JOB_PENDING | 1U << JOB_RUNNING | 1U << JOB_SUSPENDED;
			sf->flags = JOB_COMPLETING | JOB_CONFIGURING;
		}
		return 0;
	}
	for (size_t i = 0; i < o->states.n; i++) {
		const char *s = o->states.v[i];
		if (strcasecmp(s, "all") == 0) {
			sf->all = 1;
			continue;
		}
		int64_t v = job_state_parse(s);
		if (v < 0) {
			fprintf(stderr, "squeue: error: Invalid job state specified: %s\n", s);
			fprintf(stderr,
			    "squeue: error: Valid job states include: PENDING,RUNNING,SUSPENDED,"
			    "COMPLETED,CANCELLED,FAILED,TIMEOUT,NODE_FAIL,PREEMPTED,BOOT_FAIL,"
			    "DEADLINE,OUT_OF_MEMORY,COMPLETING,CONFIGURING,RESIZING,RESV_DEL_HOLD,"
			    "REQUEUED,REQUEUE_FED,REQUEUE_HOLD,REVOKED,SIGNALING,SPECIAL_EXIT,"
			    "STAGE_OUT,STOPPED\n");
			return -1;
		}
		if (v & 0x80000000LL)
			sf->flags |= (uint32_t)(v & 0x7fffffff);
		else
			sf->base_mask |= 1U << v;
	}
	return 0;
}

static int
state_ok(const struct state_filter *sf, uint32_t state)
{
	if (sf->all)
		return 1;
	if (state & sf->flags)
		return 1;
	uint32_t base = state & JOB_STATE_BASE;
	return base < 32 && (sf->base_mask & (1U << base));
}

struct filter {
	struct state_filter sf;
	struct jobid *ids;
	size_t nids;
	struct hostlist *hosts;
	uint32_t my_uid;
};

static int
nodes_overlap(const struct hostlist *want, const char *nodes)
{
	if (nodes == NULL || *nodes == '\0')
		return 0;
	struct hostlist *hl = hostlist_create(nodes);
	if (hl == NULL)
		return 0;
	int hit = 0;
	for (size_t i = 0; i < hostlist_count(hl) && !hit; i++)
		hit = hostlist_find(want, hostlist_nth(hl, i)) >= 0;
	hostlist_destroy(hl);
	return hit;
}

static int
job_ok(const struct sq_opts *o, const struct filter *f, const struct job_info *j)
{
	if (!state_ok(&f->sf, j->state))
		return 0;
	if (f->nids > 0) {
		int hit = 0;
		for (size_t i = 0; i < f->nids && !hit; i++)
			hit = jobid_match(&f->ids[i], j);
		if (!hit)
			return 0;
	}
	if (o->users.n > 0 && !cmd_user_match(&o->users, j->user_name, j->uid))
		return 0;
	if (o->me && j->uid != f->my_uid)
		return 0;
	if (o->parts.n > 0 && !strlist_has_any(&o->parts, j->partition))
		return 0;
	if (o->names.n > 0 && !strlist_has(&o->names, j->name))
		return 0;
	if (o->accounts.n > 0 && !strlist_has_case(&o->accounts, j->account))
		return 0;
	if (o->qos.n > 0 && !strlist_has_case(&o->qos, j->qos))
		return 0;
	if (o->resvs.n > 0 && !strlist_has(&o->resvs, j->reservation))
		return 0;
	if (f->hosts != NULL && !nodes_overlap(f->hosts, j->nodes))
		return 0;
	return 1;
}

static int
step_ok(const struct sq_opts *o, const struct filter *f, const struct step_info *s)
{
	if (f->nids > 0) {
		int hit = 0;
		for (size_t i = 0; i < f->nids && !hit; i++) {
			const struct jobid *id = &f->ids[i];
			struct job_info j = {.job_id = s->job_id,
			    .array_job_id = s->array_job_id,
			    .array_task_id = s->array_task_id};
			hit = jobid_match(id, &j) && (id->step_id == NO_VAL || id->step_id == s->step_id);
		}
		if (!hit)
			return 0;
	}
	if (o->users.n > 0 && !cmd_user_match(&o->users, s->user_name, s->uid))
		return 0;
	if (o->me && s->uid != f->my_uid)
		return 0;
	if (o->parts.n > 0 && !strlist_has_any(&o->parts, s->partition))
		return 0;
	if (f->hosts != NULL && !nodes_overlap(f->hosts, s->nodes))
		return 0;
	return 1;
}

/* -r: one row per task of a pending array remainder */
static void
expand_array(const struct job_info *j, const struct job_info ***v, size_t *n, size_t *cap,
    struct job_info ***owned, size_t *nowned)
{
	const char *p = j->array_task_str;
	size_t len = strcspn(p, "%");
	char *expr = xstrndup(p, len);
	struct jobid id;
	char *spec = xasprintf("%u_[%s]", j->array_job_id ? j->array_job_id : j->job_id, expr);
	free(expr);
	if (jobid_parse(spec, &id) < 0) {
		free(spec);
		(*v)[(*n)++] = j;
		return;
	}
	free(spec);
	for (size_t r = 0; r < id.ntasks; r++) {
		for (uint64_t t = id.tasks[r].lo; t <= id.tasks[r].hi; t += id.tasks[r].step) {
			struct job_info *c = xmalloc(sizeof(*c));
			*c = *j; /* shallow: strings stay owned by j */
			c->array_task_str = NULL;
			c->array_task_id = (uint32_t)t;
			if (c->array_job_id == 0)
				c->array_job_id = j->job_id;
			*owned = xreallocarray(*owned, *nowned + 1, sizeof(**owned));
			(*owned)[(*nowned)++] = c;
			if (*n == *cap) {
				*cap = *cap ? *cap * 2 : 64;
				*v = xreallocarray(*v, *cap, sizeof(**v));
			}
			(*v)[(*n)++] = c;
		}
	}
	jobid_free(&id);
}

static int
load_error(struct client *c, const char *what, int rc)
{
	if (rc < 0)
		fprintf(stderr, "%s error: Unable to contact slurm controller (connect failure)\n", what);
	else
		fprintf(stderr, "%s error: %s\n", what, herd_strerror(rc));
	return client_exit_error();
}

static int
show_jobs(struct client *c, const struct sq_opts *o, struct filter *f, const struct fmt_spec *spec,
    const char *sort, struct buf *out)
{
	struct job_info_req req = {0};
	int single = f->nids == 1 && f->ids[0].array_task_id == NO_VAL && f->ids[0].ntasks == 0;
	if (single)
		req.job_id = f->ids[0].job_id;
	req.flags = o->all ? JOB_INFO_ALL : 0;
	/* the default view: let the controller skip finished jobs */
	if (!single && o->states.n == 0 && o->job_list == NULL)
		req.flags |= JOB_INFO_ACTIVE;
	struct msg resp;
	int rc = client_rpc(c, REQ_JOB_INFO, &req, &resp);
	if (rc != 0)
		return load_error(c, "slurm_load_jobs", rc);
	struct job_info_resp *r = resp.body;

	if (f->nids == 1) {
		/* a single id the controller does not know is an error */
		int known = 0;
		for (uint32_t i = 0; i < r->jobs_cnt && !known; i++)
			known = jobid_match(&f->ids[0], &r->jobs[i]);
		if (!known) {
			msg_free(&resp);
			return load_error(c, "slurm_load_jobs", ESLURM_INVALID_JOB_ID);
		}
	}

	const struct job_info **v = NULL;
	struct job_info **owned = NULL;
	size_t n = 0, cap = 0, nowned = 0;
	cap = r->jobs_cnt ? r->jobs_cnt : 1;
	v = xcalloc(cap, sizeof(*v));
	for (uint32_t i = 0; i < r->jobs_cnt; i++) {
		const struct job_info *j = &r->jobs[i];
		if (!job_ok(o, f, j))
			continue;
		if (o->array && j->array_task_str != NULL) {
			expand_array(j, &v, &n, &cap, &owned, &nowned);
			continue;
		}
		if (n == cap) {
			cap *= 2;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[n++] = j;
	}
	struct jobfmt_ctx ctx = {.now = (int64_t)time(NULL), .bitstr_len = o->bitstr_len};
	char err[256];
	rc = jobfmt_render(out, spec, sort, o->noheader, v, n, &ctx, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "squeue: error: %s\n", err);
	for (size_t i = 0; i < nowned; i++)
		free(owned[i]);
	free(owned);
	free(v);
	msg_free(&resp);
	return rc < 0 ? client_exit_error() : 0;
}

static int
show_steps(struct client *c, const struct sq_opts *o, struct filter *f, const struct fmt_spec *spec,
    const char *sort, struct buf *out)
{
	struct job_info_req req = {0};
	if (f->nids == 1 && f->ids[0].array_task_id == NO_VAL && f->ids[0].ntasks == 0)
		req.job_id = f->ids[0].job_id;
	req.flags = o->all ? JOB_INFO_ALL : 0;
	struct msg resp;
	int rc = client_rpc(c, REQ_STEP_INFO, &req, &resp);
	if (rc == ESLURM_INVALID_JOB_ID) {
		/* no such job: no steps */
		if (!o->noheader)
			fmt_header(spec, out);
		return 0;
	}
	if (rc != 0)
		return load_error(c, "slurm_load_job_steps", rc);
	struct step_info_resp *r = resp.body;
	const struct step_info **v = xcalloc(r->steps_cnt ? r->steps_cnt : 1, sizeof(*v));
	size_t n = 0;
	for (uint32_t i = 0; i < r->steps_cnt; i++)
		if (step_ok(o, f, &r->steps[i]))
			v[n++] = &r->steps[i];
	struct jobfmt_ctx ctx = {.now = (int64_t)time(NULL), .bitstr_len = o->bitstr_len};
	char err[256];
	rc = stepfmt_render(out, spec, sort, o->noheader, v, n, &ctx, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "squeue: error: %s\n", err);
	free(v);
	msg_free(&resp);
	return rc < 0 ? client_exit_error() : 0;
}

int
main(int argc, char **argv)
{
	struct sq_opts o;
	memset(&o, 0, sizeof(o));
	o.bitstr_len = 64;
	env_defaults(&o);
	if (parse_args(&o, argc, argv) < 0)
		return client_exit_error();

	for (size_t i = 0; i < o.users.n; i++) {
		const char *u = o.users.v[i];
		if (u[strspn(u, "0123456789")] != '\0' && getpwnam(u) == NULL) {
			fprintf(stderr, "squeue: error: Invalid user: %s\n", u);
			return client_exit_error();
		}
	}

	struct filter f;
	memset(&f, 0, sizeof(f));
	f.my_uid = (uint32_t)getuid();
	if (build_state_filter(&o, &f.sf) < 0)
		return client_exit_error();
	const char *ids = o.steps ? o.step_list : o.job_list;
	if (ids != NULL) {
		char *bad = NULL;
		if (jobid_list_parse(ids, &f.ids, &f.nids, &bad) < 0) {
			fprintf(stderr, "squeue: error: Invalid job id: %s\n", bad);
			free(bad);
			return client_exit_error();
		}
	}
	if (o.nodelist != NULL) {
		f.hosts = hostlist_create(o.nodelist);
		if (f.hosts == NULL) {
			fprintf(stderr, "squeue: error: Invalid node name %s\n", o.nodelist);
			return client_exit_error();
		}
	}

	const struct fmt_table *table = o.steps ? &stepfmt_table : &jobfmt_table;
	struct fmt_spec spec;
	char err[256];
	int rc;
	if (o.format2 != NULL && o.format == NULL) {
		rc = fmt_parse_long(table, o.format2, &spec, err, sizeof(err));
	} else {
		const char *fmt = o.format;
		if (fmt == NULL)
			fmt = o.steps      ? STEPFMT_DEFAULT
			      : o.start    ? JOBFMT_START
			      : o.long_fmt ? JOBFMT_LONG
			                   : JOBFMT_DEFAULT;
		rc = fmt_parse(table, fmt, &spec, err, sizeof(err));
	}
	if (rc < 0) {
		fprintf(stderr, "squeue: error: %s\n", err);
		return client_exit_error();
	}
	const char *sort = o.sort ? o.sort : o.steps ? STEPFMT_SORT : o.start ? "S" : JOBFMT_SORT;

	struct client c;
	if (client_init(&c, "squeue") < 0)
		return client_exit_error();
	struct buf out;
	buf_init(&out);
	int status = 0;
	for (;;) {
		buf_reset(&out);
		if (o.long_fmt || o.iterate || o.verbose)
			cmd_date_line(&out, (int64_t)time(NULL));
		status = o.steps ? show_steps(&c, &o, &f, &spec, sort, &out)
		                 : show_jobs(&c, &o, &f, &spec, sort, &out);
		if (o.iterate)
			buf_addc(&out, '\n');
		if (status == 0 && cmd_write_stdout(&out) < 0)
			status = client_exit_error();
		if (!o.iterate || status != 0)
			break;
		sleep(o.iterate);
	}
	buf_free(&out);
	fmt_spec_free(&spec);
	jobid_list_free(f.ids, f.nids);
	hostlist_destroy(f.hosts);
	client_fini(&c);
	struct strlist *lists[] = {&o.users, &o.parts, &o.names, &o.accounts, &o.qos, &o.resvs, &o.states};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		strlist_free(lists[i]);
	return status;
}
