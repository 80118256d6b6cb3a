// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * run.c: the driver that checks the properties after every event (props.h).
 *
 * Per event it copies the counters and the call counts of the few helpers it
 * watches (every helper for an event the family gate stops), asks the model
 * what the event obliges the program to do, counts the journal once, and
 * calls each enabled check; checks read maps only by key. Text is made only
 * for a failure.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "props/props_internal.h"

#define DIFF_MAX 2048 /* struct sf_failure.diff */

struct prop_run {
	struct model model;
	struct prop_maps maps;

	/* The event in flight. */
	struct model_expect exp;
	struct prop_snap pre;
	__u64 calls[HOST_H__MAX];
	__u32 snapped; /* helpers whose calls pre and calls hold (bit per helper) */
	struct prop_fx fx;

	/* The run. */
	struct {
		__u8 helper;
		__u32 nth;
	} faults[SF_MAX_FAULTS];
	unsigned int nfaults;
	__u32 watch; /* helpers every event snapshots: rings, and those faults name */
	/* The enabled per-event checks, in order, that apply to an event that
	 * [fired] (else closed silently) while the run is [plausible]. */
	const struct prop_def *active[2][2][PROP_MAX];
	unsigned int nactive[2][2], active_gen;
	unsigned int step, event;
	bool plausible;
	unsigned long long checks;

	const struct prop_def *failed;
	char diff[DIFF_MAX];
	struct fmt_text why;
};

/* Mark LEN bytes at OFF in L's coverage. */
static void layout_cover(struct prop_layout *l, __u32 off, __u32 len)
{
	for (__u32 i = off; i < off + len && i < PROP_REC_MAX_BYTES; i++)
		l->covered[i] = 1;
}

/* L: SPEC's record FIELDS in the layout of the program's struct NAME. */
static void layout_init(struct prop_layout *l, const char *name, const struct fmt_field *fields,
			unsigned int nfields)
{
	const struct host_field_def *type = NULL, *tuple = NULL;

	memset(l, 0, sizeof(*l));
	l->def = host_struct__by_name(name);
	l->fields = fields;
	l->nfields = nfields < PROP_REC_MAX_FIELDS ? nfields : PROP_REC_MAX_FIELDS;
	for (unsigned int i = 0; i < l->nfields; i++)
		l->field[i] = l->def ? host_struct__field(l->def, fields[i].name) : NULL;
	if (l->def) {
		for (const struct host_field_def *f = l->def->fields; f->name; f++)
			layout_cover(l, f->offset, f->size);
		type = host_struct__field(l->def, "type");
		tuple = host_struct__field(l->def, "tuple");
		if (type && tuple) {
			l->type_off = type->offset;
			l->type_size = type->size;
			l->tuple_off = tuple->offset;
		}
		return;
	}
	for (unsigned int i = 0; i < l->nfields; i++) {
		layout_cover(l, fields[i].off, fields[i].size);
		if (!strcmp(fields[i].name, "type")) {
			l->type_off = fields[i].off;
			l->type_size = fields[i].size;
		} else if (!strcmp(fields[i].name, "tuple")) {
			l->tuple_off = fields[i].off;
		}
	}
}

