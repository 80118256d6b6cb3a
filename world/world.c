// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * world.c: the kernel, user space and XDP around the program (world.h).
 *
 * Every address is local (all of it is loopback in one network namespace,
 * SPEC §10), so a SYN either finds a listener or is answered by a RST at
 * once, and each segment is processed before the next step. Addresses are
 * kept as struct sf_addr: IPv4 stored IPv4-mapped, so one 16-byte compare
 * serves AF_INET and dual-stack sockets alike.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sockops.h"
#include "input/steps.h"
#include "world/world.h"

/* ------------------------------------------------------------------------ */
/* What the kernel does, as data: for each action, the state changes and    */
/* callbacks in order. tcp_set_state() fires STATE_CB when the socket asked  */
/* (host_sock__set_state); inet_sk_set_state() never does.                  */

enum phase {
	PH_CONNECT,	   /* connect(): tcp_v4/v6_connect() -> tcp_connect() -> the SYN */
	PH_SYN,		   /* the SYN at the listener: tcp_conn_request(), on the request socket */
	PH_SYNACK,	   /* the SYN-ACK at the client: tcp_finish_connect() */
	PH_ACK,		   /* the ACK at the listener: the child, tcp_rcv_state_process(SYN_RECV) */
	PH_REFUSED,	   /* no listener: the RST at the client, tcp_reset() -> tcp_done() */
	PH_SELF_OPEN,	   /* connect() to its own address: simultaneous open with itself */
	PH_SYN_TO_STALE,   /* the SYN meets the end an earlier connection left open */
	PH_LISTEN,	   /* listen(): inet_csk_listen_start(), then the callback */
	PH_CLOSE,	   /* close() of an established socket: FIN, the peer's ACK */
	PH_CLOSE_PASSIVE,  /* close() in CLOSE_WAIT: FIN, the ACK of the peer's time-wait */
	PH_CLOSE_SELF,	   /* close() of a socket connected to itself: its own FIN, then ACK */
	PH_CLOSE_LISTENER, /* close() of a listener (its queued children then abort) */
	PH_ABORT,	   /* RST: tcp_disconnect() here, tcp_reset() at the peer */
	PH_DATA_AFTER_CLOSE, /* data from CLOSE_WAIT reaches the peer's time-wait: a RST */
	PH__COUNT,
};

enum row_what {
	W_END = 0,
	W_FIRE,	 /* tcp_call_bpf(op): the callback */
	W_STATE, /* tcp_set_state(state) */
	W_STORE, /* inet_sk_set_state(state): no callback */
};

enum row_who {
	SELF,
	PEER, /* skipped when there is none or it is already closed */
};

struct row {
	__u8 what, who;
	__u32 arg; /* op or state */
};

/* clang-format off */
#define FIRE(who, op)     { W_FIRE, who, op }
#define STATE(who, state) { W_STATE, who, state }
#define STORE(who, state) { W_STORE, who, state }
#define PHASE_ROWS        6

static const struct row kernel_table[PH__COUNT][PHASE_ROWS] = {
	[PH_CONNECT] = {
		STATE(SELF, BPF_TCP_SYN_SENT),
		FIRE(SELF, BPF_SOCK_OPS_TCP_CONNECT_CB),
		FIRE(SELF, BPF_SOCK_OPS_RWND_INIT),		/* tcp_connect_init() */
		FIRE(SELF, BPF_SOCK_OPS_TIMEOUT_INIT),		/* tcp_connect_init() */
		FIRE(SELF, BPF_SOCK_OPS_NEEDS_ECN),		/* tcp_ecn_send_syn() */
	},
	[PH_SYN] = {
		FIRE(SELF, BPF_SOCK_OPS_RWND_INIT),		/* tcp_openreq_init_rwin() */
		FIRE(SELF, BPF_SOCK_OPS_TIMEOUT_INIT),		/* req->timeout */
		FIRE(SELF, BPF_SOCK_OPS_NEEDS_ECN),		/* measured: 6.18 asks here too */
	},
	[PH_SYNACK] = {
		STATE(SELF, BPF_TCP_ESTABLISHED),
		FIRE(SELF, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB),	/* tcp_init_transfer() */
	},
	[PH_ACK] = {
		STORE(SELF, BPF_TCP_SYN_RECV),			/* inet_csk_clone_lock() */
		FIRE(SELF, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB),/* tcp_init_transfer() */
		STATE(SELF, BPF_TCP_ESTABLISHED),
	},
	[PH_REFUSED] = {
		STATE(SELF, BPF_TCP_CLOSE),
	},
	/* The SYN reaches a socket that still holds the four-tuple (its own
	 * end closed, the peer's end did not: CLOSE_WAIT). It answers with a
	 * challenge ACK, the client with a RST (tcp_rcv_synsent_state_process())
	 * that closes it; the client's SYN goes again 2 jiffies later. */
	[PH_SYN_TO_STALE] = {
		STATE(PEER, BPF_TCP_CLOSE),			/* tcp_reset() */
		FIRE(SELF, BPF_SOCK_OPS_TIMEOUT_INIT),		/* the SYN again */
	},
	/* Its own SYN reaches it in SYN_SENT (tcp_rcv_synsent_state_process()),
	 * its own SYN-ACK in SYN_RECV: it establishes as a server does. */
	[PH_SELF_OPEN] = {
		STATE(SELF, BPF_TCP_SYN_RECV),
		FIRE(SELF, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB),/* tcp_init_transfer() */
		STATE(SELF, BPF_TCP_ESTABLISHED),
	},
	[PH_LISTEN] = {
		STORE(SELF, BPF_TCP_LISTEN),
		FIRE(SELF, BPF_SOCK_OPS_TCP_LISTEN_CB),
	},
	/* A close step is an application's graceful close (the kernel oracle's,
	 * oracle/kdrive.c): shutdown(SHUT_WR) sends the FIN, the peer
	 * acknowledges it at once, then close(2). In FIN_WAIT2, tcp_close()
	 * sets the state again (tcp_close_state()), and as tcp_fin_timeout
	 * (60 s) is not above TCP_TIMEWAIT_LEN the orphan goes to a time-wait
	 * socket at once: tcp_time_wait() -> tcp_done(). */
	[PH_CLOSE] = {
		STATE(SELF, BPF_TCP_FIN_WAIT1),			/* tcp_shutdown() */
		STATE(PEER, BPF_TCP_CLOSE_WAIT),		/* tcp_fin() */
		STATE(SELF, BPF_TCP_FIN_WAIT2),			/* the ACK */
		STATE(SELF, BPF_TCP_FIN_WAIT2),			/* close(2): tcp_close_state() */
		STATE(SELF, BPF_TCP_CLOSE),			/* tcp_time_wait() -> tcp_done() */
	},
	/* The peer closed first and is a time-wait socket: it fires nothing and
	 * acknowledges the FIN at once; close(2) of a closed socket fires nothing. */
	[PH_CLOSE_PASSIVE] = {
		STATE(SELF, BPF_TCP_LAST_ACK),			/* tcp_shutdown() */
		STATE(SELF, BPF_TCP_CLOSE),			/* the ACK: tcp_done() */
	},
	/* Its own FIN reaches it in FIN_WAIT1 (tcp_fin()), then the ACK of it
	 * in CLOSING: tcp_time_wait() -> tcp_done(). */
	[PH_CLOSE_SELF] = {
		STATE(SELF, BPF_TCP_FIN_WAIT1),			/* tcp_shutdown() */
		STATE(SELF, BPF_TCP_CLOSING),			/* tcp_fin() */
		STATE(SELF, BPF_TCP_CLOSE),			/* the ACK */
	},
	[PH_CLOSE_LISTENER] = {
		STATE(SELF, BPF_TCP_CLOSE),
	},
	[PH_ABORT] = {
		STATE(SELF, BPF_TCP_CLOSE),
		STATE(PEER, BPF_TCP_CLOSE),
	},
	[PH_DATA_AFTER_CLOSE] = {
		STATE(SELF, BPF_TCP_CLOSE),			/* tcp_reset() */
	},
};
/* clang-format on */

