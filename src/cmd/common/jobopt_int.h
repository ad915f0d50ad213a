/* SPDX-License-Identifier: MIT */
/*
 * Internal to jobopt.c and jobopt_handlers.c: error helper and the input
 * env var flag rule.
 */
#ifndef HERD_JOBOPT_INT_H
#define HERD_JOBOPT_INT_H

#include "jobopt.h"

/* Set o->err; returns -1. */
int jobopt_err(struct jobopt *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Flag-type input variable value: empty, "yes" or a non-zero number. */
int jobopt_env_flag_on(const char *v);

#endif
