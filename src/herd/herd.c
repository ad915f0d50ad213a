/* SPDX-License-Identifier: MIT */
/*
 * herd: the launcher of a local cluster.  `herd up` writes DIR/slurm.conf
 * (embedded defaults, or a site slurm.conf rewritten for this machine),
 * starts herdctld and one herdd per node detached, waits until every node
 * is up (idle, or running jobs recovered from before) and prints the line
 * that points the commands at the cluster.
 * `herd down` stops exactly the processes herd up recorded; `herd status`
 * says which of them still run.
 */
#include "herd.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth.h"
#include "base/buf.h"
#include "base/xmalloc.h"
#include "conf/conf.h"

static volatile int herd_stop;

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: herd up [--dir DIR] [--nodes N] [--cpus C] [--port P] [--munge] [--timeout SEC]\n"
	    "       herd up [--dir DIR] --conf FILE [--port P] [--munge] [--timeout SEC]\n"
	    "       herd down [--dir DIR]\n"
	    "       herd status [--dir DIR]\n"
	    "       herd env [--dir DIR]\n"
	    "\n"
	    "  up      start herdctld and one herdd per node on this machine, wait until\n"
	    "          every node is idle, print the line that sets SLURM_CONF and PATH\n"
	    "  down    stop the daemons herd up started\n"
	    "  status  list those daemons; exit 0 when all run, 3 otherwise\n"
	    "  env     print the export line again\n"
	    "\n"
	    "  -d, --dir DIR     cluster directory (default $HERD_DIR, else $HOME/.herd)\n"
	    "  -n, --nodes N     number of nodes (default %d)\n"
	    "  -c, --cpus C      CPUs per node (default %d)\n"
	    "  -p, --port P      controller port; nodes use P+1..P+N (default %d)\n"
	    "  -f, --conf FILE   run the cluster described by FILE, a slurm.conf\n"
	    "      --munge       authenticate with auth/munge (a running munged)\n"
	    "                    instead of a generated auth/slurm key\n"
	    "  -t, --timeout SEC how long to wait for the nodes (default %d)\n",
	    HERD_DEFAULT_NODES, HERD_DEFAULT_CPUS, HERD_DEFAULT_PORT, HERD_READY_TIMEOUT_MS / 1000);
}

static void
on_signal(int sig)
{
	(void)sig;
	herd_stop = 1;
}

static int
mkdir_p(const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = mkdir(p, mode) < 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

/* DIR from --dir, $HERD_DIR or $HOME/.herd, made absolute. */
static char *
resolve_dir(const char *opt)
{
	const char *d = opt;
	if (d == NULL || *d == '\0')
		d = getenv("HERD_DIR");
	char *dir;
	if (d != NULL && *d != '\0') {
		dir = xstrdup(d);
	} else {
		const char *home = getenv("HOME");
		if (home == NULL || *home == '\0') {
			struct passwd *pw = getpwuid(getuid());
			home = pw ? pw->pw_dir : "/tmp";
		}
		dir = xasprintf("%s/.herd", home);
	}
	if (dir[0] != '/') {
		char cwd[PATH_MAX];
		if (getcwd(cwd, sizeof(cwd)) != NULL) {
			char *abs = xasprintf("%s/%s", cwd, dir);
			free(dir);
			dir = abs;
		}
	}
	size_t len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		dir[--len] = '\0';
	return dir;
}

/* Directory of this executable ("" if unknown). */
static char *
exe_dir(void)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		return xstrdup("");
	path[n] = '\0';
	char *slash = strrchr(path, '/');
	if (slash != NULL)
		*slash = '\0';
	return xstrdup(path);
}

static int
is_exec(const char *path)
{
	return access(path, X_OK) == 0;
}

/* Find a program: beside herd (build tree), then ../sbin and ../bin
 * (installed tree).  Caller frees; NULL when not found. */
static char *
find_prog(const char *name)
{
	char *dir = exe_dir();
	const char *rel[] = {"", "/../sbin", "/../bin"};
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		char *p = xasprintf("%s%s/%s", dir, rel[i], name);
		if (is_exec(p)) {
			free(dir);
			return p;
		}
		free(p);
	}
	free(dir);
	return NULL;
}

