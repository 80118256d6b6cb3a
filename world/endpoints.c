// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * endpoints.c: the sockets the world keeps (world_internal.h): a fixed pool
 * of them, linked by index so a reset is a memset of what the last run used,
 * the slots that hold them, the listeners' accept queues, and the lookups a
 * bind, a connect and a SYN make among them.
 */
#include <string.h>
#include "world/world_internal.h"

struct ep *ep_new(struct sf_world *w)
{
	struct ep *e;

	if (w->free_head) {
		e = ep_at(w, w->free_head);
		w->free_head = e->peer;
	} else if (w->nused < MAX_EPS) {
		e = &w->eps[w->nused++];
	} else {
		return NULL;
	}
	memset(e, 0, sizeof(*e));
	e->sock = host_sock__new();
	if (!e->sock) {
		e->peer = w->free_head;
		w->free_head = link_of(w, e);
		return NULL;
	}
	world_emit(w, &(struct sf_world_event){.kind = SF_WEV_SOCK_NEW, .sock = e->sock});
	return e;
}

void ep_reap(struct sf_world *w, struct ep *e)
{
	struct ep *peer;

	if (!e || !e->sock || e->sock->state != BPF_TCP_CLOSE || e->slot || e->listener)
		return;
	peer = ep_at(w, e->peer);
	if (peer)
		peer->peer = 0;
	host_sock__free(e->sock);
	memset(e, 0, sizeof(*e));
	e->peer = w->free_head;
	w->free_head = link_of(w, e);
}

void ep_queue_push(struct sf_world *w, struct ep *listener, struct ep *child)
{
	__u16 link = link_of(w, child);

	child->listener = link_of(w, listener);
	if (listener->qtail)
		ep_at(w, listener->qtail)->qnext = link;
	else
		listener->qhead = link;
	listener->qtail = link;
}

struct ep *ep_queue_pop(struct sf_world *w, struct ep *listener)
{
	struct ep *child = ep_at(w, listener->qhead);

	if (!child)
		return NULL;
	listener->qhead = child->qnext;
	if (!listener->qhead)
		listener->qtail = 0;
	child->qnext = 0;
	child->listener = 0;
	return child;
}

void slot_take(struct sf_world *w, unsigned int slot, struct ep *e)
{
	w->slot_ep[slot] = link_of(w, e);
	e->slot = slot + 1;
}

void slot_release(struct sf_world *w, struct ep *e)
{
	host_sock__release(e->sock);
	if (e->slot)
		w->slot_ep[e->slot - 1] = 0;
	e->slot = 0;
}

struct sf_addr sock_local(const struct host_sock *s)
{
	struct sf_addr a;

	if (s->family == KM_AF_INET)
		return lo_addr4(s->local_ip4);
	memcpy(&a, s->local_ip6, sizeof(a));
	return a;
}

struct sf_addr sock_remote(const struct host_sock *s)
{
	struct sf_addr a;

	if (s->family == KM_AF_INET)
		return lo_addr4(s->remote_ip4);
	memcpy(&a, s->remote_ip6, sizeof(a));
	return a;
}

void sock_set(struct host_sock *s, __u32 family, const struct sf_addr *local, __u16 lport,
	      const struct sf_addr *remote, __u16 rport)
{
	bool v6 = family == KM_AF_INET6;

	host_sock__set_addrs(s, family, v6 ? (const void *)local : &local->w[3], lport,
			     v6 ? (const void *)remote : &remote->w[3], rport);
}

void sock_set_v6_peer_view(struct host_sock *s)
{
	/* tcp_v6_syn_recv_sock(): inet_daddr = inet_saddr = LOOPBACK4_IPV6 */
	if (s->family == KM_AF_INET6 && !lo_addr_is_v4mapped((const struct sf_addr *)s->remote_ip6))
		s->remote_ip4 = HOST_LOOPBACK4_IPV6;
}