/* Loopback as the kernel measures it. */
#define RTT_US		20u
#define LOOPBACK_MSS	65483u
#define INIT_CWND	10u
#define EPHEMERAL_FIRST 32768u /* ip_local_port_range */
#define EPHEMERAL_COUNT (60999u - 32768u + 1u)

/* Every step creates at most two sockets that outlive it. */
#define MAX_EPS (2 * SF_MAX_STEPS + SF_NSLOTS)

/* A socket the world keeps. Links are index + 1; 0 is none. */
struct ep {
	struct host_sock *sock; /* NULL: free */
	__u16 peer;		/* the other end of the connection */
	__u16 listener;		/* queued on it until accepted */
	__u16 qnext;		/* next in that queue */
	__u16 qhead, qtail;	/* a listener's accept queue, oldest first */
	__u8 slot;		/* the slot holding it */
	bool listening;		/* listen() was called on it */
};

struct sf_world {
	sf_world_hook hook;
	void *ctx;
	struct host_map *storage, *auth_req, *auth_res;
	bool stopped;
	bool plausible;	     /* no raw event yet */
	unsigned int step;   /* the step being carried out */
	unsigned int events; /* program runs so far */
	__u16 nused;	     /* eps[0..nused) were used since the reset */
	__u16 free_head;     /* free eps, through .peer */
	__u16 slot_ep[SF_NSLOTS];
	__u32 next_port; /* ephemeral ports handed out */
	struct ep eps[MAX_EPS];
};

struct sf_world *sf_world__new(sf_world_hook hook, void *ctx)
{
	struct sf_world *w = calloc(1, sizeof(*w));

	if (!w) {
		errno = ENOMEM;
		return NULL;
	}
	w->hook = hook;
	w->ctx = ctx;
	w->storage = host_map__by_name("km_sockstorage");
	w->auth_req = host_map__by_name("km_auth_req");
	w->auth_res = host_map__by_name("km_auth_res");
	if (!w->storage || !w->auth_req || !w->auth_res) {
		free(w);
		errno = ENOENT;
		return NULL;
	}
	return w;
}

void sf_world__free(struct sf_world *w)
{
	free(w);
}

void sf_world__reset(struct sf_world *w)
{
	memset(w->eps, 0, (size_t)w->nused * sizeof(w->eps[0]));
	memset(w->slot_ep, 0, sizeof(w->slot_ep));
	w->nused = 0;
	w->free_head = 0;
	w->next_port = 0;
	w->stopped = false;
	w->plausible = true;
	w->step = 0;
	w->events = 0;
}

unsigned int sf_world__nsocks(const struct sf_world *w)
{
	return w->nused;
}

struct host_sock *sf_world__sock(const struct sf_world *w, unsigned int i)
{
	return i < w->nused ? w->eps[i].sock : NULL;
}

struct host_sock *sf_world__slot(const struct sf_world *w, unsigned int slot)
{
	return slot < SF_NSLOTS && w->slot_ep[slot] ? w->eps[w->slot_ep[slot] - 1].sock : NULL;
}

/* ---- reporting and the program's two entry points ---------------------- */

