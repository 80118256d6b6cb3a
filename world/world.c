// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * world.c: the world as an object (world.h): made, reset and freed, what it
 * holds, and a step handed to its kind's handler (steps.c). The files of
 * world/ and what each does are listed in world_internal.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "input/steps.h"
#include "world/world_internal.h"

struct sf_world *sf_world__new(sf_world_hook hook, void *ctx)
{
	struct sf_world *w = calloc(1, sizeof(*w));

	if (!w) {
		errno = ENOMEM;
		return NULL;
	}
	w->hook = hook;
	w->ctx = ctx;
	w->storage = host_map__by_name("km_sockstorage");
	w->auth_req = host_map__by_name("km_auth_req");
	w->auth_res = host_map__by_name("km_auth_res");
	w->manage = host_map__by_name("km_manage");
	if (!w->storage || !w->auth_req || !w->auth_res || !w->manage) {
		free(w);
		errno = ENOENT;
		return NULL;
	}
	return w;
}

void sf_world__free(struct sf_world *w)
{
	free(w);
}

void sf_world__reset(struct sf_world *w)
{
	memset(w->eps, 0, (size_t)w->nused * sizeof(w->eps[0]));
	memset(w->slot_ep, 0, sizeof(w->slot_ep));
	w->nused = 0;
	w->free_head = 0;
	w->next_port = 0;
	w->stopped = false;
	w->plausible = true;
	w->step = 0;
	w->events = 0;
}

static const char *const global_names[SF_GLOBAL__COUNT] = {
	[SF_GLOBAL_MONITORING] = "enable_monitoring",
	[SF_GLOBAL_NODE_IP] = "node_ip",
	[SF_GLOBAL_POD_GATEWAY] = "pod_gateway",
};

const char *sf_global_name(enum sf_global g)
{
	return (unsigned int)g < SF_GLOBAL__COUNT ? global_names[g] : NULL;
}

void sf_world__begin(struct sf_world *w, const struct sf_input *in)
{
	unsigned int nfaults = in->nfaults < SF_MAX_FAULTS ? in->nfaults : SF_MAX_FAULTS;

	host_reset();
	host_global__set(global_names[SF_GLOBAL_MONITORING], &in->monitoring,
			 sizeof(in->monitoring));
	host_global__set(global_names[SF_GLOBAL_NODE_IP], in->node_ip.w, sizeof(in->node_ip.w));
	host_global__set(global_names[SF_GLOBAL_POD_GATEWAY], in->pod_gateway.w,
			 sizeof(in->pod_gateway.w));
	for (unsigned int i = 0; i < nfaults; i++)
		host_fault__arm(in->faults[i].helper, in->faults[i].nth, 0);
	sf_world__reset(w);
	world_emit(w, (struct sf_world_event){.kind = SF_WEV_BEGIN, .input = in});
}

unsigned int sf_world__nsocks(const struct sf_world *w)
{
	return w->nused;
}

struct host_sock *sf_world__sock(const struct sf_world *w, unsigned int i)
{
	return i < w->nused ? w->eps[i].sock : NULL;
}

struct host_sock *sf_world__slot(const struct sf_world *w, unsigned int slot)
{
	return slot < SF_NSLOTS && w->slot_ep[slot] ? w->eps[w->slot_ep[slot] - 1].sock : NULL;
}

/* Once the hook said stop, nothing more is reported (and no program runs:
 * world_fire() and the handlers look at w->stopped). */
void world_emit(struct sf_world *w, struct sf_world_event ev)
{
	ev.step = w->step;
	ev.index = w->events;
	ev.plausible = w->plausible;
	if (!w->stopped && w->hook && !w->hook(w->ctx, &ev))
		w->stopped = true;
	w->events += ev.fired;
}

void world_emit_ran(struct sf_world *w, struct sf_world_event ev)
{
	ev.kind = SF_WEV_AFTER;
	ev.fired = true;
	ev.fx = host_journal(&ev.nfx, &ev.overflow);
	world_emit(w, ev);
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
