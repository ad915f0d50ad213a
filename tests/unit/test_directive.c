/* SPDX-License-Identifier: MIT */
/*
 * Tests of src/cmd/common/directive.c (cli.md section 1, "#SBATCH
 * directive parsing", rules 1-7): which lines are directives, where
 * scanning stops, shell-like word splitting with quotes, escapes and
 * trailing comments, the fatal unmatched quote, the hetjob separator, and
 * how directive words combine with SBATCH_* variables and the command line
 * (precedence) through the option parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "directive.h"
#include "jobopt.h"

/* Scan text and compare the words with the NULL-terminated list. */
static void
expect_words(const char *text, ...)
{
	struct directive_result r;
	assert_int_equal(directive_scan(text, strlen(text), "#SBATCH", "#SLURM", &r), DIRECTIVE_OK);
	va_list ap;
	va_start(ap, text);
	uint32_t i = 0;
	for (const char *w = va_arg(ap, const char *); w != NULL; w = va_arg(ap, const char *), i++) {
		if (i >= r.argc)
			fail_msg("script %s: only %u words, expected '%s' next", text, r.argc, w);
		assert_string_equal(r.argv[i], w);
	}
	va_end(ap);
	if (i != r.argc)
		fail_msg("script %s: %u words, expected %u (extra '%s')", text, r.argc, i, r.argv[i]);
	directive_result_free(&r);
}

#define WORDS(text, ...) expect_words(text, __VA_ARGS__, (const char *)NULL)
#define NO_WORDS(text) expect_words(text, (const char *)NULL)

/* rules 1-2: column 0, exact case-sensitive prefix, shebang included in the scan */
static void
test_prefix_rules(void **state)
{
	WORDS("#!/bin/bash\n#SBATCH -N 2\n", "-N", "2");
	/* leading whitespace makes it a comment */
	NO_WORDS("#!/bin/bash\n  #SBATCH -N 2\n");
	NO_WORDS("#!/bin/bash\n\t#SBATCH -N 2\n");
	/* "# SBATCH" and other spellings are comments */
	NO_WORDS("#!/bin/bash\n# SBATCH -N 2\n#sbatch -N 2\n#Sbatch -N 2\n#SBATC -N 2\n");
	/* no space needed after the prefix */
	WORDS("#!/bin/sh\n#SBATCH-N2\n#SBATCH--time=5\n", "-N2", "--time=5");
	/* several options on one line, several lines */
	WORDS("#!/bin/sh\n#SBATCH -N 2 -n 4\n#SBATCH --job-name=x\n", "-N", "2", "-n", "4", "--job-name=x");
	/* a directive on the very first line counts too (rule 1) */
	WORDS("#SBATCH -J first\n", "-J", "first");
	/* a directive with nothing after the prefix adds nothing */
	WORDS("#!/bin/sh\n#SBATCH\n#SBATCH   \n#SBATCH -J a\n", "-J", "a");
	/* no trailing newline */
	WORDS("#!/bin/sh\n#SBATCH -J last", "-J", "last");
}

/* rule 3: blank and comment lines are skipped; the first command stops the scan */
static void
test_stop_rule(void **state)
{
	WORDS("#!/bin/sh\n\n   \n\t\n# a comment\n   # indented comment\n#SBATCH -J a\n", "-J", "a");
	WORDS("#!/bin/sh\n#SBATCH -J a\necho hi\n#SBATCH -t 5\n", "-J", "a");
	WORDS("#!/bin/sh\n#SBATCH -J a\n  echo hi\n#SBATCH -t 5\n", "-J", "a");
	NO_WORDS("#!/bin/sh\nset -e\n#SBATCH -t 5\n");
	/* a line of only whitespace characters other than space is still blank */
	WORDS("#!/bin/sh\n\v\f\r\n#SBATCH -J b\n", "-J", "b");
	/* text after '#' further on the line does not make a comment line */
	NO_WORDS("#!/bin/sh\nx=1 # comment\n#SBATCH -J c\n");
}

