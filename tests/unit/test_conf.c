/* SPDX-License-Identifier: MIT */
/*
 * slurm.conf / slurmdbd.conf parsing (config.md sections 1-8): the
 * reference files, defaults, DEFAULT lines, Include, continuation lines,
 * record encodings and exact file:line error messages.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/log.h"
#include "conf/conf.h"
#include "proto/proto.h"
#include "proto/states.h"

static char err[512];

static struct herd_conf *
load_ok(const char *text)
{
	err[0] = '\0';
	struct herd_conf *c = conf_load_string(text, "slurm.conf", err, sizeof(err));
	if (c == NULL)
		fail_msg("config rejected: %s", err);
	return c;
}

static void
load_bad(const char *text, const char *want)
{
	err[0] = '\0';
	struct herd_conf *c = conf_load_string(text, "slurm.conf", err, sizeof(err));
	if (c != NULL) {
		conf_destroy(c);
		fail_msg("config accepted, wanted error '%s'", want);
	}
	if (strcmp(err, want) != 0)
		fail_msg("error '%s', wanted '%s'", err, want);
}

static const char *
show(const struct herd_conf *c, const char *key)
{
	size_t n = strlen(key);
	for (uint32_t i = 0; i < c->show_cnt; i++)
		if (strncmp(c->show[i], key, n) == 0 && c->show[i][n] == '=')
			return c->show[i] + n + 1;
	return NULL;
}

#define HEAD "ClusterName=test\nSlurmctldHost=head\n"

static void
test_seed_slurm_conf(void **state)
{
	struct herd_conf *c = conf_load(HERD_SHARED_DIR "/seed/conf/slurm.conf", err, sizeof(err));
	if (c == NULL)
		fail_msg("%s", err);
	assert_string_equal(c->cluster_name, "docker-slurm-cluster");
	assert_int_equal(c->ctld_host_cnt, 1);
	assert_string_equal(c->ctld_hosts[0], "axc-headnode");
	assert_string_equal(c->ctld_addrs[0], "axc-headnode");
	assert_int_equal(c->ctld_port, 6817);
	assert_int_equal(c->slurmd_port, 6818);
	assert_string_equal(c->slurm_user, "slurm");
	assert_string_equal(c->state_save_location, "/var/spool/slurm/ctld");
	assert_string_equal(c->slurmd_spool_dir, "/var/spool/slurm/d");
	assert_string_equal(c->select_type, "select/cons_res");
	assert_string_equal(c->select_type_params, "CR_Core");
	assert_string_equal(c->proctrack_type, "proctrack/linuxproc");
	assert_string_equal(c->task_plugin, "task/affinity");
	assert_string_equal(c->acct_storage_type, "accounting_storage/slurmdbd");
	assert_string_equal(c->acct_store_flags, "job_comment");
	assert_string_equal(c->ctld_log_file, "/dev/stdout");
	assert_int_equal(c->ctld_debug, LOG_LVL_INFO);
	assert_int_equal(c->return_to_service, 1);
	assert_int_equal(c->job_acct_gather_freq, 30);
	assert_int_equal(c->wait_time, 0);

	assert_int_equal(c->node_cnt, 5);
	assert_string_equal(c->nodes[0].name, "axc-headnode");
	assert_string_equal(c->nodes[4].name, "axc-compute-04");
	for (uint32_t i = 0; i < c->node_cnt; i++) {
		assert_int_equal(c->nodes[i].cpus, 2);
		assert_int_equal(c->nodes[i].sockets, 2);
		assert_int_equal(c->nodes[i].cores, 1);
		assert_int_equal(c->nodes[i].real_memory_mb, 1);
		assert_int_equal(c->nodes[i].state, NODE_STATE_UNKNOWN);
		assert_int_equal(conf_node_port(c, i), 6818);
		assert_string_equal(c->nodes[i].addr, c->nodes[i].name);
	}
	assert_int_equal(conf_node_index(c, "axc-compute-02"), 2);
	assert_int_equal(conf_node_index(c, "nope"), -1);

	assert_int_equal(c->part_cnt, 2);
	assert_int_equal(c->default_part, 0);
	const struct conf_part *p = &c->parts[0];
	assert_string_equal(p->name, "compute");
	assert_string_equal(p->nodes_expr, "axc-compute-[01-04]");
	assert_int_equal(p->node_cnt, 4);
	assert_int_equal(p->node_idx[0], 1);
	assert_int_equal(p->node_idx[3], 4);
	assert_true(p->is_default);
	assert_int_equal(p->max_time_min, 1440);
	assert_int_equal(p->default_time_min, NO_VAL);
	assert_int_equal(p->state, PART_STATE_UP);
	assert_int_equal(p->oversubscribe, OVERSUB_YES | 4);
	assert_int_equal(p->max_nodes, INFINITE);
	assert_int_equal(p->priority_tier, 1);
	p = &c->parts[1];
	assert_string_equal(p->name, "debug");
	assert_false(p->is_default);
	assert_int_equal(p->max_time_min, 30);
	assert_int_equal(p->node_cnt, 1);
	assert_int_equal(p->node_idx[0], 0);
	assert_int_equal(conf_part_index(c, "debug"), 1);
	assert_int_equal(conf_part_index(c, "Debug"), -1);

	/* keys herd only stores */
	assert_string_equal(show(c, "MailProg"), "/bin/mailx");
	assert_string_equal(show(c, "TaskPluginParam"), "Cores");
	assert_string_equal(show(c, "SwitchType"), "switch/none");
	assert_string_equal(show(c, "ClusterName"), "docker-slurm-cluster");
	assert_string_equal(show(c, "SlurmctldHost[0]"), "axc-headnode");
	assert_string_equal(show(c, "ReturnToService"), "1");
	assert_string_equal(show(c, "WaitTime"), "0");
	assert_null(show(c, "AccountingStoragePass"));
	conf_destroy(c);
}

