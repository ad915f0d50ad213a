/* SPDX-License-Identifier: MIT */
/*
 * herddbd end to end: this build's herddbd is started from a temporary
 * slurmdbd.conf + slurm.conf (auth/slurm with a fresh key, an SQLite
 * file), then spoken to with net_send_msg/net_recv_msg: ping, job
 * records, queries, an ordinary user's view, garbage frames, and a normal
 * query afterwards; stopped by its pid.  An unsupported StorageType is a
 * clear startup error.  A controller registers its cluster and hears of
 * each committed sacctmgr change; bad sacctmgr requests get answers and
 * an ordinary user may change nothing.  The same daemon on a private
 * mariadbd (when MariaDB is installed) keeps associations and job rows
 * across a restart.  100,000 jobs sent through herddbd (REQ_ACCT_JOBS,
 * as herdctld sends them) are selected by the real sacct with -u, -j,
 * -S/-E, -s and --name, and exactly the right rows come back.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "auth/auth.h"
#include "base/buf.h"
#include "base/xmalloc.h"
#include "net/net.h"
#include "proto/proto.h"
#include "proto/states.h"
#include "proto/wire.h"

#ifndef HERD_BUILD_DIR
#define HERD_BUILD_DIR "."
#endif

static char tdir[256];
static uint16_t port;
static pid_t dbd_pid = -1;
static struct auth *auth;

static int
rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

static void write_file(const char *name, mode_t mode, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
write_file(const char *name, mode_t mode, const char *fmt, ...)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
	chmod(path, mode);
}

static uint16_t
free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static void
write_confs(const char *storage_type, const char *extra)
{
	char *user = xstrdup(getpwuid(geteuid())->pw_name);
	write_file("slurm.conf", 0644,
	    "ClusterName=test\nSlurmctldHost=localhost\nAuthType=auth/slurm\n"
	    "AuthInfo=key=%s/herd.key\nNodeName=n1 CPUs=1\nPartitionName=debug Nodes=n1\n",
	    tdir);
	write_file("slurmdbd.conf", 0600,
	    "DbdHost=localhost\nDbdAddr=127.0.0.1\nDbdPort=%u\nSlurmUser=%s\n"
	    "StorageType=%s\nStorageLoc=%s/acct.db\n%s",
	    port, user, storage_type, tdir, extra);
	free(user);
}

/* Start herddbd -D; stderr (its log) goes to dir/dbd.log. */
static pid_t
start_dbd(void)
{
	char conf[512], log[512], bin[512];
	snprintf(conf, sizeof(conf), "%s/slurmdbd.conf", tdir);
	snprintf(log, sizeof(log), "%s/dbd.log", tdir);
	snprintf(bin, sizeof(bin), "%s/herddbd", HERD_BUILD_DIR);
	if (access(bin, X_OK) != 0)
		skip(); /* herddbd is built only with sqlite3 and libmariadb */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(bin, "herddbd", "-D", "-f", conf, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int
connect_dbd(void)
{
	/* wait until it listens, or until it has exited */
	for (int i = 0; i < 500; i++) {
		int fd = net_connect("127.0.0.1", port, 1000);
		if (fd >= 0)
			return fd;
		int st;
		if (waitpid(dbd_pid, &st, WNOHANG) == dbd_pid) {
			dbd_pid = -1;
			fail_msg("herddbd exited during startup (see %s/dbd.log)", tdir);
		}
		usleep(20000);
	}
	fail_msg("herddbd does not listen");
	return -1;
}

static int
setup(void **state)
{
	snprintf(tdir, sizeof(tdir), "/tmp/herd-test-dbd-XXXXXX");
	if (mkdtemp(tdir) == NULL)
		return -1;
	char key[512], err[256];
	snprintf(key, sizeof(key), "%s/herd.key", tdir);
	if (auth_keygen(key) < 0)
		return -1;
	port = free_port();
	char info[600];
	snprintf(info, sizeof(info), "key=%s", key);
	auth = auth_create("auth/slurm", info, tdir, err, sizeof(err));
	return auth ? 0 : -1;
}

static int
teardown(void **state)
{
	if (dbd_pid > 0) {
		kill(dbd_pid, SIGTERM);
		waitpid(dbd_pid, NULL, 0);
		dbd_pid = -1;
	}
	auth_destroy(auth);
	auth = NULL;
	nftw(tdir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* One request, one reply (type and record checked by the caller). */
static void
rpc(int fd, struct auth *a, unsigned type, const void *rec, struct msg *m)
{
	static uint32_t req_id = 100;
	uint32_t id = ++req_id;
	assert_int_equal(net_send_msg(fd, a, type, id, rec), 0);
	assert_int_equal(net_recv_msg(fd, NULL, 0, 10000, m), 0);
	assert_int_equal(m->req_id, id);
}

static int
rpc_rc(int fd, struct auth *a, unsigned type, const void *rec)
{
	struct msg m;
	rpc(fd, a, type, rec, &m);
	assert_int_equal(m.type, RESP_RC);
	int rc = ((struct rc *)m.body)->rc;
	msg_free(&m);
	return rc;
}

static void
make_job(struct acct_job *j, uint32_t id, const char *user)
{
	memset(j, 0, sizeof(*j));
	j->cluster = xstrdup("test");
	j->job_id = id;
	j->name = xstrdup("wrap");
	j->user_name = xstrdup(user);
	j->partition = xstrdup("debug");
	j->state = JOB_COMPLETE;
	j->time_submit = 1000 + id;
	j->time_eligible = 1000 + id;
	j->time_start = 1100 + id;
	j->time_end = 1200 + id;
	j->steps = xcalloc(1, sizeof(*j->steps));
	j->steps_cnt = 1;
	j->steps[0].step_id = STEP_ID_BATCH;
	j->steps[0].state = JOB_COMPLETE;
	j->steps[0].name = xstrdup("batch");
}

/* Job ids a query returns, -1 terminated; count returned. */
static uint32_t
query_ids(int fd, struct auth *a, const struct acct_query *q, uint32_t *ids, uint32_t max)
{
	struct msg m;
	rpc(fd, a, REQ_ACCT_QUERY, q, &m);
	assert_int_equal(m.type, RESP_ACCT_JOBS);
	struct acct_jobs *r = m.body;
	uint32_t n = r->jobs_cnt;
	for (uint32_t i = 0; i < n && i < max; i++)
		ids[i] = r->jobs[i].job_id;
	msg_free(&m);
	return n;
}

static int
dbd_alive(void)
{
	int st;
	return dbd_pid > 0 && waitpid(dbd_pid, &st, WNOHANG) == 0;
}

/* The connection was closed by the daemon (EOF, no reply). */
static int
closed_by_peer(int fd)
{
	char c;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 10000) != 1)
		return 0;
	ssize_t n = read(fd, &c, 1);
	return n == 0 || (n < 0 && errno == ECONNRESET);
}

static void
test_dbd_end_to_end(void **state)
{
	write_confs("accounting_storage/sqlite", "");
	dbd_pid = start_dbd();
	int fd = connect_dbd();

	struct empty e = {0};
	assert_int_equal(rpc_rc(fd, auth, REQ_PING, &e), 0);

	struct acct_job j;
	make_job(&j, 1, "alice");
	assert_int_equal(rpc_rc(fd, auth, REQ_ACCT_JOB, &j), 0);
	proto_free(&rdesc_acct_job, &j);
	make_job(&j, 2, "nobody");
	assert_int_equal(rpc_rc(fd, auth, REQ_ACCT_JOB, &j), 0);
	/* the same row again with another state: the latest wins */
	j.state = JOB_FAILED;
	j.exit_code = 1 << 8;
	assert_int_equal(rpc_rc(fd, auth, REQ_ACCT_JOB, &j), 0);
	proto_free(&rdesc_acct_job, &j);

	/* several records in one write are answered one by one */
	struct buf many;
	buf_init(&many);
	for (uint32_t id = 3; id <= 5; id++) {
		make_job(&j, id, "alice");
		wire_encode(auth, REQ_ACCT_JOB, 500 + id, &j, &many);
		proto_free(&rdesc_acct_job, &j);
	}
	assert_int_equal(net_write_all(fd, many.data, many.len), 0);
	buf_free(&many);
	for (uint32_t id = 3; id <= 5; id++) {
		struct msg m;
		assert_int_equal(net_recv_msg(fd, NULL, 0, 10000, &m), 0);
		assert_int_equal(m.type, RESP_RC);
		assert_int_equal(m.req_id, 500 + id);
		assert_int_equal(((struct rc *)m.body)->rc, 0);
		msg_free(&m);
	}

	uint32_t ids[16];
	struct acct_query all = {.flags = 0x2};
	assert_int_equal(query_ids(fd, auth, &all, ids, 16), 5);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[4], 5);

	struct msg m;
	char *jobs[] = {"2"};
	struct acct_query q2 = {.jobs = jobs, .jobs_cnt = 1};
	rpc(fd, auth, REQ_ACCT_QUERY, &q2, &m);
	assert_int_equal(m.type, RESP_ACCT_JOBS);
	struct acct_jobs *r = m.body;
	assert_int_equal(r->jobs_cnt, 1);
	assert_int_equal(r->jobs[0].state, JOB_FAILED);
	assert_int_equal(r->jobs[0].exit_code, 256);
	assert_int_equal(r->jobs[0].steps_cnt, 1);
	assert_int_equal(r->jobs[0].steps[0].step_id, STEP_ID_BATCH);
	msg_free(&m);

	/* a bad job id in a query is an error reply, not a crash */
	char *bad[] = {"x1"};
	struct acct_query qb = {.jobs = bad, .jobs_cnt = 1};
	assert_int_not_equal(rpc_rc(fd, auth, REQ_ACCT_QUERY, &qb), 0);

	/* an unsigned request is refused with an authentication error */
	assert_int_equal(rpc_rc(fd, NULL, REQ_PING, &e), HERD_EAUTH);

	/* a message the daemon does not serve */
	assert_int_not_equal(rpc_rc(fd, auth, REQ_NODE_INFO, &e), 0);

	/* a signed frame whose body was changed afterwards */
	struct buf f;
	buf_init(&f);
	wire_encode(auth, REQ_ACCT_QUERY, 77, &all, &f);
	f.data[f.len - 1] ^= 0x5a;
	assert_int_equal(net_write_all(fd, f.data, f.len), 0);
	buf_free(&f);
	assert_int_equal(net_recv_msg(fd, NULL, 0, 10000, &m), 0);
	assert_int_equal(m.type, RESP_RC);
	assert_int_not_equal(((struct rc *)m.body)->rc, 0);
	msg_free(&m);

	/* the connection still works */
	assert_int_equal(rpc_rc(fd, auth, REQ_PING, &e), 0);
	close(fd);

	/* garbage: random bytes, a header with a huge body, a header cut short */
	unsigned char junk[256];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 37 + 11);
	fd = connect_dbd();
	assert_int_equal(net_write_all(fd, junk, sizeof(junk)), 0);
	assert_true(closed_by_peer(fd));
	close(fd);

	buf_init(&f);
	wire_encode(auth, REQ_PING, 1, &e, &f);
	uint32_t huge = 0xfffffff0U;
	memcpy(f.data + 16, &huge, 4); /* body_len */
	fd = connect_dbd();
	assert_int_equal(net_write_all(fd, f.data, WIRE_HDR_LEN), 0);
	assert_true(closed_by_peer(fd));
	close(fd);
	fd = connect_dbd();
	assert_int_equal(net_write_all(fd, f.data, 7), 0);
	close(fd);
	buf_free(&f);

	/* an ordinary user (nobody) sees only their own jobs and may not store;
	 * the child keeps the key it read as root and signs as uid 65534 */
	pid_t child = geteuid() == 0 ? fork() : -2;
	if (child == -2)
		goto after_user;
	assert_true(child >= 0);
	if (child == 0) {
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		int cfd = net_connect("127.0.0.1", port, 5000);
		if (cfd < 0)
			_exit(3);
		struct msg cm;
		if (net_send_msg(cfd, auth, REQ_ACCT_QUERY, 1, &all) < 0 ||
		    net_recv_msg(cfd, NULL, 0, 10000, &cm) != 0 || cm.type != RESP_ACCT_JOBS)
			_exit(4);
		struct acct_jobs *cr = cm.body;
		if (cr->jobs_cnt != 1 || cr->jobs[0].job_id != 2)
			_exit(5);
		msg_free(&cm);
		struct acct_job cj;
		make_job(&cj, 9, "nobody");
		if (net_send_msg(cfd, auth, REQ_ACCT_JOB, 2, &cj) < 0 ||
		    net_recv_msg(cfd, NULL, 0, 10000, &cm) != 0 || cm.type != RESP_RC ||
		    ((struct rc *)cm.body)->rc != ESLURM_ACCESS_DENIED)
			_exit(6);
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
after_user:
	/* after all that: alive, and a normal query still works */
	assert_true(dbd_alive());
	fd = connect_dbd();
	assert_int_equal(query_ids(fd, auth, &all, ids, 16), 5);
	close(fd);

	assert_int_equal(kill(dbd_pid, SIGTERM), 0);
	assert_int_equal(waitpid(dbd_pid, &st, 0), dbd_pid);
	dbd_pid = -1;
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);

	/* restart on the same file: the rows are still there */
	dbd_pid = start_dbd();
	fd = connect_dbd();
	assert_int_equal(query_ids(fd, auth, &all, ids, 16), 5);
	close(fd);
}

