/* SPDX-License-Identifier: MIT */
/*
 * sinfo: partitions and node states (cli.md section 5).  Fetches the
 * partition and node tables, groups nodes into lines with
 * common/sinfofmt.c and prints them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "cmdutil.h"
#include "fmt.h"
#include "hostlist/hostlist.h"
#include "sinfofmt.h"

struct si_opts {
	int noheader, long_fmt, node_mode, summarize, reasons, exact, all, dead, responding, verbose;
	unsigned iterate;
	const char *format, *format2, *sort, *states, *nodes;
	struct strlist parts;
};

static void
usage(FILE *f)
{
	fprintf(f, "Usage: sinfo [-adelNRrsTv] [-i seconds] [-t states] [-p partition] [-n nodes]\n"
	           "             [-S fields] [-o format] [-O Format] [--federation] [--local]\n"
	           "             [--sibling]\n");
}

static void
help(void)
{
	usage(stdout);
	printf("\nQuery options:\n"
	       "  -a, --all                  show all partitions (including hidden and those\n"
	       "                             not accessible)\n"
	       "  -d, --dead                 show only non-responding nodes\n"
	       "  -e, --exact                group nodes only on exact match of configuration\n"
	       "  -h, --noheader             no headers on output\n"
	       "  --hide                     do not show hidden or non-accessible partitions\n"
	       "  -i, --iterate=seconds      specify an iteration period\n"
	       "  -l, --long                 long output - displays more information\n"
	       "  -n, --nodes=NODES          report on specific node(s)\n"
	       "  -N, --Node                 Node-centric format\n"
	       "  -o, --format=format        format specification\n"
	       "  -O, --Format=format        long format specification\n"
	       "  -p, --partition=PARTITION  report on specific partition\n"
	       "  -r, --responding           report only responding nodes\n"
	       "  -R, --list-reasons         list reason nodes are down or drained\n"
	       "  -s, --summarize            report state summary only\n"
	       "  -S, --sort=fields          comma separated list of fields to sort on\n"
	       "  -t, --states=node_state    specify the what states of nodes to view\n"
	       "  -v, --verbose              verbosity level\n"
	       "  -V, --version              output version information and exit\n"
	       "\nHelp options:\n"
	       "  --help                     show this help message\n"
	       "  --usage                    display brief usage message\n");
}

enum { OPT_HELP = 0x100, OPT_USAGE, OPT_HIDE, OPT_IGNORED };

static const struct option long_opts[] = {
    {"all", no_argument, NULL, 'a'},
    {"dead", no_argument, NULL, 'd'},
    {"exact", no_argument, NULL, 'e'},
    {"noheader", no_argument, NULL, 'h'},
    {"iterate", required_argument, NULL, 'i'},
    {"long", no_argument, NULL, 'l'},
    {"nodes", required_argument, NULL, 'n'},
    {"Node", no_argument, NULL, 'N'},
    {"format", required_argument, NULL, 'o'},
    {"Format", required_argument, NULL, 'O'},
    {"partition", required_argument, NULL, 'p'},
    {"responding", no_argument, NULL, 'r'},
    {"list-reasons", no_argument, NULL, 'R'},
    {"summarize", no_argument, NULL, 's'},
    {"sort", required_argument, NULL, 'S'},
    {"states", required_argument, NULL, 't'},
    {"reservation", no_argument, NULL, 'T'},
    {"verbose", no_argument, NULL, 'v'},
    {"version", no_argument, NULL, 'V'},
    {"clusters", required_argument, NULL, 'M'},
    {"hide", no_argument, NULL, OPT_HIDE},
    {"help", no_argument, NULL, OPT_HELP},
    {"usage", no_argument, NULL, OPT_USAGE},
    {"federation", no_argument, NULL, OPT_IGNORED},
    {"local", no_argument, NULL, OPT_IGNORED},
    {"sibling", no_argument, NULL, OPT_IGNORED},
    {"noconvert", no_argument, NULL, OPT_IGNORED},
    {NULL, 0, NULL, 0},
};

static int
parse_args(struct si_opts *o, int argc, char **argv)
{
	int c;
	while ((c = getopt_long(argc, argv, "adehi:ln:No:O:p:rRsS:t:TvVM:", long_opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->all = 1;
			break;
		case 'd':
			o->dead = 1;
			break;
		case 'e':
			o->exact = 1;
			break;
		case 'h':
			o->noheader = 1;
			break;
		case 'i': {
			long v = strtol(optarg, NULL, 10);
			if (v <= 0) {
				fprintf(stderr, "sinfo: error: Invalid iteration: %s\n", optarg);
				return -1;
			}
			o->iterate = (unsigned)v;
			break;
		}
		case 'l':
			o->long_fmt = 1;
			break;
		case 'n':
			o->nodes = optarg;
			break;
		case 'N':
			o->node_mode = 1;
			break;
		case 'o':
			o->format = optarg;
			break;
		case 'O':
			o->format2 = optarg;
			break;
		case 'p':
			strlist_free(&o->parts);
			strlist_split(&o->parts, optarg);
			break;
		case 'r':
			o->responding = 1;
			break;
		case 'R':
			o->reasons = 1;
			break;
		case 's':
			o->summarize = 1;
			break;
		case 'S':
			o->sort = optarg;
			break;
		case 't':
			o->states = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'V':
			printf("%s\n", CMD_SLURM_VERSION);
			exit(0);
		case OPT_HELP:
			help();
			exit(0);
		case OPT_USAGE:
			usage(stdout);
			exit(0);
		case 'T':
		case 'M':
		case OPT_HIDE:
		case OPT_IGNORED:
			break;
		default:
			fprintf(stderr, "Try \"sinfo --help\" for more information\n");
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sinfo: error: Unrecognized option: %s\n", argv[optind]);
		usage(stderr);
		return -1;
	}
	return 0;
}

static int
load_error(const char *what, int rc)
{
	if (rc < 0)
		fprintf(stderr, "%s: Unable to contact slurm controller (connect failure)\n", what);
	else
		fprintf(stderr, "%s: %s\n", what, herd_strerror(rc));
	return client_exit_error();
}

static int
run_once(struct client *c, struct si_opts *o, const char *fmt, const char *sort, const struct hostlist *hosts,
    struct buf *out)
{
	struct msg presp, nresp;
	int rc = client_rpc(c, REQ_PART_INFO, NULL, &presp);
	if (rc != 0)
		return load_error("slurm_load_partitions", rc);
	rc = client_rpc(c, REQ_NODE_INFO, NULL, &nresp);
	if (rc != 0) {
		msg_free(&presp);
		return load_error("slurm_load_node", rc);
	}
	struct part_info_resp *pr = presp.body;
	struct node_info_resp *nr = nresp.body;

	struct fmt_spec spec;
	char err[256];
	if (o->format2 != NULL && o->format == NULL)
		rc = fmt_parse_long(&sinfofmt_table, o->format2, &spec, err, sizeof(err));
	else
		rc = fmt_parse(&sinfofmt_table, fmt, &spec, err, sizeof(err));
	if (rc == 0) {
		struct sinfo_opts so = {0};
		so.node_mode = o->node_mode;
		so.exact = o->exact;
		so.all = o->all;
		so.reasons = o->reasons;
		so.responding = o->responding;
		so.dead = o->dead;
		so.parts = o->parts.v;
		so.nparts = o->parts.n;
		so.hosts = hosts;
		so.states = o->states;
		rc = sinfofmt_render(out, &spec, sort, o->noheader, nr->nodes, nr->nodes_cnt, pr->parts,
		    pr->parts_cnt, &so, err, sizeof(err));
		fmt_spec_free(&spec);
	}
	if (rc < 0)
		fprintf(stderr, "sinfo: error: %s\n", err);
	msg_free(&presp);
	msg_free(&nresp);
	return rc < 0 ? client_exit_error() : 0;
}

int
main(int argc, char **argv)
{
	struct si_opts o;
	memset(&o, 0, sizeof(o));
	const char *e;
	if ((e = getenv("SINFO_PARTITION")) != NULL && *e)
		strlist_split(&o.parts, e);
	if ((e = getenv("SINFO_SORT")) != NULL && *e)
		o.sort = e;
	if (getenv("SINFO_ALL") != NULL)
		o.all = 1;
	const char *env_format = getenv("SINFO_FORMAT");
	if (parse_args(&o, argc, argv) < 0)
		return client_exit_error();

	if (o.states != NULL) {
		const char *bad;
		size_t badlen;
		if (sinfofmt_states_valid(o.states, &bad, &badlen) < 0) {
			fprintf(
			    stderr, "sinfo: error: Invalid node state specified: %.*s\n", (int)badlen, bad);
			return client_exit_error();
		}
	}
	struct hostlist *hosts = NULL;
	if (o.nodes != NULL) {
		hosts = hostlist_create(o.nodes);
		if (hosts == NULL) {
			fprintf(stderr, "sinfo: error: Invalid node name specified: %s\n", o.nodes);
			return client_exit_error();
		}
	}

	const char *fmt = o.format;
	if (fmt == NULL) {
		if (o.summarize)
			fmt = SINFOFMT_SUMMARIZE;
		else if (o.reasons)
			fmt = o.long_fmt ? SINFOFMT_REASON_LONG : SINFOFMT_REASON;
		else if (o.node_mode)
			fmt = o.long_fmt ? SINFOFMT_NODE_LONG : SINFOFMT_NODE;
		else if (env_format != NULL && *env_format)
			fmt = env_format;
		else
			fmt = o.long_fmt ? SINFOFMT_LONG : SINFOFMT_DEFAULT;
	}
	const char *sort = o.sort;
	if (sort == NULL)
		sort = o.node_mode ? SINFOFMT_NODE_SORT : o.reasons ? "" : SINFOFMT_SORT;

	struct client c;
	if (client_init(&c, "sinfo") < 0)
		return client_exit_error();
	struct buf out;
	buf_init(&out);
	int status;
	for (;;) {
		buf_reset(&out);
		if (o.long_fmt || o.iterate)
			cmd_date_line(&out, (int64_t)time(NULL));
		status = run_once(&c, &o, fmt, sort, hosts, &out);
		if (o.iterate)
			buf_addc(&out, '\n');
		if (status == 0 && cmd_write_stdout(&out) < 0)
			status = client_exit_error();
		if (!o.iterate || status != 0)
			break;
		sleep(o.iterate);
	}
	buf_free(&out);
	hostlist_destroy(hosts);
	strlist_free(&o.parts);
	client_fini(&c);
	return status;
}
