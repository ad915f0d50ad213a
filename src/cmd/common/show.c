/* SPDX-License-Identifier: MIT */
/*
 * Rendering of scontrol's Key=Value records.  Each record is a fixed
 * sequence of lines; "le" is the line break (newline plus three spaces,
 * or a space with -o), so one code path serves both layouts.
 */
#include "show.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "hostlist/hostlist.h"
#include "jobfmt.h"
#include "jobid.h"
#include "proto/partflags.h"
#include "proto/states.h"
#include "sinfofmt.h"
#include "timefmt/timefmt.h"

#define S(s) ((s) != NULL ? (s) : "(null)")

const char *
show_uid_name(uint32_t uid)
{
	static uint32_t cached_uid = 0xffffffffU;
	static char cached[64];
	if (uid == cached_uid)
		return cached;
	struct passwd *pw = getpwuid((uid_t)uid);
	if (pw != NULL)
		snprintf(cached, sizeof(cached), "%s", pw->pw_name);
	else
		snprintf(cached, sizeof(cached), "%u", uid);
	cached_uid = uid;
	return cached;
}

static const char *
ts(char *b, size_t n, int64_t t)
{
	return fmt_timestamp(b, n, t, "Unknown");
}

static const char *
mem_str(char *b, size_t n, uint64_t mb)
{
	if (mb == NO_VAL64 || mb == INFINITE64)
		mb = 0;
	return fmt_mem(b, n, mb);
}

static void
end_record(struct buf *o, int oneliner)
{
	buf_adds(o, oneliner ? "\n" : "\n\n");
}

