/* SPDX-License-Identifier: MIT */
/*
 * Field tables of squeue: one row per field letter / -O name with its
 * header and getter, for jobs and for steps.  Getters only format what
 * the controller sent; nothing here makes a system call, so squeue over
 * thousands of jobs costs one RPC plus string formatting.
 */
#include "jobfmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "conf/conf.h"
#include "jobid.h"
#include "proto/jobflags.h"
#include "proto/states.h"
#include "timefmt/timefmt.h"

#define J(o) ((const struct job_info *)(o))
#define C(c) ((const struct jobfmt_ctx *)(c))

static void
put(struct buf *o, const char *s, const char *null_str)
{
	buf_adds(o, s != NULL ? s : null_str);
}

int64_t
jobfmt_now(const struct job_info *j, const struct jobfmt_ctx *c)
{
	if (j->now != 0)
		return j->now;
	return c != NULL ? c->now : 0;
}

void
jobfmt_id(struct buf *out, const struct job_info *j, int bitstr_len)
{
	if (j->array_task_str != NULL) {
		size_t max = bitstr_len > 0 ? (size_t)bitstr_len : 64;
		size_t len = strlen(j->array_task_str);
		buf_printf(out, "%u_[", j->array_job_id ? j->array_job_id : j->job_id);
		if (len > max && max > 3) {
			buf_add(out, j->array_task_str, max - 3);
			buf_adds(out, "...");
		} else {
			buf_adds(out, j->array_task_str);
		}
		if (j->array_max_tasks != 0 && j->array_max_tasks != NO_VAL)
			buf_printf(out, "%%%u", j->array_max_tasks);
		buf_addc(out, ']');
	} else if (j->array_task_id != NO_VAL) {
		buf_printf(out, "%u_%u", j->array_job_id, j->array_task_id);
	} else {
		buf_printf(out, "%u", j->job_id);
	}
}

int64_t
jobfmt_run_secs(const struct job_info *j, int64_t now)
{
	uint32_t base = j->state & JOB_STATE_BASE;
	if (base == JOB_PENDING || j->start_time == 0)
		return 0;
	if (base == JOB_SUSPENDED)
		return j->pre_sus_time;
	int64_t end = (base == JOB_RUNNING || j->end_time == 0) ? now : j->end_time;
	int64_t r;
	if (j->suspend_time != 0)
		r = end - j->suspend_time + j->pre_sus_time;
	else
		r = end - j->start_time;
	return r < 0 ? 0 : r;
}

void
jobfmt_exit_code(struct buf *out, uint32_t status)
{
	uint32_t sig = status & 0x7f, code = (status >> 8) & 0xff;
	if (sig != 0 && sig != 0x7f)
		buf_printf(out, "0:%u", sig);
	else
		buf_printf(out, "%u:0", code);
}

const char *
jobfmt_oversub(const struct job_info *j)
{
	/* the job's own request; a job that asked for nothing shows OK */
	if ((j->flags & JOB_DESC_EXCLUSIVE) || j->oversubscribe == OVERSUB_EXCLUSIVE)
		return "NO";
	if (j->flags & JOB_DESC_EXCLUSIVE_USER)
		return "USER";
	if (j->flags & JOB_DESC_EXCLUSIVE_MCS)
		return "MCS";
	if (j->flags & JOB_DESC_OVERSUBSCRIBE)
		return "YES";
	return "OK";
}

static uint64_t
id_key(const struct job_info *j)
{
	int array = j->array_task_str != NULL || j->array_task_id != NO_VAL;
	uint64_t base = array && j->array_job_id ? j->array_job_id : j->job_id;
	uint64_t task = j->array_task_id != NO_VAL ? (uint64_t)j->array_task_id + 1 : 0;
	if (j->array_task_str != NULL)
		task = 0xffffffffULL; /* the pending remainder after its tasks */
	return base << 32 | task;
}

int
jobfmt_cmp_id(const void *a, const void *b)
{
	uint64_t x = id_key(J(a)), y = id_key(J(b));
	return (x > y) - (x < y);
}

/* ---- job getters ---- */

static int
g_id(struct buf *o, const void *j, const void *c)
{
	jobfmt_id(o, J(j), C(c) ? C(c)->bitstr_len : 64);
	return 0;
}
static int64_t
k_id(const void *j, const void *c)
{
	return (int64_t)id_key(J(j));
}

