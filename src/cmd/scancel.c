/* SPDX-License-Identifier: MIT */
/*
 * scancel: cancel or signal jobs and steps (cli.md section 7).  Explicit
 * ids go straight to the controller; filters (-u, -n, -t, -p, -w ...)
 * select from the job list, ANDed with any ids given.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "client.h"
#include "cmdutil.h"
#include "hostlist/hostlist.h"
#include "jobfmt.h"
#include "jobid.h"
#include "proto/sigflags.h"

struct sc_opts {
	int batch, full, interactive, quiet, verbose, me;
	int signal; /* 0 = cancel */
	const char *signal_name;
	struct strlist accounts, names, parts, qos, resvs, users, wckeys;
	const char *state_str;
	uint32_t state; /* NO_VAL: any active */
	const char *nodelist;
};

static void
usage(FILE *f)
{
	fprintf(f, "Usage: scancel [-A account] [--batch] [--full] [--interactive] [-n job_name]\n"
	           "               [-p partition] [-Q] [-q qos] [-R reservation] [-s signal | integer]\n"
	           "               [-t PENDING | RUNNING | SUSPENDED] [--usage] [-u user_name]\n"
	           "               [--hurry] [-V] [-v] [-w hosts...] [--wckey=wckey]\n"
	           "               [job_id[_array_id][.step_id]]\n");
}

static void
help(void)
{
	printf("Usage: scancel [OPTIONS] [job_id[_array_id][.step_id]]\n"
	       "  -A, --account=account           act only on jobs charging this account\n"
	       "  -b, --batch                     signal batch shell for specified job\n"
	       "  -f, --full                      signal batch shell and all steps for specified job\n"
	       "  -H, --hurry                     avoid burst buffer stage out\n"
	       "  -i, --interactive               require response from user for each job\n"
	       "      --me                        equivalent to --user=<my username>\n"
	       "  -n, --name=job_name             act only on jobs with this name\n"
	       "  -p, --partition=partition       act only on jobs in this partition\n"
	       "  -Q, --quiet                     disable warnings\n"
	       "  -q, --qos=qos                   act only on jobs with this quality of service\n"
	       "  -R, --reservation=reservation   act only on jobs with this reservation\n"
	       "  -s, --signal=name | integer     signal to send to job, default is SIGKILL\n"
	       "  -t, --state=states              act only on jobs in this state.  Valid job\n"
	       "                                  states are PENDING, RUNNING and SUSPENDED\n"
	       "  -u, --user=user_name            act only on jobs of this user\n"
	       "  -V, --version                   output version information and exit\n"
	       "  -v, --verbose                   verbosity level\n"
	       "  -w, --nodelist                  act only on jobs on these nodes\n"
	       "      --wckey=wckey               act only on jobs with this workload\n"
	       "                                  charactization key\n"
	       "\nHelp options:\n"
	       "  --help                          show this help message\n"
	       "  --usage                         display brief usage message\n");
}

enum { OPT_HELP = 0x100, OPT_USAGE, OPT_ME, OPT_WCKEY, OPT_IGNORED };

static const struct option long_opts[] = {
    {"account", required_argument, NULL, 'A'},
    {"batch", no_argument, NULL, 'b'},
    {"full", no_argument, NULL, 'f'},
    {"hurry", no_argument, NULL, 'H'},
    {"interactive", no_argument, NULL, 'i'},
    {"clusters", required_argument, NULL, 'M'},
    {"cluster", required_argument, NULL, 'M'},
    {"me", no_argument, NULL, OPT_ME},
    {"name", required_argument, NULL, 'n'},
    {"jobname", required_argument, NULL, 'n'},
    {"partition", required_argument, NULL, 'p'},
    {"quiet", no_argument, NULL, 'Q'},
    {"qos", required_argument, NULL, 'q'},
    {"reservation", required_argument, NULL, 'R'},
    {"signal", required_argument, NULL, 's'},
    {"state", required_argument, NULL, 't'},
    {"user", required_argument, NULL, 'u'},
    {"verbose", no_argument, NULL, 'v'},
    {"version", no_argument, NULL, 'V'},
    {"nodelist", required_argument, NULL, 'w'},
    {"wckey", required_argument, NULL, OPT_WCKEY},
    {"sibling", required_argument, NULL, OPT_IGNORED},
    {"help", no_argument, NULL, OPT_HELP},
    {"usage", no_argument, NULL, OPT_USAGE},
    {NULL, 0, NULL, 0},
};

