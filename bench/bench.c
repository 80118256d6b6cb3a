// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench.c: `make bench`, native throughput of the fuzzing hot path, in one
 * run, on the optimised flavour without sanitizers. On the same inputs (the
 * files of every DIR argument) it measures
 *   floor         an empty harness: sf_decode_level() only;
 *   fuzz_<level>  what each fuzz target does per input (fuzz_target_run():
 *                 decode, sf_exec with every property, count);
 *   exec+props    sf_exec() alone on the inputs pre-decoded as fuzz_raw decodes them,
 *                 every property on (the harness adds decoding, the
 *                 determinism rerun under SOCKFUZZ_DETERMINISM=1, and counting);
 *   exec          the same with every property off (prop_enable("all", false)),
 * prints events/s and inputs/s for each, the ratios, and which part of an
 * input's time dominates.
 *
 * With --row LABEL it measures only what a build comparison needs (bench.mk
 * links this file into the sanitizer and coverage builds too) and prints one
 * tab-separated line: LABEL, checked events/s (sf_exec, every property) and
 * fuzz_raw's inputs/s and events/s.
 *
 * Usage: bench [--seconds S] [--row LABEL] DIR|FILE...   (S: per measurement, default 1)
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "run/exec.h"
#include "fuzz/fuzz_target.h"
#include "props/props.h"

struct blob {
	uint8_t *data;
	size_t size;
};

static struct blob *blobs;
static unsigned int nblobs, cap;

static int add_file(const char *path)
{
	struct blob *b;
	struct stat st;
	FILE *f;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	if (nblobs == cap) {
		cap = cap ? 2 * cap : 256;
		blobs = realloc(blobs, cap * sizeof(*blobs));
		if (!blobs)
			return -ENOMEM;
	}
	b = &blobs[nblobs];
	b->size = st.st_size;
	b->data = malloc(b->size ? b->size : 1);
	f = fopen(path, "rb");
	if (!b->data || !f || fread(b->data, 1, b->size, f) != b->size) {
		if (f)
			fclose(f);
		return -EIO;
	}
	fclose(f);
	nblobs++;
	return 0;
}

static int add_path(const char *path)
{
	struct dirent **names;
	char buf[4096];
	struct stat st;
	int n, err = 0;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return add_file(path);
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s/%s", path, names[i]->d_name);
		if (!err && names[i]->d_name[0] != '.')
			err = add_file(buf);
		free(names[i]);
	}
	free(names);
	return err;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One measurement: whole passes over the inputs until SECONDS have passed. */
struct measure {
	double secs;
	unsigned long long inputs, events, checks;
};

enum mode {
	M_FLOOR,
	M_TARGET,
	M_EXEC
};

static struct sf_input *decoded; /* nblobs inputs, decoded as fuzz_raw does */

static void measure(enum mode mode, enum sf_level level, double seconds, struct measure *m)
{
	static const struct sf_exec_opts opts;
	static struct sf_input scratch;
	static struct sf_result res;
	const struct fuzz_stats *st = fuzz_target_stats();
	unsigned long long events0 = st->events, checks0 = st->checks;
	double t0 = now();

	memset(m, 0, sizeof(*m));
	do {
		for (unsigned int i = 0; i < nblobs; i++) {
			switch (mode) {
			case M_FLOOR:
				sf_decode_level(blobs[i].data, blobs[i].size, level, &scratch);
				break;
			case M_TARGET:
				fuzz_target_run(blobs[i].data, blobs[i].size, level);
				break;
			case M_EXEC:
				if (sf_exec(&decoded[i], &opts, &res) != SF_EXEC_PASS) {
					fprintf(stderr, "bench: input %u fails: %s\n", i,
						res.failure.prop);
					exit(1);
				}
				m->events += res.events;
				m->checks += res.checks;
				break;
			}
		}
		m->inputs += nblobs;
		m->secs = now() - t0;
	} while (m->secs < seconds);
	if (mode == M_TARGET) {
		m->events = st->events - events0;
		m->checks = st->checks - checks0;
	}
}

static void row(const char *name, const struct measure *m)
{
	printf("%-22s %12.0f %12.0f %14.0f %10.2f\n", name, m->inputs / m->secs,
	       m->events / m->secs, m->checks / m->secs, 1e6 * m->secs / m->inputs);
}

/* Leave out the inputs that fail a property as fuzz_lifecycle, fuzz_raw or
 * sf_exec run them (a program with known defects: the fuzz targets abort on
 * a failure, and a run that stops early measures less). Returns how many. */