static int
g_jobid_raw(struct buf *o, const void *j, const void *c)
{
	buf_printf(o, "%u", J(j)->job_id);
	return 0;
}
static int64_t
k_jobid_raw(const void *j, const void *c)
{
	return J(j)->job_id;
}

static uint32_t
array_job_id(const struct job_info *j)
{
	if ((j->array_task_str != NULL || j->array_task_id != NO_VAL) && j->array_job_id != 0)
		return j->array_job_id;
	return j->job_id;
}
static int
g_array_job(struct buf *o, const void *j, const void *c)
{
	buf_printf(o, "%u", array_job_id(J(j)));
	return 0;
}
static int64_t
k_array_job(const void *j, const void *c)
{
	return array_job_id(J(j));
}

static int
g_array_task(struct buf *o, const void *j, const void *c)
{
	if (J(j)->array_task_str != NULL)
		buf_adds(o, J(j)->array_task_str);
	else if (J(j)->array_task_id != NO_VAL)
		buf_printf(o, "%u", J(j)->array_task_id);
	else
		buf_adds(o, "N/A");
	return 0;
}

#define STR_GETTER(fn, member, null_str) \
	static int fn(struct buf *o, const void *j, const void *c) \
	{ \
		put(o, J(j)->member, null_str); \
		return 0; \
	}
STR_GETTER(g_name, name, "")
STR_GETTER(g_user, user_name, "")
STR_GETTER(g_group, group_name, "")
STR_GETTER(g_account, account, "(null)")
STR_GETTER(g_qos, qos, "(null)")
STR_GETTER(g_resv, reservation, "(null)")
STR_GETTER(g_comment, comment, "(null)")
STR_GETTER(g_wckey, wckey, "(null)")
STR_GETTER(g_partition, partition, "")
STR_GETTER(g_dependency, dependency, "(null)")
STR_GETTER(g_command, command, "(null)")
STR_GETTER(g_workdir, work_dir, "(null)")
STR_GETTER(g_batch_host, batch_host, "n/a")
STR_GETTER(g_req_nodes, req_nodes, "")
STR_GETTER(g_exc_nodes, exc_nodes, "")
STR_GETTER(g_features, features, "(null)")
STR_GETTER(g_stdout, std_out, "(null)")
STR_GETTER(g_stderr, std_err, "(null)")
STR_GETTER(g_stdin, std_in, "(null)")
STR_GETTER(g_tres, tres, "(null)")

#define U32_GETTER(fn, kfn, member) \
	static int fn(struct buf *o, const void *j, const void *c) \
	{ \
		buf_printf(o, "%u", J(j)->member); \
		return 0; \
	} \
	static int64_t kfn(const void *j, const void *c) \
	{ \
		return J(j)->member; \
	}
U32_GETTER(g_uid, k_uid, uid)
U32_GETTER(g_gid, k_gid, gid)
U32_GETTER(g_prio_long, k_prio, priority)
U32_GETTER(g_nodes, k_nodes, num_nodes)
U32_GETTER(g_cpus, k_cpus, num_cpus)
U32_GETTER(g_min_cpus, k_min_cpus, pn_min_cpus)
U32_GETTER(g_tasks, k_tasks, num_tasks)
U32_GETTER(g_restarts, k_restarts, restart_count)

static int
g_cpt(struct buf *o, const void *j, const void *c)
{
	uint32_t v = J(j)->cpus_per_task;
	buf_printf(o, "%u", v == 0 || v == NO_VAL ? 1 : v);
	return 0;
}

static int
g_nice(struct buf *o, const void *j, const void *c)
{
	buf_printf(o, "%d", J(j)->nice);
	return 0;
}
static int64_t
k_nice(const void *j, const void *c)
{
	return J(j)->nice;
}

static int
g_prio(struct buf *o, const void *j, const void *c)
{
	buf_printf(o, "%.8f", (double)J(j)->priority / (double)0xffffffffU);
	return 0;
}

static int
g_state_compact(struct buf *o, const void *j, const void *c)
{
	buf_adds(o, job_state_string_compact(J(j)->state));
	return 0;
}
static int
g_state(struct buf *o, const void *j, const void *c)
{
	buf_adds(o, job_state_string(J(j)->state));
	return 0;
}

static int
g_reason(struct buf *o, const void *j, const void *c)
{
	buf_adds(o, job_reason_string(J(j)->reason));
	return 0;
}

