/* SPDX-License-Identifier: MIT */
/*
 * The slurm.conf that herd up runs: either the embedded defaults (a small
 * cluster on this machine) or a site's slurm.conf rewritten so that its
 * controller and every one of its nodes are served by local processes on
 * 127.0.0.1, each node daemon on its own port, with every path the
 * daemons write moved into the cluster directory.  A rewrite changes only
 * the lines it must and keeps the rest (comments included) as written.
 */
#include "herd.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "hostlist/hostlist.h"

#define CONFGEN_MAX_INCLUDE_DEPTH 16

/* The keys a local run must own, in the order they are added when the
 * site file does not set them. */
enum ck {
	CK_CTLD_HOST,
	CK_CTLD_PORT,
	CK_AUTH_TYPE,
	CK_STATE_SAVE,
	CK_SPOOL,
	CK_CTLD_LOG,
	CK_SLURMD_LOG,
	CK_CTLD_PID,
	CK_SLURMD_PID,
	CK_USER,
	CK_COUNT
};

static uint64_t
confgen_mem_per_node_mb(uint32_t nodes)
{
	long pages = sysconf(_SC_PHYS_PAGES);
	long psize = sysconf(_SC_PAGESIZE);
	uint64_t total_mb = 1024;
	if (pages > 0 && psize > 0)
		total_mb = (uint64_t)pages * (uint64_t)psize / (1024 * 1024);
	uint64_t per = total_mb / (nodes ? nodes : 1);
	return per ? per : 1;
}

/* "node[01-04]" style expression for n nodes named prefix + number padded
 * to at least two digits. */
static char *
confgen_range(const char *prefix, uint32_t first, uint32_t n, int width)
{
	if (n == 1)
		return xasprintf("%s%0*u", prefix, width, first);
	return xasprintf("%s[%0*u-%0*u]", prefix, width, first, width, first + n - 1);
}

static char *
confgen_ports(uint32_t first, uint32_t n)
{
	if (n == 1)
		return xasprintf("%u", first);
	return xasprintf("[%u-%u]", first, first + n - 1);
}

/* Values this file writes for the keys it owns. */
static void
confgen_add_owned(struct buf *b, const struct herd_opts *o, enum ck k, const char *ctld_host)
{
	switch (k) {
	case CK_CTLD_HOST:
		buf_printf(b, "SlurmctldHost=%s(127.0.0.1)", ctld_host);
		break;
	case CK_CTLD_PORT:
		buf_printf(b, "SlurmctldPort=%u", o->port);
		break;
	case CK_AUTH_TYPE:
		if (o->munge)
			buf_printf(b, "AuthType=auth/munge");
		else
			buf_printf(b, "AuthType=auth/slurm AuthInfo=key=%s/herd.key,socket=%s/auth.sock",
			    o->dir, o->dir);
		break;
	case CK_STATE_SAVE:
		buf_printf(b, "StateSaveLocation=%s/state", o->dir);
		break;
	case CK_SPOOL:
		buf_printf(b, "SlurmdSpoolDir=%s/spool/%%n", o->dir);
		break;
	case CK_CTLD_LOG:
		buf_printf(b, "SlurmctldLogFile=%s/log/herdctld.log", o->dir);
		break;
	case CK_SLURMD_LOG:
		buf_printf(b, "SlurmdLogFile=%s/log/herdd-%%n.log", o->dir);
		break;
	case CK_CTLD_PID:
		buf_printf(b, "SlurmctldPidFile=%s/run/herdctld.pid", o->dir);
		break;
	case CK_SLURMD_PID:
		buf_printf(b, "SlurmdPidFile=%s/run/herdd-%%n.pid", o->dir);
		break;
	case CK_USER:
		buf_printf(b, "SlurmUser=%s", o->user);
		break;
	case CK_COUNT:
		break;
	}
}

