/* SPDX-License-Identifier: MIT */
/*
 * Starting a scheduled job: mark the allocation, build the batch script's
 * environment (jobs.md section 5.1) and send the launch to the first
 * node's herdd.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xmalloc.h"
#include "ctld.h"
#include "hostlist/hostlist.h"
#include "proto/jobflags.h"
#include "timefmt/timefmt.h"

void job_launch(struct ctld *c, struct job *j);

static void setenvf(char ***env, uint32_t *cnt, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void
setenvf(char ***env, uint32_t *cnt, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *v = xvasprintf(fmt, ap);
	va_end(ap);
	strv_setenv(env, cnt, name, v);
	free(v);
}

/* Block layout of the job's tasks over its nodes (jobs.md section 4). */
static char *
job_tasks_per_node(const struct job *j)
{
	uint32_t *cnt = xcalloc(j->node_cnt, sizeof(uint32_t));
	const struct job_desc *d = j->desc;
	if (d->ntasks == NO_VAL && !(d->min_nodes != NO_VAL && d->ntasks_per_node != NO_VAL)) {
		for (uint32_t k = 0; k < j->node_cnt; k++)
			cnt[k] = j->node_cpus[k] / j->cpt;
	} else {
		uint32_t left = j->ntasks;
		int progress = 1;
		while (left > 0) {
			progress = 0;
			for (uint32_t k = 0; k < j->node_cnt && left > 0; k++) {
				if (cnt[k] < j->node_cpus[k] / j->cpt) {
					cnt[k]++;
					left--;
					progress = 1;
				}
			}
			if (!progress) /* oversubscribed: keep dealing */
				for (uint32_t k = 0; k < j->node_cnt && left > 0; k++, left--)
					cnt[k]++;
		}
	}
	char *s = fmt_compressed_counts(cnt, j->node_cnt);
	free(cnt);
	return s;
}

static void
job_build_env(struct ctld *c, struct job *j, struct batch_launch *bl)
{
	const struct job_desc *d = j->desc;
	char ***env = &bl->env;
	uint32_t *n = &bl->env_cnt;
	for (uint32_t i = 0; i < d->env_cnt; i++)
		strv_add(env, n, d->env[i]);
	const char *node = c->nodes[j->node_idx[0]].cfg->name;
	char *cpn = fmt_compressed_counts(j->node_cpus, j->node_cnt);
	char *tpn = job_tasks_per_node(j);
	setenvf(env, n, "SLURM_JOB_ID", "%u", j->id);
	if (j->array_task_id != NO_VAL) {
		setenvf(env, n, "SLURM_ARRAY_JOB_ID", "%u", j->array_job_id);
		setenvf(env, n, "SLURM_ARRAY_TASK_ID", "%u", j->array_task_id);
		setenvf(env, n, "SLURM_ARRAY_TASK_COUNT", "%u", j->array_count);
		setenvf(env, n, "SLURM_ARRAY_TASK_MIN", "%u", j->array_min);
		setenvf(env, n, "SLURM_ARRAY_TASK_MAX", "%u", j->array_max);
		setenvf(env, n, "SLURM_ARRAY_TASK_STEP", "%u", j->array_step);
	}
	setenvf(env, n, "SLURM_JOBID", "%u", j->id);
	strv_setenv(env, n, "SLURM_JOB_NAME", d->name ? d->name : "");
	strv_setenv(env, n, "SLURM_JOB_NODELIST", j->nodelist);
	strv_setenv(env, n, "SLURM_NODELIST", j->nodelist);
	setenvf(env, n, "SLURM_JOB_NUM_NODES", "%u", j->node_cnt);
	setenvf(env, n, "SLURM_NNODES", "%u", j->node_cnt);
	strv_setenv(env, n, "SLURM_JOB_CPUS_PER_NODE", cpn);
	strv_setenv(env, n, "SLURM_TASKS_PER_NODE", tpn);
	if (d->ntasks != NO_VAL || (d->min_nodes != NO_VAL && d->ntasks_per_node != NO_VAL)) {
		setenvf(env, n, "SLURM_NTASKS", "%u", j->ntasks);
		setenvf(env, n, "SLURM_NPROCS", "%u", j->ntasks);
	}
	if (d->cpus_per_task != NO_VAL)
		setenvf(env, n, "SLURM_CPUS_PER_TASK", "%u", d->cpus_per_task);
	if (d->ntasks_per_node != NO_VAL)
		setenvf(env, n, "SLURM_NTASKS_PER_NODE", "%u", d->ntasks_per_node);
	setenvf(env, n, "SLURM_CPUS_ON_NODE", "%u", j->node_cpus[0]);
	if (d->mem_per_node != NO_VAL64)
		setenvf(env, n, "SLURM_MEM_PER_NODE", "%llu", (unsigned long long)d->mem_per_node);
	else if (d->mem_per_cpu != NO_VAL64)
		setenvf(env, n, "SLURM_MEM_PER_CPU", "%llu", (unsigned long long)d->mem_per_cpu);
	strv_setenv(env, n, "SLURM_JOB_PARTITION", c->conf->parts[j->part].name);
	if (d->account)
		strv_setenv(env, n, "SLURM_JOB_ACCOUNT", d->account);
	strv_setenv(env, n, "SLURM_JOB_QOS", d->qos ? d->qos : "normal");
	if (d->reservation)
		strv_setenv(env, n, "SLURM_JOB_RESERVATION", d->reservation);
	strv_setenv(env, n, "SLURM_CLUSTER_NAME", c->conf->cluster_name);
	if (strv_getenv(*env, *n, "SLURM_SUBMIT_DIR") == NULL)
		strv_setenv(env, n, "SLURM_SUBMIT_DIR", d->work_dir ? d->work_dir : "/");
	if (strv_getenv(*env, *n, "SLURM_SUBMIT_HOST") == NULL)
		strv_setenv(env, n, "SLURM_SUBMIT_HOST", d->submit_host ? d->submit_host : "");
	strv_setenv(env, n, "SLURMD_NODENAME", node);
	strv_setenv(env, n, "SLURM_NODEID", "0");
	strv_setenv(env, n, "SLURM_PROCID", "0");
	strv_setenv(env, n, "SLURM_LOCALID", "0");
	strv_setenv(env, n, "SLURM_GTIDS", "0");
	setenvf(env, n, "SLURM_JOB_UID", "%u", j->uid);
	strv_setenv(env, n, "SLURM_JOB_USER", j->user);
	setenvf(env, n, "SLURM_JOB_GID", "%u", j->gid);
	strv_setenv(env, n, "SLURM_CONF", c->conf->path);
	if (j->restarts > 0)
		setenvf(env, n, "SLURM_RESTART_COUNT", "%u", j->restarts);
	if (d->dependency)
		strv_setenv(env, n, "SLURM_JOB_DEPENDENCY", d->dependency);
	if (strv_getenv(*env, *n, "SLURM_PRIO_PROCESS") == NULL)
		strv_setenv(env, n, "SLURM_PRIO_PROCESS", "0");
	strv_setenv(env, n, "SLURM_TOPOLOGY_ADDR", node);
	strv_setenv(env, n, "SLURM_TOPOLOGY_ADDR_PATTERN", "node");
	strv_setenv(env, n, "SLURM_NODE_ALIASES", "(null)");
	setenvf(env, n, "SLURM_WORKING_CLUSTER", "%s:%s:%u:9728:109", c->conf->cluster_name,
	    c->conf->ctld_addrs[0], c->conf->ctld_port);
	strv_setenv(env, n, "ENVIRONMENT", "BATCH");
	strv_setenv(env, n, "HOSTNAME", node);
	if (strv_getenv(*env, *n, "TMPDIR") == NULL)
		strv_setenv(env, n, "TMPDIR", "/tmp");
	free(cpn);
	free(tpn);
}

