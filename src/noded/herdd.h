/* SPDX-License-Identifier: MIT */
/*
 * herdd: the node daemon's context.
 */
#ifndef HERD_NODED_H
#define HERD_NODED_H

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdint.h>

#include "auth/auth.h"
#include "conf/conf.h"
#include "proto/proto.h"
#include "proto/wire.h"

struct herdd;
struct stepd_conn {
	struct herdd *d;
	struct bufferevent *bev;
	uint32_t job_id;
	uint32_t restarts; /* which run of the job (requeues) */
	uint32_t step_id; /* STEP_ID_BATCH for the batch script */
	uint32_t fwd_req_id; /* completion forwarded to herdctld, awaiting ack */
	struct job_complete *done;
	struct stepd_conn *next, *prev;
};

struct herdd {
	struct herd_conf *conf;
	const char *conf_path;
	char *node_name;
	int node_idx;
	const char *dyn_conf; /* -Z --conf: the node's keys, sent when registering */
	char *spool;
	struct auth *auth;
	struct event_base *base;
	struct bufferevent *ctld; /* persistent link to herdctld, NULL while down */
	int ctld_registered;
	uint32_t register_req_id; /* the registration awaiting its answer */
	struct event *reconnect_ev;
	int reconnect_ms;
	struct event *ping_ev;
	int listen_fd;
	struct event *listen_ev;
	int unix_fd;
	struct event *unix_ev;
	struct event *sig_ev[4];
	struct event *child_ev;
	struct stepd_conn *stepds;
	uint32_t next_req_id;
	int64_t start_time;
};

#endif