/* rule 4: quotes, escapes, comments */
static void
test_word_splitting(void **state)
{
	WORDS("#SBATCH --comment=\"a b\" -J 'x y'\n", "--comment=a b", "-J", "x y");
	/* quotes may start and end inside a word; they are removed */
	WORDS("#SBATCH --comment=a\" b \"c\n", "--comment=a b c");
	WORDS("#SBATCH -J it\"'\"s\n", "-J", "it's");
	WORDS("#SBATCH -J 'say \"hi\"'\n", "-J", "say \"hi\"");
	/* backslash takes the next character literally */
	WORDS("#SBATCH -J a\\ b\n", "-J", "a b");
	WORDS("#SBATCH -J \\#1\n", "-J", "#1");
	WORDS("#SBATCH -J \\\"q\n", "-J", "\"q");
	/* trailing comment */
	WORDS("#SBATCH -t 5 # five minutes\n", "-t", "5");
	WORDS("#SBATCH -t 5 #five\n", "-t", "5");
	WORDS("#SBATCH -J ab#c -t 5\n", "-J", "ab");
	WORDS("#SBATCH -J 'a#b' -t 5\n", "-J", "a#b", "-t", "5");
	WORDS("#SBATCH # all comment\n#SBATCH -J z\n", "-J", "z");
	/* an empty quoted word is a word */
	WORDS("#SBATCH --comment \"\" -J a\n", "--comment", "", "-J", "a");
	/* tabs separate words */
	WORDS("#SBATCH\t-N\t3\n", "-N", "3");
}

/* rule 4: an unmatched quote is fatal, with the line number */
static void
test_unmatched_quote(void **state)
{
	const char *s = "#!/bin/sh\n#SBATCH -N 1\n#SBATCH -J \"abc\n#SBATCH -t 5\n";
	struct directive_result r;
	assert_int_equal(directive_scan(s, strlen(s), "#SBATCH", NULL, &r), DIRECTIVE_UNMATCHED_QUOTE);
	assert_int_equal(r.err_line, 3);
	assert_int_equal(r.err_quote, '"');
	assert_string_equal(r.err_text, " \"abc");
	directive_result_free(&r);

	s = "#SBATCH -J 'abc\n";
	assert_int_equal(directive_scan(s, strlen(s), "#SBATCH", NULL, &r), DIRECTIVE_UNMATCHED_QUOTE);
	assert_int_equal(r.err_line, 1);
	assert_int_equal(r.err_quote, '\'');
	directive_result_free(&r);

	/* a quote inside the other kind is not unmatched */
	WORDS("#SBATCH -J \"it's\"\n", "-J", "it's");
	/* a quote after the comment start does not count */
	WORDS("#SBATCH -J a # it's fine\n", "-J", "a");
}

/* rule 5: hetjob separates components; only the first is collected */
static void
test_hetjob(void **state)
{
	const char *s = "#!/bin/sh\n#SBATCH -N 1\n#SBATCH hetjob\n#SBATCH -N 2\n";
	struct directive_result r;
	assert_int_equal(directive_scan(s, strlen(s), "#SBATCH", NULL, &r), DIRECTIVE_OK);
	assert_int_equal(r.hetjob, 1);
	assert_int_equal(r.hetjob_line, 3);
	assert_int_equal(r.argc, 2);
	assert_string_equal(r.argv[1], "1");
	directive_result_free(&r);

	/* "hetjob" inside another word is not a separator */
	s = "#SBATCH --comment=hetjob\n";
	assert_int_equal(directive_scan(s, strlen(s), "#SBATCH", NULL, &r), DIRECTIVE_OK);
	assert_int_equal(r.hetjob, 0);
	assert_int_equal(r.argc, 1);
	directive_result_free(&r);

	/* the old ':' separator syntax is reported */
	s = "#SBATCH : -N 2\n";
	assert_int_equal(directive_scan(s, strlen(s), "#SBATCH", NULL, &r), DIRECTIVE_UNEXPECTED_COLON);
	assert_int_equal(r.err_line, 1);
	directive_result_free(&r);
}

