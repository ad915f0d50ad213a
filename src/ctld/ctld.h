/* SPDX-License-Identifier: MIT */
/*
 * herdctld: the context shared by the controller's modules.  One event
 * loop thread owns all of it; modules receive the context explicitly.
 */
#ifndef HERD_CTLD_H
#define HERD_CTLD_H

#include <event2/event.h>
#include <stdint.h>
#include <sys/types.h>

#include "auth/auth.h"
#include "base/buf.h"
#include "conf/conf.h"
#include "proto/jobspec.h"
#include "proto/proto.h"
#include "proto/states.h"
#include "proto/wire.h"

struct ctld;
struct conn;
struct acct_link;

/* A node of the cluster (index = slurm.conf order). */
struct node {
	uint32_t idx;
	const struct conf_node *cfg;
	uint32_t state; /* NODE_STATE_* base | flags */
	uint32_t cpus_alloc;
	uint32_t jobs; /* running jobs with CPUs here */
	uint32_t completing; /* jobs still cleaning up here */
	char *reason;
	uint32_t reason_uid;
	int64_t reason_time;
	int64_t last_seen; /* last frame from its herdd */
	int64_t boot_time, start_time, last_busy;
	uint32_t cpu_load;
	uint64_t free_mem, real_memory;
	uint32_t reg_cpus;
	char *version, *os, *arch;
	struct conn *conn; /* its herdd's connection, NULL if none */
	int down_by_timeout; /* DOWN only because it stopped responding */
	char *partitions; /* comma list, for node info */
	int dynamic; /* registered by herdd -Z (node_dyn.c) */
	int removed; /* a deleted dynamic node: kept so indexes stay stable */
};

/* a job step started by srun (step.c); finished steps stay for accounting */
struct step {
	uint32_t id;
	char *name;
	uint32_t state; /* JOB_RUNNING, then COMPLETED/FAILED/CANCELLED... */
	int64_t start_time, end_time;
	uint32_t node_cnt;
	uint32_t *pos; /* positions in the job's node arrays */
	uint32_t *cpus; /* CPUs taken there (0 with --overlap) */
	uint32_t *tasks; /* tasks there */
	uint32_t ntasks, total_cpus, flags, time_limit;
	uint32_t nodes_left; /* nodes whose supervisor has not reported the end */
	uint32_t exit_code; /* wait status (highest) */
	uint32_t requid;
	char *nodelist;
	char *submit_line;
	/* usage of all nodes so far (the usage fields of acct_step, usage.h;
	 * the node names are owned) */
	struct acct_step usage;
	uint32_t acct_change; /* the job's step_changes at this step's last change */
	struct step *next;
};

struct job {
	uint32_t id;
	struct job_desc *desc; /* owned */
	uint32_t uid, gid;
	char *user, *group;
	uint32_t state, reason;
	uint32_t priority;
	int part; /* partition index */
	int64_t submit_time, eligible_time, start_time, end_time, last_sched_eval;
	uint32_t time_limit; /* effective, minutes or INFINITE */
	uint32_t exit_code, requid, restarts;
	uint32_t ntasks, min_nodes, max_nodes, cpt;
	/* allocation */
	uint32_t node_cnt;
	uint32_t *node_idx;
	uint32_t *node_cpus;
	uint32_t total_cpus;
	char *nodelist;
	uint32_t completing_nodes; /* nodes still to report cleanup */
	struct event *timer; /* time limit, then kill-wait escalation */
	int kill_stage; /* 0 none, 1 SIGTERM sent, 2 SIGKILL sent */
	int held;
	struct dep_term *deps;
	uint32_t dep_cnt;
	int dep_or; /* terms joined by '?' */
	char *dep_display; /* remaining terms as squeue %E shows them; NULL = none */
	/* arrays: array_job_id 0 for a plain job; array_task_id NO_VAL while the
	 * record still stands for pending tasks (array_pending) */
	uint32_t array_job_id, array_task_id;
	uint32_t *array_pending;
	uint32_t array_pending_cnt, array_throttle;
	uint32_t array_count, array_min, array_max, array_step; /* of the whole array */
	char *array_str; /* array_pending as ranges, for squeue */
	uint32_t array_next; /* position in array_pending of the task to run next (aftercorr) */
	uint64_t acct_sig; /* what accounting last got of this job (acct_link.c) */
	struct step *steps, *steps_tail; /* in id order */
	uint32_t next_step_id, step_changes;
	/* step_changes that accounting has (acct_link.c): later steps only
	 * are sent; 0 after a controller start (all are sent once) */
	uint32_t acct_steps_sent;
	uint32_t *step_cpus_used; /* per job node, CPUs held by running steps */
	struct conn *alloc_conn; /* srun/salloc waiting on this allocation */
	/* of the batch script: the usage fields of acct_step (usage.h), no
	 * node names (the batch host's) */
	struct acct_step batch_usage;
	int released; /* allocation returned to the nodes */
	struct ctld *ctx;
	char *std_out, *std_err, *std_in; /* expanded */
	struct job *hnext; /* id hash chain */
	struct job *next, *prev; /* all jobs, submission order */
};

