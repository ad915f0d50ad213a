/* SPDX-License-Identifier: MIT */
/*
 * The message table: every record that crosses the wire is defined here,
 * once, as an X-macro field list.  proto.h turns each list into a C struct
 * and a field descriptor; one generic engine (proto.c) packs, unpacks,
 * frees and prints every record from those descriptors, so there are no
 * hand-written pack/unpack pairs to drift apart.
 *
 * Field kinds: U32, U64, I32, I64, STR (NUL-free text or NULL), STRV (array
 * of strings, with a companion <name>_cnt), BYTES (opaque, companion
 * <name>_len), ARR(record) (array of records, companion <name>_cnt).
 *
 * Changing a record changes the wire format: bump HERD_PROTO_VERSION.
 */
#ifndef HERD_RECORDS_H
#define HERD_RECORDS_H

#define HERD_PROTO_VERSION 4

/* X(S, KIND, SUBRECORD, NAME) */

#define REC_empty(X, S)

#define REC_rc(X, S) \
	X(S, I32, , rc) \
	X(S, STR, , msg)

/* sbatch / srun / salloc: a job request.  Unset numbers are NO_VAL. */
#define REC_job_desc(X, S) \
	X(S, STR, , name) \
	X(S, STR, , partition) \
	X(S, STR, , account) \
	X(S, STR, , qos) \
	X(S, STR, , comment) \
	X(S, STR, , reservation) \
	X(S, STR, , wckey) \
	X(S, STR, , constraint) \
	X(S, STR, , script) \
	X(S, STR, , command) \
	X(S, STR, , work_dir) \
	X(S, STR, , std_out) \
	X(S, STR, , std_err) \
	X(S, STR, , std_in) \
	X(S, STRV, , env) \
	X(S, STRV, , argv) \
	X(S, STR, , submit_host) \
	X(S, STR, , submit_line) \
	X(S, STR, , req_nodes) \
	X(S, STR, , exc_nodes) \
	X(S, STR, , array_spec) \
	X(S, STR, , dependency) \
	X(S, STR, , alloc_node) \
	X(S, U32, , alloc_sid) \
	X(S, U32, , ntasks) \
	X(S, U32, , min_nodes) \
	X(S, U32, , max_nodes) \
	X(S, U32, , cpus_per_task) \
	X(S, U32, , ntasks_per_node) \
	X(S, U32, , mincpus) \
	X(S, U32, , time_limit) \
	X(S, U32, , time_min) \
	X(S, U64, , mem_per_node) \
	X(S, U64, , mem_per_cpu) \
	X(S, U32, , flags) \
	X(S, U32, , open_mode) \
	X(S, I64, , begin_time) \
	X(S, I64, , deadline) \
	X(S, I32, , nice) \
	X(S, U32, , priority) \
	X(S, U32, , warn_signal) \
	X(S, U32, , warn_time) \
	X(S, U32, , warn_flags) \
	X(S, U32, , umask) \
	X(S, U32, , batch) \
	X(S, U32, , immediate)

/* state and reason: where the job stands right after submission (srun
 * and salloc say whether they must wait) */
#define REC_submit_resp(X, S) \
	X(S, U32, , job_id) \
	X(S, U32, , step_id) \
	X(S, I32, , rc) \
	X(S, STR, , msg) \
	X(S, U32, , state) \
	X(S, U32, , reason)