/* Where sbatch and the other commands are: the directory for PATH. */
static char *
commands_dir(void)
{
	char *dir = exe_dir();
	char *p = xasprintf("%s/sbatch", dir);
	int here = is_exec(p);
	free(p);
	if (!here) {
		p = xasprintf("%s/../bin/sbatch", dir);
		if (is_exec(p)) {
			free(p);
			char *bin = xasprintf("%s/../bin", dir);
			char real[PATH_MAX];
			if (realpath(bin, real) != NULL) {
				free(bin);
				bin = xstrdup(real);
			}
			free(dir);
			return bin;
		}
		free(p);
	}
	return dir;
}

static void
shell_quote(struct buf *b, const char *s)
{
	int safe = *s != '\0';
	for (const char *c = s; *c; c++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:@%+,-=", *c))
			safe = 0;
	if (safe) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '\'');
	for (const char *c = s; *c; c++) {
		if (*c == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addc(b, *c);
	}
	buf_addc(b, '\'');
}

static void
print_export(const char *dir)
{
	struct buf b;
	buf_init(&b);
	char *conf = xasprintf("%s/slurm.conf", dir);
	char *cmds = commands_dir();
	buf_adds(&b, "export SLURM_CONF=");
	shell_quote(&b, conf);
	buf_adds(&b, " PATH=");
	shell_quote(&b, cmds);
	buf_adds(&b, ":$PATH\n");
	fputs(buf_str(&b), stdout);
	fflush(stdout);
	buf_free(&b);
	free(conf);
	free(cmds);
}

/* Exclusive lock on DIR/run/herd.lock for the duration of up/down, so two
 * launchers never race on one directory.  fd or -1. */
static int
lock_dir(const char *dir)
{
	char *path = xasprintf("%s/run/herd.lock", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	free(path);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

static void
tail_file(const char *path, int lines)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size == 0) {
		close(fd);
		return;
	}
	off_t want = st.st_size > 8192 ? 8192 : st.st_size;
	char *buf = xmalloc((size_t)want + 1);
	ssize_t n = pread(fd, buf, (size_t)want, st.st_size - want);
	close(fd);
	if (n <= 0) {
		free(buf);
		return;
	}
	buf[n] = '\0';
	char *start = buf + n;
	int seen = 0;
	if (start > buf && start[-1] == '\n')
		start--;
	while (start > buf) {
		if (start[-1] == '\n' && ++seen == lines)
			break;
		start--;
	}
	fprintf(stderr, "==> %s <==\n%s%s", path, start, buf[n - 1] == '\n' ? "" : "\n");
	free(buf);
}

static void
tail_logs(const char *dir, const struct proc *ps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *base = ps[i].node[0] ? xasprintf("%s/log/%s-%s", dir, ps[i].prog, ps[i].node)
		                           : xasprintf("%s/log/%s", dir, ps[i].prog);
		char *log = xasprintf("%s.log", base);
		char *out = xasprintf("%s.out", base);
		tail_file(log, 10);
		tail_file(out, 10);
		free(base);
		free(log);
		free(out);
	}
}

/* Live processes recorded in DIR/run/herd.pids: count (0 when none). */
static size_t
running_count(const char *pidfile)
{
	struct proc *ps = NULL;
	size_t n = 0, alive = 0;
	if (procs_read_pidfile(pidfile, &ps, &n) < 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		alive += procs_alive(&ps[i]) ? 1 : 0;
	free(ps);
	return alive;
}

static int
bad_dir_chars(const char *dir)
{
	return strpbrk(dir, " \t\n\"#\\,=") != NULL;
}

/* A listening socket already on port (another cluster, another program)
 * would make a daemon fail late or, worse, let herd up talk to the wrong
 * controller: check before starting anything. */
static int
port_in_use(uint16_t port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	int busy = bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 && errno == EADDRINUSE;
	close(fd);
	if (busy)
		fprintf(stderr,
		    "herd: port %u is already in use (another cluster? choose other ports with --port)\n",
		    port);
	return busy;
}

static int
spawn_daemon(
    struct proc *p, const char *dir, const char *path, char *const argv[], const char *prog, const char *node)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->prog, sizeof(p->prog), "%s", prog);
	snprintf(p->node, sizeof(p->node), "%s", node ? node : "");
	char *out =
	    node ? xasprintf("%s/log/%s-%s.out", dir, prog, node) : xasprintf("%s/log/%s.out", dir, prog);
	int rc = procs_spawn(p, path, argv, out);
	if (rc < 0)
		fprintf(stderr, "herd: cannot start %s: %s\n", path, strerror(errno));
	free(out);
	return rc;
}

