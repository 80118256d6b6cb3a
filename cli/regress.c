// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * regress.c: sockfuzz regress [--baseline FILE] [--update-baseline]
 * [--junit FILE] [--props ...] PATH...: an invariant regression run against
 * a baseline of known findings, for a program whose known defects are not
 * fixed yet but whose CI must still catch new ones.
 *
 * Every input of PATH (a file, or a directory's *.bin and the *.trace with
 * no .bin beside them) runs under each selected property alone, so one
 * defect cannot hide another behind an earlier failure. Each failure is a
 * finding: the property and a signature that stays the same while the run
 * does up to the failure (FNV-1a of the text form of the steps up to the
 * failing one). Findings not in the baseline are new and
 * fail the run; baseline entries no input reproduces any more are reported
 * fixed. --update-baseline writes the findings as the new baseline instead.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/main.h"
#include "props/props.h"
#include "run/exec.h"

#define MAX_FINDINGS 1024

struct finding {
	char prop[64];
	__u64 sig;
	char path[256]; /* the first input that showed it */
	bool seen;	/* regress: found in this run; baseline: reproduced */
};

#define MAX_PROPS 64

static struct finding found[MAX_FINDINGS], known[MAX_FINDINGS];
static unsigned int nfound, nknown;
/* The properties --props/--props-off left on, each run alone. */
static const struct prop_def *selected[MAX_PROPS];
static unsigned int nselected;

static void enable_only(const struct prop_def *p)
{
	prop_enable("all", false);
	prop_enable(p->name, true);
}

static void enable_selected(void)
{
	prop_enable("all", false);
	for (unsigned int i = 0; i < nselected; i++)
		prop_enable(selected[i]->name, true);
}

static int do_help(int argc, char **argv)
{
	fprintf(stderr,
		"Usage: %1$s regress [--baseline FILE] [--update-baseline] [--junit FILE]\n"
		"              [--props NAME,...] [--props-off NAME,...] PATH...\n"
		"       %1$s regress help\n"
		"\n"
		"       Run every input of each PATH (a file, or a directory's *.bin and\n"
		"       the *.trace without a .bin) under every applicable property; each\n"
		"       failing input is a finding (its property and a signature of the run\n"
		"       up to the failure). Findings the baseline FILE lists are known, the\n"
		"       rest new; listed ones no input shows any more are fixed.\n"
		"       --update-baseline   write the findings to FILE as its new content\n"
		"       --junit FILE        JUnit XML: a test case per input\n" HELP_PROPS
		"       Exit: 0 no new finding, 1 a new one, 2 usage or input error.\n",
		bin_name);
	return SF_EXIT_OK;
}

/* FNV-1a of the text form of RUN's steps up to and including STEP. */
static __u64 signature(const struct sf_input *run, unsigned int step)
{
	static struct sf_input prefix;
	__u64 h = 0xcbf29ce484222325ull;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	prefix = *run;
	prefix.nsteps = step + 1 < run->nsteps ? step + 1 : run->nsteps;
	f = open_memstream(&text, &len);
	if (!f)
		return 0;
	sf_text_print(&prefix, f);
	fclose(f);
	for (size_t i = 0; i < len; i++)
		h = (h ^ (__u8)text[i]) * 0x100000001b3ull;
	free(text);
	return h;
}

static struct finding *lookup(struct finding *list, unsigned int n, const char *prop, __u64 sig)
{
	for (unsigned int i = 0; i < n; i++)
		if (list[i].sig == sig && !strcmp(list[i].prop, prop))
			return &list[i];
	return NULL;
}

/* The baseline: "PROPERTY SIGNATURE [PATH]" a line, '#' comments. A missing
 * file is an empty baseline (nothing known yet). */
static int read_baseline(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");
	unsigned int n = 0;

	if (!f)
		return errno == ENOENT ? 0
				       : (p_err("%s: %s", path, strerror(errno)), SF_EXIT_USAGE);
	while (fgets(line, sizeof(line), f)) {
		struct finding *k = &known[nknown];
		char prop[64], hex[17] = "", where[256] = "";
		unsigned long long sig;

		n++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		/* PROPERTY, a 16-digit hex signature, an optional input. */
		if (nknown == MAX_FINDINGS ||
		    sscanf(line, "%63s %16[0-9a-f] %255s", prop, hex, where) < 2 ||
		    strlen(hex) != 16 || sscanf(hex, "%llx", &sig) != 1) {
			p_err("%s:%u: expected 'PROPERTY SIGNATURE [PATH]'", path, n);
			fclose(f);
			return SF_EXIT_USAGE;
		}
		snprintf(k->prop, sizeof(k->prop), "%s", prop);
		snprintf(k->path, sizeof(k->path), "%s", where);
		k->sig = sig;
		k->seen = false;
		nknown++;
	}
	fclose(f);
	return SF_EXIT_OK;
}