#define REC_job_info(X, S) \
	X(S, U32, , job_id) \
	X(S, U32, , array_job_id) \
	X(S, U32, , array_task_id) \
	X(S, STR, , array_task_str) \
	X(S, U32, , array_max_tasks) \
	X(S, STR, , name) \
	X(S, STR, , user_name) \
	X(S, STR, , group_name) \
	X(S, U32, , uid) \
	X(S, U32, , gid) \
	X(S, STR, , partition) \
	X(S, STR, , account) \
	X(S, STR, , qos) \
	X(S, STR, , comment) \
	X(S, STR, , reservation) \
	X(S, STR, , wckey) \
	X(S, STR, , features) \
	X(S, U32, , state) \
	X(S, U32, , reason) \
	X(S, STR, , reason_desc) \
	X(S, STR, , dependency) \
	X(S, U32, , priority) \
	X(S, I32, , nice) \
	X(S, U32, , restart_count) \
	X(S, U32, , batch_flag) \
	X(S, U32, , requeue) \
	X(S, U32, , exit_code) \
	X(S, U32, , derived_exit_code) \
	X(S, U32, , time_limit) \
	X(S, U32, , time_min) \
	X(S, I64, , submit_time) \
	X(S, I64, , eligible_time) \
	X(S, I64, , accrue_time) \
	X(S, I64, , start_time) \
	X(S, I64, , end_time) \
	X(S, I64, , suspend_time) \
	X(S, I64, , pre_sus_time) \
	X(S, I64, , last_sched_eval) \
	X(S, I64, , now) \
	X(S, STR, , alloc_node) \
	X(S, U32, , alloc_sid) \
	X(S, STR, , req_nodes) \
	X(S, STR, , exc_nodes) \
	X(S, STR, , nodes) \
	X(S, STR, , batch_host) \
	X(S, STR, , sched_nodes) \
	X(S, U32, , num_nodes) \
	X(S, U32, , max_nodes) \
	X(S, U32, , num_cpus) \
	X(S, U32, , num_tasks) \
	X(S, U32, , cpus_per_task) \
	X(S, U32, , ntasks_per_node) \
	X(S, U32, , pn_min_cpus) \
	X(S, U64, , mem_per_node) \
	X(S, U64, , mem_per_cpu) \
	X(S, STR, , tres) \
	X(S, STR, , cpus_per_node) \
	X(S, STR, , command) \
	X(S, STR, , work_dir) \
	X(S, STR, , std_out) \
	X(S, STR, , std_err) \
	X(S, STR, , std_in) \
	X(S, U32, , oversubscribe) \
	X(S, U32, , flags) \
	X(S, U32, , requid) \
	X(S, U32, , sched_flags)

#define REC_job_info_req(X, S) \
	X(S, U32, , job_id) \
	X(S, U32, , flags)

#define REC_job_info_resp(X, S) \
	X(S, I64, , last_update) \
	X(S, ARR, job_info, jobs)

#define REC_step_info(X, S) \
	X(S, U32, , job_id) \
	X(S, U32, , step_id) \
	X(S, U32, , array_job_id) \
	X(S, U32, , array_task_id) \
	X(S, STR, , name) \
	X(S, STR, , partition) \
	X(S, STR, , user_name) \
	X(S, U32, , uid) \
	X(S, U32, , state) \
	X(S, I64, , start_time) \
	X(S, I64, , now) \
	X(S, U32, , time_limit) \
	X(S, STR, , nodes) \
	X(S, U32, , num_tasks) \
	X(S, U32, , num_cpus)

#define REC_step_info_resp(X, S) X(S, ARR, step_info, steps)

#define REC_node_info(X, S) \
	X(S, STR, , name) \
	X(S, STR, , hostname) \
	X(S, STR, , addr) \
	X(S, U32, , port) \
	X(S, U32, , cpus) \
	X(S, U32, , boards) \
	X(S, U32, , sockets) \
	X(S, U32, , cores) \
	X(S, U32, , threads) \
	X(S, U64, , real_memory) \
	X(S, U64, , tmp_disk) \
	X(S, U32, , weight) \
	X(S, STR, , features) \
	X(S, STR, , gres) \
	X(S, U32, , state) \
	X(S, U32, , cpus_alloc) \
	X(S, U64, , mem_alloc) \
	X(S, STR, , reason) \
	X(S, U32, , reason_uid) \
	X(S, I64, , reason_time) \
	X(S, I64, , boot_time) \
	X(S, I64, , slurmd_start_time) \
	X(S, I64, , last_busy) \
	X(S, STR, , version) \
	X(S, STR, , os) \
	X(S, STR, , arch) \
	X(S, U32, , cpu_load) \
	X(S, U64, , free_mem) \
	X(S, STR, , partitions) \
	X(S, U32, , port_set)

#define REC_node_info_resp(X, S) X(S, ARR, node_info, nodes)