static int
cmd_up(const char *dir, struct herd_opts *o, int timeout_ms)
{
	int64_t t0 = herd_now_ms();
	int rc = 1, lock = -1;
	char err[1024];
	char *conf_path = xasprintf("%s/slurm.conf", dir);
	char *pidfile = xasprintf("%s/run/herd.pids", dir);
	char *text = NULL, *ctld = NULL, *noded = NULL, *dbd = NULL, *conf_abs = NULL;
	char *dbd_conf = xasprintf("%s/slurmdbd.conf", dir);
	struct herd_conf *conf = NULL;
	struct proc *ps = NULL;
	size_t nps = 0;

	if (bad_dir_chars(dir)) {
		fprintf(stderr, "herd: the cluster directory may not contain blanks or any of \"#\\,=: %s\n",
		    dir);
		goto out;
	}
	if (strlen(dir) + sizeof("/auth.sock") > 108) {
		fprintf(stderr, "herd: the cluster directory is too long for a Unix socket path: %s\n", dir);
		goto out;
	}
	const char *sub[] = {"", "/run", "/log", "/state", "/spool"};
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		char *d = xasprintf("%s%s", dir, sub[i]);
		int r = mkdir_p(d, 0755);
		if (r < 0)
			fprintf(stderr, "herd: cannot create %s: %s\n", d, strerror(errno));
		free(d);
		if (r < 0)
			goto out;
	}
	lock = lock_dir(dir);
	if (lock < 0) {
		fprintf(stderr, "herd: cannot lock %s/run/herd.lock: %s\n", dir, strerror(errno));
		goto out;
	}
	if (running_count(pidfile) > 0) {
		fprintf(stderr, "herd: a cluster is already running in %s (herd down to stop it)\n", dir);
		goto out;
	}

	if (o->conf_file != NULL) {
		char real[PATH_MAX];
		if (realpath(o->conf_file, real) == NULL) {
			fprintf(stderr, "herd: %s: %s\n", o->conf_file, strerror(errno));
			goto out;
		}
		conf_abs = xstrdup(real);
		o->conf_file = conf_abs;
		struct herd_conf *site = conf_load(conf_abs, err, sizeof(err));
		if (site == NULL) {
			fprintf(stderr, "herd: error: %s\n", err);
			goto out;
		}
		conf_destroy(site);
		text = confgen_rewrite(o, err, sizeof(err));
		if (text == NULL) {
			fprintf(stderr, "herd: error: %s\n", err);
			goto out;
		}
	} else {
		/* the default cluster keeps accounting in SQLite through herddbd,
		 * on the port after the nodes' */
		dbd = find_prog("herddbd");
		if (dbd != NULL)
			o->dbd_port = (uint16_t)(o->port + o->nodes + 1);
		text = confgen_default(o);
	}
	ctld = find_prog("herdctld");
	noded = find_prog("herdd");
	if (ctld == NULL || noded == NULL) {
		fprintf(
		    stderr, "herd: cannot find %s next to the herd binary\n", ctld ? "herdd" : "herdctld");
		goto out;
	}
	if (!o->munge) {
		char *key = xasprintf("%s/herd.key", dir);
		struct stat st;
		int r = 0;
		if (stat(key, &st) < 0 || st.st_size < AUTH_KEY_MIN_LEN)
			r = auth_keygen(key);
		if (r < 0)
			fprintf(stderr, "herd: cannot write %s: %s\n", key, strerror(errno));
		free(key);
		if (r < 0)
			goto out;
	}
	if (confgen_write(conf_path, text) < 0) {
		fprintf(stderr, "herd: cannot write %s: %s\n", conf_path, strerror(errno));
		goto out;
	}
	conf = conf_load(conf_path, err, sizeof(err));
	if (conf == NULL) {
		fprintf(stderr, "herd: error: %s\n", err);
		goto out;
	}
	if (conf->node_cnt == 0) {
		fprintf(stderr, "herd: error: %s defines no nodes\n", conf_path);
		goto out;
	}
	if (port_in_use(conf->ctld_port))
		goto out;
	for (uint32_t i = 0; i < conf->node_cnt; i++)
		if (port_in_use(conf_node_port(conf, i)))
			goto out;
	for (uint32_t i = 0; i < conf->node_cnt; i++) {
		char *d = xasprintf("%s/spool/%s", dir, conf->nodes[i].name);
		mkdir_p(d, 0755);
		free(d);
	}

	if (o->dbd_port != 0) {
		char *dtext = confgen_dbd(o);
		int w = confgen_write(dbd_conf, dtext);
		free(dtext);
		if (w < 0 || chmod(dbd_conf, 0600) < 0) {
			fprintf(stderr, "herd: cannot write %s: %s\n", dbd_conf, strerror(errno));
			goto out;
		}
		if (port_in_use(o->dbd_port))
			goto out;
	}
	ps = xcalloc((size_t)conf->node_cnt + 2, sizeof(*ps));
	char *ctld_argv[] = {ctld, "-D", "-f", conf_path, NULL};
	if (spawn_daemon(&ps[nps], dir, ctld, ctld_argv, "herdctld", NULL) < 0)
		goto fail_stop;
	nps++;
	for (uint32_t i = 0; i < conf->node_cnt; i++) {
		/* as root, each node gets its own host name (herdd -H) */
		char *argv[] = {noded, "-D", "-f", conf_path, "-N", conf->nodes[i].name,
		    geteuid() == 0 ? "-H" : NULL, NULL};
		if (spawn_daemon(&ps[nps], dir, noded, argv, "herdd", conf->nodes[i].name) < 0)
			goto fail_stop;
		nps++;
	}
	if (o->dbd_port != 0) {
		char *argv[] = {dbd, "-D", "-f", dbd_conf, NULL};
		if (spawn_daemon(&ps[nps], dir, dbd, argv, "herddbd", NULL) < 0)
			goto fail_stop;
		nps++;
	}
	if (procs_write_pidfile(pidfile, ps, nps) < 0) {
		fprintf(stderr, "herd: cannot write %s: %s\n", pidfile, strerror(errno));
		goto fail_stop;
	}
	uint32_t idle = 0;
	if (ready_wait(conf_path, ps, nps, timeout_ms, &herd_stop, &idle) < 0) {
		tail_logs(dir, ps, nps);
		goto fail_stop;
	}
	if (lastrun_save(dir, o) < 0)
		fprintf(stderr, "herd: warning: cannot record the options in %s/run/herd.opts: %s\n", dir,
		    strerror(errno));
	double secs = (double)(herd_now_ms() - t0) / 1000.0;
	if (idle == conf->node_cnt)
		fprintf(stderr, "herd: cluster %s is up in %s: %u node%s idle after %.2f s\n",
		    conf->cluster_name, dir, conf->node_cnt, conf->node_cnt == 1 ? "" : "s", secs);
	else
		fprintf(stderr,
		    "herd: cluster %s is up in %s: %u nodes up (%u idle, the others run jobs from before) "
		    "after %.2f s\n",
		    conf->cluster_name, dir, conf->node_cnt, idle, secs);
	print_export(dir);
	rc = 0;
	goto out;

