/* SPDX-License-Identifier: MIT */
/*
 * sbatch: submit a batch script (cli.md section 1).  Reads the options of
 * the command line, the script (file, stdin or --wrap), its #SBATCH
 * directives and the SBATCH_* variables, builds one job_desc, sends it to
 * herdctld and prints the job id; with --wait, polls until the job ends
 * and exits with its exit code.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "client.h"
#include "directive.h"
#include "jobenv.h"
#include "jobopt.h"

#define PROG "sbatch"
#define SBATCH_VERSION "slurm-wlm 22.05.8"
#define MAX_SUBMIT_RETRIES 15

extern char **environ;

/* where the script came from */
struct script {
	char *text; /* NUL-terminated copy */
	size_t len;
	char *name; /* as given on the command line, NULL for stdin/--wrap */
	char *path; /* resolved absolute path (job_desc.command), NULL for stdin/--wrap */
	int from_wrap;
};

static void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(PROG ": error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int
is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Script path resolution (sbatch(1)): "/x" as is; "./x", "../x" against
 * base (the -D directory, else the cwd); a name found in base; a bare name
 * found in PATH; else relative to the process's cwd (the open then says
 * whether it exists).
 */
static char *
resolve_script(const char *name, const char *base, const char *cwd)
{
	if (name[0] == '/' || name[0] == '.')
		return jobopt_abspath(base, name);
	char *here = jobopt_abspath(base, name);
	if (access(here, F_OK) == 0)
		return here;
	free(here);
	const char *path = strchr(name, '/') == NULL ? getenv("PATH") : NULL;
	while (path != NULL && *path) {
		const char *e = strchr(path, ':');
		size_t n = e ? (size_t)(e - path) : strlen(path);
		if (n > 0) {
			char *cand = xasprintf("%.*s/%s", (int)n, path, name);
			if (is_file(cand)) {
				char *abs = jobopt_abspath(cwd, cand);
				free(cand);
				return abs;
			}
			free(cand);
		}
		path = e ? e + 1 : NULL;
	}
	return jobopt_abspath(cwd, name);
}

static int
only_whitespace(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] != '\v' &&
		    s[i] != '\f')
			return 0;
	return 1;
}

/* The checks Slurm makes before submitting; prints and returns -1. */
static int
check_script(const struct script *s)
{
	if (s->len == 0) {
		error("Batch script is empty!");
		return -1;
	}
	if (only_whitespace(s->text, s->len)) {
		error("Batch script contains only whitespace!");
		return -1;
	}
	if (s->len < 2 || s->text[0] != '#' || s->text[1] != '!') {
		error("This does not look like a batch script.  The first");
		error("line must start with #! followed by the path to an interpreter.");
		error("For instance: #!/bin/sh");
		return -1;
	}
	if (memchr(s->text, '\0', s->len) != NULL) {
		error("The Slurm controller does not allow scripts that contain a NULL character '\\0'.");
		return -1;
	}
	if (memmem(s->text, s->len, "\r\n", 2) != NULL) {
		error("Batch script contains DOS line breaks (\\r\\n)");
		error("instead of expected UNIX line breaks (\\n).");
		return -1;
	}
	return 0;
}

/* Load the script: --wrap text, a file, or stdin.  Prints and returns -1. */
static int
load_script(struct script *s, const struct jobopt *o, const char *name)
{
	struct buf b;
	buf_init(&b);
	memset(s, 0, sizeof(*s));
	if (o->wrap != NULL) {
		buf_printf(&b, "#!/bin/sh\n# This script was created by sbatch --wrap.\n\n%s\n", o->wrap);
		s->from_wrap = 1;
	} else if (name != NULL) {
		/* relative names are found from -D when it is given */
		const char *base = o->desc.work_dir ? o->desc.work_dir : o->cwd;
		s->name = xstrdup(name);
		s->path = resolve_script(name, base, o->cwd);
		int fd = open(s->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || buf_read_fd(&b, fd, 64U << 20) < 0) {
			error("Unable to open file %s", name);
			if (fd >= 0)
				close(fd);
			buf_free(&b);
			return -1;
		}
		close(fd);
	} else if (buf_read_fd(&b, STDIN_FILENO, 64U << 20) < 0) {
		error("Unable to read batch script from stdin: %s", strerror(errno));
		buf_free(&b);
		return -1;
	}
	s->len = b.len;
	s->text = buf_take(&b);
	return 0;
}