/* the deprecated #SLURM prefix is accepted and flagged */
static void
test_alt_prefix(void **state)
{
	const char *s = "#!/bin/sh\n#SLURM -J old\n#SBATCH -t 5\n";
	struct directive_result r;
	assert_int_equal(directive_scan(s, strlen(s), "#SBATCH", "#SLURM", &r), DIRECTIVE_OK);
	assert_int_equal(r.alt_prefix_used, 1);
	assert_int_equal(r.argc, 4);
	assert_string_equal(r.argv[1], "old");
	directive_result_free(&r);

	/* without an alternative prefix it is a comment */
	assert_int_equal(directive_scan(s, strlen(s), "#SBATCH", NULL, &r), DIRECTIVE_OK);
	assert_int_equal(r.alt_prefix_used, 0);
	assert_int_equal(r.argc, 2);
	directive_result_free(&r);
}

/* directive_split on its own, with a length that cuts the text */
static void
test_split_bounds(void **state)
{
	char **v = NULL;
	uint32_t n = 0;
	size_t off = 0;
	char q = 0;
	const char *t = " -N 2 -n 4";
	assert_int_equal(directive_split(t, 5, &v, &n, &off, &q), DIRECTIVE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "-N");
	assert_string_equal(v[1], "2");
	/* a trailing backslash escapes nothing */
	assert_int_equal(directive_split("x\\", 2, &v, &n, &off, &q), DIRECTIVE_OK);
	assert_int_equal(n, 3);
	assert_string_equal(v[2], "x");
	strv_free(v, n);
}

/* rule 5 through the option parser: words are options, unknown ones are errors */
static void
test_directive_options(void **state)
{
	struct jobopt o;
	jobopt_init(&o, JOBOPT_SBATCH, "sbatch", "SBATCH_");
	const char *s = "#!/bin/sh\n#SBATCH -N 2-3 --ntasks=4\n#SBATCH -J 'my job' -t 1:30 # comment\n";
	struct directive_result r;
	assert_int_equal(directive_scan(s, strlen(s), "#SBATCH", NULL, &r), DIRECTIVE_OK);
	assert_int_equal(jobopt_parse_directives(&o, r.argv, r.argc), 0);
	directive_result_free(&r);
	assert_int_equal(jobopt_apply(&o), 0);
	assert_int_equal(o.desc.min_nodes, 2);
	assert_int_equal(o.desc.max_nodes, 3);
	assert_int_equal(o.desc.ntasks, 4);
	assert_string_equal(o.desc.name, "my job");
	assert_int_equal(o.desc.time_limit, 2);
	jobopt_fini(&o);

	/* an unknown option */
	jobopt_init(&o, JOBOPT_SBATCH, "sbatch", "SBATCH_");
	char *bad[] = {"-N", "1", "--no-such-option"};
	assert_int_equal(jobopt_parse_directives(&o, bad, 3), -1);
	assert_string_equal(o.err, "Invalid directive found in batch script: --no-such-option");
	jobopt_fini(&o);

	/* a stray word that is not an option */
	jobopt_init(&o, JOBOPT_SBATCH, "sbatch", "SBATCH_");
	char *stray[] = {"-N", "1", "be", "-n", "2"};
	assert_int_equal(jobopt_parse_directives(&o, stray, 5), -1);
	assert_string_equal(o.err, "Invalid directive found in batch script: be");
	jobopt_fini(&o);

	/* an unknown short option glued to others */
	jobopt_init(&o, JOBOPT_SBATCH, "sbatch", "SBATCH_");
	char *shortbad[] = {"-Hj"};
	assert_int_equal(jobopt_parse_directives(&o, shortbad, 1), -1);
	assert_string_equal(o.err, "Invalid directive found in batch script: -Hj");
	jobopt_fini(&o);

	/* a bad value in a directive reports the option's own message */
	jobopt_init(&o, JOBOPT_SBATCH, "sbatch", "SBATCH_");
	char *badval[] = {"--time=abc"};
	assert_int_equal(jobopt_parse_directives(&o, badval, 1), -1);
	assert_string_equal(o.err, "Invalid --time specification");
	jobopt_fini(&o);
}

