// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* fuzz_target.c: decode, run, check; abort on a broken property (fuzz_target.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "bpf/host/host.h"
#include "props/props.h"
#include "run/exec.h"
#include "fuzz/fuzz_target.h"
#include "input/mutate.h"

/* Static: an input is about 10 KiB and the hot path allocates nothing. */
static struct sf_input input;
static struct sf_result result;
static struct fuzz_stats totals;
static struct fuzz_stats *shared; /* SOCKFUZZ_STATS mapping, or NULL */
static const char *input_name;
static bool initialised;
/* SOCKFUZZ_DETERMINISM=1: every input runs twice (SPEC §8.10). Off while
 * fuzzing: it halves exec/s, and a rule that checks only some inputs gives
 * those more coverage, so the engine breeds them. */
static bool determinism;

static const char *const level_names[] = {
	[SF_LEVEL_LIFECYCLE] = "lifecycle",
	[SF_LEVEL_RAW] = "raw",
};

static void print_totals(void)
{
	fprintf(stderr, "sockfuzz: %llu inputs, %llu events, %llu property checks\n",
		(unsigned long long)totals.inputs, (unsigned long long)totals.events,
		(unsigned long long)totals.checks);
}

/* Map SOCKFUZZ_STATS, sized to struct fuzz_stats. Every process of a campaign
 * maps the same file, and forked children inherit the mapping. */
static void open_shared_stats(void)
{
	const char *path = getenv("SOCKFUZZ_STATS");
	void *p;
	int fd;

	if (!path || !*path)
		return;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || ftruncate(fd, sizeof(*shared)) < 0) {
		fprintf(stderr, "sockfuzz: SOCKFUZZ_STATS %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	p = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		fprintf(stderr, "sockfuzz: SOCKFUZZ_STATS %s: %s\n", path, strerror(errno));
		return;
	}
	shared = p;
}

int fuzz_target_init(void)
{
	const char *env;
	int err;

	if (initialised)
		return 0;
	host_set_print(NULL);
	err = host_init();
	if (err) {
		fprintf(stderr, "sockfuzz: host_init: %s\n", strerror(-err));
		return err;
	}
	open_shared_stats();
	/* The properties to check: SOCKFUZZ_PROPS (only these), SOCKFUZZ_PROPS_OFF
	 * (all but these), as replay's --props and --props-off. */
	if (prop_select_env())
		return -ENOENT;
	env = getenv("SOCKFUZZ_DETERMINISM");
	determinism = env && !strcmp(env, "1");
	atexit(print_totals);
	initialised = true;
	return 0;
}

void fuzz_target_name(const char *name)
{
	input_name = name;
}

const struct fuzz_stats *fuzz_target_stats(void)
{
	return &totals;
}

/* Add N to FIELD of this process's totals and of the campaign's. */
#define COUNT(field, n)                                                            \
	do {                                                                       \
		totals.field += (n);                                               \
		if (shared)                                                        \
			__atomic_fetch_add(&shared->field, (n), __ATOMIC_RELAXED); \
	} while (0)

static void report_failure(enum sf_level level, size_t size)
{
	const struct sf_failure *f = &result.failure;

	fprintf(stderr,
		"sockfuzz: property %s failed at step %u, event %u (%s level, %zu bytes%s%s)\n",
		f->prop, f->step, f->event, level_names[level], size, input_name ? ", " : "",
		input_name ? input_name : "");
	fprintf(stderr, "sockfuzz: %s\n", sf_failure_kind(f));
	fprintf(stderr, "%s\n", f->diff);
	fprintf(stderr, "input:\n");
	sf_text_print(&input, stderr);
	fflush(stderr);
}

void fuzz_target_run(const uint8_t *data, size_t size, enum sf_level level)
{
	const struct sf_exec_opts opts = {.check_determinism = determinism};
	enum sf_exec_status ret;

	sf_decode_level(data, size, level, &input);
	ret = sf_exec(&input, &opts, &result);
	COUNT(inputs, 1);
	COUNT(events, result.events);
	COUNT(checks, result.checks);
	if (ret == SF_EXEC_PASS)
		return;
	if (ret == SF_EXEC_ERROR) {
		fprintf(stderr, "sockfuzz: sf_exec: %s\n", strerror(-result.error));
		abort();
	}
	COUNT(failures, 1);
	report_failure(level, size);
	abort();
}

/* libFuzzer's byte mutation; absent (NULL) without the engine. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max) __attribute__((weak));

static bool bytes_only(void)
{
	static int only = -1;

	if (only < 0) {
		const char *env = getenv("SOCKFUZZ_MUTATOR");

		only = env && !strcmp(env, "bytes");
	}
	return only;
}

static size_t byte_mutate(uint8_t *data, size_t size, size_t max)
{
	return LLVMFuzzerMutate ? LLVMFuzzerMutate(data, size, max) : size;
}

size_t fuzz_target_mutate(uint8_t *data, size_t size, size_t max, unsigned int seed,
			  enum sf_level level)
{
	size_t n;

	if (bytes_only() || seed % 4 == 0)
		return byte_mutate(data, size, max);
	n = sf_mutate(data, size, max, seed, level);
	return n ? n : byte_mutate(data, size, max);
}

size_t fuzz_target_crossover(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, uint8_t *out,
			     size_t max, unsigned int seed, enum sf_level level)
{
	size_t n = bytes_only() ? 0 : sf_crossover(a, na, b, nb, out, max, seed, level);

	if (n)
		return n;
	/* As libFuzzer's own cross-over would start: A's bytes. */
	n = na < max ? na : max;
	memcpy(out, a, n);
	return byte_mutate(out, n, max);
}

void fuzz_target_count(unsigned int n)
{
	COUNT(inputs, 1);
	COUNT(checks, n);
}

void fuzz_target_fail(const char *prop, const char *form, size_t size, const char *why)
{
	COUNT(failures, 1);
	fprintf(stderr, "sockfuzz: property %s failed (%s form, %zu bytes%s%s)\n%s\n", prop, form,
		size, input_name ? ", " : "", input_name ? input_name : "", why);
	fflush(stderr);
	abort();
}