void
show_job(struct buf *o, const struct job_info *j, int oneliner, int details, int64_t now)
{
	const char *le = oneliner ? " " : "\n   ";
	char t1[64], t2[64];
	int64_t when = j->now ? j->now : now;
	uint32_t base = j->state & JOB_STATE_BASE;

	buf_printf(o, "JobId=%u ", j->job_id);
	if (j->array_task_str != NULL || j->array_task_id != NO_VAL) {
		buf_printf(o, "ArrayJobId=%u ArrayTaskId=", j->array_job_id);
		if (j->array_task_str != NULL)
			buf_adds(o, j->array_task_str);
		else
			buf_printf(o, "%u", j->array_task_id);
		buf_addc(o, ' ');
		if (j->array_max_tasks != 0 && j->array_max_tasks != NO_VAL)
			buf_printf(o, "ArrayTaskThrottle=%u ", j->array_max_tasks);
	}
	buf_printf(o, "JobName=%s", S(j->name));
	buf_adds(o, le);

	buf_printf(o, "UserId=%s(%u) GroupId=%s(%u) MCS_label=N/A", S(j->user_name), j->uid, S(j->group_name),
	    j->gid);
	buf_adds(o, le);

	buf_printf(
	    o, "Priority=%u Nice=%d Account=%s QOS=%s", j->priority, j->nice, S(j->account), S(j->qos));
	buf_adds(o, le);

	buf_printf(o, "JobState=%s Reason=", job_state_string(j->state));
	if (j->reason_desc != NULL && *j->reason_desc) {
		for (const char *p = j->reason_desc; *p; p++)
			buf_addc(o, *p == ' ' ? '_' : *p);
	} else {
		buf_adds(o, job_reason_string(j->reason));
	}
	buf_printf(o, " Dependency=%s", S(j->dependency));
	buf_adds(o, le);

	buf_printf(o, "Requeue=%u Restarts=%u BatchFlag=%u Reboot=0 ExitCode=", j->requeue, j->restart_count,
	    j->batch_flag);
	jobfmt_exit_code(o, j->exit_code);
	if (details) {
		buf_adds(o, le);
		buf_adds(o, "DerivedExitCode=");
		jobfmt_exit_code(o, j->derived_exit_code);
	}
	buf_adds(o, le);

	buf_printf(o, "RunTime=%s TimeLimit=", fmt_duration_long(t1, sizeof(t1), jobfmt_run_secs(j, when)));
	if (j->time_limit == NO_VAL)
		buf_adds(o, "Partition_Limit");
	else
		buf_adds(o, fmt_time_limit(t1, sizeof(t1), j->time_limit, 0, "UNLIMITED", "Partition_Limit"));
	buf_adds(o, " TimeMin=");
	if (j->time_min == 0 || j->time_min == NO_VAL)
		buf_adds(o, "N/A");
	else
		buf_adds(o, fmt_time_limit(t1, sizeof(t1), j->time_min, 0, "UNLIMITED", "N/A"));
	buf_adds(o, le);

	buf_printf(o, "SubmitTime=%s EligibleTime=%s", ts(t1, sizeof(t1), j->submit_time),
	    ts(t2, sizeof(t2), j->eligible_time));
	buf_adds(o, le);
	buf_printf(o, "AccrueTime=%s", ts(t1, sizeof(t1), j->accrue_time));
	buf_adds(o, le);
	buf_printf(o, "StartTime=%s EndTime=%s Deadline=N/A", ts(t1, sizeof(t1), j->start_time),
	    ts(t2, sizeof(t2), j->end_time));
	buf_adds(o, le);

	buf_printf(o, "SuspendTime=%s SecsPreSuspend=%lld LastSchedEval=%s Scheduler=Main",
	    fmt_timestamp(t1, sizeof(t1), j->suspend_time, "None"), (long long)j->pre_sus_time,
	    ts(t2, sizeof(t2), j->last_sched_eval));
	buf_adds(o, le);

	buf_printf(o, "Partition=%s AllocNode:Sid=%s:%u", S(j->partition), S(j->alloc_node), j->alloc_sid);
	buf_adds(o, le);
	buf_printf(o, "ReqNodeList=%s ExcNodeList=%s", S(j->req_nodes), S(j->exc_nodes));
	buf_adds(o, le);
	buf_printf(o, "NodeList=%s", j->nodes != NULL ? j->nodes : "");
	buf_adds(o, le);
	if (j->batch_host != NULL && *j->batch_host) {
		buf_printf(o, "BatchHost=%s", j->batch_host);
		buf_adds(o, le);
	}

	buf_printf(o, "NumNodes=%u", j->num_nodes);
	if (base == JOB_PENDING && j->max_nodes != 0 && j->max_nodes != NO_VAL && j->max_nodes != INFINITE &&
	    j->max_nodes > j->num_nodes)
		buf_printf(o, "-%u", j->max_nodes);
	buf_printf(o, " NumCPUs=%u NumTasks=", j->num_cpus);
	if (j->num_tasks == NO_VAL)
		buf_adds(o, "N/A");
	else
		buf_printf(o, "%u", j->num_tasks);
	buf_adds(o, " CPUs/Task=");
	if (j->cpus_per_task == NO_VAL)
		buf_adds(o, "N/A");
	else
		buf_printf(o, "%u", j->cpus_per_task ? j->cpus_per_task : 1);
	buf_adds(o, " ReqB:S:C:T=0:0:*:*");
	buf_adds(o, le);

	buf_printf(o, "TRES=%s", S(j->tres));
	buf_adds(o, le);
	uint32_t tpn = j->ntasks_per_node == NO_VAL ? 0 : j->ntasks_per_node;
	buf_printf(o, "Socks/Node=* NtasksPerN:B:S:C=%u:0:*:* CoreSpec=*", tpn);
	buf_adds(o, le);

	uint32_t mincpus = j->pn_min_cpus == 0 || j->pn_min_cpus == NO_VAL ? 1 : j->pn_min_cpus;
	int per_cpu = j->mem_per_cpu != 0 && j->mem_per_cpu != NO_VAL64 && j->mem_per_cpu != INFINITE64;
	buf_printf(o, "MinCPUsNode=%u %s=%s MinTmpDiskNode=0", mincpus,
	    per_cpu ? "MinMemoryCPU" : "MinMemoryNode",
	    mem_str(t1, sizeof(t1), per_cpu ? j->mem_per_cpu : j->mem_per_node));
	buf_adds(o, le);
	buf_printf(o, "Features=%s DelayBoot=00:00:00", S(j->features));
	buf_adds(o, le);
	buf_printf(o, "OverSubscribe=%s Contiguous=0 Licenses=(null) Network=(null)", jobfmt_oversub(j));
	buf_adds(o, le);
	buf_printf(o, "Command=%s", S(j->command));
	buf_adds(o, le);
	buf_printf(o, "WorkDir=%s", S(j->work_dir));
	buf_adds(o, le);
	if (j->comment != NULL && *j->comment) {
		buf_printf(o, "Comment=%s", j->comment);
		buf_adds(o, le);
	}
	buf_printf(o, "StdErr=%s", j->std_err ? j->std_err : "");
	buf_adds(o, le);
	buf_printf(o, "StdIn=%s", j->std_in ? j->std_in : "");
	buf_adds(o, le);
	buf_printf(o, "StdOut=%s", j->std_out ? j->std_out : "");
	buf_adds(o, le);
	buf_adds(o, "Power=");
	buf_adds(o, le);
	end_record(o, oneliner);
}