static void
log_contains(const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/dbd.log", tdir);
	int lfd = open(path, O_RDONLY);
	assert_true(lfd >= 0);
	struct buf b;
	buf_init(&b);
	buf_read_fd(&b, lfd, 1 << 20);
	close(lfd);
	if (strstr(buf_str(&b), text) == NULL)
		fail_msg("log lacks \"%s\": %s", text, buf_str(&b));
	buf_free(&b);
}

static void
test_dbd_bad_storage_type(void **state)
{
	int st;
	/* MariaDB that is not there: one clear line, then herddbd waits for
	 * it (retrying) instead of exiting */
	write_confs("accounting_storage/mysql", "StorageHost=127.0.0.1\nStoragePort=1\n");
	dbd_pid = start_dbd();
	char path[512];
	snprintf(path, sizeof(path), "%s/dbd.log", tdir);
	for (int i = 0; i < 400; i++) {
		struct stat sb;
		if (stat(path, &sb) == 0 && sb.st_size > 0)
			break;
		usleep(10000);
	}
	log_contains("accounting_storage/mysql: open failed: cannot connect to 127.0.0.1:1");
	log_contains("retrying until it works");
	assert_int_equal(waitpid(dbd_pid, &st, WNOHANG), 0);
	kill(dbd_pid, SIGTERM);
	assert_int_equal(waitpid(dbd_pid, &st, 0), dbd_pid);
	dbd_pid = -1;

	write_confs("accounting_storage/filetxt", "");
	dbd_pid = start_dbd();
	assert_int_equal(waitpid(dbd_pid, &st, 0), dbd_pid);
	dbd_pid = -1;
	assert_true(WIFEXITED(st));
	assert_int_not_equal(WEXITSTATUS(st), 0);
	log_contains("StorageType accounting_storage/filetxt is not supported");
}

