/* SPDX-License-Identifier: MIT */
/*
 * The job option table and its engine: getopt_long arrays and help text
 * built from the table, recording of options per source (command line,
 * input env vars, #SBATCH directives) and the replay that applies them in
 * precedence order.  The handlers that check and store each option's value
 * live in jobopt_handlers.c; the table itself is at the end of that file.
 */
#include "jobopt.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "jobopt_int.h"

void
jobopt_desc_init(struct job_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->alloc_sid = NO_VAL;
	d->ntasks = NO_VAL;
	d->min_nodes = NO_VAL;
	d->max_nodes = NO_VAL;
	d->cpus_per_task = NO_VAL;
	d->ntasks_per_node = NO_VAL;
	d->mincpus = NO_VAL;
	d->time_limit = NO_VAL;
	d->time_min = NO_VAL;
	d->mem_per_node = NO_VAL64;
	d->mem_per_cpu = NO_VAL64;
	d->flags = 0;
	d->open_mode = OPEN_MODE_DEFAULT;
	d->begin_time = 0;
	d->deadline = 0;
	d->nice = 0;
	d->priority = NO_VAL;
	d->warn_signal = 0;
	d->warn_time = 0;
	d->warn_flags = 0;
	d->umask = NO_VAL;
	d->batch = 0;
	d->immediate = 0;
}

/* Reset everything the handlers set (not the records). */
static void
jobopt_reset(struct jobopt *o)
{
	proto_free(&rdesc_job_desc, &o->desc);
	jobopt_desc_init(&o->desc);
	free(o->wrap);
	free(o->export_spec);
	free(o->export_file);
	free(o->clusters);
	free(o->distribution);
	o->wrap = o->export_spec = o->export_file = o->clusters = o->distribution = NULL;
	o->overcommit = 0;
	o->parsable = o->quiet = o->verbose = o->wait = o->test_only = 0;
	o->help = o->usage = o->version = o->ignore_pbs = 0;
	o->mem_level = o->mem_cpu_level = 0;
	free(o->mpi);
	free(o->jobid);
	free(o->cpu_bind);
	o->mpi = o->jobid = o->cpu_bind = NULL;
	o->label = o->unbuffered = o->kill_bad_exit = o->overlap = o->exact = o->pty = 0;
	o->multi_prog = o->disable_status = o->no_shell = o->quit_on_interrupt = 0;
	o->wait_s = -1;
}

void
jobopt_init(struct jobopt *o, unsigned cmd, const char *prog, const char *env_prefix)
{
	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->prog = prog;
	o->env_prefix = env_prefix;
	jobopt_desc_init(&o->desc);
	o->wait_s = -1;
	o->cwd = getcwd(NULL, 0);
	if (o->cwd == NULL)
		o->cwd = xstrdup("/");
}

void
jobopt_fini(struct jobopt *o)
{
	jobopt_reset(o);
	proto_free(&rdesc_job_desc, &o->desc);
	for (size_t i = 0; i < o->nrecs; i++)
		free(o->recs[i].arg);
	free(o->recs);
	free(o->cwd);
	memset(o, 0, sizeof(*o));
}

int
jobopt_err(struct jobopt *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->err, sizeof(o->err), fmt, ap);
	va_end(ap);
	return -1;
}

const struct jobopt_def *
jobopt_find(unsigned cmd, int val)
{
	size_t n;
	const struct jobopt_def *t = jobopt_table(&n);
	for (size_t i = 0; i < n; i++)
		if (t[i].val == val && (t[i].cmds & cmd))
			return &t[i];
	return NULL;
}

/* getopt_long's arrays for cmd; caller frees both. */
static void
build_getopt(unsigned cmd, struct option **longopts, char **shortopts)
{
	size_t n;
	const struct jobopt_def *t = jobopt_table(&n);
	struct option *lo = xcalloc(n + 1, sizeof(*lo));
	struct buf so;
	buf_init(&so);
	buf_addc(&so, '+'); /* stop at the script name: the rest are its arguments */
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!(t[i].cmds & cmd))
			continue;
		lo[k].name = t[i].name;
		lo[k].has_arg = t[i].has_arg;
		lo[k].flag = NULL;
		lo[k].val = t[i].val;
		k++;
		if (t[i].val < LONG_OPT_FIRST && strchr(buf_str(&so), t[i].val) == NULL) {
			buf_addc(&so, (char)t[i].val);
			if (t[i].has_arg == required_argument)
				buf_adds(&so, ":");
			else if (t[i].has_arg == optional_argument)
				buf_adds(&so, "::");
		}
	}
	*longopts = lo;
	*shortopts = buf_take(&so);
}

static void
record(struct jobopt *o, const struct jobopt_def *d, const char *arg, int level)
{
	o->recs = xreallocarray(o->recs, o->nrecs + 1, sizeof(*o->recs));
	o->recs[o->nrecs].def = d;
	o->recs[o->nrecs].arg = xstrdup(arg);
	o->recs[o->nrecs].level = level;
	o->nrecs++;
}

