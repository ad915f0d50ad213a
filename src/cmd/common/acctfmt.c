/* SPDX-License-Identifier: MIT */
/*
 * sacct output: the field table (names, widths, justification) and the
 * value formats of cli.md section 6, rendered into a struct buf.
 */
#include "acctfmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#include "base/xmalloc.h"
#include "proto/states.h"
#include "timefmt/timefmt.h"

enum acct_fid {
	F_JOBID,
	F_JOBIDRAW,
	F_JOBNAME,
	F_PARTITION,
	F_ACCOUNT,
	F_ALLOCCPUS,
	F_NCPUS,
	F_STATE,
	F_EXITCODE,
	F_DERIVED,
	F_USER,
	F_UID,
	F_GROUP,
	F_GID,
	F_ELAPSED,
	F_ELAPSEDRAW,
	F_TIMELIMIT,
	F_TIMELIMITRAW,
	F_SUBMIT,
	F_START,
	F_END,
	F_ELIGIBLE,
	F_NNODES,
	F_NODELIST,
	F_NTASKS,
	F_REQCPUS,
	F_REQMEM,
	F_REQNODES,
	F_ALLOCNODES,
	F_ALLOCTRES,
	F_REQTRES,
	F_MAXRSS,
	F_AVERSS,
	F_MAXVMSIZE,
	F_CPUTIME,
	F_CPUTIMERAW,
	F_TOTALCPU,
	F_USERCPU,
	F_SYSTEMCPU,
	F_QOS,
	F_PRIORITY,
	F_REASON,
	F_RESERVATION,
	F_WORKDIR,
	F_CLUSTER,
	F_COMMENT,
	F_CONSTRAINTS,
	F_FLAGS,
	F_LAYOUT,
	F_SUBMITLINE,
	F_WCKEY,
	F_ASSOCID,
	F_DBINDEX,
	F_SUSPENDED,
	F_MAXRSSNODE,
	F_MAXRSSTASK,
	F_MAXVMSIZENODE,
	F_MAXVMSIZETASK,
	F_AVEVMSIZE,
	F_MAXDISKREAD,
	F_MAXDISKREADNODE,
	F_MAXDISKREADTASK,
	F_AVEDISKREAD,
	F_MAXDISKWRITE,
	F_MAXDISKWRITENODE,
	F_MAXDISKWRITETASK,
	F_AVEDISKWRITE,
	F_MINCPU,
	F_MINCPUNODE,
	F_MINCPUTASK,
	F_AVECPU,
};

struct acct_field {
	const char *name;
	int width; /* negative: left-justified */
	int numeric; /* never cut */
	enum acct_fid id;
};

