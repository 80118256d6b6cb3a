/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * props_internal.h: what the properties and their driver share: the context
 * a check reads, the journal summary, and the failure text. Only the files of props/
 * and the property tests include it.
 */
#pragma once

#if !defined(SF_MODULE_props)
#error "props/props_internal.h is props's own: include props/props.h"
#endif

#include <stdarg.h>
#include <string.h>
#include "props/props.h"
#include "props/model.h"
#include "fmt/fmt.h"

#define PROP_MAX 32 /* properties the registry may hold */

/* The steps of prop_run__event(), one per event kind; the property tests
 * drive them one by one with journals of their own. */
/* Start a run right after host_reset() and after IN's globals and faults were
 * applied: the model takes the globals, and the fault schedule is what lets
 * it tell an injected helper failure from a wrong one. Clears any failure. */
void prop_run__begin(struct prop_run *r, const struct sf_input *in);

/* Where the run is: STEP and EVENT name a failure; once PLAUSIBLE is false
 * (after a raw step) properties flagged PROP_F_PLAUSIBLE are skipped. */
void prop_run__at(struct prop_run *r, unsigned int step, unsigned int event, bool plausible);

/* SOCK was created: the model forgets whatever it knew under its id. */
void prop_run__sock_new(struct prop_run *r, const struct host_sock *sock);

/* User space created SOCK's storage (if absent) and set via_waypoint. */
void prop_run__user_storage(struct prop_run *r, const struct host_sock *sock, bool via_waypoint);

/* User space wrote global G (it now holds what host_global__ptr() shows). */
void prop_run__user_global(struct prop_run *r, enum sf_global g);

/* EV is about to run: snapshot what the checks compare against. */
void prop_run__before(struct prop_run *r, const struct sf_world_event *ev);

/*
 * EV ran (or, with EV->fired false, SOCK closed silently; then FX is ignored
 * and before() need not have been called). FX/NFX/OVERFLOW are its journal.
 * Updates the model and checks every enabled property that applies.
 * Returns PROP_PASS, or PROP_FAIL/PROP_ERROR for the first that did not hold;
 * prop_run__failure() then says which and why, and later calls do nothing.
 */
enum prop_res prop_run__after(struct prop_run *r, const struct sf_world_event *ev,
			      const struct host_effect *fx, unsigned int nfx, bool overflow);

/* Changes whenever prop_enable() switched something (never 0), so a driver
 * can keep its list of enabled checks until then. */
unsigned int prop_generation(void);

/* The maps and globals of SPEC §6-7 the checks read, looked up once. A part
 * the program lacks is NULL and its bit is clear in HAVE; counters the
 * program lacks read as zeros that never move (has_counters false). */
#define PROP_MAX_MAPS 64 /* maps of one program a property follows */

/* A record kind of SPEC §5-6 (fmt/'s FIELDS) in the program's layout (its
 * BTF struct DEF; NULL: the program has no struct of that name, its records
 * are SPEC's), resolved by name once, so that a record is read without a
 * name lookup. */
#define PROP_REC_MAX_FIELDS 32
#define PROP_REC_MAX_BYTES  256
struct fmt_field;
struct prop_layout {
	const struct host_struct_def *def;
	const struct fmt_field *fields;
	unsigned int nfields;
	/* the program's field under the name of SPEC's field I; NULL: none */
	const struct host_field_def *field[PROP_REC_MAX_FIELDS];
	__u8 covered[PROP_REC_MAX_BYTES];     /* 1 where a field of the layout lies */
	__u32 type_off, type_size, tuple_off; /* type_size 0: no type and tuple */
};

struct prop_maps {
	struct host_map *manage, *storage, *socket, *auth_res, *auth_req, *probe, *log;
	__u64 *counters; /* km_counters[KM_CNT__MAX] */
	__u32 *monitoring, *node_ip, *pod_gateway, *log_level;
	unsigned int have; /* enum prop_part */
	bool has_counters;
	/* The program's probe records and auth requests as its BTF lays
	 * them out, resolved against SPEC's fields once. */
	struct prop_layout probe_rec, auth_req_rec;
	/* Every map of the program whose size max_entries bounds, looked up
	 * once (maps_bounded_no_partial_state reads them after every event). */
	struct prop_bounded {
		const struct host_map *map;
		__u32 max;
		bool ring; /* bytes in use, not entries */
	} bounded[PROP_MAX_MAPS];
	unsigned int nbounded;
};

/* Look them all up. Returns 0. */
int prop_maps__init(struct prop_maps *m);

/* The parts of the program under test (host_init() first), looked up once. */
const struct prop_maps *prop_program_parts(void);

/* A record of the program (layout L, LEN bytes at SRC) in SPEC's layout: DST
 * (DST_SIZE bytes, whose fields L->fields name) gets each field the program
 * has under the same name, zero-extended or cut to the field's size (a value
 * cut is reported as a mismatch by the caller comparing the two); a field the
 * program lacks gets WANT's value, so it is not compared. Returns false when
 * a field of the program's is wider than SPEC's and its value does not fit. */
bool prop_record__normalize(const struct prop_layout *l, const void *src, __u32 len,
			    const void *want, void *dst, __u32 dst_size);

/* One event's journal, counted by what the properties ask about. A failed
 * effect is one whose helper returned an error. */