#define REC_part_info(X, S) \
	X(S, STR, , name) \
	X(S, STR, , nodes) \
	X(S, U32, , flags) \
	X(S, U32, , state) \
	X(S, U32, , max_time) \
	X(S, U32, , default_time) \
	X(S, U32, , max_nodes) \
	X(S, U32, , min_nodes) \
	X(S, U32, , priority_tier) \
	X(S, U32, , priority_job_factor) \
	X(S, U32, , oversubscribe) \
	X(S, U32, , total_cpus) \
	X(S, U32, , total_nodes) \
	X(S, U64, , total_mem) \
	X(S, STR, , allow_groups) \
	X(S, STR, , allow_accounts) \
	X(S, STR, , allow_qos) \
	X(S, STR, , deny_accounts) \
	X(S, STR, , deny_qos) \
	X(S, U64, , def_mem_per_cpu) \
	X(S, U64, , def_mem_per_node) \
	X(S, U64, , max_mem_per_cpu) \
	X(S, U64, , max_mem_per_node) \
	X(S, U32, , over_time_limit) \
	X(S, U32, , grace_time) \
	X(S, U32, , max_cpus_per_node)

#define REC_part_info_resp(X, S) X(S, ARR, part_info, parts)

/* scancel: signal == 0 means cancel. */
#define REC_cancel_req(X, S) \
	X(S, U32, , job_id) \
	X(S, U32, , array_task_id) \
	X(S, U32, , step_id) \
	X(S, U32, , signal) \
	X(S, U32, , flags)

/* scontrol job actions; keyvals are "Key=Value" for JOB_ACT_UPDATE. */
#define REC_job_update_req(X, S) \
	X(S, U32, , job_id) \
	X(S, U32, , array_task_id) \
	X(S, U32, , action) \
	X(S, STRV, , keyvals)

#define REC_keyvals(X, S) X(S, STRV, , keyvals)

/* herdd -> herdctld */
#define REC_running_job(X, S) \
	X(S, U32, , job_id) \
	X(S, I32, , pid)

#define REC_node_register(X, S) \
	X(S, STR, , node_name) \
	X(S, STR, , hostname) \
	X(S, STR, , version) \
	X(S, STR, , os) \
	X(S, STR, , arch) \
	X(S, U32, , cpus) \
	X(S, U32, , boards) \
	X(S, U32, , sockets) \
	X(S, U32, , cores) \
	X(S, U32, , threads) \
	X(S, U64, , real_memory) \
	X(S, U64, , tmp_disk) \
	X(S, U64, , free_mem) \
	X(S, U32, , cpu_load) \
	X(S, I64, , boot_time) \
	X(S, I64, , start_time) \
	X(S, ARR, running_job, jobs) \
	X(S, STR, , dyn_conf)

/* herdctld -> herdd: run a batch script.  env is complete except for
 * SLURM_TASK_PID, which the step supervisor adds.  restarts tells the runs
 * of a requeued job apart; job_signal and job_complete carry it back
 * (NO_VAL in job_signal: every run of the job). */
#define REC_batch_launch(X, S) \
	X(S, U32, , job_id) \
	X(S, U32, , restarts) \
	X(S, U32, , uid) \
	X(S, U32, , gid) \
	X(S, STR, , user_name) \
	X(S, STR, , job_name) \
	X(S, STR, , script) \
	X(S, STRV, , argv) \
	X(S, STRV, , env) \
	X(S, STR, , work_dir) \
	X(S, STR, , std_out) \
	X(S, STR, , std_err) \
	X(S, STR, , std_in) \
	X(S, U32, , open_mode) \
	X(S, U32, , umask) \
	X(S, STR, , node_name) \
	X(S, STR, , nodes) \
	X(S, U32, , cpus) \
	X(S, U64, , mem_mb)

/* herdctld -> herdd: signal or end a job on a node.  step_id NO_VAL:
 * every step of the job (and its batch script); else that step only. */
#define REC_job_signal(X, S) \
	X(S, U32, , job_id) \
	X(S, U32, , restarts) \
	X(S, U32, , signal) \
	X(S, U32, , flags) \
	X(S, U32, , kill_wait) \
	X(S, STR, , msg) \
	X(S, U32, , step_id)

/* usage beyond MaxRSS/AveRSS/MaxVMSize/UserCPU/SystemCPU (JobAcctGather),
 * as a step's supervisor reports it for its node (job_complete) and as
 * the step's record keeps it for all its nodes (acct_step).  Tasks are
 * the ranks within the step; disk figures are bytes; the averages are
 * over usage_tasks tasks (of each task's maximum or total). */