static void
test_golden_slurm_conf(void **state)
{
	struct herd_conf *c = conf_load(HERD_SHARED_DIR "/golden/slurm-22.05/slurm.conf", err, sizeof(err));
	if (c == NULL)
		fail_msg("%s", err);
	assert_string_equal(c->cluster_name, "axc");
	assert_string_equal(c->ctld_hosts[0], "axc-head");
	assert_string_equal(c->ctld_addrs[0], "127.0.1.10");
	assert_int_equal(c->ctld_port, 16817);
	assert_int_equal(c->slurmd_port, 16821);
	assert_string_equal(c->auth_info, "socket=/srv/ref/munge/munge.socket.2");
	assert_string_equal(c->slurmd_spool_dir, "/srv/ref/spool/%n");
	assert_string_equal(c->acct_storage_host, "axc-head");
	assert_int_equal(c->acct_storage_port, 16819);
	assert_int_equal(c->return_to_service, 2);
	assert_string_equal(c->select_type, "select/cons_tres");
	assert_int_equal(c->node_cnt, 4);
	for (uint32_t i = 0; i < 4; i++) {
		char addr[32];
		snprintf(addr, sizeof(addr), "127.0.1.%u", 11 + i);
		assert_string_equal(c->nodes[i].addr, addr);
		assert_int_equal(conf_node_port(c, i), 16821 + i);
		assert_true(c->nodes[i].port_set);
	}
	assert_int_equal(c->part_cnt, 1);
	assert_int_equal(c->default_part, 0);
	assert_int_equal(c->parts[0].oversubscribe, OVERSUB_YES | 4);

	/* show values as scontrol show config prints them */
	assert_string_equal(show(c, "SlurmctldHost[0]"), "axc-head(127.0.1.10)");
	assert_string_equal(show(c, "AuthInfo"), "socket=/srv/ref/munge/munge.socket.2");
	assert_string_equal(show(c, "CredType"), "cred/munge");
	assert_string_equal(show(c, "SlurmctldPort"), "16817");
	assert_string_equal(show(c, "MaxJobCount"), "10000");
	assert_string_equal(show(c, "MaxJobId"), "67043328");
	assert_string_equal(show(c, "EnforcePartLimits"), "NO");
	assert_string_equal(show(c, "SlurmctldDebug"), "info");
	assert_string_equal(show(c, "TrackWCKey"), "No");
	assert_string_equal(show(c, "DefMemPerNode"), "UNLIMITED");
	assert_string_equal(show(c, "Epilog"), "(null)");
	assert_string_equal(show(c, "MailProg"), "/bin/mail");
	conf_destroy(c);
}

static void
test_dbd_conf(void **state)
{
	struct dbd_conf *d = dbd_conf_load(HERD_SHARED_DIR "/seed/conf/slurmdbd.conf", err, sizeof(err));
	if (d == NULL)
		fail_msg("%s", err);
	assert_string_equal(d->dbd_host, "localhost");
	assert_string_equal(d->dbd_addr, "localhost");
	assert_int_equal(d->dbd_port, 6819);
	assert_string_equal(d->storage_type, "accounting_storage/mysql");
	assert_string_equal(d->storage_host, "mariadb");
	assert_int_equal(d->storage_port, 3306);
	assert_string_equal(d->storage_pass, "password-for-mariadb");
	assert_string_equal(d->storage_user, "slurm");
	assert_string_equal(d->storage_loc, "slurm_acct_db");
	assert_string_equal(d->slurm_user, "slurm");
	assert_string_equal(d->pid_file, "/var/run/slurmdbd.pid");
	assert_null(d->log_file);
	assert_int_equal(d->debug_level, LOG_LVL_VERBOSE); /* DebugLevel=4 */
	assert_string_equal(d->auth_type, "auth/munge");
	dbd_conf_destroy(d);

	d = dbd_conf_load(HERD_SHARED_DIR "/golden/slurm-22.05/slurmdbd.conf", err, sizeof(err));
	if (d == NULL)
		fail_msg("%s", err);
	assert_string_equal(d->dbd_host, "axc-head");
	assert_string_equal(d->dbd_addr, "127.0.1.10");
	assert_int_equal(d->dbd_port, 16819);
	assert_string_equal(d->storage_host, "127.0.0.1");
	assert_int_equal(d->storage_port, 13306);
	assert_int_equal(d->debug_level, LOG_LVL_INFO);
	assert_string_equal(d->log_file, "/srv/ref/log/slurmdbd.log");
	dbd_conf_destroy(d);

	/* required keys, unknown keys, defaults */
	char dir[] = "/tmp/herd-test-dbd-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/slurmdbd.conf", dir);
	FILE *f = fopen(path, "w");
	fputs("DbdHost=h\nStorageType=accounting_storage/mysql\nPurgeJobAfter=12month\nArchiveJobs=yes\n", f);
	fclose(f);
	d = dbd_conf_load(path, err, sizeof(err));
	if (d == NULL)
		fail_msg("%s", err);
	assert_string_equal(d->dbd_addr, "h");
	assert_string_equal(d->storage_host, "localhost");
	assert_int_equal(d->storage_port, 3306);
	assert_non_null(d->storage_user);
	assert_string_equal(d->purge_job_after, "12month");
	assert_null(d->purge_step_after);
	assert_int_equal(d->commit_delay, 0);
	dbd_conf_destroy(d);

	f = fopen(path, "w");
	fputs("StorageType=accounting_storage/mysql\n", f);
	fclose(f);
	assert_null(dbd_conf_load(path, err, sizeof(err)));
	assert_string_equal(err, "slurmdbd.conf: DbdHost needs to be specified");
	f = fopen(path, "w");
	fputs("DbdHost=h\nStorageType=x\n\nStoragPort=1\n", f);
	fclose(f);
	assert_null(dbd_conf_load(path, err, sizeof(err)));
	assert_string_equal(err, "slurmdbd.conf:4: unknown key 'StoragPort'");
	f = fopen(path, "w");
	fputs("DbdHost=h\nStorageType=x\nDbdPort=port\n", f);
	fclose(f);
	assert_null(dbd_conf_load(path, err, sizeof(err)));
	assert_string_equal(err, "slurmdbd.conf:3: invalid value for DbdPort: 'port'");
	unlink(path);
	rmdir(dir);
}