void sock_set_unconnected_view(struct host_sock *s)
{
	if (s->family == KM_AF_INET) {
		/* inet_bind() sets inet_rcv_saddr only: sk_v6_rcv_saddr and
		 * sk_v6_daddr stay :: until a connect sets them. */
		memset(s->local_ip6, 0, sizeof(s->local_ip6));
		memset(s->remote_ip6, 0, sizeof(s->remote_ip6));
	} else if (lo_addr_is_zero((const struct sf_addr *)s->local_ip6)) {
		s->local_ip4 = 0; /* inet6_bind() to ::: LOOPBACK4_IPV6 only for an address */
	}
}

/* A and B overlap as bound addresses: equal, or either is the wildcard (::
 * covers IPv4 too, the sockets being dual-stack; 0.0.0.0 only IPv4). */
static bool addr_overlap(const struct sf_addr *a, const struct sf_addr *b)
{
	return lo_addr_eq(a, b) || lo_addr_is_zero(a) || lo_addr_is_zero(b) ||
	       (lo_addr_is_any(a) && lo_addr_is_v4mapped(b)) ||
	       (lo_addr_is_any(b) && lo_addr_is_v4mapped(a));
}

bool port_taken(const struct sf_world *w, const struct sf_addr *addr, __u16 port, bool any)
{
	for (unsigned int i = 0; i < w->nused; i++) {
		const struct host_sock *s = w->eps[i].sock;
		struct sf_addr l;

		if (!s || s->local_port != port ||
		    (!any && !(w->eps[i].listening && s->state == BPF_TCP_LISTEN)))
			continue;
		l = sock_local(s);
		if (addr_overlap(&l, addr))
			return true;
	}
	return false;
}

bool tuple_taken(const struct sf_world *w, const struct sf_addr *local, __u16 lport,
		 const struct sf_addr *remote, __u16 rport)
{
	for (unsigned int i = 0; i < w->nused; i++) {
		const struct host_sock *s = w->eps[i].sock;
		struct sf_addr l, r;

		if (!s || w->eps[i].listening || s->state == BPF_TCP_CLOSE ||
		    s->local_port != lport || s->remote_port != rport)
			continue;
		l = sock_local(s);
		r = sock_remote(s);
		if (lo_addr_eq(&l, local) && lo_addr_eq(&r, remote))
			return true;
	}
	return false;
}

struct ep *find_stale(struct sf_world *w, const struct sf_addr *local, __u16 lport,
		      const struct sf_addr *remote, __u16 rport)
{
	for (unsigned int i = 0; i < w->nused; i++) {
		struct ep *e = &w->eps[i];
		struct sf_addr l, r;

		if (!e->sock || e->listening || e->sock->state == BPF_TCP_CLOSE ||
		    e->sock->local_port != rport || e->sock->remote_port != lport)
			continue;
		l = sock_local(e->sock);
		r = sock_remote(e->sock);
		if (lo_addr_eq(&l, remote) && lo_addr_eq(&r, local))
			return e;
	}
	return NULL;
}

__u16 pick_port(struct sf_world *w, const struct sf_addr *addr)
{
	for (unsigned int n = 0; n < MAX_EPS + 1; n++) {
		__u16 port = LO_EPHEMERAL_FIRST +
			     w->next_port++ % (LO_EPHEMERAL_LAST - LO_EPHEMERAL_FIRST + 1u);

		if (!port_taken(w, addr, port, true))
			return port;
	}
	return 0;
}

struct ep *find_listener(struct sf_world *w, const struct sf_addr *dst, __u16 port)
{
	struct ep *best = NULL;
	bool best_exact = false;
	bool v4 = lo_addr_is_v4mapped(dst);

	for (unsigned int i = 0; i < w->nused; i++) {
		struct ep *e = &w->eps[i];
		struct sf_addr l;
		bool exact, wild;

		if (!e->sock || !e->listening || e->sock->state != BPF_TCP_LISTEN ||
		    e->sock->local_port != port)
			continue;
		l = sock_local(e->sock);
		exact = lo_addr_eq(&l, dst);
		wild = e->sock->family == KM_AF_INET
			       ? v4 && lo_addr_is_any(&l)
			       : lo_addr_is_zero(&l) || (v4 && lo_addr_is_any(&l));
		if ((exact || wild) && (!best || (exact && !best_exact))) {
			best = e;
			best_exact = exact;
		}
	}
	return best;
}
