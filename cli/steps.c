// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * steps.c: sockfuzz steps { list | help }: the step kinds of the input format
 * (input/steps.h), as the table input/FORMAT.md holds (make format-doc).
 */
#include <stdio.h>
#include "cli/main.h"
#include "input/steps.h"

static int do_help(int argc, char **argv)
{
	fprintf(stderr,
		"Usage: %1$s steps { list | help }\n"
		"\n"
		"       list   every step kind, a markdown row each: its binary code, name,\n"
		"              level, who performs it, whether the kernel oracle can carry it\n"
		"              out, and its binary fields in order\n",
		bin_name);
	return SF_EXIT_OK;
}

static int do_list(int argc, char **argv)
{
	if (argc > 0)
		return is_help(argv[0]) ? do_help(0, NULL) : bad_arg(argv[0], do_help);
	return sf_steps__print_table(stdout) || fflush(stdout) ? SF_EXIT_USAGE : SF_EXIT_OK;
}

static const struct cmd cmds[] = {
	{"list", do_list}, {"help", do_help}, {"-h", do_help}, {"--help", do_help}, {NULL, NULL},
};

int do_steps(int argc, char **argv)
{
	return cmd_select(cmds, argc, argv, do_help);
}
