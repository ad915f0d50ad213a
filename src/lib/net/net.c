/* SPDX-License-Identifier: MIT */
/*
 * Sockets and blocking frame I/O.
 */
#include "net/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "proto/states.h"

int
net_set_nodelay(int fd)
{
	int one = 1;
	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int
net_set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -1;
	fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	return fcntl(fd, F_SETFL, fl);
}

static int
connect_addr(const struct sockaddr *sa, socklen_t salen, int timeout_ms)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, sa, salen) < 0) {
		if (errno != EINPROGRESS)
			goto fail;
		struct pollfd pfd = {fd, POLLOUT, 0};
		int r = poll(&pfd, 1, timeout_ms);
		if (r == 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		if (r < 0)
			goto fail;
		int err = 0;
		socklen_t len = sizeof(err);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err) {
			errno = err;
			goto fail;
		}
	}
	net_set_nonblock(fd, 0);
	return fd;
fail:;
	int saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
net_connect(const char *host, uint16_t port, int timeout_ms)
{
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	/* fast path: numeric address, no resolver */
	if (inet_pton(AF_INET, host, &sin.sin_addr) == 1)
		return connect_addr((struct sockaddr *)&sin, sizeof(sin), timeout_ms);
	if (strcmp(host, "localhost") == 0) {
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return connect_addr((struct sockaddr *)&sin, sizeof(sin), timeout_ms);
	}
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	char portstr[16];
	snprintf(portstr, sizeof(portstr), "%u", port);
	if (getaddrinfo(host, portstr, &hints, &res) != 0 || res == NULL) {
		errno = EHOSTUNREACH;
		return -1;
	}
	int fd = -1;
	for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
		fd = connect_addr(ai->ai_addr, ai->ai_addrlen, timeout_ms);
	freeaddrinfo(res);
	return fd;
}

int
net_listen(const char *addr, uint16_t port)
{
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	if (addr != NULL && inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		if (strcmp(addr, "localhost") == 0) {
			sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		} else {
			struct addrinfo hints, *res = NULL;
			memset(&hints, 0, sizeof(hints));
			hints.ai_family = AF_INET;
			if (getaddrinfo(addr, NULL, &hints, &res) != 0 || res == NULL) {
				errno = EADDRNOTAVAIL;
				return -1;
			}
			sin.sin_addr = ((struct sockaddr_in *)(void *)res->ai_addr)->sin_addr;
			freeaddrinfo(res);
		}
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 1024) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
net_listen_unix(const char *path, unsigned mode)
{
	struct sockaddr_un sun;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || chmod(path, mode) < 0 ||
	    listen(fd, 1024) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
net_connect_unix(const char *path)
{
	struct sockaddr_un sun;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
net_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pfd = {fd, POLLOUT, 0};
				poll(&pfd, 1, 1000);
				continue;
			}
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
net_read_all(int fd, void *p, size_t n, int timeout_ms)
{
	char *c = p;
	int64_t deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;
	while (n > 0) {
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			if (left <= 0) {
				errno = ETIMEDOUT;
				return -1;
			}
			struct pollfd pfd = {fd, POLLIN, 0};
			int r = poll(&pfd, 1, (int)left);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return -1;
			if (r == 0) {
				errno = ETIMEDOUT;
				return -1;
			}
		}
		ssize_t r = read(fd, c, n);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		if (r == 0) {
			errno = ECONNRESET;
			return -1;
		}
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

int
net_send_msg(int fd, struct auth *auth, unsigned type, uint32_t req_id, const void *rec)
{
	struct buf b;
	buf_init(&b);
	wire_encode(auth, type, req_id, rec, &b);
	int r = net_write_all(fd, b.data, b.len);
	buf_free(&b);
	return r;
}

int
net_recv_msg(int fd, struct auth *auth, int need_auth, int timeout_ms, struct msg *m)
{
	unsigned char hdr[WIRE_HDR_LEN];
	struct wire_hdr h;
	memset(m, 0, sizeof(*m));
	if (net_read_all(fd, hdr, sizeof(hdr), timeout_ms) < 0)
		return -1;
	int rc = wire_hdr_decode(hdr, &h);
	if (rc != 0)
		return rc;
	size_t n = (size_t)h.cred_len + h.body_len;
	char *data = xmalloc(n ? n : 1);
	if (net_read_all(fd, data, n, timeout_ms) < 0) {
		int saved = errno;
		free(data);
		errno = saved;
		return -1;
	}
	rc = wire_decode(auth, need_auth, &h, data, data + h.cred_len, m);
	free(data);
	return rc;
}