static void
test_defaults(void **state)
{
	struct herd_conf *c = load_ok("ClusterName=MyCluster\nSlurmctldHost=head\n");
	assert_string_equal(c->cluster_name, "mycluster");
	assert_int_equal(c->ctld_port, 6817);
	assert_int_equal(c->slurmd_port, 6818);
	assert_string_equal(c->auth_type, "auth/munge");
	assert_string_equal(c->slurm_user, "root");
	assert_string_equal(c->slurmd_user, "root");
	assert_string_equal(c->state_save_location, "/var/spool");
	assert_string_equal(c->slurmd_spool_dir, "/var/spool/slurmd");
	assert_null(c->ctld_log_file);
	assert_null(c->slurmd_log_file);
	assert_string_equal(c->ctld_pid_file, "/var/run/slurmctld.pid");
	assert_string_equal(c->slurmd_pid_file, "/var/run/slurmd.pid");
	assert_int_equal(c->ctld_debug, LOG_LVL_INFO);
	assert_int_equal(c->slurmd_debug, LOG_LVL_INFO);
	assert_string_equal(c->acct_storage_type, "accounting_storage/none");
	assert_int_equal(c->acct_storage_port, 6819);
	assert_string_equal(c->job_acct_gather_type, "jobacct_gather/none");
	assert_int_equal(c->job_acct_gather_freq, 30);
	assert_string_equal(c->job_comp_type, "jobcomp/none");
	assert_string_equal(c->proctrack_type, "proctrack/cgroup");
	assert_string_equal(c->task_plugin, "task/none");
	assert_string_equal(c->select_type, "select/linear");
	assert_null(c->select_type_params);
	assert_string_equal(c->scheduler_type, "sched/backfill");
	assert_string_equal(c->priority_type, "priority/basic");
	assert_int_equal(c->max_job_count, 10000);
	assert_int_equal(c->min_job_age, 300);
	assert_int_equal(c->first_job_id, 1);
	assert_int_equal(c->max_job_id, 67043328);
	assert_int_equal(c->max_array_size, 1001);
	assert_int_equal(c->max_step_count, 40000);
	assert_int_equal(c->max_tasks_per_node, 512);
	assert_int_equal(c->kill_wait, 30);
	assert_int_equal(c->over_time_limit, 0);
	assert_int_equal(c->inactive_limit, 0);
	assert_int_equal(c->msg_timeout, 10);
	assert_int_equal(c->tcp_timeout, 2);
	assert_int_equal(c->slurmctld_timeout, 120);
	assert_int_equal(c->slurmd_timeout, 300);
	assert_int_equal(c->return_to_service, 0);
	assert_int_equal(c->batch_start_timeout, 10);
	assert_int_equal(c->job_requeue, 1);
	assert_int_equal(c->job_file_append, 0);
	assert_int_equal(c->kill_on_bad_exit, 0);
	assert_int_equal(c->wait_time, 0);
	assert_int_equal(c->complete_wait, 0);
	assert_int_equal(c->enforce_part_limits, 0);
	assert_int_equal(c->def_mem_per_cpu, 0);
	assert_int_equal(c->max_mem_per_node, 0);
	assert_string_equal(c->tmp_fs, "/tmp");
	assert_int_equal(c->health_check_interval, 0);
	assert_int_equal(c->node_cnt, 0);
	assert_int_equal(c->part_cnt, 0);
	assert_int_equal(c->default_part, -1);
	assert_string_equal(show(c, "SlurmctldPort"), "6817");
	assert_string_equal(show(c, "SelectType"), "select/linear");
	assert_string_equal(show(c, "OverTimeLimit"), "0");
	assert_null(show(c, "CryptoType"));
	assert_null(show(c, "ControlMachine"));
	/* the show list has no duplicates and every entry is Key=Value */
	for (uint32_t i = 0; i < c->show_cnt; i++) {
		assert_non_null(strchr(c->show[i], '='));
		for (uint32_t j = 0; j < i; j++)
			assert_string_not_equal(c->show[i], c->show[j]);
	}
	conf_destroy(c);

	c = load_ok(HEAD "SelectType=select/cons_tres\n");
	assert_string_equal(c->select_type_params, "CR_Core_Memory");
	conf_destroy(c);
}

static void
test_minimal_example(void **state)
{
	struct herd_conf *c =
	    load_ok("ClusterName=test\n"
	            "SlurmctldHost=localhost\n"
	            "SlurmctldPort=6817\n"
	            "SlurmdPort=6818\n"
	            "AuthType=auth/munge\n"
	            "StateSaveLocation=/var/spool/slurmctld\n"
	            "SlurmdSpoolDir=/var/spool/slurmd/%n\n"
	            "SlurmctldLogFile=/var/log/slurm/slurmctld.log\n"
	            "AccountingStorageType=accounting_storage/slurmdbd\n"
	            "AccountingStorageHost=localhost\n"
	            "JobAcctGatherType=jobacct_gather/linux\n"
	            "ProctrackType=proctrack/linuxproc\n"
	            "TaskPlugin=task/none\n"
	            "SelectType=select/cons_tres\n"
	            "SelectTypeParameters=CR_Core_Memory\n"
	            "SchedulerType=sched/backfill\n"
	            "MinJobAge=300\n"
	            "ReturnToService=2\n"
	            "NodeName=DEFAULT CPUs=2 RealMemory=1000 State=UNKNOWN\n"
	            "NodeName=node[01-02] NodeHostname=localhost NodeAddr=127.0.0.1 Port=[17001-17002]\n"
	            "PartitionName=debug Nodes=node[01-02] Default=YES MaxTime=INFINITE State=UP\n");
	assert_int_equal(c->node_cnt, 2);
	for (uint32_t i = 0; i < 2; i++) {
		assert_string_equal(c->nodes[i].hostname, "localhost");
		assert_string_equal(c->nodes[i].addr, "127.0.0.1");
		assert_int_equal(c->nodes[i].cpus, 2);
		assert_int_equal(c->nodes[i].real_memory_mb, 1000);
		assert_int_equal(conf_node_port(c, i), 17001 + i);
	}
	assert_string_equal(c->nodes[1].name, "node02");
	assert_int_equal(c->default_part, 0);
	assert_int_equal(c->parts[0].max_time_min, INFINITE);
	assert_string_equal(c->slurmd_spool_dir, "/var/spool/slurmd/%n");
	conf_destroy(c);
}

