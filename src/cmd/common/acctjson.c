/* SPDX-License-Identifier: MIT */
/*
 * sacct --json: the selected jobs and their steps as one JSON document in
 * the layout of Slurm 22.05's accounting API (meta, errors, jobs[] with
 * time, exit_code, state, steps[] ...), pretty-printed with two spaces.
 * Times are Unix seconds, sizes bytes, CPU times seconds plus
 * microseconds; a value the record does not have is null.
 */
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "acctfmt.h"
#include "base/buf.h"
#include "hostlist/hostlist.h"
#include "proto/states.h"

#define JW_DEPTH 32

/* a pretty-printing writer: each value on its own line */
struct jw {
	struct buf *b;
	int depth;
	int empty[JW_DEPTH]; /* nothing written yet in the open container */
};

static void
jw_string(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p;
		if (c == '"' || c == '\\' || c == '/') {
			buf_addc(b, '\\');
			buf_addc(b, (char)c);
			p++;
		} else if (c < 0x20) {
			buf_printf(b, "\\u%04x", c);
			p++;
		} else if (c < 0x80) {
			buf_addc(b, (char)c);
			p++;
		} else {
			/* keep valid UTF-8; a bad byte becomes U+FFFD */
			int n = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
			int ok = n > 0;
			for (int i = 1; ok && i < n; i++)
				ok = (p[i] & 0xc0) == 0x80;
			if (ok) {
				buf_add(b, p, (size_t)n);
				p += n;
			} else {
				buf_adds(b, "\\ufffd");
				p++;
			}
		}
	}
	buf_addc(b, '"');
}

static void
jw_sep(struct jw *w, const char *key)
{
	if (w->depth > 0) {
		if (!w->empty[w->depth])
			buf_addc(w->b, ',');
		buf_addc(w->b, '\n');
		for (int i = 0; i < w->depth; i++)
			buf_adds(w->b, "  ");
		w->empty[w->depth] = 0;
	}
	if (key) {
		jw_string(w->b, key);
		buf_adds(w->b, ": ");
	}
}

static void
jw_open(struct jw *w, const char *key, char c)
{
	jw_sep(w, key);
	buf_addc(w->b, c);
	if (w->depth + 1 < JW_DEPTH)
		w->depth++;
	w->empty[w->depth] = 1;
}

static void
jw_close(struct jw *w, char c)
{
	int empty = w->empty[w->depth];
	w->depth--;
	if (!empty) {
		buf_addc(w->b, '\n');
		for (int i = 0; i < w->depth; i++)
			buf_adds(w->b, "  ");
	}
	buf_addc(w->b, c);
}

static void
jw_str(struct jw *w, const char *key, const char *s)
{
	jw_sep(w, key);
	if (s)
		jw_string(w->b, s);
	else
		buf_adds(w->b, "null");
}

static void
jw_int(struct jw *w, const char *key, int64_t v)
{
	jw_sep(w, key);
	buf_printf(w->b, "%lld", (long long)v);
}

static void
jw_null(struct jw *w, const char *key)
{
	jw_sep(w, key);
	buf_adds(w->b, "null");
}

/* a u32 that may be NO_VAL / INFINITE: null then */
static void
jw_u32(struct jw *w, const char *key, uint32_t v)
{
	if (v == NO_VAL || v == INFINITE)
		jw_null(w, key);
	else
		jw_int(w, key, v);
}

static void
jw_cpu_time(struct jw *w, const char *key, uint64_t us)
{
	jw_open(w, key, '{');
	jw_int(w, "seconds", (int64_t)(us / 1000000));
	jw_int(w, "microseconds", (int64_t)(us % 1000000));
	jw_close(w, '}');
}

static const char *
tres_name(unsigned long id)
{
	static const char *const names[] = {
	    NULL, "cpu", "mem", "energy", "node", "billing", "fs", "vmem", "pages"};
	return id < sizeof(names) / sizeof(names[0]) ? names[id] : NULL;
}

static void
jw_tres_item(struct jw *w, unsigned long id, unsigned long long count)
{
	jw_open(w, NULL, '{');
	jw_str(w, "type", tres_name(id));
	jw_null(w, "name");
	jw_int(w, "id", (int64_t)id);
	jw_int(w, "count", (int64_t)count);
	jw_close(w, '}');
}