/* sacctmgr's request: rc of RESP_ACCT_MGR, or -(herd error) of a RESP_RC */
static int
mgr_rpc(int fd, struct auth *a, uint32_t op, uint32_t entity, uint32_t flags, const char *name,
    const char *where, const char *set)
{
	struct acct_mgr_req r = {.op = op, .entity = entity, .flags = flags};
	if (name)
		strv_add(&r.names, &r.names_cnt, name);
	if (where)
		strv_add(&r.where, &r.where_cnt, where);
	if (set)
		strv_add(&r.set, &r.set_cnt, set);
	struct msg m;
	rpc(fd, a, REQ_ACCT_MGR, &r, &m);
	proto_free(&rdesc_acct_mgr_req, &r);
	int rc;
	if (m.type == RESP_RC)
		rc = -((struct rc *)m.body)->rc;
	else {
		assert_int_equal(m.type, RESP_ACCT_MGR);
		rc = ((struct acct_mgr_resp *)m.body)->rc;
	}
	msg_free(&m);
	return rc;
}

static uint32_t
table_users(int fd)
{
	struct acct_mgr_req r = {.op = 4 /* show */, .entity = 3};
	struct msg m;
	rpc(fd, auth, REQ_ACCT_MGR, &r, &m);
	assert_int_equal(m.type, RESP_ACCT_TABLES);
	uint32_t n = ((struct acct_tables *)m.body)->users_cnt;
	msg_free(&m);
	return n;
}