static void
script_free(struct script *s)
{
	free(s->text);
	free(s->name);
	free(s->path);
}

/* #SBATCH lines of the script; returns 0 or the exit status. */
static int
parse_directives(struct jobopt *o, const struct script *s)
{
	struct directive_result res;
	int rc = directive_scan(s->text, s->len, "#SBATCH", "#SLURM", &res);
	const char *file = s->name ? s->name : "stdin";
	int status = 0;
	if (rc == DIRECTIVE_UNMATCHED_QUOTE) {
		fprintf(stderr, PROG ": fatal: %s: line %d: Unmatched `%c` in [%s]\n", file, res.err_line,
		    res.err_quote, res.err_text);
		status = 1;
	} else if (rc == DIRECTIVE_UNEXPECTED_COLON) {
		fprintf(stderr, PROG ": fatal: %s: line %d: Unexpected `:` in [%s]\n", file, res.err_line,
		    res.err_text);
		status = 1;
	} else if (res.hetjob) {
		error("%s: line %d: heterogeneous jobs (#SBATCH hetjob) are not supported", file,
		    res.hetjob_line);
		status = 1;
	} else {
		if (res.alt_prefix_used)
			error("Use of #SLURM is deprecated, use #SBATCH instead");
		if (jobopt_parse_directives(o, res.argv, res.argc) < 0)
			status = jobopt_report_error(o, 255);
	}
	directive_result_free(&res);
	return status;
}

static char *
short_hostname(void)
{
	char h[HOST_NAME_MAX + 1];
	if (gethostname(h, sizeof(h)) < 0)
		return xstrdup("localhost");
	h[sizeof(h) - 1] = '\0';
	char *dot = strchr(h, '.');
	if (dot != NULL)
		*dot = '\0';
	return xstrdup(h);
}

static uint32_t
submit_umask(void)
{
	const char *v = getenv("SLURM_UMASK");
	if (v != NULL && *v) {
		char *end;
		long m = strtol(v, &end, 8);
		if (*end == '\0' && m >= 0 && m <= 0777)
			return (uint32_t)m;
	}
	mode_t m = umask(0);
	umask(m);
	return (uint32_t)m;
}

static char *
join_argv(int argc, char **argv)
{
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < argc; i++) {
		if (i)
			buf_addc(&b, ' ');
		buf_adds(&b, argv[i]);
	}
	return buf_take(&b);
}

static char *
base_name(const char *p)
{
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		n--;
	size_t s = n;
	while (s > 0 && p[s - 1] != '/')
		s--;
	return xstrndup(p + s, n - s);
}

