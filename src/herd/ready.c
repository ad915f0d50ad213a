/* SPDX-License-Identifier: MIT */
/*
 * Waiting for a fresh cluster: ask the controller for its nodes every
 * 5 ms (the same RPC sinfo uses) until each one is IDLE and responding
 * (or busy with jobs recovered from an earlier run).
 * No fixed sleeps: the wait ends as soon as the last node registers, or
 * at once when a daemon we started dies.
 */
#include "herd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "client.h"

/* A node is ready when its herdd registered and answers: IDLE on a fresh
 * cluster; ALLOCATED or MIXED when the controller recovered jobs that
 * kept running while the cluster was down (waiting for IDLE would wait
 * for those jobs to end).  A node that slurm.conf starts DOWN or FUTURE
 * is left as the site wants it. */
static int
node_ready(const struct herd_conf *conf, const struct node_info *n)
{
	uint32_t base = n->state & NODE_STATE_BASE;
	if (n->state & (NODE_STATE_NO_RESPOND | NODE_STATE_INVALID_REG))
		return 0;
	if (base == NODE_STATE_IDLE || base == NODE_STATE_ALLOCATED || base == NODE_STATE_MIXED)
		return 1;
	int i = n->name ? conf_node_index(conf, n->name) : -1;
	if (i < 0)
		return 0;
	uint32_t want = conf->nodes[i].state & NODE_STATE_BASE;
	return (want == NODE_STATE_DOWN || want == NODE_STATE_FUTURE) && base == want;
}

static void
report_dead(const struct proc *p)
{
	char label[PROCS_NAME_MAX + 40];
	procs_label(p, label, sizeof(label));
	if (WIFEXITED(p->status))
		fprintf(stderr, "herd: %s exited with status %d\n", label, WEXITSTATUS(p->status));
	else if (WIFSIGNALED(p->status))
		fprintf(stderr, "herd: %s was killed by signal %d\n", label, WTERMSIG(p->status));
	else
		fprintf(stderr, "herd: %s is gone\n", label);
}

static void
report_nodes(const struct herd_conf *conf, const struct node_info_resp *r, int timeout_ms)
{
	fprintf(stderr, "herd: nodes not ready after %d s:", timeout_ms / 1000);
	for (uint32_t i = 0; i < r->nodes_cnt; i++) {
		char st[128];
		if (node_ready(conf, &r->nodes[i]))
			continue;
		fprintf(stderr, " %s (%s)", r->nodes[i].name ? r->nodes[i].name : "?",
		    node_state_string_long(r->nodes[i].state, st, sizeof(st)));
	}
	fputc('\n', stderr);
}

int
ready_wait(
    const char *conf_path, struct proc *ps, size_t n, int timeout_ms, volatile int *stop, uint32_t *idle_out)
{
	setenv("SLURM_CONF", conf_path, 1);
	struct client c;
	if (client_init(&c, "herd") < 0)
		return -1;
	int64_t deadline = herd_now_ms() + timeout_ms;
	struct node_info_resp *last = NULL;
	int last_rc = -1, last_errno = 0, rc = -1;
	for (;;) {
		for (size_t i = 0; i < n; i++) {
			if (!procs_alive(&ps[i])) {
				report_dead(&ps[i]);
				goto out;
			}
		}
		struct empty req;
		memset(&req, 0, sizeof(req));
		struct msg resp;
		last_rc = client_rpc(&c, REQ_NODE_INFO, &req, &resp);
		last_errno = errno;
		if (last_rc == 0 && resp.type == RESP_NODE_INFO && resp.body != NULL) {
			struct node_info_resp *r = resp.body;
			uint32_t ready = 0, idle = 0;
			for (uint32_t i = 0; i < r->nodes_cnt; i++) {
				ready += node_ready(c.conf, &r->nodes[i]) ? 1 : 0;
				idle += (r->nodes[i].state & NODE_STATE_BASE) == NODE_STATE_IDLE ? 1 : 0;
			}
			if (r->nodes_cnt > 0 && ready == r->nodes_cnt) {
				*idle_out = idle;
				msg_free(&resp);
				rc = 0;
				goto out;
			}
			proto_destroy(&rdesc_node_info_resp, last);
			last = proto_dup(&rdesc_node_info_resp, r);
		}
		if (last_rc == 0)
			msg_free(&resp);
		if (*stop) {
			fprintf(stderr, "herd: interrupted\n");
			goto out;
		}
		if (herd_now_ms() >= deadline)
			break;
		struct timespec ts = {0, 5 * 1000000L};
		nanosleep(&ts, NULL);
	}
	if (last != NULL)
		report_nodes(c.conf, last, timeout_ms);
	else if (last_rc > 0)
		fprintf(stderr, "herd: herdctld answered: %s\n", herd_strerror(last_rc));
	else
		fprintf(stderr, "herd: herdctld did not answer on %s:%u within %d s: %s\n",
		    c.conf->ctld_addrs[0], c.conf->ctld_port, timeout_ms / 1000, strerror(last_errno));
out:
	proto_destroy(&rdesc_node_info_resp, last);
	client_fini(&c);
	return rc;
}
