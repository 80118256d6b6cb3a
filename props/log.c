// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * log.c: the structured log (SPEC §1, §7): which records an event must write
 * to km_log, from the helper failures its journal shows and log_level. A
 * record is a level, a site and the helper's result (struct km_log_rec);
 * nothing here parses text.
 */
#include <errno.h>
#include <string.h>
#include "props/props_internal.h"

/* The record a failed effect E calls for, if any (SPEC §1: a failed
 * bpf_sock_ops_cb_flags_set, a failed sockhash update and an auth_res delete
 * failing other than with ENOENT are errors; enrolment failures likewise; a
 * full auth ring loses a request, an error; a full probe ring a report, a
 * warning). */
static bool log_due(const struct prop_maps *m, const struct host_effect *e, struct km_log_rec *rec)
{
	bool del_failed = e->rc < 0 && e->rc != -ENOENT;

	*rec = (struct km_log_rec){.level = KM_LOG_ERR, .arg = e->rc};
	switch (e->kind) {
	case HOST_FX_CB_FLAGS_SET:
		rec->site = KM_LOG_CB_FLAGS_SET;
		return e->rc != 0;
	case HOST_FX_SOCKHASH_UPDATE:
		rec->site = KM_LOG_SOCKHASH_UPDATE;
		return e->rc < 0;
	case HOST_FX_MAP_UPDATE:
		rec->site = KM_LOG_MANAGE_UPDATE;
		return e->rc < 0 && e->map == m->manage;
	case HOST_FX_MAP_DELETE:
		rec->site = e->map == m->manage ? KM_LOG_MANAGE_DELETE : KM_LOG_AUTH_DELETE;
		return del_failed && (e->map == m->manage || e->map == m->auth_res);
	case HOST_FX_RING_DROP:
		rec->arg = 0;
		if (e->map == m->auth_req) {
			rec->site = KM_LOG_AUTH_RING_FULL;
			return true;
		}
		rec->level = KM_LOG_WARN;
		rec->site = KM_LOG_PROBE_RING_FULL;
		return e->map == m->probe;
	default:
		return false;
	}
}

static void fmt_log_rec(struct fmt_text *t, const struct km_log_rec *r)
{
	fmt_add(t, "level %u, site %u, arg %lld", r->level, r->site, (long long)r->arg);
}

/* §7: walking the journal in order, each failure whose record's level is at
 * most log_level calls for one record, written to km_log or dropped (a full
 * log ring, counted by maps_bounded_no_partial_state), before the next
 * record; no other record is written. */
enum prop_res prop_logs_as_specified(struct prop_ctx *c)
{
	const struct prop_maps *m = c->maps;
	const struct prop_fx *fx = c->fx;
	struct km_log_rec due[HOST_JOURNAL_MAX], got;
	unsigned int head = 0, tail = 0;

	if (!prop_ran(c))
		return PROP_SKIP;
	for (unsigned int i = 0; i < fx->n; i++) {
		const struct host_effect *e = &fx->list[i];

		if (e->map == m->log) {
			if (e->kind != HOST_FX_RING_SUBMIT && e->kind != HOST_FX_RING_DROP)
				continue;
			if (head == tail)
				return prop_fail(c,
						 "a km_log record %s (effect %u) that no failed"
						 " helper of the event calls for at log_level %u",
						 e->kind == HOST_FX_RING_DROP ? "dropped"
									      : "written",
						 i, c->model->log_level);
			if (e->kind == HOST_FX_RING_SUBMIT) {
				memset(&got, 0, sizeof(got));
				memcpy(&got, e->data,
				       e->size < sizeof(got) ? e->size : sizeof(got));
				if (e->size != sizeof(got) ||
				    memcmp(&got, &due[head], sizeof(got))) {
					prop_fail(c, "km_log record (effect %u, %u bytes): want ",
						  i, e->size);
					fmt_log_rec(c->why, &due[head]);
					fmt_add(c->why, "; got ");
					fmt_log_rec(c->why, &got);
					return PROP_FAIL;
				}
			}
			head++;
			continue;
		}
		if (log_due(m, e, &due[tail]) && due[tail].level <= c->model->log_level)
			tail++;
	}
	if (head == tail)
		return PROP_PASS;
	prop_fail(c, "%u km_log records missing (log_level %u); the first due: ", tail - head,
		  c->model->log_level);
	fmt_log_rec(c->why, &due[head]);
	return PROP_FAIL;
}
