/* SPDX-License-Identifier: MIT */
/*
 * sstat: the usage of running job steps so far (MaxRSS, AveRSS,
 * MaxVMSize, CPU, tasks).  The controller says where each step runs; the
 * node daemons answer from what the steps' supervisors sample every
 * second.  Output uses sacct's field engine: -o/--format, -p, -P, -n, -e.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acct/usage.h"
#include "acctfmt.h"
#include "base/buf.h"
#include "base/xmalloc.h"
#include "client.h"
#include "hostlist/hostlist.h"
#include "net/net.h"

#define PROG "sstat"
#define SSTAT_DEFAULT_FORMAT \
	"jobid,maxvmsize,maxvmsizenode,maxvmsizetask,avevmsize,maxrss,maxrssnode,maxrsstask,averss," \
	"mincpu,mincpunode,mincputask,avecpu,ntasks,maxdiskread,maxdiskreadnode,maxdiskreadtask," \
	"avediskread,maxdiskwrite,maxdiskwritenode,maxdiskwritetask,avediskwrite"

static void
usage(FILE *f)
{
	fprintf(f, "Usage: sstat [-a] [-n] [-p|-P] [-o fields] -j job[.step][,...]\n"
	           "  -a, --allsteps     all running steps of the job (default: its lowest numbered step)\n"
	           "  -e, --helpformat   list the fields\n"
	           "  -j, --jobs=list    job[.step] ids\n"
	           "  -n, --noheader     no header lines\n"
	           "  -o, --format=list  fields to print (default " SSTAT_DEFAULT_FORMAT ")\n"
	           "  -p, --parsable     '|' after every field; -P, --parsable2: between fields\n");
}

/* one node's answer for step (job, step) at addr:port; 0 or an error */
static int
node_stat(
    struct client *c, const char *addr, uint16_t port, uint32_t job, uint32_t step, struct acct_step *out)
{
	int fd = net_connect(addr, port, 3000);
	if (fd < 0)
		return HERD_ECONN;
	struct step_stat_req q = {.job_id = job, .step_id = step};
	int rc = HERD_ECONN;
	struct msg m;
	if (net_send_msg(fd, c->auth, REQ_STEP_STAT, 1, &q) == 0 &&
	    net_recv_msg(fd, NULL, 0, 5000, &m) == 0) {
		if (m.type == RESP_STEP_STAT) {
			/* the record's strings are out's now */
			*out = *(struct acct_step *)m.body;
			free(out->name);
			free(out->tres_alloc);
			out->name = NULL;
			out->tres_alloc = NULL;
			free(m.body);
			m.body = NULL;
			rc = 0;
		} else if (m.type == RESP_RC) {
			rc = ((struct rc *)m.body)->rc;
		}
		msg_free(&m);
	}
	close(fd);
	return rc;
}