static const struct acct_field fields[] = {
    {"JobID", -12, 0, F_JOBID},
    {"JobIDRaw", -12, 0, F_JOBIDRAW},
    {"JobName", 10, 0, F_JOBNAME},
    {"Partition", 10, 0, F_PARTITION},
    {"Account", 10, 0, F_ACCOUNT},
    {"AllocCPUS", 10, 1, F_ALLOCCPUS},
    {"NCPUS", 10, 1, F_NCPUS},
    {"State", 10, 0, F_STATE},
    {"ExitCode", 8, 0, F_EXITCODE},
    {"DerivedExitCode", 15, 0, F_DERIVED},
    {"User", 9, 0, F_USER},
    {"UID", 6, 1, F_UID},
    {"Group", 9, 0, F_GROUP},
    {"GID", 6, 1, F_GID},
    {"Elapsed", 10, 0, F_ELAPSED},
    {"ElapsedRaw", 10, 1, F_ELAPSEDRAW},
    {"Timelimit", 10, 0, F_TIMELIMIT},
    {"TimelimitRaw", 10, 1, F_TIMELIMITRAW},
    {"Submit", 19, 0, F_SUBMIT},
    {"Start", 19, 0, F_START},
    {"End", 19, 0, F_END},
    {"Eligible", 19, 0, F_ELIGIBLE},
    {"NNodes", 8, 1, F_NNODES},
    {"NodeList", 15, 0, F_NODELIST},
    {"NTasks", 8, 1, F_NTASKS},
    {"ReqCPUS", 8, 1, F_REQCPUS},
    {"ReqMem", 10, 0, F_REQMEM},
    {"ReqNodes", 8, 1, F_REQNODES},
    {"AllocNodes", 10, 1, F_ALLOCNODES},
    {"AllocTRES", 10, 0, F_ALLOCTRES},
    {"ReqTRES", 10, 0, F_REQTRES},
    {"MaxRSS", 10, 0, F_MAXRSS},
    {"AveRSS", 10, 0, F_AVERSS},
    {"MaxVMSize", 10, 0, F_MAXVMSIZE},
    {"CPUTime", 10, 0, F_CPUTIME},
    {"CPUTimeRAW", 10, 1, F_CPUTIMERAW},
    {"TotalCPU", 10, 0, F_TOTALCPU},
    {"UserCPU", 10, 0, F_USERCPU},
    {"SystemCPU", 10, 0, F_SYSTEMCPU},
    {"QOS", 10, 0, F_QOS},
    {"Priority", 10, 1, F_PRIORITY},
    {"Reason", 22, 0, F_REASON},
    {"Reservation", 20, 0, F_RESERVATION},
    {"WorkDir", 20, 0, F_WORKDIR},
    {"Cluster", 10, 0, F_CLUSTER},
    {"Comment", 14, 0, F_COMMENT},
    {"Constraints", 19, 0, F_CONSTRAINTS},
    {"Flags", 19, 0, F_FLAGS},
    {"Layout", 9, 0, F_LAYOUT},
    {"SubmitLine", 20, 0, F_SUBMITLINE},
    {"WCKey", 10, 0, F_WCKEY},
    {"AssocID", 7, 1, F_ASSOCID},
    {"DBIndex", -10, 1, F_DBINDEX},
    {"Suspended", 10, 0, F_SUSPENDED},
    {"MaxRSSNode", 10, 0, F_MAXRSSNODE},
    {"MaxRSSTask", 10, 1, F_MAXRSSTASK},
    {"MaxVMSizeNode", 13, 0, F_MAXVMSIZENODE},
    {"MaxVMSizeTask", 13, 1, F_MAXVMSIZETASK},
    {"AveVMSize", 10, 0, F_AVEVMSIZE},
    {"MaxDiskRead", 12, 0, F_MAXDISKREAD},
    {"MaxDiskReadNode", 15, 0, F_MAXDISKREADNODE},
    {"MaxDiskReadTask", 15, 1, F_MAXDISKREADTASK},
    {"AveDiskRead", 12, 0, F_AVEDISKREAD},
    {"MaxDiskWrite", 12, 0, F_MAXDISKWRITE},
    {"MaxDiskWriteNode", 16, 0, F_MAXDISKWRITENODE},
    {"MaxDiskWriteTask", 16, 1, F_MAXDISKWRITETASK},
    {"AveDiskWrite", 12, 0, F_AVEDISKWRITE},
    {"MinCPU", 10, 0, F_MINCPU},
    {"MinCPUNode", 10, 0, F_MINCPUNODE},
    {"MinCPUTask", 10, 1, F_MINCPUTASK},
    {"AveCPU", 10, 0, F_AVECPU},
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

int
acct_out_parse(struct acct_out *o, const char *list, char *err, size_t errlen)
{
	const char *p = list;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == 0) {
			p += e ? 1 : 0;
			continue;
		}
		const char *pct = memchr(p, '%', len);
		size_t nlen = pct ? (size_t)(pct - p) : len;
		const struct acct_field *f = NULL;
		for (size_t i = 0; i < NFIELDS; i++)
			if (strlen(fields[i].name) == nlen && strncasecmp(fields[i].name, p, nlen) == 0)
				f = &fields[i];
		if (f == NULL) {
			snprintf(err, errlen, "Invalid field requested: \"%.*s\"", (int)nlen, p);
			return -1;
		}
		int width = f->width < 0 ? -f->width : f->width;
		int right = f->width > 0;
		if (pct) {
			char num[32];
			size_t wl = len - nlen - 1;
			if (wl >= sizeof(num))
				wl = sizeof(num) - 1;
			memcpy(num, pct + 1, wl);
			num[wl] = '\0';
			long w = strtol(num, NULL, 10);
			if (w < 0) {
				right = 0;
				w = -w;
			} else if (w > 0) {
				right = 1;
			}
			if (w > 0)
				width = (int)w;
		}
		o->cols = xrealloc(o->cols, (o->n + 1) * sizeof(*o->cols));
		o->cols[o->n].f = f;
		o->cols[o->n].width = width;
		o->cols[o->n].right = right;
		o->n++;
		p += len + (e ? 1 : 0);
	}
	return 0;
}

