/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: #SBATCH directive scanning of an arbitrary script, a
 * round-trip property (the words, quoted back into one directive, split
 * into the same words), and the option parser fed with the words.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "directive.h"
#include "jobopt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One directive line whose words are exactly argv. */
static void
quote_words(struct buf *b, char **argv, uint32_t argc)
{
	buf_adds(b, "#SBATCH");
	for (uint32_t i = 0; i < argc; i++) {
		buf_adds(b, " '");
		for (const char *p = argv[i]; *p; p++) {
			if (*p == '\'' || *p == '\\')
				buf_addc(b, '\\');
			buf_addc(b, *p);
		}
		buf_addc(b, '\'');
	}
	buf_addc(b, '\n');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	struct directive_result r;
	int rc = directive_scan((const char *)data, size, "#SBATCH", "#SLURM", &r);
	for (uint32_t i = 0; i < r.argc; i++)
		if (r.argv[i] == NULL || strchr(r.argv[i], '\n') != NULL)
			abort();
	if (rc != DIRECTIVE_OK && r.err_text == NULL)
		abort();
	/* after an error the words collected so far may start with a hetjob
	 * separator, which a round trip would (rightly) treat as one */
	if (rc != DIRECTIVE_OK ||
	    (r.argc > 0 && (strcmp(r.argv[0], "hetjob") == 0 || strcmp(r.argv[0], "packjob") == 0)))
		goto parse;

	struct buf b;
	buf_init(&b);
	quote_words(&b, r.argv, r.argc);
	struct directive_result back;
	if (directive_scan(b.data, b.len, "#SBATCH", NULL, &back) != DIRECTIVE_OK || back.argc != r.argc)
		abort();
	for (uint32_t i = 0; i < r.argc; i++)
		if (strcmp(back.argv[i], r.argv[i]) != 0)
			abort();
	directive_result_free(&back);
	buf_free(&b);

parse:;

	/* the option parser must cope with any words; file arguments
	 * (anything with '/') are left out so nothing is opened */
	int has_path = 0;
	for (uint32_t i = 0; i < r.argc; i++)
		if (strchr(r.argv[i], '/') != NULL)
			has_path = 1;
	if (!has_path && r.argc < 256) {
		struct jobopt o;
		jobopt_init(&o, JOBOPT_SBATCH, "sbatch", "SBATCH_");
		if (jobopt_parse_directives(&o, r.argv, r.argc) == 0)
			jobopt_apply(&o);
		jobopt_fini(&o);
	}
	directive_result_free(&r);
	return 0;
}