/* rule 7: command line > SBATCH_* env > #SBATCH > defaults */
static void
test_precedence(void **state)
{
	char *directives[] = {"-t", "5", "-J", "from-directive", "-p", "dpart", "--mem=100"};
	char *envp[] = {"SBATCH_TIMELIMIT=10", "SBATCH_JOB_NAME=from-env", "SBATCH_MEM_PER_CPU=7", NULL};
	char *cli[] = {"sbatch", "-t", "20", "job.sh"};

	/* all three: the command line wins for -t; env wins for the name */
	struct jobopt o;
	jobopt_init(&o, JOBOPT_SBATCH, "sbatch", "SBATCH_");
	assert_int_equal(jobopt_parse_args(&o, 4, cli, JOBOPT_LVL_CLI), 3);
	assert_int_equal(jobopt_parse_directives(&o, directives, 7), 0);
	assert_int_equal(jobopt_parse_env(&o, envp), 0);
	assert_int_equal(jobopt_apply(&o), 0);
	assert_int_equal(o.desc.time_limit, 20);
	assert_string_equal(o.desc.name, "from-env");
	assert_string_equal(o.desc.partition, "dpart");
	/* --mem-per-cpu from env replaces the directive's --mem */
	assert_true(o.desc.mem_per_cpu == 7);
	assert_true(o.desc.mem_per_node == NO_VAL64);
	jobopt_fini(&o);

	/* env over directives */
	jobopt_init(&o, JOBOPT_SBATCH, "sbatch", "SBATCH_");
	assert_int_equal(jobopt_parse_directives(&o, directives, 7), 0);
	assert_int_equal(jobopt_parse_env(&o, envp), 0);
	assert_int_equal(jobopt_apply(&o), 0);
	assert_int_equal(o.desc.time_limit, 10);
	jobopt_fini(&o);

	/* directives alone */
	jobopt_init(&o, JOBOPT_SBATCH, "sbatch", "SBATCH_");
	assert_int_equal(jobopt_parse_directives(&o, directives, 7), 0);
	assert_int_equal(jobopt_apply(&o), 0);
	assert_int_equal(o.desc.time_limit, 5);
	assert_string_equal(o.desc.name, "from-directive");
	assert_true(o.desc.mem_per_node == 100);
	jobopt_fini(&o);

	/* nothing: defaults */
	jobopt_init(&o, JOBOPT_SBATCH, "sbatch", "SBATCH_");
	assert_int_equal(jobopt_apply(&o), 0);
	assert_int_equal(o.desc.time_limit, NO_VAL);
	assert_null(o.desc.name);
	jobopt_fini(&o);

	/* the order of parsing does not matter, only the level */
	jobopt_init(&o, JOBOPT_SBATCH, "sbatch", "SBATCH_");
	assert_int_equal(jobopt_parse_env(&o, envp), 0);
	assert_int_equal(jobopt_parse_args(&o, 4, cli, JOBOPT_LVL_CLI), 3);
	assert_int_equal(jobopt_parse_directives(&o, directives, 7), 0);
	assert_int_equal(jobopt_apply(&o), 0);
	assert_int_equal(o.desc.time_limit, 20);
	assert_string_equal(o.desc.name, "from-env");
	jobopt_fini(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prefix_rules),
	    cmocka_unit_test(test_stop_rule),
	    cmocka_unit_test(test_word_splitting),
	    cmocka_unit_test(test_unmatched_quote),
	    cmocka_unit_test(test_hetjob),
	    cmocka_unit_test(test_alt_prefix),
	    cmocka_unit_test(test_split_bounds),
	    cmocka_unit_test(test_directive_options),
	    cmocka_unit_test(test_precedence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