static void emit(struct sf_world *w, struct sf_world_event ev)
{
	ev.step = w->step;
	ev.index = w->events;
	ev.plausible = w->plausible;
	if (!w->stopped && w->hook && !w->hook(w->ctx, &ev))
		w->stopped = true;
	w->events += ev.fired;
}

/* The program ran: its event carries the journal. */
static void emit_ran(struct sf_world *w, struct sf_world_event ev)
{
	ev.kind = SF_WEV_AFTER;
	ev.fired = true;
	ev.fx = host_journal(&ev.nfx, &ev.overflow);
	emit(w, ev);
}

static const char *const global_names[SF_GLOBAL__COUNT] = {
	[SF_GLOBAL_MONITORING] = "enable_monitoring",
	[SF_GLOBAL_NODE_IP] = "node_ip",
	[SF_GLOBAL_POD_GATEWAY] = "pod_gateway",
};

const char *sf_global_name(enum sf_global g)
{
	return (unsigned int)g < SF_GLOBAL__COUNT ? global_names[g] : NULL;
}

void sf_world__begin(struct sf_world *w, const struct sf_input *in)
{
	unsigned int nfaults = in->nfaults < SF_MAX_FAULTS ? in->nfaults : SF_MAX_FAULTS;

	host_reset();
	host_global__set(global_names[SF_GLOBAL_MONITORING], &in->monitoring,
			 sizeof(in->monitoring));
	host_global__set(global_names[SF_GLOBAL_NODE_IP], in->node_ip.w, sizeof(in->node_ip.w));
	host_global__set(global_names[SF_GLOBAL_POD_GATEWAY], in->pod_gateway.w,
			 sizeof(in->pod_gateway.w));
	for (unsigned int i = 0; i < nfaults; i++)
		host_fault__arm(in->faults[i].helper, in->faults[i].nth, 0);
	sf_world__reset(w);
	emit(w, (struct sf_world_event){.kind = SF_WEV_BEGIN, .input = in});
}

static void fire(struct sf_world *w, struct host_sock *s, __u32 op, const __u32 args[4])
{
	struct sf_world_event ev = {.kind = SF_WEV_BEFORE, .sock = s, .op = op};

	if (w->stopped)
		return;
	if (args)
		memcpy(ev.args, args, sizeof(ev.args));
	emit(w, ev);
	if (w->stopped)
		return;
	ev.ret = host_sock__fire(s, op, args);
	emit_ran(w, ev);
}

/* tcp_set_state(): the host runs STATE_CB when S asked for it (host.h), and
 * the hook must know whether it did. */
static void set_state(struct sf_world *w, struct host_sock *s, __u32 state)
{
	struct sf_world_event ev = {
		.sock = s, .op = BPF_SOCK_OPS_STATE_CB, .args = {s->state, state}};
	bool fires = s->fullsock && (s->cb_flags & BPF_SOCK_OPS_STATE_CB_FLAG);

	if (w->stopped)
		return;
	if (fires) {
		ev.kind = SF_WEV_BEFORE;
		emit(w, ev);
		if (w->stopped)
			return;
	}
	ev.ret = host_sock__set_state(s, state);
	ev.kind = SF_WEV_CLOSED;
	if (fires)
		emit_ran(w, ev);
	else if (state == BPF_TCP_CLOSE)
		emit(w, ev);
}

static void run_phase(struct sf_world *w, enum phase ph, struct host_sock *self,
		      struct host_sock *peer)
{
	for (const struct row *r = kernel_table[ph]; r->what != W_END && !w->stopped; r++) {
		struct host_sock *s = r->who == PEER ? peer : self;

		if (!s || (r->who == PEER && s->state == BPF_TCP_CLOSE))
			continue;
		if (r->what == W_FIRE)
			fire(w, s, r->arg, NULL);
		else if (r->what == W_STATE)
			set_state(w, s, r->arg);
		else
			s->state = r->arg;
	}
}

/* ---- endpoints ---------------------------------------------------------- */

static struct ep *ep_at(struct sf_world *w, __u16 link)
{
	return link ? &w->eps[link - 1] : NULL;
}

static __u16 link_of(const struct sf_world *w, const struct ep *e)
{
	return (__u16)(e - w->eps) + 1;
}

static struct host_sock *sock_of(struct ep *e)
{
	return e ? e->sock : NULL;
}

/* A fresh socket, reported; NULL when the pool or the host is out of them. */
static struct ep *ep_new(struct sf_world *w)
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
	emit(w, (struct sf_world_event){.kind = SF_WEV_SOCK_NEW, .sock = e->sock});
	return e;
}

/* Free E once the kernel is done with it: closed, no fd, not in a queue. */
static void reap(struct sf_world *w, struct ep *e)
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

static void queue_push(struct sf_world *w, struct ep *listener, struct ep *child)
{
	__u16 link = link_of(w, child);

	child->listener = link_of(w, listener);
	if (listener->qtail)
		ep_at(w, listener->qtail)->qnext = link;
	else
		listener->qhead = link;
	listener->qtail = link;
}

static struct ep *queue_pop(struct sf_world *w, struct ep *listener)
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

/* ---- addresses ---------------------------------------------------------- */

static const struct sf_addr any6;
static const __u8 v4mapped_prefix[12] = {[10] = 0xff, [11] = 0xff};

static bool addr_is_v4(const struct sf_addr *a)
{
	return !memcmp(a, v4mapped_prefix, sizeof(v4mapped_prefix));
}

