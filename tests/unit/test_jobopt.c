/* SPDX-License-Identifier: MIT */
/*
 * Tests of src/cmd/common/jobopt*.c and jobenv.c: the option table itself,
 * getopt_long forms (--opt=val, --opt val, -xval, -x val, abbreviations),
 * parsing of each option into a job_desc (-N ranges, -t forms, --mem
 * sizes, flags, --signal, -D), input env vars, and --export lists.
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "jobenv.h"
#include "jobopt.h"

/* Parse a command line given as words (program name added), then apply. */
static int
parse(struct jobopt *o, ...)
{
	char *argv[64];
	int argc = 0;
	argv[argc++] = "sbatch";
	va_list ap;
	va_start(ap, o);
	for (char *w = va_arg(ap, char *); w != NULL; w = va_arg(ap, char *))
		argv[argc++] = w;
	va_end(ap);
	argv[argc] = NULL;
	jobopt_init(o, JOBOPT_SBATCH, "sbatch", "SBATCH_");
	int rc = jobopt_parse_args(o, argc, argv, JOBOPT_LVL_CLI);
	if (rc >= 0 && jobopt_apply(o) < 0)
		return JOBOPT_ERR_VALUE;
	return rc;
}
#define PARSE(o, ...) parse(o, __VA_ARGS__, (char *)NULL)

/* The table: every row usable, names unique per command, a short
 * character means the same option wherever it appears. */
static void
test_table(void **state)
{
	size_t n;
	const struct jobopt_def *t = jobopt_table(&n);
	assert_true(n > 50);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(t[i].name);
		assert_non_null(t[i].fn);
		assert_true(t[i].cmds != 0);
		assert_true(t[i].has_arg == no_argument || t[i].has_arg == required_argument ||
		            t[i].has_arg == optional_argument);
		if (t[i].has_arg == required_argument && t[i].help != NULL)
			assert_non_null(t[i].argname);
		for (size_t j = i + 1; j < n; j++) {
			if (!(t[i].cmds & t[j].cmds))
				continue;
			if (strcmp(t[i].name, t[j].name) == 0)
				fail_msg("option --%s listed twice", t[i].name);
			if (t[i].val == t[j].val && (t[i].fn != t[j].fn || t[i].has_arg != t[j].has_arg))
				fail_msg("--%s and --%s share a value but differ", t[i].name, t[j].name);
		}
		/* jobopt_find returns a row with the same meaning */
		const struct jobopt_def *f = jobopt_find(JOBOPT_SBATCH, t[i].val);
		if (t[i].cmds & JOBOPT_SBATCH) {
			assert_non_null(f);
			assert_true(f->fn == t[i].fn);
		}
	}
	/* the options cli.md section 1 lists for sbatch are all there */
	static const char *need[] = {"job-name", "ntasks", "nodes", "cpus-per-task", "ntasks-per-node",
	    "mincpus", "time", "time-min", "partition", "nodelist", "exclude", "output", "error", "input",
	    "open-mode", "chdir", "export", "export-file", "array", "dependency", "kill-on-invalid-dep",
	    "hold", "begin", "deadline", "signal", "requeue", "no-requeue", "wait", "parsable", "quiet",
	    "verbose", "version", "wrap", "account", "qos", "reservation", "comment", "priority", "nice",
	    "mem", "mem-per-cpu", "exclusive", "oversubscribe", "constraint", "gres", "uid", "gid",
	    "ntasks-per-socket", "ntasks-per-core", "extra-node-info", "sockets-per-node", "cores-per-socket",
	    "threads-per-core", "hint", "nodefile", "mem-per-gpu", "gpus", "gpus-per-node", "gpus-per-task",
	    "cpus-per-gpu", "get-user-env", "licenses", "mail-type", "mail-user", "wckey", "no-kill",
	    "propagate", "test-only", "spread-job", "use-min-nodes", "contiguous", "clusters", "help",
	    "usage"};
	for (size_t k = 0; k < sizeof(need) / sizeof(need[0]); k++) {
		int found = 0;
		for (size_t i = 0; i < n; i++)
			if (strcmp(t[i].name, need[k]) == 0 && (t[i].cmds & JOBOPT_SBATCH))
				found = 1;
		if (!found)
			fail_msg("sbatch option --%s missing", need[k]);
	}
}