/* Registration, changes with and without commit, every kind of bad
 * request; herddbd answers each and lives on; an ordinary user may not
 * change anything. */
static void
test_dbd_associations(void **state)
{
	write_confs("accounting_storage/sqlite", "");
	dbd_pid = start_dbd();
	/* a controller's connection registers and then hears of changes */
	int ctl = connect_dbd();
	struct acct_cluster reg = {.name = "test", .control_port = 6817};
	struct msg m;
	rpc(ctl, auth, REQ_ACCT_REGISTER, &reg, &m);
	assert_int_equal(m.type, RESP_ACCT_TABLES);
	struct acct_tables *t = m.body;
	assert_int_equal(t->clusters_cnt, 1);
	assert_string_equal(t->clusters[0].control_host, "127.0.0.1");
	assert_int_equal(t->clusters[0].control_port, 6817);
	assert_int_equal(t->assocs_cnt, 2);
	msg_free(&m);
	int fd = connect_dbd();
	assert_int_equal(table_users(fd), 1);

	/* without commit nothing changes; with it, the change is kept */
	assert_int_equal(mgr_rpc(fd, auth, 1, 3, 0, "alice", "account=root", NULL), 0);
	assert_int_equal(table_users(fd), 1);
	assert_int_equal(mgr_rpc(fd, auth, 1, 3, 1, "alice", "account=root", NULL), 0);
	assert_int_equal(table_users(fd), 2);
	assert_int_equal(net_recv_msg(ctl, NULL, 0, 10000, &m), 0);
	assert_int_equal(m.type, RESP_ACCT_TABLES);
	assert_int_equal(m.req_id, 0);
	assert_int_equal(((struct acct_tables *)m.body)->users_cnt, 2);
	msg_free(&m);
	close(ctl);

	/* bad requests: Slurm's "nothing"/unknown answers, never a crash */
	assert_int_equal(mgr_rpc(fd, auth, 77, 0, 1, NULL, NULL, NULL), 1);
	assert_int_equal(mgr_rpc(fd, auth, 1, 5, 1, "gold", NULL, NULL), 1);
	assert_int_equal(mgr_rpc(fd, auth, 1, 99, 1, "x", NULL, NULL), 1);
	assert_int_equal(mgr_rpc(fd, auth, 2, 3, 1, NULL, "", "="), 1);
	assert_int_equal(mgr_rpc(fd, auth, 2, 99, 1, NULL, "name=x", "fairshare=1"), 1);
	assert_int_equal(mgr_rpc(fd, auth, 3, 3, 1, NULL, NULL, NULL), 1);
	assert_int_equal(mgr_rpc(fd, auth, 3, 5, 1, "normal", NULL, NULL), 1);
	assert_int_equal(mgr_rpc(fd, auth, 1, 2, 1, ",,,", NULL, NULL), 1);
	assert_int_equal(mgr_rpc(fd, auth, 2, 2, 1, NULL, "name=root", "fairshare=-3"), 1);
	struct acct_cluster empty = {0};
	rpc(fd, auth, REQ_ACCT_REGISTER, &empty, &m);
	assert_int_equal(m.type, RESP_RC);
	assert_int_not_equal(((struct rc *)m.body)->rc, 0);
	msg_free(&m);
	close(fd);

	pid_t child = geteuid() == 0 ? fork() : -2;
	if (child >= 0 && child == 0) {
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		int cfd = net_connect("127.0.0.1", port, 5000);
		if (cfd < 0)
			_exit(3);
		struct acct_mgr_req r = {.op = 1, .entity = 2, .flags = 1};
		strv_add(&r.names, &r.names_cnt, "evil");
		struct msg cm;
		if (net_send_msg(cfd, auth, REQ_ACCT_MGR, 1, &r) < 0 ||
		    net_recv_msg(cfd, NULL, 0, 10000, &cm) != 0 || cm.type != RESP_RC ||
		    ((struct rc *)cm.body)->rc != ESLURM_ACCESS_DENIED)
			_exit(4);
		msg_free(&cm);
		if (net_send_msg(cfd, auth, REQ_ACCT_REGISTER, 2, &reg) < 0 ||
		    net_recv_msg(cfd, NULL, 0, 10000, &cm) != 0 || cm.type != RESP_RC ||
		    ((struct rc *)cm.body)->rc != ESLURM_ACCESS_DENIED)
			_exit(5);
		_exit(0);
	}
	if (child > 0) {
		int st;
		assert_int_equal(waitpid(child, &st, 0), child);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	assert_true(dbd_alive());
	fd = connect_dbd();
	assert_int_equal(table_users(fd), 2);
	close(fd);
}

/* --- herddbd on MariaDB ------------------------------------------------ */

static pid_t md_pid = -1;
static uint16_t md_port;

static int
run_quiet(char *const argv[], const char *log)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A private mariadbd in tdir on a free loopback port; 0 once it listens,
 * -1 when there is no MariaDB server here. */
static int
md_start(void)
{
	char data[600], sock[600], pidf[600], logf[600], log[512], port_s[32];
	snprintf(log, sizeof(log), "%s/mariadb.log", tdir);
	snprintf(data, sizeof(data), "--datadir=%s/mdata", tdir);
	snprintf(sock, sizeof(sock), "--socket=%s/md.sock", tdir);
	snprintf(pidf, sizeof(pidf), "--pid-file=%s/md.pid", tdir);
	snprintf(logf, sizeof(logf), "--log-error=%s", log);
	const char *user = geteuid() == 0 ? "--user=root" : "--verbose";
	char *install[] = {"mariadb-install-db", "--no-defaults", data, (char *)user,
	    "--auth-root-authentication-method=normal", "--skip-test-db", NULL};
	if (run_quiet(install, log) != 0)
		return -1;
	md_port = free_port();
	snprintf(port_s, sizeof(port_s), "--port=%u", md_port);
	md_pid = fork();
	if (md_pid < 0)
		return -1;
	if (md_pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("mariadbd", "mariadbd", "--no-defaults", data, sock, pidf, logf, port_s,
		    "--bind-address=127.0.0.1", user, "--skip-grant-tables", "--skip-name-resolve",
		    "--innodb-flush-log-at-trx-commit=2", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 1500; i++) {
		int fd = net_connect("127.0.0.1", md_port, 200);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		int st;
		if (waitpid(md_pid, &st, WNOHANG) == md_pid) {
			md_pid = -1;
			return -1;
		}
		usleep(20000);
	}
	return -1;
}

static int
md_teardown(void **state)
{
	if (dbd_pid > 0) {
		kill(dbd_pid, SIGTERM);
		waitpid(dbd_pid, NULL, 0);
		dbd_pid = -1;
	}
	if (md_pid > 0) {
		kill(md_pid, SIGTERM);
		waitpid(md_pid, NULL, 0);
		md_pid = -1;
	}
	return teardown(state);
}

/* The same daemon on MariaDB: registration, a sacctmgr change that
 * survives a restart, and a batch of job rows. */
static void
test_dbd_mariadb(void **state)
{
	if (md_start() < 0) {
		print_message("no MariaDB server here (see %s/mariadb.log): skipped\n", tdir);
		skip();
	}
	char extra[128];
	snprintf(extra, sizeof(extra), "StorageHost=127.0.0.1\nStoragePort=%u\nStorageUser=root\n", md_port);
	write_confs("accounting_storage/mysql", extra);
	dbd_pid = start_dbd();
	int fd = connect_dbd();
	struct acct_cluster reg = {.name = "test", .control_port = 6817};
	struct msg m;
	rpc(fd, auth, REQ_ACCT_REGISTER, &reg, &m);
	assert_int_equal(m.type, RESP_ACCT_TABLES);
	assert_int_equal(((struct acct_tables *)m.body)->assocs_cnt, 2);
	msg_free(&m);
	close(fd);
	fd = connect_dbd();
	assert_int_equal(mgr_rpc(fd, auth, 1, 2, 1, "physics", "description=Physics", NULL), 0);
	assert_int_equal(mgr_rpc(fd, auth, 1, 3, 1, "alice", "account=physics", NULL), 0);
	enum { N = 1000 };
	struct acct_jobs b = {.jobs = xcalloc(N, sizeof(struct acct_job)), .jobs_cnt = N};
	for (uint32_t i = 0; i < N; i++)
		make_job(&b.jobs[i], i + 1, i % 2 ? "alice" : "bob");
	assert_int_equal(rpc_rc(fd, auth, REQ_ACCT_JOBS, &b), 0);
	for (uint32_t i = 0; i < N; i++)
		proto_free(&rdesc_acct_job, &b.jobs[i]);
	free(b.jobs);
	close(fd);

	/* a new herddbd reads what the first stored */
	int st;
	kill(dbd_pid, SIGTERM);
	assert_int_equal(waitpid(dbd_pid, &st, 0), dbd_pid);
	dbd_pid = start_dbd();
	fd = connect_dbd();
	assert_int_equal(table_users(fd), 2);
	char *alice[] = {"alice"};
	struct acct_query q = {.users = alice, .users_cnt = 1, .flags = 2};
	uint32_t ids[N];
	assert_int_equal(query_ids(fd, auth, &q, ids, N), N / 2);
	close(fd);
}

/* --- 100,000 jobs through herddbd, selected by the real sacct ---------- */

static uint32_t big_jobs = 100000; /* 20,000 on MariaDB (slower to fill) */
#define BIG_T0 1750000000 /* 2025-06-15 15:06:40 UTC */

/* users this machine has: sacct -u refuses unknown names, as Slurm does */
static const char *const big_users[] = {"root", "daemon", "bin", "sys", "nobody"};
static const uint32_t big_states[] = {JOB_COMPLETE, JOB_FAILED, JOB_CANCELLED, JOB_TIMEOUT, JOB_COMPLETE};

static void
big_job(struct acct_job *j, uint32_t id)
{
	memset(j, 0, sizeof(*j));
	j->cluster = xstrdup("test");
	j->job_id = id;
	j->array_task_id = NO_VAL;
	j->name = xasprintf("job%u", id % 7);
	j->user_name = xstrdup(big_users[id % 5]);
	j->account = xstrdup("root");
	j->partition = xstrdup("debug");
	j->state = big_states[(id / 5) % 5];
	j->requid = NO_VAL;
	j->time_submit = BIG_T0 + (int64_t)id * 10;
	j->time_eligible = j->time_submit;
	j->time_start = j->time_submit + 1;
	j->time_end = j->time_start + (int64_t)(id % 50) * 10 + 5;
}

/* what herddbd must return: eligible inside the window's end, ended
 * after its start (every job here has ended) */
struct big_filter {
	const char *user, *name;
	uint32_t state; /* NO_VAL: any */
	int64_t start, end;
};

static int
big_match(uint32_t id, const struct big_filter *f)
{
	struct acct_job j;
	big_job(&j, id);
	int ok = (!f->user || strcmp(j.user_name, f->user) == 0) &&
	         (!f->name || strcmp(j.name, f->name) == 0) && (f->state == NO_VAL || j.state == f->state) &&
	         j.time_eligible <= f->end && j.time_end >= f->start;
	proto_free(&rdesc_acct_job, &j);
	return ok;
}

static void
utc(char *out, size_t n, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
}

/* run sacct with args (TZ=UTC); fill ids (sorted as printed) */
static uint32_t
run_sacct(const char *args, uint32_t *ids, uint32_t max)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "TZ=UTC SLURM_CONF=%s/slurm.conf %s/sacct -a -X -n -P -o jobid %s 2>&1",
	    tdir, HERD_BUILD_DIR, args);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char line[256];
	uint32_t n = 0;
	while (fgets(line, sizeof(line), p)) {
		char *end;
		unsigned long v = strtoul(line, &end, 10);
		if (end == line || (*end != '\n' && *end != '\0'))
			fail_msg("sacct %s printed: %s", args, line);
		if (n < max)
			ids[n] = (uint32_t)v;
		n++;
	}
	assert_int_equal(pclose(p), 0);
	return n;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void
check_filter(const char *args, const struct big_filter *f, const uint32_t *only, size_t nonly)
{
	uint32_t *got = xcalloc(big_jobs, sizeof(*got));
	uint32_t n = run_sacct(args, got, big_jobs);
	assert_true(n <= big_jobs);
	qsort(got, n, sizeof(*got), cmp_u32);
	uint32_t k = 0, want = 0;
	for (uint32_t id = 1; id <= big_jobs; id++) {
		int in = 0;
		if (only) {
			for (size_t i = 0; i < nonly; i++)
				in |= only[i] == id;
		} else
			in = big_match(id, f);
		if (!in)
			continue;
		want++;
		if (k >= n || got[k] != id)
			fail_msg("sacct %s: job %u missing (or another in its place)", args, id);
		k++;
	}
	if (n != want)
		fail_msg("sacct %s: %u rows, %u expected", args, n, want);
	print_message("sacct %s: %u rows\n", args, n);
	free(got);
}

/* slurm.conf for sacct: accounting through the test's herddbd */
static void
write_sacct_conf(void)
{
	write_file("slurm.conf", 0644,
	    "ClusterName=test\nSlurmctldHost=localhost\nAuthType=auth/slurm\n"
	    "AuthInfo=key=%s/herd.key\nNodeName=n1 CPUs=1\nPartitionName=debug Nodes=n1\n"
	    "AccountingStorageType=accounting_storage/slurmdbd\nAccountingStorageHost=127.0.0.1\n"
	    "AccountingStoragePort=%u\n",
	    tdir, port);
}

/* big_jobs jobs through herddbd on a store, then sacct's filters */
static void
big_sacct(const char *storage_type, const char *extra)
{
	write_confs(storage_type, extra);
	write_sacct_conf();
	dbd_pid = start_dbd();
	int fd = connect_dbd();
	/* through herddbd, as herdctld sends them: many rows a request */
	enum { BATCH = 2000 };
	struct acct_jobs b = {.jobs = xcalloc(BATCH, sizeof(struct acct_job))};
	for (uint32_t base = 0; base < big_jobs; base += BATCH) {
		b.jobs_cnt = BATCH;
		for (uint32_t i = 0; i < BATCH; i++)
			big_job(&b.jobs[i], base + i + 1);
		assert_int_equal(rpc_rc(fd, auth, REQ_ACCT_JOBS, &b), 0);
		for (uint32_t i = 0; i < BATCH; i++)
			proto_free(&rdesc_acct_job, &b.jobs[i]);
	}
	free(b.jobs);
	close(fd);

	char s[32], e[32], args[256];
	int64_t t1 = BIG_T0 + 123456, t2 = BIG_T0 + 456789;
	utc(s, sizeof(s), t1);
	utc(e, sizeof(e), t2);
	struct big_filter f = {.state = NO_VAL, .start = t1, .end = t2};
	/* a time window */
	snprintf(args, sizeof(args), "-S %s -E %s", s, e);
	check_filter(args, &f, NULL, 0);
	/* one user in the window */
	f.user = "daemon";
	snprintf(args, sizeof(args), "-u daemon -S %s -E %s", s, e);
	check_filter(args, &f, NULL, 0);
	/* a state in the window */
	f.user = NULL;
	f.state = JOB_FAILED;
	snprintf(args, sizeof(args), "-s FAILED -S %s -E %s", s, e);
	check_filter(args, &f, NULL, 0);
	/* a name, every time */
	utc(s, sizeof(s), BIG_T0 - 10);
	utc(e, sizeof(e), BIG_T0 + 10 * (int64_t)big_jobs + 1000);
	f = (struct big_filter){.name = "job3",
	    .state = NO_VAL,
	    .start = BIG_T0 - 10,
	    .end = BIG_T0 + 10 * (int64_t)big_jobs + 1000};
	snprintf(args, sizeof(args), "--name job3 -S %s -E %s", s, e);
	check_filter(args, &f, NULL, 0);
	/* user, state and name together */
	f.user = "nobody";
	f.state = JOB_CANCELLED;
	snprintf(args, sizeof(args), "-u nobody -s CA --name job3 -S %s -E %s", s, e);
	check_filter(args, &f, NULL, 0);
	/* every job: the reply comes in parts (16 MB each at most) */
	utc(s, sizeof(s), BIG_T0 - 10);
	utc(e, sizeof(e), BIG_T0 + 10 * (int64_t)big_jobs + 1000);
	f = (struct big_filter){
	    .state = NO_VAL, .start = BIG_T0 - 10, .end = BIG_T0 + 10 * (int64_t)big_jobs + 1000};
	snprintf(args, sizeof(args), "-S %s -E %s", s, e);
	check_filter(args, &f, NULL, 0);
	/* jobs by id, whatever their time */
	const uint32_t only[] = {1, 4242, big_jobs / 9 * 7, big_jobs};
	snprintf(args, sizeof(args), "-j %u,%u,%u,%u,%u", only[0], only[1], only[2], only[3], big_jobs + 1);
	check_filter(args, NULL, only, 4);
}

static void
test_dbd_hundred_thousand_sacct(void **state)
{
	char bin[512];
	snprintf(bin, sizeof(bin), "%s/sacct", HERD_BUILD_DIR);
	if (access(bin, X_OK) != 0)
		skip();
	big_jobs = 100000;
	big_sacct("accounting_storage/sqlite", "");
}

/* the same filters on MariaDB (its own query code), over 20,000 jobs */
static void
test_dbd_mariadb_sacct(void **state)
{
	char bin[512];
	snprintf(bin, sizeof(bin), "%s/sacct", HERD_BUILD_DIR);
	if (access(bin, X_OK) != 0)
		skip();
	if (md_start() < 0) {
		print_message("no MariaDB server here (see %s/mariadb.log): skipped\n", tdir);
		skip();
	}
	char extra[256];
	snprintf(extra, sizeof(extra), "StorageHost=127.0.0.1\nStoragePort=%u\nStorageUser=root\n", md_port);
	big_jobs = 20000;
	big_sacct("accounting_storage/mysql", extra);
	/* PurgeJobAfter on MariaDB: every one of them ended in 2025 */
	int st;
	kill(dbd_pid, SIGTERM);
	assert_int_equal(waitpid(dbd_pid, &st, 0), dbd_pid);
	strncat(extra, "PurgeJobAfter=12months\n", sizeof(extra) - strlen(extra) - 1);
	write_confs("accounting_storage/mysql", extra);
	write_sacct_conf();
	dbd_pid = start_dbd();
	close(connect_dbd());
	/* the purge runs before the first request is served */
	uint32_t got[4];
	assert_int_equal(run_sacct("-S 2025-01-01 -E now", got, 4), 0);
	log_contains("purged 20000 job(s)");
}

/* PurgeJobAfter / PurgeStepAfter: old jobs go with their steps, older
 * steps go alone, recent and running jobs stay; a bad value stops herddbd */
static void
test_dbd_purge(void **state)
{
	write_confs("accounting_storage/sqlite", "");
	dbd_pid = start_dbd();
	int fd = connect_dbd();
	int64_t now = (int64_t)time(NULL);
	const int64_t ended_ago[4] = {90 * 86400, 20 * 86400, 86400, -1}; /* -1: running */
	struct acct_jobs b = {.jobs = xcalloc(4, sizeof(struct acct_job)), .jobs_cnt = 4};
	for (uint32_t i = 0; i < 4; i++) {
		make_job(&b.jobs[i], i + 1, "root");
		struct acct_job *j = &b.jobs[i];
		j->time_submit = j->time_eligible = j->time_start = now - 100 * 86400 + i;
		j->time_end = ended_ago[i] < 0 ? 0 : now - ended_ago[i];
		if (ended_ago[i] < 0)
			j->state = JOB_RUNNING;
	}
	assert_int_equal(rpc_rc(fd, auth, REQ_ACCT_JOBS, &b), 0);
	proto_free(&rdesc_acct_jobs, &b);
	close(fd);
	int st;
	kill(dbd_pid, SIGTERM);
	assert_int_equal(waitpid(dbd_pid, &st, 0), dbd_pid);

	write_confs("accounting_storage/sqlite", "PurgeJobAfter=1month\nPurgeStepAfter=10days\n");
	dbd_pid = start_dbd();
	fd = connect_dbd(); /* the purge runs before the first request is served */
	static char *ids[] = {"1", "2", "3", "4"};
	struct acct_query q = {.flags = 2, .jobs = ids, .jobs_cnt = 4};
	struct msg m;
	rpc(fd, auth, REQ_ACCT_QUERY, &q, &m);
	assert_int_equal(m.type, RESP_ACCT_JOBS);
	struct acct_jobs *r = m.body;
	assert_int_equal(r->jobs_cnt, 3); /* job 1 ended 90 days ago: gone */
	assert_int_equal(r->jobs[0].job_id, 2);
	assert_int_equal(r->jobs[0].steps_cnt, 0); /* ended 20 days ago: its steps gone */
	assert_int_equal(r->jobs[1].job_id, 3);
	assert_int_equal(r->jobs[1].steps_cnt, 1);
	assert_int_equal(r->jobs[2].job_id, 4);
	assert_int_equal(r->jobs[2].steps_cnt, 1);
	msg_free(&m);
	close(fd);
	log_contains("purged 1 job(s) and 2 step(s)");
	kill(dbd_pid, SIGTERM);
	assert_int_equal(waitpid(dbd_pid, &st, 0), dbd_pid);

	write_confs("accounting_storage/sqlite", "PurgeJobAfter=12weeks\n");
	dbd_pid = start_dbd();
	assert_int_equal(waitpid(dbd_pid, &st, 0), dbd_pid);
	dbd_pid = -1;
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) != 0);
	log_contains("Invalid purge time: 12weeks");
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_dbd_end_to_end, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dbd_bad_storage_type, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dbd_associations, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dbd_mariadb, setup, md_teardown),
	    cmocka_unit_test_setup_teardown(test_dbd_hundred_thousand_sacct, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dbd_mariadb_sacct, setup, md_teardown),
	    cmocka_unit_test_setup_teardown(test_dbd_purge, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