fail_stop:
	procs_stop(ps, nps, HERD_STOP_TIMEOUT_MS);
	unlink(pidfile);
	if (nps > 0)
		fprintf(stderr, "herd: stopped the %zu daemon%s herd up started; logs are in %s/log\n", nps,
		    nps == 1 ? "" : "s", dir);
out:
	if (lock >= 0)
		close(lock);
	conf_destroy(conf);
	free(ps);
	free(text);
	free(ctld);
	free(noded);
	free(dbd);
	free(dbd_conf);
	free(conf_abs);
	free(conf_path);
	free(pidfile);
	return rc;
}

static int
cmd_down(const char *dir)
{
	char *pidfile = xasprintf("%s/run/herd.pids", dir);
	struct proc *ps = NULL;
	size_t n = 0;
	int lock = -1, rc = 0;
	if (access(pidfile, F_OK) < 0) {
		fprintf(stderr, "herd: no cluster is running in %s\n", dir);
		goto out;
	}
	lock = lock_dir(dir);
	if (procs_read_pidfile(pidfile, &ps, &n) < 0) {
		if (errno == ENOENT) {
			fprintf(stderr, "herd: no cluster is running in %s\n", dir);
			goto out;
		}
		fprintf(stderr, "herd: cannot read %s: %s\n", pidfile, strerror(errno));
		rc = 1;
		goto out;
	}
	size_t alive = 0;
	for (size_t i = 0; i < n; i++)
		alive += procs_alive(&ps[i]) ? 1 : 0;
	int killed = procs_stop(ps, n, HERD_STOP_TIMEOUT_MS);
	for (size_t i = 0; i < n; i++) {
		if (procs_alive(&ps[i])) {
			char label[PROCS_NAME_MAX + 40];
			procs_label(&ps[i], label, sizeof(label));
			fprintf(stderr, "herd: %s (pid %ld) did not stop\n", label, (long)ps[i].pid);
			rc = 1;
		}
	}
	if (rc == 0)
		unlink(pidfile);
	fprintf(stderr, "herd: stopped %zu daemon%s in %s", alive, alive == 1 ? "" : "s", dir);
	if (killed > 0)
		fprintf(stderr, " (%d needed SIGKILL)", killed);
	fputc('\n', stderr);
out:
	if (lock >= 0)
		close(lock);
	free(ps);
	free(pidfile);
	return rc;
}