static void
test_defaults(void **state)
{
	struct jobopt o;
	assert_int_equal(PARSE(&o, "job.sh"), 1);
	assert_int_equal(o.desc.ntasks, NO_VAL);
	assert_int_equal(o.desc.min_nodes, NO_VAL);
	assert_int_equal(o.desc.max_nodes, NO_VAL);
	assert_int_equal(o.desc.cpus_per_task, NO_VAL);
	assert_int_equal(o.desc.time_limit, NO_VAL);
	assert_true(o.desc.mem_per_node == NO_VAL64);
	assert_true(o.desc.mem_per_cpu == NO_VAL64);
	assert_int_equal(o.desc.priority, NO_VAL);
	assert_int_equal(o.desc.flags, 0);
	assert_int_equal(o.desc.open_mode, OPEN_MODE_DEFAULT);
	assert_null(o.desc.name);
	assert_null(o.desc.partition);
	assert_null(o.export_spec);
	jobopt_fini(&o);
}

/* getopt_long forms */
static void
test_getopt_forms(void **state)
{
	struct jobopt o;
	const char *forms[][3] = {
	    {"-Jname", NULL, NULL},
	    {"-J", "name", NULL},
	    {"--job-name=name", NULL, NULL},
	    {"--job-name", "name", NULL},
	    {"--job=name", NULL, NULL},
	    {"--job-n", "name", NULL},
	};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char *argv[4] = {"sbatch", (char *)forms[i][0], (char *)forms[i][1], NULL};
		int argc = forms[i][1] ? 3 : 2;
		jobopt_init(&o, JOBOPT_SBATCH, "sbatch", "SBATCH_");
		assert_int_equal(jobopt_parse_args(&o, argc, argv, JOBOPT_LVL_CLI), argc);
		assert_int_equal(jobopt_apply(&o), 0);
		assert_string_equal(o.desc.name, "name");
		jobopt_fini(&o);
	}
	/* abbreviation of a long option */
	assert_int_equal(PARSE(&o, "--part=debug", "--parsa"), 3);
	assert_string_equal(o.desc.partition, "debug");
	assert_int_equal(o.parsable, 1);
	jobopt_fini(&o);
	/* exact names win over longer ones they prefix */
	assert_int_equal(PARSE(&o, "--mem=5", "--ntasks=2", "--time=3"), 4);
	assert_true(o.desc.mem_per_node == 5);
	assert_int_equal(o.desc.ntasks, 2);
	assert_int_equal(o.desc.time_limit, 3);
	jobopt_fini(&o);
	/* grouped short flags */
	assert_int_equal(PARSE(&o, "-HQ"), 2);
	assert_true(o.desc.flags & JOB_DESC_HOLD);
	assert_int_equal(o.quiet, 1);
	jobopt_fini(&o);
	/* options stop at the script; its arguments are not ours */
	assert_int_equal(PARSE(&o, "-n", "2", "job.sh", "-N", "5"), 3);
	assert_int_equal(o.desc.ntasks, 2);
	assert_int_equal(o.desc.min_nodes, NO_VAL);
	jobopt_fini(&o);
	/* unknown and ambiguous options, missing arguments */
	assert_int_equal(PARSE(&o, "--no-such-option"), JOBOPT_ERR_USAGE);
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "--exp=ALL"), JOBOPT_ERR_USAGE);
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "-J"), JOBOPT_ERR_USAGE);
	jobopt_fini(&o);
	/* optional arguments need the '=' form */
	assert_int_equal(PARSE(&o, "--exclusive", "user"), 2);
	assert_true(o.desc.flags & JOB_DESC_EXCLUSIVE);
	jobopt_fini(&o);
}

