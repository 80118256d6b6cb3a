// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * replay.c: sockfuzz replay [--level LEVEL] [--binary] FILE...: run inputs through the
 * executor (run/exec.h) with a trace of every step and event on stdout,
 * then the first property that broke: its name, the step and event indexes,
 * the step's text and the executor's diff.
 *
 * Every file is read and decoded before anything runs, so a missing file or a
 * text error stops the command (exit 2) before it prints any trace.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli/main.h"
#include "run/exec.h"

static int do_help(int argc, char **argv)
{
	fprintf(stderr,
		"Usage: %1$s replay [--level LEVEL] [--binary] [--props NAME,...] [--props-off NAME,...]\n"
		"              FILE...\n"
		"       %1$s replay help\n"
		"\n"
		"       Run each FILE with every property checked after every event; trace\n"
		"       its steps and events on stdout, then the first property that failed.\n"
		"       " HELP_SPEC_LEVEL "   level of a binary FILE (default: its byte 1)\n"
		"       --binary   every FILE is a binary input, even one that looks like text\n"
		"       " HELP_SPEC_FILE "\n" HELP_PROPS
		"       Exit: 0 every run clean, 1 a property failed, 2 usage or input error.\n",
		bin_name);
	return SF_EXIT_OK;
}

static void print_failure(const struct cli_input *in, const struct sf_input *run,
			  const struct sf_result *res)
{
	const struct sf_failure *f = &res->failure;

	printf("%s: property %s failed at step %u, event %u\n", in->path, f->prop ? f->prop : "?",
	       f->step, f->event);
	printf("  %s\n", sf_failure_kind(f));
	if (f->step < run->nsteps) {
		printf("  step %u: ", f->step);
		sf_step_print(&run->steps[f->step], stdout);
		putchar('\n');
	}
	/* The diff as the executor wrote it, each line indented. */
	for (const char *l = f->diff; *l;) {
		const char *nl = strchr(l, '\n');
		int n = nl ? (int)(nl - l) : (int)strlen(l);

		printf("  %.*s\n", n, l);
		l += n + (nl != NULL);
	}
}

/* Run one decoded input: SF_EXIT_OK, SF_EXIT_FAIL or SF_EXIT_USAGE. */
static int replay_one(const struct cli_input *in, const struct sf_input *run)
{
	static struct sf_result res;
	/* Determinism is a property too: a replay checks it on every input. */
	struct sf_exec_opts opts = {.trace = stdout, .check_determinism = true};
	enum sf_exec_status ret;

	printf("replay %s: %s input, %s level, %u steps, %u faults\n", in->path,
	       in->text ? "text" : "binary", run->level == SF_LEVEL_RAW ? "raw" : "lifecycle",
	       run->nsteps, run->nfaults);
	memset(&res, 0, sizeof(res));
	ret = sf_exec(run, &opts, &res);
	if (ret == SF_EXEC_ERROR) {
		fflush(stdout);
		p_err("%s: the executor could not start: %s", in->path, strerror(-res.error));
		return SF_EXIT_USAGE;
	}
	if (ret == SF_EXEC_FAIL) {
		print_failure(in, run, &res);
		return SF_EXIT_FAIL;
	}
	printf("%s: ok: %u steps, %u events, %llu property checks\n", in->path, res.steps,
	       res.events, res.checks);
	return SF_EXIT_OK;
}

int do_replay(int argc, char **argv)
{
	static struct sf_input run;
	enum sf_level level, *force = NULL;
	enum cli_form form = CLI_FORM_ANY;
	struct cli_input *inputs;
	unsigned int n = 0, failed = 0;
	int status = SF_EXIT_OK;

	if (argc < 1) {
		do_help(0, NULL);
		return SF_EXIT_USAGE;
	}
	inputs = calloc(argc, sizeof(*inputs));
	if (!inputs) {
		p_err("%s", strerror(ENOMEM));
		return SF_EXIT_USAGE;
	}
	for (int i = 0; i < argc && status == SF_EXIT_OK; i++) {
		if (is_help(argv[i])) {
			status = do_help(0, NULL);
			goto out;
		}
		if (!strcmp(argv[i], "--level")) {
			if (!parse_level(argv[++i], &level))
				status = SF_EXIT_USAGE;
			force = &level;
		} else if (!strcmp(argv[i], "--binary")) {
			form = CLI_FORM_BINARY;
		} else if (parse_props(argc, argv, &i, &status)) {
			continue;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			status = bad_arg(argv[i], do_help);
		}
	}
	/* Options first, wherever they are: --binary applies to every FILE. */
	for (int i = 0; i < argc && status == SF_EXIT_OK; i++) {
		/* The options that take a value: the value is not a FILE. */
		if (!strcmp(argv[i], "--level") || !strcmp(argv[i], "--props") ||
		    !strcmp(argv[i], "--props-off")) {
			i++;
		} else if (argv[i][0] != '-' || !argv[i][1]) {
			status = cli_input_read(argv[i], form, &inputs[n]);
			n += status == SF_EXIT_OK;
		}
	}
	if (status == SF_EXIT_OK && !n) {
		p_err("replay needs a FILE");
		do_help(0, NULL);
		status = SF_EXIT_USAGE;
	}
	/* Decode everything once before the first run: errors come first. */
	for (unsigned int i = 0; i < n && status == SF_EXIT_OK; i++)
		status = cli_input_decode(&inputs[i], force, &run);

	for (unsigned int i = 0; i < n && status != SF_EXIT_USAGE; i++) {
		int ret;

		cli_input_decode(&inputs[i], force, &run);
		ret = replay_one(&inputs[i], &run);
		failed += ret == SF_EXIT_FAIL;
		if (ret > status)
			status = ret;
	}
	if (n > 1 && status != SF_EXIT_USAGE)
		printf("replay: %u inputs, %u failed\n", n, failed);
out:
	fflush(stdout);
	for (unsigned int i = 0; i < n; i++)
		cli_input_free(&inputs[i]);
	free(inputs);
	return status;
}
