// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * kernel_rate.c: `make bench`'s kernel row, the floor the oracle's rate is
 * measured against: raw loopback TCP connections per second on JOBS
 * sandboxes in parallel (each a private network namespace, SPEC §10; no
 * program attached), each connection made from a bound address to an
 * ephemeral port, accepted and closed from both sides, as the oracle's
 * driver makes its connections.
 *
 *   kernel_rate [--jobs N] [--seconds S]
 *
 * Prints one line: "raw loopback: N connections/s on J cores". Exit 77 (skip)
 * without root, cgroup v2 or network namespaces.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "kernel.h"

#define MAX_JOBS 64

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct job {
	double seconds; /* how long to connect */
	unsigned long long *done;
};

/* Connections until the time is up, or until one fails. */
static int connect_loop(const struct kern_sandbox *sb, void *arg)
{
	const struct job *j = arg;
	struct kern_addr any, bound, from;
	double end = now_s() + j->seconds;
	int l, err = 0;

	kern_addr__parse(&any, "127.0.0.9", 0);
	kern_addr__parse(&from, "127.0.0.5", 0);
	l = kern_sock__listen(&any, &bound);
	if (l < 0)
		return 1;
	/* Bounded: by the time, and by the ports a second can use on lo. */
	for (unsigned long n = 0; !err && n < 10000000ul; n++) {
		int c, s;

		if (!(n & 63) && now_s() > end)
			break;
		c = kern_sock__bind(&from);
		if (c < 0)
			return 1;
		err = kern_sock__connect(c, &bound, 1000);
		s = err ? -1 : kern_sock__accept(l, 1000);
		/* The client closes first: its time-wait sockets are its own, so
		 * the kernel's port choice skips them. */
		close(c);
		if (s >= 0) {
			close(s);
			++*j->done;
		} else {
			err = err ?: s;
		}
	}
	close(l);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct kern_sandbox_opts sb = {.sz = sizeof(sb)};
	unsigned long long *done, total = 0;
	unsigned int jobs = 2;
	double seconds = 1, t0, t;
	pid_t pids[MAX_JOBS];
	char why[256];
	int status, rc = 0;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--jobs"))
			jobs = (unsigned int)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[i + 1]);
	}
	if (jobs < 1 || jobs > MAX_JOBS || seconds <= 0 || seconds > 600) {
		fprintf(stderr, "usage: kernel_rate [--jobs 1..%d] [--seconds S]\n", MAX_JOBS);
		return 2;
	}
	if (kern_env__check(why, sizeof(why))) {
		printf("raw loopback: SKIP (%s)\n", why);
		return 77;
	}
	done = mmap(NULL, MAX_JOBS * sizeof(*done), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (done == MAP_FAILED)
		return 2;
	t0 = now_s();
	for (unsigned int i = 0; i < jobs; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct job j = {seconds, &done[i]};

			_exit(kern_sandbox__run(&sb, connect_loop, &j) == 0 ? 0 : 1);
		}
	}
	for (unsigned int i = 0; i < jobs; i++) {
		if (pids[i] < 0 || waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			rc = 1;
		total += done[i];
	}
	t = now_s() - t0;
	printf("raw loopback: %.0f connections/s on %u cores (%llu in %.2f s)\n",
	       t > 0 ? total / t : 0, jobs, total, t);
	return rc;
}
