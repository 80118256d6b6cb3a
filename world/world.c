// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * world.c: the world as an object (world.h): made, reset, begun and freed,
 * and what it holds. The files of
 * world/ and what each does are listed in world_internal.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "world/world_internal.h"

#ifdef SF_WORLD_PERTURB
enum sf_world_perturb sf_world_perturb;
#endif

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
	/* The world writes SPEC's storage layout: a value of another size is
	 * not SPEC's map (as the kernel driver decides, bpf/kernel/map.c). */
	if (w->storage && host_map__value_size(w->storage) != sizeof(struct sock_storage_data))
		w->storage = NULL;
	w->auth_req = host_map__by_name("km_auth_req");
	w->auth_res = host_map__by_name("km_auth_res");
	w->manage = host_map__by_name("km_manage");
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
	[SF_GLOBAL_LOG_LEVEL] = "log_level",
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
	world_emit(w, &(struct sf_world_event){.kind = SF_WEV_BEGIN, .input = in});
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
