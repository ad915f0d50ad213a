/* SPDX-License-Identifier: MIT */
/*
 * scontrol: show records (jobs, nodes, partitions, steps, config,
 * hostlists), job control (hold, release, requeue, suspend, resume,
 * update) and node / partition updates (cli.md section 8).  Commands come
 * from the command line or, without one, from stdin line by line.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "client.h"
#include "cmdutil.h"
#include "hostlist/hostlist.h"
#include "jobid.h"
#include "net/net.h"
#include "proto/jobactions.h"
#include "proto/partflags.h"
#include "show.h"

struct sc {
	struct client c;
	int inited;
	int oneliner, details, all, quiet, verbose;
	int exit_code;
};

/* the client connection is opened on first use, so "scontrol version"
 * and hostlist commands work without a slurm.conf */
static struct client *
cli(struct sc *s)
{
	if (!s->inited) {
		if (client_init(&s->c, "scontrol") < 0)
			return NULL;
		s->inited = 1;
	}
	return &s->c;
}

static void
load_error(struct sc *s, const char *what, int rc)
{
	if (rc < 0)
		fprintf(stderr, "%s error: Unable to contact slurm controller (connect failure)\n", what);
	else
		fprintf(stderr, "%s error: %s\n", what, herd_strerror(rc));
	s->exit_code = 1;
}

static void
emit(struct buf *b)
{
	if (b->len)
		cmd_write_stdout(b);
}

/* ---- show ---- */

static void
show_jobs(struct sc *s, const char *arg)
{
	struct jobid id;
	int have_id = arg != NULL;
	if (have_id && jobid_parse(arg, &id) < 0) {
		load_error(s, "slurm_load_jobs", ESLURM_INVALID_JOB_ID);
		return;
	}
	struct client *c = cli(s);
	if (c == NULL) {
		s->exit_code = 1;
		goto out;
	}
	struct job_info_req req = {.job_id = have_id ? id.job_id : 0, .flags = s->all ? 1 : 0};
	struct msg resp;
	int rc = client_rpc(c, REQ_JOB_INFO, &req, &resp);
	if (rc != 0) {
		load_error(s, "slurm_load_jobs", rc);
		goto out;
	}
	struct job_info_resp *r = resp.body;
	struct buf b;
	buf_init(&b);
	int64_t now = (int64_t)time(NULL);
	size_t shown = 0;
	for (uint32_t i = 0; i < r->jobs_cnt; i++) {
		if (have_id && !jobid_match(&id, &r->jobs[i]))
			continue;
		show_job(&b, &r->jobs[i], s->oneliner, s->details, now);
		shown++;
	}
	if (shown == 0) {
		if (have_id)
			load_error(s, "slurm_load_jobs", ESLURM_INVALID_JOB_ID);
		else
			buf_adds(&b, "No jobs in the system\n");
	}
	emit(&b);
	buf_free(&b);
	msg_free(&resp);
out:
	if (have_id)
		jobid_free(&id);
}

static void
show_steps(struct sc *s, const char *arg)
{
	struct jobid id;
	int have_id = arg != NULL;
	if (have_id && jobid_parse(arg, &id) < 0) {
		fprintf(stderr, "Invalid job step id: %s\n", arg);
		s->exit_code = 1;
		return;
	}
	struct client *c = cli(s);
	if (c == NULL) {
		s->exit_code = 1;
		goto out;
	}
	struct job_info_req req = {.job_id = have_id ? id.job_id : 0};
	struct msg resp;
	int rc = client_rpc(c, REQ_STEP_INFO, &req, &resp);
	struct buf b;
	buf_init(&b);
	size_t shown = 0;
	if (rc == 0) {
		struct step_info_resp *r = resp.body;
		int64_t now = (int64_t)time(NULL);
		for (uint32_t i = 0; i < r->steps_cnt; i++) {
			const struct step_info *st = &r->steps[i];
			if (have_id) {
				struct job_info j = {.job_id = st->job_id,
				    .array_job_id = st->array_job_id,
				    .array_task_id = st->array_task_id};
				if (!jobid_match(&id, &j) ||
				    (id.step_id != NO_VAL && id.step_id != st->step_id))
					continue;
			}
			show_step(&b, st, s->oneliner, now);
			shown++;
		}
		msg_free(&resp);
	} else if (rc != ESLURM_INVALID_JOB_ID) {
		load_error(s, "slurm_get_job_steps", rc);
		goto out;
	}
	if (shown == 0) {
		if (have_id && id.step_id != NO_VAL)
			buf_printf(&b, "Job step %s not found\n", arg);
		else if (have_id)
			buf_printf(&b, "Job %s has no job steps\n", arg);
		else
			buf_adds(&b, "No job steps in the system\n");
	}
	emit(&b);
	buf_free(&b);
out:
	if (have_id)
		jobid_free(&id);
}