void
acct_out_free(struct acct_out *o)
{
	free(o->cols);
	o->cols = NULL;
	o->n = 0;
}

void
acct_exit_code(struct buf *out, uint32_t status)
{
	int st = (int)status;
	int sig = 0, code;
	if (WIFSIGNALED(st))
		sig = WTERMSIG(st);
	code = WEXITSTATUS(st);
	if (code >= 128)
		code -= 128; /* 22.05 */
	buf_printf(out, "%d:%d", code, sig);
}

static void
step_id_str(struct buf *out, uint32_t id)
{
	switch (id) {
	case STEP_ID_BATCH:
		buf_adds(out, "batch");
		break;
	case STEP_ID_EXTERN:
		buf_adds(out, "extern");
		break;
	case STEP_ID_INTERACTIVE:
		buf_adds(out, "interactive");
		break;
	case STEP_ID_PENDING:
		buf_adds(out, "TBD");
		break;
	default:
		buf_printf(out, "%u", id);
	}
}

static int
is_array(const struct acct_job *j)
{
	return j->array_job_id != 0 && j->array_task_id != NO_VAL && j->array_task_id != INFINITE;
}

static int64_t
elapsed(int64_t start, int64_t end, int64_t susp, int64_t now)
{
	if (start <= 0)
		return 0;
	if (end <= 0)
		end = now;
	int64_t e = end - start - susp;
	return e < 0 ? 0 : e;
}

static void
put_state(struct buf *out, uint32_t state, uint32_t requid)
{
	if ((state & JOB_STATE_BASE) == JOB_CANCELLED && requid != INFINITE && requid != NO_VAL)
		buf_printf(out, "CANCELLED by %u", requid);
	else
		buf_adds(out, job_state_string(state));
}

/* TRES strings are stored as "1=2,2=1000,4=1,5=2"; show "cpu=2,mem=1000M,node=1,billing=2". */
static void
put_tres(struct buf *out, const char *s)
{
	if (s == NULL)
		return;
	const char *p = s;
	int first = 1;
	while (*p) {
		char *end;
		unsigned long id = strtoul(p, &end, 10);
		if (end == p || *end != '=') {
			buf_adds(out, s); /* already readable */
			return;
		}
		unsigned long long v = strtoull(end + 1, &end, 10);
		if (!first)
			buf_addc(out, ',');
		first = 0;
		char tmp[32];
		switch (id) {
		case 1:
			buf_printf(out, "cpu=%llu", v);
			break;
		case 2:
			buf_printf(out, "mem=%s", fmt_mem(tmp, sizeof(tmp), v));
			break;
		case 3:
			buf_printf(out, "energy=%llu", v);
			break;
		case 4:
			buf_printf(out, "node=%llu", v);
			break;
		case 5:
			buf_printf(out, "billing=%llu", v);
			break;
		default:
			buf_printf(out, "%lu=%llu", id, v);
		}
		while (*end && *end != ',')
			end++;
		p = *end ? end + 1 : end;
	}
}

