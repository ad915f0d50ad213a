/* SPDX-License-Identifier: MIT */
/*
 * Job options shared by sbatch, srun and salloc (cli.md sections 1-3):
 * one table of options {long name, short char, argument, commands,
 * handler, input env var, help} from which getopt_long's arrays, the
 * --help text and the SBATCH_* env var parsing are all built.
 *
 * Options come from three sources with precedence command line > input
 * env vars > #SBATCH directives > defaults.  Each source is parsed on its
 * own (jobopt_parse_args / jobopt_parse_env); every option is checked as
 * it is read (so a bad value is reported at once) and recorded with its
 * level.  jobopt_apply then rebuilds the result from scratch, replaying the
 * recorded options from the lowest level to the highest, so a later level
 * simply overwrites what an earlier one set.
 */
#ifndef HERD_JOBOPT_H
#define HERD_JOBOPT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto/jobflags.h"
#include "proto/proto.h"

/* commands an option belongs to */
#define JOBOPT_SBATCH 0x1U
#define JOBOPT_SRUN 0x2U
#define JOBOPT_SALLOC 0x4U
#define JOBOPT_ALL (JOBOPT_SBATCH | JOBOPT_SRUN | JOBOPT_SALLOC)

/* where an option came from; higher wins */
enum jobopt_level {
	JOBOPT_LVL_DIRECTIVE = 1,
	JOBOPT_LVL_ENV = 2,
	JOBOPT_LVL_CLI = 3,
};

/* jobopt_parse_args results besides an index >= 0 */
#define JOBOPT_ERR_VALUE (-1) /* bad option value: message in o->err */
#define JOBOPT_ERR_USAGE (-2) /* unknown option or missing argument (CLI: getopt printed it) */

/* ids of options without a short form (getopt_long's val) */
enum jobopt_long_id {
	LONG_OPT_FIRST = 0x100,
	LONG_OPT_ACCTG_FREQ = LONG_OPT_FIRST,
	LONG_OPT_BATCH,
	LONG_OPT_BB,
	LONG_OPT_BBF,
	LONG_OPT_CLUSTER_CONSTRAINT,
	LONG_OPT_COMMENT,
	LONG_OPT_CONTIGUOUS,
	LONG_OPT_CORES_PER_SOCKET,
	LONG_OPT_CPU_FREQ,
	LONG_OPT_CPUS_PER_GPU,
	LONG_OPT_DEADLINE,
	LONG_OPT_DELAY_BOOT,
	LONG_OPT_EXCLUSIVE,
	LONG_OPT_EXPORT,
	LONG_OPT_EXPORT_FILE,
	LONG_OPT_GET_USER_ENV,
	LONG_OPT_GID,
	LONG_OPT_GPU_BIND,
	LONG_OPT_GPU_FREQ,
	LONG_OPT_GPUS_PER_NODE,
	LONG_OPT_GPUS_PER_SOCKET,
	LONG_OPT_GPUS_PER_TASK,
	LONG_OPT_GRES,
	LONG_OPT_GRES_FLAGS,
	LONG_OPT_HINT,
	LONG_OPT_IGNORE_PBS,
	LONG_OPT_KILL_INV_DEP,
	LONG_OPT_MAIL_TYPE,
	LONG_OPT_MAIL_USER,
	LONG_OPT_MCS_LABEL,
	LONG_OPT_MEM,
	LONG_OPT_MEM_BIND,
	LONG_OPT_MEM_PER_CPU,
	LONG_OPT_MEM_PER_GPU,
	LONG_OPT_MINCPUS,
	LONG_OPT_NETWORK,
	LONG_OPT_NICE,
	LONG_OPT_NO_REQUEUE,
	LONG_OPT_NTASKS_PER_CORE,
	LONG_OPT_NTASKS_PER_GPU,
	LONG_OPT_NTASKS_PER_NODE,
	LONG_OPT_NTASKS_PER_SOCKET,
	LONG_OPT_OPEN_MODE,
	LONG_OPT_PARSABLE,
	LONG_OPT_POWER,
	LONG_OPT_PRIORITY,
	LONG_OPT_PROFILE,
	LONG_OPT_PROPAGATE,
	LONG_OPT_REBOOT,
	LONG_OPT_REQUEUE,
	LONG_OPT_RESERVATION,
	LONG_OPT_SIGNAL,
	LONG_OPT_SOCKETS_PER_NODE,
	LONG_OPT_SPREAD_JOB,
	LONG_OPT_SWITCHES,
	LONG_OPT_TEST_ONLY,
	LONG_OPT_THREAD_SPEC,
	LONG_OPT_THREADS_PER_CORE,
	LONG_OPT_TIME_MIN,
	LONG_OPT_TMP,
	LONG_OPT_UID,
	LONG_OPT_USAGE,
	LONG_OPT_USE_MIN_NODES,
	LONG_OPT_WAIT_ALL_NODES,
	LONG_OPT_WCKEY,
	LONG_OPT_WRAP,
	LONG_OPT_MPI,
	LONG_OPT_OVERLAP,
	LONG_OPT_EXACT,
	LONG_OPT_PTY,
	LONG_OPT_MULTI_PROG,
	LONG_OPT_JOBID,
	LONG_OPT_CPU_BIND,
	LONG_OPT_NO_SHELL,
	LONG_OPT_QUIT_ON_INTERRUPT,
};

struct jobopt;
struct jobopt_def;

/* Check arg (NULL for options without a value) and store it in o.
 * 0, or -1 with a message in o->err. */
typedef int jobopt_fn(struct jobopt *o, const struct jobopt_def *d, const char *arg);