static bool addr_eq(const struct sf_addr *a, const struct sf_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* The IPv4 address V (network order) as ::ffff:V. */
static struct sf_addr addr4(__be32 v)
{
	struct sf_addr a;

	memcpy(&a, v4mapped_prefix, sizeof(v4mapped_prefix));
	a.w[3] = v;
	return a;
}

static bool addr_is_any(const struct sf_addr *a)
{
	return addr_eq(a, &any6) || (addr_is_v4(a) && !a->w[3]);
}

/* IPv6 multicast and link-local (which needs a scope id nothing gives). */
static bool addr_is_v6_special(const struct sf_addr *a)
{
	const __u8 *b = (const __u8 *)a;

	return !addr_is_v4(a) && (b[0] == 0xff || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80));
}

/* Whether a socket can bind A on the sandbox's lo: any IPv4 address (a
 * multicast or broadcast one too); an IPv6 one but multicast, link-local and
 * the control address ::2, which is routed to lo but not assigned. */
static bool addr_bindable(const struct sf_addr *a)
{
	static const __u8 ctl6[16] = {[15] = 2};

	return addr_is_v4(a) || (!addr_is_v6_special(a) && memcmp(a, ctl6, sizeof(ctl6)));
}

/* An IPv4 multicast or broadcast address (255.255.255.255, and lo's
 * 127.255.255.255; 127.0.0.0 is none on this kernel). */
static bool addr_is_v4_mbcast(const struct sf_addr *a)
{
	static const __u8 lo_bcast[4] = {127, 255, 255, 255};
	const __u8 *b = (const __u8 *)a;

	return addr_is_v4(a) && (b[12] >> 4 == 14 || a->w[3] == 0xffffffffu ||
				 !memcmp(&b[12], lo_bcast, sizeof(lo_bcast)));
}

/* Whether a connect to A gets as far as sending a SYN: not to a multicast or
 * broadcast address (ENETUNREACH before any callback). */
static bool addr_connectable(const struct sf_addr *a)
{
	return addr_is_v4(a) ? !addr_is_v4_mbcast(a) : !addr_is_v6_special(a);
}

/* A step's address in its family: AF_INET reads the last word. Raw steps
 * pass theirs to sock_set() as they are. */
static struct sf_addr step_addr(__u32 family, const struct sf_addr *a)
{
	return family == KM_AF_INET ? addr4(a->w[3]) : *a;
}

/* 127.0.0.1 or ::1, what an unbound socket gets on loopback. */
static struct sf_addr loopback(bool v4)
{
	static const __u8 one6[16] = {[15] = 1};
	static const __u8 one4[4] = {127, 0, 0, 1};
	struct sf_addr a;
	__be32 v;

	if (!v4) {
		memcpy(&a, one6, sizeof(a));
		return a;
	}
	memcpy(&v, one4, sizeof(v));
	return addr4(v);
}

static struct sf_addr sock_local(const struct host_sock *s)
{
	struct sf_addr a;

	if (s->family == KM_AF_INET)
		return addr4(s->local_ip4);
	memcpy(&a, s->local_ip6, sizeof(a));
	return a;
}

static struct sf_addr sock_remote(const struct host_sock *s)
{
	struct sf_addr a;

	if (s->family == KM_AF_INET)
		return addr4(s->remote_ip4);
	memcpy(&a, s->remote_ip6, sizeof(a));
	return a;
}

static void sock_set(struct host_sock *s, __u32 family, const struct sf_addr *local, __u16 lport,
		     const struct sf_addr *remote, __u16 rport)
{
	bool v6 = family == KM_AF_INET6;

	host_sock__set_addrs(s, family, v6 ? (const void *)local : &local->w[3], lport,
			     v6 ? (const void *)remote : &remote->w[3], rport);
}

/* A and B overlap as bound addresses: equal, or either is the wildcard (::
 * covers IPv4 too, the sockets being dual-stack; 0.0.0.0 only IPv4). */
static bool addr_overlap(const struct sf_addr *a, const struct sf_addr *b)
{
	return addr_eq(a, b) || addr_eq(a, &any6) || addr_eq(b, &any6) ||
	       (addr_is_any(a) && addr_is_v4(b)) || (addr_is_any(b) && addr_is_v4(a));
}

/* bind() of ADDR:PORT. Every socket has SO_REUSEADDR (the kernel oracle's
 * do, as a server's do), so only a listener on an overlapping address holds
 * the port against it (inet_bind_conflict()); with ANY, every socket holding
 * the port does (the kernel picks a port no one holds). */
static bool port_taken(const struct sf_world *w, const struct sf_addr *addr, __u16 port, bool any)
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

/* connect(): a live connection with the same four-tuple makes it fail before
 * any callback (inet_hash_connect()). Time-wait sockets are not kept. */
static bool tuple_taken(const struct sf_world *w, const struct sf_addr *local, __u16 lport,
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
		if (addr_eq(&l, local) && addr_eq(&r, remote))
			return true;
	}
	return false;
}

/* The live socket holding the four-tuple a SYN from LOCAL:LPORT to
 * REMOTE:RPORT arrives on: the end an earlier connection on it left open. */
static struct ep *find_stale(struct sf_world *w, const struct sf_addr *local, __u16 lport,
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
		if (addr_eq(&l, remote) && addr_eq(&r, local))
			return e;
	}
	return NULL;
}

/* An ephemeral port free on ADDR (inet_hash_connect, round robin), or 0. */
static __u16 pick_port(struct sf_world *w, const struct sf_addr *addr)
{
	for (unsigned int n = 0; n < MAX_EPS + 1; n++) {
		__u16 port = EPHEMERAL_FIRST + w->next_port++ % EPHEMERAL_COUNT;

		if (!port_taken(w, addr, port, true))
			return port;
	}
	return 0;
}

/* The listener a SYN to DST:PORT reaches: an exact address beats a wildcard;
 * an AF_INET6 listener on :: takes IPv4 too (dual stack). */
