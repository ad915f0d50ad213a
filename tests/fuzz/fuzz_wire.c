/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the wire format: arbitrary bytes as a frame go through
 * wire_hdr_decode and wire_decode (auth/slurm with a fixed test key,
 * with and without need_auth), then the body bytes are unpacked as every
 * message of the table.  Whatever unpacks must pack, unpack again to the
 * same bytes, print as JSON and free cleanly; a re-encoded signed frame
 * must decode and verify.
 *
 * Built with -DFUZZ_WIRE_GEN this file is instead a program that writes
 * the seed corpus (tests/fuzz/corpus/wire/) into the directory argv[1]:
 *   cc -DFUZZ_WIRE_GEN -D_GNU_SOURCE -Isrc/lib tests/fuzz/fuzz_wire.c \
 *       BUILD/libherdlib.a -lcrypto -lmunge -o gen && ./gen tests/fuzz/corpus/wire
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "proto/proto.h"
#include "proto/wire.h"

/* The fixed test key (any 64 bytes will do; these are not secret). */
static const char fuzz_key[] = "herd-fuzz-wire-key: not a secret, only for the fuzz corpus!!!!";

static struct auth *fuzz_auth;

/* Write the key to a temporary file, read it with auth_create, remove
 * the file: the key lives on in memory. */
static struct auth *
fuzz_auth_create(void)
{
	char dir[] = "/tmp/herd-fuzz-wire.XXXXXX";
	char path[64], info[160], err[256];
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/herd.key", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, fuzz_key, sizeof(fuzz_key) - 1) != (ssize_t)sizeof(fuzz_key) - 1)
		abort();
	close(fd);
	/* ttl=1 keeps the replay cache small however long the fuzzer runs */
	snprintf(info, sizeof(info), "key=%s,socket=%s/none.sock,ttl=1", path, dir);
	struct auth *a = auth_create("auth/slurm", info, NULL, err, sizeof(err));
	if (a == NULL) {
		fprintf(stderr, "fuzz_wire: %s\n", err);
		abort();
	}
	unlink(path);
	rmdir(dir);
	return a;
}

/* Pack, unpack again, pack again: the two encodings must agree. */
static void
check_roundtrip(const struct rdesc *d, const void *rec)
{
	struct buf b1, b2;
	buf_init(&b1);
	buf_init(&b2);
	proto_pack(d, rec, &b1);
	void *copy = xmalloc(d->size);
	if (proto_unpack(d, b1.data, b1.len, copy) < 0)
		abort(); /* our own encoding must decode */
	proto_pack(d, copy, &b2);
	if (b1.len != b2.len || (b1.len > 0 && memcmp(b1.data, b2.data, b1.len) != 0))
		abort();
	proto_destroy(d, copy);
	buf_free(&b1);
	buf_free(&b2);
}

/* A record re-sent as a signed frame must come back verified. */
static void
check_signed(unsigned type, uint32_t req_id, const void *rec)
{
	struct buf f;
	struct wire_hdr h;
	struct msg m;
	buf_init(&f);
	wire_encode(fuzz_auth, type, req_id, rec, &f);
	if (f.len < WIRE_HDR_LEN || wire_hdr_decode(f.data, &h) != 0 || h.cred_len == 0 ||
	    WIRE_HDR_LEN + (size_t)h.cred_len + h.body_len != f.len)
		abort();
	const char *cred = f.data + WIRE_HDR_LEN;
	if (wire_decode(fuzz_auth, 1, &h, cred, cred + h.cred_len, &m) != 0 || !m.authed ||
	    m.uid != (uint32_t)geteuid() || m.body == NULL)
		abort();
	msg_free(&m);
	buf_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fuzz_auth == NULL) {
		log_set_level(LOG_LVL_QUIET); /* every bad credential would be logged */
		fuzz_auth = fuzz_auth_create();
	}
	const uint8_t *rest = data;
	size_t rest_len = size;
	if (size >= WIRE_HDR_LEN) {
		struct wire_hdr h;
		rest = data + WIRE_HDR_LEN;
		rest_len = size - WIRE_HDR_LEN;
		if (wire_hdr_decode(data, &h) == 0 && (uint64_t)h.cred_len + h.body_len <= rest_len) {
			const uint8_t *cred = rest, *body = rest + h.cred_len;
			for (int need_auth = 0; need_auth <= 1; need_auth++) {
				struct msg m;
				int rc = wire_decode(fuzz_auth, need_auth, &h, cred, body, &m);
				if ((rc == 0) != (m.body != NULL))
					abort();
				if (rc == 0 && need_auth && !m.authed)
					abort();
				if (rc == 0) {
					struct buf j;
					buf_init(&j);
					proto_json(proto_msg_rdesc(m.type), m.body, &j);
					buf_free(&j);
					if (!need_auth)
						check_signed(m.type, m.req_id, m.body);
				}
				msg_free(&m);
			}
			rest = body;
			rest_len = h.body_len;
		}
	}
	for (unsigned t = 1; t < MSG_COUNT; t++) {
		const struct rdesc *d = proto_msg_rdesc(t);
		if (d == NULL)
			abort(); /* every number below MSG_COUNT is a message */
		void *rec = xmalloc(d->size);
		if (proto_unpack(d, rest, rest_len, rec) < 0) {
			free(rec);
			continue;
		}
		struct buf b;
		buf_init(&b);
		proto_pack(d, rec, &b);
		proto_json(d, rec, &b);
		buf_free(&b);
		check_roundtrip(d, rec);
		proto_destroy(d, rec);
	}
	return 0;
}

#ifdef FUZZ_WIRE_GEN
/* --- seed corpus generator ------------------------------------------- */

