/* SPDX-License-Identifier: MIT */
/*
 * The PMIx server module with a real Open MPI program: two simulated nodes
 * ("n1", "n2"), each a forked process with its own mpi_pmix, each running
 * two ranks of an MPI program compiled here with mpicc; this process plays
 * the hub (srun), relaying fence and direct modex messages between them.
 * All four ranks must finish MPI_Init, MPI_Allreduce and MPI_Finalize.
 * Run as root, the ranks also run as nobody to prove they can reach the
 * root-owned server.  Skips (77) without libpmix or mpicc.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/xmalloc.h"
#include "mpi_pmix.h"

#define NNODES 2
#define TASKS_PER_NODE 2 /* at most */
#define NTASKS ((int)(NNODES * tpn))

/* Test-only frames besides the module's kinds. */
enum { FRAME_NODE_DONE = 100, FRAME_QUIT, FRAME_KILL };

struct frame {
	uint32_t kind, node; /* node: destination from a node, source from the hub */
	uint64_t seq;
	uint32_t len;
};

static char topdir[] = "/tmp/herd-pmix-test-XXXXXX";
static char hello[4200];

/* Open MPI's direct modex mode: MPI_Init fences without data and each rank
 * fetches a peer's endpoints when it first talks to it, which reaches the
 * other node through the host's direct modex. */
static bool async_modex;
/* Rank 3 calls MPI_Abort(7) while the others wait in MPI_Barrier. */
static bool do_abort;

static const char *const node_names[NNODES] = {"n1", "n2"};
/* the layout of the step: tpn tasks per node, ranks in node order */
static uint32_t tpn = TASKS_PER_NODE;
static uint32_t task_cnt[NNODES] = {TASKS_PER_NODE, TASKS_PER_NODE};
static uint32_t tids0[TASKS_PER_NODE] = {0, 1}, tids1[TASKS_PER_NODE] = {2, 3};
static const uint32_t *const tids[NNODES] = {tids0, tids1};

static void
set_layout(uint32_t per_node)
{
	tpn = per_node;
	for (uint32_t i = 0; i < per_node; i++) {
		tids0[i] = i;
		tids1[i] = per_node + i;
	}
	task_cnt[0] = task_cnt[1] = per_node;
}

extern char **environ;

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
frame_send(int fd, uint32_t kind, uint32_t node, uint64_t seq, const void *data, size_t len)
{
	struct frame f = {.kind = kind, .node = node, .seq = seq, .len = (uint32_t)len};

	if (write_all(fd, &f, sizeof(f)) < 0 || (len > 0 && write_all(fd, data, len) < 0))
		return -1;
	return 0;
}

/* Returns the frame's data (xmalloc'd, possibly empty) or NULL at EOF. */
static void *
frame_recv(int fd, struct frame *f)
{
	void *data;

	if (read_all(fd, f, sizeof(*f)) < 0)
		return NULL;
	data = xmalloc(f->len + 1);
	if (read_all(fd, data, f->len) < 0) {
		free(data);
		return NULL;
	}
	return data;
}

/* --- a node: the step supervisor's part --- */

static void
node_send(void *arg, enum mpi_pmix_kind kind, uint32_t dest_node, uint64_t seq, const void *data, size_t len)
{
	if (frame_send(*(int *)arg, kind, dest_node, seq, data, len) < 0)
		_exit(3);
}

static void
env_set(char ***env, size_t *cnt, const char *var)
{
	size_t namelen = strcspn(var, "=");

	for (size_t i = 0; i < *cnt; i++) {
		if (strncmp((*env)[i], var, namelen + 1) == 0) {
			free((*env)[i]);
			(*env)[i] = xstrdup(var);
			return;
		}
	}
	*env = xreallocarray(*env, *cnt + 2, sizeof(**env));
	(*env)[(*cnt)++] = xstrdup(var);
	(*env)[*cnt] = NULL;
}

