// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tuples.c: the bytes the program writes (SPEC §8.7) and the sockhash it
 * keys with them (§8.5).
 */
#include <string.h>
#include "props/props_internal.h"

/* The view rule of §8.7 (type IPv4 iff bytes 12..35 are zero), explained when
 * TP of type TYPE breaks it. */
static void explain_view(struct prop_ctx *c, __u32 type, const struct bpf_sock_tuple *tp)
{
	static const __u8 zero[sizeof(*tp) - 12];
	bool zero_tail = !memcmp((const __u8 *)tp + 12, zero, sizeof(zero));

	if ((type == KM_TUPLE_IPV4) != zero_tail)
		fmt_add(c->why,
			"  type %u (%s) but bytes 12..35 are %s: type IPv4 must mean a"
			" zero-padded IPv4 view\n",
			type, type == KM_TUPLE_IPV4 ? "IPv4" : "IPv6",
			zero_tail ? "zero" : "not zero");
}

static enum prop_res check_auth_req(struct prop_ctx *c, const struct host_effect *e)
{
	struct km_auth_req want, got = {0};

	model_auth_request(c->ev->sock, &want);
	if (e->size == sizeof(want) && !memcmp(e->data, &want, sizeof(want)))
		return PROP_PASS;
	memcpy(&got, e->data, e->size < sizeof(got) ? e->size : sizeof(got));
	prop_fail(c,
		  "auth request (%u bytes) differs from the reverse tuple of the socket"
		  " (src = remote, host-order ports, SPEC §4):\n",
		  e->size);
	explain_view(c, got.type, &got.tuple);
	fmt_auth_req_diff(c->why, &want, e->data, e->size);
	return PROP_FAIL;
}

static enum prop_res check_probe(struct prop_ctx *c, const struct host_effect *e)
{
	static const struct sock_storage_data none;
	const struct sock_storage_data *st;
	struct km_probe_rec want, got = {0};

	st = host_sk_storage__get(c->maps->storage, c->ev->sock, false);
	model_probe_record(c->ev->sock, st ? st : &none, c->ev->op, host_clock__now(), &want);
	if (e->size == sizeof(want) && !memcmp(e->data, &want, sizeof(want)))
		return PROP_PASS;
	memcpy(&got, e->data, e->size < sizeof(got) ? e->size : sizeof(got));
	prop_fail(c,
		  "probe record (%u bytes) differs from what the socket and its storage"
		  " define (SPEC §5; every byte from the socket or zero, never from the ring):\n",
		  e->size);
	explain_view(c, got.type, &got.tuple);
	fmt_probe_diff(c->why, &want, e->data, e->size);
	return PROP_FAIL;
}

static enum prop_res check_cleanup_key(struct prop_ctx *c, const struct host_effect *e)
{
	struct bpf_sock_tuple want;
	enum km_tuple_type type = model_tuple(c->ev->sock, false, &want);

	if (!memcmp(e->key, &want, sizeof(want)))
		return PROP_PASS;
	prop_fail(c, "the close deleted a km_auth_res key other than the one user space and XDP"
		     " write for this socket (reverse tuple, host-order ports, zero-padded IPv4"
		     " view):\n");
	explain_view(c, type, e->key);
	fmt_tuple_diff(c->why, &want, e->key, false);
	return PROP_FAIL;
}

/* §8.7: every record and key the program writes is total and canonical: the
 * auth request and the probe record equal, byte for byte, what SPEC §4-5
 * build from the socket (so no byte comes from earlier ring memory, which the
 * host poisons), and the cleanup key equals the key XDP writes for the first
 * packet arriving at the socket. */
enum prop_res prop_tuples_canonical(struct prop_ctx *c)
{
	enum prop_res res = PROP_PASS;

	if (!prop_ran(c))
		return PROP_SKIP;
	for (unsigned int i = 0; i < c->fx->n && res == PROP_PASS; i++) {
		const struct host_effect *e = &c->fx->list[i];

		if (e->kind == HOST_FX_RING_SUBMIT && e->map == c->maps->auth_req)
			res = check_auth_req(c, e);
		else if (e->kind == HOST_FX_RING_SUBMIT && e->map == c->maps->probe)
			res = check_probe(c, e);
		else if (e->kind == HOST_FX_MAP_DELETE && e->map == c->maps->auth_res)
			res = check_cleanup_key(c, e);
	}
	return res;
}

/* §8.5: a km_socket entry is made exactly for a managed outbound full socket
 * whose storage user space set via_waypoint on, under its forward tuple with
 * network-order ports, naming that socket. Only the environment may make the
 * update fail (an injected fault, a map full, a socket that is not TCP). */
enum prop_res prop_waypoint_only_managed_outbound(struct prop_ctx *c)
{
	const struct host_effect *e = NULL;
	struct bpf_sock_tuple want;
	struct host_sock *s = c->ev->sock;

	if (!prop_ran(c))
		return PROP_SKIP;
	if (c->fx->sockhash_update != c->exp->want_sockhash)
		return prop_fail(c,
				 "%u km_socket updates where %u is due (managed %s, outbound %s,"
				 " storage %s, via_waypoint set by user space %s)",
				 c->fx->sockhash_update, c->exp->want_sockhash,
				 c->exp->managed ? "yes" : "no",
				 c->exp->op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB ? "yes" : "no",
				 c->exp->had_storage ? "yes" : "no",
				 s->id < HOST_MAX_SOCKS && c->model->socks[s->id].via_waypoint
					 ? "yes"
					 : "no");
	for (unsigned int i = 0; i < c->fx->n && !e; i++)
		if (c->fx->list[i].kind == HOST_FX_SOCKHASH_UPDATE)
			e = &c->fx->list[i];
	if (!e) /* none due, none made */
		return PROP_PASS;
	model_forward_tuple(s, &want);
	if (e->map != c->maps->socket || e->sock != s || memcmp(e->key, &want, sizeof(want))) {
		prop_fail(c, "the waypoint socket must join km_socket under its forward tuple"
			     " (src = local, network-order ports):\n");
		fmt_tuple_diff(c->why, &want, e->key, true);
		return PROP_FAIL;
	}
	if (e->rc && !prop_faulted(c, HOST_H_SOCK_HASH_UPDATE) && s->is_tcp &&
	    host_map__count(c->maps->socket) < host_map__max_entries(c->maps->socket))
		return prop_fail(c,
				 "the km_socket update failed with %ld although nothing made it"
				 " fail",
				 e->rc);
	if (!e->rc && host_sockhash__lookup(c->maps->socket, &want) != s)
		return prop_fail(c, "the km_socket update succeeded but the entry does not name"
				    " the socket");
	return PROP_PASS;
}