static void
put_cpu_time(struct buf *out, uint64_t us)
{
	uint64_t secs = us / 1000000, msec = (us % 1000000) / 1000;
	uint64_t d = secs / 86400, h = secs / 3600 % 24, m = secs / 60 % 60, s = secs % 60;
	if (d)
		buf_printf(out, "%llu-%02llu:%02llu:%02llu", (unsigned long long)d, (unsigned long long)h,
		    (unsigned long long)m, (unsigned long long)s);
	else if (h)
		buf_printf(out, "%02llu:%02llu:%02llu", (unsigned long long)h, (unsigned long long)m,
		    (unsigned long long)s);
	else
		buf_printf(out, "%02llu:%02llu.%03llu", (unsigned long long)m, (unsigned long long)s,
		    (unsigned long long)msec);
}

static void
put_kb(struct buf *out, uint64_t kb)
{
	if (kb == 0)
		buf_addc(out, '0');
	else
		buf_printf(out, "%lluK", (unsigned long long)kb);
}

/* a size in bytes as sacct shows disk I/O: "0", a whole number of the
 * largest unit it reaches ("20M"), else two decimals ("2.05M"); the bytes
 * themselves with --noconvert */
static void
put_bytes(struct buf *out, uint64_t bytes, int noconvert)
{
	static const char units[] = "KMGTPE";
	if (bytes < 1024 || noconvert) {
		buf_printf(out, "%llu", (unsigned long long)bytes);
		return;
	}
	double v = (double)bytes;
	int u = -1;
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (v == (double)(uint64_t)v)
		buf_printf(out, "%.0f%c", v, units[u]);
	else
		buf_printf(out, "%.2f%c", v, units[u]);
}

/* the node of a maximum (blank when the step has no per-task usage) */
static void
put_node(struct buf *out, const char *node)
{
	if (node)
		buf_adds(out, node);
}

/* the task of a maximum, known with its node */
static void
put_task(struct buf *out, const char *node, uint32_t task)
{
	if (node)
		buf_printf(out, "%u", task);
}

static void
put_str(struct buf *out, const char *s)
{
	if (s)
		buf_adds(out, s);
}

static void
put_u32(struct buf *out, uint32_t v)
{
	if (v != NO_VAL && v != INFINITE)
		buf_printf(out, "%u", v);
}

