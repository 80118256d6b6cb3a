// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * exec.c: run an input on the host runtime and check the properties after
 * every event (exec.h).
 *
 * The world (world.h) carries the steps out and reports every event through
 * one hook; the property driver (props.h) checks each. This file only wires
 * them: it applies the input's globals and faults, keeps the step and event
 * counts, prints the trace when asked and computes the state hash when asked.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "run/exec.h"
#include "world/world.h"
#include "fmt/fmt.h"
#include "props/props.h"

/* The executor's state: one run at a time, like the host. */
static struct {
	struct prop_run *run;
	struct sf_world *world;
	FILE *trace;
	bool hashing;
	__u64 history; /* every journal of the run, when hashing */
	unsigned int step, events;
	unsigned int failed_event;	  /* the event a property failed at (or the next one) */
	bool plausible, failed_plausible; /* of the last event, of the failing one */
} x;

/* Print T as one trace line, indented by INDENT. */
static void trace_text(const char *indent, struct fmt_text *t)
{
	fprintf(x.trace, "%s%s\n", indent, t->buf);
	t->len = 0;
	t->buf[0] = '\0';
}

static void trace_event(const struct sf_world_event *ev)
{
	char buf[2048];
	struct fmt_text t = {.buf = buf, .cap = sizeof(buf)};

	buf[0] = '\0';
	if (ev->fired)
		fmt_add(&t, "event %u: ", ev->index);
	fmt_event(&t, ev);
	trace_text("  ", &t);
	if (ev->fired && ev->nfx) {
		fmt_journal(&t, ev->fx, ev->nfx);
		fputs(buf, x.trace);
	}
}

static void trace_user(const struct sf_world_event *wev)
{
	char buf[512];
	struct fmt_text t = {.buf = buf, .cap = sizeof(buf)};

	buf[0] = '\0';
	switch (wev->kind) {
	case SF_WEV_STORAGE:
		fmt_add(&t, "user space: storage of sock#%u, via_waypoint = %llu", wev->sock->id,
			(unsigned long long)wev->value);
		break;
	case SF_WEV_GLOBAL:
		fmt_add(&t, "user space: %s written", sf_global_name(wev->global));
		break;
	case SF_WEV_MANAGE:
		fmt_add(&t, "user space: km_manage = %llu under ", (unsigned long long)wev->value);
		fmt_manager_key(&t, wev->manage_key);
		break;
	case SF_WEV_AUTH:
		fmt_add(&t, "%s: km_auth_res = %llu under ", wev->sock ? "xdp" : "user space",
			(unsigned long long)wev->value);
		fmt_tuple(&t, wev->key, false);
		break;
	default:
		return;
	}
	trace_text("  ", &t);
}

static bool on_world(void *ctx, const struct sf_world_event *ev)
{
	enum prop_res res;

	if (ev->kind == SF_WEV_AFTER && x.hashing) /* the event's journal into the history */
		x.history = host_journal__digest(x.history);
	if (x.trace) {
		if (ev->kind == SF_WEV_AFTER || ev->kind == SF_WEV_CLOSED)
			trace_event(ev);
		else
			trace_user(ev);
	}
	res = prop_run__event(x.run, ev);
	x.plausible = ev->plausible;
	if (res != PROP_PASS) {
		x.failed_event = ev->index;
		x.failed_plausible = ev->plausible;
	}
	x.events = ev->index + ev->fired;
	return res == PROP_PASS;
}

static int exec_init(void)
{
	int err;

	if (x.world)
		return 0;
	err = host_init();
	if (err)
		return err;
	x.run = prop_run__new();
	if (!x.run)
		return -errno;
	x.world = sf_world__new(on_world, NULL);
	if (!x.world) {
		err = -errno;
		prop_run__free(x.run);
		x.run = NULL;
		return err;
	}
	return 0;
}

static struct host_sock *world_sock(const void *world, unsigned int i)
{
	return sf_world__sock(world, i);
}

/* A digest of what the run leaves observable: maps, rings (through the
 * history of every record pushed), counters and globals, every live socket
 * with its storage, the clock and the log capture. */