static void
test_nodes(void **state)
{
	struct jobopt o;
	assert_int_equal(PARSE(&o, "-N", "2-4"), 3);
	assert_int_equal(o.desc.min_nodes, 2);
	assert_int_equal(o.desc.max_nodes, 4);
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "--nodes=3"), 2);
	assert_int_equal(o.desc.min_nodes, 3);
	assert_int_equal(o.desc.max_nodes, 3);
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "-N2k"), 2);
	assert_int_equal(o.desc.min_nodes, 2048);
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "-N", "1-1m"), 3);
	assert_int_equal(o.desc.max_nodes, 1048576);
	jobopt_fini(&o);

	const char *bad[] = {"4-2", "abc", "", "-3", "2-", "1x", "2-3-4", "99999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(PARSE(&o, "-N", (char *)bad[i]), JOBOPT_ERR_VALUE);
		char want[64];
		snprintf(want, sizeof(want), "invalid node count `%s'", bad[i]);
		assert_string_equal(o.err, want);
		jobopt_fini(&o);
	}
}

static void
test_time(void **state)
{
	static const struct {
		const char *in;
		uint32_t min;
	} ok[] = {
	    {"5", 5},
	    {"1:30", 2},
	    {"1:00", 1},
	    {"2:00:00", 120},
	    {"1-0", 1440},
	    {"1-2:30", 1590},
	    {"1-0:0:1", 1441},
	    {"UNLIMITED", INFINITE},
	    {"infinite", INFINITE},
	    {"-1", INFINITE},
	    {"0", INFINITE},
	};
	struct jobopt o;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(PARSE(&o, "-t", (char *)ok[i].in), 3);
		if (o.desc.time_limit != ok[i].min)
			fail_msg("-t %s: got %u, want %u", ok[i].in, o.desc.time_limit, ok[i].min);
		jobopt_fini(&o);
	}
	assert_int_equal(PARSE(&o, "--time=abc"), JOBOPT_ERR_VALUE);
	assert_string_equal(o.err, "Invalid --time specification");
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "--time-min=1:x"), JOBOPT_ERR_VALUE);
	assert_string_equal(o.err, "Invalid --time-min specification");
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "--time-min=10"), 2);
	assert_int_equal(o.desc.time_min, 10);
	jobopt_fini(&o);
}

static void
test_mem(void **state)
{
	struct jobopt o;
	assert_int_equal(PARSE(&o, "--mem", "4G"), 3);
	assert_true(o.desc.mem_per_node == 4096);
	assert_true(o.desc.mem_per_cpu == NO_VAL64);
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "--mem=500"), 2);
	assert_true(o.desc.mem_per_node == 500);
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "--mem=0"), 2);
	assert_true(o.desc.mem_per_node == 0);
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "--mem=2048K"), 2);
	assert_true(o.desc.mem_per_node == 2);
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "--mem-per-cpu=1T"), 2);
	assert_true(o.desc.mem_per_cpu == 1048576);
	assert_true(o.desc.mem_per_node == NO_VAL64);
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "--mem=lots"), JOBOPT_ERR_VALUE);
	assert_string_equal(o.err, "Invalid --mem specification");
	jobopt_fini(&o);
	/* both on the command line: mutually exclusive (fatal) */
	assert_int_equal(PARSE(&o, "--mem=1G", "--mem-per-cpu=100"), JOBOPT_ERR_VALUE);
	assert_string_equal(o.err, "--mem, --mem-per-cpu, and --mem-per-gpu are mutually exclusive.");
	assert_int_equal(o.err_fatal, 1);
	jobopt_fini(&o);
}