/* Everything of the request that does not come from options. */
static int
fill_desc(struct jobopt *o, struct script *s, int argc, char **argv, int script_idx)
{
	struct job_desc *d = &o->desc;
	char *host = short_hostname();
	if (d->name == NULL)
		d->name = s->from_wrap ? xstrdup("wrap") : s->name ? base_name(s->name) : xstrdup("sbatch");
	d->script = s->text;
	s->text = NULL;
	d->command = xstrdup(s->path);
	/* argv: the script's arguments only (the step supervisor puts the
	 * stored script in front) */
	for (int i = script_idx + 1; s->name != NULL && i < argc; i++)
		strv_add(&d->argv, &d->argv_cnt, argv[i]);
	if (d->work_dir == NULL)
		d->work_dir = xstrdup(o->cwd);
	d->submit_host = xstrdup(host);
	d->alloc_node = host;
	d->submit_line = join_argv(argc, argv);
	pid_t sid = getsid(0);
	d->alloc_sid = sid < 0 ? 0 : (uint32_t)sid;
	d->umask = submit_umask();
	d->batch = 1;

	char err[512];
	if (jobenv_build(o->export_spec, o->export_file, environ, &d->env, &d->env_cnt, err, sizeof(err)) <
	    0) {
		error("%s", err);
		return -1;
	}
	/* what sbatch itself tells the job (jobs.md 5.1) */
	if (o->export_spec != NULL)
		strv_setenv(&d->env, &d->env_cnt, "SLURM_EXPORT_ENV", o->export_spec);
	if (d->flags & JOB_DESC_GET_USER_ENV)
		strv_setenv(&d->env, &d->env_cnt, "SLURM_GET_USER_ENV", "1");
	if (d->open_mode == OPEN_MODE_APPEND)
		strv_setenv(&d->env, &d->env_cnt, "SLURM_OPEN_MODE", "a");
	else if (d->open_mode == OPEN_MODE_TRUNCATE)
		strv_setenv(&d->env, &d->env_cnt, "SLURM_OPEN_MODE", "t");
	if (o->distribution != NULL)
		strv_setenv(&d->env, &d->env_cnt, "SLURM_DISTRIBUTION", o->distribution);
	if (o->overcommit)
		strv_setenv(&d->env, &d->env_cnt, "SLURM_OVERCOMMIT", "1");
	errno = 0;
	int prio = getpriority(PRIO_PROCESS, 0);
	strv_addf(&d->env, &d->env_cnt, "SLURM_PRIO_PROCESS=%d", errno ? 0 : prio);
	strv_setenv(&d->env, &d->env_cnt, "SLURM_SUBMIT_DIR", o->cwd);
	strv_setenv(&d->env, &d->env_cnt, "SLURM_SUBMIT_HOST", d->submit_host);
	return 0;
}

/* One submission: the job id, or 0 with *rc set to the error code (-1 when
 * the controller could not be reached).  A message of the controller is
 * printed as it comes. */
static uint32_t
submit_once(struct client *c, struct jobopt *o, int *rc)
{
	struct msg resp;
	*rc = client_rpc(c, REQ_SUBMIT_BATCH, &o->desc, &resp);
	if (*rc != 0)
		return 0;
	uint32_t id = 0;
	if (resp.type == RESP_SUBMIT_BATCH) {
		struct submit_resp *r = resp.body;
		if (r->msg != NULL && *r->msg)
			fprintf(stderr, PROG ": %s%s\n", r->rc ? "error: " : "", r->msg);
		*rc = r->rc;
		id = r->rc == 0 ? r->job_id : 0;
		if (*rc == 0 && id == 0)
			*rc = HERD_EINTERNAL;
	} else {
		*rc = HERD_EUNKNOWN_MSG;
	}
	msg_free(&resp);
	return id;
}

/* Submit, retrying while the controller is at MaxJobCount; returns the
 * job id or 0 after printing why it failed. */
static uint32_t
submit(struct client *c, struct jobopt *o)
{
	for (int retries = 0;; retries++) {
		int rc;
		uint32_t id = submit_once(c, o, &rc);
		if (id != 0)
			return id;
		if (rc < 0) {
			client_perror_conn(c, "Batch job submission failed");
			return 0;
		}
		if (rc == ESLURM_REJECTED_MAX_JOBS && retries < MAX_SUBMIT_RETRIES) {
			/* said once; then quietly sleep 1, 2, 3 ... s as Slurm does */
			if (retries == 0)
				error("%s", herd_strerror(rc));
			sleep((unsigned)retries + 1);
			continue;
		}
		error("Batch job submission failed: %s", herd_strerror(rc));
		return 0;
	}
}

