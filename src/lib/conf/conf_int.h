/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the slurm.conf / slurmdbd.conf parser files: the
 * line reader (conf_read.c), the typed key tables and their setters
 * (conf_keys.c), node and partition records (conf_node.c, conf_part.c).
 */
#ifndef HERD_CONF_INT_H
#define HERD_CONF_INT_H

#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"

/* --- line reader ----------------------------------------------------- */

struct conf_pair {
	char *key;
	char *val;
};

struct conf_rline {
	const char *file; /* basename, for messages */
	int line;
	struct conf_pair *pairs;
	int npairs;
};

/* Called for each logical line that holds at least one pair; returns 0 or
 * -1 with a complete message in err. */
typedef int (*conf_line_fn)(void *arg, const struct conf_rline *l, char *err, size_t errlen);

struct conf_reader {
	conf_line_fn fn;
	void *arg;
	const char *dir; /* for relative Include paths; NULL = cwd */
	const char *(*cluster)(void *arg); /* ClusterName so far, for %c */
	int depth;
};

int conf_read_text(
    struct conf_reader *r, const char *text, size_t len, const char *name, char *err, size_t errlen);
int conf_read_file(struct conf_reader *r, const char *path, char *err, size_t errlen);
/* Whole regular file (bounded size) into a NUL-terminated buffer. */
char *conf_slurp(const char *path, size_t *len);

void conf_errf(char *err, size_t errlen, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* --- typed keys -------------------------------------------------------- */

enum conf_type {
	K_NONE, /* accepted, no field: value kept for `show` only */
	K_STR, /* char * */
	K_ALLSTR, /* char *, "ALL" stored as NULL */
	K_U16, /* uint16_t */
	K_PORT, /* uint16_t, "6817-6818" keeps the first */
	K_U32, /* uint32_t, optional max */
	K_U32_UNL, /* uint32_t, UNLIMITED/INFINITE -> INFINITE */
	K_U64, /* uint64_t */
	K_MEM, /* uint64_t MB, suffixes K/M/G/T, UNLIMITED -> 0 */
	K_BOOL, /* uint32_t 0/1 from YES/NO/1/0 */
	K_IBOOL, /* int 0/1 from YES/NO/1/0 */
	K_LOG, /* int log level, name or number */
	K_ENFORCE, /* uint32_t NO=0 ANY=1 ALL=2 */
	K_FREQ, /* uint32_t, "30" or "task=30,..." */
	K_TIME, /* uint32_t minutes (time_limit_parse) */
	K_OVERSUB, /* uint32_t OVERSUB_* */
	K_PSTATE, /* uint32_t PART_STATE_* */
	K_NSTATE, /* uint32_t initial node state */
	K_CTLD, /* SlurmctldHost and its old synonyms: handled by conf.c */
	K_SKIP, /* record keys handled by the record code itself */
};

#define KF_NOSHOW 0x1 /* not listed in `show` */
#define KF_LOWER 0x2 /* value forced to lower case */

struct conf_key {
	const char *name;
	uint8_t type;
	uint8_t flags;
	size_t off; /* field offset in the target struct */
	const char *def; /* default as text; NULL = none */
	uint32_t max; /* K_U32: largest value allowed (0 = any) */
};

const struct conf_key *conf_key_find(const struct conf_key *tab, size_t n, const char *name);
/* Parse val into base's field; -1 with a message (no file:line) in msg. */
int conf_key_set(const struct conf_key *k, void *base, const char *val, char *msg, size_t msglen);
/* Apply every default; strings start NULL. */
void conf_key_defaults(const struct conf_key *tab, size_t n, void *base);
void conf_key_free(const struct conf_key *tab, size_t n, void *base);
/* Effective value as text for `show`; raw is the value as written or NULL. */
char *conf_key_show(const struct conf_key *k, const void *base, const char *raw);
/* Deep copy of the string fields of a table (for DEFAULT templates). */
void conf_key_dup_strings(const struct conf_key *tab, size_t n, void *base);

extern const struct conf_key conf_main_keys[];
extern const size_t conf_main_nkeys;
extern const struct conf_key conf_node_keys[];
extern const size_t conf_node_nkeys;
extern const struct conf_key conf_part_keys[];
extern const size_t conf_part_nkeys;
extern const struct conf_key conf_dbd_keys[];
extern const size_t conf_dbd_nkeys;

/* --- records ----------------------------------------------------------- */

struct conf_ctx;

/* node lines and DownNodes */
struct conf_node_tmpl {
	struct conf_node n;
	uint64_t set; /* bit i: conf_node_keys[i] given */
	uint32_t sockets_per_board;
	char *port_expr;
};

struct conf_part_rec {
	const char *file;
	int line;
	char *nodes; /* as written, NULL = none */
};

struct conf_where {
	const char *file;
	int line;
};

struct conf_down_rec {
	const char *file;
	int line;
	char *nodes;
	uint32_t state;
	char *reason;
};

struct conf_ctx {
	struct herd_conf *c;
	char **raw; /* per conf_main_keys entry: last value as written */
	const char **fname; /* interned file basenames (for late messages) */
	size_t nfname;
	/* SlurmctldHost list and the old ControlMachine style */
	char *ctl_machine, *ctl_addr, *backup_ctl, *backup_addr;
	struct conf_node_tmpl node_def;
	struct conf_part part_def;
	char *part_def_nodes;
	struct conf_part_rec *prec; /* parallel to c->parts */
	struct conf_where *nsrec; /* parallel to c->nodesets */
	size_t node_cap, part_cap;
	struct conf_down_rec *down;
	size_t ndown;
	uint32_t *hash; /* node name -> index + 1 */
	size_t hsize;
};

/* A loaded configuration: the public part, then the node-name hash (see
 * conf.c); conf_node_add (conf_dyn.c) extends both. */
struct conf_full {
	struct herd_conf pub; /* first: a herd_conf * is a conf_full * */
	uint32_t *hash; /* node name -> index + 1, open addressing */
	size_t hsize;
};

const char *conf_ctx_file(struct conf_ctx *x, const char *file);
int conf_node_line(struct conf_ctx *x, const struct conf_rline *l, char *err, size_t errlen);
int conf_down_line(struct conf_ctx *x, const struct conf_rline *l, char *err, size_t errlen);
int conf_part_line(struct conf_ctx *x, const struct conf_rline *l, char *err, size_t errlen);
int conf_nodeset_line(struct conf_ctx *x, const struct conf_rline *l, char *err, size_t errlen);
/* After every line: nodeset names and Nodes= checked against the nodes. */
int conf_nodesets_check(struct conf_ctx *x, char *err, size_t errlen);
/* Node indexes of nodeset ns (checked) appended to *idx (*n used, *cap
 * allocated). */
void conf_nodeset_members(
    const struct conf_ctx *x, const struct conf_nodeset *ns, uint32_t **idx, size_t *n, size_t *cap);
void conf_nodeset_free(struct conf_nodeset *ns);
/* part->nodes_expr rebuilt from its node indexes (compressed hostlist). */
void conf_part_set_expr(struct herd_conf *c, struct conf_part *part);
/* After the whole file: resolve partition nodes and DownNodes. */
int conf_records_finish(struct conf_ctx *x, char *err, size_t errlen);
int conf_ctx_node_find(const struct conf_ctx *x, const char *name);
void conf_node_free(struct conf_node *n);
void conf_part_free(struct conf_part *p);

#endif