char *
confgen_default(const struct herd_opts *o)
{
	struct buf b;
	buf_init(&b);
	int width = 2;
	for (uint32_t n = o->nodes; n >= 100; n /= 10)
		width++;
	char *nodes = confgen_range("node", 1, o->nodes, width);
	char *ports = confgen_ports((uint32_t)o->port + 1, o->nodes);
	char *acct = o->dbd_port ? xasprintf("AccountingStorageType=accounting_storage/slurmdbd\n"
	                                     "AccountingStorageHost=localhost\n"
	                                     "AccountingStoragePort=%u\n",
	                               o->dbd_port)
	                         : xstrdup("");

	buf_printf(&b, "# slurm.conf written by `herd up` (embedded defaults).  herd up rewrites it\n"
	               "# each time; to run a cluster of your own shape, copy it and start it with\n"
	               "# `herd up --conf FILE`.\n"
	               "ClusterName=herd\n");
	for (int k = 0; k < CK_COUNT; k++) {
		confgen_add_owned(&b, o, (enum ck)k, "localhost");
		buf_addc(&b, '\n');
	}
	buf_printf(&b,
	    "SelectType=select/cons_tres\n"
	    "SelectTypeParameters=CR_Core\n"
	    "ProctrackType=proctrack/linuxproc\n"
	    "ReturnToService=2\n"
	    "MinJobAge=300\n"
	    "SlurmdTimeout=300\n"
	    "KillWait=30\n"
	    "%s"
	    "NodeName=%s NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=%u RealMemory=%llu Port=%s\n"
	    "PartitionName=compute Nodes=%s Default=YES MaxTime=24:00:00 State=UP OverSubscribe=YES\n",
	    acct, nodes, o->cpus, (unsigned long long)confgen_mem_per_node_mb(o->nodes), ports, nodes);
	free(acct);
	free(nodes);
	free(ports);
	return buf_take(&b);
}

/* ---- rewriting a site file ---- */

struct pair {
	const char *key;
	size_t key_len;
	const char *val; /* raw, quotes included */
	size_t val_len;
};

struct rw {
	const struct herd_opts *o;
	struct buf out;
	uint32_t next_port;
	int seen[CK_COUNT];
	char *cluster; /* ClusterName seen so far, for Include %c */
	const char *main_dir; /* directory of the site slurm.conf */
	char *err;
	size_t errlen;
};

static int
key_is(const struct pair *p, const char *name)
{
	return p->key_len == strlen(name) && strncasecmp(p->key, name, p->key_len) == 0;
}

static char *
slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct buf b;
	buf_init(&b);
	char tmp[8192];
	for (;;) {
		ssize_t r = read(fd, tmp, sizeof(tmp));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;
			close(fd);
			buf_free(&b);
			errno = saved;
			return NULL;
		}
		if (r == 0)
			break;
		buf_add(&b, tmp, (size_t)r);
	}
	close(fd);
	*len = b.len;
	buf_addc(&b, '\0');
	return buf_take(&b);
}

/* Offset of the comment '#' in line (not escaped, not quoted), or len. */
static size_t
comment_start(const char *s, size_t len)
{
	int quoted = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			i++;
			continue;
		}
		if (s[i] == '"')
			quoted = !quoted;
		else if (s[i] == '#' && !quoted)
			return i;
	}
	return len;
}

static int
is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '.';
}

/* Split "K=V K2 = "v 2"" into pairs; -1 when the text is not a pair list
 * (then the line is copied as it is and the daemon's parser judges it). */
static int
split_pairs(const char *s, size_t len, struct pair **out, size_t *n)
{
	struct pair *v = NULL;
	size_t cnt = 0;
	size_t i = 0;
	for (;;) {
		while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
			i++;
		if (i >= len)
			break;
		struct pair p;
		p.key = s + i;
		while (i < len && is_key_char(s[i]))
			i++;
		p.key_len = (size_t)(s + i - p.key);
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (p.key_len == 0 || i >= len || s[i] != '=')
			goto fail;
		i++;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		p.val = s + i;
		if (i < len && s[i] == '"') {
			i++;
			while (i < len && s[i] != '"')
				i++;
			if (i >= len)
				goto fail;
			i++;
		} else {
			while (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '\r') {
				if (s[i] == '\\' && i + 1 < len)
					i++;
				i++;
			}
		}
		p.val_len = (size_t)(s + i - p.val);
		v = xreallocarray(v, cnt + 1, sizeof(*v));
		v[cnt++] = p;
	}
	*out = v;
	*n = cnt;
	return 0;
fail:
	free(v);
	return -1;
}

/* Value without quotes and backslash escapes; caller frees. */
static char *
pair_value(const struct pair *p)
{
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < p->val_len; i++) {
		char c = p->val[i];
		if (c == '"')
			continue;
		if (c == '\\' && i + 1 < p->val_len)
			c = p->val[++i];
		buf_addc(&b, c);
	}
	buf_addc(&b, '\0');
	return buf_take(&b);
}