static pid_t
task_start(struct mpi_pmix *p, uint32_t node, uint32_t local_id, uid_t uid, gid_t gid)
{
	char **env = xcalloc(1, sizeof(*env));
	size_t cnt = 0;
	char out[4200], var[4300];
	pid_t pid;

	for (char **e = environ; *e != NULL; e++)
		env_set(&env, &cnt, *e);
	/* What herdstepd's Slurm-compatible environment gives every task:
	 * Open MPI 4.1 takes the direct-launch (PMIx) path only when its
	 * schizo/slurm component sees SLURM_NODELIST and SLURM_STEP_ID;
	 * otherwise it starts as a singleton and ignores the PMIx server. */
	env_set(&env, &cnt, "SLURM_JOB_ID=42");
	env_set(&env, &cnt, "SLURM_JOBID=42");
	env_set(&env, &cnt, "SLURM_STEP_ID=0");
	env_set(&env, &cnt, "SLURM_STEPID=0");
	env_set(&env, &cnt, "SLURM_NODELIST=n[1-2]");
	/* Both simulated nodes share this host's /dev/shm, where vader names
	 * its segment by host name and local rank: ranks 0 and 2 would share
	 * one.  Real nodes do not share /dev/shm; here each node gets its own
	 * directory. */
	snprintf(
	    var, sizeof(var), "OMPI_MCA_btl_vader_backing_directory=%s/pmix.%s", topdir, node_names[node]);
	env_set(&env, &cnt, var);
	/* no InfiniBand/UCX here: shared memory within a node, TCP between */
	env_set(&env, &cnt, "OMPI_MCA_pml=ob1");
	env_set(&env, &cnt, "OMPI_MCA_btl=self,vader,tcp");
	if (async_modex) {
		env_set(&env, &cnt, "OMPI_MCA_pmix_base_async_modex=1");
		env_set(&env, &cnt, "OMPI_MCA_pmix_base_collect_data=0");
	}
	if (mpi_pmix_task_env(p, local_id, &env, &cnt) < 0)
		_exit(4);
	snprintf(out, sizeof(out), "%s/out.%u", topdir, tids[node][local_id]);
	pid = fork();
	if (pid == 0) {
		char *argv[] = {hello, do_abort ? "abort" : NULL, NULL};
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		if (uid != geteuid() && (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0))
			_exit(126);
		execve(hello, argv, env);
		_exit(127);
	}
	for (size_t i = 0; i < cnt; i++)
		free(env[i]);
	free(env);
	return pid;
}

static void
node_run(uint32_t node, int hub, uid_t uid, gid_t gid)
{
	char tmpdir[4200], err[256];
	struct mpi_pmix_step st = {
	    .job_id = 42,
	    .step_id = 0,
	    .uid = uid,
	    .gid = gid,
	    .nnodes = NNODES,
	    .node_id = node,
	    .node_names = node_names,
	    .ntasks = NTASKS,
	    .task_cnt = task_cnt,
	    .tids = tids,
	    .tmpdir = tmpdir,
	};
	pid_t pids[TASKS_PER_NODE] = {0};
	int status[TASKS_PER_NODE] = {0}, left = (int)tpn;
	bool running[TASKS_PER_NODE] = {false};
	struct mpi_pmix *p;

	snprintf(tmpdir, sizeof(tmpdir), "%s/pmix.%s", topdir, node_names[node]);
	/* as on real nodes (and in herd up as root), each simulated node has a
	 * host name of its own, so Open MPI never takes the other node's ranks
	 * for local ones */
	if (geteuid() == 0 && unshare(CLONE_NEWUTS) == 0 &&
	    sethostname(node_names[node], strlen(node_names[node])) < 0)
		fprintf(stderr, "node %u: sethostname failed\n", node);
	p = mpi_pmix_create(&st, node_send, &hub, err, sizeof(err));
	if (p == NULL) {
		fprintf(stderr, "node %u: %s\n", node, err);
		_exit(2);
	}
	for (uint32_t i = 0; i < tpn; i++) {
		pids[i] = task_start(p, node, i, uid, gid);
		running[i] = pids[i] > 0;
	}
	for (;;) {
		struct pollfd pfd[2] = {
		    {.fd = mpi_pmix_fd(p), .events = POLLIN}, {.fd = hub, .events = POLLIN}};
		int ws;
		pid_t pid;

		/* the timeout only polls for ended tasks */
		if (poll(pfd, 2, 100) < 0 && errno != EINTR)
			_exit(5);
		if (pfd[0].revents & POLLIN)
			mpi_pmix_dispatch(p);
		if (pfd[1].revents & (POLLIN | POLLHUP)) {
			struct frame f;
			void *data = frame_recv(hub, &f);
			if (data == NULL)
				_exit(6);
			if (f.kind == FRAME_QUIT) {
				free(data);
				break;
			}
			if (f.kind == FRAME_KILL) {
				for (uint32_t i = 0; i < tpn; i++)
					if (running[i])
						kill(pids[i], SIGKILL);
				free(data);
				continue;
			}
			mpi_pmix_recv(p, (enum mpi_pmix_kind)f.kind, f.node, f.seq, data, f.len);
			free(data);
		}
		while (left > 0 && (pid = waitpid(-1, &ws, WNOHANG)) > 0) {
			for (uint32_t i = 0; i < tpn; i++)
				if (pids[i] == pid) {
					status[i] = ws;
					running[i] = false;
				}
			if (--left == 0 && frame_send(hub, FRAME_NODE_DONE, 0, 0, status, sizeof(status)) < 0)
				_exit(7);
		}
	}
	mpi_pmix_destroy(p);
	_exit(0);
}