/* Check the value now (so errors show at once) and keep it for the replay. */
static int
take(struct jobopt *o, const struct jobopt_def *d, const char *arg, int level)
{
	o->level = level;
	if (d->fn(o, d, arg) < 0)
		return -1;
	record(o, d, arg, level);
	return 0;
}

int
jobopt_parse_args(struct jobopt *o, int argc, char **argv, int level)
{
	struct option *lo;
	char *so;
	build_getopt(o->cmd, &lo, &so);
	int rc = 0;
	int saved_opterr = opterr;
	opterr = (level == JOBOPT_LVL_CLI);
	optind = 0; /* full re-initialisation of glibc's getopt */
	for (;;) {
		int word = optind == 0 ? 1 : optind;
		int c = getopt_long(argc, argv, so, lo, NULL);
		if (c == -1)
			break;
		const struct jobopt_def *d = (c == '?' || c == ':') ? NULL : jobopt_find(o->cmd, c);
		if (d == NULL) {
			if (level == JOBOPT_LVL_DIRECTIVE)
				jobopt_err(o, "Invalid directive found in batch script: %s",
				    word < argc ? argv[word] : "");
			rc = JOBOPT_ERR_USAGE;
			break;
		}
		if (take(o, d, optarg, level) < 0) {
			rc = JOBOPT_ERR_VALUE;
			break;
		}
	}
	if (rc == 0) {
		rc = optind;
		if (level == JOBOPT_LVL_DIRECTIVE && optind < argc) {
			jobopt_err(o, "Invalid directive found in batch script: %s", argv[optind]);
			rc = JOBOPT_ERR_USAGE;
		}
	}
	opterr = saved_opterr;
	optind = 0;
	free(lo);
	free(so);
	return rc;
}

int
jobopt_parse_directives(struct jobopt *o, char **words, uint32_t n)
{
	if (n == 0)
		return 0;
	char **argv = xcalloc((size_t)n + 2, sizeof(char *));
	argv[0] = (char *)o->prog;
	for (uint32_t i = 0; i < n; i++)
		argv[i + 1] = words[i];
	int rc = jobopt_parse_args(o, (int)n + 1, argv, JOBOPT_LVL_DIRECTIVE);
	free(argv);
	return rc < 0 ? -1 : 0;
}

static const char *
env_lookup(char *const *envp, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; envp != NULL && envp[i] != NULL; i++)
		if (strncmp(envp[i], name, n) == 0 && envp[i][n] == '=')
			return envp[i] + n + 1;
	return NULL;
}

/* Flag-type input variables: empty, "yes" or a non-zero number. */
int
jobopt_env_flag_on(const char *v)
{
	if (*v == '\0' || strcasecmp(v, "yes") == 0)
		return 1;
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	return end != v && *end == '\0' && errno == 0 && n != 0;
}

int
jobopt_parse_env(struct jobopt *o, char *const *envp)
{
	size_t n;
	const struct jobopt_def *t = jobopt_table(&n);
	for (size_t i = 0; i < n; i++) {
		const struct jobopt_def *d = &t[i];
		if (d->env == NULL || !(d->cmds & o->cmd))
			continue;
		char name[128];
		snprintf(name, sizeof(name), "%s%s", o->env_prefix, d->env);
		const char *v = env_lookup(envp, name);
		if (v == NULL)
			continue;
		const char *arg = v;
		if (d->has_arg == no_argument) {
			if (!jobopt_env_flag_on(v))
				continue;
			arg = NULL;
		} else if (d->has_arg == optional_argument && jobopt_env_flag_on(v)) {
			arg = NULL;
		}
		if (take(o, d, arg, JOBOPT_LVL_ENV) < 0)
			return -1;
	}
	return 0;
}

int
jobopt_apply(struct jobopt *o)
{
	jobopt_reset(o);
	for (int level = JOBOPT_LVL_DIRECTIVE; level <= JOBOPT_LVL_CLI; level++) {
		for (size_t i = 0; i < o->nrecs; i++) {
			if (o->recs[i].level != level)
				continue;
			o->level = level;
			if (o->recs[i].def->fn(o, o->recs[i].def, o->recs[i].arg) < 0)
				return -1;
		}
	}
	struct job_desc *d = &o->desc;
	/* -N with --ntasks-per-node and no -n: that many tasks on each node */
	if (!(d->flags & JOB_DESC_NTASKS_SET) && d->ntasks_per_node != NO_VAL && d->min_nodes != NO_VAL &&
	    d->min_nodes > 0) {
		d->ntasks = d->min_nodes * d->ntasks_per_node;
		d->flags |= JOB_DESC_NTASKS_SET;
	}
	return 0;
}