static void
show_nodes(struct sc *s, const char *arg)
{
	struct client *c = cli(s);
	if (c == NULL) {
		s->exit_code = 1;
		return;
	}
	struct msg resp;
	int rc = client_rpc(c, REQ_NODE_INFO, NULL, &resp);
	if (rc != 0) {
		load_error(s, "slurm_load_node", rc);
		return;
	}
	struct node_info_resp *r = resp.body;
	struct buf b;
	buf_init(&b);
	if (arg == NULL) {
		for (uint32_t i = 0; i < r->nodes_cnt; i++)
			show_node(&b, &r->nodes[i], s->oneliner);
		if (r->nodes_cnt == 0)
			buf_adds(&b, "No nodes in the system\n");
	} else {
		struct hostlist *hl = hostlist_create(arg);
		size_t shown = 0;
		for (size_t k = 0; hl != NULL && k < hostlist_count(hl); k++)
			for (uint32_t i = 0; i < r->nodes_cnt; i++)
				if (r->nodes[i].name && strcmp(r->nodes[i].name, hostlist_nth(hl, k)) == 0) {
					show_node(&b, &r->nodes[i], s->oneliner);
					shown++;
					break;
				}
		hostlist_destroy(hl);
		if (shown == 0) {
			buf_printf(&b, "Node %s not found\n", arg);
			s->exit_code = 1;
		}
	}
	emit(&b);
	buf_free(&b);
	msg_free(&resp);
}

static void
show_parts(struct sc *s, const char *arg)
{
	struct client *c = cli(s);
	if (c == NULL) {
		s->exit_code = 1;
		return;
	}
	struct msg resp;
	int rc = client_rpc(c, REQ_PART_INFO, NULL, &resp);
	if (rc != 0) {
		load_error(s, "slurm_load_partitions", rc);
		return;
	}
	struct part_info_resp *r = resp.body;
	struct buf b;
	buf_init(&b);
	size_t shown = 0;
	for (uint32_t i = 0; i < r->parts_cnt; i++) {
		const struct part_info *p = &r->parts[i];
		if (arg != NULL ? (p->name == NULL || strcmp(p->name, arg) != 0)
		                : (!s->all && (p->flags & PART_FLAG_HIDDEN)))
			continue;
		show_part(&b, p, s->oneliner);
		shown++;
	}
	if (shown == 0) {
		if (arg != NULL) {
			buf_printf(&b, "Partition %s not found\n", arg);
			s->exit_code = 1;
		} else {
			buf_adds(&b, "No partitions in the system\n");
		}
	}
	emit(&b);
	buf_free(&b);
	msg_free(&resp);
}

/* ping one controller host directly: 1 up, 0 down */
static int
ping_host(struct client *c, uint32_t i)
{
	int timeout_ms = (int)(c->conf->msg_timeout ? c->conf->msg_timeout : 10) * 1000;
	int fd = net_connect(c->conf->ctld_addrs[i], c->conf->ctld_port, timeout_ms);
	if (fd < 0)
		return 0;
	struct empty req;
	memset(&req, 0, sizeof(req));
	struct msg m;
	memset(&m, 0, sizeof(m));
	int up = 0;
	if (net_send_msg(fd, c->auth, REQ_PING, (uint32_t)getpid(), &req) == 0 &&
	    net_recv_msg(fd, NULL, 0, timeout_ms, &m) == 0) {
		if (m.type == RESP_RC && m.body != NULL && ((struct rc *)m.body)->rc == 0)
			up = 1;
		msg_free(&m);
	}
	close(fd);
	return up;
}