static int
shows_reason(const struct job_info *j)
{
	switch (j->state & JOB_STATE_BASE) {
	case JOB_PENDING:
	case JOB_FAILED:
	case JOB_TIMEOUT:
	case JOB_OOM:
	case JOB_DEADLINE:
		return 1;
	}
	return 0;
}

static int
g_reason_list(struct buf *o, const void *j, const void *c)
{
	if (shows_reason(J(j))) {
		const char *d = J(j)->reason_desc;
		buf_printf(o, "(%s)", d != NULL && *d ? d : job_reason_string(J(j)->reason));
		return 0;
	}
	put(o, J(j)->nodes, "");
	return FMT_NOCUT;
}

static int
g_nodelist(struct buf *o, const void *j, const void *c)
{
	put(o, J(j)->nodes, "");
	return 0;
}

static int
g_sched_nodes(struct buf *o, const void *j, const void *c)
{
	put(o, J(j)->sched_nodes, "(null)");
	return 0;
}

static int
g_time_used(struct buf *o, const void *j, const void *c)
{
	char t[64];
	buf_adds(o, fmt_duration_short(t, sizeof(t), jobfmt_run_secs(J(j), jobfmt_now(J(j), C(c)))));
	return 0;
}
static int64_t
k_time_used(const void *j, const void *c)
{
	return jobfmt_run_secs(J(j), jobfmt_now(J(j), C(c)));
}

static int
g_time_limit(struct buf *o, const void *j, const void *c)
{
	char t[64];
	buf_adds(o, fmt_time_limit(t, sizeof(t), J(j)->time_limit, 1, "UNLIMITED", "NOT_SET"));
	return 0;
}
static int64_t
k_time_limit(const void *j, const void *c)
{
	return J(j)->time_limit;
}

static int
g_time_left(struct buf *o, const void *j, const void *c)
{
	char t[64];
	uint32_t lim = J(j)->time_limit;
	if (lim == INFINITE || lim == NO_VAL) {
		buf_adds(o, lim == INFINITE ? "UNLIMITED" : "NOT_SET");
		return 0;
	}
	int64_t left = (int64_t)lim * 60 - jobfmt_run_secs(J(j), jobfmt_now(J(j), C(c)));
	buf_adds(o, fmt_duration_short(t, sizeof(t), left));
	return 0;
}
static int64_t
k_time_left(const void *j, const void *c)
{
	uint32_t lim = J(j)->time_limit;
	if (lim == INFINITE || lim == NO_VAL)
		return INT64_MAX;
	return (int64_t)lim * 60 - jobfmt_run_secs(J(j), jobfmt_now(J(j), C(c)));
}

#define TIME_GETTER(fn, kfn, member) \
	static int fn(struct buf *o, const void *j, const void *c) \
	{ \
		char t[64]; \
		buf_adds(o, fmt_timestamp(t, sizeof(t), J(j)->member, "N/A")); \
		return 0; \
	} \
	static int64_t kfn(const void *j, const void *c) \
	{ \
		return J(j)->member; \
	}
TIME_GETTER(g_start, k_start, start_time)
TIME_GETTER(g_end, k_end, end_time)
TIME_GETTER(g_submit, k_submit, submit_time)

static int
g_min_mem(struct buf *o, const void *j, const void *c)
{
	char t[32];
	uint64_t m = J(j)->mem_per_cpu;
	if (m == 0 || m == NO_VAL64 || m == INFINITE64)
		m = J(j)->mem_per_node;
	if (m == NO_VAL64 || m == INFINITE64)
		m = 0;
	buf_adds(o, fmt_mem(t, sizeof(t), m));
	return 0;
}

static int
g_zero(struct buf *o, const void *j, const void *c)
{
	buf_addc(o, '0');
	return 0;
}
static int
g_na(struct buf *o, const void *j, const void *c)
{
	buf_adds(o, "N/A");
	return 0;
}
static int
g_star(struct buf *o, const void *j, const void *c)
{
	buf_addc(o, '*');
	return 0;
}
static int
g_sct(struct buf *o, const void *j, const void *c)
{
	buf_adds(o, "*:*:*");
	return 0;
}
static int
g_null(struct buf *o, const void *j, const void *c)
{
	buf_adds(o, "(null)");
	return 0;
}