static void
test_counts(void **state)
{
	struct jobopt o;
	assert_int_equal(PARSE(&o, "-n4", "-c", "2", "--mincpus=3", "--ntasks-per-node=2"), 6);
	assert_int_equal(o.desc.ntasks, 4);
	assert_int_equal(o.desc.cpus_per_task, 2);
	assert_int_equal(o.desc.mincpus, 3);
	assert_int_equal(o.desc.ntasks_per_node, 2);
	assert_true(o.desc.flags & JOB_DESC_NTASKS_SET);
	assert_true(o.desc.flags & JOB_DESC_CPT_SET);
	jobopt_fini(&o);
	/* -N with --ntasks-per-node and no -n asks for N x n tasks */
	assert_int_equal(PARSE(&o, "-N", "2", "--ntasks-per-node=3"), 4);
	assert_int_equal(o.desc.ntasks, 6);
	assert_true(o.desc.flags & JOB_DESC_NTASKS_SET);
	jobopt_fini(&o);
	/* with -n it is only a per-node maximum */
	assert_int_equal(PARSE(&o, "-N", "2", "--ntasks-per-node=3", "-n", "5"), 6);
	assert_int_equal(o.desc.ntasks, 5);
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "--ntasks=0"), JOBOPT_ERR_VALUE);
	assert_string_equal(o.err, "Invalid numeric value \"0\" for --ntasks.");
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "-c", "x"), JOBOPT_ERR_VALUE);
	assert_string_equal(o.err, "Invalid numeric value \"x\" for --cpus-per-task.");
	jobopt_fini(&o);
}

static void
test_flags(void **state)
{
	struct jobopt o;
	assert_int_equal(PARSE(&o, "-H", "--exclusive", "--requeue", "--kill-on-invalid-dep=yes", "-W",
	                     "--contiguous", "-k", "--get-user-env"),
	    9);
	uint32_t f = o.desc.flags;
	assert_true(f & JOB_DESC_HOLD);
	assert_true(f & JOB_DESC_EXCLUSIVE);
	assert_true(f & JOB_DESC_REQUEUE_SET);
	assert_true(f & JOB_DESC_REQUEUE);
	assert_true(f & JOB_DESC_KILL_INV_DEP);
	assert_false(f & JOB_DESC_NO_KILL_INV_DEP);
	assert_true(f & JOB_DESC_WAIT);
	assert_true(f & JOB_DESC_CONTIGUOUS);
	assert_true(f & JOB_DESC_NO_KILL);
	assert_true(f & JOB_DESC_GET_USER_ENV);
	assert_int_equal(o.wait, 1);
	jobopt_fini(&o);

	/* last of a pair wins */
	assert_int_equal(PARSE(&o, "--requeue", "--no-requeue", "--exclusive", "-s",
	                     "--kill-on-invalid-dep=yes", "--kill-on-invalid-dep=no"),
	    7);
	f = o.desc.flags;
	assert_true(f & JOB_DESC_REQUEUE_SET);
	assert_false(f & JOB_DESC_REQUEUE);
	assert_false(f & JOB_DESC_EXCLUSIVE);
	assert_true(f & JOB_DESC_OVERSUBSCRIBE);
	assert_false(f & JOB_DESC_KILL_INV_DEP);
	assert_true(f & JOB_DESC_NO_KILL_INV_DEP);
	jobopt_fini(&o);

	assert_int_equal(PARSE(&o, "--exclusive=user"), 2);
	assert_true(o.desc.flags & JOB_DESC_EXCLUSIVE_USER);
	assert_false(o.desc.flags & JOB_DESC_EXCLUSIVE);
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "--exclusive=bogus"), JOBOPT_ERR_VALUE);
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "--kill-on-invalid-dep=maybe"), JOBOPT_ERR_VALUE);
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "--oversubscribe", "--exclusive"), 3);
	assert_false(o.desc.flags & JOB_DESC_OVERSUBSCRIBE);
	assert_true(o.desc.flags & JOB_DESC_EXCLUSIVE);
	jobopt_fini(&o);
}