static void
ping_all(struct sc *s, struct buf *b)
{
	struct client *c = cli(s);
	if (c == NULL) {
		s->exit_code = 1;
		return;
	}
	int any_up = 0;
	for (uint32_t i = 0; i < c->conf->ctld_host_cnt; i++) {
		char mode[32];
		if (i == 0)
			snprintf(mode, sizeof(mode), "primary");
		else if (c->conf->ctld_host_cnt == 2)
			snprintf(mode, sizeof(mode), "backup");
		else
			snprintf(mode, sizeof(mode), "backup%u", i);
		int up = ping_host(c, i);
		any_up |= up;
		buf_printf(
		    b, "Slurmctld(%s) at %s is %s\n", mode, c->conf->ctld_hosts[i], up ? "UP" : "DOWN");
	}
	if (!any_up)
		s->exit_code = 1;
}

static void
show_config_cmd(struct sc *s)
{
	struct client *c = cli(s);
	if (c == NULL) {
		s->exit_code = 1;
		return;
	}
	struct msg resp;
	int rc = client_rpc(c, REQ_CONFIG, NULL, &resp);
	if (rc != 0) {
		load_error(s, "slurm_load_ctl_conf", rc);
		return;
	}
	struct keyvals *kv = resp.body;
	struct buf b;
	buf_init(&b);
	show_config(&b, kv->keyvals, kv->keyvals_cnt, (int64_t)time(NULL));
	msg_free(&resp);
	buf_addc(&b, '\n');
	int saved = s->exit_code;
	ping_all(s, &b);
	s->exit_code = saved; /* a down backup is not an error of "show config" */
	emit(&b);
	buf_free(&b);
}

static void
show_hostlist(struct sc *s, const char *what, const char *arg)
{
	if (arg == NULL && strcmp(what, "hostnames") == 0)
		arg = getenv("SLURM_JOB_NODELIST");
	if (arg == NULL) {
		fprintf(stderr, "Requires a hostlist\n");
		s->exit_code = 1;
		return;
	}
	struct hostlist *hl = hostlist_create(arg);
	if (hl == NULL) {
		fprintf(stderr, "Invalid hostlist: %s\n", arg);
		s->exit_code = 1;
		return;
	}
	struct buf b;
	buf_init(&b);
	if (strcmp(what, "hostnames") == 0) {
		for (size_t i = 0; i < hostlist_count(hl); i++)
			buf_printf(&b, "%s\n", hostlist_nth(hl, i));
	} else {
		if (strcmp(what, "hostlistsorted") == 0) {
			hostlist_sort(hl);
			hostlist_uniq(hl);
		}
		char *r = hostlist_ranged_string(hl);
		buf_printf(&b, "%s\n", r);
		free(r);
	}
	emit(&b);
	buf_free(&b);
	hostlist_destroy(hl);
}

/* keyword matching: exact, else a unique prefix of at least min chars */
struct kw {
	const char *name;
	size_t min;
};

static const char *
kw_match(const struct kw *v, size_t n, const char *word)
{
	size_t len = strlen(word);
	const char *hit = NULL;
	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(v[i].name, word) == 0)
			return v[i].name;
		if (len >= v[i].min && strncasecmp(v[i].name, word, len) == 0) {
			if (hit != NULL && strcmp(hit, v[i].name) != 0)
				return NULL; /* ambiguous */
			hit = v[i].name;
		}
	}
	return hit;
}

