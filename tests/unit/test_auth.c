/* SPDX-License-Identifier: MIT */
/*
 * Tests of src/lib/auth: AuthType/AuthInfo handling, the auth/slurm
 * credential (round trip, tampering, wrong key, expiry, replay, the
 * replay cache's bounds), the sack signing socket with a real
 * unprivileged peer, and auth/munge against a private munged.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <openssl/evp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "auth/auth.h"
#include "auth/auth_int.h"
#include "base/buf.h"
#include "base/log.h"

static char tdir[256];
static char key_path[300];

static char *
tpath(const char *name)
{
	static char p[4][320];
	static int n;
	char *r = p[n++ % 4];
	snprintf(r, sizeof(p[0]), "%s/%s", tdir, name);
	return r;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
group_setup(void **state)
{
	snprintf(tdir, sizeof(tdir), "/tmp/herd-test-auth.XXXXXX");
	if (mkdtemp(tdir) == NULL)
		return -1;
	chmod(tdir, 0755); /* the unprivileged child must reach the socket */
	snprintf(key_path, sizeof(key_path), "%s/herd.key", tdir);
	if (auth_keygen(key_path) < 0)
		return -1;
	log_set_level(LOG_LVL_QUIET);
	return 0;
}

static int
group_teardown(void **state)
{
	nftw(tdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static struct auth *
slurm_auth(const char *fmt, ...)
{
	char info[1024], err[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(info, sizeof(info), fmt, ap);
	va_end(ap);
	struct auth *a = auth_create("auth/slurm", info, NULL, err, sizeof(err));
	if (a == NULL)
		print_error("auth_create: %s\n", err);
	return a;
}

static void
sample_digest(unsigned char d[AUTH_DIGEST_LEN], uint32_t req_id)
{
	const char body[] = "#!/bin/sh\nhostname\n";
	auth_digest(3, req_id, body, sizeof(body) - 1, d);
}

/* --- AuthType / AuthInfo / keys -------------------------------------- */

static void
test_invalid_type(void **state)
{
	char err[256] = "";
	assert_null(auth_create("auth/none", NULL, tdir, err, sizeof(err)));
	assert_string_equal(err, "Invalid AuthType: auth/none");
	struct auth *a = auth_create(NULL, NULL, tdir, err, sizeof(err));
	assert_non_null(a);
	assert_string_equal(auth_type_name(a), "auth/munge");
	assert_int_equal(auth_sack_listen(a), -1);
	assert_int_equal(errno, ENOTSUP);
	auth_destroy(a);
	auth_destroy(NULL);
}

static void
test_digest(void **state)
{
	/* SHA-256 of 6 bytes (type u16 LE, req_id u32 LE) and the body */
	unsigned char d1[AUTH_DIGEST_LEN], d2[AUTH_DIGEST_LEN], ref[AUTH_DIGEST_LEN];
	const unsigned char msg[] = {0x03, 0x00, 0x78, 0x56, 0x34, 0x12, 'a', 'b', 'c'};
	unsigned int n = 0;
	assert_int_equal(EVP_Digest(msg, sizeof(msg), ref, &n, EVP_sha256(), NULL), 1);
	auth_digest(3, 0x12345678, "abc", 3, d1);
	assert_memory_equal(d1, ref, AUTH_DIGEST_LEN);
	auth_digest(3, 0x12345679, "abc", 3, d2);
	assert_memory_not_equal(d1, d2, AUTH_DIGEST_LEN);
	auth_digest(4, 0x12345678, "abc", 3, d2);
	assert_memory_not_equal(d1, d2, AUTH_DIGEST_LEN);
	/* an empty body */
	assert_int_equal(EVP_Digest(msg, 6, ref, &n, EVP_sha256(), NULL), 1);
	auth_digest(3, 0x12345678, NULL, 0, d2);
	assert_memory_equal(d2, ref, AUTH_DIGEST_LEN);
}

static void
test_keygen(void **state)
{
	struct stat st;
	unsigned char k1[AUTH_KEYGEN_LEN], k2[AUTH_KEYGEN_LEN];
	char *p = tpath("gen.key");
	assert_int_equal(auth_keygen(p), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, AUTH_KEYGEN_LEN);
	FILE *f = fopen(p, "rb");
	assert_int_equal(fread(k1, 1, sizeof(k1), f), sizeof(k1));
	fclose(f);
	assert_int_equal(auth_keygen(p), 0); /* replaces */
	f = fopen(p, "rb");
	assert_int_equal(fread(k2, 1, sizeof(k2), f), sizeof(k2));
	fclose(f);
	assert_memory_not_equal(k1, k2, sizeof(k1));
	assert_int_equal(auth_keygen(tpath("no/such/dir/k")), -1);
	assert_int_equal(errno, ENOENT);
	unlink(p);
}

static void
write_file(const char *path, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	unsigned char b[64];
	memset(b, 'k', sizeof(b));
	assert_true(len <= sizeof(b));
	assert_int_equal(write(fd, b, len), (ssize_t)len);
	close(fd);
}

static void
test_key_checks(void **state)
{
	char err[256] = "";
	write_file(tpath("short.key"), 31, 0600);
	struct auth *a = auth_create("auth/slurm", "key=", NULL, err, sizeof(err));
	assert_null(a);
	assert_non_null(strstr(err, "empty value"));
	char info[512];
	snprintf(info, sizeof(info), "key=%s", tpath("short.key"));
	a = auth_create("auth/slurm", info, NULL, err, sizeof(err));
	assert_null(a);
	assert_non_null(strstr(err, "too short"));

	write_file(tpath("ok32.key"), 32, 0600);
	a = slurm_auth("key=%s", tpath("ok32.key"));
	assert_non_null(a);
	assert_true(auth_can_verify(a));
	auth_destroy(a);

	/* a directory is not a key */
	snprintf(info, sizeof(info), "key=%s", tdir);
	assert_null(auth_create("auth/slurm", info, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "not a regular file"));

	/* default key path: <conf_dir>/herd.key */
	a = auth_create("auth/slurm", NULL, tdir, err, sizeof(err));
	assert_non_null(a);
	assert_true(auth_can_verify(a));
	auth_destroy(a);

	/* several options, spaces, unknown ones ignored; bad ttl refused */
	a = slurm_auth(" key=%s , socket=%s,use_client_ids,cred_expire=70", key_path, tpath("x.sock"));
	assert_non_null(a);
	assert_true(auth_can_verify(a));
	auth_destroy(a);
	snprintf(info, sizeof(info), "key=%s,ttl=0", key_path);
	assert_null(auth_create("auth/slurm", info, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "ttl"));
	unlink(tpath("short.key"));
	unlink(tpath("ok32.key"));
}

/* --- auth/slurm credential -------------------------------------------- */

static void
test_slurm_roundtrip(void **state)
{
	struct auth *a = slurm_auth("key=%s", key_path);
	assert_non_null(a);
	unsigned char d[AUTH_DIGEST_LEN];
	sample_digest(d, 1);
	struct buf cred;
	buf_init(&cred);
	assert_int_equal(auth_sign(a, d, &cred), 0);
	assert_int_equal(cred.len, SLURM_CRED_LEN);
	uint32_t uid = 1, gid = 1;
	assert_int_equal(auth_verify(a, d, cred.data, cred.len, &uid, &gid), 0);
	assert_int_equal(uid, geteuid());
	assert_int_equal(gid, getegid());

	/* a second signature of the same digest is a different credential */
	struct buf cred2;
	buf_init(&cred2);
	assert_int_equal(auth_sign(a, d, &cred2), 0);
	assert_memory_not_equal(cred.data, cred2.data, cred.len);
	assert_int_equal(auth_verify(a, d, cred2.data, cred2.len, &uid, &gid), 0);
	buf_free(&cred);
	buf_free(&cred2);
	auth_destroy(a);
}

static void
test_slurm_tampered(void **state)
{
	struct auth *a = slurm_auth("key=%s", key_path);
	unsigned char d[AUTH_DIGEST_LEN], other[AUTH_DIGEST_LEN];
	uint32_t uid, gid;
	sample_digest(d, 2);
	sample_digest(other, 3);
	struct buf cred;
	buf_init(&cred);
	assert_int_equal(auth_sign(a, d, &cred), 0);

	/* the credential of another message */
	assert_int_equal(auth_verify(a, other, cred.data, cred.len, &uid, &gid), -1);
	assert_non_null(strstr(auth_errstr(), "Invalid credential"));
	/* one bit of the MAC */
	cred.data[cred.len - 1] ^= 0x01;
	assert_int_equal(auth_verify(a, d, cred.data, cred.len, &uid, &gid), -1);
	assert_non_null(strstr(auth_errstr(), "Invalid credential"));
	cred.data[cred.len - 1] ^= 0x01;
	/* claiming another uid */
	cred.data[SLURM_CRED_OFF_UID] ^= 0x01;
	assert_int_equal(auth_verify(a, d, cred.data, cred.len, &uid, &gid), -1);
	cred.data[SLURM_CRED_OFF_UID] ^= 0x01;
	/* a longer ttl */
	cred.data[SLURM_CRED_OFF_TTL + 1] ^= 0x01;
	assert_int_equal(auth_verify(a, d, cred.data, cred.len, &uid, &gid), -1);
	cred.data[SLURM_CRED_OFF_TTL + 1] ^= 0x01;
	/* truncated, extended, wrong version */
	assert_int_equal(auth_verify(a, d, cred.data, cred.len - 1, &uid, &gid), -1);
	assert_int_equal(auth_verify(a, d, cred.data, 0, &uid, &gid), -1);
	cred.data[0] = 2;
	assert_int_equal(auth_verify(a, d, cred.data, cred.len, &uid, &gid), -1);
	assert_non_null(strstr(auth_errstr(), "version"));
	cred.data[0] = SLURM_CRED_VERSION;
	/* all the failed checks above must not have consumed the nonce */
	assert_int_equal(auth_verify(a, d, cred.data, cred.len, &uid, &gid), 0);
	buf_free(&cred);
	auth_destroy(a);
}

static void
test_slurm_wrong_key(void **state)
{
	char *p = tpath("other.key");
	assert_int_equal(auth_keygen(p), 0);
	struct auth *a = slurm_auth("key=%s", key_path);
	struct auth *b = slurm_auth("key=%s", p);
	unsigned char d[AUTH_DIGEST_LEN];
	uint32_t uid, gid;
	sample_digest(d, 4);
	struct buf cred;
	buf_init(&cred);
	assert_int_equal(auth_sign(b, d, &cred), 0);
	assert_int_equal(auth_verify(a, d, cred.data, cred.len, &uid, &gid), -1);
	assert_non_null(strstr(auth_errstr(), "Invalid credential"));
	assert_int_equal(auth_verify(b, d, cred.data, cred.len, &uid, &gid), 0);
	buf_free(&cred);
	auth_destroy(a);
	auth_destroy(b);
	unlink(p);
}

static void
put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Build a credential independently of auth_slurm.c, from the documented
 * layout, with the test key. */
static void
craft(unsigned char c[SLURM_CRED_LEN], const unsigned char d[AUTH_DIGEST_LEN], uint32_t uid, uint32_t gid,
    int64_t issued, uint32_t ttl, unsigned char nonce_byte)
{
	unsigned char key[AUTH_KEYGEN_LEN];
	FILE *f = fopen(key_path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(key, 1, sizeof(key), f), sizeof(key));
	fclose(f);
	c[0] = 1;
	put32(c + 1, uid);
	put32(c + 5, gid);
	put32(c + 9, (uint32_t)(uint64_t)issued);
	put32(c + 13, (uint32_t)((uint64_t)issued >> 32));
	put32(c + 17, ttl);
	memset(c + 21, nonce_byte, 16);
	unsigned char msg[37 + AUTH_DIGEST_LEN];
	memcpy(msg, c, 37);
	memcpy(msg + 37, d, AUTH_DIGEST_LEN);
	size_t outl = 0;
	assert_non_null(EVP_Q_mac(
	    NULL, "HMAC", NULL, "SHA256", NULL, key, sizeof(key), msg, sizeof(msg), c + 37, 32, &outl));
	assert_int_equal(outl, 32);
}

static void
test_slurm_crafted_and_expired(void **state)
{
	struct auth *a = slurm_auth("key=%s", key_path);
	unsigned char d[AUTH_DIGEST_LEN], c[SLURM_CRED_LEN];
	uint32_t uid = 0, gid = 0;
	int64_t now = (int64_t)time(NULL);
	sample_digest(d, 5);

	/* a credential made from the documented layout is accepted */
	craft(c, d, 1234, 5678, now - 10, 300, 0x11);
	assert_int_equal(auth_verify(a, d, c, sizeof(c), &uid, &gid), 0);
	assert_int_equal(uid, 1234);
	assert_int_equal(gid, 5678);

	/* expired: issued + ttl < now */
	craft(c, d, 1234, 5678, now - 400, 300, 0x12);
	assert_int_equal(auth_verify(a, d, c, sizeof(c), &uid, &gid), -1);
	assert_non_null(strstr(auth_errstr(), "Expired credential"));
	craft(c, d, 1234, 5678, INT64_MIN, 300, 0x13);
	assert_int_equal(auth_verify(a, d, c, sizeof(c), &uid, &gid), -1);
	assert_non_null(strstr(auth_errstr(), "Expired credential"));

	/* from the future beyond the allowed skew */
	craft(c, d, 1234, 5678, now + 600, 300, 0x14);
	assert_int_equal(auth_verify(a, d, c, sizeof(c), &uid, &gid), -1);
	assert_non_null(strstr(auth_errstr(), "Rewound"));
	craft(c, d, 1234, 5678, INT64_MAX, 300, 0x15);
	assert_int_equal(auth_verify(a, d, c, sizeof(c), &uid, &gid), -1);

	/* a lifetime beyond the limit */
	craft(c, d, 1234, 5678, now, SLURM_CRED_TTL_MAX + 1, 0x16);
	assert_int_equal(auth_verify(a, d, c, sizeof(c), &uid, &gid), -1);
	auth_destroy(a);
}

static void
test_slurm_replay(void **state)
{
	struct auth *a = slurm_auth("key=%s", key_path);
	unsigned char d[AUTH_DIGEST_LEN];
	uint32_t uid, gid;
	sample_digest(d, 6);
	struct buf cred;
	buf_init(&cred);
	assert_int_equal(auth_sign(a, d, &cred), 0);
	assert_int_equal(auth_verify(a, d, cred.data, cred.len, &uid, &gid), 0);
	assert_int_equal(auth_verify(a, d, cred.data, cred.len, &uid, &gid), -1);
	assert_non_null(strstr(auth_errstr(), "Replayed credential"));
	/* the same nonce under a crafted credential of another message */
	unsigned char c1[SLURM_CRED_LEN], c2[SLURM_CRED_LEN], d2[AUTH_DIGEST_LEN];
	sample_digest(d2, 7);
	int64_t now = (int64_t)time(NULL);
	craft(c1, d, 0, 0, now, 300, 0x21);
	craft(c2, d2, 0, 0, now, 300, 0x21);
	assert_int_equal(auth_verify(a, d, c1, sizeof(c1), &uid, &gid), 0);
	assert_int_equal(auth_verify(a, d2, c2, sizeof(c2), &uid, &gid), -1);
	assert_non_null(strstr(auth_errstr(), "Replayed credential"));
	buf_free(&cred);
	auth_destroy(a);
}

static void
test_replay_cache(void **state)
{
	struct auth_replay r;
	unsigned char n[SLURM_CRED_NONCE_LEN];
	auth_replay_init(&r, REPLAY_MIN_SLOTS);
	memset(n, 0xaa, sizeof(n));
	assert_int_equal(auth_replay_check_add(&r, n, 1100, 1000), 0);
	assert_int_equal(auth_replay_check_add(&r, n, 1100, 1050), 1);
	assert_int_equal(auth_replay_check_add(&r, n, 1100, 1100), 1);
	/* once expired the entry no longer counts */
	assert_int_equal(auth_replay_check_add(&r, n, 1300, 1101), 0);
	assert_int_equal(auth_replay_check_add(&r, n, 1300, 1102), 1);

	/* fill the bounded table: at most half of the slots are live */
	size_t added = 1;
	int rc = 0;
	for (uint32_t i = 0; i < 4 * REPLAY_MIN_SLOTS && rc == 0; i++) {
		memset(n, 0, sizeof(n));
		memcpy(n, &i, sizeof(i));
		rc = auth_replay_check_add(&r, n, 2000, 1102);
		if (rc == 0)
			added++;
	}
	assert_int_equal(rc, -1);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(added, REPLAY_MIN_SLOTS / 2);
	assert_int_equal(auth_replay_slots(&r), REPLAY_MIN_SLOTS);
	/* known nonces are still detected while full */
	memset(n, 0, sizeof(n));
	assert_int_equal(auth_replay_check_add(&r, n, 2000, 1103), 1);
	/* after they expire, the table is pruned and accepts again */
	memset(n, 0x55, sizeof(n));
	assert_int_equal(auth_replay_check_add(&r, n, 3000, 2001), 0);
	assert_int_equal(auth_replay_count(&r), 1);
	auth_replay_free(&r);

	/* a larger bound grows the table with the live count, then shrinks
	 * it again once the entries expire */
	auth_replay_init(&r, 16 * REPLAY_MIN_SLOTS);
	for (uint32_t i = 0; i < 4 * REPLAY_MIN_SLOTS; i++) {
		memset(n, 0, sizeof(n));
		memcpy(n + 4, &i, sizeof(i));
		assert_int_equal(auth_replay_check_add(&r, n, 500, 100), 0);
	}
	assert_int_equal(auth_replay_count(&r), 4 * REPLAY_MIN_SLOTS);
	assert_true(auth_replay_slots(&r) >= 8 * REPLAY_MIN_SLOTS);
	memset(n, 0x77, sizeof(n));
	assert_int_equal(auth_replay_check_add(&r, n, 900, 501 + REPLAY_PRUNE_INTERVAL), 0);
	assert_int_equal(auth_replay_count(&r), 1);
	assert_int_equal(auth_replay_slots(&r), REPLAY_MIN_SLOTS);
	auth_replay_free(&r);
}

/* --- client mode and the sack socket ---------------------------------- */

static void
test_client_mode(void **state)
{
	struct auth *a = slurm_auth("key=%s,socket=%s", tpath("missing.key"), tpath("none.sock"));
	assert_non_null(a);
	assert_false(auth_can_verify(a));
	unsigned char d[AUTH_DIGEST_LEN], c[SLURM_CRED_LEN] = {1};
	uint32_t uid, gid;
	sample_digest(d, 8);
	assert_int_equal(auth_verify(a, d, c, sizeof(c), &uid, &gid), -1);
	assert_non_null(strstr(auth_errstr(), "cannot verify"));
	struct buf cred;
	buf_init(&cred);
	assert_int_equal(auth_sign(a, d, &cred), -1);
	assert_non_null(strstr(auth_errstr(), "cannot connect to auth socket"));
	assert_int_equal(cred.len, 0);
	assert_int_equal(auth_sack_listen(a), -1);
	assert_int_equal(errno, ENOKEY);
	auth_destroy(a);
}

struct server {
	struct auth *auth;
	int lfd;
	volatile int stop;
	pthread_t thr;
};

static void *
serve_thread(void *arg)
{
	struct server *s = arg;
	while (!s->stop) {
		struct pollfd pfd = {s->lfd, POLLIN, 0};
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			auth_sack_serve(s->auth, fd);
	}
	return NULL;
}

/* In a child, as uid/gid 65534: a client auth that cannot read the key
 * signs through the socket; the credential goes back through a pipe. */
static void
child_sign(int wfd, const unsigned char d[AUTH_DIGEST_LEN], const char *sock)
{
	if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
		_exit(2);
	char info[700], err[256];
	snprintf(info, sizeof(info), "key=%s,socket=%s", key_path, sock);
	struct auth *a = auth_create("auth/slurm", info, NULL, err, sizeof(err));
	if (a == NULL || auth_can_verify(a))
		_exit(3); /* nobody must not be able to read the key */
	struct buf cred;
	buf_init(&cred);
	if (auth_sign(a, d, &cred) < 0)
		_exit(4);
	if (write(wfd, cred.data, cred.len) != (ssize_t)cred.len)
		_exit(5);
	_exit(0);
}

static void
test_sack(void **state)
{
	char *sock = tpath("sack/auth.sock"); /* directory created by listen */
	struct server s = {0};
	s.auth = slurm_auth("key=%s,socket=%s", key_path, sock);
	assert_non_null(s.auth);
	s.lfd = auth_sack_listen(s.auth);
	assert_true(s.lfd >= 0);
	struct stat st;
	assert_int_equal(stat(sock, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0666);
	assert_int_equal(pthread_create(&s.thr, NULL, serve_thread, &s), 0);

	/* a second daemon does not steal a live socket */
	struct auth *s2 = slurm_auth("key=%s,socket=%s", key_path, sock);
	assert_int_equal(auth_sack_listen(s2), -1);
	assert_int_equal(errno, EADDRINUSE);
	auth_destroy(s2);

	/* in process: a client without the key */
	unsigned char d[AUTH_DIGEST_LEN];
	uint32_t uid = 99, gid = 99;
	sample_digest(d, 9);
	struct auth *c = slurm_auth("key=%s,socket=%s", tpath("missing.key"), sock);
	assert_false(auth_can_verify(c));
	struct buf cred;
	buf_init(&cred);
	assert_int_equal(auth_sign(c, d, &cred), 0);
	assert_int_equal(cred.len, SLURM_CRED_LEN);
	assert_int_equal(auth_verify(s.auth, d, cred.data, cred.len, &uid, &gid), 0);
	assert_int_equal(uid, geteuid());
	assert_int_equal(gid, getegid());
	auth_destroy(c);

	/* a peer that says nothing is dropped, the server keeps serving */
	int idle = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
	assert_int_equal(connect(idle, (struct sockaddr *)&sun, sizeof(sun)), 0);

	/* as nobody (65534) in a child process */
	if (geteuid() == 0) {
		sample_digest(d, 10);
		int p[2];
		assert_int_equal(pipe(p), 0);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(p[0]);
			child_sign(p[1], d, sock);
		}
		close(p[1]);
		unsigned char cbuf[SLURM_CRED_LEN + 1];
		ssize_t n = 0, r;
		while ((r = read(p[0], cbuf + n, sizeof(cbuf) - (size_t)n)) > 0)
			n += r;
		close(p[0]);
		int status = 0;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
		assert_int_equal(n, SLURM_CRED_LEN);
		assert_int_equal(auth_verify(s.auth, d, cbuf, (size_t)n, &uid, &gid), 0);
		assert_int_equal(uid, 65534);
		assert_int_equal(gid, 65534);
	} else {
		print_message("not root: skipping the unprivileged-peer part of the sack test\n");
	}
	close(idle);
	s.stop = 1;
	pthread_join(s.thr, NULL);
	close(s.lfd);
	buf_free(&cred);
	auth_destroy(s.auth);
}

/* --- auth/munge against a private munged ------------------------------ */

static int
connectable(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	size_t len = strlen(path);
	if (fd < 0 || len >= sizeof(sun.sun_path)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	memcpy(sun.sun_path, path, len + 1);
	int ok = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return ok;
}

static pid_t
start_munged(const char *dir, char *why, size_t whylen)
{
	char key[400], sock[400], pid[400], log[400], seed[400];
	snprintf(key, sizeof(key), "--key-file=%s/munge.key", dir);
	snprintf(sock, sizeof(sock), "--socket=%s/munge.sock", dir);
	snprintf(pid, sizeof(pid), "--pid-file=%s/munged.pid", dir);
	snprintf(log, sizeof(log), "--log-file=%s/munged.log", dir);
	snprintf(seed, sizeof(seed), "--seed-file=%s/munged.seed", dir);

	/* a key like mungekey makes: random bytes, mode 0400 */
	unsigned char k[128];
	int rfd = open("/dev/urandom", O_RDONLY);
	if (rfd < 0 || read(rfd, k, sizeof(k)) != (ssize_t)sizeof(k)) {
		snprintf(why, whylen, "cannot read /dev/urandom");
		return -1;
	}
	close(rfd);
	int kfd = open(key + strlen("--key-file="), O_WRONLY | O_CREAT | O_EXCL, 0400);
	if (kfd < 0 || write(kfd, k, sizeof(k)) != (ssize_t)sizeof(k)) {
		snprintf(why, whylen, "cannot write munge key: %s", strerror(errno));
		return -1;
	}
	close(kfd);

	pid_t p = fork();
	if (p < 0) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		return -1;
	}
	if (p == 0) {
		char out[400];
		snprintf(out, sizeof(out), "%s/munged.out", dir);
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl("/usr/sbin/munged", "munged", "-F", "-f", key, sock, pid, log, seed, (char *)NULL);
		execlp("munged", "munged", "-F", "-f", key, sock, pid, log, seed, (char *)NULL);
		_exit(127);
	}
	/* wait for the socket (or for munged to give up) */
	for (int i = 0; i < 200; i++) {
		if (connectable(sock + strlen("--socket=")))
			return p;
		int status;
		if (waitpid(p, &status, WNOHANG) == p) {
			snprintf(why, whylen, "munged exited (status %d), see %s/munged.out", status, dir);
			return -1;
		}
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	kill(p, SIGTERM);
	waitpid(p, NULL, 0);
	snprintf(why, whylen, "munged did not create its socket within 10 s");
	return -1;
}

static pid_t munged_pid = -1;

static int
munge_teardown(void **state)
{
	if (munged_pid > 0) {
		kill(munged_pid, SIGTERM);
		waitpid(munged_pid, NULL, 0);
		munged_pid = -1;
	}
	return 0;
}

static void
test_munge(void **state)
{
	char mdir[300], why[512] = "";
	snprintf(mdir, sizeof(mdir), "%s/munge", tdir);
	assert_int_equal(mkdir(mdir, 0700), 0);

	/* munged not running: a clear error */
	char info[400], err[256];
	snprintf(info, sizeof(info), "socket=%s/munge.sock", mdir);
	struct auth *a = auth_create("auth/munge", info, NULL, err, sizeof(err));
	assert_non_null(a);
	unsigned char d[AUTH_DIGEST_LEN], other[AUTH_DIGEST_LEN];
	sample_digest(d, 11);
	sample_digest(other, 12);
	struct buf cred;
	buf_init(&cred);
	assert_int_equal(auth_sign(a, d, &cred), -1);
	assert_non_null(strstr(auth_errstr(), "cannot connect to munged"));

	munged_pid = start_munged(mdir, why, sizeof(why));
	if (munged_pid < 0) {
		auth_destroy(a);
		print_message("skipping auth/munge test: cannot start munged: %s\n", why);
		skip();
	}
	uint32_t uid = 99, gid = 99;
	assert_int_equal(auth_sign(a, d, &cred), 0);
	assert_true(cred.len > 0);
	/* another message's digest does not match the payload */
	assert_int_equal(auth_verify(a, other, cred.data, cred.len, &uid, &gid), -1);
	assert_non_null(strstr(auth_errstr(), "digest mismatch"));
	/* that decode consumed the credential at munged: a replay now */
	assert_int_equal(auth_verify(a, d, cred.data, cred.len, &uid, &gid), -1);
	assert_non_null(strstr(auth_errstr(), "Replayed credential"));

	buf_reset(&cred);
	assert_int_equal(auth_sign(a, d, &cred), 0);
	assert_int_equal(auth_verify(a, d, cred.data, cred.len, &uid, &gid), 0);
	assert_int_equal(uid, geteuid());
	assert_int_equal(gid, getegid());
	assert_int_equal(auth_verify(a, d, cred.data, cred.len, &uid, &gid), -1);
	assert_non_null(strstr(auth_errstr(), "Replayed credential"));

	/* garbage and embedded NUL */
	assert_int_equal(auth_verify(a, d, "MUNGE:garbage:", 14, &uid, &gid), -1);
	assert_int_equal(auth_verify(a, d, "MUNGE\0", 6, &uid, &gid), -1);

	buf_free(&cred);
	auth_destroy(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_invalid_type),
	    cmocka_unit_test(test_digest),
	    cmocka_unit_test(test_keygen),
	    cmocka_unit_test(test_key_checks),
	    cmocka_unit_test(test_slurm_roundtrip),
	    cmocka_unit_test(test_slurm_tampered),
	    cmocka_unit_test(test_slurm_wrong_key),
	    cmocka_unit_test(test_slurm_crafted_and_expired),
	    cmocka_unit_test(test_slurm_replay),
	    cmocka_unit_test(test_replay_cache),
	    cmocka_unit_test(test_client_mode),
	    cmocka_unit_test(test_sack),
	    cmocka_unit_test_teardown(test_munge, munge_teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
