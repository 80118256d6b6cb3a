// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * auth.c: the authorization requests (SPEC §8.8) and their cleanup (§8.1).
 */
#include "props/props_internal.h"

/* §8.8: each auth request matches exactly one managed, non-skipped passive
 * establish, or that establish counted it as dropped; nothing else pushes or
 * counts one. */
enum prop_res prop_auth_request_accounted(struct prop_ctx *c)
{
	const struct prop_fx *fx = c->fx;
	unsigned int want = c->exp->want_auth_req, got = fx->auth_submit + fx->auth_drop;
	__u64 counted = prop_counter_delta(c, KM_CNT_AUTH_REQ_DROPPED);

	if (!c->ev->fired)
		return PROP_SKIP;
	if (got != want && !c->exp->gated)
		return prop_fail(c, "%u auth requests (%u pushed, %u dropped) where %u is due: %s",
				 got, fx->auth_submit, fx->auth_drop, want,
				 want ? "a managed passive establish whose peer is not skipped must"
					" ask user space to authorize it"
				      : "only a managed passive establish whose peer is not skipped"
					" may ask");
	/* Without counters the drop is what the journal shows (the ring's fill). */
	if (c->maps->has_counters && counted != fx->auth_drop)
		return prop_fail(c,
				 "%u auth requests were dropped (km_auth_req full) but"
				 " km_counters[AUTH_REQ_DROPPED] moved by %lld: nothing may be lost"
				 " silently",
				 fx->auth_drop, (long long)counted);
	return PROP_PASS;
}

/* §8.1: after the close of a socket that asked for STATE_CB, km_auth_res has
 * no entry under the key user space and XDP write for that socket: its
 * reverse tuple (src = remote), host-order ports, zero-padded IPv4 view for
 * IPv4 and IPv4-mapped sockets (§4). A socket the spec says must have asked
 * (a managed establish whose request did not fail) is held to it even when
 * its close ran no program. Needs a kernel-producible run: STATE_CB then
 * fires exactly for sockets that asked, on their way to CLOSE. */
enum prop_res prop_close_clears_auth(struct prop_ctx *c)
{
	const struct sf_world_event *ev = c->ev;
	const struct host_sock *s = ev->sock;
	struct bpf_sock_tuple key;
	bool asked = s->id < HOST_MAX_SOCKS && c->model->socks[s->id].asked_state_cb;
	const __u32 *verdict;

	if (ev->op != BPF_SOCK_OPS_STATE_CB || ev->args[1] != KM_TCP_CLOSE || c->exp->gated)
		return PROP_SKIP;
	if (!ev->fired && !asked)
		return PROP_SKIP; /* never managed: its auth state is not the program's */
	model_tuple(s, false, &key);
	verdict = host_map__lookup(c->maps->auth_res, &key);
	/* The kernel failed the delete (-EBUSY): the verdict stays, and the
	 * program must count and log that (maps_bounded_no_partial_state). */
	if (verdict && ev->fired && prop_faulted(c, HOST_H_MAP_DELETE))
		return PROP_PASS;
	if (!ev->fired && verdict)
		prop_fail(c,
			  "the socket should have asked for STATE_CB at its managed establish"
			  " but its close ran no program (cb_flags %#x), so its verdict stays",
			  s->cb_flags);
	else if (verdict)
		prop_fail(c, "after the close km_auth_res still holds verdict %u for the socket",
			  *verdict);
	else if (!ev->fired)
		return prop_fail(c,
				 "the socket should have asked for STATE_CB at its managed"
				 " establish, but its close ran no program (cb_flags %#x)",
				 s->cb_flags);
	else
		return PROP_PASS;
	fmt_add(c->why, "\n  key as user space and XDP write it:\n    ");
	fmt_tuple(c->why, &key, false);
	return PROP_FAIL;
}

/* §1 ops 4 and 5, step 2 (what §8.1 rests on): an observed establish asks
 * for exactly BPF_SOCK_OPS_STATE_CB_FLAG, once, so that its close reaches the
 * program; no other event asks (unmanaged_never_observed says so for the
 * rest). */
enum prop_res prop_managed_establish_requests_state_cb(struct prop_ctx *c)
{
	const struct prop_fx *fx = c->fx;

	if (!prop_ran(c) || !c->exp->want_cb_flags)
		return PROP_SKIP;
	if (fx->cb_flags_set != 1)
		return prop_fail(c,
				 "%u STATE_CB requests where a managed establish makes exactly one",
				 fx->cb_flags_set);
	for (unsigned int i = 0; i < fx->n; i++) {
		const struct host_effect *e = &fx->list[i];

		if (e->kind == HOST_FX_CB_FLAGS_SET && e->arg != BPF_SOCK_OPS_STATE_CB_FLAG)
			return prop_fail(c,
					 "the establish asked for cb flags %#llx, not exactly"
					 " STATE_CB (%#x)",
					 (unsigned long long)e->arg, BPF_SOCK_OPS_STATE_CB_FLAG);
	}
	return PROP_PASS;
}

/* §1 op 10 (with §8.1): verdicts are user space's and XDP's. The program
 * never writes km_auth_res; it deletes exactly one key at a close (STATE_CB
 * to CLOSE) and none anywhere else, whether or not the key was there. */
enum prop_res prop_auth_verdicts_only_deleted_at_close(struct prop_ctx *c)
{
	const struct prop_fx *fx = c->fx;
	unsigned int want = c->exp->want_auth_delete;

	if (!prop_ran(c))
		return PROP_SKIP;
	if (fx->auth_res_update)
		return prop_fail(c,
				 "the program wrote km_auth_res %u times: only user space and"
				 " XDP write verdicts",
				 fx->auth_res_update);
	if (fx->auth_res_delete != want)
		return prop_fail(c, "%u km_auth_res deletes where %u is due: %s",
				 fx->auth_res_delete, want,
				 want ? "a close must forget the socket's verdict"
				      : "only a close (STATE_CB to CLOSE) forgets a verdict");
	return PROP_PASS;
}