static void
test_strings(void **state)
{
	struct jobopt o;
	assert_int_equal(PARSE(&o, "-A", "acct", "-q", "high", "--reservation=r1", "--comment=hi there", "-C",
	                     "fast", "-p", "a,b", "-w", "n[1-2]", "-x", "n3", "-d", "afterok:5", "-a",
	                     "0-15%4", "--wckey=w", "-o", "out-%j.txt", "-e", "none", "-i", "in.txt"),
	    26);
	assert_string_equal(o.desc.account, "acct");
	assert_string_equal(o.desc.qos, "high");
	assert_string_equal(o.desc.reservation, "r1");
	assert_string_equal(o.desc.comment, "hi there");
	assert_string_equal(o.desc.constraint, "fast");
	assert_string_equal(o.desc.partition, "a,b");
	assert_string_equal(o.desc.req_nodes, "n[1-2]");
	assert_string_equal(o.desc.exc_nodes, "n3");
	assert_string_equal(o.desc.dependency, "afterok:5");
	assert_string_equal(o.desc.array_spec, "0-15%4");
	assert_string_equal(o.desc.wckey, "w");
	assert_string_equal(o.desc.std_out, "out-%j.txt");
	assert_string_equal(o.desc.std_err, "/dev/null");
	assert_string_equal(o.desc.std_in, "in.txt");
	jobopt_fini(&o);

	/* command-side values echoed into the job's environment by sbatch */
	assert_int_equal(PARSE(&o, "-m", "cyclic", "-O", "-M", "herd"), 6);
	assert_string_equal(o.distribution, "cyclic");
	assert_int_equal(o.overcommit, 1);
	assert_string_equal(o.clusters, "herd");
	jobopt_fini(&o);

	/* later occurrences replace earlier ones */
	assert_int_equal(PARSE(&o, "-J", "a", "-J", "b"), 5);
	assert_string_equal(o.desc.name, "b");
	jobopt_fini(&o);
}

static void
test_open_mode_signal_nice(void **state)
{
	struct jobopt o;
	assert_int_equal(PARSE(&o, "--open-mode=append", "--signal=B:USR1@30", "--nice", "--priority=7"), 5);
	assert_int_equal(o.desc.open_mode, OPEN_MODE_APPEND);
	assert_int_equal(o.desc.warn_signal, SIGUSR1);
	assert_int_equal(o.desc.warn_time, 30);
	assert_int_equal(o.desc.warn_flags, WARN_FLAG_BATCH);
	assert_int_equal(o.desc.nice, 100);
	assert_int_equal(o.desc.priority, 7);
	jobopt_fini(&o);

	assert_int_equal(
	    PARSE(&o, "--open-mode=truncate", "--signal=SIGUSR2", "--nice=-5", "--priority=TOP"), 5);
	assert_int_equal(o.desc.open_mode, OPEN_MODE_TRUNCATE);
	assert_int_equal(o.desc.warn_signal, SIGUSR2);
	assert_int_equal(o.desc.warn_time, 60);
	assert_int_equal(o.desc.warn_flags, 0);
	assert_int_equal(o.desc.nice, -5);
	assert_int_equal(o.desc.priority, JOB_DESC_PRIORITY_TOP);
	jobopt_fini(&o);

	uint32_t sig, secs, fl;
	assert_int_equal(jobopt_parse_signal("RB:15@0", &sig, &secs, &fl), 0);
	assert_int_equal(sig, 15);
	assert_int_equal(secs, 0);
	assert_int_equal(fl, WARN_FLAG_BATCH | WARN_FLAG_RESV);
	assert_int_equal(jobopt_parse_signal("term@65535", &sig, &secs, &fl), 0);
	assert_int_equal(sig, SIGTERM);
	const char *bad[] = {"", "X:USR1", "NOPE", "USR1@", "USR1@65536", "0", ":USR1", "USR1@x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (jobopt_parse_signal(bad[i], &sig, &secs, &fl) == 0)
			fail_msg("--signal=%s accepted", bad[i]);
	assert_int_equal(jobopt_signal_number("KILL"), SIGKILL);
	assert_int_equal(jobopt_signal_number("sighup"), SIGHUP);
	assert_int_equal(jobopt_signal_number("9"), 9);

	assert_int_equal(PARSE(&o, "--open-mode=sideways"), JOBOPT_ERR_VALUE);
	assert_string_equal(o.err, "Invalid --open-mode argument: sideways.");
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "--signal=WHAT"), JOBOPT_ERR_VALUE);
	assert_string_equal(o.err, "Invalid --signal specification");
	jobopt_fini(&o);
}