static void
add_pair_raw(struct buf *b, const struct pair *p)
{
	if (b->len > 0 && b->data[b->len - 1] != '\n')
		buf_addc(b, ' ');
	buf_add(b, p->key, p->key_len);
	buf_addc(b, '=');
	buf_add(b, p->val, p->val_len);
}

static int rw_file(struct rw *r, const char *path, int depth);

static int
rw_include(struct rw *r, const char *arg, size_t len, const char *cur_path, size_t lineno, int depth)
{
	struct buf name;
	buf_init(&name);
	while (len > 0 && (arg[len - 1] == ' ' || arg[len - 1] == '\t' || arg[len - 1] == '\r'))
		len--;
	for (size_t i = 0; i < len; i++) {
		if (arg[i] == '%' && i + 1 < len && arg[i + 1] == 'c') {
			buf_adds(&name, r->cluster ? r->cluster : "");
			i++;
		} else {
			buf_addc(&name, arg[i]);
		}
	}
	char *file = buf_take(&name);
	char *full = file[0] == '/' ? xstrdup(file) : xasprintf("%s/%s", r->main_dir, file);
	if (depth >= CONFGEN_MAX_INCLUDE_DEPTH) {
		snprintf(r->err, r->errlen, "%s:%zu: Include nested too deeply", cur_path, lineno);
		free(file);
		free(full);
		return -1;
	}
	buf_printf(&r->out, "# herd: Include %s inlined here\n", full);
	int rc = rw_file(r, full, depth + 1);
	if (rc == 0)
		buf_printf(&r->out, "# herd: end of %s\n", full);
	else if (r->err[0] == '\0')
		snprintf(r->err, r->errlen, "%s:%zu: cannot read included file %s: %s", cur_path, lineno,
		    full, strerror(errno));
	free(file);
	free(full);
	return rc;
}

static int
rw_node_line(struct rw *r, struct pair *pv, size_t n, const char *comment, size_t comment_len,
    const char *path, size_t lineno)
{
	char *names = pair_value(&pv[0]);
	struct hostlist *hl = hostlist_create(names);
	if (hl == NULL || hostlist_count(hl) == 0) {
		snprintf(r->err, r->errlen, "%s:%zu: invalid NodeName '%s'", path, lineno, names);
		hostlist_destroy(hl);
		free(names);
		return -1;
	}
	uint32_t cnt = (uint32_t)hostlist_count(hl);
	hostlist_destroy(hl);
	free(names);
	if ((uint64_t)r->next_port + cnt - 1 > 65535) {
		snprintf(r->err, r->errlen, "%s:%zu: not enough ports above %u for every node", path, lineno,
		    r->o->port);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (key_is(&pv[i], "NodeAddr") || key_is(&pv[i], "Port"))
			continue;
		add_pair_raw(&r->out, &pv[i]);
	}
	char *ports = confgen_ports(r->next_port, cnt);
	buf_printf(&r->out, " NodeAddr=127.0.0.1 Port=%s", ports);
	free(ports);
	r->next_port += cnt;
	if (comment_len > 0) {
		buf_addc(&r->out, ' ');
		buf_add(&r->out, comment, comment_len);
	}
	buf_addc(&r->out, '\n');
	return 0;
}

/* A line of global keys: replace the owned ones.  Returns 1 when the line
 * was rewritten into r->out, 0 when it must be copied verbatim. */