static void
test_node_lines(void **state)
{
	struct herd_conf *c =
	    load_ok(HEAD "NodeName=DEFAULT CPUs=4 RealMemory=2000\n"
	                 "NodeName=a1\n"
	                 "NodeName=DEFAULT RealMemory=3000 Weight=5\n"
	                 "NodeName=a2 Features=gpu,fast Gres=gpu:a100:4\n"
	                 "NodeName=a3 CPUs=8 CoresPerSocket=2\n"
	                 "NodeName=a4 Sockets=2 CoresPerSocket=4 ThreadsPerCore=2 CPUs=16\n"
	                 "NodeName=a5 Sockets=2 CoresPerSocket=4 ThreadsPerCore=2 Procs=16\n"
	                 "NodeName=DEFAULT CPUs=1\n"
	                 "NodeName=a6 Boards=2 Sockets=2 CoresPerSocket=3\n"
	                 "NodeName=a7 State=DRAIN Reason=\"disk dead\"\n"
	                 "NodeName=a8 State=future TmpDisk=500\n"
	                 "NodeName=a9 State=DOWN\n"
	                 "NodeName=b[1-4] NodeHostname=host[1-4] Port=[17001-17004]\n"
	                 "NodeName=c[1-2] NodeAddr=10.0.0.[1-2] Port=7000\n"
	                 "DownNodes=c2 Reason=\"power, ETA Dec25\"\n"
	                 "DownNodes=b4 State=DRAIN\n");
	assert_int_equal(c->node_cnt, 15);
	/* a later DEFAULT line does not touch earlier nodes, adds to defaults */
	assert_int_equal(c->nodes[0].cpus, 4);
	assert_int_equal(c->nodes[0].real_memory_mb, 2000);
	assert_int_equal(c->nodes[0].weight, 1);
	assert_int_equal(c->nodes[1].cpus, 4);
	assert_int_equal(c->nodes[1].real_memory_mb, 3000);
	assert_int_equal(c->nodes[1].weight, 5);
	assert_string_equal(c->nodes[1].features, "gpu,fast");
	assert_string_equal(c->nodes[1].gres, "gpu:a100:4");
	assert_null(c->nodes[0].features);
	/* Sockets from CPUs */
	assert_int_equal(c->nodes[2].cpus, 8);
	assert_int_equal(c->nodes[2].sockets, 4);
	assert_int_equal(c->nodes[2].cores, 2);
	assert_int_equal(c->nodes[3].cpus, 16);
	assert_int_equal(c->nodes[3].sockets, 2);
	assert_int_equal(c->nodes[3].threads, 2);
	assert_int_equal(c->nodes[4].cpus, 16);
	/* CPUs from topology once the DEFAULT sets CPUs again... */
	assert_int_equal(c->nodes[5].cpus, 1);
	assert_int_equal(c->nodes[5].boards, 2);
	/* states */
	assert_int_equal(c->nodes[6].state, NODE_STATE_UNKNOWN | NODE_STATE_DRAIN);
	assert_string_equal(c->nodes[6].reason, "disk dead");
	assert_int_equal(c->nodes[7].state, NODE_STATE_FUTURE);
	assert_int_equal(c->nodes[7].tmp_disk_mb, 500);
	assert_int_equal(c->nodes[8].state, NODE_STATE_DOWN);
	/* hostnames and ports one to one */
	for (uint32_t i = 0; i < 4; i++) {
		char h[16];
		snprintf(h, sizeof(h), "host%u", i + 1);
		assert_string_equal(c->nodes[9 + i].hostname, h);
		assert_string_equal(c->nodes[9 + i].addr, h);
		assert_int_equal(conf_node_port(c, 9 + i), 17001 + i);
	}
	assert_string_equal(c->nodes[13].hostname, "c1");
	assert_string_equal(c->nodes[13].addr, "10.0.0.1");
	assert_string_equal(c->nodes[14].addr, "10.0.0.2");
	assert_int_equal(conf_node_port(c, 14), 7000);
	assert_int_equal(conf_node_port(c, 0), 6818);
	assert_false(c->nodes[0].port_set);
	/* DownNodes */
	assert_int_equal(c->nodes[14].state, NODE_STATE_DOWN);
	assert_string_equal(c->nodes[14].reason, "power, ETA Dec25");
	assert_int_equal(c->nodes[12].state, NODE_STATE_UNKNOWN | NODE_STATE_DRAIN);
	conf_destroy(c);

	/* topology without CPUs */
	c = load_ok(HEAD "NodeName=t1 Sockets=2 CoresPerSocket=4 ThreadsPerCore=2\n"
	                 "NodeName=t2 Boards=2 SocketsPerBoard=2 CoresPerSocket=2\n"
	                 "NodeName=t3\n");
	assert_int_equal(c->nodes[0].cpus, 16);
	assert_int_equal(c->nodes[1].sockets, 4);
	assert_int_equal(c->nodes[1].cpus, 8);
	assert_int_equal(c->nodes[2].cpus, 1);
	assert_int_equal(c->nodes[2].sockets, 1);
	assert_int_equal(c->nodes[2].real_memory_mb, 1);
	assert_int_equal(c->nodes[2].tmp_disk_mb, 0);
	assert_int_equal(c->nodes[2].weight, 1);
	conf_destroy(c);

	/* a large node line stays fast and indexes correctly */
	c = load_ok(HEAD "NodeName=n[00001-20000] CPUs=64\nPartitionName=all Nodes=ALL Default=YES\n");
	assert_int_equal(c->node_cnt, 20000);
	assert_int_equal(c->parts[0].node_cnt, 20000);
	assert_string_equal(c->parts[0].nodes_expr, "n[00001-20000]");
	assert_int_equal(conf_node_index(c, "n20000"), 19999);
	conf_destroy(c);
}