static void
test_begin(void **state)
{
	struct jobopt o;
	assert_int_equal(PARSE(&o, "--begin=now+60"), 2);
	int64_t now = (int64_t)time(NULL);
	assert_true(o.desc.begin_time >= now + 59 && o.desc.begin_time <= now + 61);
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "-b", "2030-01-02T03:04:05", "--deadline=2031-01-01"), 4);
	assert_true(o.desc.begin_time > now);
	assert_true(o.desc.deadline > o.desc.begin_time);
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "--begin=whenever"), JOBOPT_ERR_VALUE);
	assert_string_equal(o.err, "Invalid --begin specification");
	jobopt_fini(&o);
}

static void
test_chdir_and_paths(void **state)
{
	struct jobopt o;
	assert_int_equal(PARSE(&o, "-D", "/tmp/x/../y/./z//"), 3);
	assert_string_equal(o.desc.work_dir, "/tmp/y/z");
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "--chdir=sub"), 2);
	char *want = jobopt_abspath(o.cwd, "sub");
	assert_string_equal(o.desc.work_dir, want);
	assert_true(want[0] == '/');
	free(want);
	jobopt_fini(&o);

	char *p = jobopt_abspath("/home/a", "./job.sh");
	assert_string_equal(p, "/home/a/job.sh");
	free(p);
	p = jobopt_abspath("/home/a", "../../../x");
	assert_string_equal(p, "/x");
	free(p);
	p = jobopt_abspath("/", ".");
	assert_string_equal(p, "/");
	free(p);
}

static void
test_nodefile(void **state)
{
	char path[] = "/tmp/herd-test-jobopt-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "n1\nn2, n3\n\n  n4\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct jobopt o;
	assert_int_equal(PARSE(&o, "-w", path), 3);
	assert_string_equal(o.desc.req_nodes, "n1,n2,n3,n4");
	jobopt_fini(&o);
	assert_int_equal(PARSE(&o, "-F", path), 3);
	assert_string_equal(o.desc.req_nodes, "n1,n2,n3,n4");
	jobopt_fini(&o);
	unlink(path);
	assert_int_equal(PARSE(&o, "--nodefile=/nonexistent/file"), JOBOPT_ERR_VALUE);
	jobopt_fini(&o);
}