/* "1=4,2=2000,4=2" as [{type, name, id, count}]; memory in bytes */
static void
jw_tres(struct jw *w, const char *key, const char *s)
{
	jw_open(w, key, '[');
	const char *p = s ? s : "";
	while (*p) {
		char *end;
		unsigned long id = strtoul(p, &end, 10);
		if (end == p || *end != '=')
			break;
		unsigned long long v = strtoull(end + 1, &end, 10);
		if (id == 2)
			v *= 1024ULL * 1024ULL;
		jw_tres_item(w, id, v);
		while (*end && *end != ',')
			end++;
		p = *end ? end + 1 : end;
	}
	jw_close(w, ']');
}

/* Slurm's exit code object: status, return_code, signal when killed */
static void
jw_exit(struct jw *w, const char *key, uint32_t status, int ended)
{
	jw_open(w, key, '{');
	int st = (int)status;
	if (!ended) {
		jw_str(w, "status", "PENDING");
		jw_int(w, "return_code", 0);
	} else if (WIFSIGNALED(st)) {
		jw_str(w, "status", WCOREDUMP(st) ? "CORE_DUMPED" : "SIGNALED");
		jw_int(w, "return_code", 0);
		jw_open(w, "signal", '{');
		jw_int(w, "signal_id", WTERMSIG(st));
		jw_str(w, "name", sigabbrev_np(WTERMSIG(st)));
		jw_close(w, '}');
	} else {
		int code = WEXITSTATUS(st);
		if (code >= 128)
			code -= 128; /* as the text output of 22.05 */
		jw_str(w, "status", code ? "FAILED" : "SUCCESS");
		jw_int(w, "return_code", code);
	}
	jw_close(w, '}');
}

static void
jw_user(struct jw *w, const char *key, uint32_t uid)
{
	if (uid == INFINITE || uid == NO_VAL) {
		jw_null(w, key);
		return;
	}
	struct passwd *pw = getpwuid((uid_t)uid);
	if (pw) {
		jw_str(w, key, pw->pw_name);
	} else {
		char num[16];
		snprintf(num, sizeof(num), "%u", uid);
		jw_str(w, key, num);
	}
}

static void
jw_nodes(struct jw *w, const char *nodes, uint32_t count)
{
	jw_open(w, "nodes", '{');
	jw_int(w, "count", count);
	jw_str(w, "range", nodes && *nodes ? nodes : "");
	jw_open(w, "list", '[');
	struct hostlist *hl = nodes && *nodes ? hostlist_create(nodes) : NULL;
	for (size_t i = 0; hl && i < hostlist_count(hl); i++)
		jw_str(w, NULL, hostlist_nth(hl, i));
	hostlist_destroy(hl);
	jw_close(w, ']');
	jw_close(w, '}');
}

static int
ended(uint32_t state)
{
	uint32_t b = state & JOB_STATE_BASE;
	return b != JOB_PENDING && b != JOB_RUNNING && b != JOB_SUSPENDED;
}

static void
step_id_name(char *buf, size_t n, uint32_t job, uint32_t id)
{
	switch (id) {
	case STEP_ID_BATCH:
		snprintf(buf, n, "%u.batch", job);
		break;
	case STEP_ID_EXTERN:
		snprintf(buf, n, "%u.extern", job);
		break;
	case STEP_ID_INTERACTIVE:
		snprintf(buf, n, "%u.interactive", job);
		break;
	default:
		snprintf(buf, n, "%u.%u", job, id);
	}
}

static int64_t
span(int64_t start, int64_t end, int64_t now)
{
	if (start <= 0)
		return 0;
	int64_t e = (end > 0 ? end : now) - start;
	return e < 0 ? 0 : e;
}