static unsigned int drop_failing(void)
{
	static const struct sf_exec_opts opts;
	static struct sf_input in;
	static struct sf_result res;
	unsigned int kept = 0, n = nblobs;

	for (unsigned int k = 0; k < nblobs; k++) {
		bool ok = sf_exec(&decoded[k], &opts, &res) == SF_EXEC_PASS;

		sf_decode_level(blobs[k].data, blobs[k].size, SF_LEVEL_LIFECYCLE, &in);
		ok = ok && sf_exec(&in, &opts, &res) == SF_EXEC_PASS;
		if (!ok)
			continue;
		blobs[kept] = blobs[k];
		decoded[kept++] = decoded[k];
	}
	nblobs = kept;
	return n - kept;
}

int main(int argc, char **argv)
{
	unsigned int nfailing;
	struct measure floor, lc, raw, props, bare;
	double seconds = 1, t_decode, t_exec, t_props, t_max;
	const char *limit, *label = NULL;
	int i, err;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
			seconds = atof(argv[++i]);
			continue;
		}
		if (!strcmp(argv[i], "--row") && i + 1 < argc) {
			label = argv[++i];
			continue;
		}
		err = add_path(argv[i]);
		if (err) {
			fprintf(stderr, "bench: %s: %s\n", argv[i], strerror(-err));
			return 2;
		}
	}
	if (!nblobs) {
		fprintf(stderr, "Usage: %s [--seconds S] [--row LABEL] DIR|FILE...\n", argv[0]);
		return 2;
	}
	if (fuzz_target_init())
		return 2;
	decoded = calloc(nblobs, sizeof(*decoded));
	if (!decoded)
		return 2;
	for (unsigned int k = 0; k < nblobs; k++)
		sf_decode_level(blobs[k].data, blobs[k].size, SF_LEVEL_RAW, &decoded[k]);
	nfailing = drop_failing();

	if (label) {
		measure(M_EXEC, 0, seconds, &props);
		measure(M_TARGET, SF_LEVEL_RAW, seconds, &raw);
		printf("%s\t%.0f\t%.0f\t%.0f\n", label, props.events / props.secs,
		       raw.inputs / raw.secs, raw.events / raw.secs);
		fflush(stdout);
		return 0;
	}
	measure(M_FLOOR, SF_LEVEL_RAW, seconds, &floor);
	measure(M_TARGET, SF_LEVEL_LIFECYCLE, seconds, &lc);
	measure(M_TARGET, SF_LEVEL_RAW, seconds, &raw);
	measure(M_EXEC, 0, seconds, &props);
	prop_enable("all", false);
	measure(M_EXEC, 0, seconds, &bare);
	prop_enable("all", true);

	printf("sockfuzz bench: %u inputs, %.0f s per row, -O2, no sanitizers\n", nblobs, seconds);
	if (nfailing)
		printf("(%u inputs that fail a property at either level left out: a failure stops a run"
		       " early, and a fuzz target stops on it)\n",
		       nfailing);
	printf("%-22s %12s %12s %14s %10s\n", "", "inputs/s", "events/s", "checks/s", "us/input");
	row("floor (decode only)", &floor);
	row("fuzz_lifecycle", &lc);
	row("fuzz_raw", &raw);
	row("sf_exec, all props", &props);
	row("sf_exec, no props", &bare);

	/* Per input: decoding, running without checks, and what the checks add. */
	t_decode = floor.secs / floor.inputs;
	t_exec = bare.secs / bare.inputs;
	t_props = props.secs / props.inputs - t_exec;
	printf("ratios: all props / no props %.2fx the time; fuzz_raw runs at %.1f%% of the decode "
	       "floor; the harness keeps %.0f%% of sf_exec's rate\n",
	       (props.secs / props.inputs) / t_exec,
	       100.0 * (raw.inputs / raw.secs) / (floor.inputs / floor.secs),
	       100.0 * (raw.inputs / raw.secs) / (props.inputs / props.secs));
	if (t_props >= t_exec && t_props >= t_decode) {
		limit = "the property checks (reference model and journal compare after every event)";
		t_max = t_props;
	} else if (t_exec >= t_decode) {
		limit = "the executor without checks (world expansion, host runtime, the program)";
		t_max = t_exec;
	} else {
		limit = "decoding the input";
		t_max = t_decode;
	}
	printf("limit: %s, %.0f%% of an input's time (decode %.2f us, exec %.2f us, props %.2f us)\n",
	       limit, 100.0 * t_max / (t_decode + t_exec + t_props), 1e6 * t_decode, 1e6 * t_exec,
	       1e6 * t_props);
	fflush(stdout); /* before the totals fuzz_target_init() prints at exit */
	return 0;
}