#define USAGE_FIELDS(X, S) \
	X(S, U32, , usage_tasks) \
	X(S, U32, , max_rss_task) \
	X(S, U32, , max_vmsize_task) \
	X(S, U64, , ave_vmsize_kb) \
	X(S, U64, , max_disk_read) \
	X(S, U32, , max_disk_read_task) \
	X(S, U64, , ave_disk_read) \
	X(S, U64, , max_disk_write) \
	X(S, U32, , max_disk_write_task) \
	X(S, U64, , ave_disk_write) \
	X(S, U64, , min_cpu_us) \
	X(S, U32, , min_cpu_task) \
	X(S, U64, , ave_cpu_us)

/* herdstepd -> herdd -> herdctld: a job's batch script ended. */
#define REC_job_complete(X, S) \
	X(S, U32, , job_id) \
	X(S, U32, , restarts) \
	X(S, STR, , node_name) \
	X(S, U32, , status) \
	X(S, U32, , flags) \
	X(S, STR, , msg) \
	X(S, U32, , step_id) \
	X(S, U64, , user_cpu_us) \
	X(S, U64, , sys_cpu_us) \
	X(S, U64, , max_rss_kb) \
	X(S, U64, , ave_rss_kb) \
	X(S, U64, , max_vmsize_kb) \
	USAGE_FIELDS(X, S)

/* herdctld state save: a job's dynamic state (journal update record) */
#define REC_job_state(X, S) \
	X(S, U32, , job_id) \
	X(S, U32, , uid) \
	X(S, U32, , gid) \
	X(S, U32, , state) \
	X(S, U32, , reason) \
	X(S, U32, , priority) \
	X(S, U32, , exit_code) \
	X(S, U32, , requid) \
	X(S, U32, , restarts) \
	X(S, U32, , time_limit) \
	X(S, I64, , submit_time) \
	X(S, I64, , eligible_time) \
	X(S, I64, , start_time) \
	X(S, I64, , end_time) \
	X(S, STR, , partition) \
	X(S, STR, , nodes) \
	X(S, STR, , node_cpus) \
	X(S, U32, , released) \
	X(S, STR, , dependency) \
	X(S, U32, , array_job_id) \
	X(S, U32, , array_task_id) \
	X(S, STR, , array_pending) \
	X(S, U32, , array_throttle) \
	X(S, U32, , array_count) \
	X(S, U32, , array_min) \
	X(S, U32, , array_max) \
	X(S, U32, , array_step) \
	X(S, U32, , purged) \
	X(S, U32, , next_step_id) \
	X(S, ARR, acct_step, steps)

/* herdctld state save: a new job (its request and first state) */
#define REC_job_saved(X, S) \
	X(S, ARR, job_desc, desc) \
	X(S, ARR, job_state, st)

/* accounting (herddbd): one step of a job as stored */
#define REC_acct_step(X, S) \
	X(S, U32, , step_id) \
	X(S, STR, , name) \
	X(S, STR, , nodes) \
	X(S, U32, , nnodes) \
	X(S, U32, , ntasks) \
	X(S, U32, , ncpus) \
	X(S, U32, , state) \
	X(S, U32, , exit_code) \
	X(S, U32, , requid) \
	X(S, I64, , time_start) \
	X(S, I64, , time_end) \
	X(S, STR, , tres_alloc) \
	X(S, U64, , max_rss_kb) \
	X(S, U64, , ave_rss_kb) \
	X(S, U64, , max_vmsize_kb) \
	X(S, U64, , user_cpu_us) \
	X(S, U64, , sys_cpu_us) \
	USAGE_FIELDS(X, S) \
	X(S, STR, , max_rss_node) \
	X(S, STR, , max_vmsize_node) \
	X(S, STR, , max_disk_read_node) \
	X(S, STR, , max_disk_write_node) \
	X(S, STR, , min_cpu_node)

/* accounting: a job (or array task) as stored; sent by herdctld as events
 * happen (the whole row each time: the latest one wins) and returned to
 * sacct with its steps */