void
show_step(struct buf *o, const struct step_info *s, int oneliner, int64_t now)
{
	const char *le = oneliner ? " " : "\n   ";
	char t1[96], t2[64];
	buf_printf(o, "StepId=%s UserId=%u StartTime=%s TimeLimit=",
	    step_id_str(t1, sizeof(t1), s->job_id, s->array_job_id, s->array_task_id, s->step_id), s->uid,
	    ts(t2, sizeof(t2), s->start_time));
	buf_adds(o, fmt_time_limit(t1, sizeof(t1), s->time_limit, 0, "UNLIMITED", "UNLIMITED"));
	buf_adds(o, le);
	buf_printf(
	    o, "State=%s Partition=%s NodeList=%s", job_state_string(s->state), S(s->partition), S(s->nodes));
	buf_adds(o, le);
	size_t nn = 0;
	struct hostlist *hl = hostlist_create(s->nodes);
	if (hl != NULL) {
		nn = hostlist_count(hl);
		hostlist_destroy(hl);
	}
	buf_printf(o, "Nodes=%zu CPUs=%u Tasks=%u Name=%s Network=(null)", nn, s->num_cpus, s->num_tasks,
	    S(s->name));
	buf_adds(o, le);
	buf_printf(o, "TRES=cpu=%u,node=%zu", s->num_cpus, nn);
	buf_adds(o, le);
	buf_adds(o, "ResvPorts=(null)");
	buf_adds(o, le);
	buf_adds(o, "CPUFreqReq=Default Dist=Block");
	buf_adds(o, le);
	buf_adds(o, "SrunHost:Pid=(null):0");
	end_record(o, oneliner);
}

void
show_node(struct buf *o, const struct node_info *n, int oneliner)
{
	const char *le = oneliner ? " " : "\n   ";
	char t1[64], t2[64];

	buf_printf(o, "NodeName=%s ", S(n->name));
	if (n->arch != NULL)
		buf_printf(o, "Arch=%s ", n->arch);
	buf_printf(o, "CoresPerSocket=%u ", n->cores);
	buf_adds(o, le);

	buf_printf(o, "CPUAlloc=%u CPUEfctv=%u CPUTot=%u CPULoad=", n->cpus_alloc, n->cpus, n->cpus);
	if (n->cpu_load == NO_VAL)
		buf_adds(o, "N/A");
	else
		buf_printf(o, "%.2f", n->cpu_load / 100.0);
	buf_adds(o, le);
	buf_printf(o, "AvailableFeatures=%s", S(n->features));
	buf_adds(o, le);
	buf_printf(o, "ActiveFeatures=%s", S(n->features));
	buf_adds(o, le);
	buf_printf(o, "Gres=%s", S(n->gres));
	buf_adds(o, le);

	buf_printf(o, "NodeAddr=%s NodeHostName=%s ", S(n->addr), S(n->hostname));
	if (n->port_set)
		buf_printf(o, "Port=%u ", n->port);
	buf_printf(o, "Version=%s", S(n->version));
	buf_adds(o, le);
	if (n->os != NULL) {
		buf_printf(o, "OS=%s ", n->os);
		buf_adds(o, le);
	}

	buf_printf(o, "RealMemory=%llu AllocMem=%llu FreeMem=", (unsigned long long)n->real_memory,
	    (unsigned long long)n->mem_alloc);
	if (n->free_mem == NO_VAL64)
		buf_adds(o, "N/A");
	else
		buf_printf(o, "%llu", (unsigned long long)n->free_mem);
	buf_printf(o, " Sockets=%u Boards=%u", n->sockets, n->boards);
	buf_adds(o, le);

	buf_printf(o, "State=%s ThreadsPerCore=%u TmpDisk=%llu Weight=%u Owner=N/A MCS_label=N/A",
	    node_state_string_long(n->state, t1, sizeof(t1)), n->threads, (unsigned long long)n->tmp_disk,
	    n->weight);
	buf_adds(o, le);
	if (n->partitions != NULL && *n->partitions) {
		buf_printf(o, "Partitions=%s ", n->partitions);
		buf_adds(o, le);
	}
	buf_printf(o, "BootTime=%s SlurmdStartTime=%s", ts(t1, sizeof(t1), n->boot_time),
	    ts(t2, sizeof(t2), n->slurmd_start_time));
	buf_adds(o, le);
	buf_printf(o, "LastBusyTime=%s", ts(t1, sizeof(t1), n->last_busy));
	buf_adds(o, le);
	buf_printf(
	    o, "CfgTRES=cpu=%u,mem=%s,billing=%u", n->cpus, mem_str(t1, sizeof(t1), n->real_memory), n->cpus);
	buf_adds(o, le);
	buf_adds(o, "AllocTRES=");
	if (n->cpus_alloc != 0)
		buf_printf(o, "cpu=%u", n->cpus_alloc);
	if (n->mem_alloc != 0 && n->mem_alloc != NO_VAL64)
		buf_printf(o, "%smem=%s", n->cpus_alloc ? "," : "", mem_str(t1, sizeof(t1), n->mem_alloc));
	buf_adds(o, le);
	buf_adds(o, "CapWatts=n/a");
	buf_adds(o, le);
	buf_adds(o, "CurrentWatts=0 AveWatts=0");
	buf_adds(o, le);
	buf_adds(o, "ExtSensorsJoules=n/s ExtSensorsWatts=0 ExtSensorsTemp=n/s");
	if (n->reason != NULL && *n->reason) {
		buf_adds(o, le);
		buf_printf(o, "Reason=%s", n->reason);
		if (n->reason_uid != NO_VAL)
			buf_printf(
			    o, " [%s@%s]", show_uid_name(n->reason_uid), ts(t1, sizeof(t1), n->reason_time));
	}
	end_record(o, oneliner);
}

