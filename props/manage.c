// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * manage.c: who may change what at all: the family gate (SPEC §8.4) and
 * enrolment (§8.3).
 */
#include <errno.h>
#include <string.h>
#include "props/props_internal.h"

/* §8.4: any family but AF_INET and AF_INET6 returns at once and touches
 * nothing: no helper call (so no map, ring, storage or flag), no counter, no
 * global. */
enum prop_res prop_family_gate(struct prop_ctx *c)
{
	const struct model *m = c->model;
	const struct prop_maps *maps = c->maps;

	if (!c->ev->fired || !c->exp->gated)
		return PROP_SKIP;
	if (c->fx->n)
		return prop_fail(c,
				 "family %u must return at once, but the journal shows %u"
				 " effects",
				 c->ev->sock->family, c->fx->n);
	for (unsigned int h = 0; h < HOST_H__MAX; h++)
		if (prop_calls_delta(c, h))
			return prop_fail(c,
					 "family %u must return at once, but the program called %s",
					 c->ev->sock->family, host_helper__name(h));
	if (memcmp(c->pre->counters, maps->counters, sizeof(c->pre->counters)))
		return prop_fail(c, "family %u must touch nothing, but km_counters changed",
				 c->ev->sock->family);
	if (*maps->monitoring != m->monitoring ||
	    memcmp(maps->node_ip, m->node_ip, sizeof(m->node_ip)) ||
	    memcmp(maps->pod_gateway, m->pod_gateway, sizeof(m->pod_gateway)))
		return prop_fail(c,
				 "family %u must touch nothing, but a configuration global"
				 " changed",
				 c->ev->sock->family);
	return PROP_PASS;
}

static __u32 u32_at(const void *p)
{
	__u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Every key the model holds, and every entry km_manage holds (failure only). */
static void explain_manage(struct prop_ctx *c)
{
	const struct model *m = c->model;
	const void *key;
	__u32 cursor = 0;
	void *value;

	fmt_add(c->why, "\n  written by the control connects and user space seen (%u):\n",
		m->nmanaged);
	for (unsigned int i = 0; i < m->nmanaged; i++) {
		fmt_add(c->why, "    ");
		fmt_manager_key(c->why, &m->managed[i]);
		fmt_add(c->why, " = %u\n", m->value[i]);
	}
	fmt_add(c->why, "  km_manage holds (%u):\n", host_map__count(c->maps->manage));
	while (host_map__next(c->maps->manage, &cursor, &key, &value)) {
		fmt_add(c->why, "    ");
		fmt_manager_key(c->why, key);
		fmt_add(c->why, " = %u\n", u32_at(value));
	}
}

/* The program's own km_manage effects: each must be the one the control
 * connect asks for (update to 0 for 929, delete for 930, the local key). */
static enum prop_res check_effects(struct prop_ctx *c)
{
	const struct model_expect *e = c->exp;

	for (unsigned int i = 0; i < c->fx->n; i++) {
		const struct host_effect *fx = &c->fx->list[i];
		bool update = fx->kind == HOST_FX_MAP_UPDATE;

		if ((!update && fx->kind != HOST_FX_MAP_DELETE) || fx->map != c->maps->manage)
			continue;
		if (e->manage == MODEL_MANAGE_NONE) {
			if (fx->rc)
				continue; /* tried and failed: changed nothing */
			return prop_fail(c, "km_manage changed by an event that is not a control"
					    " connect to 0.0.0.2/::2 port 929 or 930");
		}
		if (memcmp(fx->key, &e->mkey, sizeof(e->mkey))) {
			prop_fail(c, "the control connect must %s the key of the local address ",
				  e->manage == MODEL_MANAGE_SET ? "enrol" : "release");
			fmt_manager_key(c->why, &e->mkey);
			fmt_add(c->why, ", but the program used ");
			fmt_manager_key(c->why, fx->key);
			return PROP_FAIL;
		}
		if (update != (e->manage == MODEL_MANAGE_SET))
			return prop_fail(c, "port %u must %s the key, but the program %s it",
					 c->ev->sock->remote_port,
					 e->manage == MODEL_MANAGE_SET ? "set" : "delete",
					 update ? "updated" : "deleted");
		if (update && u32_at(fx->data) != KM_MANAGED)
			return prop_fail(c, "an enrolled key must hold %u, the program wrote %u",
					 KM_MANAGED, u32_at(fx->data));
		/* BPF_ANY makes enrolment idempotent; only the environment may fail it. */
		if (update && fx->rc && !prop_faulted(c, HOST_H_MAP_UPDATE) &&
		    host_map__count(c->maps->manage) < host_map__max_entries(c->maps->manage))
			return prop_fail(c,
					 "the enrol update failed with %ld although nothing made it"
					 " fail: enrolling twice must succeed (idempotent)",
					 fx->rc);
		/* Releasing twice is fine; only the environment may fail it. */
		if (!update && fx->rc && fx->rc != -ENOENT && !prop_faulted(c, HOST_H_MAP_DELETE))
			return prop_fail(
				c, "the release failed with %ld although nothing made it fail",
				fx->rc);
	}
	return PROP_PASS;
}

/* §8.3: km_manage changes only by control connects: exactly 0.0.0.2 (AF_INET)
 * or ::2 (AF_INET6), port 929 sets key(local) = 0, port 930 deletes it; both
 * idempotent, so enable then disable restores the map. Checked as: each
 * effect is the one asked for, and the map equals the model's set (same
 * size, and the named key present exactly when the model has it). */
enum prop_res prop_only_control_changes_manage(struct prop_ctx *c)
{
	const struct model_expect *e = c->exp;
	__u32 count;
	__u32 *value, want_value = 0;
	bool want;

	if (!c->ev->fired)
		return PROP_SKIP;
	if (c->model->overflow) {
		prop_fail(c, "more than %d enrolled keys: the model cannot follow", MODEL_MAX_KEYS);
		return PROP_ERROR;
	}
	if (check_effects(c) != PROP_PASS)
		return PROP_FAIL;
	count = host_map__count(c->maps->manage);
	if (count != c->model->nmanaged) {
		prop_fail(c, "km_manage holds %u keys where the control connects seen leave %u",
			  count, c->model->nmanaged);
		explain_manage(c);
		return PROP_FAIL;
	}
	if (e->manage == MODEL_MANAGE_NONE)
		return PROP_PASS;
	value = host_map__lookup(c->maps->manage, &e->mkey);
	want = model_has_key(c->model, &e->mkey, &want_value);
	if (!value != !want || (value && *value != want_value)) {
		prop_fail(c, "after this control connect the key ");
		fmt_manager_key(c->why, &e->mkey);
		if (want)
			fmt_add(c->why, " must be present with value %u", want_value);
		else
			fmt_add(c->why, " must be absent");
		explain_manage(c);
		return PROP_FAIL;
	}
	return PROP_PASS;
}