/* The value of field f for job j (s == NULL) or its step s. */
static void
acct_value(struct buf *out, const struct acct_field *f, const struct acct_job *j, const struct acct_step *s,
    const struct acct_out *o)
{
	char tmp[64];
	uint32_t ncpus = j->ncpus ? j->ncpus : j->req_cpus;
	int64_t el = s ? elapsed(s->time_start, s->time_end, 0, o->now)
	               : elapsed(j->time_start, j->time_end, j->time_suspended, o->now);
	switch (f->id) {
	case F_JOBID:
		if (is_array(j))
			buf_printf(out, "%u_%u", j->array_job_id, j->array_task_id);
		else
			buf_printf(out, "%u", j->job_id);
		if (s) {
			buf_addc(out, '.');
			step_id_str(out, s->step_id);
		}
		break;
	case F_JOBIDRAW:
		buf_printf(out, "%u", j->job_id);
		if (s) {
			buf_addc(out, '.');
			step_id_str(out, s->step_id);
		}
		break;
	case F_JOBNAME:
		put_str(out, s ? s->name : j->name);
		break;
	case F_PARTITION:
		if (!s)
			put_str(out, j->partition);
		break;
	case F_ACCOUNT:
		put_str(out, j->account);
		break;
	case F_ALLOCCPUS:
	case F_NCPUS:
		put_u32(out, s ? s->ncpus : ncpus);
		break;
	case F_STATE:
		if (s)
			put_state(out, s->state, s->requid);
		else
			put_state(out, j->state, j->requid);
		break;
	case F_EXITCODE:
		if ((s ? s->exit_code : j->exit_code) != NO_VAL)
			acct_exit_code(out, s ? s->exit_code : j->exit_code);
		break;
	case F_DERIVED:
		if (!s && j->derived_exit_code != NO_VAL)
			acct_exit_code(out, j->derived_exit_code);
		break;
	case F_USER:
		if (!s)
			put_str(out, j->user_name);
		break;
	case F_UID:
		if (!s)
			buf_printf(out, "%u", j->uid);
		break;
	case F_GROUP:
		if (!s)
			put_str(out, j->group_name);
		break;
	case F_GID:
		if (!s)
			buf_printf(out, "%u", j->gid);
		break;
	case F_ELAPSED:
		buf_adds(out, fmt_duration_long(tmp, sizeof(tmp), el));
		break;
	case F_ELAPSEDRAW:
		buf_printf(out, "%lld", (long long)el);
		break;
	case F_TIMELIMIT:
		if (!s)
			buf_adds(out, fmt_time_limit(
			                  tmp, sizeof(tmp), j->timelimit, 0, "UNLIMITED", "Partition_Limit"));
		break;
	case F_TIMELIMITRAW:
		if (!s) {
			if (j->timelimit == INFINITE)
				buf_adds(out, "UNLIMITED");
			else if (j->timelimit == NO_VAL)
				buf_adds(out, "Partition_Limit");
			else
				buf_printf(out, "%u", j->timelimit);
		}
		break;
	case F_SUBMIT:
		buf_adds(out, fmt_timestamp(tmp, sizeof(tmp), s ? s->time_start : j->time_submit, "Unknown"));
		break;
	case F_START:
		buf_adds(out, fmt_timestamp(tmp, sizeof(tmp), s ? s->time_start : j->time_start, "Unknown"));
		break;
	case F_END:
		buf_adds(out, fmt_timestamp(tmp, sizeof(tmp), s ? s->time_end : j->time_end, "Unknown"));
		break;
	case F_ELIGIBLE:
		buf_adds(
		    out, fmt_timestamp(tmp, sizeof(tmp), s ? s->time_start : j->time_eligible, "Unknown"));
		break;
	case F_NNODES:
		if (s)
			put_u32(out, s->nnodes);
		else
			put_u32(out, j->nnodes ? j->nnodes : j->req_nodes);
		break;
	case F_NODELIST:
		if (s)
			put_str(out, s->nodes);
		else if (j->nodes && j->nodes[0])
			buf_adds(out, j->nodes);
		else
			buf_adds(out, "None assigned");
		break;
	case F_NTASKS:
		if (s)
			put_u32(out, s->ntasks);
		break;
	case F_REQCPUS:
		if (!s)
			put_u32(out, j->req_cpus);
		break;
	case F_REQMEM:
		if (!s && j->req_mem_mb && j->req_mem_mb != NO_VAL64 && j->req_mem_mb != INFINITE64)
			buf_adds(out, fmt_mem(tmp, sizeof(tmp), j->req_mem_mb));
		break;
	case F_REQNODES:
		if (!s)
			put_u32(out, j->req_nodes);
		break;
	case F_ALLOCNODES:
		put_u32(out, s ? s->nnodes : (j->time_start ? j->nnodes : 0));
		break;
	case F_ALLOCTRES:
		put_tres(out, s ? s->tres_alloc : j->tres_alloc);
		break;
	case F_REQTRES:
		if (!s)
			put_tres(out, j->tres_req);
		break;
	case F_MAXRSS:
		if (s)
			put_kb(out, s->max_rss_kb);
		break;
	case F_AVERSS:
		if (s)
			put_kb(out, s->ave_rss_kb);
		break;
	case F_MAXVMSIZE:
		if (s)
			put_kb(out, s->max_vmsize_kb);
		break;
	case F_CPUTIME:
		buf_adds(out, fmt_duration_long(tmp, sizeof(tmp), el * (s ? s->ncpus : ncpus)));
		break;
	case F_CPUTIMERAW:
		buf_printf(out, "%lld", (long long)(el * (s ? s->ncpus : ncpus)));
		break;
	case F_TOTALCPU:
	case F_USERCPU:
	case F_SYSTEMCPU: {
		uint64_t us = 0;
		for (uint32_t i = 0; i < (s ? 1 : j->steps_cnt); i++) {
			const struct acct_step *t = s ? s : &j->steps[i];
			if (f->id != F_SYSTEMCPU)
				us += t->user_cpu_us;
			if (f->id != F_USERCPU)
				us += t->sys_cpu_us;
		}
		put_cpu_time(out, us);
		break;
	}
	case F_QOS:
		if (!s)
			put_str(out, j->qos);
		break;
	case F_PRIORITY:
		if (!s)
			put_u32(out, j->priority);
		break;
	case F_REASON:
		if (!s)
			buf_adds(out, job_reason_string(j->reason));
		break;
	case F_WORKDIR:
		if (!s)
			put_str(out, j->work_dir);
		break;
	case F_CLUSTER:
		put_str(out, j->cluster);
		break;
	case F_COMMENT:
		if (!s)
			put_str(out, j->comment);
		break;
	case F_CONSTRAINTS:
		if (!s)
			put_str(out, j->constraints);
		break;
	case F_SUBMITLINE:
		if (!s)
			put_str(out, j->submit_line);
		break;
	case F_SUSPENDED:
		buf_adds(out, fmt_duration_long(tmp, sizeof(tmp), s ? 0 : j->time_suspended));
		break;
	case F_MAXRSSNODE:
		if (s)
			put_node(out, s->max_rss_node);
		break;
	case F_MAXRSSTASK:
		if (s)
			put_task(out, s->max_rss_node, s->max_rss_task);
		break;
	case F_MAXVMSIZENODE:
		if (s)
			put_node(out, s->max_vmsize_node);
		break;
	case F_MAXVMSIZETASK:
		if (s)
			put_task(out, s->max_vmsize_node, s->max_vmsize_task);
		break;
	case F_AVEVMSIZE:
		if (s)
			put_kb(out, s->ave_vmsize_kb);
		break;
	case F_MAXDISKREAD:
		if (s)
			put_bytes(out, s->max_disk_read, o->noconvert);
		break;
	case F_MAXDISKREADNODE:
		if (s)
			put_node(out, s->max_disk_read_node);
		break;
	case F_MAXDISKREADTASK:
		if (s)
			put_task(out, s->max_disk_read_node, s->max_disk_read_task);
		break;
	case F_AVEDISKREAD:
		if (s)
			put_bytes(out, s->ave_disk_read, o->noconvert);
		break;
	case F_MAXDISKWRITE:
		if (s)
			put_bytes(out, s->max_disk_write, o->noconvert);
		break;
	case F_MAXDISKWRITENODE:
		if (s)
			put_node(out, s->max_disk_write_node);
		break;
	case F_MAXDISKWRITETASK:
		if (s)
			put_task(out, s->max_disk_write_node, s->max_disk_write_task);
		break;
	case F_AVEDISKWRITE:
		if (s)
			put_bytes(out, s->ave_disk_write, o->noconvert);
		break;
	case F_MINCPU:
		if (s && s->min_cpu_node)
			buf_adds(
			    out, fmt_duration_long(tmp, sizeof(tmp), (int64_t)(s->min_cpu_us / 1000000)));
		break;
	case F_MINCPUNODE:
		if (s)
			put_node(out, s->min_cpu_node);
		break;
	case F_MINCPUTASK:
		if (s)
			put_task(out, s->min_cpu_node, s->min_cpu_task);
		break;
	case F_AVECPU:
		if (s && s->usage_tasks)
			buf_adds(
			    out, fmt_duration_long(tmp, sizeof(tmp), (int64_t)(s->ave_cpu_us / 1000000)));
		break;
	case F_RESERVATION:
	case F_FLAGS:
	case F_LAYOUT:
	case F_WCKEY:
	case F_ASSOCID:
	case F_DBINDEX:
		break;
	}
}