static void
cmd_show(struct sc *s, int argc, char **argv)
{
	static const struct kw ents[] = {
	    {"job", 1},
	    {"jobs", 4},
	    {"jobid", 4},
	    {"node", 1},
	    {"nodes", 5},
	    {"nodename", 5},
	    {"partition", 1},
	    {"partitions", 10},
	    {"partitionname", 10},
	    {"step", 2},
	    {"steps", 5},
	    {"config", 1},
	    {"configuration", 7},
	    {"hostnames", 5},
	    {"hostlist", 5},
	    {"hostlistsorted", 9},
	    {"reservation", 3},
	    {"reservations", 12},
	    {"licenses", 3},
	    {"daemons", 1},
	};
	if (argc < 1) {
		fprintf(stderr, "too few arguments for keyword:show\n");
		s->exit_code = 1;
		return;
	}
	char *ent = argv[0], *arg = argc > 1 ? argv[1] : NULL;
	char *eq = strchr(ent, '=');
	if (eq != NULL) { /* "show job=12" */
		*eq = '\0';
		arg = eq + 1;
	}
	const char *e = kw_match(ents, sizeof(ents) / sizeof(ents[0]), ent);
	if (e == NULL) {
		fprintf(stderr, "invalid entity:%s for keyword:show\n", ent);
		s->exit_code = 1;
		return;
	}
	if (strncmp(e, "job", 3) == 0)
		show_jobs(s, arg);
	else if (strncmp(e, "node", 4) == 0)
		show_nodes(s, arg);
	else if (strncmp(e, "partition", 9) == 0)
		show_parts(s, arg);
	else if (strncmp(e, "step", 4) == 0)
		show_steps(s, arg);
	else if (strncmp(e, "config", 6) == 0)
		show_config_cmd(s);
	else if (strncmp(e, "host", 4) == 0)
		show_hostlist(s, e, arg);
	else if (strncmp(e, "reservation", 11) == 0)
		printf("No reservations in the system\n");
	else if (strcmp(e, "licenses") == 0)
		printf("No licenses configured in Slurm.\n");
	else if (strcmp(e, "daemons") == 0) {
		struct client *c = cli(s);
		if (c != NULL)
			printf("slurmctld slurmd\n");
	}
}

/* ---- job control ---- */

static void
job_error(struct sc *s, int rc, const char *idstr)
{
	s->exit_code = 1;
	if (s->quiet)
		return;
	fprintf(stderr, "%s for job %s\n", rc < 0 ? herd_strerror(HERD_ECONN) : herd_strerror(rc), idstr);
}

static int
job_action_one(
    struct sc *s, uint32_t action, uint32_t job_id, uint32_t task, char **kv, uint32_t nkv, const char *idstr)
{
	struct client *c = cli(s);
	if (c == NULL) {
		s->exit_code = 1;
		return -1;
	}
	struct job_update_req req = {
	    .job_id = job_id, .array_task_id = task, .action = action, .keyvals = kv, .keyvals_cnt = nkv};
	struct msg resp;
	int rc = client_rpc(c, REQ_JOB_UPDATE, &req, &resp);
	if (rc == 0) {
		msg_free(&resp);
		return 0;
	}
	if (action == JOB_ACT_UPDATE) {
		s->exit_code = 1;
		if (!s->quiet)
			fprintf(stderr, "slurm_update error: %s\n",
			    rc < 0 ? herd_strerror(HERD_ECONN) : herd_strerror(rc));
	} else {
		job_error(s, rc, idstr);
	}
	return -1;
}