static struct ep *find_listener(struct sf_world *w, const struct sf_addr *dst, __u16 port)
{
	struct ep *best = NULL;
	bool best_exact = false;
	bool v4 = addr_is_v4(dst);

	for (unsigned int i = 0; i < w->nused; i++) {
		struct ep *e = &w->eps[i];
		struct sf_addr l;
		bool exact, wild;

		if (!e->sock || !e->listening || e->sock->state != BPF_TCP_LISTEN ||
		    e->sock->local_port != port)
			continue;
		l = sock_local(e->sock);
		exact = addr_eq(&l, dst);
		wild = e->sock->family == KM_AF_INET
			       ? v4 && addr_is_any(&l)
			       : addr_eq(&l, &any6) || (v4 && addr_is_any(&l));
		if ((exact || wild) && (!best || (exact && !best_exact))) {
			best = e;
			best_exact = exact;
		}
	}
	return best;
}

/* ---- the TCP side ------------------------------------------------------- */

/* What the handshake measured (tcp_synack_rtt_meas, tcp_ack_update_rtt). */
static void tp_established(struct host_sock *s, __u32 segs_in, __u32 segs_out)
{
	s->tp.srtt_us = RTT_US << 3;
	s->tp.rtt_min = RTT_US;
	s->tp.snd_cwnd = INIT_CWND;
	s->tp.mss_cache = LOOPBACK_MSS;
	s->tp.segs_in += segs_in;
	s->tp.segs_out += segs_out;
}

/* User space closes the socket of E: from now on it is the kernel's alone,
 * and it leaves every sockhash (sock_map_close() runs before tcp_close()). */
static void slot_release(struct sf_world *w, struct ep *e)
{
	host_sock__release(e->sock);
	if (e->slot)
		w->slot_ep[e->slot - 1] = 0;
	e->slot = 0;
}

static void slot_take(struct sf_world *w, unsigned int slot, struct ep *e)
{
	w->slot_ep[slot] = link_of(w, e);
	e->slot = slot + 1;
}

static void abort_ep(struct sf_world *w, struct ep *e);

/* close() of a listener: it closes, then each child still queued is
 * disconnected (inet_csk_listen_stop) and its client reset. */
static void close_listener(struct sf_world *w, struct ep *l)
{
	struct ep *child;

	if (l->sock->state != BPF_TCP_CLOSE)
		run_phase(w, PH_CLOSE_LISTENER, l->sock, NULL);
	while ((child = queue_pop(w, l)))
		abort_ep(w, child);
	reap(w, l);
}

/* RST both ways, then free what is done. */
static void abort_ep(struct sf_world *w, struct ep *e)
{
	struct ep *peer = ep_at(w, e->peer);

	/* A listener, whatever a raw step made of its state, takes its queue along. */
	if (e->listening) {
		close_listener(w, e);
		return;
	}
	if (e->sock->state != BPF_TCP_CLOSE)
		run_phase(w, PH_ABORT, e->sock, sock_of(peer));
	reap(w, e);
	reap(w, peer);
}

/* close(): the FIN sequence for the state E is in. */
static void close_ep(struct sf_world *w, struct ep *e)
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
			run_phase(w, PH_CLOSE_SELF, e->sock, NULL);
			break;
		}
		if (!peer_alive) {
			/* Nobody acknowledges the FIN: retransmissions end in a reset. */
			run_phase(w, PH_ABORT, e->sock, NULL);
			break;
		}
		run_phase(w, PH_CLOSE, e->sock, peer->sock);
		break;
	case BPF_TCP_CLOSE_WAIT:
		run_phase(w, PH_CLOSE_PASSIVE, e->sock, sock_of(peer));
		break;
	default: /* states only a raw step sets */
		abort_ep(w, e);
		return;
	}
	reap(w, e);
	reap(w, peer);
}

/* Tear down whatever SLOT holds (SF_RESET, and before a slot is reused). */
static void slot_abort(struct sf_world *w, unsigned int slot)
{
	struct ep *e = ep_at(w, w->slot_ep[slot]);

	if (!e)
		return;
	slot_release(w, e);
	abort_ep(w, e);
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
		saddr = addr4(c->remote_ip4);

	req = host_sock__new();
	if (!req)
		return;
	emit(w, (struct sf_world_event){.kind = SF_WEV_SOCK_NEW, .sock = req});
	sock_set(req, family, &saddr, c->remote_port, &caddr, c->local_port);
	req->fullsock = false;
	req->state = BPF_TCP_NEW_SYN_RECV;
	run_phase(w, PH_SYN, req, NULL);
	cookie = req->cookie;
	host_sock__free(req);

	tp_established(c, 1, 1);
	run_phase(w, PH_SYNACK, c, NULL);

	child = ep_new(w);
	if (!child || w->stopped)
		return;
	child_sock = child->sock;
	/* inet_csk_clone_lock(): the child takes the request socket's cookie. */
	child_sock->cookie = cookie;
	sock_set(child_sock, family, &saddr, c->remote_port, &caddr, c->local_port);
	/* sk_clone_lock() copies the listener, bpf_sock_ops_cb_flags included. */
	child_sock->cb_flags = l->sock->cb_flags;
	tp_established(child_sock, 2, 1);
	child->peer = link_of(w, client);
	client->peer = link_of(w, child);
	queue_push(w, l, child);
	run_phase(w, PH_ACK, child_sock, NULL);
}

/* The source address the kernel picks on loopback for a connect to REMOTE
 * from an unbound socket: 127.0.0.0/8 has the preferred source 127.0.0.1;
 * any other IPv4 address is a local route whose source is the address itself;
 * IPv6 prefers the destination itself (RFC 6724 rule 1), but for ::1 and the
 * control address ::2, which is a route without an address (its longest
 * match is ::1). */