static int
cmd_status(const char *dir)
{
	char *pidfile = xasprintf("%s/run/herd.pids", dir);
	struct proc *ps = NULL;
	size_t n = 0;
	int rc = 3;
	if (procs_read_pidfile(pidfile, &ps, &n) < 0 || n == 0) {
		printf("no cluster in %s\n", dir);
		goto out;
	}
	size_t alive = 0;
	printf("cluster in %s\n", dir);
	for (size_t i = 0; i < n; i++) {
		char label[PROCS_NAME_MAX + 40];
		procs_label(&ps[i], label, sizeof(label));
		int up = procs_alive(&ps[i]);
		alive += up ? 1 : 0;
		printf("%-24s %8ld  %s\n", label, (long)ps[i].pid, up ? "running" : "stopped");
	}
	rc = alive == n ? 0 : 3;
out:
	free(ps);
	free(pidfile);
	return rc;
}

/* herd up without shape options on a directory used before: the same
 * cluster as last time (shape, slurm.conf source, auth, port), unless the
 * command line says otherwise. */
static void
reuse_last(struct herd_opts *o, const struct lastrun *l, int shape_given, int port_given)
{
	struct buf b;
	buf_init(&b);
	if (!shape_given) {
		if (l->conf_file[0]) {
			o->conf_file = l->conf_file;
			buf_printf(&b, " --conf %s", l->conf_file);
		} else {
			o->nodes = l->nodes;
			o->cpus = l->cpus;
			buf_printf(&b, " --nodes %u --cpus %u", l->nodes, l->cpus);
		}
		if (l->munge && !o->munge) {
			o->munge = 1;
			buf_adds(&b, " --munge");
		}
	}
	if (!port_given) {
		o->port = l->port;
		buf_printf(&b, " --port %u", l->port);
	}
	if (b.len > 0)
		fprintf(stderr, "herd: as the last herd up in %s:%s\n", o->dir, buf_str(&b));
	buf_free(&b);
}

