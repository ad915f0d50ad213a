/* SPDX-License-Identifier: MIT */
/*
 * The auth/slurm signing socket, served without blocking the event loop:
 * each client gets its own read event with a one-second timeout, and a
 * bounded number of clients may be waiting at once, so a local user who
 * connects and sends nothing delays nobody.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "base/xmalloc.h"
#include "ctld.h"

#define SACK_MAX_CLIENTS 256

struct sack_client {
	struct ctld *c;
	int fd;
	struct event *ev;
	size_t got;
	unsigned char digest[AUTH_DIGEST_LEN];
};

static void
sack_client_free(struct sack_client *s)
{
	event_free(s->ev);
	close(s->fd);
	struct ctld *c = s->c;
	free(s);
	/* below the bound again: listen again */
	if (c->sack_clients-- == SACK_MAX_CLIENTS && c->sack_ev != NULL)
		event_add(c->sack_ev, NULL);
}

static void
sack_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sack_client *s = arg;
	if (what & EV_TIMEOUT) {
		sack_client_free(s);
		return;
	}
	ssize_t r = read(fd, s->digest + s->got, sizeof(s->digest) - s->got);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		sack_client_free(s);
		return;
	}
	s->got += (size_t)r;
	if (s->got < sizeof(s->digest))
		return;
	auth_sack_reply(s->c->auth, fd, s->digest);
	sack_client_free(s);
}

void
sack_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct ctld *c = arg;
	for (;;) {
		if (c->sack_clients >= SACK_MAX_CLIENTS)
			break;
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct sack_client *s = xcalloc(1, sizeof(*s));
		s->c = c;
		s->fd = fd;
		s->ev = event_new(c->base, fd, EV_READ | EV_PERSIST, sack_read_cb, s);
		struct timeval tv = {1, 0};
		event_add(s->ev, &tv);
		c->sack_clients++;
	}
	/* at the bound: stop accepting until a client is done */
	event_del(c->sack_ev);
}