/* ids "1,2_[3-4] 5" (words already split) */
static void
job_action_ids(struct sc *s, uint32_t action, const char *list, char **kv, uint32_t nkv)
{
	struct jobid *ids = NULL;
	size_t n = 0;
	char *bad = NULL;
	if (jobid_list_parse(list, &ids, &n, &bad) < 0) {
		fprintf(stderr, "Invalid job id specified for job %s\n", bad);
		free(bad);
		s->exit_code = 1;
		jobid_list_free(ids, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct jobid *id = &ids[i];
		char idstr[64];
		if (id->ntasks == 0) {
			if (id->array_task_id != NO_VAL)
				snprintf(idstr, sizeof(idstr), "%u_%u", id->job_id, id->array_task_id);
			else
				snprintf(idstr, sizeof(idstr), "%u", id->job_id);
			job_action_one(s, action, id->job_id, id->array_task_id, kv, nkv, idstr);
			continue;
		}
		for (size_t r = 0; r < id->ntasks; r++)
			for (uint64_t t = id->tasks[r].lo; t <= id->tasks[r].hi; t += id->tasks[r].step) {
				snprintf(idstr, sizeof(idstr), "%u_%u", id->job_id, (uint32_t)t);
				job_action_one(s, action, id->job_id, (uint32_t)t, kv, nkv, idstr);
			}
	}
	jobid_list_free(ids, n);
}

/* hold/release jobname=<name>: every pending job of that name */
static void
job_action_by_name(struct sc *s, uint32_t action, const char *name)
{
	struct client *c = cli(s);
	if (c == NULL) {
		s->exit_code = 1;
		return;
	}
	struct job_info_req req = {0};
	struct msg resp;
	int rc = client_rpc(c, REQ_JOB_INFO, &req, &resp);
	if (rc != 0) {
		load_error(s, "slurm_load_jobs", rc);
		return;
	}
	struct job_info_resp *r = resp.body;
	int found = 0;
	for (uint32_t i = 0; i < r->jobs_cnt; i++) {
		const struct job_info *j = &r->jobs[i];
		if (j->name == NULL || strcmp(j->name, name) != 0 ||
		    (j->state & JOB_STATE_BASE) != JOB_PENDING)
			continue;
		found = 1;
		char idstr[32];
		snprintf(idstr, sizeof(idstr), "%u", j->job_id);
		job_action_one(s, action, j->job_id, NO_VAL, NULL, 0, idstr);
	}
	if (!found) {
		fprintf(stderr, "Job name %s not found\n", name);
		s->exit_code = 1;
	}
	msg_free(&resp);
}

static void
cmd_job_action(struct sc *s, const char *cmd, uint32_t action, int argc, char **argv)
{
	char **kv = NULL;
	uint32_t nkv = 0;
	struct buf ids;
	buf_init(&ids);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if ((action == JOB_ACT_REQUEUE || action == JOB_ACT_REQUEUEHOLD) &&
		    (strcasecmp(a, "incomplete") == 0 || strncasecmp(a, "state=", 6) == 0)) {
			strv_add(&kv, &nkv, a);
			continue;
		}
		if (strncasecmp(a, "jobname=", 8) == 0 || strncasecmp(a, "name=", 5) == 0) {
			job_action_by_name(s, action, strchr(a, '=') + 1);
			continue;
		}
		if (strncasecmp(a, "jobid=", 6) == 0)
			a += 6;
		if (ids.len)
			buf_addc(&ids, ',');
		buf_adds(&ids, a);
	}
	if (ids.len)
		job_action_ids(s, action, buf_str(&ids), kv, nkv);
	else if (argc == 0) {
		fprintf(stderr, "too few arguments for keyword:%s\n", cmd);
		s->exit_code = 1;
	}
	buf_free(&ids);
	strv_free(kv, nkv);
}

/* ---- update ---- */

static void
update_simple(struct sc *s, unsigned type, int argc, char **argv)
{
	struct client *c = cli(s);
	if (c == NULL) {
		s->exit_code = 1;
		return;
	}
	struct keyvals kv = {0};
	for (int i = 0; i < argc; i++)
		strv_add(&kv.keyvals, &kv.keyvals_cnt, argv[i]);
	struct msg resp;
	int rc = client_rpc(c, type, &kv, &resp);
	if (rc == 0) {
		msg_free(&resp);
	} else {
		s->exit_code = 1;
		if (!s->quiet)
			fprintf(stderr, "slurm_update error: %s\n",
			    rc < 0 ? herd_strerror(HERD_ECONN) : herd_strerror(rc));
	}
	proto_free(&rdesc_keyvals, &kv);
}

/* delete NodeName=<dynamic nodes>: a node update with the state DELETE */
static void
cmd_delete(struct sc *s, int argc, char **argv)
{
	if (argc != 1 || strncasecmp(argv[0], "NodeName=", 9) != 0 || argv[0][9] == '\0') {
		fprintf(stderr, "Invalid delete specification: %s\n", argc > 0 ? argv[0] : "");
		fprintf(stderr, "Input line must include \"NodeName\"\n");
		s->exit_code = 1;
		return;
	}
	char *args[] = {argv[0], "State=DELETE"};
	update_simple(s, REQ_NODE_UPDATE, 2, args);
}