static int
parse_u32(const char *opt, const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < lo || v > hi || s[0] == '-') {
		fprintf(stderr, "herd: invalid %s '%s' (expected %u..%u)\n", opt, s, lo, hi);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
		printf("herd %s\n", HERD_VERSION);
		return 0;
	}
	int is_up = strcmp(cmd, "up") == 0;
	if (!is_up && strcmp(cmd, "down") != 0 && strcmp(cmd, "status") != 0 && strcmp(cmd, "env") != 0) {
		fprintf(stderr, "herd: unknown command '%s'\n", cmd);
		usage(stderr);
		return 2;
	}

	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"nodes", required_argument, NULL, 'n'},
	    {"cpus", required_argument, NULL, 'c'},
	    {"port", required_argument, NULL, 'p'},
	    {"conf", required_argument, NULL, 'f'},
	    {"munge", no_argument, NULL, 'M'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct passwd *pw = getpwuid(geteuid());
	struct herd_opts o = {
	    .nodes = HERD_DEFAULT_NODES,
	    .cpus = HERD_DEFAULT_CPUS,
	    .port = HERD_DEFAULT_PORT,
	    .user = pw ? pw->pw_name : "root",
	};
	const char *dir_opt = NULL;
	int shape_given = 0, port_given = 0;
	uint32_t v, timeout_s = HERD_READY_TIMEOUT_MS / 1000;
	int ch;
	optind = 2;
	while ((ch = getopt_long(argc, argv, "d:n:c:p:f:t:h", longopts, NULL)) != -1) {
		if (!is_up && ch != 'd' && ch != 'h' && ch != '?') {
			const char *name = "?";
			for (const struct option *lo = longopts; lo->name != NULL; lo++)
				if (lo->val == ch)
					name = lo->name;
			fprintf(stderr, "herd: option --%s is only for herd up\n", name);
			return 2;
		}
		switch (ch) {
		case 'd':
			dir_opt = optarg;
			break;
		case 'n':
			if (parse_u32("--nodes", optarg, 1, 9999, &o.nodes) < 0)
				return 2;
			shape_given = 1;
			break;
		case 'c':
			if (parse_u32("--cpus", optarg, 1, 4096, &o.cpus) < 0)
				return 2;
			shape_given = 1;
			break;
		case 'p':
			if (parse_u32("--port", optarg, 1, 65534, &v) < 0)
				return 2;
			o.port = (uint16_t)v;
			port_given = 1;
			break;
		case 'f':
			o.conf_file = optarg;
			break;
		case 'M':
			o.munge = 1;
			break;
		case 't':
			if (parse_u32("--timeout", optarg, 1, 86400, &timeout_s) < 0)
				return 2;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "herd: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (o.conf_file != NULL && shape_given) {
		fprintf(
		    stderr, "herd: --nodes and --cpus do not apply with --conf (the file gives the shape)\n");
		return 2;
	}

	char *dir = resolve_dir(dir_opt);
	o.dir = dir;
	struct lastrun last;
	if (is_up && lastrun_load(dir, &last) == 0)
		reuse_last(&o, &last, shape_given || o.conf_file != NULL, port_given);
	if (o.conf_file == NULL && (uint32_t)o.port + o.nodes > 65535) {
		fprintf(stderr, "herd: ports %u..%u do not fit below 65536\n", o.port, o.port + o.nodes);
		free(dir);
		return 2;
	}
	int rc;
	if (is_up) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		signal(SIGPIPE, SIG_IGN);
		rc = cmd_up(dir, &o, (int)timeout_s * 1000);
	} else if (strcmp(cmd, "down") == 0) {
		rc = cmd_down(dir);
	} else if (strcmp(cmd, "status") == 0) {
		rc = cmd_status(dir);
	} else {
		char *pidfile = xasprintf("%s/run/herd.pids", dir);
		size_t alive = running_count(pidfile);
		free(pidfile);
		if (alive == 0) {
			fprintf(stderr, "herd: no cluster is running in %s\n", dir);
			rc = 1;
		} else {
			print_export(dir);
			rc = 0;
		}
	}
	free(dir);
	return rc;
}