int
jobopt_seen(const struct jobopt *o, int val)
{
	for (size_t i = 0; i < o->nrecs; i++)
		if (o->recs[i].def->val == val)
			return 1;
	return 0;
}

/* "-J, --job-name=name" */
static void
option_label(const struct jobopt_def *d, struct buf *b)
{
	if (d->val < LONG_OPT_FIRST)
		buf_printf(b, "-%c, ", d->val);
	else
		buf_adds(b, "    ");
	buf_printf(b, "--%s", d->name);
	if (d->argname != NULL) {
		if (d->has_arg == optional_argument)
			buf_printf(b, "[=%s]", d->argname);
		else
			buf_printf(b, "=%s", d->argname);
	}
}

void
jobopt_print_help(const struct jobopt *o, FILE *f)
{
	size_t n;
	const struct jobopt_def *t = jobopt_table(&n);
	fprintf(f, "Usage: %s [OPTIONS...] %s\n\n", o->prog,
	    o->cmd == JOBOPT_SBATCH ? "[script [args...]]" : "[command [args...]]");
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		if (!(t[i].cmds & o->cmd) || t[i].help == NULL)
			continue;
		buf_reset(&b);
		buf_adds(&b, "  ");
		option_label(&t[i], &b);
		if (b.len < 34)
			buf_pad(&b, ' ', 34 - b.len);
		else
			buf_adds(&b, "\n                                  ");
		fprintf(f, "%s%s\n", buf_str(&b), t[i].help);
	}
	buf_free(&b);
	fprintf(f,
	    "\nOptions may also be set by %s* environment variables and, in a batch\n"
	    "script, by \"#SBATCH\" lines before the first command.\n",
	    o->env_prefix);
}

void
jobopt_print_usage(const struct jobopt *o, FILE *f)
{
	size_t n;
	const struct jobopt_def *t = jobopt_table(&n);
	struct buf line;
	buf_init(&line);
	buf_printf(&line, "Usage: %s", o->prog);
	size_t indent = line.len;
	for (size_t i = 0; i < n; i++) {
		if (!(t[i].cmds & o->cmd) || t[i].help == NULL)
			continue;
		struct buf item;
		buf_init(&item);
		if (t[i].val < LONG_OPT_FIRST && t[i].argname != NULL && t[i].has_arg == required_argument)
			buf_printf(&item, " [-%c %s]", t[i].val, t[i].argname);
		else if (t[i].val < LONG_OPT_FIRST && t[i].argname == NULL)
			buf_printf(&item, " [-%c]", t[i].val);
		else if (t[i].argname != NULL && t[i].has_arg == optional_argument)
			buf_printf(&item, " [--%s[=%s]]", t[i].name, t[i].argname);
		else if (t[i].argname != NULL)
			buf_printf(&item, " [--%s=%s]", t[i].name, t[i].argname);
		else
			buf_printf(&item, " [--%s]", t[i].name);
		if (line.len + item.len > 79) {
			fprintf(f, "%s\n", buf_str(&line));
			buf_reset(&line);
			buf_pad(&line, ' ', indent);
		}
		buf_add(&line, item.data, item.len);
		buf_free(&item);
	}
	const char *tail = o->cmd == JOBOPT_SBATCH ? " script [args...]" : " [command [args...]]";
	if (line.len + strlen(tail) > 79) {
		fprintf(f, "%s\n", buf_str(&line));
		buf_reset(&line);
		buf_pad(&line, ' ', indent);
	}
	buf_adds(&line, tail);
	fprintf(f, "%s\n", buf_str(&line));
	buf_free(&line);
}

int
jobopt_report_error(const struct jobopt *o, int err_status)
{
	fprintf(stderr, "%s: %s: %s\n", o->prog, o->err_fatal ? "fatal" : "error", o->err);
	return o->err_fatal ? 1 : err_status;
}

int
jobopt_cli(struct jobopt *o, int argc, char **argv, const char *version, int err_status, int *status)
{
	char **args = xcalloc((size_t)argc + 1, sizeof(char *));
	for (int i = 0; i < argc; i++)
		args[i] = argv[i];
	args[0] = (char *)o->prog;
	int idx = jobopt_parse_args(o, argc, args, JOBOPT_LVL_CLI);
	free(args);
	if (idx == JOBOPT_ERR_USAGE) {
		fprintf(stderr, "Try \"%s --help\" for more information\n", o->prog);
		*status = err_status;
		return -1;
	}
	if (idx < 0) {
		*status = jobopt_report_error(o, err_status);
		return -1;
	}
	if (o->help || o->usage || o->version) {
		if (o->help)
			jobopt_print_help(o, stdout);
		else if (o->usage)
			jobopt_print_usage(o, stdout);
		else
			printf("%s\n", version);
		*status = 0;
		return -1;
	}
	return idx;
}