int prop_maps__init(struct prop_maps *m)
{
	/* SPEC §6-7 by ELF name: where each goes, and the part it is. */
	static const struct {
		const char *name;
		size_t off;
		unsigned int part;
	} maps[] = {
		{"km_manage", offsetof(struct prop_maps, manage), PROP_P_MANAGE},
		{"km_sockstorage", offsetof(struct prop_maps, storage), PROP_P_STORAGE},
		{"km_socket", offsetof(struct prop_maps, socket), PROP_P_SOCKET},
		{"km_auth_res", offsetof(struct prop_maps, auth_res), PROP_P_AUTH_RES},
		{"km_auth_req", offsetof(struct prop_maps, auth_req), PROP_P_AUTH_REQ},
		{"km_tcp_probe", offsetof(struct prop_maps, probe), PROP_P_PROBE},
		{"km_log", offsetof(struct prop_maps, log), PROP_P_LOG},
	};
	static const struct {
		const char *name;
		size_t off, size;
		unsigned int part;
	} globals[] = {
		{"km_counters", offsetof(struct prop_maps, counters), KM_CNT__MAX * sizeof(__u64),
		 0},
		{"enable_monitoring", offsetof(struct prop_maps, monitoring), sizeof(__u32),
		 PROP_P_MONITORING},
		{"node_ip", offsetof(struct prop_maps, node_ip), 4 * sizeof(__u32), PROP_P_PEERS},
		{"pod_gateway", offsetof(struct prop_maps, pod_gateway), 4 * sizeof(__u32),
		 PROP_P_PEERS},
		{"log_level", offsetof(struct prop_maps, log_level), sizeof(__u32), PROP_P_LOG},
	};
	static __u64 no_counters[KM_CNT__MAX]; /* zeros that never move */
	static __u32 no_global[4];	       /* a global the program lacks */
	unsigned int missing = 0;
	size_t size;

	memset(m, 0, sizeof(*m));
	for (unsigned int i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		struct host_map *map = host_map__by_name(maps[i].name);

		if (!map)
			missing |= maps[i].part;
		memcpy((char *)m + maps[i].off, &map, sizeof(map));
	}
	for (unsigned int i = 0; i < sizeof(globals) / sizeof(globals[0]); i++) {
		void *p = host_global__ptr(globals[i].name, &size);

		if (!p || size != globals[i].size) {
			missing |= globals[i].part;
			p = globals[i].part ? (void *)no_global : (void *)no_counters;
		} else if (!globals[i].part) {
			m->has_counters = true;
		}
		memcpy((char *)m + globals[i].off, &p, sizeof(p));
	}
	for (__u32 i = 0; i < host_prog.nr_maps && m->nbounded < PROP_MAX_MAPS; i++) {
		const struct host_map *map = host_map__at(i);
		__u32 type = host_map__type(map);

		/* Arrays and socket storage have every slot by construction. */
		if (type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
		    type == BPF_MAP_TYPE_SK_STORAGE)
			continue;
		m->bounded[m->nbounded++] = (struct prop_bounded){map, host_map__max_entries(map),
								  type == BPF_MAP_TYPE_RINGBUF};
	}
	m->have = ~missing;
	layout_init(&m->probe_rec, "km_probe_rec", fmt_probe_fields, fmt_probe_nfields);
	layout_init(&m->auth_req_rec, "km_auth_req", fmt_auth_req_fields, fmt_auth_req_nfields);
	return 0;
}

const struct prop_maps *prop_program_parts(void)
{
	static struct prop_maps parts;
	static bool known;

	if (!known)
		known = !prop_maps__init(&parts);
	return &parts;
}

bool prop_record__normalize(const struct prop_layout *l, const void *src, __u32 len,
			    const void *want, void *dst, __u32 dst_size)
{
	bool fits = true;

	if (!l->def) { /* no layout: the program's record is SPEC's */
		memset(dst, 0, dst_size);
		memcpy(dst, src, len < dst_size ? len : dst_size);
		return true;
	}
	for (unsigned int i = 0; i < l->nfields; i++) {
		const struct fmt_field *f = &l->fields[i];
		const struct host_field_def *pf = l->field[i];
		__u8 *d = (__u8 *)dst + f->off;

		if (!pf || pf->offset + pf->size > len) {
			memcpy(d, (const __u8 *)want + f->off, f->size);
		} else if (f->kind == FMT_F_TUPLE || pf->size == f->size) {
			memset(d, 0, f->size);
			memcpy(d, (const __u8 *)src + pf->offset,
			       pf->size < f->size ? pf->size : f->size);
		} else {
			__u64 v = 0;

			/* unsigned integers of either width, native order */
			memcpy(&v, (const __u8 *)src + pf->offset, pf->size < 8 ? pf->size : 8);
			if (f->size < 8 && v >> (8 * f->size))
				fits = false;
			memcpy(d, &v, f->size); /* little endian: the low bytes */
		}
	}
	return fits;
}

struct prop_run *prop_run__new(void)
{
	struct prop_run *r = calloc(1, sizeof(*r));
	int err;

	if (!r) {
		errno = ENOMEM;
		return NULL;
	}
	err = prop_maps__init(&r->maps);
	if (err) {
		free(r);
		errno = -err;
		return NULL;
	}
	return r;
}

void prop_run__free(struct prop_run *r)
{
	free(r);
}