static int write_baseline(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		p_err("%s: %s", path, strerror(errno));
		return SF_EXIT_USAGE;
	}
	fprintf(f, "# sockfuzz regress baseline: the known findings, PROPERTY SIGNATURE INPUT\n");
	for (unsigned int i = 0; i < nfound; i++)
		fprintf(f, "%s %016" PRIx64 " %s\n", found[i].prop, (uint64_t)found[i].sig,
			found[i].path);
	if (fclose(f)) {
		p_err("%s: %s", path, strerror(errno));
		return SF_EXIT_USAGE;
	}
	return SF_EXIT_OK;
}

struct junit {
	FILE *f;
	unsigned int tests, failures;
};

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
			fputc(*s, f);
	}
}

/* The finding (PROP, SIG) of PATH: found again, or added. */
static struct finding *note_finding(const char *prop, __u64 sig, const char *path)
{
	struct finding *f = lookup(found, nfound, prop, sig);

	if (!f && nfound < MAX_FINDINGS) {
		f = &found[nfound++];
		snprintf(f->prop, sizeof(f->prop), "%s", prop);
		f->sig = sig;
		snprintf(f->path, sizeof(f->path), "%s", path);
	}
	return f;
}

/* Run one input under each selected property alone; a failure becomes a
 * finding. Returns SF_EXIT_FAIL when one is new, SF_EXIT_USAGE on an error. */
static int run_one(const char *path, struct junit *j)
{
	static struct sf_input run;
	struct sf_exec_opts opts = {.check_determinism = true};
	static struct sf_result res;
	static char first_new[sizeof(res.failure.diff)];
	struct cli_input in;
	unsigned int nnew = 0;
	int status = cli_input_read(path, CLI_FORM_ANY, &in);

	if (status == SF_EXIT_OK) {
		status = cli_input_decode(&in, NULL, &run);
		cli_input_free(&in);
	}
	if (status != SF_EXIT_OK)
		return status;
	for (unsigned int i = 0; i < nselected; i++) {
		struct finding *f, *k;

		enable_only(selected[i]);
		switch (sf_exec(&run, &opts, &res)) {
		case SF_EXEC_ERROR:
			enable_selected();
			p_err("%s: the executor could not start: %s", path, strerror(-res.error));
			return SF_EXIT_USAGE;
		case SF_EXEC_PASS:
			continue;
		case SF_EXEC_FAIL:
			break;
		}
		f = note_finding(res.failure.prop, signature(&run, res.failure.step), path);
		k = f ? lookup(known, nknown, f->prop, f->sig) : NULL;
		if (k) {
			k->seen = true;
		} else if (!nnew++) {
			snprintf(first_new, sizeof(first_new), "%s: %s", res.failure.prop,
				 res.failure.diff);
		}
	}
	enable_selected();
	if (j->f) {
		j->tests++;
		fputs("    <testcase classname=\"regress\" name=\"", j->f);
		xml_text(j->f, path);
		fputs("\"", j->f);
		if (nnew) {
			j->failures++;
			fprintf(j->f, "><failure message=\"%u new finding(s)\">", nnew);
			xml_text(j->f, first_new);
			fputs("</failure></testcase>\n", j->f);
		} else {
			fputs("/>\n", j->f);
		}
	}
	return nnew ? SF_EXIT_FAIL : SF_EXIT_OK;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's inputs in name order: *.bin, and *.trace with no .bin. */
static int run_dir(const char *dir, struct junit *j, unsigned int *inputs, int *worst)
{
	struct dirent *d;
	char **names = NULL, path[1024];
	size_t n = 0, cap = 0;
	DIR *dh = opendir(dir);

	if (!dh) {
		p_err("%s: %s", dir, strerror(errno));
		return SF_EXIT_USAGE;
	}
	while ((d = readdir(dh))) {
		size_t len = strlen(d->d_name);
		bool bin = len > 4 && !strcmp(d->d_name + len - 4, ".bin");
		bool trace = len > 6 && !strcmp(d->d_name + len - 6, ".trace");
		struct stat st;

		if (!bin && !trace)
			continue;
		if (trace) {
			snprintf(path, sizeof(path), "%s/%.*s.bin", dir, (int)(len - 6), d->d_name);
			if (!stat(path, &st))
				continue; /* the .bin is the same run */
		}
		if (n == cap) {
			char **more = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*names));

			if (!more)
				break;
			names = more;
		}
		names[n++] = strdup(d->d_name);
	}
	closedir(dh);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		int status;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		status = run_one(path, j);
		(*inputs)++;
		if (status > *worst)
			*worst = status;
		free(names[i]);
	}
	free(names);
	return SF_EXIT_OK;
}