static __u64 state_hash(void)
{
	static const char *const maps[] = {"km_manage", "km_auth_res", "km_socket",
					   "km_sockstorage"};
	static const char *const globals[] = {"enable_monitoring", "node_ip", "pod_gateway",
					      "log_level", "km_counters"};
	const struct host_digest_scope scope = {
		.maps = maps,
		.nr_maps = sizeof(maps) / sizeof(maps[0]),
		.globals = globals,
		.nr_globals = sizeof(globals) / sizeof(globals[0]),
		.sock = world_sock,
		.sock_ctx = x.world,
		.nr_socks = sf_world__nsocks(x.world),
	};

	return host_state__digest(x.history, &scope);
}

/* RES zeroed but for its failure text (2 KiB, most of it; only a failure
 * fills it), which reads as empty. */
static void result_reset(struct sf_result *res)
{
	const size_t at = offsetof(struct sf_result, failure.diff),
		     end = at + sizeof(res->failure.diff);

	memset(res, 0, at);
	memset((char *)res + end, 0, sizeof(*res) - end);
	res->failure.diff[0] = '\0';
}

static void run_once(const struct sf_input *in, FILE *trace, bool hashing, struct sf_result *res)
{
	unsigned int nsteps = in->nsteps < SF_MAX_STEPS ? in->nsteps : SF_MAX_STEPS, i;
	const struct prop_def *failed;
	const char *diff;
	bool ok = true;

	x.trace = trace;
	x.hashing = hashing;
	x.history = HOST_DIGEST_SEED;
	x.events = 0;
	x.plausible = x.failed_plausible = true;
	sf_world__begin(x.world, in);

	for (i = 0; i < nsteps && ok; i++) {
		const struct sf_step *st = &in->steps[i];

		x.step = i;
		if (trace) {
			fprintf(trace, "step %u: ", i);
			sf_step_print(st, trace);
			fputc('\n', trace);
		}
		ok = sf_world__step(x.world, st);
	}

	result_reset(res);
	res->steps = i;
	res->events = x.events;
	res->checks = prop_run__checks(x.run);
	failed = prop_run__failure(x.run, &diff);
	if (failed) {
		res->failed = true;
		res->failure.prop = failed->name;
		res->failure.step = x.step;
		res->failure.event = x.failed_event;
		res->failure.kernel_producible = x.failed_plausible;
		snprintf(res->failure.diff, sizeof(res->failure.diff), "%s", diff);
		if (trace)
			fprintf(trace, "property %s failed:\n%s\n%s\n", failed->name, diff,
				sf_failure_kind(&res->failure));
		return;
	}
	if (hashing)
		res->state_hash = state_hash();
}

enum sf_exec_status sf_exec(const struct sf_input *in, const struct sf_exec_opts *opts,
			    struct sf_result *res)
{
	static const struct sf_exec_opts none;
	struct sf_result again;
	const struct prop_def *failed;
	const char *diff;
	int err;

	if (!opts)
		opts = &none;
	err = exec_init();
	if (err) {
		memset(res, 0, sizeof(*res));
		res->error = err;
		return SF_EXEC_ERROR;
	}
	run_once(in, opts->trace, opts->state_hash || opts->check_determinism, res);
	if (res->failed || !opts->check_determinism)
		return res->failed ? SF_EXEC_FAIL : SF_EXEC_PASS;

	run_once(in, NULL, true, &again);
	res->checks += again.checks;
	if (again.failed) {
		/* The first run passed: a failure now is itself nondeterminism. */
		res->failed = true;
		res->failure = again.failure;
		return SF_EXEC_FAIL;
	}
	if (prop_run__end(x.run, res->state_hash, again.state_hash) == PROP_PASS)
		return SF_EXEC_PASS;
	failed = prop_run__failure(x.run, &diff);
	res->failed = true;
	res->failure.prop = failed->name;
	res->failure.step = res->steps ? res->steps - 1 : 0;
	res->failure.event = res->events;
	res->failure.kernel_producible = x.plausible;
	snprintf(res->failure.diff, sizeof(res->failure.diff), "%s", diff);
	return SF_EXEC_FAIL;
}

const char *sf_failure_kind(const struct sf_failure *f)
{
	return f->kernel_producible
		       ? "kernel-producible: every event up to the failure is one a real kernel makes"
		       : "raw-only: a raw event comes before the failure; no real socket makes this run";
}