static const char *
yes_no(uint32_t flags, uint32_t bit)
{
	return (flags & bit) ? "YES" : "NO";
}

static void
put_unlimited(struct buf *o, uint32_t v)
{
	if (v == INFINITE || v == NO_VAL)
		buf_adds(o, "UNLIMITED");
	else
		buf_printf(o, "%u", v);
}

static void
put_mem_limit(struct buf *o, const char *node_key, const char *cpu_key, uint64_t per_node, uint64_t per_cpu)
{
	if (per_cpu != 0 && per_cpu != NO_VAL64 && per_cpu != INFINITE64)
		buf_printf(o, "%s=%llu", cpu_key, (unsigned long long)per_cpu);
	else if (per_node != 0 && per_node != NO_VAL64 && per_node != INFINITE64)
		buf_printf(o, "%s=%llu", node_key, (unsigned long long)per_node);
	else
		buf_printf(o, "%s=UNLIMITED", node_key);
}

void
show_part(struct buf *o, const struct part_info *p, int oneliner)
{
	const char *le = oneliner ? " " : "\n   ";
	char t1[64];

	buf_printf(o, "PartitionName=%s", S(p->name));
	buf_adds(o, le);
	buf_printf(o, "AllowGroups=%s ", p->allow_groups && *p->allow_groups ? p->allow_groups : "ALL");
	if (p->deny_accounts != NULL && *p->deny_accounts)
		buf_printf(o, "DenyAccounts=%s ", p->deny_accounts);
	else
		buf_printf(o, "AllowAccounts=%s ",
		    p->allow_accounts && *p->allow_accounts ? p->allow_accounts : "ALL");
	if (p->deny_qos != NULL && *p->deny_qos)
		buf_printf(o, "DenyQos=%s", p->deny_qos);
	else
		buf_printf(o, "AllowQos=%s", p->allow_qos && *p->allow_qos ? p->allow_qos : "ALL");
	buf_adds(o, le);
	buf_printf(o, "AllocNodes=ALL Default=%s QoS=N/A", yes_no(p->flags, PART_FLAG_DEFAULT));
	buf_adds(o, le);

	buf_adds(o, "DefaultTime=");
	if (p->default_time == NO_VAL)
		buf_adds(o, "NONE");
	else
		buf_adds(o, fmt_time_limit(t1, sizeof(t1), p->default_time, 0, "UNLIMITED", "NONE"));
	buf_printf(o, " DisableRootJobs=%s ExclusiveUser=%s GraceTime=%u Hidden=%s",
	    yes_no(p->flags, PART_FLAG_NO_ROOT), yes_no(p->flags, PART_FLAG_EXCLUSIVE_USER), p->grace_time,
	    yes_no(p->flags, PART_FLAG_HIDDEN));
	buf_adds(o, le);

	buf_adds(o, "MaxNodes=");
	put_unlimited(o, p->max_nodes);
	buf_printf(o, " MaxTime=%s MinNodes=%u LLN=%s MaxCPUsPerNode=",
	    fmt_time_limit(t1, sizeof(t1), p->max_time, 0, "UNLIMITED", "UNLIMITED"),
	    p->min_nodes == NO_VAL ? 0 : p->min_nodes, yes_no(p->flags, PART_FLAG_LLN));
	put_unlimited(o, p->max_cpus_per_node == 0 ? INFINITE : p->max_cpus_per_node);
	buf_adds(o, le);
	buf_printf(o, "Nodes=%s", S(p->nodes));
	buf_adds(o, le);

	buf_printf(o, "PriorityJobFactor=%u PriorityTier=%u RootOnly=%s ReqResv=%s OverSubscribe=",
	    p->priority_job_factor, p->priority_tier, yes_no(p->flags, PART_FLAG_ROOT_ONLY),
	    yes_no(p->flags, PART_FLAG_REQ_RESV));
	sinfofmt_oversub(o, p->oversubscribe);
	buf_adds(o, le);
	buf_adds(o, "OverTimeLimit=");
	if (p->over_time_limit == 0 || p->over_time_limit == NO_VAL || p->over_time_limit == 0xfffe)
		buf_adds(o, "NONE");
	else if (p->over_time_limit == INFINITE || p->over_time_limit == 0xffff)
		buf_adds(o, "UNLIMITED");
	else
		buf_printf(o, "%u", p->over_time_limit);
	buf_adds(o, " PreemptMode=OFF");
	buf_adds(o, le);

	const char *st = "UNKNOWN";
	switch (p->state) {
	case PART_STATE_UP:
		st = "UP";
		break;
	case PART_STATE_DOWN:
		st = "DOWN";
		break;
	case PART_STATE_DRAIN:
		st = "DRAIN";
		break;
	case PART_STATE_INACTIVE:
		st = "INACTIVE";
		break;
	}
	buf_printf(o, "State=%s TotalCPUs=%u TotalNodes=%u SelectTypeParameters=NONE", st, p->total_cpus,
	    p->total_nodes);
	buf_adds(o, le);
	buf_adds(o, "JobDefaults=(null)");
	buf_adds(o, le);
	put_mem_limit(o, "DefMemPerNode", "DefMemPerCPU", p->def_mem_per_node, p->def_mem_per_cpu);
	buf_addc(o, ' ');
	put_mem_limit(o, "MaxMemPerNode", "MaxMemPerCPU", p->max_mem_per_node, p->max_mem_per_cpu);
	buf_adds(o, le);
	buf_printf(o, "TRES=cpu=%u,mem=%s,node=%u,billing=%u", p->total_cpus,
	    mem_str(t1, sizeof(t1), p->total_mem), p->total_nodes, p->total_cpus);
	end_record(o, oneliner);
}