static struct sf_addr pick_source(const struct sf_addr *remote)
{
	static const __u8 ctl6[16] = {[15] = 2};

	if (addr_is_v4(remote))
		return ((const __u8 *)remote)[12] == 127 ? loopback(true) : *remote;
	return memcmp(remote, ctl6, sizeof(ctl6)) ? *remote : loopback(false);
}

/* Resolve an endpoint as connect() and bind() would; false when refused
 * before any callback. */
static bool resolve(__u32 family, struct sf_addr *local, struct sf_addr *remote)
{
	if (family != KM_AF_INET && family != KM_AF_INET6)
		return false;
	/* tcp_v6_connect(): an IPv4-mapped peer needs an IPv4(-mapped) source
	 * and a native IPv6 one a native IPv6 source (:: is either). */
	if (!addr_eq(local, &any6) && !addr_eq(remote, &any6) &&
	    addr_is_v4(local) != addr_is_v4(remote))
		return false;
	if (!addr_bindable(local))
		return false;
	/* inet_bind(): a multicast or broadcast address binds, but the source is
	 * then picked at connect() as for an unbound socket. */
	if (addr_is_v4_mbcast(local))
		local->w[3] = 0;
	if (addr_is_any(remote)) {
		if (addr_is_v4(remote)) /* ip_route_connect(): to the source, or 127.0.0.1 */
			*remote = addr_is_any(local) ? loopback(true) : *local;
		else /* tcp_v6_connect(): ::1, or 127.0.0.1 from an IPv4-mapped source */
			*remote = loopback(addr_is_v4(local));
	}
	if (addr_is_any(local))
		*local = pick_source(remote);
	return addr_connectable(remote) && addr_is_v4(local) == addr_is_v4(remote);
}

/* connect() on a new socket, in SLOT or, for SLOT < 0, held by no one. */
static struct ep *do_connect(struct sf_world *w, int slot, __u32 family, struct sf_addr local,
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
	e = ep_new(w);
	if (!e)
		return NULL;
	sock_set(e->sock, family, &local, lport, &remote, rport);
	if (slot >= 0)
		slot_take(w, slot, e);
	if (waypoint) {
		/* What a connect hook records before the connect: the original
		 * destination, network-order port, and via_waypoint. */
		struct sock_storage_data *st = host_sk_storage__get(w->storage, e->sock, true);
		__u8 port[2] = {rport >> 8, rport & 0xff};

		if (!st)
			return NULL;
		if (family == KM_AF_INET) {
			st->sk_tuple.ipv4.daddr = remote.w[3];
			memcpy(&st->sk_tuple.ipv4.dport, port, 2);
		} else {
			memcpy(st->sk_tuple.ipv6.daddr, &remote, 16);
			memcpy(&st->sk_tuple.ipv6.dport, port, 2);
		}
		st->via_waypoint = 1;
		emit(w,
		     (struct sf_world_event){.kind = SF_WEV_STORAGE, .sock = e->sock, .value = 1});
	}
	run_phase(w, PH_CONNECT, e->sock, NULL);
	stale = find_stale(w, &local, lport, &remote, rport);
	if (stale && stale != e) {
		run_phase(w, PH_SYN_TO_STALE, e->sock, stale->sock);
		reap(w, stale);
	}
	l = find_listener(w, &remote, rport);
	if (l) {
		accept_syn(w, e, l);
	} else if (lport == rport && addr_eq(&local, &remote)) {
		tp_established(e->sock, 2, 2);
		e->peer = link_of(w, e);
		run_phase(w, PH_SELF_OPEN, e->sock, NULL);
	} else {
		run_phase(w, PH_REFUSED, e->sock, NULL);
		/* ECONNREFUSED: the application closes the socket. */
		if (e->slot)
			slot_release(w, e);
	}
	reap(w, e);
	return e->sock ? e : NULL;
}

/* ---- the steps ---------------------------------------------------------- */

static struct ep *slot_ep(struct sf_world *w, unsigned int slot)
{
	return ep_at(w, w->slot_ep[slot % SF_NSLOTS]);
}

/* SF_ENROL, SF_UNENROL: the CNI's control connect from the pod address. It
 * is refused (nothing listens there) unless a listener happens to, in which
 * case the CNI closes the connection at once. */
static void step_enrol(struct sf_world *w, const struct sf_step *st, __u16 port)
{
	static const __u8 control4[4] = {0, 0, 0, 2};
	struct sf_addr control = {{0}};
	struct ep *e;

	if (st->family == KM_AF_INET) {
		__be32 v;

		memcpy(&v, control4, sizeof(v));
		control = addr4(v);
	} else {
		((__u8 *)&control)[15] = 2;
	}
	e = do_connect(w, -1, st->family, step_addr(st->family, &st->local), st->lport, control,
		       port, false);
	if (e && e->sock->state != BPF_TCP_CLOSE)
		close_ep(w, e);
}

static void step_listen(struct sf_world *w, const struct sf_step *st)
{
	struct sf_addr local = step_addr(st->family, &st->local);
	unsigned int slot = st->slot % SF_NSLOTS;
	__u16 port = st->lport;
	struct ep *e;

	slot_abort(w, slot);
	if (w->stopped || (st->family != KM_AF_INET && st->family != KM_AF_INET6) ||
	    !addr_bindable(&local))
		return;
	if (!port)
		port = pick_port(w, &local);
	if (!port || port_taken(w, &local, port, false))
		return;
	e = ep_new(w);
	if (!e)
		return;
	sock_set(e->sock, st->family, &local, port, &any6, 0);
	e->listening = true;
	slot_take(w, slot, e);
	run_phase(w, PH_LISTEN, e->sock, NULL);
}

