/* SPDX-License-Identifier: MIT */
/*
 * sacctmgr: view and change the association data herddbd keeps
 * (cli.md section 9).  show/list asks herddbd for the tables and renders
 * them here (mgrfmt.c); add/modify/delete are applied by herddbd, which
 * first answers what would change; without -i that text is shown and
 * the change is committed only on "y".
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "acct/acctmgr.h"
#include "base/buf.h"
#include "base/xmalloc.h"
#include "client.h"
#include "cmdutil.h"
#include "mgrfmt.h"
#include "net/net.h"

#define COMMIT_WAIT_S 30

struct opts {
	int immediate, noheader, parsable, quiet;
};

static void
usage(FILE *f)
{
	fprintf(f, "sacctmgr [<OPTION>] [<COMMAND>]\n"
	           "    Valid <OPTION> values are:\n"
	           "     -h or --help: equivalent to \"help\" command\n"
	           "     -i or --immediate: commit changes immediately\n"
	           "     -n or --noheader: no header will be added to the beginning of output\n"
	           "     -p or --parsable: output will be '|' delimited with a '|' at the end\n"
	           "     -P or --parsable2: output will be '|' delimited without a '|' at the end\n"
	           "     -Q or --quiet: equivalent to \"quiet\" command\n"
	           "     -V or --version: equivalent to \"version\" command\n\n"
	           "  <COMMAND> may be omitted for help.  Valid <COMMAND> values are:\n"
	           "     add|create <ENTITY> <SPECS>, modify|update <ENTITY> where <SPECS> set <SPECS>,\n"
	           "     delete|remove <ENTITY> where <SPECS>, show|list <ENTITY> [<SPECS>], version\n\n"
	           "  <ENTITY> may be cluster, account, user, association, qos or tres.\n");
}

/* One request to herddbd.  0 with *resp; a herd error code (> 0) from a
 * RESP_RC; -1 when herddbd cannot be reached (errno). */
static int
dbd_rpc(struct client *c, const struct acct_mgr_req *req, struct msg *resp)
{
	int fd, msg_ms;
	int rc = client_dbd_rpc(c, REQ_ACCT_MGR, req, resp, &fd, &msg_ms);
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		return rc;
	if (resp->type == RESP_RC) {
		int code = ((struct rc *)resp->body)->rc;
		msg_free(resp);
		return code ? code : HERD_EPROTO;
	}
	unsigned want = req->op == ACCTMGR_SHOW ? RESP_ACCT_TABLES : RESP_ACCT_MGR;
	if (resp->type != want) {
		msg_free(resp);
		return HERD_EPROTO;
	}
	return 0;
}

static const char *
entity_plural(int entity)
{
	switch (entity) {
	case ACCTMGR_CLUSTER:
		return "clusters";
	case ACCTMGR_ACCOUNT:
		return "accounts";
	case ACCTMGR_USER:
		return "users";
	case ACCTMGR_QOS:
		return "qos";
	default:
		return "associations";
	}
}

/* Slurm's wording for a failed request; returns the exit status. */
static int
report_rpc_error(int rc, const struct acct_mgr_req *req)
{
	if (rc < 0) {
		fprintf(stderr, "sacctmgr: error: Problem talking to the database: %s\n", strerror(errno));
		return 1;
	}
	if (rc == ESLURM_ACCESS_DENIED) {
		fprintf(stderr, "sacctmgr: error: Your user doesn't have privilege to perform this action\n");
		if (req->op == ACCTMGR_ADD)
			fprintf(stderr, " Problem adding %s: %s\n", entity_plural((int)req->entity),
			    herd_strerror(rc));
		else
			fprintf(stderr, " Error with request: %s\n", herd_strerror(rc));
		return 1;
	}
	fprintf(stderr, " Error with request: %s\n", herd_strerror(rc));
	return 1;
}

/* "(N/y): " answered with y within COMMIT_WAIT_S seconds */
static int
commit_check(void)
{
	printf("Would you like to commit changes? (You have %d seconds to decide)\n(N/y): ", COMMIT_WAIT_S);
	fflush(stdout);
	struct pollfd p = {.fd = 0, .events = POLLIN};
	int r = poll(&p, 1, COMMIT_WAIT_S * 1000);
	if (r <= 0) {
		printf("\n");
		return 0;
	}
	char line[64];
	if (fgets(line, sizeof(line), stdin) == NULL) {
		printf("\n");
		return 0;
	}
	const char *s = line;
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == 'y' || *s == 'Y';
}

static int
do_show(struct client *c, const struct opts *o, struct acct_mgr_req *req, const char *format)
{
	struct mgr_out out = {.parsable = o->parsable, .noheader = o->noheader};
	struct buf err;
	buf_init(&err);
	if (mgr_out_parse(&out, (int)req->entity, format, &err) < 0) {
		fputs(buf_str(&err), stderr);
		buf_free(&err);
		mgr_out_free(&out);
		return 1;
	}
	struct msg resp;
	int rc = dbd_rpc(c, req, &resp);
	if (rc != 0) {
		buf_free(&err);
		mgr_out_free(&out);
		return report_rpc_error(rc, req);
	}
	/* bare words of show are names */
	char **where = NULL;
	uint32_t nw = 0;
	for (uint32_t i = 0; i < req->where_cnt; i++)
		strv_add(&where, &nw, req->where[i]);
	for (uint32_t i = 0; i < req->names_cnt; i++)
		strv_addf(&where, &nw, "name=%s", req->names[i]);
	struct buf text;
	buf_init(&text);
	int ret = mgr_show(resp.body, &out, where, nw, &text, &err);
	if (ret)
		fputs(buf_str(&err), stderr);
	else if (cmd_write_stdout(&text) < 0)
		ret = 1;
	strv_free(where, nw);
	buf_free(&text);
	buf_free(&err);
	msg_free(&resp);
	mgr_out_free(&out);
	return ret;
}

