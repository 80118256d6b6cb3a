// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * kernel.c: sockfuzz kernel [--seed N] [--connections N] [--out DIR] [FILE...]:
 * the kernel as oracle (oracle/oracle.h). FILEs are lifecycle runs to carry
 * out first (the corpus); then random scenarios until N connections.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli/main.h"
#include "oracle/oracle.h"

static int do_help(int argc, char **argv)
{
	fprintf(stderr,
		"Usage: %1$s kernel [--seed N] [--connections N] [--jobs N] [--large-every N]\n"
		"              [--out DIR] [-v]\n"
		"              [--binary] [--props NAME,...] [--props-off NAME,...] [FILE...]\n"
		"       %1$s kernel help\n"
		"\n"
		"       Carry out lifecycle runs with real TCP connections in a private network\n"
		"       namespace and cgroup (both removed afterwards), under the recording\n"
		"       build of the program; replay each recording natively and compare every\n"
		"       observable, and the native expansion with the callbacks the kernel fired.\n"
		"       FILE...          lifecycle runs to carry out first (e.g. the corpus)\n"
		"       --seed N         random scenarios from seed N (default 1)\n"
		"       --connections N  random scenarios until N connections (default 1000)\n"
		"       --jobs N         sandboxed workers in parallel (default: one per core)\n"
		"       --large-every N  one random run in N is large: hundreds of connections, the\n"
		"                        rings filled with no consumer, a map filled (default 50;\n"
		"                        1: all)\n" HELP_PROPS
		"       --out DIR        write each run and its recording (.recorded.bin) to DIR\n"
		"       -v               say which inputs are skipped and why\n"
		"       --binary         every FILE is a binary input, even one that looks like text\n"
		"       " HELP_SPEC_FILE "\n"
		"       " HELP_EXIT "\n",
		bin_name);
	return SF_EXIT_OK;
}

static bool parse_count(const char *opt, const char *arg, unsigned long long min,
			unsigned long long max, unsigned long long *out)
{
	char *end;

	if (!arg) {
		p_err("%s needs a value", opt);
		return false;
	}
	errno = 0;
	*out = strtoull(arg, &end, 0);
	if (errno || *end || !*arg || arg[0] == '-' || *out < min || *out > max) {
		p_err("%s: '%s' is not a number from %llu to %llu", opt, arg, min, max);
		return false;
	}
	return true;
}

/* DIR must exist and take a new file: a run writes there only after its
 * connections, and a kernel run must not end without its recordings. */
static bool writable_dir(const char *dir)
{
	char path[4096];
	struct stat st;
	int fd;

	if (!dir) {
		p_err("--out needs a directory");
		return false;
	}
	if (stat(dir, &st)) {
		p_err("--out '%s': %s", dir, strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		p_err("--out '%s' is not a directory", dir);
		return false;
	}
	snprintf(path, sizeof(path), "%s/.sockfuzz-write-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0) {
		p_err("--out '%s' cannot be written: %s", dir, strerror(errno));
		return false;
	}
	close(fd);
	unlink(path);
	return true;
}

int do_kernel(int argc, char **argv)
{
	struct orc_opts opts = {.seed = 1, .connections = 1000, .max_reports = 5};
	struct orc_case *cases = calloc(argc ? argc : 1, sizeof(*cases));
	struct sf_input *runs = calloc(argc ? argc : 1, sizeof(*runs));
	enum cli_form form = CLI_FORM_ANY;
	int status = SF_EXIT_OK;
	unsigned long long v;

	if (!cases || !runs) {
		p_err("%s", strerror(ENOMEM));
		status = SF_EXIT_USAGE;
		goto out;
	}
	/* --binary applies to every FILE, wherever it is. */
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--binary"))
			form = CLI_FORM_BINARY;
	}
	for (int i = 0; i < argc && status == SF_EXIT_OK; i++) {
		struct cli_input in;

		if (is_help(argv[i])) {
			status = do_help(0, NULL);
			goto out;
		} else if (parse_props(argc, argv, &i, &status)) {
			continue;
		} else if (!strcmp(argv[i], "--seed")) {
			if (parse_count("--seed", argv[i + 1], 0, ~0ull, &v))
				opts.seed = v;
			else
				status = SF_EXIT_USAGE;
			i++;
		} else if (!strcmp(argv[i], "--connections")) {
			if (parse_count("--connections", argv[i + 1], 0, 10000000, &v))
				opts.connections = (unsigned int)v;
			else
				status = SF_EXIT_USAGE;
			i++;
		} else if (!strcmp(argv[i], "--jobs")) {
			if (parse_count("--jobs", argv[i + 1], 1, ORC_MAX_JOBS, &v))
				opts.jobs = (unsigned int)v;
			else
				status = SF_EXIT_USAGE;
			i++;
		} else if (!strcmp(argv[i], "--large-every")) {
			if (parse_count("--large-every", argv[i + 1], 1, 1000000, &v))
				opts.large_every = (unsigned int)v;
			else
				status = SF_EXIT_USAGE;
			i++;
		} else if (!strcmp(argv[i], "--out")) {
			opts.out_dir = argv[++i];
			if (!writable_dir(opts.out_dir))
				status = SF_EXIT_USAGE;
		} else if (!strcmp(argv[i], "-v")) {
			opts.verbose = true;
		} else if (!strcmp(argv[i], "--binary")) {
			continue;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			status = bad_arg(argv[i], do_help);
		} else {
			status = cli_input_read(argv[i], form, &in);
			if (status == SF_EXIT_OK) {
				status = cli_input_decode(&in, NULL, &runs[opts.ncases]);
				cli_input_free(&in);
			}
			if (status == SF_EXIT_OK) {
				cases[opts.ncases].name = argv[i];
				cases[opts.ncases].in = &runs[opts.ncases];
				opts.ncases++;
			}
		}
	}
	if (status != SF_EXIT_OK)
		goto out;
	opts.cases = cases;
	fflush(stdout);
	status = orc_run(&opts);
out:
	free(cases);
	free(runs);
	return status;
}
