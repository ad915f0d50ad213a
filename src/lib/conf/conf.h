/* SPDX-License-Identifier: MIT */
/*
 * slurm.conf and slurmdbd.conf (config.md).  Keys are defined once in a
 * table in conf.c (name, type, field, default); unknown keys that Slurm
 * knows are accepted and noted once, truly unknown keys are errors.
 */
#ifndef HERD_CONF_H
#define HERD_CONF_H

#include <stddef.h>
#include <stdint.h>

/* partition OverSubscribe encoding */
#define OVERSUB_NO 0
#define OVERSUB_EXCLUSIVE 0x10000U
#define OVERSUB_YES 0x20000U /* | count */
#define OVERSUB_FORCE 0x40000U /* | count */

#define PART_STATE_UP 1
#define PART_STATE_DOWN 2
#define PART_STATE_DRAIN 3
#define PART_STATE_INACTIVE 4

struct conf_node {
	char *name;
	char *hostname;
	char *addr;
	uint16_t port; /* 0: SlurmdPort */
	int port_set; /* Port= given on the line */
	uint32_t cpus, boards, sockets, cores, threads;
	uint64_t real_memory_mb, tmp_disk_mb;
	uint32_t weight;
	char *features, *gres;
	uint32_t state; /* initial: NODE_STATE_UNKNOWN/DOWN/FUTURE | DRAIN | FAIL */
	char *reason;
};

/* NodeSet=NAME Feature=F / Nodes=HOSTLIST: a name usable in a partition's
 * Nodes=.  Both keys may be given: the set is the union. */
struct conf_nodeset {
	char *name;
	char *feature; /* every node whose Features include it; NULL = none */
	char *nodes; /* hostlist as written; NULL = none */
};

struct conf_part {
	char *name;
	char *nodes_expr; /* as written ("ALL" and nodesets expanded) */
	int all_nodes; /* Nodes=ALL: dynamic nodes join it too */
	char **features; /* Feature= of the nodesets in Nodes=: nodes with one join it */
	uint32_t feature_cnt;
	uint32_t *node_idx; /* indexes into conf->nodes, node order */
	uint32_t node_cnt;
	int is_default;
	uint32_t max_time_min; /* INFINITE if unlimited */
	uint32_t default_time_min; /* NO_VAL if unset */
	uint32_t state; /* PART_STATE_* */
	uint32_t max_nodes; /* INFINITE */
	uint32_t min_nodes;
	uint32_t priority_tier, priority_job_factor;
	uint32_t oversubscribe; /* OVERSUB_* */
	int hidden, root_only, exclusive_user, disable_root_jobs, lln, req_resv;
	char *allow_groups, *allow_accounts, *allow_qos, *deny_accounts, *deny_qos; /* NULL = ALL / none */
	uint64_t def_mem_per_cpu, def_mem_per_node, max_mem_per_cpu, max_mem_per_node; /* 0 = unset */
	uint32_t max_cpus_per_node; /* INFINITE */
	uint32_t grace_time, over_time_limit;
};

struct herd_conf {
	char *path; /* slurm.conf path */
	char *dir; /* its directory */

	char *cluster_name; /* lower-cased */
	char **ctld_hosts; /* SlurmctldHost names, first = primary */
	char **ctld_addrs; /* address in parentheses, else the name */
	uint32_t ctld_host_cnt;
	uint16_t ctld_port;
	uint16_t slurmd_port;
	char *auth_type, *auth_info, *auth_alt_types;
	char *slurm_user, *slurmd_user;
	char *state_save_location, *slurmd_spool_dir;
	char *ctld_log_file, *slurmd_log_file, *ctld_pid_file, *slurmd_pid_file;
	int ctld_debug, slurmd_debug; /* log levels (log.h) */
	char *acct_storage_type, *acct_storage_host, *acct_storage_pass, *acct_storage_enforce;
	uint16_t acct_storage_port;
	char *acct_store_flags;
	char *job_acct_gather_type;
	uint32_t job_acct_gather_freq;
	char *job_comp_type, *job_comp_loc;
	char *proctrack_type, *task_plugin, *select_type, *select_type_params;
	char *scheduler_type, *scheduler_params, *priority_type, *mpi_default;
	uint32_t max_node_count; /* MaxNodeCount: room for dynamic nodes */
	uint32_t max_job_count, min_job_age, first_job_id, max_job_id, max_array_size;
	uint32_t max_step_count, max_tasks_per_node, kill_wait, over_time_limit, inactive_limit;
	uint32_t msg_timeout, tcp_timeout, slurmctld_timeout, slurmd_timeout, return_to_service;
	uint32_t batch_start_timeout, job_requeue, job_file_append, kill_on_bad_exit, wait_time;
	uint32_t complete_wait, enforce_part_limits; /* 0 NO, 1 ANY, 2 ALL */
	uint64_t def_mem_per_cpu, def_mem_per_node, max_mem_per_cpu, max_mem_per_node;
	char *prolog_flags, *prolog, *epilog, *prolog_slurmctld, *epilog_slurmctld;
	char *tmp_fs, *health_check_program, *private_data, *launch_parameters;
	uint32_t health_check_interval;