static void
put_cell(struct buf *out, const char *s, size_t len, int width, int right, int cut)
{
	size_t w = (size_t)width;
	if (len > w) {
		if (cut) {
			buf_add(out, s, w - 1);
			buf_addc(out, '+');
		} else {
			buf_add(out, s, len);
		}
		return;
	}
	if (right)
		buf_pad(out, ' ', w - len);
	buf_add(out, s, len);
	if (!right)
		buf_pad(out, ' ', w - len);
}

static void
end_field(const struct acct_out *o, size_t i, struct buf *out)
{
	if (!o->parsable)
		buf_addc(out, ' ');
	else if (i + 1 < o->n || o->parsable == 1)
		buf_adds(out, o->delim ? o->delim : "|");
}

void
acct_header(const struct acct_out *o, struct buf *out)
{
	if (o->noheader)
		return;
	for (size_t i = 0; i < o->n; i++) {
		const struct acct_col *c = &o->cols[i];
		const char *h = c->f->name;
		size_t len = strlen(h);
		if (o->parsable) {
			buf_adds(out, h);
		} else {
			if (len > (size_t)c->width)
				len = (size_t)c->width;
			put_cell(out, h, len, c->width, c->right, 0);
		}
		end_field(o, i, out);
	}
	buf_addc(out, '\n');
	if (o->parsable)
		return;
	for (size_t i = 0; i < o->n; i++) {
		buf_pad(out, '-', (size_t)o->cols[i].width);
		end_field(o, i, out);
	}
	buf_addc(out, '\n');
}

