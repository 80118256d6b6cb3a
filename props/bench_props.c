// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_props.c: checked events per second through sf_exec(), with every
 * property on and with none, on one core. Run by hand (make bench-props),
 * not part of make test.
 *
 * The input is a lifecycle run that keeps the program busy: two enrolled
 * pods, a listener, then connection after connection through a waypoint,
 * each accepted, authorized by user space and XDP, with data both ways and
 * the full FIN teardown; about 230 events in 122 steps.
 *
 * Usage: bench_props [SECONDS per measurement, default 2]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "fuzz/exec.h"
#include "props/props.h"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define BE32(x) __builtin_bswap32(x)
#else
#define BE32(x) (x)
#endif
#define A4(a, b, c, d) \
	((struct sf_addr){{0, 0, BE32(0xffff), BE32((a) << 24 | (b) << 16 | (c) << 8 | (d))}})

static struct sf_input in;

static struct sf_step *step(enum sf_kind kind, __u8 slot, __u64 value)
{
	struct sf_step *st = &in.steps[in.nsteps++];

	st->kind = kind;
	st->slot = slot;
	st->family = 2;
	st->value = value;
	return st;
}

static void build(void)
{
	struct sf_step *st;

	in.version = SF_FORMAT_VERSION;
	in.monitoring = 1;
	step(SF_ENROL, 0, 0)->local = A4(127, 0, 0, 5);
	step(SF_ENROL, 0, 0)->local = A4(127, 0, 0, 9);
	st = step(SF_LISTEN, 0, 0);
	st->local = A4(127, 0, 0, 9);
	st->lport = 8080;
	while (in.nsteps + 8 <= SF_MAX_STEPS) {
		st = step(SF_CONNECT, 1, 0);
		st->local = A4(127, 0, 0, 5);
		st->remote = A4(127, 0, 0, 9);
		st->rport = 8080;
		st->flags = SF_F_WAYPOINT;
		step(SF_ACCEPT, 2, 0)->peer = 0;
		step(SF_AUTH_ANSWER, 0, 0);
		step(SF_XDP_VERDICT, 1, 0);
		step(SF_SEND, 1, 1460);
		step(SF_SEND, 2, 100000);
		step(SF_CLOSE, 1, 0);
		step(SF_CLOSE, 2, 0);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs for SECONDS; prints and returns events per second. */
static double measure(const char *what, double seconds)
{
	unsigned long long runs = 0, events = 0, checks = 0;
	struct sf_result res;
	double start = now_s(), elapsed;

	do {
		for (int i = 0; i < 64; i++) {
			if (sf_exec(&in, NULL, &res) != 0) {
				fprintf(stderr, "bench_props: the input failed: %s\n%s\n",
					res.failure.prop, res.failure.diff);
				exit(1);
			}
			runs++;
			events += res.events;
			checks += res.checks;
		}
		elapsed = now_s() - start;
	} while (elapsed < seconds);
	printf("%-22s %8.0f runs/s %10.0f events/s %11.0f checks/s (%u events per run)\n", what,
	       runs / elapsed, events / elapsed, checks / elapsed, res.events);
	return events / elapsed;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 2.0;
	double on, off;

	build();
	prop_enable("all", false);
	off = measure("no properties", seconds);
	prop_enable("all", true);
	on = measure("all properties", seconds);
	printf("checking costs %.0f%% of the time; target 1000000 checked events/s: %s\n",
	       100.0 * (1.0 - on / off), on >= 1e6 ? "met" : "NOT met");
	return 0;
}