static void
test_partition_lines(void **state)
{
	struct herd_conf *c =
	    load_ok(HEAD "NodeName=n[1-6]\n"
	                 "PartitionName=DEFAULT MaxTime=10 State=DOWN\n"
	                 "PartitionName=p1 Nodes=n[1-2] OverSubscribe=YES:2\n"
	                 "PartitionName=p2 Nodes=n[3-4],n1 OverSubscribe=FORCE State=UP Default=YES\n"
	                 "PartitionName=p3 Nodes=ALL OverSubscribe=FORCE:3 MaxTime=24:00:00 "
	                 "DefaultTime=30 State=DRAIN\n"
	                 "PartitionName=p4 Nodes= Default=YES OverSubscribe=EXCLUSIVE State=INACTIVE\n"
	                 "PartitionName=p5 Nodes=n6 Shared=NO MaxNodes=2 MinNodes=1 PriorityTier=10 "
	                 "AllowGroups=ALL AllowAccounts=a,b DenyQos=low Hidden=YES RootOnly=yes "
	                 "MaxTime=1-00:00:00 DefMemPerCPU=2G MaxCPUsPerNode=8 GraceTime=60 "
	                 "OverTimeLimit=UNLIMITED ExclusiveUser=YES LLN=no QOS=normal "
	                 "PreemptMode=OFF\n"
	                 "PartitionName=p6 Nodes=n[5-6] Priority=7 MaxTime=UNLIMITED "
	                 "OverSubscribe=NO\n");
	assert_int_equal(c->part_cnt, 6);
	const struct conf_part *p = c->parts;
	assert_int_equal(p[0].max_time_min, 10);
	assert_int_equal(p[0].state, PART_STATE_DOWN);
	assert_int_equal(p[0].oversubscribe, OVERSUB_YES | 2);
	assert_int_equal(p[0].default_time_min, NO_VAL);
	assert_int_equal(p[0].over_time_limit, NO_VAL);
	/* node indexes in node order, de-duplicated */
	assert_int_equal(p[1].node_cnt, 3);
	assert_int_equal(p[1].node_idx[0], 0);
	assert_int_equal(p[1].node_idx[1], 2);
	assert_int_equal(p[1].node_idx[2], 3);
	assert_string_equal(p[1].nodes_expr, "n[3-4],n1");
	assert_int_equal(p[1].oversubscribe, OVERSUB_FORCE | 4);
	assert_int_equal(p[1].state, PART_STATE_UP);
	assert_int_equal(p[2].node_cnt, 6);
	assert_string_equal(p[2].nodes_expr, "n[1-6]");
	assert_int_equal(p[2].oversubscribe, OVERSUB_FORCE | 3);
	assert_int_equal(p[2].max_time_min, 1440);
	assert_int_equal(p[2].default_time_min, 30);
	assert_int_equal(p[2].state, PART_STATE_DRAIN);
	assert_int_equal(p[3].node_cnt, 0);
	assert_string_equal(p[3].nodes_expr, "");
	assert_int_equal(p[3].oversubscribe, OVERSUB_EXCLUSIVE);
	assert_int_equal(p[3].state, PART_STATE_INACTIVE);
	/* the last Default=YES wins */
	assert_int_equal(c->default_part, 3);
	assert_false(p[1].is_default);
	assert_true(p[3].is_default);
	assert_int_equal(p[4].oversubscribe, OVERSUB_NO);
	assert_int_equal(p[4].max_nodes, 2);
	assert_int_equal(p[4].min_nodes, 1);
	assert_int_equal(p[4].priority_tier, 10);
	assert_int_equal(p[4].priority_job_factor, 1);
	assert_null(p[4].allow_groups);
	assert_string_equal(p[4].allow_accounts, "a,b");
	assert_null(p[4].allow_qos);
	assert_string_equal(p[4].deny_qos, "low");
	assert_null(p[4].deny_accounts);
	assert_true(p[4].hidden);
	assert_true(p[4].root_only);
	assert_true(p[4].exclusive_user);
	assert_false(p[4].lln);
	assert_int_equal(p[4].max_time_min, 1440);
	assert_int_equal(p[4].def_mem_per_cpu, 2048);
	assert_int_equal(p[4].max_cpus_per_node, 8);
	assert_int_equal(p[4].grace_time, 60);
	assert_int_equal(p[4].over_time_limit, INFINITE);
	assert_int_equal(p[5].priority_tier, 7);
	assert_int_equal(p[5].priority_job_factor, 7);
	assert_int_equal(p[5].max_time_min, INFINITE);
	assert_int_equal(p[5].max_cpus_per_node, INFINITE);
	conf_destroy(c);

	/* partitions may name nodes defined later */
	c = load_ok(HEAD "PartitionName=p Nodes=x[1-2]\nNodeName=x[1-2]\n");
	assert_int_equal(c->parts[0].node_cnt, 2);
	assert_int_equal(c->default_part, -1);
	conf_destroy(c);
}