static int
rw_global_line(struct rw *r, struct pair *pv, size_t n, const char *comment, size_t comment_len)
{
	struct buf line;
	buf_init(&line);
	int changed = 0;
	for (size_t i = 0; i < n; i++) {
		struct pair *p = &pv[i];
		int k = -1;
		if (key_is(p, "ClusterName")) {
			free(r->cluster);
			r->cluster = pair_value(p);
			for (char *c = r->cluster; *c; c++)
				*c = (char)tolower((unsigned char)*c); /* as the parser stores it */
		}
		if (key_is(p, "SlurmctldHost") || key_is(p, "ControlMachine")) {
			changed = 1;
			if (r->seen[CK_CTLD_HOST])
				continue; /* a backup controller: there is one local controller */
			char *host = pair_value(p);
			host[strcspn(host, "(")] = '\0';
			if (line.len)
				buf_addc(&line, ' ');
			confgen_add_owned(&line, r->o, CK_CTLD_HOST, host);
			r->seen[CK_CTLD_HOST] = 1;
			free(host);
			continue;
		}
		if (key_is(p, "ControlAddr") || key_is(p, "BackupController") || key_is(p, "BackupAddr")) {
			changed = 1;
			continue;
		}
		if (key_is(p, "AuthInfo") && !r->o->munge) {
			changed = 1; /* replaced together with AuthType */
			continue;
		}
		if (key_is(p, "SlurmctldPort"))
			k = CK_CTLD_PORT;
		else if (key_is(p, "AuthType"))
			k = r->o->munge ? -1 : CK_AUTH_TYPE;
		else if (key_is(p, "StateSaveLocation"))
			k = CK_STATE_SAVE;
		else if (key_is(p, "SlurmdSpoolDir"))
			k = CK_SPOOL;
		else if (key_is(p, "SlurmctldLogFile"))
			k = CK_CTLD_LOG;
		else if (key_is(p, "SlurmdLogFile"))
			k = CK_SLURMD_LOG;
		else if (key_is(p, "SlurmctldPidFile"))
			k = CK_CTLD_PID;
		else if (key_is(p, "SlurmdPidFile"))
			k = CK_SLURMD_PID;
		else if (key_is(p, "SlurmUser"))
			k = CK_USER;
		if (key_is(p, "AuthType") && r->o->munge)
			r->seen[CK_AUTH_TYPE] = 1;
		if (k < 0) {
			add_pair_raw(&line, p);
			continue;
		}
		changed = 1;
		if (line.len)
			buf_addc(&line, ' ');
		confgen_add_owned(&line, r->o, (enum ck)k, NULL);
		r->seen[k] = 1;
	}
	if (!changed) {
		buf_free(&line);
		return 0;
	}
	if (line.len > 0 || comment_len > 0) {
		buf_add(&r->out, line.data, line.len);
		if (comment_len > 0) {
			if (line.len > 0)
				buf_addc(&r->out, ' ');
			buf_add(&r->out, comment, comment_len);
		}
		buf_addc(&r->out, '\n');
	}
	buf_free(&line);
	return 1;
}

/* One logical line (continuations joined); raw is the physical text. */
static int
rw_line(struct rw *r, const char *logical, size_t len, const char *raw, size_t raw_len, const char *path,
    size_t lineno, int depth)
{
	size_t cstart = comment_start(logical, len);
	const char *comment = logical + cstart;
	size_t comment_len = len - cstart;
	while (comment_len > 0 && (comment[comment_len - 1] == '\r' || comment[comment_len - 1] == ' '))
		comment_len--;
	size_t i = 0;
	while (i < cstart && (logical[i] == ' ' || logical[i] == '\t'))
		i++;
	if (cstart - i > 8 && strncasecmp(logical + i, "include", 7) == 0 &&
	    (logical[i + 7] == ' ' || logical[i + 7] == '\t')) {
		size_t a = i + 8;
		while (a < cstart && (logical[a] == ' ' || logical[a] == '\t'))
			a++;
		return rw_include(r, logical + a, cstart - a, path, lineno, depth);
	}

	struct pair *pv = NULL;
	size_t n = 0;
	int rc = 0;
	if (split_pairs(logical, cstart, &pv, &n) < 0 || n == 0)
		goto verbatim;
	if (key_is(&pv[0], "NodeName")) {
		char *v = pair_value(&pv[0]);
		int is_default = strcasecmp(v, "DEFAULT") == 0;
		free(v);
		if (is_default)
			goto verbatim;
		rc = rw_node_line(r, pv, n, comment, comment_len, path, lineno);
		free(pv);
		return rc;
	}
	if (key_is(&pv[0], "PartitionName") || key_is(&pv[0], "DownNodes") || key_is(&pv[0], "NodeSet") ||
	    key_is(&pv[0], "FrontendName") || key_is(&pv[0], "SwitchName"))
		goto verbatim;
	if (rw_global_line(r, pv, n, comment, comment_len)) {
		free(pv);
		return 0;
	}
verbatim:
	free(pv);
	buf_add(&r->out, raw, raw_len);
	if (raw_len == 0 || raw[raw_len - 1] != '\n')
		buf_addc(&r->out, '\n');
	return rc;
}