static void
json_step(struct jw *w, const struct acct_job *j, const struct acct_step *s, int64_t now)
{
	jw_open(w, NULL, '{');
	jw_nodes(w, s->nodes, s->nnodes);
	jw_open(w, "tres", '{');
	jw_open(w, "requested", '{');
	static const char *const kinds[] = {"max", "min", "average", "total"};
	for (int i = 0; i < 4; i++) {
		jw_open(w, kinds[i], '[');
		jw_close(w, ']');
	}
	jw_close(w, '}');
	jw_open(w, "consumed", '{');
	jw_open(w, "max", '[');
	if (s->max_rss_kb)
		jw_tres_item(w, 2, s->max_rss_kb * 1024ULL);
	if (s->max_vmsize_kb)
		jw_tres_item(w, 7, s->max_vmsize_kb * 1024ULL);
	jw_close(w, ']');
	jw_open(w, "min", '[');
	jw_close(w, ']');
	jw_open(w, "average", '[');
	if (s->ave_rss_kb)
		jw_tres_item(w, 2, s->ave_rss_kb * 1024ULL);
	jw_close(w, ']');
	jw_open(w, "total", '[');
	jw_tres_item(w, 1, (s->user_cpu_us + s->sys_cpu_us) / 1000000ULL);
	jw_close(w, ']');
	jw_close(w, '}');
	jw_tres(w, "allocated", s->tres_alloc);
	jw_close(w, '}');
	jw_open(w, "time", '{');
	jw_int(w, "elapsed", span(s->time_start, s->time_end, now));
	jw_int(w, "end", s->time_end > 0 ? s->time_end : 0);
	jw_int(w, "start", s->time_start > 0 ? s->time_start : 0);
	jw_int(w, "suspended", 0);
	jw_cpu_time(w, "system", s->sys_cpu_us);
	jw_cpu_time(w, "total", s->user_cpu_us + s->sys_cpu_us);
	jw_cpu_time(w, "user", s->user_cpu_us);
	jw_close(w, '}');
	jw_exit(w, "exit_code", s->exit_code, ended(s->state));
	jw_user(w, "kill_request_user", s->requid);
	jw_null(w, "pid");
	jw_str(w, "state", job_state_string(s->state & JOB_STATE_BASE));
	jw_open(w, "statistics", '{');
	jw_open(w, "CPU", '{');
	jw_int(w, "actual_frequency", 0);
	jw_close(w, '}');
	jw_open(w, "energy", '{');
	jw_int(w, "consumed", 0);
	jw_close(w, '}');
	jw_close(w, '}');
	jw_open(w, "step", '{');
	jw_int(w, "job_id", j->job_id);
	jw_open(w, "het", '{');
	jw_null(w, "component");
	jw_close(w, '}');
	char id[48];
	step_id_name(id, sizeof(id), j->job_id, s->step_id);
	jw_str(w, "id", id);
	jw_str(w, "name", s->name);
	jw_close(w, '}');
	jw_open(w, "task", '{');
	jw_str(w, "distribution", "Unknown");
	jw_close(w, '}');
	jw_open(w, "tasks", '{');
	jw_int(w, "count", s->ntasks);
	jw_close(w, '}');
	jw_close(w, '}');
}