static int
set_state(struct sc_opts *o, const char *s)
{
	int64_t v = job_state_parse(s);
	if (v != JOB_PENDING && v != JOB_RUNNING && v != JOB_SUSPENDED) {
		fprintf(stderr, "scancel: error: Invalid job state specified: %s\n", s);
		fprintf(stderr, "scancel: error: Valid job states are PENDING, RUNNING, and SUSPENDED\n");
		return -1;
	}
	o->state = (uint32_t)v;
	o->state_str = s;
	return 0;
}

static int
set_signal(struct sc_opts *o, const char *s)
{
	int sig = cmd_signal_parse(s);
	if (sig < 0) {
		fprintf(stderr, "scancel: error: Invalid job signal: %s\n", s);
		return -1;
	}
	o->signal = sig;
	o->signal_name = s;
	return 0;
}

static int
env_defaults(struct sc_opts *o)
{
	const char *e;
	if ((e = getenv("SCANCEL_ACCOUNT")) != NULL && *e)
		strlist_split(&o->accounts, e);
	if (getenv("SCANCEL_BATCH") != NULL)
		o->batch = 1;
	if (getenv("SCANCEL_FULL") != NULL)
		o->full = 1;
	if (getenv("SCANCEL_INTERACTIVE") != NULL)
		o->interactive = 1;
	if ((e = getenv("SCANCEL_NAME")) != NULL && *e)
		strlist_split(&o->names, e);
	if ((e = getenv("SCANCEL_PARTITION")) != NULL && *e)
		strlist_split(&o->parts, e);
	if ((e = getenv("SCANCEL_QOS")) != NULL && *e)
		strlist_split(&o->qos, e);
	if ((e = getenv("SCANCEL_USER")) != NULL && *e)
		strlist_split(&o->users, e);
	if ((e = getenv("SCANCEL_WCKEY")) != NULL && *e)
		strlist_split(&o->wckeys, e);
	if (getenv("SCANCEL_VERBOSE") != NULL)
		o->verbose = 1;
	if ((e = getenv("SCANCEL_STATE")) != NULL && *e && set_state(o, e) < 0)
		return -1;
	if ((e = getenv("SCANCEL_SIGNAL")) != NULL && *e && set_signal(o, e) < 0)
		return -1;
	return 0;
}

static int
parse_args(struct sc_opts *o, int argc, char **argv)
{
	int c;
	while ((c = getopt_long(argc, argv, "A:bfHiM:n:p:Qq:R:s:t:u:vVw:", long_opts, NULL)) != -1) {
		switch (c) {
		case 'A':
			strlist_split(&o->accounts, optarg);
			break;
		case 'b':
			o->batch = 1;
			break;
		case 'f':
			o->full = 1;
			break;
		case 'i':
			o->interactive = 1;
			break;
		case 'n':
			strlist_split(&o->names, optarg);
			break;
		case 'p':
			strlist_split(&o->parts, optarg);
			break;
		case 'Q':
			o->quiet = 1;
			break;
		case 'q':
			strlist_split(&o->qos, optarg);
			break;
		case 'R':
			strlist_split(&o->resvs, optarg);
			break;
		case 's':
			if (set_signal(o, optarg) < 0)
				return -1;
			break;
		case 't':
			if (set_state(o, optarg) < 0)
				return -1;
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
		case OPT_WCKEY:
			strlist_split(&o->wckeys, optarg);
			break;
		case OPT_HELP:
			help();
			exit(0);
		case OPT_USAGE:
			usage(stdout);
			exit(0);
		case 'H':
		case 'M':
		case OPT_IGNORED:
			break;
		default:
			fprintf(stderr, "Try \"scancel --help\" for more information\n");
			return -1;
		}
	}
	return 0;
}

