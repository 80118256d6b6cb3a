// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * print.c: sockfuzz print [--level LEVEL] [--binary] FILE: an input in the canonical
 * text form on stdout (a text input is printed canonically).
 */
#include <errno.h>
#include <stdio.h>
#include "cli/main.h"

static int do_help(int argc, char **argv)
{
	fprintf(stderr,
		"Usage: %1$s print [--level LEVEL] [--binary] FILE\n"
		"       %1$s print help\n"
		"\n"
		"       Print FILE in the text form on stdout; '%1$s compile' reads it back.\n"
		"       " HELP_SPEC_LEVEL "   level of a binary FILE (default: its byte 1)\n"
		"       --binary   FILE is a binary input, even if it looks like text\n"
		"       " HELP_SPEC_FILE "\n",
		bin_name);
	return SF_EXIT_OK;
}

int do_print(int argc, char **argv)
{
	static struct sf_input run;
	enum sf_level level, *force = NULL;
	enum cli_form form = CLI_FORM_ANY;
	struct cli_input in;
	const char *path = NULL;
	int err;

	if (argc < 1) {
		do_help(0, NULL);
		return SF_EXIT_USAGE;
	}
	for (int i = 0; i < argc; i++) {
		if (is_help(argv[i]))
			return do_help(0, NULL);
		if (!strcmp(argv[i], "--level")) {
			if (!parse_level(argv[++i], &level))
				return SF_EXIT_USAGE;
			force = &level;
		} else if (!strcmp(argv[i], "--binary")) {
			form = CLI_FORM_BINARY;
		} else if ((argv[i][0] == '-' && argv[i][1]) || path) {
			return bad_arg(argv[i], do_help);
		} else {
			path = argv[i];
		}
	}
	if (!path) {
		p_err("print needs a FILE");
		do_help(0, NULL);
		return SF_EXIT_USAGE;
	}
	err = cli_input_read(path, form, &in);
	if (err)
		return err;
	err = cli_input_decode(&in, force, &run);
	cli_input_free(&in);
	if (err)
		return err;
	if (sf_text_print(&run, stdout) || fflush(stdout)) {
		p_err("cannot write the text: %s", strerror(errno));
		return SF_EXIT_USAGE;
	}
	return SF_EXIT_OK;
}