static void
test_env_vars(void **state)
{
	struct jobopt o;
	char *envp[] = {"SBATCH_ACCOUNT=envacct", "SBATCH_REQUEUE=", "SBATCH_WAIT=0", "SBATCH_EXCLUSIVE=user",
	    "SBATCH_PARTITION=envpart", "SBATCH_ARRAY_INX=1-3", "SBATCH_OPEN_MODE=a", "SBATCH_SIGNAL=USR1@10",
	    "SBATCH_EXPORT=NONE", "SBATCH_OUTPUT=o.txt", "SBATCH_ERROR=e.txt", "SBATCH_QOS=q",
	    "SBATCH_RESERVATION=r", "SBATCH_WCKEY=wk", "SBATCH_CONSTRAINT=c", "SBATCH_MEM_PER_NODE=2G",
	    "SBATCH_JOB_NAMEX=ignored", "OTHER_ACCOUNT=x", NULL};
	jobopt_init(&o, JOBOPT_SBATCH, "sbatch", "SBATCH_");
	assert_int_equal(jobopt_parse_env(&o, envp), 0);
	assert_int_equal(jobopt_apply(&o), 0);
	assert_string_equal(o.desc.account, "envacct");
	assert_true(o.desc.flags & JOB_DESC_REQUEUE);
	assert_int_equal(o.wait, 0);
	assert_true(o.desc.flags & JOB_DESC_EXCLUSIVE_USER);
	assert_string_equal(o.desc.partition, "envpart");
	assert_string_equal(o.desc.array_spec, "1-3");
	assert_int_equal(o.desc.open_mode, OPEN_MODE_APPEND);
	assert_int_equal(o.desc.warn_signal, SIGUSR1);
	assert_string_equal(o.export_spec, "NONE");
	assert_string_equal(o.desc.std_out, "o.txt");
	assert_string_equal(o.desc.std_err, "e.txt");
	assert_string_equal(o.desc.qos, "q");
	assert_string_equal(o.desc.reservation, "r");
	assert_string_equal(o.desc.wckey, "wk");
	assert_string_equal(o.desc.constraint, "c");
	assert_true(o.desc.mem_per_node == 2048);
	assert_null(o.desc.name);
	jobopt_fini(&o);

	/* flag values */
	char *on[] = {"SBATCH_WAIT=yes", "SBATCH_NO_REQUEUE=1", "SBATCH_EXCLUSIVE=", NULL};
	jobopt_init(&o, JOBOPT_SBATCH, "sbatch", "SBATCH_");
	assert_int_equal(jobopt_parse_env(&o, on), 0);
	assert_int_equal(jobopt_apply(&o), 0);
	assert_int_equal(o.wait, 1);
	assert_true(o.desc.flags & JOB_DESC_REQUEUE_SET);
	assert_false(o.desc.flags & JOB_DESC_REQUEUE);
	assert_true(o.desc.flags & JOB_DESC_EXCLUSIVE);
	jobopt_fini(&o);

	/* a bad value in an env var is an error like on the command line */
	char *bad[] = {"SBATCH_TIMELIMIT=soon", NULL};
	jobopt_init(&o, JOBOPT_SBATCH, "sbatch", "SBATCH_");
	assert_int_equal(jobopt_parse_env(&o, bad), -1);
	assert_string_equal(o.err, "Invalid --time specification");
	jobopt_fini(&o);

	/* both memory kinds in env: mutually exclusive */
	char *both[] = {"SBATCH_MEM_PER_NODE=1", "SBATCH_MEM_PER_CPU=1", NULL};
	jobopt_init(&o, JOBOPT_SBATCH, "sbatch", "SBATCH_");
	assert_int_equal(jobopt_parse_env(&o, both), -1);
	assert_int_equal(o.err_fatal, 1);
	jobopt_fini(&o);
}

/* Look up NAME in a built env. */
static const char *
get(char **env, uint32_t n, const char *name)
{
	return strv_getenv(env, n, name);
}