struct pending_reply {
	struct conn *conn;
	struct buf frame;
	struct pending_reply *next;
};

struct ctld {
	struct herd_conf *conf;
	const char *conf_path;
	struct auth *auth;
	struct event_base *base;
	int listen_fd;
	struct event *listen_ev;
	int sack_fd;
	struct event *sack_ev;
	int sack_clients; /* signing-socket clients being served */
	struct event *sched_ev; /* scheduler pass, activated by events */
	struct event *commit_ev; /* group commit: sync state, then reply */
	struct event *tick_ev; /* 1 s housekeeping */
	struct event *sig_ev[4];

	struct node *nodes;
	uint32_t node_cnt;

	struct job **job_hash;
	uint32_t job_hash_size;
	struct job *jobs_head, *jobs_tail;
	uint32_t job_count;
	uint32_t next_job_id;
	uint32_t next_priority;
	int64_t last_update;

	/* state save */
	int state_fd;
	int lock_fd;
	int state_dirty;
	uint64_t journal_bytes;
	uint32_t state_unreadable; /* saved records that did not decode (load) */
	struct pending_reply *replies, **replies_tail;

	struct conn *conns;
	struct acct_link *acct; /* NULL without AccountingStorageType=slurmdbd */
	struct acct_tables *assoc; /* associations from herddbd (assoc.c); NULL: none yet */
	/* scheduling (sched.c) */
	int sched_full; /* the last full pass left no CPU free anywhere */
	int sched_need_full; /* something besides submissions happened since */
	uint32_t *sched_fresh, sched_fresh_cnt, sched_fresh_cap; /* job ids submitted since */
	uint8_t *sched_blocked; /* per partition: a job of it waits (last pass) */
	uint32_t sched_blocked_cnt;
	int64_t start_time;
	int shutting_down;
	char hostname[256];
};

int64_t ctld_now(void);

/* conn.c */
void conn_accept_cb(evutil_socket_t fd, short what, void *arg);
/* queue a reply; it is sent after the next state commit */
void conn_reply(struct ctld *c, struct conn *cn, unsigned type, uint32_t req_id, const void *rec);
void conn_reply_rc(struct ctld *c, struct conn *cn, uint32_t req_id, int rc);
/* send now, signed (controller -> herdd) */
int conn_send(struct ctld *c, struct conn *cn, unsigned type, const void *rec);
void conn_set_node(struct conn *cn, int node_idx);
void conn_alloc_ref(struct conn *cn, int delta); /* allocations waiting on cn */
int conn_node(const struct conn *cn);
void conn_close(struct ctld *c, struct conn *cn);
void conn_close_all(struct ctld *c);

/* acct_link.c */
int acct_link_open(struct ctld *c);
void acct_link_close(struct ctld *c);
void acct_job_changed(struct ctld *c, struct job *j);
void acct_step_changed(struct ctld *c, struct job *j); /* no fdatasync before replies */
/* close the row of the run a requeue ends (REQUEUED) */
void acct_job_requeued(struct ctld *c, struct job *j);
void acct_sync(struct ctld *c);

/* step.c */
void step_create_rpc(struct ctld *c, struct conn *cn, struct msg *m);
void step_complete_rpc(struct ctld *c, struct conn *cn, struct msg *m);
/* a node's supervisor of a step reported its end */
void step_node_done(struct ctld *c, struct job_complete *jc, int node_idx);
/* the job ended: every running step ends with it */
void step_job_ended(struct ctld *c, struct job *j);
int step_signal(struct ctld *c, struct job *j, uint32_t step_id, uint32_t sig, uint32_t uid);
struct step *step_find(struct job *j, uint32_t step_id);
uint32_t step_count_running(const struct job *j);
void step_free_all(struct job *j);
/* the job's steps as saved (owned copies) and back (after a restart:
 * running steps hold no CPUs, their nodes report their end) */
void step_to_records(const struct job *j, struct acct_step **out, uint32_t *cnt);
void step_from_records(struct ctld *c, struct job *j, const struct acct_step *v, uint32_t cnt);
/* allocations of srun and salloc (no batch script) */
void alloc_submit_rpc(struct ctld *c, struct conn *cn, struct msg *m);
void alloc_granted(struct ctld *c, struct job *j);
void alloc_revoked(struct ctld *c, struct job *j);
void alloc_done_rpc(struct ctld *c, struct conn *cn, struct msg *m);
/* the connection of an allocating client closed */
void alloc_conn_lost(struct ctld *c, struct conn *cn);
/* assoc.c */
void assoc_open(struct ctld *c);
void assoc_close(struct ctld *c);
/* take t's contents as the new association tables */
void assoc_update(struct ctld *c, struct acct_tables *t);
/* sbatch -A / --qos at submission: 0 (d->account and d->qos lower-cased,
 * or set to the user's default account and the default QOS), or
 * ESLURM_INVALID_ACCOUNT / ESLURM_INVALID_QOS */
