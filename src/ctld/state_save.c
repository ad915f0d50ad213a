/* SPDX-License-Identifier: MIT */
/*
 * herdctld state save.  StateSaveLocation holds a lock file (one
 * controller per directory), a snapshot of all jobs and a journal of
 * changes since the snapshot.  Every change is written to the journal
 * before the event-loop iteration ends; the commit callback then
 * fdatasyncs once for all of them and only then releases the replies
 * (group commit).  Loading replays snapshot then journal, stopping at a
 * torn or corrupt tail record, then writes a fresh snapshot.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/xmalloc.h"
#include "ctld.h"

#define REC_NEW 1
#define REC_UPDATE 2
#define REC_META 3
#define JOURNAL_COMPACT_BYTES (64u << 20)

struct job *job_restore(struct ctld *c, struct job_desc *desc, struct job_state *st);
void job_apply_state(struct ctld *c, struct job *j, struct job_state *st);
void job_to_state(struct ctld *c, const struct job *j, struct job_state *st);
void conn_flush_replies(struct ctld *c);

static uint32_t
fnv1a(const void *p, size_t n)
{
	const unsigned char *c = p;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 16777619u;
	}
	return h;
}

/* record: u32 kind, u32 len, u32 checksum, payload */
static void
rec_frame(struct buf *out, uint32_t kind, const struct rdesc *d, const void *rec)
{
	size_t start = out->len;
	buf_pad(out, 0, 12);
	proto_pack(d, rec, out);
	uint32_t len = (uint32_t)(out->len - start - 12);
	uint32_t sum = fnv1a(out->data + start + 12, len);
	uint32_t hdr[3] = {kind, len, sum};
	memcpy(out->data + start, hdr, 12);
}

static char *
state_path(struct ctld *c, const char *name)
{
	return xasprintf("%s/%s", c->conf->state_save_location, name);
}

static void
meta_record(struct ctld *c, struct buf *b)
{
	struct keyvals kv;
	memset(&kv, 0, sizeof(kv));
	strv_addf(&kv.keyvals, &kv.keyvals_cnt, "next_job_id=%u", c->next_job_id);
	strv_addf(&kv.keyvals, &kv.keyvals_cnt, "next_priority=%u", c->next_priority);
	rec_frame(b, REC_META, &rdesc_keyvals, &kv);
	proto_free(&rdesc_keyvals, &kv);
}

static void
new_record(struct ctld *c, struct job *j, struct buf *b)
{
	struct job_state st;
	job_to_state(c, j, &st);
	struct job_saved sv = {.desc = j->desc, .desc_cnt = 1, .st = &st, .st_cnt = 1};
	rec_frame(b, REC_NEW, &rdesc_job_saved, &sv);
	proto_free(&rdesc_job_state, &st);
}