static void
json_job(struct jw *w, const struct acct_job *j, const struct acct_out *o)
{
	int64_t now = o->now;
	uint64_t user_us = 0, sys_us = 0;
	for (uint32_t i = 0; i < j->steps_cnt; i++) {
		user_us += j->steps[i].user_cpu_us;
		sys_us += j->steps[i].sys_cpu_us;
	}
	int is_task = j->array_job_id != 0 && j->array_task_id != NO_VAL && j->array_task_id != INFINITE;
	jw_open(w, NULL, '{');
	jw_str(w, "account", j->account);
	jw_open(w, "comment", '{');
	jw_null(w, "administrator");
	jw_str(w, "job", j->comment && *j->comment ? j->comment : NULL);
	jw_null(w, "system");
	jw_close(w, '}');
	jw_int(w, "allocation_nodes", j->nnodes);
	jw_open(w, "array", '{');
	jw_int(w, "job_id", j->array_job_id);
	jw_open(w, "limits", '{');
	jw_open(w, "max", '{');
	jw_open(w, "running", '{');
	jw_int(w, "tasks", 0);
	jw_close(w, '}');
	jw_close(w, '}');
	jw_close(w, '}');
	if (is_task) {
		char t[16];
		snprintf(t, sizeof(t), "%u", j->array_task_id);
		jw_str(w, "task", t);
		jw_int(w, "task_id", j->array_task_id);
	} else {
		jw_null(w, "task");
		jw_null(w, "task_id");
	}
	jw_close(w, '}');
	jw_open(w, "association", '{');
	jw_str(w, "account", j->account);
	jw_str(w, "cluster", j->cluster);
	jw_null(w, "partition");
	jw_str(w, "user", j->user_name);
	jw_close(w, '}');
	jw_str(w, "cluster", j->cluster);
	jw_str(w, "constraints", j->constraints ? j->constraints : "");
	jw_null(w, "container");
	jw_exit(w, "derived_exit_code", j->derived_exit_code, ended(j->state));
	jw_open(w, "time", '{');
	jw_int(w, "elapsed", span(j->time_start, j->time_end, now) - j->time_suspended);
	jw_int(w, "eligible", j->time_eligible > 0 ? j->time_eligible : 0);
	jw_int(w, "end", j->time_end > 0 ? j->time_end : 0);
	jw_int(w, "start", j->time_start > 0 ? j->time_start : 0);
	jw_int(w, "submission", j->time_submit);
	jw_int(w, "suspended", j->time_suspended);
	jw_cpu_time(w, "system", sys_us);
	jw_u32(w, "limit", j->timelimit);
	jw_cpu_time(w, "total", user_us + sys_us);
	jw_cpu_time(w, "user", user_us);
	jw_close(w, '}');
	jw_exit(w, "exit_code", j->exit_code, ended(j->state));
	jw_open(w, "flags", '[');
	jw_close(w, ']');
	jw_str(w, "group", j->group_name);
	jw_open(w, "het", '{');
	jw_int(w, "job_id", 0);
	jw_null(w, "job_offset");
	jw_close(w, '}');
	jw_int(w, "job_id", j->job_id);
	jw_str(w, "name", j->name);
	jw_open(w, "mcs", '{');
	jw_str(w, "label", "");
	jw_close(w, '}');
	jw_str(w, "nodes", j->nodes && *j->nodes ? j->nodes : "None assigned");
	jw_str(w, "partition", j->partition);
	jw_int(w, "priority", j->priority);
	jw_str(w, "qos", j->qos);
	jw_open(w, "required", '{');
	jw_int(w, "CPUs", j->req_cpus);
	jw_int(w, "memory", (int64_t)j->req_mem_mb);
	jw_close(w, '}');
	jw_user(w, "kill_request_user", j->requid);
	jw_open(w, "reservation", '{');
	jw_int(w, "id", 0);
	jw_str(w, "name", "");
	jw_close(w, '}');
	jw_open(w, "state", '{');
	jw_str(w, "current", job_state_string(j->state & JOB_STATE_BASE));
	jw_str(w, "reason", job_reason_string(j->reason));
	jw_close(w, '}');
	jw_open(w, "steps", '[');
	/* in the order of the text output */
	for (int pass = 0; !o->allocations && pass < ACCT_STEP_PASSES; pass++)
		for (uint32_t i = 0; i < j->steps_cnt; i++)
			if (acct_step_pass(j->steps[i].step_id) == pass &&
			    (o->want == NULL || o->want(j, &j->steps[i], o->want_arg)))
				json_step(w, j, &j->steps[i], now);
	jw_close(w, ']');
	jw_open(w, "tres", '{');
	jw_tres(w, "allocated", j->tres_alloc);
	jw_tres(w, "requested", j->tres_req);
	jw_close(w, '}');
	jw_str(w, "user", j->user_name);
	jw_open(w, "wckey", '{');
	jw_str(w, "wckey", "");
	jw_open(w, "flags", '[');
	jw_close(w, ']');
	jw_close(w, '}');
	jw_str(w, "working_directory", j->work_dir ? j->work_dir : "");
	jw_close(w, '}');
}

void
acct_json(const struct acct_out *o, const struct acct_job *jobs, size_t n, struct buf *out)
{
	struct jw w = {.b = out};
	jw_open(&w, NULL, '{');
	jw_open(&w, "meta", '{');
	jw_open(&w, "plugin", '{');
	jw_str(&w, "type", "openapi/dbv0.0.38");
	jw_str(&w, "name", "Slurm OpenAPI DB v0.0.38");
	jw_close(&w, '}');
	jw_open(&w, "Slurm", '{');
	jw_open(&w, "version", '{');
	jw_int(&w, "major", 22);
	jw_int(&w, "micro", 8);
	jw_int(&w, "minor", 5);
	jw_close(&w, '}');
	jw_str(&w, "release", "22.05.8");
	jw_close(&w, '}');
	jw_close(&w, '}');
	jw_open(&w, "errors", '[');
	jw_close(&w, ']');
	jw_open(&w, "jobs", '[');
	for (size_t i = 0; i < n; i++)
		json_job(&w, &jobs[i], o);
	jw_close(&w, ']');
	jw_close(&w, '}');
	buf_addc(out, '\n');
}
