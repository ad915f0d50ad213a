/* SPDX-License-Identifier: MIT */
/*
 * Sockets: connect with a timeout, listen, and blocking frame I/O for
 * commands and helpers.  Daemons use their libevent loop instead.
 */
#ifndef HERD_NET_H
#define HERD_NET_H

#include <stddef.h>
#include <stdint.h>

#include "proto/wire.h"

/* Blocking TCP connect with timeout; fd (CLOEXEC, TCP_NODELAY) or -1. */
int net_connect(const char *host, uint16_t port, int timeout_ms);
/* Listening TCP socket on addr (NULL = any), non-blocking; -1 on error. */
int net_listen(const char *addr, uint16_t port);
int net_listen_unix(const char *path, unsigned mode);
int net_connect_unix(const char *path);
int net_set_nonblock(int fd, int on);
/* small frames leave at once (no Nagle delay); 0 or -1 */
int net_set_nodelay(int fd);

int net_write_all(int fd, const void *p, size_t n);
/* Read exactly n bytes; timeout_ms < 0 waits forever.  0, or -1 with errno
 * (ETIMEDOUT, ECONNRESET for EOF). */
int net_read_all(int fd, void *p, size_t n, int timeout_ms);

/* Send a message (signed when auth != NULL). */
int net_send_msg(int fd, struct auth *auth, unsigned type, uint32_t req_id, const void *rec);
/* Receive one message.  Returns 0, -1 on I/O error (errno), or a positive
 * herd error for a bad frame. */
int net_recv_msg(int fd, struct auth *auth, int need_auth, int timeout_ms, struct msg *m);

#endif
