/* SPDX-License-Identifier: MIT */
/*
 * The sack ("signing") socket of auth/slurm: a process that cannot read
 * the shared key sends the 32-byte digest of its message to a local
 * daemon over a Unix socket; the daemon takes the peer's uid/gid from
 * the kernel (SO_PEERCRED), signs with the key and answers with a u32
 * (little endian) length and the credential.  Length 0 means refused.
 */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth_int.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "net/net.h"

int
auth_sack_sign(struct auth *a, const unsigned char digest[AUTH_DIGEST_LEN], struct buf *cred)
{
	int fd = net_connect_unix(a->socket_path);
	if (fd < 0) {
		auth_seterr("auth/slurm: cannot connect to auth socket %s: %s (%s; is herdctld or "
		            "herdd running on this host?)",
		    a->socket_path, strerror(errno), a->nokey_reason);
		return -1;
	}
	unsigned char lenb[4];
	if (net_write_all(fd, digest, AUTH_DIGEST_LEN) < 0 ||
	    net_read_all(fd, lenb, sizeof(lenb), AUTH_SACK_CLIENT_TIMEOUT_MS) < 0) {
		auth_seterr("auth/slurm: auth socket %s: %s", a->socket_path, strerror(errno));
		close(fd);
		return -1;
	}
	uint32_t len =
	    (uint32_t)lenb[0] | (uint32_t)lenb[1] << 8 | (uint32_t)lenb[2] << 16 | (uint32_t)lenb[3] << 24;
	if (len == 0 || len > SLURM_CRED_LEN) {
		auth_seterr("auth/slurm: auth socket %s refused to sign", a->socket_path);
		close(fd);
		return -1;
	}
	unsigned char c[SLURM_CRED_LEN];
	if (net_read_all(fd, c, len, AUTH_SACK_CLIENT_TIMEOUT_MS) < 0) {
		auth_seterr("auth/slurm: auth socket %s: %s", a->socket_path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	buf_add(cred, c, len);
	return 0;
}

int
auth_sack_listen(struct auth *a)
{
	if (a->kind != AUTH_SLURM) {
		errno = ENOTSUP;
		return -1;
	}
	if (a->key == NULL) {
		log_warnx("auth/slurm: cannot serve %s: %s", a->socket_path, a->nokey_reason);
		errno = ENOKEY;
		return -1;
	}
	/* another daemon on this host may already serve it: keep its socket */
	int fd = net_connect_unix(a->socket_path);
	if (fd >= 0) {
		close(fd);
		errno = EADDRINUSE;
		return -1;
	}
	char *dir = xstrdup(a->socket_path);
	if (mkdir(dirname(dir), 0755) < 0 && errno != EEXIST) {
		int saved = errno;
		log_warn("auth/slurm: cannot create %s", dir);
		free(dir);
		errno = saved;
		return -1;
	}
	free(dir);
	fd = net_listen_unix(a->socket_path, 0666);
	if (fd < 0)
		log_warn("auth/slurm: cannot listen on %s", a->socket_path);
	return fd;
}

void
auth_sack_reply(struct auth *a, int fd, const unsigned char digest[AUTH_DIGEST_LEN])
{
	unsigned char reply[4 + SLURM_CRED_LEN];
	uint32_t len = 0;
	struct ucred uc;
	socklen_t uclen = sizeof(uc);
	memset(&uc, 0, sizeof(uc));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &uclen) < 0 || uclen != sizeof(uc)) {
		log_warn("auth/slurm: sack: cannot get peer credentials");
		len = 0;
	} else if (a->kind == AUTH_SLURM &&
	           auth_slurm_make(a, digest, (uint32_t)uc.uid, (uint32_t)uc.gid, reply + 4) == 0) {
		len = SLURM_CRED_LEN;
	}
	reply[0] = (unsigned char)len;
	reply[1] = (unsigned char)(len >> 8);
	reply[2] = (unsigned char)(len >> 16);
	reply[3] = (unsigned char)(len >> 24);
	/* the reply is tiny: it fits the socket buffer even on a non-blocking fd */
	if (net_write_all(fd, reply, 4 + len) < 0)
		log_debug("auth/slurm: sack: reply to pid %ld: %s", (long)uc.pid, strerror(errno));
}

void
auth_sack_serve(struct auth *a, int fd)
{
	unsigned char digest[AUTH_DIGEST_LEN];
	if (net_read_all(fd, digest, sizeof(digest), AUTH_SACK_TIMEOUT_MS) < 0)
		log_debug("auth/slurm: sack: no digest from client: %s", strerror(errno));
	else
		auth_sack_reply(a, fd, digest);
	close(fd);
}