static void
cmd_update(struct sc *s, int argc, char **argv)
{
	int job = -1, node = -1, part = -1, jobname = -1;
	for (int i = 0; i < argc; i++) {
		if (strncasecmp(argv[i], "JobId=", 6) == 0)
			job = i;
		else if (strncasecmp(argv[i], "NodeName=", 9) == 0)
			node = i;
		else if (strncasecmp(argv[i], "PartitionName=", 14) == 0)
			part = i;
		else if (strncasecmp(argv[i], "JobName=", 8) == 0 && jobname < 0)
			jobname = i;
	}
	if (node >= 0) {
		const char *state = NULL, *reason = NULL;
		for (int i = 0; i < argc; i++) {
			if (strncasecmp(argv[i], "State=", 6) == 0)
				state = argv[i] + 6;
			else if (strncasecmp(argv[i], "Reason=", 7) == 0)
				reason = argv[i] + 7;
		}
		if (state != NULL && reason == NULL &&
		    (strcasecmp(state, "DOWN") == 0 || strncasecmp(state, "DRAIN", 5) == 0 ||
		        strcasecmp(state, "FAIL") == 0)) {
			fprintf(stderr,
			    "You must specify a reason when DOWNING or DRAINING a node. Request denied\n");
			s->exit_code = 1;
			return;
		}
		update_simple(s, REQ_NODE_UPDATE, argc, argv);
		return;
	}
	if (part >= 0) {
		update_simple(s, REQ_PART_UPDATE, argc, argv);
		return;
	}
	if (job < 0) {
		fprintf(stderr, "No valid entity in update command\n");
		fprintf(stderr, "Input line must include \"NodeName\", \"PartitionName\", \"Reservation\", "
		                "\"JobId\", or \"SuspendExcNodes\"\n");
		s->exit_code = 1;
		return;
	}
	char **kv = NULL;
	uint32_t nkv = 0;
	for (int i = 0; i < argc; i++)
		if (i != job)
			strv_add(&kv, &nkv, argv[i]);
	if (nkv == 0) {
		fprintf(stderr, "No changes specified\n");
		s->exit_code = 1;
		return;
	}
	job_action_ids(s, JOB_ACT_UPDATE, argv[job] + 6, kv, nkv);
	strv_free(kv, nkv);
}

static void
cmd_simple_rpc(struct sc *s, unsigned type, const char *what)
{
	struct client *c = cli(s);
	if (c == NULL) {
		s->exit_code = 1;
		return;
	}
	struct msg resp;
	int rc = client_rpc(c, type, NULL, &resp);
	if (rc == 0) {
		msg_free(&resp);
		return;
	}
	s->exit_code = 1;
	if (!s->quiet)
		fprintf(
		    stderr, "%s error: %s\n", what, rc < 0 ? herd_strerror(HERD_ECONN) : herd_strerror(rc));
}

/* ---- dispatch ---- */