/* --- the hub: srun's part --- */

struct fence {
	uint64_t seq;
	uint32_t got;
	void *data[NNODES];
	uint32_t len[NNODES];
};

struct hub_result {
	int node_exit[NNODES];
	int task_status[NNODES][TASKS_PER_NODE];
	unsigned fences, dmdx_req, dmdx_resp, aborts;
	int abort_status;
	char abort_msg[256];
};

static void
hub_fence(int *fds, struct fence *fences, size_t *nfences, uint32_t src, uint64_t seq, void *data,
    uint32_t len, struct hub_result *res)
{
	struct fence *f = NULL;
	size_t total = 0, off = 0;
	char *all;

	for (size_t i = 0; i < *nfences; i++)
		if (fences[i].seq == seq)
			f = &fences[i];
	if (f == NULL) {
		assert_true(*nfences < 64);
		f = &fences[(*nfences)++];
		memset(f, 0, sizeof(*f));
		f->seq = seq;
	}
	assert_null(f->data[src]); /* one contribution per node per fence */
	f->data[src] = data;
	f->len[src] = len;
	if (++f->got < NNODES)
		return;
	for (int n = 0; n < NNODES; n++)
		total += f->len[n];
	all = xmalloc(total + 1);
	for (int n = 0; n < NNODES; n++) {
		memcpy(all + off, f->data[n], f->len[n]);
		off += f->len[n];
		free(f->data[n]);
	}
	for (int n = 0; n < NNODES; n++)
		assert_int_equal(frame_send(fds[n], MPI_PMIX_FENCE_RESULT, 0, seq, all, total), 0);
	free(all);
	*f = fences[--*nfences];
	res->fences++;
}

static void
hub_run(int *fds, pid_t *nodes, struct hub_result *res)
{
	struct fence fences[64];
	size_t nfences = 0;
	int done = 0;

	while (done < NNODES) {
		struct pollfd pfd[NNODES];

		for (int n = 0; n < NNODES; n++)
			pfd[n] = (struct pollfd){.fd = fds[n], .events = POLLIN};
		assert_true(poll(pfd, NNODES, -1) > 0);
		for (uint32_t n = 0; n < NNODES; n++) {
			struct frame f;
			void *data;

			if (!(pfd[n].revents & (POLLIN | POLLHUP)))
				continue;
			data = frame_recv(fds[n], &f);
			if (data == NULL)
				fail_msg("node %u left before its tasks ended", n);
			switch (f.kind) {
			case MPI_PMIX_FENCE_CONTRIB:
				hub_fence(fds, fences, &nfences, n, f.seq, data, f.len, res);
				data = NULL;
				break;
			case MPI_PMIX_DMDX_REQ:
			case MPI_PMIX_DMDX_RESP:
				assert_true(f.node < NNODES && f.node != n);
				if (f.kind == MPI_PMIX_DMDX_REQ)
					res->dmdx_req++;
				else
					res->dmdx_resp++;
				assert_int_equal(frame_send(fds[f.node], f.kind, n, f.seq, data, f.len), 0);
				break;
			case MPI_PMIX_ABORT: {
				/* srun's part: report it and kill the step */
				uint32_t st_be;
				assert_true(f.len >= sizeof(st_be));
				memcpy(&st_be, data, sizeof(st_be));
				res->abort_status = (int)ntohl(st_be);
				snprintf(res->abort_msg, sizeof(res->abort_msg), "%.*s",
				    (int)(f.len - sizeof(st_be)), (char *)data + sizeof(st_be));
				res->aborts++;
				for (int m = 0; m < NNODES; m++)
					assert_int_equal(frame_send(fds[m], FRAME_KILL, 0, 0, NULL, 0), 0);
				break;
			}
			case FRAME_NODE_DONE:
				assert_int_equal(f.len, sizeof(res->task_status[n]));
				memcpy(res->task_status[n], data, f.len);
				done++;
				break;
			default:
				fail_msg("unexpected frame kind %u from node %u", f.kind, n);
			}
			free(data);
		}
	}
	if (res->aborts == 0)
		assert_int_equal(nfences, 0);
	for (size_t i = 0; i < nfences; i++)
		for (int n = 0; n < NNODES; n++)
			free(fences[i].data[n]);
	for (int n = 0; n < NNODES; n++) {
		int ws;

		assert_int_equal(frame_send(fds[n], FRAME_QUIT, 0, 0, NULL, 0), 0);
		assert_int_equal(waitpid(nodes[n], &ws, 0), nodes[n]);
		res->node_exit[n] = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	}
}