/* Wait status of a finished job as sbatch --wait reports it. */
static int
job_exit_status(uint32_t code)
{
	int st = (int)code;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/* --wait: poll until every record of the job (all array tasks) has
 * finished; return the highest exit status. */
static int
wait_job(struct client *c, uint32_t job_id)
{
	unsigned delay_ms = 10;
	int complaining = 0;
	for (;;) {
		struct timespec ts = {
		    .tv_sec = delay_ms / 1000, .tv_nsec = (long)(delay_ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		if (delay_ms < 500)
			delay_ms = delay_ms * 2 > 500 ? 500 : delay_ms * 2;

		struct job_info_req q = {.job_id = job_id, .flags = 0};
		struct msg resp;
		int rc = client_rpc(c, REQ_JOB_INFO, &q, &resp);
		if (rc == 0 && resp.type != RESP_JOB_INFO) {
			msg_free(&resp);
			rc = HERD_EUNKNOWN_MSG;
		}
		if (rc == ESLURM_INVALID_JOB_ID) {
			error("Job %u no longer found and exit code not found", job_id);
			return 0;
		}
		if (rc != 0) {
			if (!complaining)
				error("Currently unable to load job state information, retrying: %s",
				    herd_strerror(rc < 0 ? HERD_ECONN : rc));
			complaining = 1;
			continue;
		}
		complaining = 0;
		struct job_info_resp *r = resp.body;
		int done = 1, found = 0, ec = 0;
		for (uint32_t i = 0; i < r->jobs_cnt; i++) {
			const struct job_info *j = &r->jobs[i];
			if (j->job_id != job_id && j->array_job_id != job_id)
				continue;
			found = 1;
			if (!job_state_is_finished(j->state)) {
				done = 0;
				break;
			}
			int st = job_exit_status(j->exit_code);
			if (st > ec)
				ec = st;
		}
		msg_free(&resp);
		if (!found) {
			error("Job %u no longer found and exit code not found", job_id);
			return 0;
		}
		if (done)
			return ec;
	}
}

/* Options, script, directives, env: the request in o.  Returns -1 when
 * the job is to be submitted, else the exit status. */
static int
build_request(struct jobopt *o, struct script *s, int argc, char **argv)
{
	int status;
	int idx = jobopt_cli(o, argc, argv, SBATCH_VERSION, 255, &status);
	if (idx < 0)
		return status;
	int exit_err = client_exit_error();
	if (o->wrap != NULL && idx < argc) {
		error("Script arguments not permitted with --wrap option");
		return exit_err;
	}
	if (load_script(s, o, idx < argc ? argv[idx] : NULL) < 0 || check_script(s) < 0)
		return exit_err;
	int st = parse_directives(o, s);
	if (st != 0)
		return st;
	if (jobopt_parse_env(o, environ) < 0 || jobopt_apply(o) < 0)
		return jobopt_report_error(o, 255);
	if (o->test_only) {
		error("--test-only is not supported");
		return exit_err;
	}
	if (fill_desc(o, s, argc, argv, idx) < 0)
		return exit_err;
	return -1;
}

/* Submit o's request, print the answer, wait if asked; the exit status. */
static int
run(struct client *c, struct jobopt *o)
{
	uint32_t id = submit(c, o);
	if (id == 0)
		return client_exit_error();
	/* with -M the answer names the cluster (there is only ours) */
	const char *cluster = o->clusters != NULL ? c->conf->cluster_name : NULL;
	if (o->parsable && cluster != NULL)
		printf("%u;%s\n", id, cluster);
	else if (o->parsable)
		printf("%u\n", id);
	else if (!o->quiet && cluster != NULL)
		printf("Submitted batch job %u on cluster %s\n", id, cluster);
	else if (!o->quiet)
		printf("Submitted batch job %u\n", id);
	if (!o->wait)
		return 0;
	fflush(stdout);
	return wait_job(c, id);
}

int
main(int argc, char **argv)
{
	struct jobopt o;
	struct script s;
	memset(&s, 0, sizeof(s));
	jobopt_init(&o, JOBOPT_SBATCH, PROG, "SBATCH_");
	int rc = build_request(&o, &s, argc, argv);
	script_free(&s);
	if (rc < 0) {
		struct client c;
		if (client_init(&c, PROG) < 0)
			rc = client_exit_error();
		else
			rc = run(&c, &o);
		client_fini(&c);
	}
	jobopt_fini(&o);
	return rc;
}