static void step_accept(struct sf_world *w, const struct sf_step *st)
{
	unsigned int slot = st->slot % SF_NSLOTS;
	struct ep *l = slot_ep(w, st->peer), *child;

	if (!l || !l->listening || !l->qhead || slot == st->peer % SF_NSLOTS)
		return;
	/* The slot's old socket goes first; a child it resets stays queued. */
	slot_abort(w, slot);
	child = queue_pop(w, l);
	if (child)
		slot_take(w, slot, child);
}

/* SF_SEND: VALUE bytes from SLOT to its peer, acknowledged at once. */
static void step_send(struct sf_world *w, const struct sf_step *st)
{
	struct ep *e = slot_ep(w, st->slot), *peer;
	struct host_sock *x, *y;
	__u64 n = st->value, segs;

	if (!e || !n)
		return;
	x = e->sock;
	peer = ep_at(w, e->peer);
	if (x->state != BPF_TCP_ESTABLISHED && x->state != BPF_TCP_CLOSE_WAIT)
		return; /* EPIPE, ENOTCONN */
	if (x->state == BPF_TCP_CLOSE_WAIT && (!peer || peer->sock->state == BPF_TCP_CLOSE)) {
		/* The peer closed: its time-wait socket answers new data with a
		 * RST (tcp_timewait_state_process()). */
		run_phase(w, PH_DATA_AFTER_CLOSE, x, NULL);
		return;
	}
	if (!peer)
		return;
	y = peer->sock;
	if (y->state != BPF_TCP_ESTABLISHED && y->state != BPF_TCP_FIN_WAIT1 &&
	    y->state != BPF_TCP_FIN_WAIT2)
		return;
	segs = n / LOOPBACK_MSS + (n % LOOPBACK_MSS != 0);
	if (segs > 0xffffffffu)
		segs = 0xffffffffu;
	x->tp.bytes_acked += n;
	x->tp.segs_out += (__u32)segs;
	x->tp.data_segs_out += (__u32)segs;
	x->tp.delivered += (__u32)segs;
	x->tp.segs_in++; /* the ACK */
	y->tp.bytes_received += n;
	y->tp.segs_in += (__u32)segs;
	y->tp.data_segs_in += (__u32)segs;
	y->tp.segs_out++;
	host_clock__advance(RTT_US * 1000ull);
}

static void step_close(struct sf_world *w, const struct sf_step *st)
{
	struct ep *e = slot_ep(w, st->slot);

	if (!e)
		return;
	slot_release(w, e);
	close_ep(w, e);
}

static void step_waypoint(struct sf_world *w, const struct sf_step *st)
{
	struct ep *e = slot_ep(w, st->slot);
	struct sock_storage_data *stor;
	__u8 via = (__u8)st->value; /* a u8 the program reads as a bool */

	if (!e)
		return;
	stor = host_sk_storage__get(w->storage, e->sock, true);
	stor->via_waypoint = via;
	emit(w, (struct sf_world_event){.kind = SF_WEV_STORAGE, .sock = e->sock, .value = via});
}

static void step_global(struct sf_world *w, enum sf_global g, const void *value, size_t size)
{
	if (host_global__set(global_names[g], value, size))
		return;
	emit(w, (struct sf_world_event){.kind = SF_WEV_GLOBAL, .global = g});
}

static void write_verdict(struct sf_world *w, struct host_sock *s, const struct bpf_sock_tuple *key,
			  __u64 value)
{
	__u32 verdict = (__u32)value;

	if (host_map__update(w->auth_res, key, &verdict, BPF_ANY))
		return; /* E2BIG: the map is full */
	emit(w,
	     (struct sf_world_event){.kind = SF_WEV_AUTH, .sock = s, .key = key, .value = verdict});
}

/* SF_AUTH_ANSWER: user space reads the oldest request and writes its verdict
 * under the key it builds from it: the 12-byte IPv4 view zero-padded for type
 * IPv4, all 36 bytes otherwise. */
static void step_auth_answer(struct sf_world *w, const struct sf_step *st)
{
	struct bpf_sock_tuple key = {0};
	struct km_auth_req req = {0};
	const void *rec;
	__u32 len;

	rec = host_ring__peek(w->auth_req, &len);
	if (!rec)
		return;
	memcpy(&req, rec, len < sizeof(req) ? len : sizeof(req));
	host_ring__consume(w->auth_req);
	memcpy(&key, &req.tuple, req.type == KM_TUPLE_IPV4 ? sizeof(key.ipv4) : sizeof(key));
	write_verdict(w, NULL, &key, st->value);
}

void sf_world_xdp_key(const struct host_sock *s, struct bpf_sock_tuple *key)
{
	static const __u8 prefix[12] = {[10] = 0xff, [11] = 0xff};
	bool v4 = s->family != KM_AF_INET6 || !memcmp(s->local_ip6, prefix, 12) ||
		  !memcmp(s->remote_ip6, prefix, 12);

	memset(key, 0, sizeof(*key));
	if (v4) {
		/* An IPv4 header: the socket's IPv4 view (host.h fills it for IPv4-mapped). */
		key->ipv4.saddr = s->remote_ip4;
		key->ipv4.daddr = s->local_ip4;
		key->ipv4.sport = s->remote_port;
		key->ipv4.dport = s->local_port;
		return;
	}
	memcpy(key->ipv6.saddr, s->remote_ip6, 16);
	memcpy(key->ipv6.daddr, s->local_ip6, 16);
	key->ipv6.sport = s->remote_port;
	key->ipv6.dport = s->local_port;
}