void prop_run__begin(struct prop_run *r, const struct sf_input *in)
{
	r->nfaults = in->nfaults < SF_MAX_FAULTS ? in->nfaults : SF_MAX_FAULTS;
	for (unsigned int i = 0; i < r->nfaults; i++) {
		r->faults[i].helper = in->faults[i].helper;
		r->faults[i].nth = in->faults[i].nth;
	}
	/* The reservation check counts ring calls; faults need their helpers. */
	r->watch = 1u << HOST_H_RINGBUF_RESERVE | 1u << HOST_H_RINGBUF_OUTPUT |
		   1u << HOST_H_RINGBUF_DISCARD;
	for (unsigned int i = 0; i < r->nfaults; i++)
		if (r->faults[i].helper < HOST_H__MAX)
			r->watch |= 1u << r->faults[i].helper;
	model_reset(&r->model, in->monitoring, in->node_ip.w, in->pod_gateway.w);
	if (r->maps.manage)
		r->model.manage_max = host_map__max_entries(r->maps.manage);
	/* No input sets it at start: the program's own default holds. */
	r->model.log_level = *r->maps.log_level;
	r->step = r->event = 0;
	r->plausible = true;
	r->checks = 0;
	r->failed = NULL;
	r->diff[0] = '\0';
	r->why = (struct fmt_text){.buf = r->diff, .cap = sizeof(r->diff)};
}

void prop_run__at(struct prop_run *r, unsigned int step, unsigned int event, bool plausible)
{
	r->step = step;
	r->event = event;
	r->plausible = plausible;
}

void prop_run__sock_new(struct prop_run *r, const struct host_sock *sock)
{
	model_sock_new(&r->model, sock->id);
}

void prop_run__user_storage(struct prop_run *r, const struct host_sock *sock, bool via_waypoint)
{
	model_user_storage(&r->model, sock, via_waypoint);
}

void prop_run__user_global(struct prop_run *r, enum sf_global g)
{
	const struct prop_maps *m = &r->maps;

	switch (g) {
	case SF_GLOBAL_MONITORING:
		r->model.monitoring = *m->monitoring;
		break;
	case SF_GLOBAL_NODE_IP:
		memcpy(r->model.node_ip, m->node_ip, sizeof(r->model.node_ip));
		break;
	case SF_GLOBAL_POD_GATEWAY:
		memcpy(r->model.pod_gateway, m->pod_gateway, sizeof(r->model.pod_gateway));
		break;
	case SF_GLOBAL_LOG_LEVEL:
		r->model.log_level = *m->log_level;
		break;
	default:
		break;
	}
}

/* Calls of the helpers in MASK; the others read 0 before and after. An
 * event snapshots a few helpers: visit MASK's bits only. */
_Static_assert(HOST_H__MAX <= 32, "snapped and watch have a bit per helper");
static void snap_calls(__u64 calls[HOST_H__MAX], __u32 mask)
{
	memset(calls, 0, HOST_H__MAX * sizeof(calls[0]));
	if (HOST_H__MAX < 32)
		mask &= (1u << (HOST_H__MAX & 31)) - 1;
	for (; mask; mask &= mask - 1) {
		unsigned int h = (unsigned int)__builtin_ctz(mask);

		calls[h] = host_helper__calls(h);
	}
}

void prop_run__before(struct prop_run *r, const struct sf_world_event *ev)
{
	const struct sock_storage_data *st =
		r->maps.storage ? host_sk_storage__get(r->maps.storage, ev->sock, false) : NULL;
	bool had_storage = st != NULL;

	r->pre.has_storage = had_storage;
	if (st)
		prop_storage__load(&r->pre.storage, r->maps.storage, st);
	memcpy(r->pre.counters, r->maps.counters, sizeof(r->pre.counters));
	/* The family gate asks about every helper; other events about a few. */
	r->snapped =
		ev->sock->family == KM_AF_INET || ev->sock->family == KM_AF_INET6 ? r->watch : ~0u;
	snap_calls(r->pre.calls, r->snapped);
	model_expect(&r->model, ev->sock, ev->op, ev->args, had_storage, &r->exp);
}

/* Helpers an injected fault made fail during the event: a fault armed for
 * call NTH fired when the count went past it. */
static __u32 faulted_helpers(const struct prop_run *r)
{
	__u32 mask = 0;

	for (unsigned int i = 0; i < r->nfaults; i++) {
		unsigned int h = r->faults[i].helper;

		if (h < HOST_H__MAX && r->pre.calls[h] <= r->faults[i].nth &&
		    r->faults[i].nth < r->calls[h])
			mask |= 1u << h;
	}
	return mask;
}