int do_regress(int argc, char **argv)
{
	const char *baseline = NULL, *junit = NULL;
	struct junit j = {0};
	unsigned int inputs = 0, nnew = 0, nfixed = 0;
	int status = SF_EXIT_OK, worst = SF_EXIT_OK;
	bool update = false, any = false;

	for (int i = 0; i < argc && status == SF_EXIT_OK; i++) {
		if (is_help(argv[i]))
			return do_help(0, NULL);
		if (!strcmp(argv[i], "--baseline") || !strcmp(argv[i], "--junit")) {
			if (i + 1 >= argc) {
				p_err("%s needs a FILE", argv[i]);
				return SF_EXIT_USAGE;
			}
			*(!strcmp(argv[i], "--baseline") ? &baseline : &junit) = argv[i + 1];
			i++;
		} else if (!strcmp(argv[i], "--update-baseline")) {
			update = true;
		} else if (parse_props(argc, argv, &i, &status)) {
			continue;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return bad_arg(argv[i], do_help);
		} else {
			any = true;
		}
	}
	if (status != SF_EXIT_OK)
		return status;
	if (!any) {
		p_err("regress needs a PATH");
		do_help(0, NULL);
		return SF_EXIT_USAGE;
	}
	if (update && !baseline) {
		p_err("--update-baseline needs --baseline FILE");
		return SF_EXIT_USAGE;
	}
	nfound = nknown = nselected = 0;
	for (unsigned int i = 0; i < prop_count() && nselected < MAX_PROPS; i++)
		if (prop_is_enabled(prop_at(i)))
			selected[nselected++] = prop_at(i);
	if (baseline && !update && (status = read_baseline(baseline)))
		return status;
	if (junit && !(j.f = fopen(junit, "w"))) {
		p_err("%s: %s", junit, strerror(errno));
		return SF_EXIT_USAGE;
	}
	if (j.f)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
		      "  <testsuite name=\"regress\">\n",
		      j.f);
	for (int i = 0; i < argc && worst < SF_EXIT_USAGE; i++) {
		struct stat st;

		if (!strcmp(argv[i], "--baseline") || !strcmp(argv[i], "--junit") ||
		    !strcmp(argv[i], "--props") || !strcmp(argv[i], "--props-off")) {
			i++;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1])
			continue;
		if (!stat(argv[i], &st) && S_ISDIR(st.st_mode)) {
			status = run_dir(argv[i], &j, &inputs, &worst);
			if (status > worst)
				worst = status;
		} else {
			status = run_one(argv[i], &j);
			inputs++;
			if (status > worst)
				worst = status;
		}
	}
	if (j.f) {
		fputs("  </testsuite>\n</testsuites>\n", j.f);
		if (fclose(j.f) && worst < SF_EXIT_USAGE) {
			p_err("%s: %s", junit, strerror(errno));
			worst = SF_EXIT_USAGE;
		}
	}
	if (worst == SF_EXIT_USAGE)
		return SF_EXIT_USAGE;
	if (update)
		return write_baseline(baseline)
			       ?: (printf("regress: %u inputs, %u findings written"
					  " to %s\n",
					  inputs, nfound, baseline),
				   SF_EXIT_OK);
	for (unsigned int i = 0; i < nfound; i++) {
		if (lookup(known, nknown, found[i].prop, found[i].sig))
			continue;
		nnew++;
		printf("NEW    %s %016" PRIx64 " %s\n", found[i].prop, (uint64_t)found[i].sig,
		       found[i].path);
	}
	for (unsigned int i = 0; i < nknown; i++) {
		if (known[i].seen)
			continue;
		nfixed++;
		printf("FIXED  %s %016" PRIx64 " %s\n", known[i].prop, (uint64_t)known[i].sig,
		       known[i].path);
	}
	printf("regress: %u inputs, %u findings: %u known, %u new; %u baseline entries fixed\n",
	       inputs, nfound, nfound - nnew, nnew, nfixed);
	if (fflush(stdout) || ferror(stdout))
		return SF_EXIT_USAGE;
	return nnew ? SF_EXIT_FAIL : SF_EXIT_OK;
}
