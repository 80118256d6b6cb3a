// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * main.c: build/sockfuzz, the command-line tool (bpftool style):
 *   sockfuzz [OPTIONS] COMMAND { ARGS | help }
 * Global options, the command table and the helpers every command uses.
 * Exit codes: 0 OK, 1 a property failed, 2 a usage or environment error
 * (a failed write to stdout too), 77 kernel cannot run here.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include "cli/main.h"
#include "props/props.h"

const char *bin_name = "sockfuzz";

void p_err(const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int bad_arg(const char *arg, int (*help)(int argc, char **argv))
{
	p_err("what is '%s'?", arg);
	help(0, NULL);
	return SF_EXIT_USAGE;
}

bool parse_props(int argc, char **argv, int *i, int *status)
{
	bool only = !strcmp(argv[*i], "--props");

	if (!only && strcmp(argv[*i], "--props-off"))
		return false;
	if (*i + 1 >= argc) {
		p_err("%s needs a list of property names", argv[*i]);
		*status = SF_EXIT_USAGE;
	} else if (prop_select(argv[*i + 1], only)) {
		*status = SF_EXIT_USAGE;
	}
	(*i)++;
	return true;
}

bool parse_level(const char *arg, enum sf_level *level)
{
	if (!arg) {
		p_err("--level needs lifecycle or raw");
		return false;
	}
	if (!strcmp(arg, "lifecycle")) {
		*level = SF_LEVEL_LIFECYCLE;
	} else if (!strcmp(arg, "raw")) {
		*level = SF_LEVEL_RAW;
	} else {
		p_err("unknown level '%s' (lifecycle or raw)", arg);
		return false;
	}
	return true;
}

int cmd_select(const struct cmd *cmds, int argc, char **argv, int (*help)(int argc, char **argv))
{
	if (argc < 1) {
		help(0, NULL);
		return SF_EXIT_USAGE;
	}
	for (const struct cmd *c = cmds; c->name; c++) {
		if (!strcmp(argv[0], c->name))
			return c->fn(argc - 1, argv + 1);
	}
	return bad_arg(argv[0], help);
}

static int do_help(int argc, char **argv)
{
	fprintf(stderr,
		"Usage: %1$s [OPTIONS] COMMAND { ARGS | help }\n"
		"       %1$s replay [--level LEVEL] [--binary] FILE...\n"
		"       %1$s print [--level LEVEL] [--binary] FILE\n"
		"       %1$s compile FILE [-o OUT]\n"
		"       %1$s props list\n"
		"       %1$s steps list\n"
		"       %1$s regress [--baseline FILE] [--update-baseline] [--junit FILE] PATH...\n"
		"       %1$s kernel [--seed N] [--connections N] [--jobs N] [--out DIR] [FILE...]\n"
		"       %1$s version\n"
		"       %1$s help\n"
		"\n"
		"       COMMAND := { replay | print | compile | props | steps | regress | kernel | version | help }\n"
		"       " HELP_SPEC_OPTIONS "\n"
		"       " HELP_SPEC_LEVEL "\n"
		"       " HELP_SPEC_FILE "\n"
		"\n"
		"       replay   run inputs with a trace; report the first broken property\n"
		"       print    an input in the text form, on stdout\n"
		"       compile  the text form to the binary form\n"
		"       props    the properties the executor checks\n"
		"       steps    the step kinds of the input format\n"
		"       regress  inputs against a baseline of known findings: new ones fail\n"
		"       kernel   the kernel as oracle: record real connections, replay, compare\n"
		"\n"
		"       " HELP_EXIT "\n"
		"       The formats: input/FORMAT.md. '%1$s COMMAND help' for one command.\n",
		bin_name);
	return SF_EXIT_OK;
}

static int do_version(int argc, char **argv)
{
	if (argc > 0 && is_help(argv[0])) {
		fprintf(stderr, "Usage: %s version\n", bin_name);
		return SF_EXIT_OK;
	}
	if (argc > 0)
		return bad_arg(argv[0], do_help);
	printf("%s v%s (input format v%d)\n", bin_name, SOCKFUZZ_VERSION, SF_FORMAT_VERSION);
	return SF_EXIT_OK;
}

static const struct cmd cmds[] = {
	{"replay", do_replay}, {"print", do_print},	{"compile", do_compile},
	{"props", do_props},   {"steps", do_steps},	{"regress", do_regress},
	{"kernel", do_kernel}, {"version", do_version}, {"help", do_help},
	{"-h", do_help},       {"--help", do_help},	{NULL, NULL},
};

/* Whatever a command printed must have reached stdout: a full disk or a
 * closed pipe is an error too (the commands that write their own output
 * report it themselves, with SF_EXIT_USAGE). */
static int check_stdout(int status)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	if (status != SF_EXIT_USAGE)
		p_err("cannot write to stdout%s%s", errno ? ": " : "",
		      errno ? strerror(errno) : "");
	return SF_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	int opt, asked = 0;

	/* SOCKFUZZ_PROPS / SOCKFUZZ_PROPS_OFF, as the fuzz targets read them;
	 * --props and --props-off of a command come after. */
	if (prop_select_env())
		return SF_EXIT_USAGE;
	/* "+": stop at the command; what follows is the command's. Every option
	 * is read before one is acted on, so "-Vx" is the error it looks like. */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+hV", options, NULL)) >= 0) {
		switch (opt) {
		case 'h':
		case 'V':
			asked = asked ? asked : opt;
			break;
		default: {
			/* An unknown short option may sit inside a cluster ("-Vx"). */
			char name[3] = {'-', (char)optopt, '\0'};

			return bad_arg(optopt ? name : argv[optind - 1], do_help);
		}
		}
	}
	if (asked == 'h')
		return do_help(0, NULL);
	if (asked == 'V')
		return check_stdout(do_version(0, NULL));
	return check_stdout(cmd_select(cmds, argc - optind, argv + optind, do_help));
}
