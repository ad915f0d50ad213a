/* SPDX-License-Identifier: MIT */
/*
 * herdctld: the controller.  Lifecycle: options, configuration, logging,
 * state lock and recovery, credentials, listening socket, event loop,
 * orderly shutdown.
 */
#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/xmalloc.h"
#include "ctld.h"
#include "net/net.h"

int64_t
ctld_now(void)
{
	return (int64_t)time(NULL);
}

static void
usage(void)
{
	fprintf(stderr, "usage: herdctld [-D] [-f slurm.conf] [-L logfile] [-v...]\n");
	exit(1);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct ctld *c = arg;
	if (sig == SIGHUP) {
		log_reopen();
		log_info("SIGHUP: log reopened (reconfigure needs a restart)");
		return;
	}
	log_info("signal %d: shutting down", (int)sig);
	event_base_loopexit(c->base, NULL);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctld *c = arg;
	node_check_timeouts(c);
	job_purge_old(c);
	/* begin times and node returns are events too, but a slow tick keeps
	 * BeginTime jobs moving without per-job timers */
	for (struct job *j = c->jobs_head; j; j = j->next)
		if ((j->state & JOB_STATE_BASE) == JOB_PENDING && j->eligible_time > 0 &&
		    j->eligible_time <= ctld_now() && j->reason == WAIT_TIME) {
			sched_request(c);
			break;
		}
	if (c->shutting_down)
		event_base_loopexit(c->base, NULL);
}

int
main(int argc, char **argv)
{
	struct ctld ctx, *c = &ctx;
	memset(c, 0, sizeof(ctx));
	const char *conf_path = NULL, *logfile = NULL;
	int foreground = 0, verbose = 0, opt;
	while ((opt = getopt(argc, argv, "Df:L:vch")) != -1) {
		switch (opt) {
		case 'D':
			foreground = 1;
			break;
		case 'f':
			conf_path = optarg;
			break;
		case 'L':
			logfile = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'c':
			break;
		default:
			usage();
		}
	}
	if (conf_path == NULL)
		conf_path = conf_default_path();
	char err[1024];
	c->conf = conf_load(conf_path, err, sizeof(err));
	if (c->conf == NULL) {
		fprintf(stderr, "herdctld: fatal: %s\n", err);
		return 1;
	}
	c->conf_path = conf_path;
	int level = c->conf->ctld_debug + verbose;
	log_init("herdctld", logfile ? logfile : c->conf->ctld_log_file, level);
	if (!foreground && daemon(0, 0) < 0)
		fatal("daemon");
	signal(SIGPIPE, SIG_IGN);
	gethostname(c->hostname, sizeof(c->hostname) - 1);
	c->start_time = ctld_now();
	c->replies_tail = &c->replies;
	c->auth = auth_create(c->conf->auth_type, c->conf->auth_info, c->conf->dir, err, sizeof(err));
	if (c->auth == NULL)
		fatalx("%s", err);

	node_table_create(c);
	if (node_dyn_load(c) < 0)
		fatalx("cannot read the dynamic nodes in %s", c->conf->state_save_location);
	job_table_create(c);
	if (state_open(c) < 0)
		fatalx("cannot use StateSaveLocation %s", c->conf->state_save_location);

	c->base = event_base_new();
	if (c->base == NULL)
		fatalx("event_base_new failed");
	event_base_priority_init(c->base, 3);
	const char *bind_addr = NULL; /* listen on every address */
	c->listen_fd = net_listen(bind_addr, c->conf->ctld_port);
	if (c->listen_fd < 0)
		fatal("cannot listen on port %u", c->conf->ctld_port);
	c->listen_ev = event_new(c->base, c->listen_fd, EV_READ | EV_PERSIST, conn_accept_cb, c);
	event_priority_set(c->listen_ev, 0);
	event_add(c->listen_ev, NULL);
	c->sack_fd = auth_sack_listen(c->auth);
	if (c->sack_fd >= 0) {
		c->sack_ev = event_new(c->base, c->sack_fd, EV_READ | EV_PERSIST, sack_accept_cb, c);
		event_add(c->sack_ev, NULL);
	}
	if (acct_link_open(c) < 0)
		fatalx("cannot open the accounting queue in %s", c->conf->state_save_location);
	c->sched_ev = event_new(c->base, -1, 0, sched_cb, c);
	event_priority_set(c->sched_ev, 1);
	c->commit_ev = event_new(c->base, -1, 0, state_commit_cb, c);
	event_priority_set(c->commit_ev, 2);
	c->tick_ev = event_new(c->base, -1, EV_PERSIST, tick_cb, c);
	struct timeval one = {1, 0};
	event_add(c->tick_ev, &one);
	int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	for (int i = 0; i < 3; i++) {
		c->sig_ev[i] = evsignal_new(c->base, sigs[i], signal_cb, c);
		event_add(c->sig_ev[i], NULL);
	}
	if (c->conf->ctld_pid_file) {
		FILE *f = fopen(c->conf->ctld_pid_file, "w");
		if (f) {
			fprintf(f, "%ld\n", (long)getpid());
			fclose(f);
		}
	}
	for (struct job *j = c->jobs_head; j; j = j->next)
		if ((j->state & JOB_STATE_BASE) == JOB_RUNNING && !j->released) {
			for (uint32_t k = 0; k < j->node_cnt; k++) {
				c->nodes[j->node_idx[k]].cpus_alloc += j->node_cpus[k];
				c->nodes[j->node_idx[k]].jobs++;
			}
			job_signal_arm_timer(c, j);
		}
	log_info("herdctld %s started: cluster %s, port %u, %u nodes, %u partitions", HERD_VERSION,
	    c->conf->cluster_name, c->conf->ctld_port, c->node_cnt, c->conf->part_cnt);
	sched_request(c);

	event_base_dispatch(c->base);

	log_info("herdctld stopping");
	state_commit_cb(-1, 0, c);
	conn_close_all(c);
	acct_link_close(c);
	for (int i = 0; i < 3; i++)
		event_free(c->sig_ev[i]);
	event_free(c->tick_ev);
	event_free(c->commit_ev);
	event_free(c->sched_ev);
	free(c->sched_fresh);
	free(c->sched_blocked);
	if (c->sack_ev)
		event_free(c->sack_ev);
	event_free(c->listen_ev);
	close(c->listen_fd);
	job_table_destroy(c);
	event_base_free(c->base);
	state_close(c);
	node_table_destroy(c);
	auth_destroy(c->auth);
	if (c->conf->ctld_pid_file)
		unlink(c->conf->ctld_pid_file);
	conf_destroy(c->conf);
	return 0;
}