static void
test_line_syntax(void **state)
{
	struct herd_conf *c =
	    load_ok("# comment line\n"
	            "   \n"
	            "clustername=Abc # trailing comment\n"
	            "SLURMCTLDHOST=head slurmctldport = 7000\n"
	            "SlurmctldLogFile=/var/log/a\\#b.log\n"
	            "SlurmdLogFile=\"/var/log/with space.log\"\n"
	            "Prolog=/a\\\\b\n"
	            "NodeName=n[1-2] \\\n"
	            "    CPUs=4 \\\n"
	            "    RealMemory=100\n"
	            "PartitionName=p Nodes=n[1-2]\n"
	            "SrunEpilog=/e\\\\\n"
	            "Epilog=/x\n"
	            "Waittime=3 MailProg=/bin/true CryptoType=crypto/munge CredType=cred/munge "
	            "AuthInfo=socket=/x SwitchType=switch/none TaskPluginParam=Cores\n"
	            "SlurmctldDebug=debug3 SlurmdDebug=verbose\n"
	            "TCPTimeout=5\r\n"
	            "DebugFlags=Backfill,Steps\n"
	            "JobAcctGatherFrequency=task=15,energy=0\n"
	            "EnforcePartLimits=ALL\n"
	            "SlurmctldPort=6817-6818\n"
	            "OverTimeLimit=UNLIMITED\n"
	            "DefMemPerCPU=1G\n"
	            "SlurmctldParameters=enable_configless\n"
	            "TrackWCKey=yes\n"
	            "NodeSet=ns1 Feature=gpu\n");
	assert_string_equal(c->cluster_name, "abc");
	assert_string_equal(c->ctld_log_file, "/var/log/a#b.log");
	assert_string_equal(c->slurmd_log_file, "/var/log/with space.log");
	assert_string_equal(c->prolog, "/a\\b");
	assert_int_equal(c->node_cnt, 2);
	assert_int_equal(c->nodes[1].cpus, 4);
	assert_int_equal(c->nodes[1].real_memory_mb, 100);
	/* an even number of backslashes does not continue the line */
	assert_string_equal(c->epilog, "/x");
	assert_string_equal(show(c, "SrunEpilog"), "/e\\");
	assert_int_equal(c->part_cnt, 1);
	assert_int_equal(c->wait_time, 3);
	assert_string_equal(c->auth_info, "socket=/x");
	assert_int_equal(c->ctld_debug, LOG_LVL_DEBUG2);
	assert_int_equal(c->slurmd_debug, LOG_LVL_VERBOSE);
	assert_int_equal(c->tcp_timeout, 5);
	assert_int_equal(c->job_acct_gather_freq, 15);
	assert_int_equal(c->enforce_part_limits, 2);
	assert_int_equal(c->ctld_port, 6817);
	assert_string_equal(show(c, "SlurmctldPort"), "6817-6818");
	assert_int_equal(c->over_time_limit, INFINITE);
	assert_int_equal(c->def_mem_per_cpu, 1024);
	assert_string_equal(show(c, "DebugFlags"), "Backfill,Steps");
	assert_string_equal(show(c, "MailProg"), "/bin/true");
	assert_string_equal(show(c, "TrackWCKey"), "yes");
	assert_string_equal(show(c, "SlurmctldParameters"), "enable_configless");
	assert_string_equal(show(c, "OverTimeLimit"), "UNLIMITED");
	/* rarely used keys are listed once they are set */
	assert_string_equal(show(c, "CryptoType"), "crypto/munge");
	assert_string_equal(show(c, "WaitTime"), "3");
	conf_destroy(c);
}

static void
test_ctld_hosts(void **state)
{
	struct herd_conf *c = load_ok("ClusterName=x\nSlurmctldHost=h1(10.0.0.1)\nSlurmctldHost=h2\n");
	assert_int_equal(c->ctld_host_cnt, 2);
	assert_string_equal(c->ctld_hosts[0], "h1");
	assert_string_equal(c->ctld_addrs[0], "10.0.0.1");
	assert_string_equal(c->ctld_hosts[1], "h2");
	assert_string_equal(c->ctld_addrs[1], "h2");
	assert_string_equal(show(c, "SlurmctldHost[0]"), "h1(10.0.0.1)");
	assert_string_equal(show(c, "SlurmctldHost[1]"), "h2");
	conf_destroy(c);

	c = load_ok("ClusterName=x\nControlMachine=old\nControlAddr=1.2.3.4\nBackupController=bk\n");
	assert_int_equal(c->ctld_host_cnt, 2);
	assert_string_equal(c->ctld_hosts[0], "old");
	assert_string_equal(c->ctld_addrs[0], "1.2.3.4");
	assert_string_equal(c->ctld_hosts[1], "bk");
	assert_string_equal(c->ctld_addrs[1], "bk");
	conf_destroy(c);

	load_bad("ClusterName=x\nSlurmctldHost=h1(addr\n",
	    "slurm.conf:2: invalid value for SlurmctldHost: 'h1(addr'");
	load_bad("ClusterName=x\nSlurmctldHost=()\n", "slurm.conf:2: invalid value for SlurmctldHost: '()'");
}

static char tmpdir[64];

static void
write_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
remove_file(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	unlink(path);
}

static void
test_include(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/herd-test-conf-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	write_file("slurm.conf", "ClusterName=Alpha\n"
	                         "SlurmctldHost=head\n"
	                         "Include nodes.conf\n"
	                         "include %c-parts.conf\n"
	                         "MaxJobCount=77\n");
	write_file("nodes.conf", "NodeName=n[1-3] CPUs=2\n"
	                         "INCLUDE more.conf\n");
	write_file("more.conf", "NodeName=m1\n");
	write_file("alpha-parts.conf", "PartitionName=p Nodes=n[1-3],m1 Default=YES\n");

	char path[256];
	snprintf(path, sizeof(path), "%s/slurm.conf", tmpdir);
	struct herd_conf *c = conf_load(path, err, sizeof(err));
	if (c == NULL)
		fail_msg("%s", err);
	assert_string_equal(c->path, path);
	assert_string_equal(c->dir, tmpdir);
	assert_int_equal(c->node_cnt, 4);
	assert_string_equal(c->nodes[3].name, "m1");
	assert_int_equal(c->parts[0].node_cnt, 4);
	assert_int_equal(c->max_job_count, 77);
	conf_destroy(c);

	/* SLURM_CONF */
	setenv("SLURM_CONF", path, 1);
	assert_string_equal(conf_default_path(), path);
	c = conf_load(NULL, err, sizeof(err));
	assert_non_null(c);
	conf_destroy(c);
	unsetenv("SLURM_CONF");
	assert_string_equal(conf_default_path(), "/etc/slurm/slurm.conf");

	/* errors inside an included file name that file and its line */
	write_file("more.conf", "NodeName=m1\n\nNodeName=m2 Bogus=1\n");
	assert_null(conf_load(path, err, sizeof(err)));
	assert_string_equal(err, "more.conf:3: unknown key 'Bogus'");

	/* a missing include is an error at the Include line */
	remove_file("more.conf");
	assert_null(conf_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "nodes.conf:2: cannot read included file"));

	/* include loops stop */
	write_file("more.conf", "Include more.conf\n");
	write_file("slurm.conf", "ClusterName=a\nSlurmctldHost=h\nInclude more.conf\n");
	assert_null(conf_load(path, err, sizeof(err)));
	if (strstr(err, "nested too deeply") == NULL)
		fail_msg("%s", err);

	/* missing file */
	snprintf(path, sizeof(path), "%s/nope.conf", tmpdir);
	assert_null(conf_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "No such file"));

	remove_file("slurm.conf");
	remove_file("nodes.conf");
	remove_file("more.conf");
	remove_file("alpha-parts.conf");
	rmdir(tmpdir);
}