#define REC_acct_job(X, S) \
	X(S, STR, , cluster) \
	X(S, U32, , job_id) \
	X(S, U32, , array_job_id) \
	X(S, U32, , array_task_id) \
	X(S, STR, , name) \
	X(S, STR, , user_name) \
	X(S, U32, , uid) \
	X(S, STR, , group_name) \
	X(S, U32, , gid) \
	X(S, STR, , account) \
	X(S, STR, , partition) \
	X(S, STR, , qos) \
	X(S, U32, , state) \
	X(S, U32, , reason) \
	X(S, U32, , exit_code) \
	X(S, U32, , derived_exit_code) \
	X(S, U32, , requid) \
	X(S, U32, , restarts) \
	X(S, U32, , priority) \
	X(S, I64, , time_submit) \
	X(S, I64, , time_eligible) \
	X(S, I64, , time_start) \
	X(S, I64, , time_end) \
	X(S, I64, , time_suspended) \
	X(S, U32, , timelimit) \
	X(S, STR, , nodes) \
	X(S, U32, , nnodes) \
	X(S, U32, , ncpus) \
	X(S, U32, , req_cpus) \
	X(S, U64, , req_mem_mb) \
	X(S, U32, , req_nodes) \
	X(S, STR, , tres_alloc) \
	X(S, STR, , tres_req) \
	X(S, STR, , work_dir) \
	X(S, STR, , submit_line) \
	X(S, STR, , constraints) \
	X(S, STR, , comment) \
	X(S, U32, , flags) \
	X(S, STR, , dependency) \
	X(S, ARR, acct_step, steps)

/* sacct's selection; empty lists select everything */
#define REC_acct_query(X, S) \
	X(S, U32, , flags) \
	X(S, STRV, , users) \
	X(S, STRV, , jobs) \
	X(S, STRV, , states) \
	X(S, STRV, , partitions) \
	X(S, STRV, , names) \
	X(S, STRV, , accounts) \
	X(S, STR, , nodelist) \
	X(S, I64, , start) \
	X(S, I64, , end)

/* more: herddbd splits a reply too large for one message into several;
 * every one but the last says more follows */
#define REC_acct_jobs(X, S) \
	X(S, ARR, acct_job, jobs) \
	X(S, U32, , more)

/* srun -> herdctld: a new step in job_id (flags STEP_F_*, sigflags.h). */
#define REC_step_create_req(X, S) \
	X(S, U32, , job_id) \
	X(S, STR, , name) \
	X(S, U32, , ntasks) \
	X(S, U32, , min_nodes) \
	X(S, U32, , max_nodes) \
	X(S, U32, , cpus_per_task) \
	X(S, U32, , ntasks_per_node) \
	X(S, STR, , req_nodes) \
	X(S, STR, , exc_nodes) \
	X(S, U32, , distribution) \
	X(S, U32, , plane_size) \
	X(S, U32, , flags) \
	X(S, U32, , time_limit) \
	X(S, STR, , submit_line)

/* one node of a new step: where its herdd listens, the credential the
 * controller signed for it, and the global ranks it runs */
#define REC_step_node(X, S) \
	X(S, STR, , name) \
	X(S, STR, , addr) \
	X(S, U32, , port) \
	X(S, BYTES, , cred) \
	X(S, U32, , ntasks) \
	X(S, U32, , cpus) \
	X(S, STR, , gtids)

#define REC_step_create_resp(X, S) \
	X(S, I32, , rc) \
	X(S, STR, , msg) \
	X(S, U32, , job_id) \
	X(S, U32, , step_id) \
	X(S, STR, , nodelist) \
	X(S, U32, , ntasks) \
	X(S, STR, , tasks_per_node) \
	X(S, ARR, step_node, nodes)

/* herdctld's signed statement that uid may run step job_id.step_id on
 * node_name until expires (a REQ_STEP_CRED frame, carried by srun) */
#define REC_step_cred(X, S) \
	X(S, U32, , job_id) \
	X(S, U32, , step_id) \
	X(S, U32, , uid) \
	X(S, U32, , gid) \
	X(S, STR, , node_name) \
	X(S, U32, , cpus) \
	X(S, I64, , expires)