static void
emit(const char *dir, const char *name, struct auth *a, unsigned type, uint32_t req_id, const void *rec)
{
	struct buf f;
	char path[512];
	buf_init(&f);
	wire_encode(a, type, req_id, rec, &f);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *fp = fopen(path, "wb");
	if (fp == NULL || fwrite(f.data, 1, f.len, fp) != f.len || fclose(fp) != 0) {
		perror(path);
		exit(1);
	}
	printf("%s: %s, %zu bytes\n", path, proto_msg_name(type), f.len);
	buf_free(&f);
}

static void
fill_job(struct job_info *j, uint32_t id, const char *name, uint32_t state, const char *nodes)
{
	memset(j, 0, sizeof(*j));
	j->job_id = id;
	j->array_job_id = 0;
	j->array_task_id = NO_VAL;
	j->name = xstrdup(name);
	j->user_name = xstrdup("alice");
	j->group_name = xstrdup("users");
	j->uid = 1000;
	j->gid = 100;
	j->partition = xstrdup("debug");
	j->account = xstrdup("physics");
	j->state = state;
	j->priority = 4294901759U;
	j->time_limit = 60;
	j->submit_time = 1795650000;
	j->start_time = state ? 1795650010 : 0;
	j->nodes = nodes ? xstrdup(nodes) : NULL;
	j->num_nodes = 2;
	j->num_cpus = 8;
	j->num_tasks = 8;
	j->mem_per_cpu = NO_VAL64;
	j->work_dir = xstrdup("/home/alice");
	j->std_out = xstrdup("/home/alice/slurm-%j.out");
	j->command = xstrdup("/home/alice/run.sh");
	j->tres = xstrdup("cpu=8,mem=16G,node=2,billing=8");
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	const char *dir = argv[1];
	mkdir(dir, 0755);
	fuzz_auth = fuzz_auth_create();

	emit(dir, "ping-signed", fuzz_auth, REQ_PING, 1, &(struct empty){0});

	struct job_desc jd;
	memset(&jd, 0, sizeof(jd));
	jd.name = xstrdup("train");
	jd.partition = xstrdup("debug");
	jd.script = xstrdup("#!/bin/bash\n#SBATCH -N 2\n#SBATCH --time=1:00:00\nsrun hostname\n");
	jd.work_dir = xstrdup("/home/alice");
	jd.std_out = xstrdup("/home/alice/slurm-%j.out");
	strv_add(&jd.env, &jd.env_cnt, "PATH=/usr/bin:/bin");
	strv_add(&jd.env, &jd.env_cnt, "HOME=/home/alice");
	strv_add(&jd.env, &jd.env_cnt, "SLURM_GET_USER_ENV=");
	strv_add(&jd.argv, &jd.argv_cnt, "run.sh");
	jd.submit_host = xstrdup("login1");
	jd.submit_line = xstrdup("sbatch -N 2 run.sh");
	jd.min_nodes = 2;
	jd.max_nodes = 2;
	jd.ntasks = NO_VAL;
	jd.cpus_per_task = NO_VAL;
	jd.time_limit = 60;
	jd.mem_per_node = NO_VAL64;
	jd.mem_per_cpu = NO_VAL64;
	jd.nice = -5;
	jd.priority = NO_VAL;
	jd.umask = 022;
	jd.batch = 1;
	emit(dir, "submit-batch-signed", fuzz_auth, REQ_SUBMIT_BATCH, 7, &jd);
	emit(dir, "submit-batch-unsigned", NULL, REQ_SUBMIT_BATCH, 8, &jd);
	proto_free(&rdesc_job_desc, &jd);

	struct submit_resp sr = {.job_id = 42, .step_id = NO_VAL, .rc = 0, .msg = NULL};
	emit(dir, "submit-resp", NULL, RESP_SUBMIT_BATCH, 7, &sr);

	struct job_info_resp jr;
	memset(&jr, 0, sizeof(jr));
	jr.last_update = 1795650100;
	jr.jobs_cnt = 2;
	jr.jobs = xcalloc(2, sizeof(struct job_info));
	fill_job(&jr.jobs[0], 41, "train", 1, "node[01-02]");
	fill_job(&jr.jobs[1], 42, "eval", 0, NULL);
	emit(dir, "job-info-2-jobs", NULL, RESP_JOB_INFO, 9, &jr);
	proto_free(&rdesc_job_info_resp, &jr);

	struct rc rc = {.rc = 2010, .msg = xstrdup("Invalid job id specified")};
	emit(dir, "rc-error", NULL, RESP_RC, 10, &rc);
	free(rc.msg);

	struct job_update_req ur;
	memset(&ur, 0, sizeof(ur));
	ur.job_id = 41;
	ur.array_task_id = NO_VAL;
	strv_add(&ur.keyvals, &ur.keyvals_cnt, "TimeLimit=2:00:00");
	strv_add(&ur.keyvals, &ur.keyvals_cnt, "Comment=fuzz seed");
	emit(dir, "job-update-signed", fuzz_auth, REQ_JOB_UPDATE, 11, &ur);
	proto_free(&rdesc_job_update_req, &ur);

	struct node_register nr;
	memset(&nr, 0, sizeof(nr));
	nr.node_name = xstrdup("node01");
	nr.hostname = xstrdup("node01");
	nr.version = xstrdup("0.1.0");
	nr.cpus = 4;
	nr.real_memory = 7940;
	nr.jobs_cnt = 1;
	nr.jobs = xcalloc(1, sizeof(struct running_job));
	nr.jobs[0].job_id = 41;
	nr.jobs[0].pid = 12345;
	emit(dir, "node-register-signed", fuzz_auth, REQ_NODE_REGISTER, 12, &nr);
	proto_free(&rdesc_node_register, &nr);

	auth_destroy(fuzz_auth);
	return 0;
}
#endif
