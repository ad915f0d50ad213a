/* SPDX-License-Identifier: MIT */
/* --array and --dependency specifications (jobspec.c) */
#ifndef HERD_PROTO_JOBSPEC_H
#define HERD_PROTO_JOBSPEC_H

#include <stdint.h>

/* a parsed --array specification */
struct array_spec {
	uint32_t *idx; /* sorted, unique */
	uint32_t cnt, throttle, min, max, step;
};

/* "1-3,5:2%4" with every index below max_size; -1 if malformed */
int array_parse(const char *spec, uint32_t max_size, struct array_spec *out);
/* indexes (sorted) as "1-3,5" or "a-b:step" runs; caller frees */
char *array_ranges(const uint32_t *idx, uint32_t n);

enum dep_type {
	DEP_AFTER,
	DEP_AFTERANY,
	DEP_AFTEROK,
	DEP_AFTERNOTOK,
	DEP_AFTERCORR,
	DEP_AFTERBB,
	DEP_SINGLETON
};

/* one term of a dependency */
#define DEP_UNFULFILLED 0
#define DEP_SATISFIED 1
#define DEP_FAILED 2
struct dep_term {
	uint8_t type, state;
	uint8_t whole; /* on a whole array: shown as id_* */
	uint32_t job_id;
	uint32_t task_id; /* id_task, or NO_VAL */
	uint32_t minutes; /* after:id+minutes */
};

/* the most terms one dependency may have (an id_[range] is one per task) */
#define DEP_MAX_TERMS 4096

/* Parse -d/--dependency (or its saved display form with "(unfulfilled)"
 * and "(failed)"): *out gets *cnt terms (caller frees), *is_or whether they
 * are joined by '?'.  "" and "(null)" give no terms.  -1 on a syntax error
 * or a dependency of self_id on itself. */
int depend_parse(const char *spec, uint32_t self_id, struct dep_term **out, uint32_t *cnt, int *is_or);
const char *depend_type_name(uint8_t type);
/* The terms not yet satisfied as squeue %E shows them, which
 * depend_parse reads back: "afterok:41_3(unfulfilled),after:42+5(failed)";
 * NULL when none is left.  Caller frees. */
char *depend_string(const struct dep_term *terms, uint32_t cnt, int is_or);

#endif
