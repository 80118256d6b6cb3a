// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * connect.c: the life of a connection in the kernel (world.h): connect()
 * and the handshake a listener answers, a RST answers or the socket answers
 * itself, then close() and the FIN sequence, or a RST. The callbacks of each
 * are kernel_table.c's phases; this file decides which phase runs, on which
 * sockets, and frees them once the kernel is done.
 */
#include <string.h>
#include "world/world_internal.h"

/* close() of a listener: it closes, then each child still queued is
 * disconnected (inet_csk_listen_stop) and its client reset. */
static void close_listener(struct sf_world *w, struct ep *l)
{
	struct ep *child;

	if (l->sock->state != BPF_TCP_CLOSE)
		world_run_phase(w, PH_CLOSE_LISTENER, l->sock, NULL);
	while ((child = ep_queue_pop(w, l)))
		ep_abort(w, child);
	ep_reap(w, l);
}

void ep_abort(struct sf_world *w, struct ep *e)
{
	struct ep *peer = ep_at(w, e->peer);

	/* A listener, whatever a raw step made of its state, takes its queue along. */
	if (e->listening) {
		close_listener(w, e);
		return;
	}
	if (e->sock->state != BPF_TCP_CLOSE)
		world_run_phase(w, PH_ABORT, e->sock, sock_of(peer));
	ep_reap(w, e);
	ep_reap(w, peer);
}

void ep_close(struct sf_world *w, struct ep *e)
{
	struct ep *peer = ep_at(w, e->peer);
	bool peer_alive = peer && peer->sock->state != BPF_TCP_CLOSE;

	if (e->listening) {
		close_listener(w, e);
		return;
	}
	switch (e->sock->state) {
	case BPF_TCP_CLOSE:
		break;
	case BPF_TCP_ESTABLISHED:
	case BPF_TCP_SYN_RECV:
		if (peer == e) {
			world_run_phase(w, PH_CLOSE_SELF, e->sock, NULL);
			break;
		}
		if (!peer_alive) {
			/* Nobody acknowledges the FIN: retransmissions end in a reset. */
			world_run_phase(w, PH_ABORT, e->sock, NULL);
			break;
		}
		world_run_phase(w, PH_CLOSE, e->sock, peer->sock);
		break;
	case BPF_TCP_CLOSE_WAIT:
		world_run_phase(w, PH_CLOSE_PASSIVE, e->sock, sock_of(peer));
		break;
	default: /* states only a raw step sets */
		ep_abort(w, e);
		return;
	}
	ep_reap(w, e);
	ep_reap(w, peer);
}

void slot_abort(struct sf_world *w, unsigned int slot)
{
	struct ep *e = ep_at(w, w->slot_ep[slot]);

	if (!e)
		return;
	slot_release(w, e);
	ep_abort(w, e);
}

/* The server side of a SYN from CLIENT that reached listener L. */
static void accept_syn(struct sf_world *w, struct ep *client, struct ep *l)
{
	struct host_sock *c = client->sock, *req, *child_sock;
	struct sf_addr caddr = sock_local(c), saddr;
	__u32 family = l->sock->family;
	struct ep *child;
	__u64 cookie;

	/* The server sees the client's address in its own family: an AF_INET6
	 * listener sees an IPv4 client IPv4-mapped. */
	if (c->family == KM_AF_INET6)
		memcpy(&saddr, c->remote_ip6, sizeof(saddr));
	else
		saddr = lo_addr4(c->remote_ip4);

	req = host_sock__new();
	if (!req)
		return;
	world_emit(w, &(struct sf_world_event){.kind = SF_WEV_SOCK_NEW, .sock = req});
	sock_set(req, family, &saddr, c->remote_port, &caddr, c->local_port);
	sock_set_v6_peer_view(req);
	req->fullsock = false;
	req->state = BPF_TCP_NEW_SYN_RECV;
	world_run_phase(w, PH_SYN, req, NULL);
	cookie = req->cookie;
	host_sock__free(req);

	/* The SYN-ACK arrives a round trip after the connect. */
	host_clock__advance(LO_RTT_US * 1000ull);
	tp_established(c, 1, 1);
	world_run_phase(w, PH_SYNACK, c, NULL);

	child = ep_new(w);
	if (!child || w->stopped)
		return;
	child_sock = child->sock;
	/* inet_csk_clone_lock(): the child takes the request socket's cookie. */
	child_sock->cookie = cookie;
	sock_set(child_sock, family, &saddr, c->remote_port, &caddr, c->local_port);
#ifdef SF_WORLD_PERTURB
	if (sf_world_perturb == SF_PERTURB_CHILD_AF_INET && family == KM_AF_INET6 &&
	    lo_addr_is_v4mapped(&caddr))
		sock_set(child_sock, KM_AF_INET, &saddr, c->remote_port, &caddr, c->local_port);
	if (sf_world_perturb == SF_PERTURB_CHILD_PORT)
		child_sock->remote_port++;
#endif
	sock_set_v6_peer_view(child_sock);
	tp_new(child_sock);
	/* sk_clone_lock() copies the listener, bpf_sock_ops_cb_flags included. */
	child_sock->cb_flags = l->sock->cb_flags;
	tp_established(child_sock, 2, 1);
	child->peer = link_of(w, client);
	client->peer = link_of(w, child);
	ep_queue_push(w, l, child);
	world_run_phase(w, PH_ACK, child_sock, NULL);
}