struct jobopt_def {
	const char *name; /* long name */
	int val; /* short option character, or a LONG_OPT_* id */
	int has_arg; /* no_argument, required_argument, optional_argument */
	unsigned cmds; /* JOBOPT_SBATCH | ... */
	jobopt_fn *fn; /* handler */
	size_t off; /* struct job_desc member for the generic handlers */
	const char *env; /* input env var without its prefix ("ACCOUNT"), or NULL */
	const char *argname; /* shown in --help ("n", "time"), NULL for none */
	const char *help; /* one line; NULL hides an alias from --help */
};

/* one option as read from a source */
struct jobopt_rec {
	const struct jobopt_def *def;
	char *arg;
	int level;
};

struct jobopt {
	unsigned cmd; /* JOBOPT_SBATCH ... */
	const char *prog; /* "sbatch", used in messages */
	const char *env_prefix; /* "SBATCH_" */
	char *cwd; /* for -D and file arguments */

	struct job_desc desc; /* the job request being built (NO_VAL = unset) */

	/* command behaviour, not part of the request */
	int parsable, quiet, verbose, wait, test_only;
	int help, usage, version, ignore_pbs;
	char *wrap; /* --wrap text */
	char *export_spec; /* --export value; NULL = default (ALL) */
	char *export_file; /* --export-file value */
	char *clusters; /* -M value (only the local cluster exists) */
	char *distribution; /* -m value as given */
	int overcommit; /* -O */

	/* srun / salloc */
	int label, unbuffered, kill_bad_exit, overlap, exact, pty, multi_prog;
	int disable_status, no_shell, quit_on_interrupt;
	char *mpi; /* --mpi value */
	char *jobid; /* --jobid value */
	char *cpu_bind; /* --cpu-bind value (accepted) */
	int wait_s; /* srun -W/--wait seconds, -1 unset */

	/* bookkeeping while applying */
	int level; /* level of the option being handled */
	int mem_level, mem_cpu_level; /* level that set --mem / --mem-per-cpu, 0 = unset */
	struct jobopt_rec *recs;
	size_t nrecs;

	/* error of the last failing call: text without "<prog>: error: " */
	char err[512];
	int err_fatal; /* print as "<prog>: fatal: ..." and exit 1 (else exit 255) */
};

/* The option table (all commands), and one lookup. */
const struct jobopt_def *jobopt_table(size_t *n);
const struct jobopt_def *jobopt_find(unsigned cmd, int val);

/* Set o up for a command; job_desc fields start unset (NO_VAL, NULL). */
void jobopt_init(struct jobopt *o, unsigned cmd, const char *prog, const char *env_prefix);
void jobopt_fini(struct jobopt *o);
/* Fill a job_desc with "unset" values (NO_VAL, NO_VAL64, NULL, 0). */
void jobopt_desc_init(struct job_desc *d);

/*
 * Parse argv (argv[0] = program name) with getopt_long, stopping at the
 * first non-option argument.  Returns the index of that argument (argc if
 * none), JOBOPT_ERR_VALUE (o->err says why) or JOBOPT_ERR_USAGE.  At
 * JOBOPT_LVL_CLI getopt prints its own message for an unknown option; the
 * caller adds the "Try ... --help" line.  At JOBOPT_LVL_DIRECTIVE nothing
 * is printed and o->err holds "Invalid directive found in batch script:
 * <word>" (also for a stray non-option word, which is an error there).
 */
int jobopt_parse_args(struct jobopt *o, int argc, char **argv, int level);

/*
 * The command line of sbatch, srun or salloc: getopt names the program
 * o->prog in its messages, a bad option or value is reported, --help,
 * --usage and --version are answered.  Returns the index of the first
 * non-option argument, or -1 with *status set to the exit status (0 after
 * --help; err_status or 1 for a fatal error after a message).
 */
int jobopt_cli(struct jobopt *o, int argc, char **argv, const char *version, int err_status, int *status);

/* Print o->err as "<prog>: error: ..." (err_status) or "<prog>: fatal: ..."
 * (1); returns that exit status. */
int jobopt_report_error(const struct jobopt *o, int err_status);

/* Words of #SBATCH directives (no program name in front). 0 or -1 with o->err. */
int jobopt_parse_directives(struct jobopt *o, char **words, uint32_t n);

/*
 * Input env vars: for every option with an env name, <prefix><env> from
 * envp (NULL-terminated "NAME=value" list).  Options without a value are
 * on when the variable is empty, "yes" or a non-zero number.  0 or -1.
 */
int jobopt_parse_env(struct jobopt *o, char *const *envp);

/* Rebuild o's results from all recorded options in precedence order and
 * derive dependent fields.  0 or -1 with o->err. */
int jobopt_apply(struct jobopt *o);

/* Was option val recorded (at any level)? */
int jobopt_seen(const struct jobopt *o, int val);

/* --help and --usage text for o->cmd. */
void jobopt_print_help(const struct jobopt *o, FILE *f);
void jobopt_print_usage(const struct jobopt *o, FILE *f);

/* Parsers used by the handlers, exposed for reuse and tests. */
/* "min[-max]" with k/m suffixes (x1024, x1048576); max NO_VAL when absent. 0/-1. */
int jobopt_parse_nodes(const char *s, uint32_t *min, uint32_t *max);
/* "[{R|B}:]<sig>[@<secs>]": 0/-1. */
int jobopt_parse_signal(const char *s, uint32_t *sig, uint32_t *secs, uint32_t *flags);
/* signal name (HUP, SIGHUP, case-insensitive) or number; -1 if unknown */
int jobopt_signal_number(const char *s);
/* path made absolute against cwd and normalised ("." and ".." removed,
 * repeated '/' collapsed) without touching the file system; caller frees */
char *jobopt_abspath(const char *cwd, const char *path);

#endif