static int
ends_continued(const char *s, size_t len)
{
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	size_t bs = 0;
	while (bs < len && s[len - 1 - bs] == '\\')
		bs++;
	return bs % 2 == 1;
}

static int
rw_file(struct rw *r, const char *path, int depth)
{
	size_t len;
	char *text = slurp(path, &len);
	if (text == NULL) {
		if (depth == 0)
			snprintf(r->err, r->errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	struct buf logical;
	buf_init(&logical);
	size_t pos = 0, lineno = 0;
	int rc = 0;
	while (pos < len && rc == 0) {
		size_t raw_start = pos, first_line = lineno + 1;
		buf_reset(&logical);
		for (;;) {
			const char *nl = memchr(text + pos, '\n', len - pos);
			size_t end = nl ? (size_t)(nl - text) : len;
			lineno++;
			size_t l = end - pos;
			int cont = ends_continued(text + pos, l);
			if (cont) {
				/* drop the backslash (and blanks after it) */
				while (l > 0 && text[pos + l - 1] != '\\')
					l--;
				l--;
			}
			buf_add(&logical, text + pos, l);
			pos = nl ? end + 1 : len;
			if (!cont || pos >= len)
				break;
		}
		rc = rw_line(r, logical.data ? logical.data : "", logical.len, text + raw_start,
		    pos - raw_start, path, first_line, depth);
	}
	buf_free(&logical);
	free(text);
	return rc;
}

char *
confgen_rewrite(const struct herd_opts *o, char *err, size_t errlen)
{
	struct rw r;
	memset(&r, 0, sizeof(r));
	r.o = o;
	r.err = err;
	r.errlen = errlen;
	err[0] = '\0';
	r.next_port = (uint32_t)o->port + 1;
	char *main_dir = xstrdup(o->conf_file);
	char *slash = strrchr(main_dir, '/');
	if (slash == NULL) {
		free(main_dir);
		main_dir = xstrdup(".");
	} else if (slash == main_dir) {
		slash[1] = '\0';
	} else {
		*slash = '\0';
	}
	r.main_dir = main_dir;
	buf_init(&r.out);
	buf_printf(&r.out,
	    "# Written by herd up from %s\n"
	    "# for a local run: the controller and every node on 127.0.0.1 (each node\n"
	    "# daemon on its own port), every path the daemons write under\n"
	    "# %s.  The original is unchanged; herd up rewrites this copy.\n",
	    o->conf_file, o->dir);
	if (rw_file(&r, o->conf_file, 0) < 0) {
		buf_free(&r.out);
		free(r.cluster);
		free(main_dir);
		return NULL;
	}
	int header = 0;
	for (int k = 0; k < CK_COUNT; k++) {
		if (r.seen[k])
			continue;
		if (k == CK_AUTH_TYPE && o->munge)
			continue; /* the default is auth/munge */
		if (k == CK_CTLD_HOST) {
			snprintf(err, errlen, "%s: no SlurmctldHost", o->conf_file);
			buf_free(&r.out);
			free(r.cluster);
			free(main_dir);
			return NULL;
		}
		if (!header)
			buf_adds(&r.out, "# -- added by herd up for the local run\n");
		header = 1;
		confgen_add_owned(&r.out, o, (enum ck)k, NULL);
		buf_addc(&r.out, '\n');
	}
	free(r.cluster);
	free(main_dir);
	return buf_take(&r.out);
}

int
confgen_write(const char *path, const char *text)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int saved = errno;
			close(fd);
			unlink(tmp);
			errno = saved;
			goto fail;
		}
		off += (size_t)w;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		int saved = errno;
		unlink(tmp);
		errno = saved;
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	free(tmp);
	return -1;
}

char *
confgen_dbd(const struct herd_opts *o)
{
	return xasprintf("# slurmdbd.conf written by `herd up`: herddbd with the embedded SQLite store\n"
	                 "DbdHost=localhost\n"
	                 "DbdAddr=127.0.0.1\n"
	                 "DbdPort=%u\n"
	                 "StorageType=accounting_storage/sqlite\n"
	                 "StorageLoc=%s/accounting.db\n"
	                 "SlurmUser=%s\n"
	                 "LogFile=%s/log/herddbd.log\n"
	                 "PidFile=%s/run/herddbd.pid\n",
	    o->dbd_port, o->dir, o->user, o->dir, o->dir);
}