static char *
read_text(const char *path)
{
	static char buf[8192];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void
step_run(uid_t uid, gid_t gid, struct hub_result *res)
{
	int fds[NNODES];
	pid_t nodes[NNODES];

	for (uint32_t n = 0; n < NNODES; n++) {
		int sv[2];

		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
		nodes[n] = fork();
		assert_true(nodes[n] >= 0);
		if (nodes[n] == 0) {
			for (uint32_t m = 0; m < n; m++)
				close(fds[m]);
			close(sv[0]);
			node_run(n, sv[1], uid, gid);
		}
		close(sv[1]);
		fds[n] = sv[0];
	}
	hub_run(fds, nodes, res);
	for (int n = 0; n < NNODES; n++)
		close(fds[n]);
	for (int n = 0; n < NNODES; n++)
		assert_int_equal(res->node_exit[n], 0);
}

static void
run_step(uid_t uid, gid_t gid)
{
	struct hub_result res = {0};

	step_run(uid, gid, &res);

	for (int r = 0; r < NTASKS; r++) {
		char path[4200], want[64];
		const char *text;

		snprintf(path, sizeof(path), "%s/out.%d", topdir, r);
		snprintf(want, sizeof(want), "rank %d of %d sum %d uid %u\n", r, NTASKS,
		    NTASKS * (NTASKS - 1) / 2, (unsigned)uid);
		text = read_text(path);
		assert_non_null(text);
		if (strstr(text, want) == NULL) {
			char *mine = xstrdup(text);
			/* every rank's output, for the post-mortem */
			for (int o = 0; o < NTASKS; o++) {
				char other[4200];
				snprintf(other, sizeof(other), "%s/out.%d", topdir, o);
				const char *t = read_text(other);
				print_error("--- rank %d:\n%s\n", o, t ? t : "(none)");
			}
			fail_msg("rank %d printed:\n%s\nwanted: %s", r, mine, want);
		}
	}
	for (int n = 0; n < NNODES; n++) {
		for (uint32_t i = 0; i < tpn; i++) {
			assert_true(WIFEXITED(res.task_status[n][i]));
			assert_int_equal(WEXITSTATUS(res.task_status[n][i]), 0);
		}
	}
	/* MPI_Init and MPI_Finalize fence across the nodes through the hub */
	assert_true(res.fences >= 2);
	assert_int_equal(res.dmdx_req, res.dmdx_resp);
	if (async_modex)
		assert_true(res.dmdx_req > 0);
	assert_int_equal(res.aborts, 0);
	print_message("fences %u, direct modex requests %u\n", res.fences, res.dmdx_req);
}

static void
test_two_nodes(void **state)
{
	run_step(geteuid(), getegid());
}

static void
test_two_nodes_as_nobody(void **state)
{
	struct passwd *pw = getpwnam("nobody");

	if (geteuid() != 0 || pw == NULL) {
		print_message("not root or no user nobody: tasks run as the test's user only\n");
		skip();
	}
	run_step(pw->pw_uid, pw->pw_gid);
}

/* One task per node, so that every peer is remote and every endpoint
 * comes through the host's direct modex.  (With a local peer as well,
 * Open MPI 4.1's async modex failed MPI_Init with "Not found" about once
 * in ten runs on a loaded machine, without asking the host anything: the
 * failing lookup never left the node, so it is between the client library
 * and libpmix's server, apparently a local peer's early commit taken for
 * all its data.) */
static void
test_two_nodes_direct_modex(void **state)
{
	async_modex = true;
	set_layout(1);
	run_step(geteuid(), getegid());
	async_modex = false;
}

static void
test_abort(void **state)
{
	struct hub_result res = {0};

	do_abort = true;
	step_run(geteuid(), getegid(), &res);
	do_abort = false;
	assert_int_equal(res.aborts, 1);
	assert_int_equal(res.abort_status, 7);
	print_message("abort message: %s\n", res.abort_msg);
	/* the ranks in MPI_Barrier did not get past it */
	for (int r = 0; r < NTASKS; r++) {
		char path[4200];
		const char *text;

		snprintf(path, sizeof(path), "%s/out.%d", topdir, r);
		text = read_text(path);
		assert_non_null(text);
		assert_null(strstr(text, "sum"));
	}
}

static void
test_bad_layout(void **state)
{
	static const uint32_t bad_tids0[] = {0, 1}, bad_tids1[] = {1, 2};
	static const uint32_t *const bad_tids[NNODES] = {bad_tids0, bad_tids1};
	char tmpdir[4200], err[256] = "";
	struct mpi_pmix_step st = {
	    .job_id = 42,
	    .nnodes = NNODES,
	    .node_names = node_names,
	    .ntasks = NTASKS,
	    .task_cnt = task_cnt,
	    .tids = bad_tids,
	    .tmpdir = tmpdir,
	};

	snprintf(tmpdir, sizeof(tmpdir), "%s/pmix.bad", topdir);
	assert_null(mpi_pmix_create(&st, node_send, NULL, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "bad rank 1 on node n2"));
}

/* every test starts from the default layout, whatever the last one left */
static int
reset_layout(void **state)
{
	set_layout(TASKS_PER_NODE);
	async_modex = false;
	do_abort = false;
	return 0;
}

int
main(void)
{
	char src[4200], cmd[12800];
	const char *mpicc = NULL;
	FILE *f;
	int rc;

#ifndef HERD_HAVE_PMIX
	{
		/* the stub must say why */
		char err[256];
		struct mpi_pmix_step st = {0};
		if (mpi_pmix_create(&st, NULL, NULL, err, sizeof(err)) != NULL || errno != ENOTSUP ||
		    strstr(err, "MPI type pmix is not available") == NULL)
			return 1;
		printf("skip: %s\n", err);
		return 77;
	}
#endif
#ifdef HERD_MPICC
	mpicc = HERD_MPICC;
#endif
	if (mpicc == NULL) {
		printf("skip: mpicc (Open MPI) was not found at configure time\n");
		return 77;
	}
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(topdir) == NULL || chmod(topdir, 0755) < 0)
		return 1;
	snprintf(src, sizeof(src), "%s/hello.c", topdir);
	snprintf(hello, sizeof(hello), "%s/hello", topdir);
	f = fopen(src, "w");
	if (f == NULL)
		return 1;
	fputs("#include <mpi.h>\n#include <stdio.h>\n"
	      "#include <unistd.h>\n"
	      "int main(int argc, char **argv)\n{\n"
	      "\tint rank, size, sum;\n"
	      "\tMPI_Init(&argc, &argv);\n"
	      "\tMPI_Comm_rank(MPI_COMM_WORLD, &rank);\n"
	      "\tMPI_Comm_size(MPI_COMM_WORLD, &size);\n"
	      "\tif (argc > 1 && rank == size - 1)\n\t\tMPI_Abort(MPI_COMM_WORLD, 7);\n"
	      "\tif (argc > 1)\n\t\tMPI_Barrier(MPI_COMM_WORLD);\n"
	      "\tMPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);\n"
	      "\tprintf(\"rank %d of %d sum %d uid %u\\n\", rank, size, sum, (unsigned)getuid());\n"
	      "\tMPI_Finalize();\n\treturn 0;\n}\n",
	    f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s -o %s %s", mpicc, hello, src);
	if (system(cmd) != 0) {
		printf("skip: '%s' failed\n", cmd);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", topdir);
		(void)system(cmd);
		return 77;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_bad_layout, reset_layout),
	    cmocka_unit_test_setup(test_two_nodes, reset_layout),
	    cmocka_unit_test_setup(test_two_nodes_as_nobody, reset_layout),
	    cmocka_unit_test_setup(test_two_nodes_direct_modex, reset_layout),
	    cmocka_unit_test_setup(test_abort, reset_layout),
	};
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", topdir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
