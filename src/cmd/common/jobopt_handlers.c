/* SPDX-License-Identifier: MIT */
/*
 * Handlers that check and store each job option's value, and the option
 * table (at the end).  A handler gets the option's argument (NULL for an
 * option without one), stores it in the job_desc or the command fields of
 * struct jobopt, and returns -1 with Slurm's wording in o->err for a bad
 * value.  Handlers only set fields: applying the same option twice gives
 * the same result, which the replay in jobopt_apply relies on.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "jobopt_int.h"
#include "timefmt/timefmt.h"

#define DESC_AT(o, d, type) ((type *)(void *)((char *)&(o)->desc + (d)->off))
#define OPT_AT(o, d, type) ((type *)(void *)((char *)(o) + (d)->off))

/* ---- parsers ---- */

/* Decimal without sign, at most INT_MAX (as Slurm's parse_int). */
static int
parse_u32(const char *s, uint32_t *out)
{
	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	uint64_t v = 0;
	for (; isdigit((unsigned char)*s); s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > INT_MAX)
			return -1;
	}
	if (*s != '\0')
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* one node count with optional k/m suffix */
static int
parse_node_count(const char *s, const char *end, uint32_t *out)
{
	if (s == end || !isdigit((unsigned char)*s))
		return -1;
	uint64_t v = 0;
	for (; s < end && isdigit((unsigned char)*s); s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > INT_MAX)
			return -1;
	}
	if (s < end && (*s == 'k' || *s == 'K')) {
		v *= 1024;
		s++;
	} else if (s < end && (*s == 'm' || *s == 'M')) {
		v *= 1048576;
		s++;
	}
	if (s != end || v > INT_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int
jobopt_parse_nodes(const char *s, uint32_t *min, uint32_t *max)
{
	if (s == NULL)
		return -1;
	const char *dash = strchr(s, '-');
	const char *end = s + strlen(s);
	uint32_t lo, hi = NO_VAL;
	if (parse_node_count(s, dash ? dash : end, &lo) < 0)
		return -1;
	if (dash != NULL) {
		if (parse_node_count(dash + 1, end, &hi) < 0 || hi < lo)
			return -1;
	} else {
		hi = lo;
	}
	*min = lo;
	*max = hi;
	return 0;
}

int
jobopt_signal_number(const char *s)
{
	if (s == NULL || *s == '\0')
		return -1;
	if (isdigit((unsigned char)*s)) {
		uint32_t n;
		if (parse_u32(s, &n) < 0 || n < 1 || n >= (uint32_t)NSIG)
			return -1;
		return (int)n;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *name = sigabbrev_np(i);
		if (name != NULL && strcasecmp(name, s) == 0)
			return i;
	}
	return -1;
}

int
jobopt_parse_signal(const char *s, uint32_t *sig, uint32_t *secs, uint32_t *flags)
{
	if (s == NULL)
		return -1;
	uint32_t fl = 0, t = 60;
	const char *colon = strchr(s, ':');
	if (colon != NULL) {
		if (colon == s)
			return -1;
		for (const char *p = s; p < colon; p++) {
			if (*p == 'B' || *p == 'b')
				fl |= WARN_FLAG_BATCH;
			else if (*p == 'R' || *p == 'r')
				fl |= WARN_FLAG_RESV;
			else
				return -1;
		}
		s = colon + 1;
	}
	const char *at = strchr(s, '@');
	char *name = at ? xstrndup(s, (size_t)(at - s)) : xstrdup(s);
	int n = jobopt_signal_number(name);
	free(name);
	if (n < 0)
		return -1;
	if (at != NULL && (parse_u32(at + 1, &t) < 0 || t > 65535))
		return -1;
	*sig = (uint32_t)n;
	*secs = t;
	*flags = fl;
	return 0;
}

char *
jobopt_abspath(const char *cwd, const char *path)
{
	struct buf in, out;
	buf_init(&in);
	buf_init(&out);
	if (path[0] != '/') {
		buf_adds(&in, cwd ? cwd : "/");
		buf_addc(&in, '/');
	}
	buf_adds(&in, path);
	const char *p = buf_str(&in);
	size_t *marks = xcalloc(strlen(p) + 1, sizeof(size_t)); /* out.len before each component */
	size_t depth = 0;
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = p;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (depth > 0)
				out.len = marks[--depth];
		} else {
			marks[depth++] = out.len;
			buf_addc(&out, '/');
			buf_add(&out, p, n);
		}
		p = e;
	}
	free(marks);
	buf_free(&in);
	if (out.len == 0)
		buf_addc(&out, '/');
	return buf_take(&out);
}