enum prop_res prop_fail(struct prop_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vadd(c->why, fmt, ap);
	va_end(ap);
	return PROP_FAIL;
}

/* Add the event and its journal after the property's own explanation. */
static void explain_event(struct prop_run *r, const struct sf_world_event *ev)
{
	struct fmt_text *t = &r->why;

	fmt_add(t, "\nat step %u, event %u: ", r->step, r->event);
	fmt_event(t, ev);
	fmt_add(t, "\njournal of the event:\n");
	if (ev->fired)
		fmt_journal(t, r->fx.list, r->fx.n);
	else
		fmt_add(t, "    (the program did not run)\n");
}

static enum prop_res record(struct prop_run *r, const struct prop_def *p, enum prop_res res,
			    const struct sf_world_event *ev)
{
	if (res == PROP_PASS || res == PROP_FAIL)
		r->checks++;
	if (res != PROP_FAIL && res != PROP_ERROR)
		return PROP_PASS;
	r->failed = p;
	if (ev)
		explain_event(r, ev);
	return res;
}

/* Whether P is checked after an event that FIRED (else the socket closed
 * without running the program) while the run is PLAUSIBLE. */
static bool applies(const struct prop_def *p, bool fired, bool plausible)
{
	if ((p->flags & PROP_F_PLAUSIBLE) && !plausible)
		return false;
	return fired || (p->flags & PROP_F_AT_CLOSE);
}

/* The enabled per-event checks, one list for each kind of event they apply
 * to, listed again only when the registry was switched since
 * (prop_generation()). */
static void list_active(struct prop_run *r)
{
	if (r->active_gen == prop_generation() && r->active_gen)
		return;
	memset(r->nactive, 0, sizeof(r->nactive));
	for (unsigned int i = 0; i < prop_count(); i++) {
		const struct prop_def *p = prop_at(i);

		if (!prop_is_enabled(p) || (p->flags & PROP_F_AT_END) ||
		    (p->needs & r->maps.have) != p->needs)
			continue;
		for (unsigned int fired = 0; fired < 2; fired++)
			for (unsigned int plausible = 0; plausible < 2; plausible++)
				if (applies(p, fired, plausible))
					r->active[fired][plausible]
						 [r->nactive[fired][plausible]++] = p;
	}
	r->active_gen = prop_generation();
}

enum prop_res prop_run__after(struct prop_run *r, const struct sf_world_event *ev,
			      const struct host_effect *fx, unsigned int nfx, bool overflow)
{
	struct prop_ctx c = {
		.ev = ev,
		.model = &r->model,
		.exp = &r->exp,
		.fx = &r->fx,
		.pre = &r->pre,
		.calls = r->calls,
		.maps = &r->maps,
		.why = &r->why,
	};
	enum prop_res res, first_fail = PROP_PASS;
	const struct prop_def *const *active;
	bool at_event = false, fx_overflow;
	unsigned int nactive;

	if (r->failed)
		return PROP_FAIL;
	if (ev->fired) {
		snap_calls(r->calls, r->snapped);
		prop_fx__scan(&r->fx, &r->maps, fx, nfx, overflow);
		model_settle(&r->model, ev->sock, faulted_helpers(r), &r->exp);
	} else {
		/* A silent close: nothing ran, so nothing was obliged. */
		memcpy(r->calls, r->pre.calls, sizeof(r->calls));
		prop_fx__scan(&r->fx, &r->maps, NULL, 0, false);
		model_expect(&r->model, ev->sock, ev->op, ev->args, false, &r->exp);
	}
	model_commit(&r->model, ev->sock, &r->exp);
	c.plausible = r->plausible;

	list_active(r);
	active = r->active[ev->fired][r->plausible];
	nactive = r->nactive[ev->fired][r->plausible];
	fx_overflow = r->fx.overflow; /* the checks read fx, never write it */
	for (unsigned int i = 0; i < nactive; i++) {
		const struct prop_def *p = active[i];

		if (fx_overflow && (p->flags & PROP_F_JOURNAL)) {
			if (r->failed)
				continue;
			fmt_add(&r->why,
				"the journal overflowed (more than %d effects in one"
				" event): the program's effects cannot all be checked",
				HOST_JOURNAL_MAX);
			return record(r, p, PROP_ERROR, ev);
		}
		if (r->failed) { /* the rest only to say which else fail here */
			size_t at = r->why.len;

			fmt_add(&r->why, "\nalso failing: %s\n", p->name);
			if (p->check(&c) != PROP_FAIL) {
				r->why.len = at; /* the cut is before the line: keep the text */
				r->diff[at < sizeof(r->diff) ? at : sizeof(r->diff) - 1] = '\0';
			}
			continue;
		}
		res = record(r, p, p->check(&c), NULL);
		if (res != PROP_PASS) {
			first_fail = res;
			at_event = true;
		}
	}
	if (at_event)
		explain_event(r, ev);
	return first_fail;
}

