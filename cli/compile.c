// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * compile.c: sockfuzz compile FILE [-o OUT]: the text form to the binary form
 * (sf_encode(): the shortest encoding that decodes to the same run).
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include "cli/main.h"

/* The largest encoding: every field an escape and a literal. */
#define ENCODE_MAX (64 + SF_MAX_FAULTS * 4 + SF_MAX_STEPS * 96)

static int do_help(int argc, char **argv)
{
	fprintf(stderr,
		"Usage: %1$s compile FILE [-o OUT]\n"
		"       %1$s compile help\n"
		"\n"
		"       Compile the text form in FILE (- is stdin) to the binary form, into\n"
		"       OUT, or to stdout when it is not a terminal.\n",
		bin_name);
	return SF_EXIT_OK;
}

static int write_all(const char *out, const uint8_t *buf, size_t n)
{
	FILE *f = out ? fopen(out, "wb") : stdout;
	const char *name = out ? out : "<stdout>";

	if (!f) {
		p_err("cannot write '%s': %s", name, strerror(errno));
		return SF_EXIT_USAGE;
	}
	if (fwrite(buf, 1, n, f) != n || fflush(f)) {
		p_err("cannot write '%s': %s", name, strerror(errno));
		if (out)
			fclose(f);
		return SF_EXIT_USAGE;
	}
	if (out && fclose(f)) {
		p_err("cannot write '%s': %s", name, strerror(errno));
		return SF_EXIT_USAGE;
	}
	return SF_EXIT_OK;
}

int do_compile(int argc, char **argv)
{
	static struct sf_input run;
	static uint8_t buf[ENCODE_MAX];
	const char *path = NULL, *out = NULL;
	struct cli_input in;
	size_t n;
	int err;

	if (argc < 1) {
		do_help(0, NULL);
		return SF_EXIT_USAGE;
	}
	for (int i = 0; i < argc; i++) {
		if (is_help(argv[i]))
			return do_help(0, NULL);
		if (!strcmp(argv[i], "-o")) {
			if (!argv[i + 1] || out) {
				p_err(out ? "-o given twice" : "-o needs a file");
				return SF_EXIT_USAGE;
			}
			out = argv[++i];
		} else if ((argv[i][0] == '-' && argv[i][1]) || path) {
			return bad_arg(argv[i], do_help);
		} else {
			path = argv[i];
		}
	}
	if (!path) {
		p_err("compile needs a FILE");
		do_help(0, NULL);
		return SF_EXIT_USAGE;
	}
	if (!out && isatty(STDOUT_FILENO)) {
		p_err("not writing binary to a terminal: use -o OUT or redirect stdout");
		return SF_EXIT_USAGE;
	}
	err = cli_input_read(path, CLI_FORM_TEXT, &in);
	if (err)
		return err;
	/* The input must be text: a binary file fails on line 1 like any bad header. */
	err = cli_input_parse(&in, &run);
	cli_input_free(&in);
	if (err)
		return SF_EXIT_USAGE;
	n = sf_encode(&run, buf, sizeof(buf));
	if (n > sizeof(buf)) {
		p_err("%s: the encoding needs %zu bytes, more than %zu", path, n, sizeof(buf));
		return SF_EXIT_USAGE;
	}
	if (n > SF_MAX_INPUT)
		fprintf(stderr, "Warning: %s: %zu bytes, more than the fuzzers' max_len %d\n", path,
			n, SF_MAX_INPUT);
	return write_all(out, buf, n);
}
