// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * robust.c: the properties every input must satisfy, kernel-producible or
 * not: returns_zero and deterministic (SPEC §8.10), and
 * maps_bounded_no_partial_state (§8.9).
 */
#include "props/props_internal.h"

/* §8.10: the program returns 0 on every path. */
enum prop_res prop_returns_zero(struct prop_ctx *c)
{
	if (!c->ev->fired)
		return PROP_SKIP;
	if (c->ev->ret == 0)
		return PROP_PASS;
	return prop_fail(c, "the program returned %d; SPEC §1 says 0 on every path", c->ev->ret);
}

/* §8.10: same input, same state. The executor hashes the final state of two
 * runs of one input. */
enum prop_res prop_deterministic(struct prop_ctx *c)
{
	if (c->hash[0] == c->hash[1])
		return PROP_PASS;
	return prop_fail(
		c, "two runs of the same input end in different states: hash %#llx, then %#llx",
		(unsigned long long)c->hash[0], (unsigned long long)c->hash[1]);
}

/* Map B within its max_entries (a ring: bytes in use). */
static enum prop_res check_bound(struct prop_ctx *c, const struct prop_bounded *b)
{
	if (b->ring && host_ring__used(b->map) > b->max)
		return prop_fail(c, "ring %s uses %llu bytes, more than its %u",
				 host_map__name(b->map),
				 (unsigned long long)host_ring__used(b->map), b->max);
	if (!b->ring && host_map__count(b->map) > b->max)
		return prop_fail(c, "%s holds %u entries, more than its max_entries %u",
				 host_map__name(b->map), host_map__count(b->map), b->max);
	return PROP_PASS;
}

/* Every map of the program, SPEC's or its own, within its size. Only an
 * update, a sockhash insert or a ring submit that succeeded can grow a map,
 * and each is journaled: the maps the event's journal grew are checked
 * (every map when the journal overflowed), not every map after every event. */
static enum prop_res check_bounds(struct prop_ctx *c)
{
	const struct prop_maps *m = c->maps;
	enum prop_res res = PROP_PASS;

	if (c->fx->overflow) {
		for (unsigned int i = 0; i < m->nbounded && res == PROP_PASS; i++)
			res = check_bound(c, &m->bounded[i]);
		return res;
	}
	for (unsigned int k = 0; k < c->fx->n && res == PROP_PASS; k++) {
		const struct host_effect *e = &c->fx->list[k];

		if (e->rc || (e->kind != HOST_FX_MAP_UPDATE && e->kind != HOST_FX_SOCKHASH_UPDATE &&
			      e->kind != HOST_FX_RING_SUBMIT))
			continue;
		for (unsigned int i = 0; i < m->nbounded; i++)
			if (m->bounded[i].map == e->map) {
				res = check_bound(c, &m->bounded[i]);
				break;
			}
	}
	return res;
}

/* Every successful reservation must be submitted or discarded before the
 * program returns: an open one blocks the consumer forever. A failed
 * reservation or output is journaled as a drop; a successful output as a
 * submit without a submit call. */
static enum prop_res check_reservations(struct prop_ctx *c)
{
	__u64 taken = prop_calls_delta(c, HOST_H_RINGBUF_RESERVE) +
		      prop_calls_delta(c, HOST_H_RINGBUF_OUTPUT);
	__u64 closed =
		c->fx->ring_drop + c->fx->ring_submit + prop_calls_delta(c, HOST_H_RINGBUF_DISCARD);

	if (taken == closed)
		return PROP_PASS;
	return prop_fail(c,
			 "%llu ring reservations or outputs but %llu dropped, submitted or"
			 " discarded: a reservation was left open (partial state)",
			 (unsigned long long)taken, (unsigned long long)closed);
}

/* Each counter of SPEC §7 against the failures the journal shows (the auth
 * request drop belongs to auth_request_accounted). */
static enum prop_res check_counters(struct prop_ctx *c)
{
	const struct prop_fx *fx = c->fx;
	const struct {
		enum km_counter id;
		unsigned int want;
		const char *what;
	} rows[] = {
		{KM_CNT_PROBE_DROPPED, fx->probe_drop, "probe reports dropped (km_tcp_probe full)"},
		{KM_CNT_MAP_UPDATE_FAILED, fx->update_failed,
		 "map and sockhash updates that failed"},
		{KM_CNT_MAP_DELETE_FAILED, fx->delete_failed, "deletes that failed (not ENOENT)"},
		{KM_CNT_CB_FLAGS_FAILED, fx->cb_flags_failed,
		 "bpf_sock_ops_cb_flags_set calls that returned non-zero"},
		{KM_CNT_LOG_DROPPED, fx->log_drop, "log records dropped (km_log full)"},
	};

	for (unsigned int i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		__u64 moved = prop_counter_delta(c, rows[i].id);

		if (moved != rows[i].want)
			return prop_fail(
				c,
				"km_counters[%d] moved by %lld, but the journal shows %u %s:"
				" a failed helper must be counted exactly once",
				rows[i].id, (long long)moved, rows[i].want, rows[i].what);
	}
	return PROP_PASS;
}

/* §8.9: maps never exceed their size; a failed helper (map full, ring full,
 * storage allocation) never leaves a partial state and is always counted. */
enum prop_res prop_maps_bounded_no_partial_state(struct prop_ctx *c)
{
	enum prop_res res;

	if (!c->ev->fired)
		return PROP_SKIP;
	res = check_bounds(c);
	if (res == PROP_PASS && c->maps->has_counters) /* else the journal is what shows */
		res = check_counters(c);
	if (res == PROP_PASS)
		res = check_reservations(c);
	return res;
}