/* Host names from a file (whitespace, comma or newline separated), joined with ','. */
static char *
read_host_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct buf b, out;
	buf_init(&b);
	buf_init(&out);
	char tmp[4096];
	ssize_t r;
	while ((r = read(fd, tmp, sizeof(tmp))) > 0 && b.len < (16U << 20))
		buf_add(&b, tmp, (size_t)r);
	close(fd);
	if (r < 0) {
		buf_free(&b);
		return NULL;
	}
	const char *p = buf_str(&b);
	const char *end = b.data + b.len;
	while (p < end) {
		while (p < end && (isspace((unsigned char)*p) || *p == ',' || *p == '\0'))
			p++;
		const char *e = p;
		while (e < end && !isspace((unsigned char)*e) && *e != ',' && *e != '\0')
			e++;
		if (e > p) {
			if (out.len)
				buf_addc(&out, ',');
			buf_add(&out, p, (size_t)(e - p));
		}
		p = e;
	}
	buf_free(&b);
	if (out.len == 0) {
		buf_free(&out);
		return NULL;
	}
	return buf_take(&out);
}

static void
set_str(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

/* ---- generic handlers ---- */

static int
h_accept(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	return 0;
}

static int
h_str(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	set_str(DESC_AT(o, d, char *), arg);
	return 0;
}

/* positive count into a u32 job_desc member */
static int
h_count(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	uint32_t v;
	if (parse_u32(arg, &v) < 0 || v == 0)
		return jobopt_err(o, "Invalid numeric value \"%s\" for --%s.", arg ? arg : "", d->name);
	*DESC_AT(o, d, uint32_t) = v;
	return 0;
}

/* set a job_desc.flags bit (off holds the bit) */
static int
h_flag(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	o->desc.flags |= (uint32_t)d->off;
	return 0;
}

/* an int member of struct jobopt to 1 */
static int
h_cmdflag(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	*OPT_AT(o, d, int) = 1;
	return 0;
}

/* a string member of struct jobopt */
static int
h_cmdstr(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	if (arg == NULL || *arg == '\0')
		return jobopt_err(o, "Invalid --%s specification", d->name);
	set_str(OPT_AT(o, d, char *), arg);
	return 0;
}

/* srun -W/--wait=<seconds> */
static int
h_wait_secs(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	uint32_t v;
	if (parse_u32(arg, &v) < 0)
		return jobopt_err(o, "Invalid numeric value \"%s\" for --wait.", arg ? arg : "");
	o->wait_s = (int)v;
	return 0;
}

/* -I/--immediate[=secs] */
static int
h_immediate(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	uint32_t v = 1;
	if (arg != NULL && parse_u32(arg, &v) < 0)
		return jobopt_err(o, "Invalid numeric value \"%s\" for --immediate.", arg);
	o->desc.immediate = v ? v : 1;
	return 0;
}

/* ---- specific handlers ---- */

static int
h_ntasks(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	if (h_count(o, d, arg) < 0)
		return -1;
	o->desc.flags |= JOB_DESC_NTASKS_SET;
	return 0;
}

static int
h_cpus_per_task(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	if (h_count(o, d, arg) < 0)
		return -1;
	o->desc.flags |= JOB_DESC_CPT_SET;
	return 0;
}

static int
h_nodes(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	uint32_t lo, hi;
	if (jobopt_parse_nodes(arg, &lo, &hi) < 0)
		return jobopt_err(o, "invalid node count `%s'", arg ? arg : "");
	o->desc.min_nodes = lo;
	o->desc.max_nodes = hi;
	return 0;
}

static int
h_time(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	uint32_t m;
	if (time_limit_parse(arg, &m) < 0)
		return jobopt_err(o, "Invalid --%s specification", d->name);
	*DESC_AT(o, d, uint32_t) = m;
	return 0;
}

static int
mem_conflict(struct jobopt *o)
{
	o->err_fatal = 1;
	return jobopt_err(o, "--mem, --mem-per-cpu, and --mem-per-gpu are mutually exclusive.");
}

static int
h_mem(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	uint64_t mb;
	if (mem_size_parse(arg, &mb) < 0)
		return jobopt_err(o, "Invalid --mem specification");
	if (o->level >= JOBOPT_LVL_ENV && o->mem_cpu_level == o->level)
		return mem_conflict(o);
	o->desc.mem_per_node = mb;
	o->desc.mem_per_cpu = NO_VAL64;
	o->mem_level = o->level;
	o->mem_cpu_level = 0;
	return 0;
}

static int
h_mem_per_cpu(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	uint64_t mb;
	if (mem_size_parse(arg, &mb) < 0)
		return jobopt_err(o, "Invalid --mem-per-cpu specification");
	if (o->level >= JOBOPT_LVL_ENV && o->mem_level == o->level)
		return mem_conflict(o);
	o->desc.mem_per_cpu = mb;
	o->desc.mem_per_node = NO_VAL64;
	o->mem_cpu_level = o->level;
	o->mem_level = 0;
	return 0;
}

static int
h_abstime(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	int64_t t;
	if (arg == NULL || time_abs_parse(arg, (int64_t)time(NULL), &t) < 0)
		return jobopt_err(o, "Invalid --%s specification", d->name);
	*DESC_AT(o, d, int64_t) = t;
	return 0;
}

static int
h_chdir(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	if (arg == NULL || *arg == '\0')
		return jobopt_err(o, "Invalid --chdir specification");
	free(o->desc.work_dir);
	o->desc.work_dir = jobopt_abspath(o->cwd, arg);
	return 0;
}

/* -o/-e/-i: "none" means /dev/null */
static int
h_io(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	if (arg == NULL || *arg == '\0')
		return jobopt_err(o, "Invalid --%s specification", d->name);
	set_str(DESC_AT(o, d, char *), strcasecmp(arg, "none") == 0 ? "/dev/null" : arg);
	return 0;
}

/* -w/-x: a host list, or a file of names when the value contains '/' */
static int
h_hosts(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	if (arg == NULL || *arg == '\0')
		return jobopt_err(o, "Invalid --%s specification", d->name);
	if (strchr(arg, '/') != NULL) {
		char *list = read_host_file(arg);
		if (list == NULL)
			return jobopt_err(o, "Invalid --%s specification", d->name);
		free(*DESC_AT(o, d, char *));
		*DESC_AT(o, d, char *) = list;
		return 0;
	}
	set_str(DESC_AT(o, d, char *), arg);
	return 0;
}

static int
h_nodefile(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	char *list = arg ? read_host_file(arg) : NULL;
	if (list == NULL)
		return jobopt_err(o, "Invalid --nodefile specification");
	free(o->desc.req_nodes);
	o->desc.req_nodes = list;
	return 0;
}

static int
h_open_mode(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	if (arg != NULL && (arg[0] == 'a' || arg[0] == 'A'))
		o->desc.open_mode = OPEN_MODE_APPEND;
	else if (arg != NULL && (arg[0] == 't' || arg[0] == 'T'))
		o->desc.open_mode = OPEN_MODE_TRUNCATE;
	else
		return jobopt_err(o, "Invalid --open-mode argument: %s.", arg ? arg : "");
	return 0;
}

static int
h_export(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	if (arg == NULL || *arg == '\0')
		return jobopt_err(o, "Invalid --export specification");
	set_str(&o->export_spec, arg);
	return 0;
}

static int
h_export_file(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	if (arg == NULL || *arg == '\0')
		return jobopt_err(o, "Invalid --export-file specification");
	set_str(&o->export_file, arg);
	return 0;
}

static int
h_array(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	if (arg == NULL || *arg == '\0')
		return jobopt_err(o, "Invalid --array specification");
	set_str(&o->desc.array_spec, arg);
	return 0;
}

static int
h_kill_inv_dep(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	o->desc.flags &= ~(JOB_DESC_KILL_INV_DEP | JOB_DESC_NO_KILL_INV_DEP);
	if (arg != NULL && strcasecmp(arg, "yes") == 0)
		o->desc.flags |= JOB_DESC_KILL_INV_DEP;
	else if (arg != NULL && strcasecmp(arg, "no") == 0)
		o->desc.flags |= JOB_DESC_NO_KILL_INV_DEP;
	else
		return jobopt_err(o, "Invalid --kill-on-invalid-dep specification");
	return 0;
}

#define SHARE_BITS \
	(JOB_DESC_EXCLUSIVE | JOB_DESC_EXCLUSIVE_USER | JOB_DESC_EXCLUSIVE_MCS | JOB_DESC_OVERSUBSCRIBE)

static int
h_exclusive(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	uint32_t bit;
	if (arg == NULL || strcasecmp(arg, "exclusive") == 0)
		bit = JOB_DESC_EXCLUSIVE;
	else if (strcasecmp(arg, "user") == 0)
		bit = JOB_DESC_EXCLUSIVE_USER;
	else if (strcasecmp(arg, "mcs") == 0)
		bit = JOB_DESC_EXCLUSIVE_MCS;
	else
		return jobopt_err(o, "Invalid --exclusive specification");
	o->desc.flags = (o->desc.flags & ~SHARE_BITS) | bit;
	return 0;
}

static int
h_oversubscribe(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	o->desc.flags = (o->desc.flags & ~SHARE_BITS) | JOB_DESC_OVERSUBSCRIBE;
	return 0;
}

static int
h_requeue(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	o->desc.flags |= JOB_DESC_REQUEUE_SET;
	if (d->val == LONG_OPT_REQUEUE)
		o->desc.flags |= JOB_DESC_REQUEUE;
	else
		o->desc.flags &= ~JOB_DESC_REQUEUE;
	return 0;
}

/* -k/--no-kill[=off] */
static int
h_no_kill(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	if (arg != NULL && strcasecmp(arg, "off") == 0)
		o->desc.flags &= ~JOB_DESC_NO_KILL;
	else if (arg == NULL || strcasecmp(arg, "on") == 0)
		o->desc.flags |= JOB_DESC_NO_KILL;
	else
		return jobopt_err(o, "Invalid --no-kill specification");
	return 0;
}

static int
h_signal(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	uint32_t sig, secs, fl;
	if (jobopt_parse_signal(arg, &sig, &secs, &fl) < 0)
		return jobopt_err(o, "Invalid --signal specification");
	o->desc.warn_signal = sig;
	o->desc.warn_time = secs;
	o->desc.warn_flags = fl;
	return 0;
}

static int
h_nice(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	long v = 100;
	if (arg != NULL) {
		char *end;
		errno = 0;
		v = strtol(arg, &end, 10);
		if (end == arg || *end != '\0' || errno != 0 || v > 2147483645L || v < -2147483645L)
			return jobopt_err(
			    o, "Invalid nice value, must be between -2147483645 and 2147483645");
	}
	o->desc.nice = (int32_t)v;
	return 0;
}

static int
h_priority(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	uint32_t v;
	if (arg != NULL && strcasecmp(arg, "TOP") == 0) {
		o->desc.priority = JOB_DESC_PRIORITY_TOP;
		return 0;
	}
	if (parse_u32(arg, &v) < 0)
		return jobopt_err(o, "Priority must be >=0 and < %u", NO_VAL);
	o->desc.priority = v;
	return 0;
}

static int
h_verbose(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	o->verbose++;
	return 0;
}

static int
h_wait(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	o->wait = 1;
	o->desc.flags |= JOB_DESC_WAIT;
	return 0;
}

static int
h_wrap(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	set_str(&o->wrap, arg ? arg : "");
	return 0;
}

static int
h_clusters(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	if (arg == NULL || *arg == '\0')
		return jobopt_err(o, "Invalid --clusters specification");
	set_str(&o->clusters, arg);
	return 0;
}

static int
h_distribution(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	if (arg == NULL || *arg == '\0')
		return jobopt_err(o, "Invalid --distribution specification");
	set_str(&o->distribution, arg);
	return 0;
}

static int
h_get_user_env(struct jobopt *o, const struct jobopt_def *d, const char *arg)
{
	o->desc.flags |= JOB_DESC_GET_USER_ENV;
	return 0;
}

/* ---- the table ---- */

#define SB JOBOPT_SBATCH
#define SR JOBOPT_SRUN
#define SA JOBOPT_SALLOC
#define ALL JOBOPT_ALL
#define NA no_argument
#define RA required_argument
#define OA optional_argument
#define D(m) offsetof(struct job_desc, m)
#define C(m) offsetof(struct jobopt, m)

/* name, val, has_arg, cmds, handler, off, env, argname, help */
static const struct jobopt_def table[] = {
    {"account", 'A', RA, ALL, h_str, D(account), "ACCOUNT", "name", "charge job to specified account"},
    {"acctg-freq", LONG_OPT_ACCTG_FREQ, RA, ALL, h_accept, 0, NULL, "type=secs",
        "accounting sampling interval (accepted, ignored)"},
    {"array", 'a', RA, SB, h_array, 0, "ARRAY_INX", "indexes",
        "job array index values (0-15, 1,3,5, 1-7:2, 0-15%4)"},
    {"batch", LONG_OPT_BATCH, RA, SB, h_accept, 0, NULL, "features",
        "features the batch host must have (accepted, ignored)"},
    {"bb", LONG_OPT_BB, RA, ALL, h_accept, 0, NULL, "spec", "burst buffer specification (accepted, ignored)"},
    {"bbf", LONG_OPT_BBF, RA, ALL, h_accept, 0, NULL, "file",
        "burst buffer specification file (accepted, ignored)"},
    {"begin", 'b', RA, SB | SA, h_abstime, D(begin_time), NULL, "time",
        "defer job until HH:MM MM/DD/YY, now+N, ..."},
    {"chdir", 'D', RA, ALL, h_chdir, 0, NULL, "directory",
        "working directory of the job (default: current directory)"},
    {"cluster-constraint", LONG_OPT_CLUSTER_CONSTRAINT, RA, ALL, h_accept, 0, NULL, "list",
        "cluster features (accepted, ignored)"},
    {"clusters", 'M', RA, ALL, h_clusters, 0, "CLUSTERS", "names",
        "clusters to run on (accepted; the local cluster is used)"},
    {"cluster", 'M', RA, ALL, h_clusters, 0, NULL, "names", NULL},
    {"comment", LONG_OPT_COMMENT, RA, ALL, h_str, D(comment), NULL, "text", "arbitrary comment"},
    {"constraint", 'C', RA, ALL, h_str, D(constraint), "CONSTRAINT", "list", "required node features"},
    {"contiguous", LONG_OPT_CONTIGUOUS, NA, ALL, h_flag, JOB_DESC_CONTIGUOUS, NULL, NULL,
        "demand a contiguous range of nodes"},
    {"core-spec", 'S', RA, ALL, h_accept, 0, NULL, "cores",
        "cores reserved for system use (accepted, ignored)"},
    {"cores-per-socket", LONG_OPT_CORES_PER_SOCKET, RA, ALL, h_accept, 0, NULL, "n",
        "cores per socket required (accepted)"},
    {"cpu-freq", LONG_OPT_CPU_FREQ, RA, ALL, h_accept, 0, NULL, "min[-max[:gov]]",
        "CPU frequency (accepted, ignored)"},
    {"cpus-per-gpu", LONG_OPT_CPUS_PER_GPU, RA, ALL, h_accept, 0, NULL, "n",
        "CPUs per allocated GPU (accepted)"},
    {"cpus-per-task", 'c', RA, ALL, h_cpus_per_task, D(cpus_per_task), NULL, "ncpus",
        "number of CPUs required per task"},
    {"deadline", LONG_OPT_DEADLINE, RA, ALL, h_abstime, D(deadline), NULL, "time",
        "remove the job if it cannot end before this time"},
    {"delay-boot", LONG_OPT_DELAY_BOOT, RA, ALL, h_accept, 0, NULL, "mins",
        "delay boot for desired node features (accepted)"},
    {"dependency", 'd', RA, ALL, h_str, D(dependency), NULL, "type:jobid[:time]",
        "defer job until condition on jobid is satisfied"},
    {"distribution", 'm', RA, ALL, h_distribution, 0, "DISTRIBUTION", "type",
        "distribution method for tasks (accepted)"},
    {"error", 'e', RA, SB | SR, h_io, D(std_err), "ERROR", "err", "file for the job's standard error"},
    {"exclude", 'x', RA, ALL, h_hosts, D(exc_nodes), NULL, "hosts...", "exclude a specific list of hosts"},
    {"exclusive", LONG_OPT_EXCLUSIVE, OA, ALL, h_exclusive, 0, "EXCLUSIVE", "user|mcs",
        "allocate nodes in exclusive mode"},
    {"export", LONG_OPT_EXPORT, RA, ALL, h_export, 0, "EXPORT", "ALL|NONE|names",
        "environment variables passed to the job"},
    {"export-file", LONG_OPT_EXPORT_FILE, RA, SB, h_export_file, 0, NULL, "file|fd",
        "NAME=value lines to add to the job's environment"},
    {"extra-node-info", 'B', RA, ALL, h_accept, 0, NULL, "S[:C[:T]]",
        "sockets:cores:threads per node (accepted)"},
    {"get-user-env", LONG_OPT_GET_USER_ENV, OA, SB | SA, h_get_user_env, 0, "GET_USER_ENV", "timeout",
        "load the user's login environment"},
    {"gid", LONG_OPT_GID, RA, ALL, h_accept, 0, NULL, "group_id",
        "group to run the job as (root only; accepted)"},
    {"gpu-bind", LONG_OPT_GPU_BIND, RA, ALL, h_accept, 0, NULL, "type", "task to GPU binding (accepted)"},
    {"gpu-freq", LONG_OPT_GPU_FREQ, RA, ALL, h_accept, 0, NULL, "spec", "GPU frequency (accepted)"},
    {"gpus", 'G', RA, ALL, h_accept, 0, "GPUS", "n", "number of GPUs required (accepted)"},
    {"gpus-per-node", LONG_OPT_GPUS_PER_NODE, RA, ALL, h_accept, 0, NULL, "n", "GPUs per node (accepted)"},
    {"gpus-per-socket", LONG_OPT_GPUS_PER_SOCKET, RA, ALL, h_accept, 0, NULL, "n",
        "GPUs per socket (accepted)"},
    {"gpus-per-task", LONG_OPT_GPUS_PER_TASK, RA, ALL, h_accept, 0, NULL, "n", "GPUs per task (accepted)"},
    {"gres", LONG_OPT_GRES, RA, ALL, h_accept, 0, "GRES", "list", "required generic resources (accepted)"},
    {"gres-flags", LONG_OPT_GRES_FLAGS, RA, ALL, h_accept, 0, NULL, "opts",
        "generic resource flags (accepted)"},
    {"help", 'h', NA, ALL, h_cmdflag, C(help), NULL, NULL, "show this help message"},
    {"hint", LONG_OPT_HINT, RA, ALL, h_accept, 0, "HINT", "hint", "application hints (accepted)"},
    {"hold", 'H', NA, ALL, h_flag, JOB_DESC_HOLD, NULL, NULL, "submit job in held state"},
    {"ignore-pbs", LONG_OPT_IGNORE_PBS, NA, SB, h_cmdflag, C(ignore_pbs), NULL, NULL,
        "ignore #PBS and #BSUB options in the batch script"},
    {"input", 'i', RA, SB | SR, h_io, D(std_in), NULL, "in", "file for the job's standard input"},
    {"job-name", 'J', RA, ALL, h_str, D(name), "JOB_NAME", "jobname", "name of job"},
    {"kill-on-invalid-dep", LONG_OPT_KILL_INV_DEP, RA, SB | SA, h_kill_inv_dep, 0, NULL, "yes|no",
        "cancel the job if its dependency can never be satisfied"},
    {"licenses", 'L', RA, ALL, h_accept, 0, NULL, "names", "required licenses (accepted)"},
    {"mail-type", LONG_OPT_MAIL_TYPE, RA, ALL, h_accept, 0, NULL, "type",
        "events to notify by mail (accepted)"},
    {"mail-user", LONG_OPT_MAIL_USER, RA, ALL, h_accept, 0, NULL, "user", "who receives the mail (accepted)"},
    {"mcs-label", LONG_OPT_MCS_LABEL, RA, ALL, h_accept, 0, NULL, "mcs", "MCS label (accepted)"},
    {"mem", LONG_OPT_MEM, RA, ALL, h_mem, 0, "MEM_PER_NODE", "MB",
        "minimum amount of real memory per node (K|M|G|T suffix)"},
    {"mem-bind", LONG_OPT_MEM_BIND, RA, ALL, h_accept, 0, NULL, "type", "memory binding (accepted)"},
    {"mem-per-cpu", LONG_OPT_MEM_PER_CPU, RA, ALL, h_mem_per_cpu, 0, "MEM_PER_CPU", "MB",
        "real memory per allocated CPU"},
    {"mem-per-gpu", LONG_OPT_MEM_PER_GPU, RA, ALL, h_accept, 0, NULL, "MB",
        "real memory per allocated GPU (accepted)"},
    {"mincpus", LONG_OPT_MINCPUS, RA, ALL, h_count, D(mincpus), NULL, "n",
        "minimum number of logical processors per node"},
    {"network", LONG_OPT_NETWORK, RA, ALL, h_accept, 0, NULL, "type", "network specifications (accepted)"},
    {"nice", LONG_OPT_NICE, OA, ALL, h_nice, 0, NULL, "value",
        "decrease scheduling priority by value (default 100)"},
    {"no-kill", 'k', OA, ALL, h_no_kill, 0, "NO_KILL", "on|off", "do not kill the job on node failure"},
    {"no-requeue", LONG_OPT_NO_REQUEUE, NA, SB, h_requeue, 0, "NO_REQUEUE", NULL, "never requeue the job"},
    {"nodefile", 'F', RA, ALL, h_nodefile, 0, NULL, "filename", "request the hosts listed in a file"},
    {"nodelist", 'w', RA, ALL, h_hosts, D(req_nodes), NULL, "hosts...", "request a specific list of hosts"},
    {"nodes", 'N', RA, ALL, h_nodes, 0, NULL, "N[-M]", "number of nodes on which to run"},
    {"ntasks", 'n', RA, ALL, h_ntasks, D(ntasks), NULL, "ntasks", "number of tasks to run"},
    {"ntasks-per-core", LONG_OPT_NTASKS_PER_CORE, RA, ALL, h_accept, 0, NULL, "n",
        "tasks per core (accepted)"},
    {"ntasks-per-gpu", LONG_OPT_NTASKS_PER_GPU, RA, ALL, h_accept, 0, NULL, "n", "tasks per GPU (accepted)"},
    {"ntasks-per-node", LONG_OPT_NTASKS_PER_NODE, RA, ALL, h_count, D(ntasks_per_node), NULL, "n",
        "number of tasks to invoke on each node"},
    {"ntasks-per-socket", LONG_OPT_NTASKS_PER_SOCKET, RA, ALL, h_accept, 0, NULL, "n",
        "tasks per socket (accepted)"},
    {"open-mode", LONG_OPT_OPEN_MODE, RA, SB | SR, h_open_mode, 0, "OPEN_MODE", "append|truncate",
        "how the output and error files are opened"},
    {"output", 'o', RA, SB | SR, h_io, D(std_out), "OUTPUT", "out", "file for the job's standard output"},
    {"overcommit", 'O', NA, ALL, h_cmdflag, C(overcommit), NULL, NULL, "overcommit resources (accepted)"},
    {"oversubscribe", 's', NA, ALL, h_oversubscribe, 0, NULL, NULL, "share nodes with other jobs"},
    {"share", 's', NA, ALL, h_oversubscribe, 0, NULL, NULL, NULL},
    {"parsable", LONG_OPT_PARSABLE, NA, SB, h_cmdflag, C(parsable), NULL, NULL, "print only the job id"},
    {"partition", 'p', RA, ALL, h_str, D(partition), "PARTITION", "partition", "partition requested"},
    {"power", LONG_OPT_POWER, RA, ALL, h_accept, 0, NULL, "flags", "power management options (accepted)"},
    {"priority", LONG_OPT_PRIORITY, RA, ALL, h_priority, 0, NULL, "value",
        "set the job's priority (TOP, or a number)"},
    {"profile", LONG_OPT_PROFILE, RA, ALL, h_accept, 0, NULL, "value", "profiling (accepted)"},
    {"propagate", LONG_OPT_PROPAGATE, OA, SB | SR, h_accept, 0, NULL, "rlimits",
        "propagate resource limits (accepted)"},
    {"qos", 'q', RA, ALL, h_str, D(qos), "QOS", "qos", "quality of service"},
    {"quiet", 'Q', NA, ALL, h_cmdflag, C(quiet), NULL, NULL, "quiet mode (suppress informational messages)"},
    {"reboot", LONG_OPT_REBOOT, NA, ALL, h_accept, 0, NULL, NULL,
        "reboot compute nodes before starting (accepted)"},
    {"requeue", LONG_OPT_REQUEUE, NA, SB, h_requeue, 0, "REQUEUE", NULL, "allow the job to be requeued"},
    {"reservation", LONG_OPT_RESERVATION, RA, ALL, h_str, D(reservation), "RESERVATION", "name",
        "allocate resources from named reservation"},
    {"signal", LONG_OPT_SIGNAL, RA, ALL, h_signal, 0, "SIGNAL", "[R|B:]num[@time]",
        "send signal when the time limit is within time seconds"},
    {"sockets-per-node", LONG_OPT_SOCKETS_PER_NODE, RA, ALL, h_accept, 0, NULL, "S",
        "sockets per node (accepted)"},
    {"spread-job", LONG_OPT_SPREAD_JOB, NA, ALL, h_accept, 0, NULL, NULL,
        "spread the job over as many nodes as possible (accepted)"},
    {"switches", LONG_OPT_SWITCHES, RA, ALL, h_accept, 0, NULL, "max[@time]",
        "optimum switches and max wait (accepted)"},
    {"test-only", LONG_OPT_TEST_ONLY, NA, SB | SR, h_cmdflag, C(test_only), NULL, NULL,
        "check the request without submitting it"},
    {"thread-spec", LONG_OPT_THREAD_SPEC, RA, ALL, h_accept, 0, NULL, "threads",
        "threads reserved for system use (accepted)"},
    {"threads-per-core", LONG_OPT_THREADS_PER_CORE, RA, ALL, h_accept, 0, NULL, "T",
        "threads per core (accepted)"},
    {"time", 't', RA, ALL, h_time, D(time_limit), "TIMELIMIT", "minutes", "time limit ([D-]H:M:S, M:S, ...)"},
    {"time-min", LONG_OPT_TIME_MIN, RA, ALL, h_time, D(time_min), NULL, "minutes",
        "minimum time limit (if distinct)"},
    {"tmp", LONG_OPT_TMP, RA, ALL, h_accept, 0, NULL, "MB", "minimum temporary disk per node (accepted)"},
    {"uid", LONG_OPT_UID, RA, ALL, h_accept, 0, NULL, "user_id",
        "user to run the job as (root only; accepted)"},
    {"usage", LONG_OPT_USAGE, NA, ALL, h_cmdflag, C(usage), NULL, NULL, "display brief usage message"},
    {"use-min-nodes", LONG_OPT_USE_MIN_NODES, NA, ALL, h_accept, 0, NULL, NULL,
        "prefer the smaller node count of a range (accepted)"},
    {"verbose", 'v', NA, ALL, h_verbose, 0, "DEBUG", NULL, "verbose mode (multiple -v's increase verbosity)"},
    {"version", 'V', NA, ALL, h_cmdflag, C(version), NULL, NULL, "output version information and exit"},
    {"wait", 'W', NA, SB, h_wait, 0, "WAIT", NULL, "wait for the job to end; exit with its exit code"},
    {"wait", 'W', RA, SR, h_wait_secs, 0, "WAIT", "sec",
        "seconds to wait after the first task exits before killing the rest"},
    {"wait-all-nodes", LONG_OPT_WAIT_ALL_NODES, RA, SB | SA, h_accept, 0, NULL, "0|1",
        "wait for all nodes to be ready (accepted)"},
    {"label", 'l', NA, SR, h_cmdflag, C(label), "LABELIO", NULL,
        "prepend task number to lines of stdout/err"},
    {"unbuffered", 'u', NA, SR, h_cmdflag, C(unbuffered), "UNBUFFEREDIO", NULL,
        "do not line-buffer stdout/err"},
    {"kill-on-bad-exit", 'K', OA, SR, h_cmdflag, C(kill_bad_exit), "KILL_BAD_EXIT", "0|1",
        "kill the job if any task terminates with a non-zero exit code"},
    {"mpi", LONG_OPT_MPI, RA, SR, h_cmdstr, C(mpi), "MPI_TYPE", "type",
        "type of MPI being used (list: --mpi=list)"},
    {"overlap", LONG_OPT_OVERLAP, NA, SR, h_cmdflag, C(overlap), "OVERLAP", NULL,
        "share resources with other steps"},
    {"exact", LONG_OPT_EXACT, NA, SR, h_cmdflag, C(exact), "EXACT", NULL,
        "use only the resources requested for the step"},
    {"pty", LONG_OPT_PTY, NA, SR, h_cmdflag, C(pty), NULL, NULL, "run task zero in pseudo terminal"},
    {"multi-prog", LONG_OPT_MULTI_PROG, NA, SR, h_cmdflag, C(multi_prog), NULL, NULL,
        "the command is a file of rank-to-program lines"},
    {"jobid", LONG_OPT_JOBID, RA, SR, h_cmdstr, C(jobid), "JOBID", "id",
        "run under an already allocated job"},
    {"cpu-bind", LONG_OPT_CPU_BIND, RA, SR, h_cmdstr, C(cpu_bind), "CPU_BIND", "type",
        "task to CPU binding (accepted)"},
    {"disable-status", 'X', NA, SR, h_cmdflag, C(disable_status), "DISABLE_STATUS", NULL,
        "Ctrl-C is forwarded to the tasks instead of printing their status"},
    {"quit-on-interrupt", LONG_OPT_QUIT_ON_INTERRUPT, NA, SR, h_cmdflag, C(quit_on_interrupt), NULL, NULL,
        "quit immediately on a single Ctrl-C"},
    {"immediate", 'I', OA, SR | SA, h_immediate, 0, "IMMEDIATE", "secs",
        "exit if resources are not available within the time period specified"},
    {"no-shell", LONG_OPT_NO_SHELL, NA, SA, h_cmdflag, C(no_shell), NULL, NULL,
        "immediately exit after allocating resources, without running a command"},
    {"wckey", LONG_OPT_WCKEY, RA, ALL, h_str, D(wckey), "WCKEY", "wckey", "wckey to run the job under"},
    {"wrap", LONG_OPT_WRAP, RA, SB, h_wrap, 0, NULL, "command",
        "wrap the command string in a simple sh script and submit it"},
};

const struct jobopt_def *
jobopt_table(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}