static void
test_export(void **state)
{
	char *envp[] = {
	    "HOME=/home/a", "PATH=/bin", "SLURM_CONF=/etc/x.conf", "SLURM_FOO=1", "EMPTY=", "NOEQUALS", NULL};
	char **env = NULL;
	uint32_t n = 0;
	char err[256];

	/* default and ALL: everything */
	assert_int_equal(jobenv_build(NULL, NULL, envp, &env, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 5);
	assert_string_equal(get(env, n, "HOME"), "/home/a");
	assert_string_equal(get(env, n, "EMPTY"), "");
	strv_free(env, n);
	env = NULL;
	n = 0;
	assert_int_equal(jobenv_build("all", NULL, envp, &env, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 5);
	strv_free(env, n);
	env = NULL;
	n = 0;

	/* NONE: only SLURM_* */
	assert_int_equal(jobenv_build("NONE", NULL, envp, &env, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(get(env, n, "SLURM_CONF"), "/etc/x.conf");
	assert_null(get(env, n, "HOME"));
	strv_free(env, n);
	env = NULL;
	n = 0;

	/* a list: SLURM_* + listed; bare names copy; unset names are skipped */
	assert_int_equal(jobenv_build("HOME,FOO=bar,MISSING", NULL, envp, &env, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 4);
	assert_string_equal(get(env, n, "HOME"), "/home/a");
	assert_string_equal(get(env, n, "FOO"), "bar");
	assert_null(get(env, n, "PATH"));
	assert_null(get(env, n, "MISSING"));
	assert_string_equal(get(env, n, "SLURM_FOO"), "1");
	strv_free(env, n);
	env = NULL;
	n = 0;

	/* ALL plus settings, overriding current values */
	assert_int_equal(jobenv_build("ALL,HOME=/other,NEW=1", NULL, envp, &env, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 6);
	assert_string_equal(get(env, n, "HOME"), "/other");
	assert_string_equal(get(env, n, "NEW"), "1");
	assert_string_equal(get(env, n, "PATH"), "/bin");
	strv_free(env, n);
	env = NULL;
	n = 0;

	/* a comma inside a value continues it; '=' in a value is kept */
	assert_int_equal(
	    jobenv_build("NONE,LIST=1,2,PATHS=/a,/b c,X=y=z", NULL, envp, &env, &n, err, sizeof(err)), 0);
	assert_string_equal(get(env, n, "LIST"), "1,2");
	assert_string_equal(get(env, n, "PATHS"), "/a,/b c");
	assert_string_equal(get(env, n, "X"), "y=z");
	strv_free(env, n);
	env = NULL;
	n = 0;

	/* something that is no variable at the start of a list is an error */
	assert_int_equal(jobenv_build("1BAD", NULL, envp, &env, &n, err, sizeof(err)), -1);
	assert_string_equal(err, "Invalid --export specification: 1BAD");
	strv_free(env, n);
	env = NULL;
	n = 0;

	/* --export-file, newline and NUL separated */
	char path[] = "/tmp/herd-test-export-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char text[] = "A=1\nB=two words\n\nnot an entry\nHOME=/file\n";
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	assert_int_equal(jobenv_build("NONE", path, envp, &env, &n, err, sizeof(err)), 0);
	assert_string_equal(get(env, n, "A"), "1");
	assert_string_equal(get(env, n, "B"), "two words");
	assert_string_equal(get(env, n, "HOME"), "/file");
	assert_int_equal(n, 5);
	strv_free(env, n);
	env = NULL;
	n = 0;
	fd = open(path, O_WRONLY | O_TRUNC);
	const char text0[] = "M=line1\nline2\0N=2";
	assert_int_equal(write(fd, text0, sizeof(text0) - 1), (ssize_t)(sizeof(text0) - 1));
	close(fd);
	assert_int_equal(jobenv_build("NONE", path, envp, &env, &n, err, sizeof(err)), 0);
	assert_string_equal(get(env, n, "M"), "line1\nline2");
	assert_string_equal(get(env, n, "N"), "2");
	strv_free(env, n);
	env = NULL;
	n = 0;
	unlink(path);
	assert_int_equal(jobenv_build(NULL, path, envp, &env, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	strv_free(env, n);
}

static void
test_help_and_usage(void **state)
{
	struct jobopt o;
	jobopt_init(&o, JOBOPT_SBATCH, "sbatch", "SBATCH_");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	jobopt_print_help(&o, f);
	fclose(f);
	size_t n;
	const struct jobopt_def *t = jobopt_table(&n);
	for (size_t i = 0; i < n; i++) {
		if (!(t[i].cmds & JOBOPT_SBATCH) || t[i].help == NULL)
			continue;
		char want[128];
		snprintf(want, sizeof(want), "--%s", t[i].name);
		if (strstr(buf, want) == NULL)
			fail_msg("--help lacks %s", want);
	}
	assert_non_null(strstr(buf, "-J, --job-name=jobname"));
	assert_non_null(strstr(buf, "--exclusive[=user|mcs]"));
	assert_null(strstr(buf, "--share"));
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	jobopt_print_usage(&o, f);
	fclose(f);
	assert_true(strncmp(buf, "Usage: sbatch", 13) == 0);
	assert_non_null(strstr(buf, "[-N N[-M]]"));
	for (char *l = buf; *l; l = strchr(l, '\n') + 1)
		assert_true(strchr(l, '\n') - l <= 80);
	free(buf);
	jobopt_fini(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_getopt_forms),
	    cmocka_unit_test(test_nodes),
	    cmocka_unit_test(test_time),
	    cmocka_unit_test(test_mem),
	    cmocka_unit_test(test_counts),
	    cmocka_unit_test(test_flags),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_open_mode_signal_nice),
	    cmocka_unit_test(test_begin),
	    cmocka_unit_test(test_chdir_and_paths),
	    cmocka_unit_test(test_nodefile),
	    cmocka_unit_test(test_env_vars),
	    cmocka_unit_test(test_export),
	    cmocka_unit_test(test_help_and_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