struct prop_fx {
	const struct host_effect *list;
	unsigned int n;
	bool overflow;			       /* more effects happened than the journal kept */
	unsigned int probe_submit, probe_drop; /* km_tcp_probe */
	unsigned int auth_submit, auth_drop;   /* km_auth_req */
	unsigned int log_drop;		       /* km_log */
	unsigned int ring_submit, ring_drop;   /* every ring */
	unsigned int manage_changes;	       /* km_manage updates and deletes that took effect */
	unsigned int update_failed;	       /* map and sockhash updates that failed */
	unsigned int delete_failed;	       /* deletes that failed other than with -ENOENT */
	unsigned int auth_res_delete, auth_res_update; /* km_auth_res, whatever the result */
	unsigned int sockhash_update;		       /* whatever the result */
	unsigned int cb_flags_set, cb_flags_failed;    /* failed: a non-zero result */
	unsigned int storage_create;
};

/* Count LIST (N effects) into FX. */
void prop_fx__scan(struct prop_fx *fx, const struct prop_maps *maps, const struct host_effect *list,
		   unsigned int n, bool overflow);

/* What held just before the program ran. */
struct prop_snap {
	__u64 counters[KM_CNT__MAX];
	__u64 calls[HOST_H__MAX];
	struct sock_storage_data storage; /* the event's socket's, when has_storage */
	bool has_storage;
};

/* The program's storage value ST of map M in SPEC's layout (the program's
 * own value may be shorter: the rest reads zero). */
static inline void prop_storage__load(struct sock_storage_data *dst, const struct host_map *m,
				      const void *st)
{
	__u32 n = host_map__value_size(m);

	if (n < sizeof(*dst))
		memset(dst, 0, sizeof(*dst));
	memcpy(dst, st, n < sizeof(*dst) ? n : sizeof(*dst));
}

/* Everything a check reads. */
struct prop_ctx {
	const struct sf_world_event *ev;
	const struct model *model;	/* after the event was committed */
	const struct model_expect *exp; /* what the event obliged the program to do */
	const struct prop_fx *fx;	/* its journal (empty when !ev->fired) */
	const struct prop_snap *pre;	/* before it ran */
	const __u64 *calls;		/* helper calls after it ran */
	const struct prop_maps *maps;	/* the state after it ran */
	bool plausible;			/* the run is still kernel-producible */
	__u64 hash[2];			/* PROP_F_AT_END: state hashes of two runs */
	struct fmt_text *why;		/* where a failure explains itself */
};

/* Explain a failure (appending to C->why) and return PROP_FAIL. Only called
 * on the failure path. */
enum prop_res prop_fail(struct prop_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Effects that observe or track a socket (SPEC §1 ops 4 and 5): reports, auth
 * requests, sockhash updates, STATE_CB requests and storage creation. */
static inline unsigned int prop_fx_observations(const struct prop_fx *fx)
{
	return fx->probe_submit + fx->probe_drop + fx->auth_submit + fx->auth_drop +
	       fx->sockhash_update + fx->cb_flags_set + fx->storage_create;
}

/* True when an injected fault made helper H fail during the event. */
static inline bool prop_faulted(const struct prop_ctx *c, enum host_helper h)
{
	return c->exp->faulted & (1u << h);
}

/* How much counter ID / helper H moved during the event. */
static inline __u64 prop_counter_delta(const struct prop_ctx *c, enum km_counter id)
{
	return c->maps->counters[id] - c->pre->counters[id];
}

static inline __u64 prop_calls_delta(const struct prop_ctx *c, enum host_helper h)
{
	return c->calls[h] - c->pre->calls[h];
}

/* The event's op, when it ran a program with a family that passes the gate. */
static inline bool prop_ran(const struct prop_ctx *c)
{
	return c->ev->fired && !c->exp->gated;
}

/* The checks (one concern per file: auth.c, observe.c, manage.c, tuples.c, robust.c). */
enum prop_res prop_close_clears_auth(struct prop_ctx *c);
enum prop_res prop_managed_establish_requests_state_cb(struct prop_ctx *c);
enum prop_res prop_auth_verdicts_only_deleted_at_close(struct prop_ctx *c);
enum prop_res prop_unmanaged_never_observed(struct prop_ctx *c);
enum prop_res prop_probe_reports_as_specified(struct prop_ctx *c);
enum prop_res prop_only_control_changes_manage(struct prop_ctx *c);
enum prop_res prop_family_gate(struct prop_ctx *c);
enum prop_res prop_waypoint_only_managed_outbound(struct prop_ctx *c);
enum prop_res prop_skipped_peer_gets_nothing(struct prop_ctx *c);
enum prop_res prop_tuples_canonical(struct prop_ctx *c);
enum prop_res prop_auth_request_accounted(struct prop_ctx *c);
enum prop_res prop_maps_bounded_no_partial_state(struct prop_ctx *c);
enum prop_res prop_returns_zero(struct prop_ctx *c);
enum prop_res prop_deterministic(struct prop_ctx *c);
enum prop_res prop_records_fully_defined(struct prop_ctx *c);
enum prop_res prop_storage_written_as_specified(struct prop_ctx *c);
enum prop_res prop_logs_as_specified(struct prop_ctx *c);
