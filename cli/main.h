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

#define HELP_EXIT                                                                          \
	"Exit: 0 OK, 1 a property failed (kernel: a difference), 2 usage, input or\n"      \
	"       environment error, 77 kernel cannot run here (not root, no cgroup v2 or\n" \
	"       BTF: one SKIP line says why)."

#define SOCKFUZZ_VERSION "0.1.0"

/* Shared help fragments. */
#define HELP_SPEC_OPTIONS "OPTIONS := { -h|--help | -V|--version }"
#define HELP_SPEC_LEVEL	  "LEVEL := { lifecycle | raw }"
#define HELP_SPEC_FILE                                                                        \
	"FILE := { PATH | - }   text whose first line is 'sockfuzz-trace v1 LEVEL' (after\n"  \
	"       a UTF-8 BOM, blank lines and # comments), else a binary input; a file that\n" \
	"       looks like text without that header is an error, unless --binary is given"

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
	bool text;	  /* it has the text header */
	size_t header_at; /* where the header starts (after a BOM, blank and comment lines) */
	unsigned int header_line; /* the header's line, 1-based */
};

/* How cli_input_read() takes a file. */
enum cli_form {
	CLI_FORM_ANY,	 /* text with the header, else binary unless it looks like text */
	CLI_FORM_BINARY, /* --binary: a binary input, whatever it looks like */
	CLI_FORM_TEXT,	 /* text only (compile): the parser says what is wrong */
};

/*
 * Read PATH ("-": stdin) whole into IN. Returns 0, or SF_EXIT_USAGE after
 * printing one "Error: ..." line: PATH cannot be opened or read, is a FIFO or
 * a socket (it would block: read it from stdin), or (CLI_FORM_ANY) looks like
 * text (a UTF-8 BOM, a first line that is blank or a # comment, or nothing
 * but printable text) but has no header. Free with cli_input_free().
 */
int cli_input_read(const char *path, enum cli_form form, struct cli_input *in);
void cli_input_free(struct cli_input *in);

/*
 * Decode IN into RUN: the text form through sf_text_parse() (cli_input_parse),
 * anything else through sf_decode() (FORCE NULL: the level byte) or
 * sf_decode_level(). A text whose header names another level than *FORCE is
 * an error. Returns 0, or SF_EXIT_USAGE after printing the error.
 */
int cli_input_decode(const struct cli_input *in, const enum sf_level *force, struct sf_input *run);

/* Parse IN as the text form from its header on (from byte 0 when it has
 * none). Returns 0, or SF_EXIT_USAGE after "Error: PATH:LINE: msg", LINE
 * counted in the whole file. */
int cli_input_parse(const struct cli_input *in, struct sf_input *run);

/* Command groups. */
int do_replay(int argc, char **argv);
int do_print(int argc, char **argv);
int do_compile(int argc, char **argv);
int do_props(int argc, char **argv);
int do_steps(int argc, char **argv);
int do_regress(int argc, char **argv);
int do_kernel(int argc, char **argv);
