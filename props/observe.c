// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * observe.c: which events may observe or track a socket at all (SPEC §8.2,
 * §8.6) and when exactly a probe report is due (§5).
 */
#include "props/props_internal.h"

static enum prop_res fail_observed(struct prop_ctx *c, const char *why)
{
	const struct prop_fx *fx = c->fx;

	return prop_fail(c,
			 "%s, yet the program observed it: %u reports (%u dropped), %u auth"
			 " requests (%u dropped), %u sockhash updates, %u STATE_CB requests, %u"
			 " storage creations",
			 why, fx->probe_submit + fx->probe_drop, fx->probe_drop,
			 fx->auth_submit + fx->auth_drop, fx->auth_drop, fx->sockhash_update,
			 fx->cb_flags_set, fx->storage_create);
}

/* §8.2: no establish report, auth request, sockhash entry, storage or STATE_CB
 * request for a socket whose local address was not managed at its establish;
 * and none at all from events other than establish (ops 4, 5) and the close
 * (STATE_CB to CLOSE, whose report probe_reports_as_specified checks). */
enum prop_res prop_unmanaged_never_observed(struct prop_ctx *c)
{
	const struct model_expect *e = c->exp;

	if (!prop_ran(c))
		return PROP_SKIP;
	if (e->establish ? e->managed : e->close)
		return PROP_PASS;
	if (!prop_fx_observations(c->fx))
		return PROP_PASS;
	if (e->establish) {
		struct manager_key key;

		model_manage_key(c->ev->sock, &key);
		fail_observed(c, "the local address is not enrolled");
		fmt_add(c->why, " (its km_manage key ");
		fmt_manager_key(c->why, &key);
		fmt_add(c->why, " was not set by any control connect)");
		return PROP_FAIL;
	}
	return fail_observed(c, "this op neither establishes nor closes a connection");
}

/* §8.6 and §3: a passive establish whose peer is node_ip or pod_gateway
 * (compared in one family) gets no probe, auth request, storage or STATE_CB;
 * and only such a peer is skipped: a managed passive establish of any other
 * peer is observed (it asks for STATE_CB or pushes its auth request). */
enum prop_res prop_skipped_peer_gets_nothing(struct prop_ctx *c)
{
	const struct prop_fx *fx = c->fx;

	if (!prop_ran(c) || c->exp->op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		return PROP_SKIP;
	if (!c->exp->skipped) {
		if (!c->exp->managed || fx->cb_flags_set || fx->auth_submit || fx->auth_drop)
			return PROP_PASS;
		return prop_fail(c,
				 "a managed passive establish whose peer is neither node_ip nor"
				 " pod_gateway (compared within one family, SPEC §3) was skipped:"
				 " no STATE_CB request, no auth request");
	}
	if (!prop_fx_observations(fx))
		return PROP_PASS;
	return fail_observed(c, "the peer is node_ip or pod_gateway");
}

/* Why a report is (not) due, for a failure. */
static void explain_report(struct prop_ctx *c)
{
	const struct model_expect *e = c->exp;

	fmt_add(c->why,
		"\n  managed %s, observed %s, close %s, enable_monitoring %u, full TCP"
		" socket %s, storage before the event %s, storage allocation failed %s",
		e->managed ? "yes" : "no", e->observed ? "yes" : "no", e->close ? "yes" : "no",
		c->model->monitoring, c->ev->sock->fullsock && c->ev->sock->is_tcp ? "yes" : "no",
		e->had_storage ? "yes" : "no",
		prop_faulted(c, HOST_H_SK_STORAGE_GET) ? "yes (injected)" : "no");
}

/* After an observed establish the storage says so (§5): its direction,
 * connect_success = 1, and for inbound connect_ns = now. */
static enum prop_res check_storage(struct prop_ctx *c)
{
	const struct sock_storage_data *st;
	bool inbound = c->exp->op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB;
	__u8 dir = inbound ? KM_DIR_INBOUND : KM_DIR_OUTBOUND;

	st = host_sk_storage__get(c->maps->storage, c->ev->sock, false);
	if (!st)
		return prop_fail(c, "an observed establish with a report due left no storage");
	if (st->direction != dir || st->connect_success != 1 ||
	    (inbound && st->connect_ns != host_clock__now()))
		return prop_fail(c,
				 "after the establish the storage must say direction %u,"
				 " connect_success 1%s; it says direction %u, connect_success %u,"
				 " connect_ns %llu (now %llu)",
				 dir, inbound ? ", connect_ns now" : "", st->direction,
				 st->connect_success, (unsigned long long)st->connect_ns,
				 (unsigned long long)host_clock__now());
	return PROP_PASS;
}

/* §5 (with §8.2): exactly one probe report (pushed or counted as dropped)
 * where it is due: an observed establish or a close, monitoring on, a full TCP
 * socket with storage; storage is created only by an inbound establish (user
 * space creates outbound storage), never by op 4 or a close. */
enum prop_res prop_probe_reports_as_specified(struct prop_ctx *c)
{
	const struct model_expect *e = c->exp;
	const struct prop_fx *fx = c->fx;
	unsigned int reports = fx->probe_submit + fx->probe_drop;

	if (!prop_ran(c))
		return PROP_SKIP;
	if (fx->storage_create != e->want_storage_create) {
		prop_fail(c,
			  "%u storage creations where SPEC §5 wants %u (only a managed inbound"
			  " establish with monitoring on creates storage)",
			  fx->storage_create, e->want_storage_create);
		explain_report(c);
		return PROP_FAIL;
	}
	if (reports != (e->want_report ? 1u : 0u)) {
		prop_fail(c, "%u probe reports where SPEC §5 wants %u", reports,
			  e->want_report ? 1u : 0u);
		explain_report(c);
		return PROP_FAIL;
	}
	if (e->want_report == KM_TCP_ESTABLISHED)
		return check_storage(c);
	return PROP_PASS;
}