static int
write_file_sync(const char *path, const void *data, size_t len)
{
	char *tmp = xasprintf("%s.new", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(tmp);
		return -1;
	}
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			unlink(tmp);
			free(tmp);
			return -1;
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

static int
state_snapshot(struct ctld *c)
{
	struct buf b;
	buf_init(&b);
	meta_record(c, &b);
	for (struct job *j = c->jobs_head; j; j = j->next)
		new_record(c, j, &b);
	char *snap = state_path(c, "jobs.snap");
	int rc = write_file_sync(snap, b.data, b.len);
	free(snap);
	buf_free(&b);
	if (rc < 0)
		return -1;
	/* the snapshot is durable: start an empty journal */
	if (c->state_fd >= 0)
		close(c->state_fd);
	char *jp = state_path(c, "jobs.journal");
	c->state_fd = open(jp, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	free(jp);
	if (c->state_fd < 0)
		return -1;
	int dfd = open(c->conf->state_save_location, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	c->journal_bytes = 0;
	return 0;
}

static void
replay_record(struct ctld *c, uint32_t kind, const char *p, uint32_t len)
{
	if (kind == REC_META) {
		struct keyvals kv;
		if (proto_unpack(&rdesc_keyvals, p, len, &kv) < 0)
			return;
		for (uint32_t i = 0; i < kv.keyvals_cnt; i++) {
			unsigned long v;
			if (sscanf(kv.keyvals[i], "next_job_id=%lu", &v) == 1 && v > c->next_job_id)
				c->next_job_id = (uint32_t)v;
			if (sscanf(kv.keyvals[i], "next_priority=%lu", &v) == 1 && v < c->next_priority)
				c->next_priority = (uint32_t)v;
		}
		proto_free(&rdesc_keyvals, &kv);
	} else if (kind == REC_NEW) {
		struct job_saved sv;
		if (proto_unpack(&rdesc_job_saved, p, len, &sv) < 0 || sv.desc_cnt != 1 || sv.st_cnt != 1) {
			if (sv.desc_cnt == 1)
				proto_free(&rdesc_job_saved, &sv);
			log_warnx("state: skipping a malformed job record");
			c->state_unreadable++;
			return;
		}
		struct job *old = job_find(c, sv.st[0].job_id);
		if (old != NULL) {
			job_remove(c, old);
			job_free(old);
		}
		struct job_desc *desc = xmalloc(sizeof(*desc));
		memcpy(desc, &sv.desc[0], sizeof(*desc));
		free(sv.desc);
		sv.desc = NULL;
		sv.desc_cnt = 0;
		struct job *j = job_restore(c, desc, &sv.st[0]);
		if (j != NULL)
			job_insert(c, j);
		proto_free(&rdesc_job_saved, &sv);
	} else if (kind == REC_UPDATE) {
		struct job_state st;
		if (proto_unpack(&rdesc_job_state, p, len, &st) < 0) {
			log_warnx("state: skipping a malformed job update");
			c->state_unreadable++;
			return;
		}
		struct job *j = job_find(c, st.job_id);
		if (j != NULL) {
			if (st.purged) {
				job_remove(c, j);
				job_free(j);
			} else {
				job_apply_state(c, j, &st);
			}
		}
		if (st.job_id >= c->next_job_id)
			c->next_job_id = st.job_id + 1;
		proto_free(&rdesc_job_state, &st);
	}
}

static int
replay_file(struct ctld *c, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	struct stat sb;
	if (fstat(fd, &sb) < 0) {
		close(fd);
		return -1;
	}
	size_t len = (size_t)sb.st_size;
	char *data = xmalloc(len ? len : 1);
	size_t got = 0;
	while (got < len) {
		ssize_t r = read(fd, data + got, len - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	size_t off = 0;
	uint32_t n = 0;
	while (off + 12 <= got) {
		uint32_t hdr[3];
		memcpy(hdr, data + off, 12);
		if (hdr[1] > got - off - 12 || fnv1a(data + off + 12, hdr[1]) != hdr[2]) {
			log_warnx("state: %s: torn or corrupt record at offset %zu ignored", path, off);
			break;
		}
		replay_record(c, hdr[0], data + off + 12, hdr[1]);
		off += 12 + hdr[1];
		n++;
	}
	free(data);
	log_debug("state: %s: %u records", path, n);
	return 0;
}

/*
 * Records that do not decode (a state written by another herd version, or
 * damaged inside a record whose checksum holds) would vanish with the
 * fresh snapshot: the files they came from are kept aside instead, so
 * that nothing saved is lost and the jobs can still be recovered (by the
 * version that wrote them).
 */
static void
state_keep_unreadable(struct ctld *c)
{
	static const char *const names[2] = {"jobs.snap", "jobs.journal"};
	long now = (long)time(NULL);
	for (int i = 0; i < 2; i++) {
		char *from = state_path(c, names[i]);
		char *to = xasprintf("%s.unreadable-%ld", from, now);
		if (rename(from, to) == 0)
			log_warnx("state: %u saved record(s) could not be read (written by another herd "
			          "version?): %s kept as %s",
			    c->state_unreadable, names[i], to);
		else if (errno != ENOENT)
			log_warn("state: cannot keep %s aside", from);
		free(from);
		free(to);
	}
}

int
state_open(struct ctld *c)
{
	const char *dir = c->conf->state_save_location;
	c->state_fd = -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		log_warn("StateSaveLocation %s", dir);
		return -1;
	}
	char *lock = state_path(c, "herdctld.lock");
	c->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(lock);
	if (c->lock_fd < 0) {
		log_warn("StateSaveLocation %s: cannot create lock file", dir);
		return -1;
	}
	if (flock(c->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		char pid[32] = "";
		ssize_t r = pread(c->lock_fd, pid, sizeof(pid) - 1, 0);
		pid[r > 0 ? r : 0] = '\0';
		log_warnx("another herdctld (pid %s) is using StateSaveLocation %s", *pid ? pid : "?", dir);
		errno = EBUSY;
		return -1;
	}
	char pidstr[32];
	int pl = snprintf(pidstr, sizeof(pidstr), "%ld\n", (long)getpid());
	if (ftruncate(c->lock_fd, 0) == 0)
		(void)!pwrite(c->lock_fd, pidstr, (size_t)pl, 0);
	char *snap = state_path(c, "jobs.snap");
	char *jp = state_path(c, "jobs.journal");
	int rc = replay_file(c, snap);
	if (rc == 0)
		rc = replay_file(c, jp);
	free(snap);
	free(jp);
	if (rc < 0) {
		log_warn("state: cannot read saved state in %s", dir);
		return -1;
	}
	if (c->state_unreadable > 0)
		state_keep_unreadable(c);
	if (state_snapshot(c) < 0) {
		log_warn("state: cannot write %s", dir);
		return -1;
	}
	log_info("state: recovered %u jobs from %s", c->job_count, dir);
	return 0;
}

void
state_close(struct ctld *c)
{
	if (c->state_fd >= 0) {
		fdatasync(c->state_fd);
		close(c->state_fd);
	}
	c->state_fd = -1;
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	c->lock_fd = -1;
}

/* Append a record; 0, or -1 when it could not be written whole (disk
 * full...), in which case the journal is cut back to where it was so that
 * no torn record sits in front of later ones. */
static int
state_append_mode(struct ctld *c, struct buf *b, int durable)
{
	const char *p = b->data;
	size_t left = b->len;
	while (left > 0) {
		ssize_t w = write(c->state_fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			log_warn("state: journal write failed");
			if (ftruncate(c->state_fd, (off_t)c->journal_bytes) < 0)
				log_warn("state: cannot cut the journal back");
			return -1;
		}
		p += w;
		left -= (size_t)w;
	}
	c->journal_bytes += b->len;
	if (durable) {
		c->state_dirty = 1;
		state_commit_request(c);
	}
	return 0;
}

static int
state_append(struct ctld *c, struct buf *b)
{
	return state_append_mode(c, b, 1);
}

int
state_job_new(struct ctld *c, struct job *j)
{
	struct buf b;
	buf_init(&b);
	new_record(c, j, &b);
	int rc = state_append(c, &b);
	buf_free(&b);
	if (rc == 0)
		acct_job_changed(c, j);
	return rc;
}

/* The job's state as a journal record; durable: the next group commit
 * covers it before replies go (lazy: steps, which change many times a
 * second, ride along with the next durable commit). */
static void
job_update_record(struct ctld *c, struct job *j, int durable)
{
	struct buf b;
	buf_init(&b);
	struct job_state st;
	job_to_state(c, j, &st);
	rec_frame(&b, REC_UPDATE, &rdesc_job_state, &st);
	proto_free(&rdesc_job_state, &st);
	state_append_mode(c, &b, durable);
	buf_free(&b);
	if (durable)
		acct_job_changed(c, j);
	else
		acct_step_changed(c, j);
}

void
state_job_update_lazy(struct ctld *c, struct job *j)
{
	job_update_record(c, j, 0);
}

void
state_job_update(struct ctld *c, struct job *j)
{
	job_update_record(c, j, 1);
}

void
state_job_purge(struct ctld *c, struct job *j)
{
	struct buf b;
	buf_init(&b);
	struct job_state st;
	memset(&st, 0, sizeof(st));
	st.job_id = j->id;
	st.purged = 1;
	rec_frame(&b, REC_UPDATE, &rdesc_job_state, &st);
	state_append(c, &b);
	buf_free(&b);
}

void
state_commit_request(struct ctld *c)
{
	event_active(c->commit_ev, EV_TIMEOUT, 0);
}

void
state_commit_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctld *c = arg;
	acct_sync(c);
	if (c->state_dirty) {
		if (fdatasync(c->state_fd) < 0)
			log_warn("state: fdatasync");
		c->state_dirty = 0;
		if (c->journal_bytes > JOURNAL_COMPACT_BYTES && state_snapshot(c) < 0)
			log_warn("state: compaction failed");
	}
	conn_flush_replies(c);
}
