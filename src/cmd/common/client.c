/* SPDX-License-Identifier: MIT */
/*
 * Command-side connection to herdctld.
 */
#include "client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/net.h"

int
client_init(struct client *c, const char *prog)
{
	char err[512];
	memset(c, 0, sizeof(*c));
	c->prog = prog;
	c->fd = -1;
	c->next_id = (uint32_t)getpid() << 8;
	const char *path = conf_default_path();
	c->conf = conf_load(path, err, sizeof(err));
	if (c->conf == NULL) {
		fprintf(stderr, "%s: error: %s\n", prog, err);
		return -1;
	}
	c->auth = auth_create(c->conf->auth_type, c->conf->auth_info, c->conf->dir, err, sizeof(err));
	if (c->auth == NULL) {
		fprintf(stderr, "%s: error: %s\n", prog, err);
		conf_destroy(c->conf);
		c->conf = NULL;
		return -1;
	}
	return 0;
}

void
client_fini(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	auth_destroy(c->auth);
	conf_destroy(c->conf);
	c->auth = NULL;
	c->conf = NULL;
}

static int
client_connect(struct client *c)
{
	int timeout_ms = (int)(c->conf->tcp_timeout ? c->conf->tcp_timeout : 2) * 1000;
	for (uint32_t i = 0; i < c->conf->ctld_host_cnt; i++) {
		c->fd = net_connect(c->conf->ctld_addrs[i], c->conf->ctld_port, timeout_ms);
		if (c->fd >= 0)
			return 0;
	}
	return -1;
}

int
client_rpc(struct client *c, unsigned type, const void *req, struct msg *resp)
{
	memset(resp, 0, sizeof(*resp));
	for (int attempt = 0; attempt < 2; attempt++) {
		if (c->fd < 0 && client_connect(c) < 0)
			return -1;
		uint32_t id = ++c->next_id;
		if (net_send_msg(c->fd, c->auth, type, id, req) < 0) {
			close(c->fd);
			c->fd = -1;
			continue; /* a stale connection: reconnect once */
		}
		int timeout_ms = (int)(c->conf->msg_timeout ? c->conf->msg_timeout : 10) * 1000 * 6;
		int rc = net_recv_msg(c->fd, NULL, 0, timeout_ms, resp);
		if (rc < 0) {
			close(c->fd);
			c->fd = -1;
			if (attempt == 0 && errno == ECONNRESET)
				continue;
			return -1;
		}
		if (rc > 0)
			return rc;
		if (resp->type == RESP_RC) {
			struct rc *r = resp->body;
			int code = r->rc;
			if (code != 0) {
				msg_free(resp);
				return code;
			}
		}
		return 0;
	}
	return -1;
}

void
client_perror_conn(struct client *c, const char *what)
{
	if (what != NULL && *what)
		fprintf(stderr, "%s: error: %s: Unable to contact slurm controller (connect failure)\n",
		    c->prog, what);
	else
		fprintf(stderr, "%s: error: Unable to contact slurm controller (connect failure)\n", c->prog);
}

int
client_dbd_rpc(struct client *c, unsigned type, const void *req, struct msg *resp, int *fd, int *msg_ms)
{
	const char *host = c->conf->acct_storage_host ? c->conf->acct_storage_host : "localhost";
	uint16_t port = c->conf->acct_storage_port ? c->conf->acct_storage_port : 6819;
	int timeout_ms = (int)(c->conf->tcp_timeout ? c->conf->tcp_timeout : 2) * 1000;
	*msg_ms = (int)(c->conf->msg_timeout ? c->conf->msg_timeout : 10) * 1000 * 6;
	memset(resp, 0, sizeof(*resp));
	errno = 0;
	*fd = net_connect(host, port, timeout_ms);
	if (*fd < 0) {
		if (errno == 0)
			errno = ECONNREFUSED;
		return -1;
	}
	int rc = net_send_msg(*fd, c->auth, type, 1, req);
	if (rc == 0)
		rc = net_recv_msg(*fd, NULL, 0, *msg_ms, resp);
	if (rc != 0) {
		int saved = errno;
		close(*fd);
		*fd = -1;
		errno = saved;
	}
	return rc;
}

int
client_exit_error(void)
{
	const char *e = getenv("SLURM_EXIT_ERROR");
	if (e != NULL && *e) {
		int v = atoi(e);
		if (v > 0)
			return v;
	}
	return 1;
}