static int
g_oversub(struct buf *o, const void *j, const void *c)
{
	buf_adds(o, jobfmt_oversub(J(j)));
	return 0;
}

static int
g_exit_code(struct buf *o, const void *j, const void *c)
{
	jobfmt_exit_code(o, J(j)->exit_code);
	return 0;
}

static const struct fmt_field job_fields[] = {
    {'i', "JobID", "JOBID", 0, g_id, k_id},
    {'A', NULL, "JOBID", 0, g_jobid_raw, k_jobid_raw},
    {'F', "ArrayJobID", "ARRAY_JOB_ID", 0, g_array_job, k_array_job},
    {0, "JobArrayID", "ARRAY_JOB_ID", 0, g_array_job, k_array_job},
    {'K', "ArrayTaskID", "ARRAY_TASK_ID", 0, g_array_task, NULL},
    {'j', "Name", "NAME", 0, g_name, NULL},
    {'u', "UserName", "USER", 0, g_user, NULL},
    {'U', "UserID", "UID", 0, g_uid, k_uid},
    {'g', "GroupName", "GROUP", 0, g_group, NULL},
    {'G', "GroupID", "GROUP", 0, g_gid, k_gid},
    {'a', "Account", "ACCOUNT", 0, g_account, NULL},
    {'q', "QOS", "QOS", 0, g_qos, NULL},
    {'v', "Reservation", "RESERVATION", 0, g_resv, NULL},
    {'k', "Comment", "COMMENT", 0, g_comment, NULL},
    {'w', "WCKey", "WCKEY", 0, g_wckey, NULL},
    {'P', "Partition", "PARTITION", 0, g_partition, NULL},
    {'t', "StateCompact", "ST", 0, g_state_compact, NULL},
    {'T', "State", "STATE", 0, g_state, NULL},
    {'M', "TimeUsed", "TIME", FMT_NOCUT, g_time_used, k_time_used},
    {'l', "TimeLimit", "TIME_LIMIT", FMT_NOCUT, g_time_limit, k_time_limit},
    {'L', "TimeLeft", "TIME_LEFT", FMT_NOCUT, g_time_left, k_time_left},
    {'D', "NumNodes", "NODES", 0, g_nodes, k_nodes},
    {'C', "NumCPUs", "CPUS", 0, g_cpus, k_cpus},
    {0, "NumTasks", "TASKS", 0, g_tasks, k_tasks},
    {0, "cpus-per-task", "CPUS_PER_TASK", 0, g_cpt, NULL},
    {'c', "MinCpus", "MIN_CPUS", 0, g_min_cpus, k_min_cpus},
    {'m', "MinMemory", "MIN_MEMORY", 0, g_min_mem, NULL},
    {'d', "MinTmpDisk", "MIN_TMP_DISK", 0, g_zero, NULL},
    {'N', "NodeList", "NODELIST", FMT_NOCUT, g_nodelist, NULL},
    {'R', "ReasonList", "NODELIST(REASON)", FMT_HDR_NOCUT, g_reason_list, NULL},
    {'r', "Reason", "REASON", 0, g_reason, NULL},
    {'S', "StartTime", "START_TIME", 0, g_start, k_start},
    {'e', "EndTime", "END_TIME", 0, g_end, k_end},
    {'V', "SubmitTime", "SUBMIT_TIME", 0, g_submit, k_submit},
    {'p', "Priority", "PRIORITY", 0, g_prio, k_prio},
    {'Q', "PriorityLong", "PRIORITY", 0, g_prio_long, k_prio},
    {'y', "Nice", "NICE", 0, g_nice, k_nice},
    {'E', "Dependency", "DEPENDENCY", 0, g_dependency, NULL},
    {'o', "Command", "COMMAND", 0, g_command, NULL},
    {'Z', "WorkDir", "WORK_DIR", 0, g_workdir, NULL},
    {'B', "BatchHost", "EXEC_HOST", 0, g_batch_host, NULL},
    {'n', "ReqNodes", "REQ_NODES", 0, g_req_nodes, NULL},
    {'x', "ExcNodes", "EXC_NODES", 0, g_exc_nodes, NULL},
    {'f', "Feature", "FEATURES", 0, g_features, NULL},
    {'b', "tres-per-node", "TRES_PER_NODE", 0, g_na, NULL},
    {'W', "Licenses", "LICENSES", 0, g_null, NULL},
    {'h', "OverSubscribe", "OVER_SUBSCRIBE", 0, g_oversub, NULL},
    {'H', "SocketsPerNode", "SOCKETS_PER_NODE", 0, g_star, NULL},
    {'I', "CoresPerSocket", "CORES_PER_SOCKET", 0, g_star, NULL},
    {'J', "ThreadsPerCore", "THREADS_PER_CORE", 0, g_star, NULL},
    {'z', "SCT", "S:C:T", 0, g_sct, NULL},
    {'O', "Contiguous", "CONTIGUOUS", 0, g_zero, NULL},
    {'X', "CoreSpec", "CORE_SPEC", 0, g_na, NULL},
    {'s', "SelectJobInfo", "NODELIST", 0, g_na, NULL},
    {'Y', "SchedNodes", "SCHEDNODES", FMT_NOCUT, g_sched_nodes, NULL},
    {0, "STDOUT", "STDOUT", 0, g_stdout, NULL},
    {0, "STDERR", "STDERR", 0, g_stderr, NULL},
    {0, "STDIN", "STDIN", 0, g_stdin, NULL},
    {0, "exit_code", "EXIT_CODE", 0, g_exit_code, NULL},
    {0, "Restarts", "RESTARTS", 0, g_restarts, k_restarts},
    {0, "tres-alloc", "TRES_ALLOC", 0, g_tres, NULL},
};

