/* SPDX-License-Identifier: MIT */
/*
 * srun --multi-prog configuration: lines "<ranks> <program> [args...]"
 * where ranks is "*" or a list such as "0,2-3"; "#" starts a comment;
 * arguments are split at blanks, '...' and "..." quote; in arguments %t
 * is the task's rank and %o its offset within the line's rank list.
 */
#ifndef HERD_MULTIPROG_H
#define HERD_MULTIPROG_H

#include <stddef.h>
#include <stdint.h>

/* The command of rank (xmalloc'd, NULL-terminated, *argc words), or NULL
 * with a message in err when no line covers rank or a line is malformed. */
char **multiprog_argv(const char *text, uint32_t rank, uint32_t *argc, char *err, size_t errlen);

#endif