static void
line(const struct acct_out *o, const struct acct_job *j, const struct acct_step *s, struct buf *out)
{
	struct buf v;
	buf_init(&v);
	for (size_t i = 0; i < o->n; i++) {
		const struct acct_col *c = &o->cols[i];
		buf_reset(&v);
		acct_value(&v, c->f, j, s, o);
		if (o->parsable)
			buf_add(out, v.data, v.len);
		else
			put_cell(out, v.data, v.len, c->width, c->right, !c->f->numeric);
		end_field(o, i, out);
	}
	buf_addc(out, '\n');
	buf_free(&v);
}

void
acct_job_lines(const struct acct_out *o, const struct acct_job *j, struct buf *out)
{
	if (o->want == NULL || o->want(j, NULL, o->want_arg))
		line(o, j, NULL, out);
	if (o->allocations)
		return;
	for (int pass = 0; pass < ACCT_STEP_PASSES; pass++)
		for (uint32_t i = 0; i < j->steps_cnt; i++)
			if (acct_step_pass(j->steps[i].step_id) == pass &&
			    (o->want == NULL || o->want(j, &j->steps[i], o->want_arg)))
				line(o, j, &j->steps[i], out);
}

int
acct_step_pass(uint32_t step_id)
{
	return step_id == STEP_ID_BATCH ? 0 : step_id == STEP_ID_EXTERN ? 1 : 2;
}

int
acct_out_needs_steps(const struct acct_out *o)
{
	if (!o->allocations)
		return 1;
	for (size_t i = 0; i < o->n; i++)
		if (o->cols[i].f->id == F_TOTALCPU || o->cols[i].f->id == F_USERCPU ||
		    o->cols[i].f->id == F_SYSTEMCPU)
			return 1;
	return 0;
}

void
acct_job_lines_steps(const struct acct_out *o, const struct acct_job *j, struct buf *out)
{
	for (uint32_t i = 0; i < j->steps_cnt; i++)
		line(o, j, &j->steps[i], out);
}

static int
cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int
job_cmp(const void *pa, const void *pb)
{
	const struct acct_job *a = pa, *b = pb;
	int r = cmp_i64(a->time_submit, b->time_submit);
	if (r == 0)
		r = cmp_i64(a->array_job_id, b->array_job_id);
	if (r == 0)
		r = cmp_i64(a->array_task_id, b->array_task_id);
	if (r == 0)
		r = cmp_i64(a->job_id, b->job_id);
	return r;
}

void
acct_sort(struct acct_job *jobs, size_t n)
{
	if (n > 1)
		qsort(jobs, n, sizeof(*jobs), job_cmp);
}

void
acct_render(const struct acct_out *o, struct acct_job *jobs, size_t n, struct buf *out)
{
	acct_sort(jobs, n);
	acct_header(o, out);
	for (size_t i = 0; i < n; i++)
		acct_job_lines(o, &jobs[i], out);
}

void
acct_helpformat(struct buf *out)
{
	for (size_t i = 0; i < NFIELDS; i++) {
		buf_printf(out, "%-20s", fields[i].name);
		if (i % 4 == 3 || i + 1 == NFIELDS)
			buf_addc(out, '\n');
	}
}