static int
do_change(struct client *c, const struct opts *o, struct acct_mgr_req *req)
{
	req->flags = o->immediate ? ACCTMGR_COMMIT : 0;
	struct msg resp;
	int rc = dbd_rpc(c, req, &resp);
	if (rc != 0)
		return report_rpc_error(rc, req);
	struct acct_mgr_resp *r = resp.body;
	if (r->err && *r->err)
		fputs(r->err, stderr);
	if (!o->quiet && r->text && *r->text)
		fputs(r->text, stdout);
	int ret = r->rc ? 1 : 0;
	msg_free(&resp);
	if (ret || o->immediate)
		return ret;
	if (!commit_check()) {
		printf(" Changes Discarded\n");
		return 0;
	}
	req->flags = ACCTMGR_COMMIT;
	rc = dbd_rpc(c, req, &resp);
	if (rc != 0)
		return report_rpc_error(rc, req);
	r = resp.body;
	if (r->err && *r->err)
		fputs(r->err, stderr);
	ret = r->rc ? 1 : 0;
	msg_free(&resp);
	return ret;
}

int
main(int argc, char **argv)
{
	static const struct option long_opts[] = {
	    {"immediate", no_argument, NULL, 'i'},
	    {"noheader", no_argument, NULL, 'n'},
	    {"parsable", no_argument, NULL, 'p'},
	    {"parsable2", no_argument, NULL, 'P'},
	    {"quiet", no_argument, NULL, 'Q'},
	    {"readonly", no_argument, NULL, 'r'},
	    {"associations", no_argument, NULL, 's'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct opts o = {0};
	int readonly = 0, opt;
	while ((opt = getopt_long(argc, argv, "+hinpPQrsvV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			o.immediate = 1;
			break;
		case 'n':
			o.noheader = 1;
			break;
		case 'p':
			o.parsable = 1;
			break;
		case 'P':
			o.parsable = 2;
			break;
		case 'Q':
			o.quiet = 1;
			break;
		case 'r':
			readonly = 1;
			break;
		case 's':
		case 'v':
			break;
		case 'V':
			printf("%s\n", CMD_SLURM_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try \"sacctmgr --help\" for more information\n");
			return 1;
		}
	}
	if (optind >= argc) {
		usage(stdout);
		return 0;
	}
	const char *cmd = argv[optind++];
	if (strcasecmp(cmd, "version") == 0) {
		printf("%s\n", CMD_SLURM_VERSION);
		return 0;
	}
	if (strcasecmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	int op = acctmgr_op_parse(cmd);
	if (op == 0) {
		fprintf(stderr, "invalid keyword: %s\n", cmd);
		return 1;
	}
	if (optind >= argc) {
		fprintf(stderr, " Need to designate an entity to %s\n", cmd);
		return 1;
	}
	const char *ent = argv[optind++];
	int entity = acctmgr_entity_parse(ent);
	if (entity == 0) {
		fprintf(stderr, " Unknown entity '%s'\n", ent);
		return 1;
	}
	if (readonly && op != ACCTMGR_SHOW) {
		fprintf(stderr, "sacctmgr: error: Can't run this command in readonly mode.\n");
		return 1;
	}

	/* the rest: bare names, then "where" specs, then "set" specs */
	struct acct_mgr_req req = {.op = (uint32_t)op, .entity = (uint32_t)entity};
	const char *format = NULL;
	int mode = 0; /* 0 names / specs of add, 1 where, 2 set */
	for (int i = optind; i < argc; i++) {
		const char *w = argv[i];
		if (strcasecmp(w, "where") == 0) {
			mode = 1;
			continue;
		}
		if (strcasecmp(w, "set") == 0) {
			mode = 2;
			continue;
		}
		if (strncasecmp(w, "format=", 7) == 0) {
			format = w + 7;
			continue;
		}
		if (strchr(w, '=') == NULL) {
			if (mode == 0 || op == ACCTMGR_SHOW || op == ACCTMGR_DELETE)
				strv_add(&req.names, &req.names_cnt, w);
			else {
				fprintf(stderr, " Unknown option: %s\n", w);
				proto_free(&rdesc_acct_mgr_req, &req);
				return 1;
			}
			continue;
		}
		if (mode == 2)
			strv_add(&req.set, &req.set_cnt, w);
		else
			strv_add(&req.where, &req.where_cnt, w);
	}
	if (op == ACCTMGR_MODIFY && req.set_cnt == 0) {
		fprintf(stderr, " You didn't give me anything to set\n");
		proto_free(&rdesc_acct_mgr_req, &req);
		return 1;
	}

	struct client c;
	if (client_init(&c, "sacctmgr") < 0) {
		proto_free(&rdesc_acct_mgr_req, &req);
		return 1;
	}
	int ret;
	if (c.conf->acct_storage_type == NULL || strstr(c.conf->acct_storage_type, "slurmdbd") == NULL) {
		fprintf(stderr, "You are not running a supported accounting_storage plugin\n"
		                "Only 'accounting_storage/slurmdbd' is supported.\n");
		ret = 1;
	} else if (op == ACCTMGR_SHOW)
		ret = do_show(&c, &o, &req, format);
	else
		ret = do_change(&c, &o, &req);
	proto_free(&rdesc_acct_mgr_req, &req);
	client_fini(&c);
	return ret;
}