/* NodeSet=NAME Feature=F / Nodes=LIST: a partition naming one takes its
 * nodes (Nodes= shown expanded) and remembers the Feature for nodes added
 * later; a set may come after the partition that uses it. */
static void
test_nodesets(void **state)
{
	struct herd_conf *c = load_ok(HEAD "PartitionName=compute Nodes=s[1-2],gpus Default=YES\n"
	                                   "PartitionName=both Nodes=big,gpus\n"
	                                   "PartitionName=plain Nodes=s[1-2]\n"
	                                   "NodeName=s[1-2] CPUs=2\n"
	                                   "NodeName=g[1-2] CPUs=4 Features=gpu,fast\n"
	                                   "NodeName=h1 Feature=fast\n"
	                                   "NodeName=x1 Features=gpus\n"
	                                   "nodeset=gpus feature=gpu\n"
	                                   "NodeSet=big Nodes=h1,s1 Feature=fast\n"
	                                   "NodeSet=empty Feature=none\n");
	assert_int_equal(c->nodeset_cnt, 3);
	assert_int_equal(conf_nodeset_index(c, "gpus"), 0);
	assert_string_equal(c->nodesets[0].feature, "gpu");
	assert_null(c->nodesets[0].nodes);
	assert_string_equal(c->nodesets[1].nodes, "h1,s1");
	assert_string_equal(c->nodesets[1].feature, "fast");
	assert_int_equal(conf_nodeset_index(c, "nope"), -1);

	const struct conf_part *p = &c->parts[conf_part_index(c, "compute")];
	assert_string_equal(p->nodes_expr, "s[1-2],g[1-2]");
	assert_int_equal(p->node_cnt, 4);
	assert_int_equal(p->feature_cnt, 1);
	assert_string_equal(p->features[0], "gpu");
	assert_false(p->all_nodes);
	/* union of the sets, node order, each node once */
	p = &c->parts[conf_part_index(c, "both")];
	assert_string_equal(p->nodes_expr, "s1,g[1-2],h1");
	assert_int_equal(p->node_cnt, 4);
	assert_int_equal(p->node_idx[0], 0);
	assert_int_equal(p->node_idx[3], 4);
	assert_int_equal(p->feature_cnt, 2);
	/* no nodeset: as written, no features */
	p = &c->parts[conf_part_index(c, "plain")];
	assert_string_equal(p->nodes_expr, "s[1-2]");
	assert_int_equal(p->feature_cnt, 0);
	conf_destroy(c);

	/* a set no node matches yet: an empty partition that dynamic nodes fill */
	c = load_ok(HEAD "NodeName=n1\nNodeSet=later Feature=compute\nPartitionName=p Nodes=later\n");
	assert_int_equal(c->parts[0].node_cnt, 0);
	assert_string_equal(c->parts[0].nodes_expr, "");
	conf_destroy(c);
}

static void
test_constraints(void **state)
{
	assert_int_equal(conf_features_have("gpu,fast", "fast"), 1);
	assert_int_equal(conf_features_have("gpu,fast", "fas"), 0);
	assert_int_equal(conf_features_have("gpu,fast", "gpu,"), 0);
	assert_int_equal(conf_features_have(NULL, "gpu"), 0);
	assert_int_equal(conf_constraint_match("gpu,fast", "gpu"), 1);
	assert_int_equal(conf_constraint_match("gpu,fast", "big"), 0);
	assert_int_equal(conf_constraint_match("gpu,fast", "gpu&fast"), 1);
	assert_int_equal(conf_constraint_match("gpu,fast", "gpu,fast"), 1);
	assert_int_equal(conf_constraint_match("gpu", "gpu&fast"), 0);
	assert_int_equal(conf_constraint_match("fast", "gpu|fast"), 1);
	assert_int_equal(conf_constraint_match(NULL, "gpu|fast"), 0);
	/* & binds tighter than | */
	assert_int_equal(conf_constraint_match("c", "a&b|c"), 1);
	assert_int_equal(conf_constraint_match("a", "a&b|c"), 0);
	assert_int_equal(conf_constraint_match("a,b", "a&b|c"), 1);
	/* not of the simple form */
	assert_int_equal(conf_constraint_match("a", ""), -1);
	assert_int_equal(conf_constraint_match("a", "a&"), -1);
	assert_int_equal(conf_constraint_match("a", "|a"), -1);
	assert_int_equal(conf_constraint_match("a", "[a|b]"), -1);
	assert_int_equal(conf_constraint_match("a", "a*2"), -1);
	assert_int_equal(conf_constraint_match("a", NULL), -1);
}