static void
help_commands(void)
{
	printf("scontrol [<OPTION>] [<COMMAND>]\n"
	       "    Valid <OPTION> values are:\n"
	       "     -a or --all: equivalent to \"all\" command\n"
	       "     -d or --details: equivalent to \"details\" command\n"
	       "     -h or --help: equivalent to \"help\" command\n"
	       "     -o or --oneliner: equivalent to \"oneliner\" command\n"
	       "     -Q or --quiet: equivalent to \"quiet\" command\n"
	       "     -v or --verbose: equivalent to \"verbose\" command\n"
	       "     -V or --version: equivalent to \"version\" command\n"
	       "\n"
	       "  <keyword> may be omitted from the execute line and scontrol will execute\n"
	       "  in interactive mode. It will process commands as entered until explicitly\n"
	       "  terminated.\n"
	       "\n"
	       "    Valid <COMMAND> values are:\n"
	       "     all                      display information about all partitions,\n"
	       "     details                  show details in \"show job\" output\n"
	       "     exit                     terminate scontrol\n"
	       "     help                     print this description of use.\n"
	       "     hold <job_list>          prevent specified job from starting.\n"
	       "     oneliner                 report output one record per line.\n"
	       "     ping                     print status of slurmctld daemons.\n"
	       "     quiet                    print no messages other than error messages.\n"
	       "     quit                     terminate this command.\n"
	       "     reconfigure              re-read configuration files.\n"
	       "     release <job_list>       permit specified job to start.\n"
	       "     requeue <job_id>         re-queue a batch job\n"
	       "     requeuehold <job_id>     re-queue and hold a batch job\n"
	       "     resume <job_list>        resume previously suspended job\n"
	       "     show <ENTITY> [<ID>]     display state of identified entity, default\n"
	       "                              is all records.\n"
	       "     shutdown                 shutdown slurm controller.\n"
	       "     suspend <job_list>       susend specified job\n"
	       "     uhold <job_list>         place user hold on specified job\n"
	       "     update <SPECIFICATIONS>  update job, node or partition configuration.\n"
	       "     delete NodeName=<nodes>  delete dynamic nodes (registered with herdd -Z).\n"
	       "     verbose                  enable detailed logging.\n"
	       "     version                  display tool version number.\n"
	       "\n"
	       "  <ENTITY> may be \"config\", \"hostnames\", \"hostlist\", \"hostlistsorted\",\n"
	       "       \"job\", \"node\", \"partition\", \"step\".\n");
}

/* 1 = quit */
static int
run_command(struct sc *s, int argc, char **argv)
{
	static const struct kw cmds[] = {
	    {"show", 3},
	    {"hold", 2},
	    {"uhold", 2},
	    {"release", 3},
	    {"requeue", 7},
	    {"requeuehold", 8},
	    {"suspend", 2},
	    {"resume", 3},
	    {"update", 1},
	    {"delete", 3},
	    {"ping", 2},
	    {"version", 4},
	    {"reconfigure", 3},
	    {"shutdown", 2},
	    {"exit", 2},
	    {"quit", 1},
	    {"help", 2},
	    {"oneliner", 1},
	    {"details", 1},
	    {"all", 2},
	    {"quiet", 4},
	    {"verbose", 4},
	    {"list", 1},
	};
	if (argc == 0)
		return 0;
	const char *cmd = kw_match(cmds, sizeof(cmds) / sizeof(cmds[0]), argv[0]);
	if (cmd == NULL) {
		fprintf(stderr, "invalid keyword: %s\n", argv[0]);
		s->exit_code = 1;
		return 0;
	}
	argc--;
	argv++;
	if (strcmp(cmd, "show") == 0 || strcmp(cmd, "list") == 0)
		cmd_show(s, argc, argv);
	else if (strcmp(cmd, "hold") == 0)
		cmd_job_action(s, cmd, JOB_ACT_HOLD, argc, argv);
	else if (strcmp(cmd, "uhold") == 0)
		cmd_job_action(s, cmd, JOB_ACT_UHOLD, argc, argv);
	else if (strcmp(cmd, "release") == 0)
		cmd_job_action(s, cmd, JOB_ACT_RELEASE, argc, argv);
	else if (strcmp(cmd, "requeue") == 0)
		cmd_job_action(s, cmd, JOB_ACT_REQUEUE, argc, argv);
	else if (strcmp(cmd, "requeuehold") == 0)
		cmd_job_action(s, cmd, JOB_ACT_REQUEUEHOLD, argc, argv);
	else if (strcmp(cmd, "suspend") == 0)
		cmd_job_action(s, cmd, JOB_ACT_SUSPEND, argc, argv);
	else if (strcmp(cmd, "resume") == 0)
		cmd_job_action(s, cmd, JOB_ACT_RESUME, argc, argv);
	else if (strcmp(cmd, "update") == 0)
		cmd_update(s, argc, argv);
	else if (strcmp(cmd, "delete") == 0)
		cmd_delete(s, argc, argv);
	else if (strcmp(cmd, "ping") == 0) {
		struct buf b;
		buf_init(&b);
		ping_all(s, &b);
		emit(&b);
		buf_free(&b);
	} else if (strcmp(cmd, "version") == 0)
		printf("%s\n", CMD_SLURM_VERSION);
	else if (strcmp(cmd, "reconfigure") == 0)
		cmd_simple_rpc(s, REQ_RECONFIGURE, "slurm_reconfigure");
	else if (strcmp(cmd, "shutdown") == 0)
		cmd_simple_rpc(s, REQ_SHUTDOWN, "slurm_shutdown");
	else if (strcmp(cmd, "exit") == 0 || strcmp(cmd, "quit") == 0)
		return 1;
	else if (strcmp(cmd, "help") == 0)
		help_commands();
	else if (strcmp(cmd, "oneliner") == 0)
		s->oneliner = 1;
	else if (strcmp(cmd, "details") == 0)
		s->details = 1;
	else if (strcmp(cmd, "all") == 0)
		s->all = 1;
	else if (strcmp(cmd, "quiet") == 0)
		s->quiet = 1;
	else if (strcmp(cmd, "verbose") == 0)
		s->verbose = 1;
	return 0;
}