struct target {
	uint32_t job, step; /* step NO_VAL: the job's choice */
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {{"allsteps", no_argument, NULL, 'a'},
	    {"helpformat", no_argument, NULL, 'e'}, {"jobs", required_argument, NULL, 'j'},
	    {"noheader", no_argument, NULL, 'n'}, {"format", required_argument, NULL, 'o'},
	    {"fields", required_argument, NULL, 'o'}, {"parsable", no_argument, NULL, 'p'},
	    {"parsable2", no_argument, NULL, 'P'}, {"noconvert", no_argument, NULL, 1},
	    {"help", no_argument, NULL, 'h'}, {"usage", no_argument, NULL, 2},
	    {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
	int all = 0, opt;
	const char *jobs = NULL, *format = SSTAT_DEFAULT_FORMAT;
	struct acct_out o;
	memset(&o, 0, sizeof(o));
	o.delim = "|";
	while ((opt = getopt_long(argc, argv, "aej:no:pPhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			all = 1;
			break;
		case 'e': {
			struct buf b;
			buf_init(&b);
			acct_helpformat(&b);
			fputs(buf_str(&b), stdout);
			buf_free(&b);
			return 0;
		}
		case 'j':
			jobs = optarg;
			break;
		case 'n':
			o.noheader = 1;
			break;
		case 'o':
			format = optarg;
			break;
		case 'p':
			o.parsable = 1;
			break;
		case 'P':
			o.parsable = 2;
			break;
		case 1:
			o.noconvert = 1;
			break;
		case 'h':
		case 2:
			usage(stdout);
			return 0;
		case 'V':
			printf("slurm-wlm 22.05.8\n");
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (jobs == NULL && optind < argc)
		jobs = argv[optind];
	if (jobs == NULL) {
		fprintf(stderr, "%s: error: You didn't give me any jobs to stat.\n", PROG);
		return 1;
	}
	char err[256];
	if (acct_out_parse(&o, format, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: error: %s\n", PROG, err);
		return 1;
	}
	struct target *t = NULL;
	size_t nt = 0;
	char *list = xstrdup(jobs);
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		char *end;
		unsigned long id = strtoul(tok, &end, 10);
		uint32_t step = NO_VAL;
		if (*end == '.') {
			if (strcmp(end + 1, "batch") == 0)
				step = STEP_ID_BATCH;
			else {
				char *e2;
				step = (uint32_t)strtoul(end + 1, &e2, 10);
				end = e2;
			}
		}
		if (end == tok || id == 0 || (*end != '\0' && strcmp(end, ".batch") != 0)) {
			fprintf(stderr, "%s: error: Invalid job id: %s\n", PROG, tok);
			free(list);
			return 1;
		}
		t = xreallocarray(t, nt + 1, sizeof(*t));
		t[nt++] = (struct target){(uint32_t)id, step};
	}
	free(list);
	struct client c;
	if (client_init(&c, PROG) < 0)
		return 1;
	struct msg nresp;
	if (client_rpc(&c, REQ_NODE_INFO, NULL, &nresp) != 0) {
		client_perror_conn(&c, NULL);
		return 1;
	}
	struct node_info_resp *nodes = nresp.body;
	struct buf out;
	buf_init(&out);
	acct_header(&o, &out);
	int rc = 0;
	for (size_t i = 0; i < nt; i++) {
		struct job_info_req q = {.job_id = t[i].job, .flags = 0};
		struct msg sresp;
		int r = client_rpc(&c, REQ_STEP_INFO, &q, &sresp);
		if (r != 0) {
			fprintf(stderr, "%s: error: couldn't get steps for job %u\n", PROG, t[i].job);
			rc = 1;
			continue;
		}
		struct step_info_resp *si = sresp.body;
		/* which steps: the one asked for, all, or the lowest numbered */
		uint32_t pick = t[i].step;
		if (pick == NO_VAL && !all) {
			for (uint32_t k = 0; k < si->steps_cnt; k++)
				if (si->steps[k].step_id < STEP_ID_INTERACTIVE && si->steps[k].step_id < pick)
					pick = si->steps[k].step_id;
		}
		int found = 0;
		for (uint32_t k = 0; k < si->steps_cnt; k++) {
			struct step_info *s = &si->steps[k];
			if (s->job_id != t[i].job || (pick != NO_VAL && s->step_id != pick))
				continue;
			found = 1;
			struct acct_step sum;
			memset(&sum, 0, sizeof(sum));
			sum.step_id = s->step_id;
			struct hostlist *hl = hostlist_create(s->nodes);
			for (size_t h = 0; hl && h < hostlist_count(hl); h++) {
				const char *name = hostlist_nth(hl, h);
				for (uint32_t nn = 0; nn < nodes->nodes_cnt; nn++) {
					struct node_info *ni = &nodes->nodes[nn];
					if (strcmp(ni->name, name) != 0)
						continue;
					struct acct_step one;
					memset(&one, 0, sizeof(one));
					const char *addr = ni->addr && *ni->addr ? ni->addr : ni->name;
					int e =
					    node_stat(&c, strcmp(addr, "localhost") == 0 ? "127.0.0.1" : addr,
					        (uint16_t)ni->port, s->job_id, s->step_id, &one);
					if (e == ESLURM_ACCESS_DENIED) {
						fprintf(stderr, "%s: error: %u.%u: %s\n", PROG, s->job_id,
						    s->step_id, herd_strerror(e));
						rc = 1;
					}
					if (e != 0)
						continue;
					usage_merge(&sum, &one);
					sum.ntasks += one.ntasks;
					free(one.nodes);
					usage_free_nodes(&one);
				}
			}
			hostlist_destroy(hl);
			sum.nnodes = 1;
			sum.nodes = s->nodes;
			sum.name = s->name;
			struct acct_job j;
			memset(&j, 0, sizeof(j));
			j.job_id = s->job_id;
			j.array_job_id = s->array_job_id;
			j.array_task_id = s->array_task_id;
			j.steps = &sum;
			j.steps_cnt = 1;
			j.state = JOB_RUNNING;
			struct acct_out so = o;
			so.want = NULL;
			/* the step's line only */
			acct_job_lines_steps(&so, &j, &out);
			usage_free_nodes(&sum);
		}
		if (!found && t[i].step != NO_VAL) {
			fprintf(stderr, "%s: error: couldn't get steps for job %u\n", PROG, t[i].job);
			rc = 1;
		}
		msg_free(&sresp);
	}
	fputs(buf_str(&out), stdout);
	buf_free(&out);
	msg_free(&nresp);
	acct_out_free(&o);
	free(t);
	client_fini(&c);
	return rc;
}