/* SF_XDP_VERDICT: only a connected socket gets a packet; a listener or a
 * socket a RST closed gets none (getpeername() fails: the oracle's user space
 * writes nothing either). */
static void step_xdp_verdict(struct sf_world *w, const struct sf_step *st)
{
	struct ep *e = slot_ep(w, st->slot);
	struct bpf_sock_tuple key;

	if (!e || e->listening || e->sock->state == BPF_TCP_LISTEN ||
	    e->sock->state == BPF_TCP_CLOSE || e->sock->state == BPF_TCP_SYN_SENT)
		return;
	sf_world_xdp_key(e->sock, &key);
	write_verdict(w, e->sock, &key, st->value);
}

/* Free E and whatever it queues without a callback: a raw step said it is
 * gone (a recording moved on to another socket). */
static void ep_drop(struct sf_world *w, struct ep *e)
{
	struct ep *child;

	while ((child = queue_pop(w, e)))
		ep_drop(w, child);
	if (e->slot)
		w->slot_ep[e->slot - 1] = 0;
	e->slot = 0;
	e->sock->state = BPF_TCP_CLOSE;
	reap(w, e);
}

/* The socket in SLOT for a raw-level step: a new one when there is none or
 * NEWSOCK says the old one is gone. */
static struct ep *raw_ep(struct sf_world *w, unsigned int slot, bool newsock)
{
	struct ep *e = slot_ep(w, slot);

	if (e && newsock) {
		ep_drop(w, e);
		e = NULL;
	}
	if (!e) {
		e = ep_new(w);
		if (e)
			slot_take(w, slot, e);
	}
	return e;
}

/* SF_RAW: the slot's socket set up exactly as the step says, then the op
 * fired with the args. */
static void step_raw(struct sf_world *w, const struct sf_step *st)
{
	struct ep *e = raw_ep(w, st->slot % SF_NSLOTS, st->flags & SF_F_NEWSOCK);
	struct host_sock *s;

	if (!e)
		return;
	s = e->sock;
	sock_set(s, st->family, &st->local, st->lport, &st->remote, st->rport);
	s->state = st->state;
	s->fullsock = !(st->flags & SF_F_REQSOCK);
	s->is_tcp = !(st->flags & SF_F_NOTCP);
	fire(w, s, st->op, st->args);
}

/* SF_RELEASE: user space closes the slot's socket: it leaves every sockhash
 * and nothing fires (what TCP does next comes as raw steps of its own). */
static void step_release(struct sf_world *w, const struct sf_step *st)
{
	struct ep *e = slot_ep(w, st->slot);

	if (e)
		host_sock__release(e->sock);
}

/* SF_TCP: the slot's socket gets the counters a recording saw. */
static void step_tcp(struct sf_world *w, const struct sf_step *st)
{
	struct ep *e = raw_ep(w, st->slot % SF_NSLOTS, false);

	if (!e)
		return;
	e->sock->tp.srtt_us = st->tcp.srtt_us;
	e->sock->tp.rtt_min = st->tcp.rtt_min;
	e->sock->tp.total_retrans = st->tcp.total_retrans;
	e->sock->tp.lost_out = st->tcp.lost_out;
	e->sock->tp.bytes_received = st->tcp.bytes_received;
	e->sock->tp.bytes_acked = st->tcp.bytes_acked;
}

bool sf_world__step(struct sf_world *w, const struct sf_step *st)
{
	const struct sf_kind_def *k = sf_kind_def(st->kind);

	if (w->stopped)
		return false;
	/* SPEC §8: kernel-producible until the first raw event. */
	if (k && k->raw_event)
		w->plausible = false;
	switch (st->kind) {
	case SF_ENROL:
		step_enrol(w, st, KM_CONTROL_PORT_ENROL);
		break;
	case SF_UNENROL:
		step_enrol(w, st, KM_CONTROL_PORT_LEAVE);
		break;
	case SF_LISTEN:
		step_listen(w, st);
		break;
	case SF_CONNECT:
		do_connect(w, st->slot % SF_NSLOTS, st->family, step_addr(st->family, &st->local),
			   st->lport, step_addr(st->family, &st->remote), st->rport,
			   st->flags & SF_F_WAYPOINT);
		break;
	case SF_ACCEPT:
		step_accept(w, st);
		break;
	case SF_SEND:
		step_send(w, st);
		break;
	case SF_CLOSE:
		step_close(w, st);
		break;
	case SF_RESET:
		slot_abort(w, st->slot % SF_NSLOTS);
		break;
	case SF_WAYPOINT:
		step_waypoint(w, st);
		break;
	case SF_MONITORING:
		step_global(w, SF_GLOBAL_MONITORING, &(__u32){(__u32)st->value}, sizeof(__u32));
		break;
	case SF_NODE_IP:
		step_global(w, SF_GLOBAL_NODE_IP, st->local.w, sizeof(st->local.w));
		break;
	case SF_POD_GATEWAY:
		step_global(w, SF_GLOBAL_POD_GATEWAY, st->local.w, sizeof(st->local.w));
		break;
	case SF_AUTH_ANSWER:
		step_auth_answer(w, st);
		break;
	case SF_XDP_VERDICT:
		step_xdp_verdict(w, st);
		break;
	case SF_CLOCK:
		host_clock__advance(st->value); /* no timer the world models fires */
		break;
	case SF_RELEASE:
		step_release(w, st);
		break;
	case SF_RAW:
		step_raw(w, st);
		break;
	case SF_TCP:
		step_tcp(w, st);
		break;
	default:
		break;
	}
	w->step++;
	return !w->stopped;
}