void
job_launch(struct ctld *c, struct job *j)
{
	int64_t now = ctld_now();
	const char **names = xcalloc(j->node_cnt, sizeof(char *));
	for (uint32_t k = 0; k < j->node_cnt; k++) {
		struct node *nd = &c->nodes[j->node_idx[k]];
		names[k] = nd->cfg->name;
		nd->cpus_alloc += j->node_cpus[k];
		nd->jobs++;
		nd->last_busy = now;
		node_recompute_state(c, nd);
	}
	free(j->nodelist);
	j->nodelist = hostlist_compress(names, j->node_cnt);
	free(names);
	j->state = JOB_RUNNING;
	j->reason = WAIT_NO_REASON;
	j->start_time = now;
	j->last_sched_eval = now;
	j->end_time = j->time_limit == INFINITE ? 0 : now + (int64_t)j->time_limit * 60;
	job_expand_paths(c, j);
	if (!j->desc->batch) { /* srun or salloc: the client runs what it wants */
		state_job_update(c, j);
		job_signal_arm_timer(c, j);
		alloc_granted(c, j);
		log_verbose("job %u: allocated %s", j->id, j->nodelist);
		return;
	}

	struct batch_launch bl;
	memset(&bl, 0, sizeof(bl));
	const struct job_desc *d = j->desc;
	bl.job_id = j->id;
	bl.restarts = j->restarts;
	bl.uid = j->uid;
	bl.gid = j->gid;
	bl.user_name = j->user;
	bl.job_name = d->name;
	bl.script = d->script;
	bl.argv = d->argv;
	bl.argv_cnt = d->argv_cnt;
	bl.work_dir = d->work_dir;
	bl.std_out = j->std_out;
	bl.std_err = j->std_err;
	bl.std_in = j->std_in;
	bl.open_mode = d->open_mode != OPEN_MODE_DEFAULT
	                   ? d->open_mode
	                   : (c->conf->job_file_append ? OPEN_MODE_APPEND : OPEN_MODE_TRUNCATE);
	bl.umask = d->umask;
	bl.node_name = c->nodes[j->node_idx[0]].cfg->name;
	bl.nodes = j->nodelist;
	bl.cpus = j->node_cpus[0];
	bl.mem_mb = 0;
	job_build_env(c, j, &bl);
	struct node *first = &c->nodes[j->node_idx[0]];
	if (conn_send(c, first->conn, REQ_BATCH_LAUNCH, &bl) < 0)
		log_warnx("job %u: cannot send launch to %s", j->id, first->cfg->name);
	strv_free(bl.env, bl.env_cnt);
	log_verbose("job %u: started on %s", j->id, j->nodelist);
	state_job_update(c, j);
	job_signal_arm_timer(c, j);
}