int assoc_job_check(struct ctld *c, struct job_desc *d, uint32_t uid, const char *partition);

/* sack.c */
void sack_accept_cb(evutil_socket_t fd, short what, void *arg);

/* rpc.c */
void rpc_dispatch(struct ctld *c, struct conn *cn, struct msg *m);

/* job.c */
void job_table_create(struct ctld *c);
void job_table_destroy(struct ctld *c);
struct job *job_find(struct ctld *c, uint32_t id);
/* On failure returns a herd error and may set *why to Slurm's explanatory
 * line (caller frees). */
int job_submit(
    struct ctld *c, struct job_desc *desc, uint32_t uid, uint32_t gid, struct job **out, char **why);
void job_insert(struct ctld *c, struct job *j);
void job_remove(struct ctld *c, struct job *j);
void job_free(struct job *j);
uint32_t job_alloc_id(struct ctld *c); /* 0 when none is free */
void job_clear_alloc(struct job *j);
void job_fill_info(struct ctld *c, const struct job *j, struct job_info *ji);
void job_info_release(struct job_info *ji);
void job_purge_old(struct ctld *c);
int job_is_admin(struct ctld *c, uint32_t uid);
void job_expand_paths(struct ctld *c, struct job *j);

/* job_array.c */
void array_refresh_str(struct job *j);
uint32_t array_running(struct ctld *c, uint32_t array_job_id);
struct job *array_split(struct ctld *c, struct job *master);
struct job *array_split_task(struct ctld *c, struct job *master, uint32_t idx, int with_deps);
struct job *array_task_find(struct ctld *c, uint32_t array_id, uint32_t idx, int *in_master);
uint32_t job_targets(struct ctld *c, uint32_t job_id, uint32_t task, struct job ***out, int *in_master);

/* job_depend.c */
/* Replace the job's dependency (NULL/"" clears); -1 on a bad spec, job unchanged. */
int depend_set(struct job *j, const char *spec);
/* 1 satisfied, 0 waiting, -1 can never be satisfied */
int depend_eval(struct ctld *c, struct job *j);

/* sched.c */
void sched_request(struct ctld *c);
void sched_request_new(struct ctld *c, const struct job *j);
void sched_cb(evutil_socket_t fd, short what, void *arg);
int sched_job_fits_ever(struct ctld *c, struct job *j);

/* job_signal.c */
int job_signal_cancel(struct ctld *c, struct job *j, uint32_t sig, uint32_t flags, uint32_t uid);
void job_signal_complete(struct ctld *c, struct job_complete *jc, int node_idx);
void job_signal_end(struct ctld *c, struct job *j, uint32_t state, uint32_t reason, uint32_t exit_code);
void job_signal_arm_timer(struct ctld *c, struct job *j);
void job_signal_node_failed(struct ctld *c, uint32_t node_idx);
void job_release_nodes(struct ctld *c, struct job *j);
/* tell every node of the job to end its steps (not the batch script) */
void job_signal_kill_steps(struct ctld *c, struct job *j);
int job_update(struct ctld *c, struct job_update_req *req, uint32_t uid);

/* node.c */
void node_table_create(struct ctld *c);
void node_table_destroy(struct ctld *c);
int node_register(struct ctld *c, struct conn *cn, struct node_register *reg);
void node_conn_lost(struct ctld *c, int node_idx);
void node_fill_info(struct ctld *c, const struct node *n, struct node_info *ni);
void node_recompute_state(struct ctld *c, struct node *n);
int node_usable(const struct node *n);
void node_check_timeouts(struct ctld *c);
int node_update(struct ctld *c, struct keyvals *kv, uint32_t uid);

/* node_dyn.c: nodes registered with herdd -Z (MaxNodeCount).  Both may move
 * c->nodes: no struct node pointer survives them. */
int node_dyn_load(struct ctld *c); /* at startup, before the job state */
int node_dyn_register(struct ctld *c, const struct node_register *reg); /* index or -1 */
int node_dyn_delete(struct ctld *c, struct node *n); /* 0 or a Slurm error code */
void part_fill_info(struct ctld *c, uint32_t p, struct part_info *pi);
int part_update(struct ctld *c, struct keyvals *kv);

/* state_save.c */
int state_open(struct ctld *c);
void state_close(struct ctld *c);
/* -1 if the new job could not be saved: it must then be refused */
int state_job_new(struct ctld *c, struct job *j);
void state_job_update(struct ctld *c, struct job *j);
/* the same without holding replies for an fdatasync (steps) */
void state_job_update_lazy(struct ctld *c, struct job *j);
void state_job_purge(struct ctld *c, struct job *j);
void state_commit_request(struct ctld *c);
void state_commit_cb(evutil_socket_t fd, short what, void *arg);

#endif