enum prop_res prop_run__event(struct prop_run *r, const struct sf_world_event *ev)
{
	switch (ev->kind) {
	case SF_WEV_BEGIN:
		prop_run__begin(r, ev->input);
		break;
	case SF_WEV_SOCK_NEW:
		prop_run__sock_new(r, ev->sock);
		break;
	case SF_WEV_STORAGE:
		prop_run__user_storage(r, ev->sock, ev->value != 0);
		break;
	case SF_WEV_GLOBAL:
		prop_run__user_global(r, ev->global);
		break;
	case SF_WEV_MANAGE:
		model_user_manage(&r->model, ev->manage_key, (__u32)ev->value);
		break;
	case SF_WEV_AUTH:
		break;
	case SF_WEV_BEFORE:
		prop_run__at(r, ev->step, ev->index, ev->plausible);
		prop_run__before(r, ev);
		break;
	case SF_WEV_AFTER:
	case SF_WEV_CLOSED:
		if (!ev->fired)
			prop_run__at(r, ev->step, ev->index, ev->plausible);
		return prop_run__after(r, ev, ev->fx, ev->nfx, ev->overflow);
	}
	return r->failed ? PROP_FAIL : PROP_PASS;
}

enum prop_res prop_run__end(struct prop_run *r, __u64 hash, __u64 hash_again)
{
	struct prop_ctx c = {.model = &r->model, .maps = &r->maps, .why = &r->why};
	enum prop_res res;

	if (r->failed)
		return PROP_FAIL;
	c.hash[0] = hash;
	c.hash[1] = hash_again;
	for (unsigned int i = 0; i < prop_count(); i++) {
		const struct prop_def *p = prop_at(i);

		if (!prop_is_enabled(p) || !(p->flags & PROP_F_AT_END))
			continue;
		res = record(r, p, p->check(&c), NULL);
		if (res != PROP_PASS)
			return res;
	}
	return PROP_PASS;
}

const struct prop_def *prop_run__failure(const struct prop_run *r, const char **diff)
{
	if (diff)
		*diff = r->diff;
	return r->failed;
}

unsigned long long prop_run__checks(const struct prop_run *r)
{
	return r->checks;
}

void prop_fx__scan(struct prop_fx *fx, const struct prop_maps *maps, const struct host_effect *list,
		   unsigned int n, bool overflow)
{
	memset(fx, 0, sizeof(*fx));
	fx->list = list;
	fx->n = n;
	fx->overflow = overflow;
	for (unsigned int i = 0; i < n; i++) {
		const struct host_effect *e = &list[i];

		switch (e->kind) {
		case HOST_FX_RING_SUBMIT:
			fx->ring_submit++;
			fx->probe_submit += e->map == maps->probe;
			fx->auth_submit += e->map == maps->auth_req;
			break;
		case HOST_FX_RING_DROP:
			fx->ring_drop++;
			fx->probe_drop += e->map == maps->probe;
			fx->auth_drop += e->map == maps->auth_req;
			fx->log_drop += maps->log && e->map == maps->log;
			break;
		case HOST_FX_MAP_UPDATE:
			fx->update_failed += e->rc < 0;
			fx->manage_changes += e->map == maps->manage && !e->rc;
			fx->auth_res_update += e->map == maps->auth_res;
			break;
		case HOST_FX_MAP_DELETE:
			fx->delete_failed += e->rc < 0 && e->rc != -ENOENT;
			fx->manage_changes += e->map == maps->manage && !e->rc;
			fx->auth_res_delete += e->map == maps->auth_res;
			break;
		case HOST_FX_SOCKHASH_UPDATE:
			fx->sockhash_update++;
			fx->update_failed += e->rc < 0;
			break;
		case HOST_FX_CB_FLAGS_SET:
			fx->cb_flags_set++;
			fx->cb_flags_failed += e->rc != 0;
			break;
		case HOST_FX_STORAGE_CREATE:
			fx->storage_create++;
			break;
		}
	}
}