/* split an interactive line into words, honouring quotes */
static int
split_line(char *line, char ***argv)
{
	int argc = 0;
	char *p = line;
	*argv = NULL;
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		char *out = p, *w = p;
		char quote = 0;
		while (*p && (quote || !isspace((unsigned char)*p))) {
			if (quote && *p == quote)
				quote = 0;
			else if (!quote && (*p == '"' || *p == '\''))
				quote = *p;
			else
				*out++ = *p;
			p++;
		}
		if (*p)
			p++;
		*out = '\0';
		*argv = xreallocarray(*argv, (size_t)argc + 1, sizeof(**argv));
		(*argv)[argc++] = w;
	}
	return argc;
}

static void
interactive(struct sc *s)
{
	char *line = NULL;
	size_t cap = 0;
	int tty = isatty(STDIN_FILENO);
	for (;;) {
		if (tty) {
			printf("scontrol: ");
			fflush(stdout);
		}
		if (getline(&line, &cap, stdin) < 0)
			break;
		char **argv;
		int argc = split_line(line, &argv);
		int quit = run_command(s, argc, argv);
		free(argv);
		fflush(stdout);
		if (quit)
			break;
	}
	free(line);
}

enum { OPT_HELP = 0x100, OPT_USAGE, OPT_IGNORED };

static const struct option long_opts[] = {
    {"all", no_argument, NULL, 'a'},
    {"details", no_argument, NULL, 'd'},
    {"help", no_argument, NULL, 'h'},
    {"hide", no_argument, NULL, OPT_IGNORED},
    {"oneliner", no_argument, NULL, 'o'},
    {"quiet", no_argument, NULL, 'Q'},
    {"verbose", no_argument, NULL, 'v'},
    {"version", no_argument, NULL, 'V'},
    {"usage", no_argument, NULL, OPT_USAGE},
    {"clusters", required_argument, NULL, 'M'},
    {"local", no_argument, NULL, OPT_IGNORED},
    {"sibling", no_argument, NULL, OPT_IGNORED},
    {"federation", no_argument, NULL, OPT_IGNORED},
    {NULL, 0, NULL, 0},
};

int
main(int argc, char **argv)
{
	struct sc s;
	memset(&s, 0, sizeof(s));
	int c;
	/* options may also follow the command word, as with Slurm's scontrol */
	while ((c = getopt_long(argc, argv, "adhoQvVM:", long_opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			s.all = 1;
			break;
		case 'd':
			s.details = 1;
			break;
		case 'h':
		case OPT_USAGE:
			help_commands();
			return 0;
		case 'o':
			s.oneliner = 1;
			break;
		case 'Q':
			s.quiet = 1;
			break;
		case 'v':
			s.verbose++;
			break;
		case 'V':
			printf("%s\n", CMD_SLURM_VERSION);
			return 0;
		case 'M':
		case OPT_IGNORED:
			break;
		default:
			fprintf(stderr, "Try \"scontrol --help\" for more information\n");
			return 1;
		}
	}
	if (optind < argc)
		run_command(&s, argc - optind, argv + optind);
	else
		interactive(&s);
	if (s.inited)
		client_fini(&s.c);
	return s.exit_code ? client_exit_error() : 0;
}