/* Resolve an endpoint as connect() and bind() would; false when refused
 * before any callback. */
static bool resolve(__u32 family, struct sf_addr *local, struct sf_addr *remote)
{
	if (family != KM_AF_INET && family != KM_AF_INET6)
		return false;
	/* tcp_v6_connect(): an IPv4-mapped peer needs an IPv4(-mapped) source
	 * and a native IPv6 one a native IPv6 source (:: is either). */
	if (!lo_addr_is_zero(local) && !lo_addr_is_zero(remote) &&
	    lo_addr_is_v4mapped(local) != lo_addr_is_v4mapped(remote))
		return false;
	if (!lo_addr_bindable(local))
		return false;
	/* inet_bind(): a multicast or broadcast address binds, but the source is
	 * then picked at connect() as for an unbound socket. */
	if (lo_addr_is_v4_mbcast(local))
		local->w[3] = 0;
	if (lo_addr_is_any(remote)) {
		if (lo_addr_is_v4mapped(
			    remote)) /* ip_route_connect(): to the source, or 127.0.0.1 */
			*remote = lo_addr_is_any(local) ? lo_loopback4 : *local;
		else /* tcp_v6_connect(): ::1, or 127.0.0.1 from an IPv4-mapped source */
			*remote = lo_addr_is_v4mapped(local) ? lo_loopback4 : lo_loopback6;
	}
	if (lo_addr_is_any(local))
		*local = lo_pick_source(remote);
	return lo_addr_connectable(remote) &&
	       lo_addr_is_v4mapped(local) == lo_addr_is_v4mapped(remote);
}

struct ep *world_connect(struct sf_world *w, int slot, __u32 family, struct sf_addr local,
			 __u16 lport, struct sf_addr remote, __u16 rport, bool waypoint)
{
	struct sf_addr bound = local; /* what bind() gets */
	struct ep *e, *l, *stale;

	if (slot >= 0)
		slot_abort(w, slot);
	if (w->stopped || !resolve(family, &local, &remote))
		return NULL;
	if (lport && port_taken(w, &bound, lport, false))
		return NULL; /* bind(): EADDRINUSE */
	if (!lport)
		lport = pick_port(w, &local);
	if (!lport || tuple_taken(w, &local, lport, &remote, rport))
		return NULL;
#ifdef SF_WORLD_PERTURB
	if (sf_world_perturb == SF_PERTURB_SOURCE_ADDR)
		local.w[3] = LO_BE32(LO_BE32(local.w[3]) + 1);
#endif
	e = ep_new(w);
	if (!e)
		return NULL;
	sock_set(e->sock, family, &local, lport, &remote, rport);
	tp_new(e->sock);
	if (slot >= 0)
		slot_take(w, slot, e);
	if (slot >= 0 && w->storage) {
		/* Kmesh's cgroup connect hook, before the connect: storage with
		 * connect_ns = now, and through a waypoint the original
		 * destination (network-order port) and via_waypoint. The CNI's
		 * control connects (SLOT < 0) are enrolment: the hook leaves them. */
		struct sock_storage_data *st = host_sk_storage__get(w->storage, e->sock, true);

		if (!st)
			return NULL;
		sf_world_connect_ns(st, host_clock__now());
		if (waypoint)
			sf_world_orig_dst(st, family, &remote, rport, 1);
		world_emit(w, &(struct sf_world_event){
				      .kind = SF_WEV_STORAGE, .sock = e->sock, .value = waypoint});
	}
	world_run_phase(w, PH_CONNECT, e->sock, NULL);
	stale = find_stale(w, &local, lport, &remote, rport);
	if (stale && stale != e) {
		world_run_phase(w, PH_SYN_TO_STALE, e->sock, stale->sock);
		ep_reap(w, stale);
	}
	l = find_listener(w, &remote, rport);
	if (l) {
		accept_syn(w, e, l);
	} else if (lport == rport && lo_addr_eq(&local, &remote)) {
		tp_established(e->sock, 2, 2);
		e->peer = link_of(w, e);
		world_run_phase(w, PH_SELF_OPEN, e->sock, NULL);
	} else {
		world_run_phase(w, PH_REFUSED, e->sock, NULL);
		/* ECONNREFUSED: the application closes the socket. */
		if (e->slot)
			slot_release(w, e);
	}
	ep_reap(w, e);
	return e->sock ? e : NULL;
}