static int
has_filters(const struct sc_opts *o)
{
	return o->accounts.n || o->names.n || o->parts.n || o->qos.n || o->resvs.n || o->users.n ||
	       o->wckeys.n || o->state != NO_VAL || o->nodelist != NULL || o->me;
}

/* what the job or step is called in messages */
static void
target_str(char *out, size_t n, uint32_t job_id, uint32_t task, uint32_t step)
{
	char base[64];
	if (task != NO_VAL)
		snprintf(base, sizeof(base), "%u_%u", job_id, task);
	else
		snprintf(base, sizeof(base), "%u", job_id);
	if (step != NO_VAL) {
		char s[16];
		snprintf(out, n, "%s.%s", base, step_name_str(s, sizeof(s), step));
	} else {
		snprintf(out, n, "%s", base);
	}
}

/* one REQ_CANCEL; returns 0 or 1 (an error that changes the exit status) */
static int
cancel_one(struct client *c, const struct sc_opts *o, uint32_t job_id, uint32_t task, uint32_t step)
{
	char name[96];
	target_str(name, sizeof(name), job_id, task, step);
	if (o->verbose) {
		const char *what = step != NO_VAL ? "step" : "job";
		if (o->signal == 0)
			fprintf(stderr, "scancel: Terminating %s %s\n", what, name);
		else
			fprintf(stderr, "scancel: Signal %d to %s %s\n", o->signal, what, name);
	}
	struct cancel_req req = {
	    .job_id = job_id,
	    .array_task_id = task,
	    .step_id = step,
	    .signal = (uint32_t)o->signal,
	    .flags = (o->batch ? CANCEL_BATCH_ONLY : 0) | (o->full ? CANCEL_FULL : 0),
	};
	struct msg resp;
	int rc = client_rpc(c, REQ_CANCEL, &req, &resp);
	if (rc == 0) {
		msg_free(&resp);
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "scancel: error: Kill job error on job id %s: %s\n", name,
		    herd_strerror(HERD_ECONN));
		return 1;
	}
	/* 22.05: an unknown or finished job is not an error for a plain cancel */
	int benign = (rc == ESLURM_INVALID_JOB_ID || rc == ESLURM_ALREADY_DONE) && o->signal == 0;
	if ((benign && o->verbose) || (!benign && !o->quiet)) {
		if (step != NO_VAL)
			fprintf(stderr, "scancel: error: Kill job error on job step id %s: %s\n", name,
			    herd_strerror(rc));
		else
			fprintf(stderr, "scancel: error: Kill job error on job id %s: %s\n", name,
			    herd_strerror(rc));
	}
	return benign ? 0 : 1;
}

/* an id as given on the command line: expands task ranges */
static int
cancel_id(struct client *c, const struct sc_opts *o, const struct jobid *id)
{
	int err = 0;
	if (id->ntasks == 0)
		return cancel_one(c, o, id->job_id, id->array_task_id, id->step_id);
	for (size_t r = 0; r < id->ntasks; r++)
		for (uint64_t t = id->tasks[r].lo; t <= id->tasks[r].hi; t += id->tasks[r].step)
			err |= cancel_one(c, o, id->job_id, (uint32_t)t, id->step_id);
	return err;
}