const struct fmt_table jobfmt_table = {job_fields, sizeof(job_fields) / sizeof(job_fields[0])};

/* ---- steps ---- */

#define ST(o) ((const struct step_info *)(o))

static int64_t
step_now(const struct step_info *s, const void *c)
{
	if (s->now != 0)
		return s->now;
	return c != NULL ? C(c)->now : 0;
}

static uint64_t
step_key(const struct step_info *s)
{
	uint64_t base = s->array_task_id != NO_VAL && s->array_job_id ? s->array_job_id : s->job_id;
	uint64_t task = s->array_task_id != NO_VAL ? s->array_task_id : 0;
	return (base << 32 | task);
}

int
stepfmt_cmp_id(const void *a, const void *b)
{
	uint64_t x = step_key(ST(a)), y = step_key(ST(b));
	if (x != y)
		return (x > y) - (x < y);
	return (ST(a)->step_id > ST(b)->step_id) - (ST(a)->step_id < ST(b)->step_id);
}

static int
s_id(struct buf *o, const void *s, const void *c)
{
	char t[96];
	buf_adds(o, step_id_str(t, sizeof(t), ST(s)->job_id, ST(s)->array_job_id, ST(s)->array_task_id,
	                ST(s)->step_id));
	return 0;
}
static int64_t
sk_id(const void *s, const void *c)
{
	/* each array task is a job of its own: job id, then step id */
	return (int64_t)((uint64_t)ST(s)->job_id << 32 | ST(s)->step_id);
}

static int
s_jobid(struct buf *o, const void *s, const void *c)
{
	if (ST(s)->array_task_id != NO_VAL && ST(s)->array_job_id)
		buf_printf(o, "%u_%u", ST(s)->array_job_id, ST(s)->array_task_id);
	else
		buf_printf(o, "%u", ST(s)->job_id);
	return 0;
}