	struct conf_node *nodes;
	uint32_t node_cnt;
	struct conf_part *parts;
	uint32_t part_cnt;
	int default_part; /* index or -1 */
	struct conf_nodeset *nodesets;
	uint32_t nodeset_cnt;

	/* every scalar key as "Name=Value" in table order, for scontrol show config */
	char **show;
	uint32_t show_cnt;
};

/* SLURM_CONF, else /etc/slurm/slurm.conf */
const char *conf_default_path(void);

/* Load and validate slurm.conf.  On error returns NULL and writes a message
 * such as "slurm.conf:42: unknown key 'NodeNmae'" into err.  A herd_conf
 * only ever comes from conf_load / conf_load_string (it carries private
 * lookup data); never build one by hand. */
struct herd_conf *conf_load(const char *path, char *err, size_t errlen);
/* Same, from a string (tests, fuzzing); name is used in messages. */
struct herd_conf *conf_load_string(const char *text, const char *name, char *err, size_t errlen);
void conf_destroy(struct herd_conf *c);

int conf_node_index(const struct herd_conf *c, const char *name); /* -1 */
/*
 * Add a node slurm.conf does not have (dynamic registration): spec holds the
 * keys of a NodeName line ("CPUs=2 RealMemory=1000 Feature=gpu", NULL =
 * defaults).  It joins every partition it belongs to (conf_node_join_parts).
 * c->nodes and the partitions' node_idx may move: pointers into them are
 * stale afterwards.  Returns the node's index, or -1 with a message in err
 * (invalid or duplicate name, bad keys).
 */
int conf_node_add(struct herd_conf *c, const char *name, const char *spec, char *err, size_t errlen);
/* the longest spec a dynamic node may have (herdd -Z --conf) */
#define CONF_DYN_SPEC_MAX 2048
/* A node joins every partition it is not in yet whose Nodes= is ALL or names
 * a Feature nodeset the node's Features match / leaves every partition (a
 * deleted dynamic node).  node_idx arrays may move. */
void conf_node_join_parts(struct herd_conf *c, uint32_t idx);
void conf_node_leave_parts(struct herd_conf *c, uint32_t idx);
int conf_nodeset_index(const struct herd_conf *c, const char *name); /* -1 */
/* Does a node's Features list ("a,b") hold feature f? */
int conf_features_have(const char *features, const char *f);
/*
 * A job's constraint (sbatch -C) against a node's Features: feature names
 * joined by '&' (or ',') and '|', '&' binding tighter ("a&b|c").  1: the
 * node matches, 0: it does not, -1: the constraint is not of that form.
 */
int conf_constraint_match(const char *features, const char *constraint);
/* Seconds between herdd's pings: a third of SlurmdTimeout, 1 to 5. */
uint32_t conf_ping_interval(const struct herd_conf *c);
int conf_part_index(const struct herd_conf *c, const char *name); /* -1 */
/* Port of node i (its own or SlurmdPort). */
uint16_t conf_node_port(const struct herd_conf *c, uint32_t i);

/* slurmdbd.conf */
struct dbd_conf {
	char *path;
	char *dbd_host, *dbd_addr;
	uint16_t dbd_port;
	char *storage_type, *storage_host, *storage_user, *storage_pass, *storage_loc;
	uint16_t storage_port;
	char *slurm_user, *auth_type, *log_file, *pid_file;
	int debug_level;
	char *purge_job_after, *purge_step_after;
	uint32_t commit_delay;
};
struct dbd_conf *dbd_conf_load(const char *path, char *err, size_t errlen);
void dbd_conf_destroy(struct dbd_conf *c);

#endif
