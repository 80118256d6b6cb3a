/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * main.h: what the command files of build/sockfuzz share (bpftool's layout:
 * one file per command group, each with a static {name, do_fn} table and a
 * help function, dispatched through cmd_select()).
 *
 * A do_fn takes the arguments after its command name and returns the exit
 * status: SF_EXIT_OK, SF_EXIT_FAIL (a property failed) or SF_EXIT_USAGE (a
 * usage or environment error, after printing "Error: ..." to stderr).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "input/input.h"

enum sf_exit {
	SF_EXIT_OK = 0,
	SF_EXIT_FAIL = 1,  /* a property failed */
	SF_EXIT_USAGE = 2, /* usage or environment error */
};

#define SOCKFUZZ_VERSION "0.1.0"

/* Shared help fragments. */
#define HELP_SPEC_OPTIONS "OPTIONS := { -h|--help | -V|--version }"
#define HELP_SPEC_LEVEL	  "LEVEL := { lifecycle | raw }"
#define HELP_SPEC_FILE \
	"FILE := { PATH | - }   binary input, or text starting 'sockfuzz-trace v1 LEVEL'"

/* argv[0] as invoked, for help texts. */
extern const char *bin_name;

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

/*
 * Run the row of CMDS named by argv[0] with the arguments after it. With no
 * argument, HELP runs and the result is SF_EXIT_USAGE. "help", "-h" and
 * "--help" must be rows of CMDS (HELP). No abbreviations: an unknown name
 * prints "Error: what is 'x'?" and the help, and gives SF_EXIT_USAGE.
 */
int cmd_select(const struct cmd *cmds, int argc, char **argv, int (*help)(int argc, char **argv));

/* Print "Error: " and the message to stderr. */
__attribute__((format(printf, 1, 2))) void p_err(const char *fmt, ...);

/* Whether ARG asks for help: "help", "-h" or "--help". */
static inline bool is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

/* "Error: what is 'ARG'?", then HELP; returns SF_EXIT_USAGE. */
int bad_arg(const char *arg, int (*help)(int argc, char **argv));

/* Parse a --level value into *LEVEL; prints the error and returns false. */
bool parse_level(const char *arg, enum sf_level *level);

/* --props NAME,... / --props-off NAME,... at ARGV[*I] (advanced past the
 * list): true when ARGV[*I] is one of them; *STATUS gets SF_EXIT_USAGE for a
 * missing list or an unknown name (one line said which). */
#define HELP_PROPS                                                                         \
	"       --props NAME,...      check only these properties (sockfuzz props list)\n" \
	"       --props-off NAME,...  check all but these\n"
bool parse_props(int argc, char **argv, int *i, int *status);

/* An input file as the commands see it. */
struct cli_input {
	const char *path;
	uint8_t *data; /* the whole file */
	size_t size;
	bool text; /* it starts with the text header */
};

/*
 * Read PATH ("-": stdin) whole into IN. Returns 0, or SF_EXIT_USAGE after
 * printing "Error: cannot open 'PATH': <reason>". Free with cli_input_free().
 */
int cli_input_read(const char *path, struct cli_input *in);
void cli_input_free(struct cli_input *in);

/*
 * Decode IN into RUN: the text form through sf_text_parse(), anything else
 * through sf_decode() (FORCE NULL: the level byte) or sf_decode_level(). A
 * binary input is never rejected. A text error prints "Error: PATH:LINE: msg";
 * a text whose header names another level than *FORCE prints that. Both give
 * SF_EXIT_USAGE; success gives 0.
 */
int cli_input_decode(const struct cli_input *in, const enum sf_level *force, struct sf_input *run);

/* Command groups. */
int do_replay(int argc, char **argv);
int do_print(int argc, char **argv);
int do_compile(int argc, char **argv);
int do_props(int argc, char **argv);
int do_steps(int argc, char **argv);
int do_kernel(int argc, char **argv);