static int
s_name(struct buf *o, const void *s, const void *c)
{
	put(o, ST(s)->name, "");
	return 0;
}
static int
s_part(struct buf *o, const void *s, const void *c)
{
	put(o, ST(s)->partition, "");
	return 0;
}
static int
s_user(struct buf *o, const void *s, const void *c)
{
	put(o, ST(s)->user_name, "");
	return 0;
}
static int
s_uid(struct buf *o, const void *s, const void *c)
{
	buf_printf(o, "%u", ST(s)->uid);
	return 0;
}
static int64_t
s_run(const void *s, const void *c)
{
	if (ST(s)->start_time == 0)
		return 0;
	int64_t r = step_now(ST(s), c) - ST(s)->start_time;
	return r < 0 ? 0 : r;
}
static int
s_time(struct buf *o, const void *s, const void *c)
{
	char t[64];
	buf_adds(o, fmt_duration_short(t, sizeof(t), s_run(s, c)));
	return 0;
}
static int
s_limit(struct buf *o, const void *s, const void *c)
{
	char t[64];
	buf_adds(o, fmt_time_limit(t, sizeof(t), ST(s)->time_limit, 1, "UNLIMITED", "UNLIMITED"));
	return 0;
}
static int
s_start(struct buf *o, const void *s, const void *c)
{
	char t[64];
	buf_adds(o, fmt_timestamp(t, sizeof(t), ST(s)->start_time, "N/A"));
	return 0;
}
static int64_t
sk_start(const void *s, const void *c)
{
	return ST(s)->start_time;
}
static int
s_nodes(struct buf *o, const void *s, const void *c)
{
	put(o, ST(s)->nodes, "");
	return 0;
}
static int
s_tasks(struct buf *o, const void *s, const void *c)
{
	buf_printf(o, "%u", ST(s)->num_tasks);
	return 0;
}
static int64_t
sk_tasks(const void *s, const void *c)
{
	return ST(s)->num_tasks;
}
static int
s_cpus(struct buf *o, const void *s, const void *c)
{
	buf_printf(o, "%u", ST(s)->num_cpus);
	return 0;
}
static int
s_state(struct buf *o, const void *s, const void *c)
{
	buf_adds(o, job_state_string(ST(s)->state));
	return 0;
}
static int
s_array_job(struct buf *o, const void *s, const void *c)
{
	buf_printf(o, "%u",
	    ST(s)->array_task_id != NO_VAL && ST(s)->array_job_id ? ST(s)->array_job_id : ST(s)->job_id);
	return 0;
}
static int
s_array_task(struct buf *o, const void *s, const void *c)
{
	if (ST(s)->array_task_id != NO_VAL)
		buf_printf(o, "%u", ST(s)->array_task_id);
	else
		buf_adds(o, "N/A");
	return 0;
}

static const struct fmt_field step_fields[] = {
    {'i', "StepID", "STEPID", 0, s_id, sk_id},
    {0, "JobID", "JOBID", 0, s_jobid, sk_id},
    {'j', "StepName", "NAME", 0, s_name, NULL},
    {0, "Name", "NAME", 0, s_name, NULL},
    {'P', "Partition", "PARTITION", 0, s_part, NULL},
    {'u', "UserName", "USER", 0, s_user, NULL},
    {'U', "UserID", "UID", 0, s_uid, NULL},
    {'M', "TimeUsed", "TIME", FMT_NOCUT, s_time, s_run},
    {'l', "TimeLimit", "TIME_LIMIT", FMT_NOCUT, s_limit, NULL},
    {'S', "StartTime", "START_TIME", 0, s_start, sk_start},
    {'N', "NodeList", "NODELIST", FMT_NOCUT, s_nodes, NULL},
    {'A', "NumTasks", "TASKS", 0, s_tasks, sk_tasks},
    {'C', "NumCPUs", "CPUS", 0, s_cpus, NULL},
    {'T', "StepState", "STATE", 0, s_state, NULL},
    {0, "State", "STATE", 0, s_state, NULL},
    {'F', "ArrayJobID", "ARRAY_JOB_ID", 0, s_array_job, NULL},
    {'K', "ArrayTaskID", "ARRAY_TASK_ID", 0, s_array_task, NULL},
};

const struct fmt_table stepfmt_table = {step_fields, sizeof(step_fields) / sizeof(step_fields[0])};

int
jobfmt_render(struct buf *out, const struct fmt_spec *spec, const char *sort, int noheader,
    const struct job_info **jobs, size_t n, const struct jobfmt_ctx *ctx, char *err, size_t errlen)
{
	if (fmt_sort(&jobfmt_table, sort, (const void **)jobs, n, ctx, jobfmt_cmp_id, err, errlen) < 0)
		return -1;
	if (!noheader)
		fmt_header(spec, out);
	for (size_t i = 0; i < n; i++)
		fmt_row(spec, jobs[i], ctx, out);
	return 0;
}

int
stepfmt_render(struct buf *out, const struct fmt_spec *spec, const char *sort, int noheader,
    const struct step_info **steps, size_t n, const struct jobfmt_ctx *ctx, char *err, size_t errlen)
{
	if (fmt_sort(&stepfmt_table, sort, (const void **)steps, n, ctx, stepfmt_cmp_id, err, errlen) < 0)
		return -1;
	if (!noheader)
		fmt_header(spec, out);
	for (size_t i = 0; i < n; i++)
		fmt_row(spec, steps[i], ctx, out);
	return 0;
}