static const char *const mpi_block[] = {
    "",
    "MPI Plugins Configuration:",
    "PMIxCliTmpDirBase=(null)",
    "PMIxCollFence=(null)",
    "PMIxDebug=0",
    "PMIxDirectConn=yes",
    "PMIxDirectConnEarly=no",
    "PMIxDirectConnUCX=no",
    "PMIxDirectSameArch=no",
    "PMIxEnv=(null)",
    "PMIxFenceBarrier=no",
    "PMIxNetDevicesUCX=(null)",
    "PMIxTimeout=300",
    "PMIxTlsUCX=(null)",
};

static void
config_line(struct buf *o, const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (eq == NULL) {
		buf_printf(o, "%s\n", kv);
		return;
	}
	buf_printf(o, "%-23.*s = %s\n", (int)(eq - kv), kv, eq + 1);
}

void
show_config(struct buf *o, char *const *kv, uint32_t n, int64_t now)
{
	char t[64];
	buf_printf(o, "Configuration data as of %s\n", fmt_timestamp(t, sizeof(t), now, "Unknown"));
	int sections = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (kv[i] == NULL)
			continue;
		if (strchr(kv[i], '=') == NULL)
			sections = 1;
		config_line(o, kv[i]);
	}
	/* the MPI plugin block Slurm appends (herd has no PMIx settings of its own) */
	if (!sections)
		for (size_t i = 0; i < sizeof(mpi_block) / sizeof(mpi_block[0]); i++)
			config_line(o, mpi_block[i]);
}
