/* SPDX-License-Identifier: MIT */
/*
 * herdctld connections: accept, frame reassembly, credential check,
 * dispatch, and replies.  Replies are queued and written only after the
 * state journal is committed (state_save.c), so "Submitted batch job N"
 * is never said about a job that a crash could lose.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "base/xmalloc.h"
#include "ctld.h"

struct conn {
	struct ctld *c;
	struct bufferevent *bev;
	int node_idx;
	int closed;
	int pending; /* queued replies that still refer to this conn */
	int allocs; /* jobs whose srun/salloc waits on this conn */
	struct conn *next, *prev;
};

static void conn_read_cb(struct bufferevent *bev, void *arg);
static void conn_event_cb(struct bufferevent *bev, short what, void *arg);

static void
conn_unlink(struct ctld *c, struct conn *cn)
{
	if (cn->prev)
		cn->prev->next = cn->next;
	else
		c->conns = cn->next;
	if (cn->next)
		cn->next->prev = cn->prev;
	cn->next = cn->prev = NULL;
}

void
conn_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct ctld *c = arg;
	for (int i = 0; i < 64; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_warn("accept");
			return;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		struct conn *cn = xcalloc(1, sizeof(*cn));
		cn->c = c;
		cn->node_idx = -1;
		cn->bev = bufferevent_socket_new(c->base, fd, BEV_OPT_CLOSE_ON_FREE);
		if (cn->bev == NULL) {
			close(fd);
			free(cn);
			continue;
		}
		bufferevent_setcb(cn->bev, conn_read_cb, NULL, conn_event_cb, cn);
		bufferevent_setwatermark(cn->bev, EV_READ, WIRE_HDR_LEN, 0);
		bufferevent_enable(cn->bev, EV_READ | EV_WRITE);
		cn->next = c->conns;
		if (c->conns)
			c->conns->prev = cn;
		c->conns = cn;
	}
}

void
conn_set_node(struct conn *cn, int node_idx)
{
	cn->node_idx = node_idx;
}

void
conn_alloc_ref(struct conn *cn, int delta)
{
	cn->allocs += delta;
}

int
conn_node(const struct conn *cn)
{
	return cn->node_idx;
}

static void
conn_maybe_free(struct conn *cn)
{
	if (cn->closed && cn->pending == 0)
		free(cn);
}

void
conn_close(struct ctld *c, struct conn *cn)
{
	if (cn->closed)
		return;
	cn->closed = 1;
	if (cn->node_idx >= 0)
		node_conn_lost(c, cn->node_idx);
	if (cn->allocs > 0)
		alloc_conn_lost(c, cn);
	bufferevent_free(cn->bev);
	cn->bev = NULL;
	conn_unlink(c, cn);
	conn_maybe_free(cn);
}

void
conn_close_all(struct ctld *c)
{
	while (c->conns)
		conn_close(c, c->conns);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *cn = arg;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		conn_close(cn->c, cn);
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *cn = arg;
	struct ctld *c = cn->c;
	struct evbuffer *in = bufferevent_get_input(bev);
	while (!cn->closed) {
		size_t avail = evbuffer_get_length(in);
		if (avail < WIRE_HDR_LEN)
			return;
		unsigned char hdr[WIRE_HDR_LEN];
		evbuffer_copyout(in, hdr, WIRE_HDR_LEN);
		struct wire_hdr h;
		int rc = wire_hdr_decode(hdr, &h);
		if (rc != 0) {
			log_warnx("connection: bad frame header (%s), closing", herd_strerror(rc));
			conn_close(c, cn);
			return;
		}
		size_t total = WIRE_HDR_LEN + (size_t)h.cred_len + h.body_len;
		if (avail < total) {
			bufferevent_setwatermark(bev, EV_READ, total, 0);
			return;
		}
		bufferevent_setwatermark(bev, EV_READ, WIRE_HDR_LEN, 0);
		unsigned char *frame = evbuffer_pullup(in, (ssize_t)total);
		struct msg m;
		rc = wire_decode(c->auth, 1, &h, frame + WIRE_HDR_LEN, frame + WIRE_HDR_LEN + h.cred_len, &m);
		evbuffer_drain(in, total);
		if (rc != 0) {
			log_warnx(
			    "connection: rejected %s request: %s", proto_msg_name(h.type), herd_strerror(rc));
			if (proto_msg_is_response(h.type)) {
				conn_close(c, cn);
				return;
			}
			conn_reply_rc(c, cn, h.req_id, rc);
			continue;
		}
		rpc_dispatch(c, cn, &m);
		msg_free(&m);
	}
}

void
conn_reply(struct ctld *c, struct conn *cn, unsigned type, uint32_t req_id, const void *rec)
{
	struct pending_reply *r = xcalloc(1, sizeof(*r));
	r->conn = cn;
	buf_init(&r->frame);
	/* node daemons check the controller's credential; commands need none */
	wire_encode(cn->node_idx >= 0 ? c->auth : NULL, type, req_id, rec, &r->frame);
	cn->pending++;
	*c->replies_tail = r;
	c->replies_tail = &r->next;
	state_commit_request(c);
}

void
conn_reply_rc(struct ctld *c, struct conn *cn, uint32_t req_id, int rc)
{
	struct rc r = {.rc = rc, .msg = NULL};
	conn_reply(c, cn, RESP_RC, req_id, &r);
}

/* Called by the commit callback once the journal is durable. */
void conn_flush_replies(struct ctld *c);
void
conn_flush_replies(struct ctld *c)
{
	struct pending_reply *r = c->replies;
	c->replies = NULL;
	c->replies_tail = &c->replies;
	while (r != NULL) {
		struct pending_reply *next = r->next;
		struct conn *cn = r->conn;
		cn->pending--;
		if (!cn->closed)
			bufferevent_write(cn->bev, r->frame.data, r->frame.len);
		conn_maybe_free(cn);
		buf_free(&r->frame);
		free(r);
		r = next;
	}
}

int
conn_send(struct ctld *c, struct conn *cn, unsigned type, const void *rec)
{
	if (cn == NULL || cn->closed)
		return -1;
	struct buf b;
	buf_init(&b);
	wire_encode(c->auth, type, 0, rec, &b);
	int r = bufferevent_write(cn->bev, b.data, b.len);
	buf_free(&b);
	return r;
}
