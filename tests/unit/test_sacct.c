/* SPDX-License-Identifier: MIT */
/*
 * Tests of sacct's field table and renderer: the accounting records of the
 * golden scenario (job 1 with .batch/.0/.1 on axc-compute-[01-02], failed
 * job 8, cancelled running job 11, cancelled pending job 12, array 18 ...)
 * are built by hand and the text is compared byte for byte with
 * shared/golden/slurm-22.05.  Times are built in UTC with TZ=UTC.
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

#include "acctfmt.h"
#include "base/buf.h"
#include "base/xmalloc.h"
#include "proto/proto.h"
#include "proto/states.h"

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

static void
check(const char *got, char *want, const char *what)
{
	if (strcmp(got, want) != 0) {
		print_error("%s differs\n--- want\n%s--- got\n%s---\n", what, want, got);
		fail();
	}
	free(want);
}

/* 2026-11-25 hh:mm:ss in the test's time zone (UTC) */
static int64_t
at(int h, int m, int s)
{
	struct tm tm = {0};
	tm.tm_year = 2026 - 1900;
	tm.tm_mon = 10;
	tm.tm_mday = 25;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

#define EXIT(n) ((uint32_t)(n) << 8)
#define SIG(n) ((uint32_t)(n))

static struct acct_job jobs[32];
static size_t njobs;

static struct acct_job *
job(uint32_t id, const char *name, uint32_t cpus, uint32_t state, uint32_t exit, int64_t el)
{
	struct acct_job *j = &jobs[njobs++];
	memset(j, 0, sizeof(*j));
	j->cluster = xstrdup("axc");
	j->job_id = id;
	j->array_task_id = NO_VAL;
	j->name = xstrdup(name);
	j->user_name = xstrdup("root");
	j->group_name = xstrdup("root");
	j->account = xstrdup("root");
	j->partition = xstrdup("compute");
	j->qos = xstrdup("normal");
	j->state = state;
	j->exit_code = exit;
	j->derived_exit_code = 0;
	j->requid = INFINITE;
	j->timelimit = INFINITE;
	j->time_submit = at(23, 12, 0) + id;
	j->time_eligible = j->time_submit;
	if (state != JOB_PENDING) {
		j->time_start = j->time_submit;
		j->time_end = j->time_start + el;
		j->ncpus = cpus;
		j->nnodes = 1;
		j->nodes = xstrdup("axc-compute-01");
	}
	j->req_cpus = cpus;
	j->req_nodes = 1;
	return j;
}

static struct acct_step *
step(struct acct_job *j, uint32_t id, const char *name, uint32_t cpus, uint32_t state, uint32_t exit,
    int64_t el)
{
	j->steps = xreallocarray(j->steps, j->steps_cnt + 1, sizeof(*j->steps));
	struct acct_step *s = &j->steps[j->steps_cnt++];
	memset(s, 0, sizeof(*s));
	s->step_id = id;
	s->name = xstrdup(name);
	s->nodes = xstrdup("axc-compute-01");
	s->nnodes = 1;
	s->ntasks = cpus;
	s->ncpus = cpus;
	s->state = state;
	s->exit_code = exit;
	s->requid = INFINITE;
	s->time_start = j->time_start;
	s->time_end = j->time_start + el;
	return s;
}

static void
cancelled_by_root(struct acct_job *j)
{
	j->requid = 0;
}

/* job 1 as in the blog scenario; running: .batch and .1 still running */
static void
job1(int running)
{
	uint32_t st = running ? JOB_RUNNING : JOB_COMPLETE;
	struct acct_job *j = job(1, "xs-test-job", 4, st, 0, 10);
	j->time_submit = at(23, 10, 24);
	j->time_eligible = j->time_submit;
	j->time_start = at(23, 10, 27);
	j->time_end = running ? 0 : at(23, 10, 37);
	free(j->nodes);
	j->nodes = xstrdup("axc-compute-[01-02]");
	j->nnodes = 2;
	struct acct_step *s = step(j, STEP_ID_BATCH, "batch", 2, st, 0, 10);
	s->ntasks = 1;
	s = step(j, 0, "hostname", 4, JOB_COMPLETE, 0, 0);
	free(s->nodes);
	s->nodes = xstrdup("axc-compute-[01-02]");
	s->nnodes = 2;
	s = step(j, 1, "sleep", 4, st, 0, 10);
	free(s->nodes);
	s->nodes = xstrdup("axc-compute-[01-02]");
	s->nnodes = 2;
	if (running) {
		j->steps[0].time_end = 0;
		j->steps[2].time_end = 0;
	}
}

/* every job of the final state, with job 12 (held, then cancelled) */
static void
scenario(void)
{
	struct acct_job *j;
	njobs = 0;
	job1(0);
	j = job(2, "wrap", 1, JOB_COMPLETE, 0, 0);
	step(j, STEP_ID_BATCH, "batch", 1, JOB_COMPLETE, 0, 0);
	j = job(3, "env.sh", 1, JOB_COMPLETE, 0, 0);
	step(j, STEP_ID_BATCH, "batch", 1, JOB_COMPLETE, 0, 0);
	step(j, 0, "env", 1, JOB_COMPLETE, 0, 0);
	j = job(4, "xs-test-job", 4, JOB_COMPLETE, 0, 0);
	step(j, STEP_ID_BATCH, "batch", 2, JOB_COMPLETE, 0, 0);
	step(j, 0, "bash", 4, JOB_COMPLETE, 0, 0);
	j = job(5, "env", 1, JOB_COMPLETE, 0, 0);
	step(j, 0, "env", 1, JOB_COMPLETE, 0, 0);
	j = job(6, "hostname", 2, JOB_COMPLETE, 0, 0);
	step(j, 0, "hostname", 2, JOB_COMPLETE, 0, 0);
	j = job(7, "hostname", 4, JOB_COMPLETE, 0, 0);
	step(j, 0, "hostname", 4, JOB_COMPLETE, 0, 0);
	j = job(8, "wrap", 1, JOB_FAILED, EXIT(3), 0);
	step(j, STEP_ID_BATCH, "batch", 1, JOB_FAILED, EXIT(3), 0);
	j = job(9, "wrap", 1, JOB_COMPLETE, 0, 0);
	j->derived_exit_code = EXIT(1);
	step(j, STEP_ID_BATCH, "batch", 1, JOB_COMPLETE, 0, 0);
	step(j, 0, "false", 1, JOB_FAILED, EXIT(1), 0);
	j = job(10, "wrap", 1, JOB_FAILED, SIG(9), 0);
	step(j, STEP_ID_BATCH, "batch", 1, JOB_CANCELLED, SIG(9), 0);
	j = job(11, "wrap", 1, JOB_CANCELLED, 0, 1);
	cancelled_by_root(j);
	step(j, STEP_ID_BATCH, "batch", 1, JOB_CANCELLED, SIG(15), 1);
	j = job(12, "wrap", 1, JOB_CANCELLED, 0, 0);
	cancelled_by_root(j);
	j->time_start = j->time_end = at(23, 11, 4);
	j = job(13, "wrap", 1, JOB_COMPLETE, 0, 0);
	step(j, STEP_ID_BATCH, "batch", 1, JOB_COMPLETE, 0, 0);
	j = job(14, "wrap", 1, JOB_CANCELLED, 0, 0);
	cancelled_by_root(j);
	j = job(15, "wrap", 8, JOB_CANCELLED, 0, 4);
	cancelled_by_root(j);
	step(j, STEP_ID_BATCH, "batch", 2, JOB_CANCELLED, SIG(15), 4);
	j = job(16, "wrap", 8, JOB_CANCELLED, 0, 0);
	cancelled_by_root(j);
	j = job(17, "wrap", 1, JOB_CANCELLED, 0, 0);
	cancelled_by_root(j);
	for (uint32_t t = 0; t < 3; t++) {
		j = job(18 + t, "wrap", 1, JOB_COMPLETE, 0, 0);
		j->array_job_id = 18;
		j->array_task_id = t;
		j->time_submit = at(23, 12, 18);
		step(j, STEP_ID_BATCH, "batch", 1, JOB_COMPLETE, 0, 0);
	}
	j = job(21, "namedjob", 1, JOB_COMPLETE, 0, 0);
	step(j, STEP_ID_BATCH, "batch", 1, JOB_COMPLETE, 0, 0);
	job(22, "wrap", 999, JOB_PENDING, 0, 0);
	job(23, "wrap", 5, JOB_PENDING, 0, 0);
	job(24, "wrap", 1, JOB_FAILED, EXIT(1), 0);
	j = job(25, "true", 5, JOB_CANCELLED, 0, 0);
	cancelled_by_root(j);
	j = job(26, "sh", 1, JOB_FAILED, EXIT(7), 0);
	step(j, 0, "sh", 1, JOB_FAILED, EXIT(7), 0);
}

static void
free_jobs(void)
{
	for (size_t i = 0; i < njobs; i++)
		proto_free(&rdesc_acct_job, &jobs[i]);
	njobs = 0;
}

/* Render the jobs whose job id (or array job id) is in ids (0-terminated;
 * NULL: every job but the held job 12, as herddbd's time window does). */
static char *
render(const char *fields, int parsable, int noheader, int allocations, const uint32_t *ids)
{
	struct acct_out o = {0};
	char err[128];
	assert_int_equal(acct_out_parse(&o, fields ? fields : SACCT_DEFAULT_FORMAT, err, sizeof(err)), 0);
	o.parsable = parsable;
	o.delim = "|";
	o.noheader = noheader;
	o.allocations = allocations;
	o.now = at(23, 13, 0);
	struct acct_job sel[32];
	size_t n = 0;
	for (size_t i = 0; i < njobs; i++) {
		uint32_t id = jobs[i].array_job_id ? jobs[i].array_job_id : jobs[i].job_id;
		int take = 0;
		if (ids == NULL)
			take = id != 12;
		for (const uint32_t *p = ids; p && *p; p++)
			take |= *p == id;
		if (take)
			sel[n++] = jobs[i];
	}
	struct buf out;
	buf_init(&out);
	acct_render(&o, sel, n, &out);
	acct_out_free(&o);
	buf_addc(&out, '\0');
	out.len--;
	return buf_take(&out);
}

static void
check_render(
    const char *file, const char *fields, int parsable, int noheader, int allocations, const uint32_t *ids)
{
	char *got = render(fields, parsable, noheader, allocations, ids);
	check(got, golden(file), file);
	free(got);
}

static void
test_empty(void **state)
{
	(void)state;
	njobs = 0;
	static const uint32_t none[] = {999999, 0};
	check_render("03-sacct-empty.out", NULL, 0, 0, 0, NULL);
	check_render("102-err-sacct-j-999999.out", NULL, 0, 0, 0, none);
}

static void
test_job1(void **state)
{
	(void)state;
	static const uint32_t one[] = {1, 0};
	njobs = 0;
	job1(1);
	check_render("11-sacct-running.out", NULL, 0, 0, 0, one);
	free_jobs();
	job1(0);
	check_render("14-sacct-after.out", NULL, 0, 0, 0, one);
	check_render("15-sacct-P-n-format.out", "JobID,JobName,State,ExitCode,Elapsed", 2, 1, 0, one);
	check_render("16-sacct-j1-long.out",
	    "JobID,JobName,Partition,Account,AllocCPUS,NTasks,NNodes,NodeList,State,ExitCode,DerivedExitCode,"
	    "Submit,"
	    "Start,End,Elapsed",
	    2, 0, 0, one);
	free_jobs();
}

static void
test_failed_cancelled(void **state)
{
	(void)state;
	static const uint32_t j8[] = {8, 0}, j9[] = {9, 0}, j10[] = {10, 0}, j11[] = {11, 0}, j12[] = {12, 0},
	                      j18[] = {18, 0};
	scenario();
	check_render("47-sacct-failed-job.out", NULL, 0, 0, 0, j8);
	check_render(
	    "48-sacct-failed-job-P.out", "JobID,JobName,State,ExitCode,DerivedExitCode,Elapsed", 2, 1, 0, j8);
	check_render("51-sacct-failed-step.out", "JobID,JobName,State,ExitCode,DerivedExitCode", 2, 1, 0, j9);
	check_render("53-sacct-signal-job.out", "JobID,JobName,State,ExitCode,DerivedExitCode", 2, 1, 0, j10);
	check_render("55-sacct-cancelled-running.out", NULL, 0, 0, 0, j11);
	check_render(
	    "56-sacct-cancelled-running-P.out", "JobID,JobName,State,ExitCode,Elapsed", 2, 1, 0, j11);
	check_render("62-sacct-cancelled-pending.out", NULL, 0, 0, 0, j12);
	check_render(
	    "63-sacct-cancelled-pending-P.out", "JobID,JobName,State,ExitCode,Elapsed,Start", 2, 1, 0, j12);
	check_render("72-sacct-array.out", NULL, 0, 0, 0, j18);
	check_render("111-sacct-a-X-held-cancelled-job.out", NULL, 0, 0, 1, j12);
	free_jobs();
}

static void
test_final(void **state)
{
	(void)state;
	scenario();
	/* herddbd may answer in any order: render sorts by submit time */
	struct acct_job tmp = jobs[0];
	jobs[0] = jobs[njobs - 1];
	jobs[njobs - 1] = tmp;
	check_render("107-sacct-final.out", NULL, 0, 0, 0, NULL);
	check_render("108-sacct-final-P.out", "JobID,JobName,State,ExitCode,Elapsed", 2, 1, 0, NULL);
	check_render("110-sacct-a-X.out", NULL, 0, 0, 1, NULL);
	free_jobs();
}

static int
only_batch(const struct acct_job *j, const struct acct_step *s, void *arg)
{
	(void)j;
	(void)arg;
	return s && s->step_id == STEP_ID_BATCH;
}

static void
test_filter(void **state)
{
	(void)state;
	njobs = 0;
	job1(0);
	struct acct_out o = {0};
	char err[128];
	assert_int_equal(acct_out_parse(&o, "jobid,jobname", err, sizeof(err)), 0);
	o.parsable = 2;
	o.noheader = 1;
	o.want = only_batch;
	struct buf out;
	buf_init(&out);
	acct_render(&o, jobs, njobs, &out);
	assert_string_equal(buf_str(&out), "1.batch|batch\n");
	buf_free(&out);
	acct_out_free(&o);
	free_jobs();
}

static void
test_values(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	acct_exit_code(&b, EXIT(137)); /* 22.05 subtracts 128 */
	assert_string_equal(buf_str(&b), "9:0");
	buf_reset(&b);
	acct_exit_code(&b, SIG(15));
	assert_string_equal(buf_str(&b), "0:15");
	buf_free(&b);

	scenario();
	static const uint32_t j11[] = {11, 0}, j22[] = {22, 0}, j1[] = {1, 0};
	/* -p: delimiter after every field; %W widths; cut with '+'; numbers uncut */
	char *got = render("jobid,state", 1, 0, 1, j11);
	assert_string_equal(got, "JobID|State|\n11|CANCELLED by 0|\n");
	free(got);
	got = render("jobid%-4,state%5,alloccpus%2", 0, 1, 1, j22);
	assert_string_equal(got, "22   PEND+ 999 \n");
	free(got);
	got = render("jobidraw,nodelist,reqmem,timelimit,end", 2, 1, 1, j22);
	assert_string_equal(got, "22|None assigned||UNLIMITED|Unknown\n");
	free(got);
	jobs[0].tres_alloc = xstrdup("1=4,2=2000,4=2,5=4");
	jobs[0].req_mem_mb = 4096;
	got = render("jobid,alloctres%30,reqmem,cputime,cputimeraw", 2, 1, 1, j1);
	assert_string_equal(got, "1|cpu=4,mem=2000M,node=2,billing=4|4G|00:00:40|40\n");
	free(got);
	free_jobs();

	struct acct_out o = {0};
	char err[128];
	assert_int_equal(acct_out_parse(&o, "jobid,nope%3", err, sizeof(err)), -1);
	assert_string_equal(err, "Invalid field requested: \"nope\"");
	acct_out_free(&o);
	buf_init(&b);
	acct_helpformat(&b);
	assert_non_null(strstr(buf_str(&b), "DerivedExitCode"));
	buf_free(&b);
}

/* The usage fields: sizes (disk in bytes: "0", "20M", "2.05M"; memory
 * in kB), the node and task of each maximum (blank without per-task
 * usage), MinCPU/AveCPU; step lines only. */
static void
test_usage_fields(void **state)
{
	(void)state;
	struct acct_job *j = job(30, "io", 2, JOB_COMPLETE, 0, 60);
	struct acct_step *s = step(j, 0, "dd", 2, JOB_COMPLETE, 0, 60);
	s->usage_tasks = 2;
	s->max_rss_kb = 204800;
	s->max_rss_task = 1;
	s->max_rss_node = xstrdup("axc-compute-02");
	s->ave_rss_kb = 103000;
	s->max_vmsize_kb = 300000;
	s->max_vmsize_task = 1;
	s->max_vmsize_node = xstrdup("axc-compute-02");
	s->ave_vmsize_kb = 200000;
	s->max_disk_write = 20971520; /* 20M exactly */
	s->max_disk_write_task = 1;
	s->max_disk_write_node = xstrdup("axc-compute-02");
	s->ave_disk_write = 10485760 + 524288; /* 10.5M */
	s->max_disk_read = 2149581; /* 2.05M */
	s->max_disk_read_task = 0;
	s->max_disk_read_node = xstrdup("axc-compute-01");
	s->ave_disk_read = 1000;
	s->min_cpu_us = 61500000;
	s->min_cpu_task = 0;
	s->min_cpu_node = xstrdup("axc-compute-01");
	s->ave_cpu_us = 3725000000ULL;
	/* a step from before per-task usage was recorded */
	struct acct_step *old = step(j, 1, "old", 1, JOB_COMPLETE, 0, 10);
	old->max_rss_kb = 1000;
	static const uint32_t j30[] = {30, 0};
	char *got = render("jobid,maxrss,maxrssnode,maxrsstask,averss,maxvmsize,maxvmsizenode,maxvmsizetask,"
	                   "avevmsize",
	    2, 0, 0, j30);
	assert_string_equal(got, "JobID|MaxRSS|MaxRSSNode|MaxRSSTask|AveRSS|MaxVMSize|MaxVMSizeNode|"
	                         "MaxVMSizeTask|AveVMSize\n"
	                         "30||||||||\n"
	                         "30.0|204800K|axc-compute-02|1|103000K|300000K|axc-compute-02|1|200000K\n"
	                         "30.1|1000K|||0|0|||0\n");
	free(got);
	got = render("jobid,maxdiskread,maxdiskreadnode,maxdiskreadtask,avediskread,maxdiskwrite,"
	             "maxdiskwritenode,maxdiskwritetask,avediskwrite",
	    2, 1, 0, j30);
	assert_string_equal(got, "30||||||||\n"
	                         "30.0|2.05M|axc-compute-01|0|1000|20M|axc-compute-02|1|10.50M\n"
	                         "30.1|0|||0|0|||0\n");
	free(got);
	got = render("jobid,mincpu,mincpunode,mincputask,avecpu", 2, 1, 0, j30);
	assert_string_equal(got, "30||||\n"
	                         "30.0|00:01:01|axc-compute-01|0|01:02:05\n"
	                         "30.1||||\n");
	free(got);
	/* fixed width: Slurm's column widths */
	got = render("maxdiskwrite,maxdiskwritenode,maxdiskwritetask", 0, 0, 1, j30);
	assert_string_equal(got, "MaxDiskWrite MaxDiskWriteNode MaxDiskWriteTask \n"
	                         "------------ ---------------- ---------------- \n"
	                         "                                               \n");
	free(got);
	free_jobs();

	struct buf b;
	buf_init(&b);
	acct_helpformat(&b);
	static const char *const names[] = {"MaxRSSNode", "MaxRSSTask", "MaxVMSizeNode", "MaxVMSizeTask",
	    "AveVMSize", "MaxDiskRead", "MaxDiskReadNode", "MaxDiskReadTask", "AveDiskRead", "MaxDiskWrite",
	    "MaxDiskWriteNode", "MaxDiskWriteTask", "AveDiskWrite", "MinCPU", "MinCPUNode", "MinCPUTask",
	    "AveCPU"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_non_null(strstr(buf_str(&b), names[i]));
	buf_free(&b);
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_job1),
	    cmocka_unit_test(test_failed_cancelled),
	    cmocka_unit_test(test_final),
	    cmocka_unit_test(test_filter),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_usage_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
