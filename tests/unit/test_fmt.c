/* SPDX-License-Identifier: MIT */
/*
 * Tests of the output-field engine and the squeue / sinfo / scontrol
 * renderers: records of the golden scenario (job 1 running on
 * axc-compute-[01-02], the drained node, the pending and finished jobs)
 * are built by hand and the produced text is compared byte for byte with
 * shared/golden/slurm-22.05.  Also job id parsing and -o / -O parsing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <setjmp.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "conf/conf.h"
#include "fmt.h"
#include "hostlist/hostlist.h"
#include "jobfmt.h"
#include "jobid.h"
#include "proto/jobflags.h"
#include "proto/proto.h"
#include "proto/states.h"
#include "show.h"
#include "sinfofmt.h"

#define GOLDEN HERD_SHARED_DIR "/golden/slurm-22.05/"

static char *
golden(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s%s", GOLDEN, name);
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		print_error("cannot open %s\n", path);
		fail();
	}
	struct buf b;
	buf_init(&b);
	char tmp[4096];
	size_t n;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	return buf_take(&b);
}

/* golden text without its first line (the ctime date line of -l) */
static char *
golden_skip_date(const char *name)
{
	char *g = golden(name);
	char *nl = strchr(g, '\n');
	char *r = xstrdup(nl ? nl + 1 : "");
	free(g);
	return r;
}

static void
check(const char *got, char *want, const char *what)
{
	if (strcmp(got, want) != 0) {
		print_error("%s differs\n--- want\n%s--- got\n%s---\n", what, want, got);
		fail(); /* does not return: want is left to the process exit */
	}
	free(want);
}