/* srun -> herdd: start this node's tasks of a step */
#define REC_step_launch(X, S) \
	X(S, BYTES, , cred) \
	X(S, U32, , job_id) \
	X(S, U32, , step_id) \
	X(S, U32, , uid) \
	X(S, U32, , gid) \
	X(S, STR, , user_name) \
	X(S, U32, , node_id) \
	X(S, U32, , ntasks) \
	X(S, STRV, , node_names) \
	X(S, STRV, , node_gtids) \
	X(S, STR, , nodelist) \
	X(S, STR, , tasks_per_node) \
	X(S, U32, , cpus) \
	X(S, U32, , cpus_per_task) \
	X(S, STRV, , argv) \
	X(S, STRV, , env) \
	X(S, STR, , work_dir) \
	X(S, STR, , io_host) \
	X(S, U32, , io_port) \
	X(S, BYTES, , io_key) \
	X(S, U32, , flags) \
	X(S, U32, , stdin_task) \
	X(S, STR, , mpi) \
	X(S, U32, , umask)

/* step I/O between herdstepd (connects) and srun (listens) */
#define REC_io_hello(X, S) \
	X(S, U32, , job_id) \
	X(S, U32, , step_id) \
	X(S, U32, , node_id) \
	X(S, BYTES, , key)

/* stream: 0 stdin (srun -> task), 1 stdout, 2 stderr; empty data = EOF */
#define REC_io_data(X, S) \
	X(S, U32, , task) \
	X(S, U32, , stream) \
	X(S, BYTES, , data)

/* a task ended: status as from wait(); flags COMPLETE_LAUNCH_FAILED with msg */
#define REC_io_exit(X, S) \
	X(S, U32, , task) \
	X(S, U32, , status) \
	X(S, U32, , flags) \
	X(S, STR, , msg)

/* control: IO_CTL_* (sigflags.h) */
#define REC_io_ctl(X, S) \
	X(S, U32, , kind) \
	X(S, U32, , node) \
	X(S, U64, , seq) \
	X(S, BYTES, , data)

/* srun / salloc -> herdctld: a step ended (step_id), or the client is done
 * with its allocation (step_id NO_VAL) */
#define REC_step_complete(X, S) \
	X(S, U32, , job_id) \
	X(S, U32, , step_id) \
	X(S, U32, , status) \
	X(S, U32, , flags)
/* sacctmgr's association data as herddbd keeps it (names lower-case).
 * An account's own association has user "" (NULL); partition "" is every
 * partition.  admin_level: 1 None, 2 Operator, 3 Administrator. */
#define REC_acct_cluster(X, S) \
	X(S, STR, , name) \
	X(S, STR, , control_host) \
	X(S, U32, , control_port) \
	X(S, U32, , rpc_version) \
	X(S, I64, , time_created)

#define REC_acct_account(X, S) \
	X(S, STR, , name) \
	X(S, STR, , description) \
	X(S, STR, , organization)

#define REC_acct_user(X, S) \
	X(S, STR, , name) \
	X(S, STR, , default_account) \
	X(S, U32, , admin_level)

#define REC_acct_assoc(X, S) \
	X(S, STR, , cluster) \
	X(S, STR, , account) \
	X(S, STR, , user) \
	X(S, STR, , partition) \
	X(S, STR, , parent) \
	X(S, U32, , shares) \
	X(S, STR, , qos) \
	X(S, STR, , def_qos)

/* every association table: herddbd -> sacctmgr (show), -> herdctld (at
 * registration and pushed after each change) */
#define REC_acct_tables(X, S) \
	X(S, ARR, acct_cluster, clusters) \
	X(S, ARR, acct_account, accounts) \
	X(S, ARR, acct_user, users) \
	X(S, ARR, acct_assoc, assocs)

/* sacctmgr -> herddbd: op and entity as in acct/acctmgr.h; names, where
 * and set as "key=value" (names: the bare words of add) */
#define REC_acct_mgr_req(X, S) \
	X(S, U32, , op) \
	X(S, U32, , entity) \
	X(S, U32, , flags) \
	X(S, STRV, , names) \
	X(S, STRV, , where) \
	X(S, STRV, , set)

/* rc is sacctmgr's exit status; text goes to stdout, err to stderr */
#define REC_acct_mgr_resp(X, S) \
	X(S, I32, , rc) \
	X(S, STR, , text) \
	X(S, STR, , err)

