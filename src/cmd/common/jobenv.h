/* SPDX-License-Identifier: MIT */
/*
 * The environment a job starts from (--export, --export-file; cli.md
 * section 1): which of the submitter's variables travel with the request.
 */
#ifndef HERD_JOBENV_H
#define HERD_JOBENV_H

#include <stddef.h>
#include <stdint.h>

/*
 * Build the job's environment from envp (NULL-terminated "NAME=value"):
 *   spec NULL or "ALL"   every variable of envp;
 *   "NONE"               only the SLURM_* variables of envp;
 *   "A,B=val,..."        SLURM_* variables plus the listed ones: a bare
 *                        name copies its current value (skipped if unset),
 *                        NAME=value sets it; an "ALL" item makes the base
 *                        every variable instead of SLURM_* only ("NONE" in
 *                        a list is the default base).  An item that is not
 *                        a variable name continues the previous value
 *                        ("A=1,2" sets A to "1,2").
 * export_file (may be NULL): a file name, or a descriptor number >= 3,
 * holding NAME=value entries separated by NUL bytes or newlines; they are
 * added last.  Appends to *env / *cnt.  0, or -1 with a message in err.
 */
int jobenv_build(const char *spec, const char *export_file, char *const *envp, char ***env, uint32_t *cnt,
    char *err, size_t errlen);

/* Is s a valid variable name (letters, digits, '_', not starting with a digit)? */
int jobenv_valid_name(const char *s, size_t len);

#endif