static int
job_passes(const struct sc_opts *o, const struct job_info *j, const struct hostlist *hosts, uint32_t my_uid)
{
	uint32_t base = j->state & JOB_STATE_BASE;
	if (o->state != NO_VAL) {
		if (base != o->state)
			return 0;
	} else if (base != JOB_PENDING && base != JOB_RUNNING && base != JOB_SUSPENDED) {
		return 0;
	}
	if (o->users.n && !cmd_user_match(&o->users, j->user_name, j->uid))
		return 0;
	if (o->me && j->uid != my_uid)
		return 0;
	if (o->accounts.n && !strlist_has_case(&o->accounts, j->account))
		return 0;
	if (o->names.n && !strlist_has(&o->names, j->name))
		return 0;
	if (o->parts.n && !strlist_has_any(&o->parts, j->partition))
		return 0;
	if (o->qos.n && !strlist_has_case(&o->qos, j->qos))
		return 0;
	if (o->resvs.n && !strlist_has(&o->resvs, j->reservation))
		return 0;
	if (o->wckeys.n && !strlist_has(&o->wckeys, j->wckey))
		return 0;
	if (hosts != NULL) {
		struct hostlist *hl = j->nodes ? hostlist_create(j->nodes) : NULL;
		int hit = 0;
		for (size_t i = 0; hl != NULL && i < hostlist_count(hl) && !hit; i++)
			hit = hostlist_find(hosts, hostlist_nth(hl, i)) >= 0;
		hostlist_destroy(hl);
		if (!hit)
			return 0;
	}
	return 1;
}

static int
confirm(const struct job_info *j, const char *idstr)
{
	fprintf(stdout, "Cancel job_id=%s name=%s partition=%s [y/n]? ", idstr, j->name ? j->name : "",
	    j->partition ? j->partition : "");
	fflush(stdout);
	char line[64];
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

static void
no_match_message(const struct sc_opts *o)
{
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < o->accounts.n; i++)
		buf_printf(&b, "account=%s ", o->accounts.v[i]);
	for (size_t i = 0; i < o->names.n; i++)
		buf_printf(&b, "job_name=%s ", o->names.v[i]);
	if (o->nodelist)
		buf_printf(&b, "nodelist=%s ", o->nodelist);
	for (size_t i = 0; i < o->parts.n; i++)
		buf_printf(&b, "partition=%s ", o->parts.v[i]);
	for (size_t i = 0; i < o->qos.n; i++)
		buf_printf(&b, "qos=%s ", o->qos.v[i]);
	for (size_t i = 0; i < o->resvs.n; i++)
		buf_printf(&b, "reservation=%s ", o->resvs.v[i]);
	if (o->state != NO_VAL)
		buf_printf(&b, "state=%s ", job_state_string(o->state));
	for (size_t i = 0; i < o->users.n; i++)
		buf_printf(&b, "user_name=%s ", o->users.v[i]);
	if (o->me)
		buf_printf(&b, "user_name=%u ", (unsigned)getuid());
	for (size_t i = 0; i < o->wckeys.n; i++)
		buf_printf(&b, "wckey=%s ", o->wckeys.v[i]);
	if (b.len)
		fprintf(stderr, "scancel: error: No active jobs match ALL job filters, including: %s\n",
		    buf_str(&b));
	buf_free(&b);
}