/* local time of the reference run; tests run with TZ=UTC */
static int64_t
T(const char *iso)
{
	struct tm tm = {0};
	if (strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		fail();
	return (int64_t)timegm(&tm);
}

/* ---- the cluster: 4 nodes, 1 partition ---- */

static struct node_info nodes[4];
static struct part_info part;

static void
mk_cluster(uint32_t s1, uint32_t s2, uint32_t s3, uint32_t s4)
{
	uint32_t st[4] = {s1, s2, s3, s4};
	for (int i = 0; i < 4; i++) {
		struct node_info *n = &nodes[i];
		proto_free(&rdesc_node_info, n);
		memset(n, 0, sizeof(*n));
		n->name = xasprintf("axc-compute-%02d", i + 1);
		n->hostname = xstrdup(n->name);
		n->addr = xasprintf("127.0.1.%d", 11 + i);
		n->port = (uint32_t)(16821 + i);
		n->port_set = i != 0;
		n->cpus = 2;
		n->boards = 1;
		n->sockets = 2;
		n->cores = 1;
		n->threads = 1;
		n->real_memory = 1;
		n->weight = 1;
		n->state = st[i];
		uint32_t b = st[i] & NODE_STATE_BASE;
		n->cpus_alloc = b == NODE_STATE_ALLOCATED ? 2 : 0;
		n->version = xstrdup("22.05.8");
		n->os = xstrdup("Linux 6.18.44-fc-v669 #1 SMP PREEMPT_DYNAMIC @0");
		n->arch = xstrdup("x86_64");
		n->cpu_load = 26;
		n->free_mem = i == 3 ? 23418 : 23417;
		n->partitions = xstrdup("compute");
		n->boot_time = T("2026-11-25T22:50:01");
		n->slurmd_start_time = T("2026-11-25T23:10:24");
		n->last_busy = T("2026-11-25T23:10:24");
		n->reason_uid = NO_VAL;
	}
	proto_free(&rdesc_part_info, &part);
	memset(&part, 0, sizeof(part));
	part.name = xstrdup("compute");
	part.nodes = xstrdup("axc-compute-[01-04]");
	part.flags = 1;
	part.state = PART_STATE_UP;
	part.max_time = 1440;
	part.default_time = NO_VAL;
	part.max_nodes = INFINITE;
	part.min_nodes = 0;
	part.priority_tier = 1;
	part.priority_job_factor = 1;
	part.oversubscribe = OVERSUB_YES | 4;
	part.total_cpus = 8;
	part.total_nodes = 4;
	part.total_mem = 4;
	part.max_cpus_per_node = INFINITE;
}

static void
drain_node4(void)
{
	nodes[3].state = NODE_STATE_IDLE | NODE_STATE_DRAIN;
	nodes[3].reason = xstrdup("golden-test");
	nodes[3].reason_uid = 0;
	nodes[3].reason_time = T("2026-11-25T23:11:20");
	nodes[3].last_busy = T("2026-11-25T23:11:16");
}

static char *
sinfo_text(const char *format, const char *sort, int node_mode, int reasons, const char *part_filter)
{
	struct fmt_spec spec;
	char err[256];
	assert_int_equal(fmt_parse(&sinfofmt_table, format, &spec, err, sizeof(err)), 0);
	struct sinfo_opts o = {0};
	o.node_mode = node_mode;
	o.reasons = reasons;
	char *pf = (char *)part_filter;
	if (part_filter != NULL) {
		o.parts = &pf;
		o.nparts = 1;
	}
	struct buf out;
	buf_init(&out);
	assert_int_equal(sinfofmt_render(&out, &spec, sort, 0, nodes, 4, &part, 1, &o, err, sizeof(err)), 0);
	fmt_spec_free(&spec);
	buf_str(&out);
	return buf_take(&out);
}

#define IDLE NODE_STATE_IDLE
#define ALLOC NODE_STATE_ALLOCATED

static void
test_sinfo_default(void **state)
{
	mk_cluster(IDLE, IDLE, IDLE, IDLE);
	char *s = sinfo_text(SINFOFMT_DEFAULT, SINFOFMT_SORT, 0, 0, NULL);
	check(s, golden("01-sinfo.out"), "01-sinfo");
	free(s);
	s = sinfo_text(SINFOFMT_DEFAULT, SINFOFMT_SORT, 0, 0, NULL);
	check(s, golden("21-sinfo-after.out"), "21-sinfo-after");
	free(s);
	s = sinfo_text(SINFOFMT_DEFAULT, SINFOFMT_SORT, 0, 0, NULL);
	check(s, golden("82-sinfo-resumed-3s-later.out"), "82");
	free(s);

	mk_cluster(ALLOC, ALLOC, IDLE, IDLE);
	s = sinfo_text(SINFOFMT_DEFAULT, SINFOFMT_SORT, 0, 0, NULL);
	check(s, golden("06-sinfo-running.out"), "06-sinfo-running");
	free(s);

	mk_cluster(ALLOC, ALLOC, ALLOC, ALLOC);
	s = sinfo_text(SINFOFMT_DEFAULT, SINFOFMT_SORT, 0, 0, NULL);
	check(s, golden("70-sinfo-all-alloc.out"), "70-sinfo-all-alloc");
	free(s);

	mk_cluster(IDLE, IDLE, IDLE, IDLE);
	drain_node4();
	s = sinfo_text(SINFOFMT_DEFAULT, SINFOFMT_SORT, 0, 0, NULL);
	check(s, golden("76-sinfo-drained.out"), "76-sinfo-drained");
	free(s);

	mk_cluster(IDLE, IDLE, IDLE, IDLE | NODE_STATE_NO_RESPOND);
	s = sinfo_text(SINFOFMT_DEFAULT, SINFOFMT_SORT, 0, 0, NULL);
	check(s, golden("81-sinfo-resumed.out"), "81-sinfo-resumed");
	free(s);

	mk_cluster(IDLE, IDLE, IDLE, IDLE);
	s = sinfo_text(SINFOFMT_DEFAULT, SINFOFMT_SORT, 0, 0, "nope");
	check(s, golden("101-err-sinfo-p-nope.out"), "101-err-sinfo-p-nope");
	free(s);
}

static void
test_sinfo_modes(void **state)
{
	mk_cluster(ALLOC, ALLOC, IDLE, IDLE);
	char *s = sinfo_text(SINFOFMT_NODE_LONG, SINFOFMT_NODE_SORT, 1, 0, NULL);
	check(s, golden_skip_date("10-sinfo-N-l-running.out"), "10-sinfo-N-l-running");
	free(s);

	mk_cluster(IDLE, IDLE, IDLE, IDLE);
	s = sinfo_text(SINFOFMT_NODE_LONG, SINFOFMT_NODE_SORT, 1, 0, NULL);
	check(s, golden_skip_date("25-sinfo-N-l.out"), "25-sinfo-N-l");
	free(s);
	s = sinfo_text(SINFOFMT_LONG, SINFOFMT_SORT, 0, 0, NULL);
	check(s, golden_skip_date("26-sinfo-l.out"), "26-sinfo-l");
	free(s);
	s = sinfo_text(SINFOFMT_NODE, SINFOFMT_NODE_SORT, 1, 0, NULL);
	check(s, golden("27-sinfo-N.out"), "27-sinfo-N");
	free(s);
	s = sinfo_text(SINFOFMT_SUMMARIZE, SINFOFMT_SORT, 0, 0, NULL);
	check(s, golden("28-sinfo-s.out"), "28-sinfo-s");
	free(s);
	s = sinfo_text(SINFOFMT_REASON, "", 0, 1, NULL);
	check(s, golden("29-sinfo-R.out"), "29-sinfo-R");
	free(s);

	drain_node4();
	s = sinfo_text(SINFOFMT_REASON, "", 0, 1, NULL);
	check(s, golden("77-sinfo-R-drained.out"), "77-sinfo-R-drained");
	free(s);
	s = sinfo_text(SINFOFMT_NODE_LONG, SINFOFMT_NODE_SORT, 1, 0, NULL);
	check(s, golden_skip_date("78-sinfo-N-l-drained.out"), "78-sinfo-N-l-drained");
	free(s);
}

static void
test_sinfo_grouping(void **state)
{
	/* different CPU counts merge without -e (shown as min+), split with %c */
	mk_cluster(IDLE, IDLE, IDLE, IDLE);
	nodes[2].cpus = 4;
	char *s = sinfo_text("%P %.6D %c %N", SINFOFMT_SORT, 0, 0, NULL);
	assert_string_equal(s, "PARTITION  NODES CPUS NODELIST\ncompute*      4 2+ axc-compute-[01-04]\n");
	free(s);
	/* mixed node is "mix"; sorted after drained, before idle */
	mk_cluster(IDLE, NODE_STATE_MIXED, IDLE, IDLE);
	nodes[1].cpus_alloc = 1;
	drain_node4();
	s = sinfo_text(SINFOFMT_DEFAULT, SINFOFMT_SORT, 0, 0, NULL);
	assert_string_equal(s, "PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST\n"
	                       "compute*     up 1-00:00:00      1  drain axc-compute-04\n"
	                       "compute*     up 1-00:00:00      1    mix axc-compute-02\n"
	                       "compute*     up 1-00:00:00      2   idle axc-compute-[01,03]\n");
	free(s);
	s = sinfo_text("%C %A", "", 0, 0, NULL);
	assert_string_equal(s, "CPUS(A/I/O/T) NODES(A/I)\n1/5/2/8 1/2\n");
	free(s);
	/* -N lists nodes in controller order: node9 before node10 */
	mk_cluster(IDLE, IDLE, IDLE, IDLE);
	free(nodes[2].name);
	nodes[2].name = xstrdup("axc-compute-9");
	free(nodes[3].name);
	nodes[3].name = xstrdup("axc-compute-10");
	s = sinfo_text("%N", SINFOFMT_NODE_SORT, 1, 0, NULL);
	assert_string_equal(s, "NODELIST\naxc-compute-01\naxc-compute-02\naxc-compute-9\naxc-compute-10\n");
	free(s);
	mk_cluster(IDLE, NODE_STATE_MIXED, IDLE, IDLE);
	nodes[1].cpus_alloc = 1;
	drain_node4();
	assert_int_equal(sinfofmt_state_list_match("drain", nodes[3].state), 1);
	assert_int_equal(sinfofmt_state_list_match("idle", nodes[3].state), 1);
	assert_int_equal(sinfofmt_state_list_match("drained&idle", nodes[3].state), 1);
	assert_int_equal(sinfofmt_state_list_match("mix,alloc", nodes[3].state), 0);
	const char *bad;
	size_t badlen;
	assert_int_equal(sinfofmt_states_valid("idle,bogus", &bad, &badlen), -1);
	assert_int_equal(badlen, 5);
}

/* ---- jobs ---- */

static struct job_info *
mk_job(uint32_t id, const char *name, uint32_t state, uint32_t reason, const char *nodelist, uint32_t nn,
    int64_t start, int64_t end, uint32_t prio)
{
	struct job_info *j = xcalloc(1, sizeof(*j));
	j->job_id = id;
	j->array_task_id = NO_VAL;
	j->name = xstrdup(name);
	j->user_name = xstrdup("root");
	j->group_name = xstrdup("root");
	j->partition = xstrdup("compute");
	j->account = xstrdup("root");
	j->qos = xstrdup("normal");
	j->state = state;
	j->reason = reason;
	j->priority = prio;
	j->requeue = 1;
	j->batch_flag = 1;
	j->time_limit = 1440;
	j->start_time = start;
	j->end_time = end;
	j->nodes = xstrdup(nodelist);
	j->num_nodes = nn;
	j->num_cpus = 1;
	j->num_tasks = 1;
	j->cpus_per_task = 1;
	j->pn_min_cpus = 1;
	j->alloc_node = xstrdup("localhost");
	j->alloc_sid = 2607;
	j->work_dir = xstrdup("/srv/ref/work");
	j->std_in = xstrdup("/dev/null");
	j->std_out = xasprintf("/srv/ref/work/slurm-%u.out", id);
	j->std_err = xstrdup(j->std_out);
	j->tres = xstrdup("cpu=1,node=1,billing=1");
	if (nodelist != NULL && (state & JOB_STATE_BASE) != JOB_PENDING)
		j->batch_host = xstrdup("axc-compute-01");
	return j;
}

static void
free_jobs(struct job_info **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		proto_destroy(&rdesc_job_info, v[i]);
}

/* job 1 of the blog scenario, running 2 s */
static struct job_info *
job1(void)
{
	struct job_info *j = mk_job(1, "xs-test-job", JOB_RUNNING, WAIT_NO_REASON, "axc-compute-[01-02]", 2,
	    T("2026-11-25T23:10:27"), T("2026-11-26T23:10:27"), 4294901759U);
	j->submit_time = j->eligible_time = j->accrue_time = T("2026-11-25T23:10:24");
	j->last_sched_eval = T("2026-11-25T23:10:27");
	j->now = T("2026-11-25T23:10:29");
	j->num_cpus = 4;
	j->num_tasks = 4;
	free(j->tres);
	j->tres = xstrdup("cpu=4,node=2,billing=4");
	j->command = xstrdup("/srv/ref/work/job.sh");
	return j;
}

static char *
squeue_text(const char *format, const char *sort, int noheader, struct job_info **jobs, size_t n)
{
	struct fmt_spec spec;
	char err[256];
	assert_int_equal(fmt_parse(&jobfmt_table, format, &spec, err, sizeof(err)), 0);
	struct jobfmt_ctx ctx = {.now = 0, .bitstr_len = 64};
	struct buf out;
	buf_init(&out);
	assert_int_equal(jobfmt_render(&out, &spec, sort, noheader, (const struct job_info **)jobs, n, &ctx,
	                     err, sizeof(err)),
	    0);
	fmt_spec_free(&spec);
	buf_str(&out);
	return buf_take(&out);
}

static void
test_squeue_running(void **state)
{
	struct job_info *j = job1();
	char *s = squeue_text(JOBFMT_DEFAULT, JOBFMT_SORT, 0, &j, 1);
	check(s, golden("05-squeue-running.out"), "05-squeue-running");
	free(s);
	s = squeue_text("%i %T", JOBFMT_SORT, 1, &j, 1);
	check(s, golden("07-squeue-h-o-i-T-running.out"), "07");
	free(s);
	s = squeue_text(JOBFMT_LONG, JOBFMT_SORT, 0, &j, 1);
	check(s, golden_skip_date("12-squeue-l-running.out"), "12-squeue-l-running");
	free(s);
	s = squeue_text(JOBFMT_DEFAULT, JOBFMT_SORT, 0, NULL, 0);
	check(s, golden("02-squeue.out"), "02-squeue");
	free(s);
	s = squeue_text(JOBFMT_DEFAULT, JOBFMT_SORT, 0, NULL, 0);
	check(s, golden("19-squeue-after.out"), "19-squeue-after");
	free(s);
	s = squeue_text("%i %T", JOBFMT_SORT, 1, NULL, 0);
	check(s, golden("20-squeue-h-o-i-T-idle.out"), "20");
	free(s);
	free_jobs(&j, 1);
}

static void
test_squeue_steps(void **state)
{
	struct step_info st[2];
	memset(st, 0, sizeof(st));
	int64_t start = T("2026-11-25T23:10:27"), now = T("2026-11-25T23:10:29");
	/* given in the "wrong" order: the default sort puts 1.1 first */
	st[0].job_id = 1;
	st[0].step_id = STEP_ID_BATCH;
	st[0].array_task_id = NO_VAL;
	st[0].name = "batch";
	st[0].nodes = "axc-compute-01";
	st[1].job_id = 1;
	st[1].step_id = 1;
	st[1].array_task_id = NO_VAL;
	st[1].name = "sleep";
	st[1].nodes = "axc-compute-[01-02]";
	for (int i = 0; i < 2; i++) {
		st[i].partition = "compute";
		st[i].user_name = "root";
		st[i].start_time = start;
		st[i].now = now;
		st[i].time_limit = INFINITE;
	}
	const struct step_info *v[2] = {&st[0], &st[1]};
	struct fmt_spec spec;
	char err[256];
	assert_int_equal(fmt_parse(&stepfmt_table, STEPFMT_DEFAULT, &spec, err, sizeof(err)), 0);
	struct jobfmt_ctx ctx = {.bitstr_len = 64};
	struct buf out;
	buf_init(&out);
	assert_int_equal(stepfmt_render(&out, &spec, STEPFMT_SORT, 0, v, 2, &ctx, err, sizeof(err)), 0);
	buf_str(&out);
	check(out.data, golden("13-squeue-s-running.out"), "13-squeue-s-running");
	buf_free(&out);
	fmt_spec_free(&spec);
}

static void
test_squeue_pending(void **state)
{
	struct job_info *j = mk_job(12, "wrap", JOB_PENDING, WAIT_HELD_USER, NULL, 1, 0, 0, 0);
	char *s = squeue_text(JOBFMT_DEFAULT, JOBFMT_SORT, 0, &j, 1);
	check(s, golden("59-squeue-held.out"), "59-squeue-held");
	free(s);
	free_jobs(&j, 1);

	j = mk_job(14, "wrap", JOB_PENDING, WAIT_PART_CONFIG, NULL, 1, 0, 0, 4294901747U);
	s = squeue_text(JOBFMT_DEFAULT, JOBFMT_SORT, 0, &j, 1);
	check(s, golden("65-squeue-over-maxtime.out"), "65-squeue-over-maxtime");
	free(s);
	free_jobs(&j, 1);

	struct job_info *v[3];
	v[0] =
	    mk_job(15, "wrap", JOB_RUNNING, WAIT_NO_REASON, "axc-compute-[01-04]", 4, 1000, 0, 4294901746U);
	v[0]->now = 1004;
	v[1] = mk_job(16, "wrap", JOB_PENDING, WAIT_RESOURCES, NULL, 4, 0, 0, 4294901745U);
	v[2] = mk_job(17, "wrap", JOB_PENDING, WAIT_PRIORITY, NULL, 1, 0, 0, 4294901744U);
	s = squeue_text(JOBFMT_DEFAULT, JOBFMT_SORT, 0, v, 3);
	check(s, golden("67-squeue-resources.out"), "67-squeue-resources");
	free(s);
	/* --start: pending jobs only, sorted by start time */
	struct job_info *pend[2] = {v[0]->job_id == 15 ? v[1] : v[0], v[2]->job_id == 15 ? v[1] : v[2]};
	s = squeue_text(JOBFMT_START, "S", 0, pend, 2);
	check(s, golden("69-squeue-start.out"), "69-squeue-start");
	free(s);
	free_jobs(v, 3);

	v[0] = mk_job(23, "wrap", JOB_PENDING, WAIT_PART_NODE_LIMIT, NULL, 5, 0, 0, 4294901737U);
	v[1] = mk_job(22, "wrap", JOB_PENDING, WAIT_PART_CONFIG, NULL, 500, 0, 0, 4294901738U);
	s = squeue_text(JOBFMT_DEFAULT, JOBFMT_SORT, 0, v, 2);
	check(s, golden("106-squeue-final.out"), "106-squeue-final");
	free(s);
	free_jobs(v, 2);
}

static void
test_squeue_all_states(void **state)
{
	struct job_info *v[32];
	size_t n = 0;
	const uint32_t P0 = 4294901760U;
#define ADD(id, name, st, rs, nl, nn, start, end) \
	v[n++] = mk_job(id, name, st, rs, nl, nn, start, end, P0 - (id))
	/* listed out of order on purpose */
	ADD(23, "wrap", JOB_PENDING, WAIT_PART_NODE_LIMIT, NULL, 5, 0, 0);
	ADD(26, "sh", JOB_FAILED, FAIL_EXIT_CODE, "axc-compute-01", 1, 500, 500);
	ADD(1, "xs-test-job", JOB_COMPLETE, WAIT_NO_REASON, "axc-compute-[01-02]", 2, 100, 110);
	ADD(11, "wrap", JOB_CANCELLED, WAIT_NO_REASON, "axc-compute-01", 1, 200, 201);
	ADD(14, "wrap", JOB_CANCELLED, WAIT_NO_REASON, NULL, 1, 0, 0);
	ADD(15, "wrap", JOB_CANCELLED, WAIT_NO_REASON, "axc-compute-[01-04]", 4, 300, 304);
	ADD(16, "wrap", JOB_CANCELLED, WAIT_NO_REASON, NULL, 4, 0, 0);
	ADD(17, "wrap", JOB_CANCELLED, WAIT_NO_REASON, NULL, 1, 0, 0);
	ADD(25, "true", JOB_CANCELLED, WAIT_NO_REASON, NULL, 5, 0, 0);
	ADD(12, "wrap", JOB_CANCELLED, WAIT_NO_REASON, NULL, 1, 0, 0);
	v[n - 1]->priority = 0;
	ADD(2, "wrap", JOB_COMPLETE, WAIT_NO_REASON, "axc-compute-01", 1, 120, 120);
	ADD(3, "env.sh", JOB_COMPLETE, WAIT_NO_REASON, "axc-compute-01", 1, 120, 120);
	ADD(4, "xs-test-job", JOB_COMPLETE, WAIT_NO_REASON, "axc-compute-[01-02]", 2, 120, 120);
	ADD(5, "env", JOB_COMPLETE, WAIT_NO_REASON, "axc-compute-01", 1, 120, 120);
	ADD(6, "hostname", JOB_COMPLETE, WAIT_NO_REASON, "axc-compute-[01-02]", 2, 120, 120);
	ADD(7, "hostname", JOB_COMPLETE, WAIT_NO_REASON, "axc-compute-[01-02]", 2, 120, 120);
	ADD(9, "wrap", JOB_COMPLETE, WAIT_NO_REASON, "axc-compute-01", 1, 120, 120);
	ADD(13, "wrap", JOB_COMPLETE, WAIT_NO_REASON, "axc-compute-01", 1, 120, 120);
	for (uint32_t t = 0; t < 3; t++) {
		/* array tasks: the master id keeps the last task */
		uint32_t id = t == 2 ? 18 : 19 + t;
		ADD(id, "wrap", JOB_COMPLETE, WAIT_NO_REASON, t == 2 ? "axc-compute-02" : "axc-compute-01", 1,
		    120, 120);
		v[n - 1]->array_job_id = 18;
		v[n - 1]->array_task_id = t;
		v[n - 1]->priority = P0 - 18;
	}
	ADD(21, "namedjob", JOB_COMPLETE, WAIT_NO_REASON, "axc-compute-01", 1, 120, 120);
	ADD(8, "wrap", JOB_FAILED, FAIL_EXIT_CODE, "axc-compute-01", 1, 130, 130);
	ADD(10, "wrap", JOB_FAILED, FAIL_LAUNCH, "axc-compute-01", 1, 130, 130);
	ADD(24, "wrap", JOB_FAILED, WAIT_BAD_CONSTRAINTS, "axc-compute-01", 1, 130, 130);
	ADD(22, "wrap", JOB_PENDING, WAIT_PART_CONFIG, NULL, 500, 0, 0);
#undef ADD
	for (size_t i = 0; i < n; i++)
		v[i]->now = 10000;
	char *s = squeue_text(JOBFMT_DEFAULT, JOBFMT_SORT, 0, v, n);
	check(s, golden("109-squeue-t-all.out"), "109-squeue-t-all");
	free(s);
	free_jobs(v, n);
}

static void
test_squeue_fields(void **state)
{
	struct job_info *j = job1();
	/* -O: default width 20, left, cut */
	struct fmt_spec spec;
	char err[256];
	assert_int_equal(
	    fmt_parse_long(&jobfmt_table, "JobID,name:5,State:.10,exit_code", &spec, err, sizeof(err)), 0);
	struct buf out;
	buf_init(&out);
	struct jobfmt_ctx ctx = {.bitstr_len = 64};
	fmt_header(&spec, &out);
	fmt_row(&spec, j, &ctx, &out);
	buf_str(&out);
	assert_string_equal(out.data, "JOBID               NAME      STATEEXIT_CODE           \n"
	                              "1                   xs-te   RUNNING0:0                 \n");
	fmt_spec_free(&spec);
	assert_int_equal(fmt_parse_long(&jobfmt_table, "JobID,bogus", &spec, err, sizeof(err)), -1);
	assert_int_equal(fmt_parse(&jobfmt_table, "%i %!", &spec, err, sizeof(err)), -1);

	/* time fields and node lists are never cut; the reason branch of %R is */
	buf_reset(&out);
	assert_int_equal(fmt_parse(&jobfmt_table, "%.3M|%3N|%3R|%5l|%L", &spec, err, sizeof(err)), 0);
	fmt_row(&spec, j, &ctx, &out);
	buf_str(&out);
	assert_string_equal(out.data, "0:02|axc-compute-[01-02]|axc-compute-[01-02]|1-00:00:00|23:59:58\n");
	fmt_spec_free(&spec);
	free_jobs(&j, 1);

	j = mk_job(43, "arr", JOB_PENDING, WAIT_ARRAY_TASK_LIMIT, NULL, 1, 0, 0, 1);
	j->array_job_id = 43;
	j->array_task_str = xstrdup("1-10");
	j->array_max_tasks = 2;
	buf_reset(&out);
	assert_int_equal(fmt_parse(&jobfmt_table, "%.18i %3R %F %K %h", &spec, err, sizeof(err)), 0);
	fmt_row(&spec, j, &ctx, &out);
	buf_str(&out);
	assert_string_equal(out.data, "       43_[1-10%2] (Jo 43 1-10 OK\n");
	fmt_spec_free(&spec);
	j->flags = JOB_DESC_EXCLUSIVE;
	assert_string_equal(jobfmt_oversub(j), "NO");
	free_jobs(&j, 1);
	buf_free(&out);
}

/* ---- scontrol records ---- */

static char *
show_job_text(const struct job_info *j)
{
	struct buf out;
	buf_init(&out);
	show_job(&out, j, 0, 0, 0);
	buf_str(&out);
	return buf_take(&out);
}

static void
test_show_job(void **state)
{
	struct job_info *j = job1();
	char *s = show_job_text(j);
	check(s, golden("08-scontrol-show-job-1-running.out"), "08");
	free(s);
	j->state = JOB_COMPLETE;
	j->end_time = T("2026-11-25T23:10:37");
	j->now = T("2026-11-25T23:10:40");
	s = show_job_text(j);
	check(s, golden("17-scontrol-show-job-1-completed.out"), "17");
	free(s);
	/* -o: one line, pairs joined by single spaces */
	struct buf out;
	buf_init(&out);
	show_job(&out, j, 1, 0, 0);
	buf_str(&out);
	assert_non_null(strstr(out.data, "JobId=1 JobName=xs-test-job UserId=root(0) "));
	assert_ptr_equal(strchr(out.data, '\n'), out.data + out.len - 1);
	buf_free(&out);
	free_jobs(&j, 1);

	/* failed --wrap job 8 */
	j = mk_job(8, "wrap", JOB_FAILED, FAIL_EXIT_CODE, "axc-compute-01", 1, T("2026-11-25T23:10:50"),
	    T("2026-11-25T23:10:50"), 4294901752U);
	j->exit_code = 3 << 8;
	j->submit_time = j->eligible_time = j->accrue_time = T("2026-11-25T23:10:47");
	j->last_sched_eval = T("2026-11-25T23:10:50");
	s = show_job_text(j);
	check(s, golden("49-scontrol-show-job-failed.out"), "49");
	free(s);
	free_jobs(&j, 1);

	/* cancelled running job 11: the script got SIGTERM */
	j = mk_job(11, "wrap", JOB_CANCELLED, WAIT_NO_REASON, "axc-compute-01", 1, T("2026-11-25T23:10:59"),
	    T("2026-11-25T23:11:00"), 4294901749U);
	j->exit_code = 15;
	j->submit_time = j->eligible_time = j->accrue_time = T("2026-11-25T23:10:59");
	j->last_sched_eval = T("2026-11-25T23:10:59");
	s = show_job_text(j);
	check(s, golden("57-scontrol-show-job-cancelled.out"), "57");
	free(s);
	free_jobs(&j, 1);

	/* held job 12 */
	j = mk_job(12, "wrap", JOB_PENDING, WAIT_HELD_USER, NULL, 1, 0, 0, 0);
	j->submit_time = j->last_sched_eval = T("2026-11-25T23:11:04");
	free(j->tres);
	j->tres = xstrdup("cpu=1,mem=1M,node=1,billing=1");
	s = show_job_text(j);
	check(s, golden("60-scontrol-show-job-held.out"), "60");
	free(s);
	free_jobs(&j, 1);

	/* over the partition MaxTime */
	j = mk_job(14, "wrap", JOB_PENDING, WAIT_PART_CONFIG, NULL, 1, 0, 0, 4294901747U);
	j->time_limit = 2880;
	j->submit_time = j->eligible_time = j->last_sched_eval = T("2026-11-25T23:11:09");
	free(j->tres);
	j->tres = xstrdup("cpu=1,mem=1M,node=1,billing=1");
	s = show_job_text(j);
	check(s, golden("66-scontrol-show-job-over-maxtime.out"), "66");
	free(s);
	free_jobs(&j, 1);

	/* waiting for resources */
	j = mk_job(16, "wrap", JOB_PENDING, WAIT_RESOURCES, NULL, 4, 0, 0, 4294901745U);
	j->num_cpus = j->num_tasks = 8;
	j->submit_time = j->eligible_time = j->accrue_time = T("2026-11-25T23:11:10");
	j->last_sched_eval = T("2026-11-25T23:11:12");
	free(j->tres);
	j->tres = xstrdup("cpu=8,mem=1M,node=1,billing=8");
	s = show_job_text(j);
	check(s, golden("68-scontrol-show-job-pending-resources.out"), "68");
	free(s);
	free_jobs(&j, 1);
}

static char *
show_nodes_text(size_t from, size_t to)
{
	struct buf out;
	buf_init(&out);
	for (size_t i = from; i < to; i++)
		show_node(&out, &nodes[i], 0);
	buf_str(&out);
	return buf_take(&out);
}

static void
test_show_node_part(void **state)
{
	mk_cluster(ALLOC, ALLOC, IDLE, IDLE);
	nodes[0].last_busy = nodes[1].last_busy = T("2026-11-25T23:10:24");
	char *s = show_nodes_text(0, 4);
	check(s, golden("09-scontrol-show-node-running.out"), "09");
	free(s);

	mk_cluster(IDLE, IDLE, IDLE, IDLE);
	nodes[0].last_busy = nodes[1].last_busy = T("2026-11-25T23:10:37");
	s = show_nodes_text(0, 4);
	check(s, golden("22-scontrol-show-node.out"), "22");
	free(s);
	s = show_nodes_text(0, 1);
	check(s, golden("23-scontrol-show-node-axc-compute-01.out"), "23");
	free(s);
	drain_node4();
	s = show_nodes_text(3, 4);
	check(s, golden("79-scontrol-show-node-drained.out"), "79");
	free(s);

	struct buf out;
	buf_init(&out);
	show_part(&out, &part, 0);
	buf_str(&out);
	check(out.data, golden("24-scontrol-show-partition.out"), "24");
	buf_free(&out);
}

static void
test_show_config(void **state)
{
	/* the controller's Key=Value list, taken from the golden itself */
	char *g = golden("31-scontrol-show-config.out");
	char **kv = NULL;
	uint32_t n = 0;
	char *save = NULL;
	char *copy = xstrdup(g);
	char *line = strtok_r(copy, "\n", &save);
	line = strtok_r(NULL, "\n", &save); /* skip "Configuration data as of" */
	for (; line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strstr(line, " = ");
		if (eq == NULL)
			break; /* end of the main block */
		char *end = eq;
		while (end > line && end[-1] == ' ')
			end--;
		strv_addf(&kv, &n, "%.*s=%s", (int)(end - line), line, eq + 3);
	}
	free(copy);
	struct buf out;
	buf_init(&out);
	show_config(&out, kv, n, T("2026-11-25T23:10:38"));
	buf_adds(&out, "\nSlurmctld(primary) at axc-head is UP\n");
	buf_str(&out);
	check(out.data, g, "31-scontrol-show-config");
	buf_free(&out);
	strv_free(kv, n);
}

/* ---- job ids ---- */

static void
test_jobid(void **state)
{
	struct jobid id;
	assert_int_equal(jobid_parse("123", &id), 0);
	assert_int_equal(id.job_id, 123);
	assert_int_equal(id.array_task_id, NO_VAL);
	assert_int_equal(id.step_id, NO_VAL);
	jobid_free(&id);
	assert_int_equal(jobid_parse("123_4", &id), 0);
	assert_int_equal(id.array_task_id, 4);
	jobid_free(&id);
	assert_int_equal(jobid_parse("123_[1-3,5]", &id), 0);
	assert_int_equal(id.ntasks, 2);
	assert_true(jobid_has_task(&id, 2));
	assert_true(jobid_has_task(&id, 5));
	assert_false(jobid_has_task(&id, 4));
	jobid_free(&id);
	assert_int_equal(jobid_parse("123.4", &id), 0);
	assert_int_equal(id.step_id, 4);
	jobid_free(&id);
	assert_int_equal(jobid_parse("123.batch", &id), 0);
	assert_int_equal(id.step_id, STEP_ID_BATCH);
	jobid_free(&id);
	assert_int_equal(jobid_parse("123_7.extern", &id), 0);
	assert_int_equal(id.array_task_id, 7);
	assert_int_equal(id.step_id, STEP_ID_EXTERN);
	jobid_free(&id);
	assert_int_equal(jobid_parse("123+1", &id), 0);
	assert_int_equal(id.het_offset, 1);
	jobid_free(&id);
	const char *bad[] = {
	    "abc", "", "0", "12a", "1_", "1_[", "1_[3-1]", "1.", "1.foo", "99999999999", "-1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(jobid_parse(bad[i], &id), -1);

	struct jobid *v = NULL;
	size_t n = 0;
	char *badtok = NULL;
	assert_int_equal(jobid_list_parse("1,2_[3-4,6],5.0", &v, &n, &badtok), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[1].ntasks, 2);
	assert_int_equal(jobid_list_parse("7,x", &v, &n, &badtok), -1);
	assert_string_equal(badtok, "x");
	free(badtok);
	jobid_list_free(v, n);

	/* matching records */
	struct job_info j = {.job_id = 20, .array_job_id = 18, .array_task_id = 1};
	struct job_info rest = {
	    .job_id = 18, .array_job_id = 18, .array_task_id = NO_VAL, .array_task_str = "3-5,9"};
	struct job_info plain = {.job_id = 7, .array_task_id = NO_VAL};
	assert_int_equal(jobid_parse("18", &id), 0);
	assert_true(jobid_match(&id, &j));
	assert_true(jobid_match(&id, &rest));
	assert_false(jobid_match(&id, &plain));
	jobid_free(&id);
	assert_int_equal(jobid_parse("18_4", &id), 0);
	assert_false(jobid_match(&id, &j));
	assert_true(jobid_match(&id, &rest));
	jobid_free(&id);
	assert_int_equal(jobid_parse("18_[0-1]", &id), 0);
	assert_true(jobid_match(&id, &j));
	assert_false(jobid_match(&id, &rest));
	jobid_free(&id);
	assert_int_equal(jobid_parse("20", &id), 0);
	assert_true(jobid_match(&id, &j));
	jobid_free(&id);

	char b[64];
	assert_string_equal(step_id_str(b, sizeof(b), 1, 0, NO_VAL, STEP_ID_BATCH), "1.batch");
	assert_string_equal(step_id_str(b, sizeof(b), 20, 18, 2, 0), "18_2.0");
}

static int
setup(void **state)
{
	setenv("TZ", "UTC", 1);
	unsetenv("SLURM_TIME_FORMAT");
	tzset();
	return 0;
}

static int
teardown(void **state)
{
	for (int i = 0; i < 4; i++)
		proto_free(&rdesc_node_info, &nodes[i]);
	proto_free(&rdesc_part_info, &part);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sinfo_default),
	    cmocka_unit_test(test_sinfo_modes),
	    cmocka_unit_test(test_sinfo_grouping),
	    cmocka_unit_test(test_squeue_running),
	    cmocka_unit_test(test_squeue_steps),
	    cmocka_unit_test(test_squeue_pending),
	    cmocka_unit_test(test_squeue_all_states),
	    cmocka_unit_test(test_squeue_fields),
	    cmocka_unit_test(test_show_job),
	    cmocka_unit_test(test_show_node_part),
	    cmocka_unit_test(test_show_config),
	    cmocka_unit_test(test_jobid),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