static void
test_errors(void **state)
{
	load_bad(HEAD "NodeNmae=n1\n", "slurm.conf:3: unknown key 'NodeNmae'");
	load_bad(HEAD "\n\nMaxJobCount=lots\n", "slurm.conf:5: invalid value for MaxJobCount: 'lots'");
	load_bad(HEAD "SlurmctldPort=70000\n", "slurm.conf:3: invalid value for SlurmctldPort: '70000'");
	load_bad(HEAD "ReturnToService=3\n", "slurm.conf:3: invalid value for ReturnToService: '3'");
	load_bad(HEAD "SlurmctldDebug=loud\n", "slurm.conf:3: invalid value for SlurmctldDebug: 'loud'");
	load_bad(HEAD "NodeName=n[1-3\n", "slurm.conf:3: invalid hostlist for NodeName: 'n[1-3'");
	load_bad(HEAD "NodeName=n1 CPUs=x\n", "slurm.conf:3: invalid value for CPUs: 'x'");
	load_bad(HEAD "NodeName=n1 Sockts=2\n", "slurm.conf:3: unknown key 'Sockts'");
	load_bad(HEAD "NodeName=n1 State=SLEEPY\n", "slurm.conf:3: invalid value for State: 'SLEEPY'");
	load_bad(HEAD "NodeName=n[1-2]\nNodeName=n2\n", "slurm.conf:4: duplicate NodeName 'n2'");
	load_bad(HEAD "NodeName=n[1-2,2]\n", "slurm.conf:3: duplicate NodeName 'n2'");
	load_bad(HEAD "NodeName=ALL\n", "slurm.conf:3: NodeName=ALL is not allowed");
	load_bad(HEAD "NodeName=n[1-2] Port=[1-3]\n",
	    "slurm.conf:3: Port count (3) does not match NodeName count (2)");
	load_bad(HEAD "NodeName=n[1-3] NodeAddr=a[1-2]\n",
	    "slurm.conf:3: NodeAddr count (2) does not match NodeName count (3)");
	load_bad(HEAD "NodeName=n1 Port=abc\n", "slurm.conf:3: invalid value for Port: 'abc'");
	load_bad(HEAD "NodeName=n1\nPartitionName=p Nodes=n[1-2]\n",
	    "slurm.conf:4: partition p: unknown node 'n2'");
	load_bad(HEAD "NodeName=n1\nPartitionName=p Nodes=n[1-\n",
	    "slurm.conf:4: invalid hostlist for Nodes: 'n[1-'");
	load_bad(HEAD "PartitionName=p\nPartitionName=p\n", "slurm.conf:4: duplicate PartitionName 'p'");
	load_bad(HEAD "PartitionName=p MaxTime=forever\n",
	    "slurm.conf:3: invalid time value for MaxTime: 'forever'");
	load_bad(HEAD "PartitionName=p OverSubscribe=MAYBE\n",
	    "slurm.conf:3: invalid value for OverSubscribe: 'MAYBE'");
	load_bad(HEAD "PartitionName=p Default=perhaps\n",
	    "slurm.conf:3: invalid value for Default: 'perhaps' (expected YES or NO)");
	load_bad(HEAD "PartitionName=p Nodes=ALL Foo=1\n", "slurm.conf:3: unknown key 'Foo'");
	load_bad(HEAD "NodeName=n1\nDownNodes=n9\n", "slurm.conf:4: DownNodes: unknown node 'n9'");
	load_bad(HEAD "ClusterName=x Junk\n", "slurm.conf:3: Parsing error at unrecognized key: Junk");
	load_bad(HEAD "Prolog=\"/unterminated\n", "slurm.conf:3: unterminated quote in value of 'Prolog'");
	load_bad("SlurmctldHost=h\n", "slurm.conf: ClusterName needs to be specified");
	load_bad("ClusterName=x\n", "slurm.conf: SlurmctldHost needs to be specified");
	load_bad(HEAD "FirstJobId=100\nMaxJobId=10\n",
	    "slurm.conf: FirstJobId (100) must be between 1 and MaxJobId (10)");
	/* a continued line reports its first line */
	load_bad(HEAD "NodeName=n1 \\\nCPUz=3\n", "slurm.conf:3: unknown key 'CPUz'");
	/* NodeSet lines */
	load_bad(HEAD "NodeSet=ns Features=gpu\n", "slurm.conf:3: unknown key 'Features'");
	load_bad(HEAD "NodeSet=ns Feature=a,b\n", "slurm.conf:3: invalid value for Feature: 'a,b'");
	load_bad(HEAD "NodeSet=ns Feature=\n", "slurm.conf:3: invalid value for Feature: ''");
	load_bad(HEAD "NodeSet=\n", "slurm.conf:3: NodeSet needs a name");
	load_bad(HEAD "NodeSet=ALL Feature=a\n", "slurm.conf:3: invalid NodeSet name 'ALL'");
	load_bad(HEAD "NodeSet=s[1-2] Feature=a\n", "slurm.conf:3: invalid NodeSet name 's[1-2]'");
	load_bad(HEAD "NodeSet=ns Feature=a\nNodeSet=ns Feature=b\n", "slurm.conf:4: duplicate NodeSet 'ns'");
	load_bad(
	    HEAD "NodeSet=n1 Feature=a\nNodeName=n1\n", "slurm.conf:3: NodeSet 'n1' has the name of a node");
	load_bad(
	    HEAD "NodeName=n1\nNodeSet=ns Nodes=n[1-2]\n", "slurm.conf:4: NodeSet ns: unknown node 'n2'");
	load_bad(
	    HEAD "NodeName=n1\nNodeSet=ns Nodes=n[1-\n", "slurm.conf:4: invalid hostlist for Nodes: 'n[1-'");
	load_bad(HEAD "NodeName=n1\nPartitionName=p Nodes=n1,nosuchset\n",
	    "slurm.conf:4: partition p: unknown node 'nosuchset'");
	/* the name's directory part is not printed */
	err[0] = '\0';
	assert_null(conf_load_string("Bad=1\n", "/etc/slurm/slurm.conf", err, sizeof(err)));
	assert_string_equal(err, "slurm.conf:1: unknown key 'Bad'");
	/* empty input */
	assert_null(conf_load_string("", "slurm.conf", err, sizeof(err)));
	assert_null(conf_load_string(NULL, "slurm.conf", err, sizeof(err)));
	/* a tiny error buffer is not overrun */
	char small[8];
	assert_null(conf_load_string("Bad=1\n", "slurm.conf", small, sizeof(small)));
	assert_int_equal(strlen(small), 7);
	conf_destroy(NULL);
	dbd_conf_destroy(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seed_slurm_conf),
	    cmocka_unit_test(test_golden_slurm_conf),
	    cmocka_unit_test(test_dbd_conf),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_minimal_example),
	    cmocka_unit_test(test_node_lines),
	    cmocka_unit_test(test_partition_lines),
	    cmocka_unit_test(test_line_syntax),
	    cmocka_unit_test(test_ctld_hosts),
	    cmocka_unit_test(test_include),
	    cmocka_unit_test(test_nodesets),
	    cmocka_unit_test(test_constraints),
	    cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
