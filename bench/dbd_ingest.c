/* SPDX-License-Identifier: MIT */
/*
 * bench_dbd_ingest: how many job records per second herddbd stores.
 * Sends N synthetic job rows (each with its batch step) to the herddbd of
 * slurm.conf (AccountingStorageHost/Port) the way herdctld does: many
 * rows to a REQ_ACCT_JOBS request, a few requests in flight, and waits
 * until herddbd has acknowledged every one.  Prints the records per
 * second.  Usage: bench_dbd_ingest -f slurm.conf [-n N] [-b ROWS] [-i FIRST_ID]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "base/xmalloc.h"
#include "conf/conf.h"
#include "net/net.h"
#include "proto/proto.h"
#include "proto/states.h"
#include "proto/wire.h"

#define WINDOW 4

static void
make_job(struct acct_job *j, uint32_t id, int64_t now)
{
	memset(j, 0, sizeof(*j));
	j->cluster = xstrdup("bench");
	j->job_id = id;
	j->array_task_id = NO_VAL;
	j->name = xstrdup("wrap");
	/* one job in ten is daemon's: "one user" selects a tenth */
	j->user_name = xstrdup(id % 10 == 0 ? "daemon" : "root");
	j->uid = id % 10 == 0 ? 1 : 0;
	j->group_name = xstrdup(id % 10 == 0 ? "daemon" : "root");
	j->gid = id % 10 == 0 ? 1 : 0;
	j->account = xstrdup("root");
	j->partition = xstrdup("debug");
	j->qos = xstrdup("normal");
	j->state = JOB_COMPLETE;
	j->requid = NO_VAL;
	j->time_submit = now + id;
	j->time_eligible = j->time_submit;
	j->time_start = j->time_submit + 1;
	j->time_end = j->time_start + 5;
	j->nodes = xstrdup("n1");
	j->nnodes = 1;
	j->ncpus = 1;
	j->tres_alloc = xstrdup("1=1,4=1,5=1");
	j->steps = xcalloc(1, sizeof(*j->steps));
	j->steps_cnt = 1;
	j->steps[0].step_id = STEP_ID_BATCH;
	j->steps[0].name = xstrdup("batch");
	j->steps[0].nodes = xstrdup("n1");
	j->steps[0].state = JOB_COMPLETE;
	j->steps[0].time_start = j->time_start;
	j->steps[0].time_end = j->time_end;
}

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
recv_ack(int fd)
{
	struct msg m;
	if (net_recv_msg(fd, NULL, 0, 600000, &m) != 0) {
		fprintf(stderr, "bench_dbd_ingest: no answer from herddbd\n");
		return -1;
	}
	int rc = m.type == RESP_RC ? ((struct rc *)m.body)->rc : HERD_EPROTO;
	msg_free(&m);
	if (rc != 0)
		fprintf(stderr, "bench_dbd_ingest: herddbd refused: %s\n", herd_strerror(rc));
	return rc ? -1 : 0;
}

int
main(int argc, char **argv)
{
	const char *conf_path = getenv("SLURM_CONF");
	uint32_t n = 20000, batch = 1000, first = 1000000000u;
	int opt;
	while ((opt = getopt(argc, argv, "f:n:b:i:")) != -1) {
		switch (opt) {
		case 'f':
			conf_path = optarg;
			break;
		case 'n':
			n = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'b':
			batch = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'i':
			first = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(
			    stderr, "usage: bench_dbd_ingest -f slurm.conf [-n N] [-b ROWS] [-i FIRST_ID]\n");
			return 2;
		}
	}
	if (conf_path == NULL || batch == 0) {
		fprintf(stderr, "usage: bench_dbd_ingest -f slurm.conf [-n N] [-b ROWS] [-i FIRST_ID]\n");
		return 2;
	}
	char err[512];
	struct herd_conf *cf = conf_load(conf_path, err, sizeof(err));
	if (cf == NULL) {
		fprintf(stderr, "bench_dbd_ingest: %s\n", err);
		return 1;
	}
	struct auth *a = auth_create(cf->auth_type, cf->auth_info, cf->dir, err, sizeof(err));
	if (a == NULL) {
		fprintf(stderr, "bench_dbd_ingest: %s\n", err);
		return 1;
	}
	const char *host = cf->acct_storage_host ? cf->acct_storage_host : "localhost";
	int fd = net_connect(host, cf->acct_storage_port ? cf->acct_storage_port : 6819, 2000);
	if (fd < 0) {
		fprintf(stderr, "bench_dbd_ingest: cannot connect to herddbd at %s\n", host);
		return 1;
	}
	/* the rows are built before the clock starts */
	int64_t t0 = (int64_t)time(NULL) - 86400;
	struct acct_job *jobs = xcalloc(n ? n : 1, sizeof(*jobs));
	for (uint32_t i = 0; i < n; i++)
		make_job(&jobs[i], first + i, t0);
	double start = now_s();
	uint32_t sent = 0, inflight = 0, req = 0;
	int rc = 0;
	while (rc == 0 && (sent < n || inflight > 0)) {
		if (sent < n && inflight < WINDOW) {
			struct acct_jobs b = {
			    .jobs = &jobs[sent], .jobs_cnt = n - sent < batch ? n - sent : batch};
			if (net_send_msg(fd, a, REQ_ACCT_JOBS, ++req, &b) != 0) {
				fprintf(stderr, "bench_dbd_ingest: send failed\n");
				rc = 1;
				break;
			}
			sent += b.jobs_cnt;
			inflight++;
			continue;
		}
		if (recv_ack(fd) < 0)
			rc = 1;
		inflight--;
	}
	double el = now_s() - start;
	if (rc == 0)
		printf("%u records in %.3f s: %.0f records/s\n", n, el, el > 0 ? n / el : 0.0);
	for (uint32_t i = 0; i < n; i++)
		proto_free(&rdesc_acct_job, &jobs[i]);
	free(jobs);
	close(fd);
	auth_destroy(a);
	conf_destroy(cf);
	return rc;
}