/* sstat -> herdd: the usage of a running step on that node so far */
#define REC_step_stat_req(X, S) \
	X(S, U32, , job_id) \
	X(S, U32, , step_id)

/* the record list: R(name) for each record above */
#define HERD_RECORDS(R) \
	R(acct_step) \
	R(acct_job) \
	R(acct_query) \
	R(acct_jobs) \
	R(empty) \
	R(rc) \
	R(job_desc) \
	R(submit_resp) \
	R(job_info) \
	R(job_info_req) \
	R(job_info_resp) \
	R(step_info) \
	R(step_info_resp) \
	R(node_info) \
	R(node_info_resp) \
	R(part_info) \
	R(part_info_resp) \
	R(cancel_req) \
	R(job_update_req) \
	R(keyvals) \
	R(running_job) \
	R(node_register) \
	R(batch_launch) \
	R(job_signal) \
	R(job_complete) \
	R(job_state) \
	R(job_saved) \
	R(step_create_req) \
	R(step_node) \
	R(step_create_resp) \
	R(step_cred) \
	R(step_launch) \
	R(io_hello) \
	R(io_data) \
	R(io_exit) \
	R(io_ctl) \
	R(step_complete) \
	R(acct_cluster) \
	R(acct_account) \
	R(acct_user) \
	R(acct_assoc) \
	R(acct_tables) \
	R(acct_mgr_req) \
	R(acct_mgr_resp) \
	R(step_stat_req)

/* M(TYPE, record).  Numbers are assigned in order; append only. */
#define HERD_MESSAGES(M) \
	M(RESP_RC, rc) \
	M(REQ_PING, empty) \
	M(REQ_SUBMIT_BATCH, job_desc) \
	M(RESP_SUBMIT_BATCH, submit_resp) \
	M(REQ_JOB_INFO, job_info_req) \
	M(RESP_JOB_INFO, job_info_resp) \
	M(REQ_STEP_INFO, job_info_req) \
	M(RESP_STEP_INFO, step_info_resp) \
	M(REQ_NODE_INFO, empty) \
	M(RESP_NODE_INFO, node_info_resp) \
	M(REQ_PART_INFO, empty) \
	M(RESP_PART_INFO, part_info_resp) \
	M(REQ_CANCEL, cancel_req) \
	M(REQ_JOB_UPDATE, job_update_req) \
	M(REQ_NODE_UPDATE, keyvals) \
	M(REQ_PART_UPDATE, keyvals) \
	M(REQ_CONFIG, empty) \
	M(RESP_CONFIG, keyvals) \
	M(REQ_NODE_REGISTER, node_register) \
	M(REQ_BATCH_LAUNCH, batch_launch) \
	M(REQ_JOB_SIGNAL, job_signal) \
	M(REQ_JOB_COMPLETE, job_complete) \
	M(REQ_SHUTDOWN, empty) \
	M(REQ_RECONFIGURE, empty) \
	M(REQ_NODE_PING, empty) \
	M(REQ_ACCT_JOB, acct_job) \
	M(REQ_ACCT_QUERY, acct_query) \
	M(RESP_ACCT_JOBS, acct_jobs) \
	M(REQ_STEP_CREATE, step_create_req) \
	M(RESP_STEP_CREATE, step_create_resp) \
	M(REQ_STEP_CRED, step_cred) \
	M(REQ_STEP_LAUNCH, step_launch) \
	M(IO_HELLO, io_hello) \
	M(IO_DATA, io_data) \
	M(IO_EXIT, io_exit) \
	M(IO_CTL, io_ctl) \
	M(REQ_STEP_COMPLETE, step_complete) \
	M(REQ_ALLOC_DONE, step_complete) \
	M(RESP_ALLOC, job_info) \
	M(REQ_ACCT_REGISTER, acct_cluster) \
	M(REQ_ACCT_MGR, acct_mgr_req) \
	M(RESP_ACCT_MGR, acct_mgr_resp) \
	M(RESP_ACCT_TABLES, acct_tables) \
	M(REQ_ACCT_JOBS, acct_jobs) \
	M(REQ_STEP_STAT, step_stat_req) \
	M(RESP_STEP_STAT, acct_step)

#endif
