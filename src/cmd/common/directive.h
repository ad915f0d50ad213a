/* SPDX-License-Identifier: MIT */
/*
 * Options embedded in a batch script: "#SBATCH -N 2 -t 5 # comment" lines
 * at the top of the script (cli.md section 1, "#SBATCH directive
 * parsing").  This module only finds the directive lines and splits them
 * into words; the words are then parsed by the normal option parser
 * (jobopt.h) so that a directive means exactly what the option means on
 * the command line.
 */
#ifndef HERD_DIRECTIVE_H
#define HERD_DIRECTIVE_H

#include <stddef.h>
#include <stdint.h>

enum directive_status {
	DIRECTIVE_OK = 0,
	DIRECTIVE_UNMATCHED_QUOTE, /* err_line, err_quote, err_text set */
	DIRECTIVE_UNEXPECTED_COLON, /* a word starts with ':' (het job syntax) */
};

struct directive_result {
	char **argv; /* every word of every directive, in order (owned) */
	uint32_t argc;
	int hetjob; /* "#SBATCH hetjob" (or packjob) seen: later components not collected */
	int hetjob_line; /* its line number (1-based) */
	int alt_prefix_used; /* a line with the alternative prefix (#SLURM) was used */
	/* errors */
	int err_line; /* 1-based line number of the bad directive */
	char err_quote; /* the unmatched quote character */
	char *err_text; /* the rest of the line from the bad word on (owned) */
};

/*
 * Split the text of one directive (what follows the prefix) into words,
 * appending them to *argv / *argc.  Whitespace separates words; '...' and
 * "..." group (quotes removed, may start mid-word); a backslash takes the
 * next character literally; an unquoted, unescaped '#' ends the line.
 * Returns DIRECTIVE_OK, or an error status with *err_off set to the offset
 * in text where the failing word's segment starts (after the previous word,
 * blanks included, as Slurm quotes it) and *err_quote to the open quote.  Words
 * already appended stay appended.
 */
int directive_split(
    const char *text, size_t len, char ***argv, uint32_t *argc, size_t *err_off, char *err_quote);

/*
 * Scan script (len bytes, need not be NUL-terminated) from the top:
 * lines that start at column 0 with prefix (case-sensitive, e.g. "#SBATCH")
 * or with alt_prefix (may be NULL; e.g. "#SLURM") are directives; empty,
 * blank and comment lines (first non-blank character '#') are skipped; the
 * first other line ends the scan.  Fills res (zeroed first; release with
 * directive_result_free).  Returns DIRECTIVE_OK or an error status (res
 * keeps the words collected before the error).
 */
int directive_scan(
    const char *script, size_t len, const char *prefix, const char *alt_prefix, struct directive_result *res);

void directive_result_free(struct directive_result *res);

#endif
