// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * steps.c: which handler carries out each step kind (input/steps.h: every
 * layer keeps a table indexed by kind, so a kind added to the registry and
 * not here shows as an empty entry, which tests/test_exec.c looks for).
 */
#include "input/steps.h"
#include "world/world_internal.h"

/* SF_CLOCK: no timer the world models fires, so time passing is the clock's
 * alone. */
static void step_clock(struct sf_world *w, const struct sf_step *st)
{
	(void)w;
	host_clock__advance(st->value);
}

static const world_step_fn handlers[SF_KIND__COUNT] = {
	[SF_ENROL] = step_enrol,
	[SF_UNENROL] = step_unenrol,
	[SF_LISTEN] = step_listen,
	[SF_CONNECT] = step_connect,
	[SF_ACCEPT] = step_accept,
	[SF_SEND] = step_send,
	[SF_CLOSE] = step_close,
	[SF_RESET] = step_reset,
	[SF_WAYPOINT] = step_waypoint,
	[SF_MONITORING] = step_monitoring,
	[SF_NODE_IP] = step_node_ip,
	[SF_POD_GATEWAY] = step_pod_gateway,
	[SF_AUTH_ANSWER] = step_auth_answer,
	[SF_MANAGE] = step_manage,
	[SF_FILL] = step_fill,
	[SF_ORIG_DST] = step_orig_dst,
	[SF_LOG_LEVEL] = step_log_level,
	[SF_XDP_VERDICT] = step_xdp_verdict,
	[SF_CLOCK] = step_clock,
	[SF_RAW] = step_raw,
	[SF_TCP] = step_tcp,
	[SF_RELEASE] = step_release,
};

static world_step_fn world_handler(enum sf_kind kind)
{
	return (unsigned int)kind < SF_KIND__COUNT ? handlers[kind] : NULL;
}

bool sf_world__handles(enum sf_kind kind)
{
	return world_handler(kind) != NULL;
}

bool sf_world__step(struct sf_world *w, const struct sf_step *st)
{
	const struct sf_kind_def *k = sf_kind_def(st->kind);
	world_step_fn handler;

	if (w->stopped)
		return false;
	/* SPEC §8: kernel-producible until the first raw event. */
	if (k && k->raw_event)
		w->plausible = false;
	handler = world_handler(st->kind);
	if (handler)
		handler(w, st);
	w->step++;
	return !w->stopped;
}