/* filters (and -i): select from the job list */
static int
cancel_selected(struct client *c, const struct sc_opts *o, const struct jobid *ids, size_t nids)
{
	struct hostlist *hosts = NULL;
	if (o->nodelist != NULL && (hosts = hostlist_create(o->nodelist)) == NULL) {
		fprintf(stderr, "scancel: error: Invalid node list: %s\n", o->nodelist);
		return 1;
	}
	struct job_info_req req = {0};
	struct msg resp;
	int rc = client_rpc(c, REQ_JOB_INFO, &req, &resp);
	if (rc != 0) {
		if (rc < 0)
			fprintf(
			    stderr, "scancel: error: slurm_load_jobs error: %s\n", herd_strerror(HERD_ECONN));
		else
			fprintf(stderr, "scancel: error: slurm_load_jobs error: %s\n", herd_strerror(rc));
		hostlist_destroy(hosts);
		return 1;
	}
	struct job_info_resp *r = resp.body;
	uint32_t my_uid = (uint32_t)getuid();
	int err = 0, matched = 0;
	/* pending jobs first, so none of them starts while the others are cancelled */
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < r->jobs_cnt; i++) {
			const struct job_info *j = &r->jobs[i];
			int pending = (j->state & JOB_STATE_BASE) == JOB_PENDING;
			if (pending != (pass == 0))
				continue;
			if (!job_passes(o, j, hosts, my_uid))
				continue;
			const struct jobid *hit = NULL;
			for (size_t k = 0; k < nids && hit == NULL; k++)
				if (jobid_match(&ids[k], j))
					hit = &ids[k];
			if (nids > 0 && hit == NULL)
				continue;
			matched++;
			uint32_t step = hit ? hit->step_id : NO_VAL;
			if (j->array_task_str != NULL) {
				/* a pending remainder: its tasks one by one (or just the named ones) */
				char *spec =
				    xasprintf("%u_[%.*s]", j->array_job_id ? j->array_job_id : j->job_id,
				        (int)strcspn(j->array_task_str, "%"), j->array_task_str);
				struct jobid rest;
				if (jobid_parse(spec, &rest) == 0) {
					for (size_t q = 0; q < rest.ntasks; q++)
						for (uint64_t t = rest.tasks[q].lo; t <= rest.tasks[q].hi;
						     t += rest.tasks[q].step) {
							if (hit &&
							    (hit->array_task_id != NO_VAL || hit->ntasks) &&
							    !jobid_has_task(hit, (uint32_t)t))
								continue;
							char idstr[64];
							snprintf(idstr, sizeof(idstr), "%u_%u", rest.job_id,
							    (uint32_t)t);
							if (o->interactive && !confirm(j, idstr))
								continue;
							err |=
							    cancel_one(c, o, rest.job_id, (uint32_t)t, step);
						}
					jobid_free(&rest);
				}
				free(spec);
				continue;
			}
			struct buf idb;
			buf_init(&idb);
			jobfmt_id(&idb, j, 64);
			if (!o->interactive || confirm(j, buf_str(&idb))) {
				if (j->array_task_id != NO_VAL)
					err |= cancel_one(c, o, j->array_job_id, j->array_task_id, step);
				else
					err |= cancel_one(c, o, j->job_id, NO_VAL, step);
			}
			buf_free(&idb);
		}
	}
	if (matched == 0 && o->verbose)
		no_match_message(o);
	msg_free(&resp);
	hostlist_destroy(hosts);
	return err;
}

int
main(int argc, char **argv)
{
	struct sc_opts o;
	memset(&o, 0, sizeof(o));
	o.state = NO_VAL;
	if (env_defaults(&o) < 0 || parse_args(&o, argc, argv) < 0)
		return client_exit_error();

	struct jobid *ids = NULL;
	size_t nids = 0;
	for (int i = optind; i < argc; i++) {
		struct jobid id;
		if (jobid_parse(argv[i], &id) < 0) {
			fprintf(stderr, "scancel: error: Invalid job id %s\n", argv[i]);
			jobid_list_free(ids, nids);
			return client_exit_error();
		}
		ids = xreallocarray(ids, nids + 1, sizeof(*ids));
		ids[nids++] = id;
	}
	if (nids == 0 && !has_filters(&o)) {
		fprintf(stderr, "scancel: error: No job identification provided\n");
		return client_exit_error();
	}

	struct client c;
	if (client_init(&c, "scancel") < 0) {
		jobid_list_free(ids, nids);
		return client_exit_error();
	}
	int err = 0;
	if (has_filters(&o) || o.interactive) {
		err = cancel_selected(&c, &o, ids, nids);
	} else {
		for (size_t i = 0; i < nids; i++)
			err |= cancel_id(&c, &o, &ids[i]);
	}
	jobid_list_free(ids, nids);
	client_fini(&c);
	struct strlist *lists[] = {&o.accounts, &o.names, &o.parts, &o.qos, &o.resvs, &o.users, &o.wckeys};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		strlist_free(lists[i]);
	return err ? client_exit_error() : 0;
}
