/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * world_internal.h: what the files of the world share (world.h is its
 * interface). Not an interface: only world/ includes it.
 *
 * One file per job: world.c the object and its reporting, kernel_table.c
 * which callbacks each kernel action fires, endpoints.c the sockets the world
 * keeps and how it finds them, tcp.c the TCP counters, connect.c the
 * kernel's connection life (connect, the handshake, close, abort), app.c,
 * user.c and raw.c the steps of the application, of user space and XDP, and
 * of recordings, and steps.c the table that maps a step kind to its handler.
 *
 * Every address is local (all of it is loopback in one network namespace,
 * SPEC §10), so a SYN either finds a listener or is answered by a RST at
 * once, and each segment is processed before the next step. Addresses are
 * struct sf_addr and follow net/loopback.h's rules.
 */
#pragma once

#if !defined(SF_MODULE_world)
#error "world/world_internal.h is world's own: include world/world.h"
#endif

#include <stdbool.h>
#include <linux/types.h>
#include "sockops.h"
#include "net/loopback.h"
#include "world/world.h"

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
	/* The maps user space and the connect hook write (SPEC §6), each NULL
	 * when the program under test lacks it: a step that writes only a
	 * missing map then does nothing, as user space could not write it. */
	struct host_map *storage, *auth_req, *auth_res, *manage;
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

/* ---- reporting --------------------------------------------------------- */

/* Tell the hook EV, unless the world stopped; a hook returning false stops it. */
static inline void world_emit(struct sf_world *w, struct sf_world_event *ev)
{
	ev->step = w->step;
	ev->index = w->events;
	ev->plausible = w->plausible;
	if (!w->stopped && w->hook && !w->hook(w->ctx, ev))
		w->stopped = true;
	w->events += ev->fired;
}

/* The program ran: EV goes out as AFTER with the journal host_journal() holds. */
static inline void world_emit_ran(struct sf_world *w, struct sf_world_event *ev)
{
	ev->kind = SF_WEV_AFTER;
	ev->fired = true;
	ev->fx = host_journal(&ev->nfx, &ev->overflow);
	world_emit(w, ev);
}

/* ---- the kernel's callbacks (kernel_table.c) ---------------------------- */

/* The kernel actions whose callbacks and state changes are one table row. */
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

/* tcp_call_bpf(): the program runs OP on S with ARGS (NULL: zeros), reported
 * before and after. Nothing when the world stopped. */
void world_fire(struct sf_world *w, struct host_sock *s, __u32 op, const __u32 args[4]);

/* The rows of PH on SELF and PEER (NULL, or closed, skips PEER's rows). */
void world_run_phase(struct sf_world *w, enum phase ph, struct host_sock *self,
		     struct host_sock *peer);

/* ---- endpoints (endpoints.c) -------------------------------------------- */

static inline struct ep *ep_at(struct sf_world *w, __u16 link)
{
	return link ? &w->eps[link - 1] : NULL;
}

static inline __u16 link_of(const struct sf_world *w, const struct ep *e)
{
	return (__u16)(e - w->eps) + 1;
}

static inline struct host_sock *sock_of(struct ep *e)
{
	return e ? e->sock : NULL;
}

/* A fresh socket, reported; NULL when the pool or the host is out of them. */
struct ep *ep_new(struct sf_world *w);

/* Free E once the kernel is done with it: closed, no fd, not in a queue.
 * NULL, or one still in use, is left alone. */
void ep_reap(struct sf_world *w, struct ep *e);

/* A listener's accept queue, oldest first: CHILD joins LISTENER's; the
 * oldest child leaves it (NULL when empty). */
void ep_queue_push(struct sf_world *w, struct ep *listener, struct ep *child);
struct ep *ep_queue_pop(struct sf_world *w, struct ep *listener);

/* The endpoint in SLOT (taken modulo SF_NSLOTS), or NULL. */
static inline struct ep *slot_ep(struct sf_world *w, unsigned int slot)
{
	return ep_at(w, w->slot_ep[slot % SF_NSLOTS]);
}

/* SLOT (below SF_NSLOTS, and empty) holds E from now on. */
void slot_take(struct sf_world *w, unsigned int slot, struct ep *e);

/* User space closes the socket of E: from now on it is the kernel's alone,
 * and it leaves every sockhash (sock_map_close() runs before tcp_close()). */
void slot_release(struct sf_world *w, struct ep *e);

/* S's addresses in the world's form (IPv4 IPv4-mapped), and set from it:
 * AF_INET6 takes all 16 bytes, any other family the last word. */
struct sf_addr sock_local(const struct host_sock *s);
struct sf_addr sock_remote(const struct host_sock *s);
void sock_set(struct host_sock *s, __u32 family, const struct sf_addr *local, __u16 lport,
	      const struct sf_addr *remote, __u16 rport);

/* bind() of ADDR:PORT. Every socket has SO_REUSEADDR (the kernel oracle's
 * do, as a server's do), so only a listener on an overlapping address holds
 * the port against it (inet_bind_conflict()); with ANY, every socket holding
 * the port does (the kernel picks a port no one holds). */
bool port_taken(const struct sf_world *w, const struct sf_addr *addr, __u16 port, bool any);

/* connect(): a live connection with the same four-tuple makes it fail before
 * any callback (inet_hash_connect()). Time-wait sockets are not kept. */
bool tuple_taken(const struct sf_world *w, const struct sf_addr *local, __u16 lport,
		 const struct sf_addr *remote, __u16 rport);

/* The live socket holding the four-tuple a SYN from LOCAL:LPORT to
 * REMOTE:RPORT arrives on: the end an earlier connection on it left open. */
struct ep *find_stale(struct sf_world *w, const struct sf_addr *local, __u16 lport,
		      const struct sf_addr *remote, __u16 rport);

/* The IPv4 view of a server-side socket of a native IPv6 connection: its
 * remote_ip4 reads LOOPBACK4_IPV6 (127.0.0.6) like its local_ip4. */
void sock_set_v6_peer_view(struct host_sock *s);

/* The views of a socket bound but never connected (a listener): an AF_INET
 * one shows :: as both IPv6 addresses, an AF_INET6 one on :: 0.0.0.0 as its
 * IPv4 address (the kernel's recordings of TCP_LISTEN_CB). */
void sock_set_unconnected_view(struct host_sock *s);

/* An ephemeral port free on ADDR (inet_hash_connect, round robin), or 0. */
__u16 pick_port(struct sf_world *w, const struct sf_addr *addr);

/* The listener a SYN to DST:PORT reaches: an exact address beats a wildcard;
 * an AF_INET6 listener on :: takes IPv4 too (dual stack). */
struct ep *find_listener(struct sf_world *w, const struct sf_addr *dst, __u16 port);

/* ---- TCP counters (tcp.c) ----------------------------------------------- */

/* A new socket's counters: rtt_min reads ~0U until a round trip is measured
 * (the kernel's recordings show it in every callback before ESTABLISHED). */
void tp_new(struct host_sock *s);

/* What the handshake measured (tcp_synack_rtt_meas, tcp_ack_update_rtt),
 * with the segments it took each way. */
void tp_established(struct host_sock *s, __u32 segs_in, __u32 segs_out);

/* N bytes from X to Y, in full-sized segments, and Y's ACK of them: the
 * counters of both ends, and the clock by a round trip. */
void tp_send(struct host_sock *x, struct host_sock *y, __u64 n);

/* ---- connections (connect.c) -------------------------------------------- */

/* connect() on a new socket, in SLOT or, for SLOT < 0, held by no one (the
 * CNI's control connects), from LOCAL:LPORT (0.0.0.0 or :: and 0: unbound) to
 * REMOTE:RPORT. The connect hook first gives a socket in a slot storage with
 * connect_ns = now; WAYPOINT: it records the original destination too. The
 * socket when it is still alive after the handshake, or NULL when it was
 * refused or is gone. */
struct ep *world_connect(struct sf_world *w, int slot, __u32 family, struct sf_addr local,
			 __u16 lport, struct sf_addr remote, __u16 rport, bool waypoint);

/* close(): the FIN sequence for the state E is in. */
void ep_close(struct sf_world *w, struct ep *e);

/* RST both ways (a listener takes its queue along), then free what is done. */
void ep_abort(struct sf_world *w, struct ep *e);

/* Tear down whatever SLOT (below SF_NSLOTS) holds (SF_RESET, and before a
 * slot is reused). */
void slot_abort(struct sf_world *w, unsigned int slot);

/* ---- step handlers (app.c, user.c, raw.c; the table in steps.c) --------- */

typedef void (*world_step_fn)(struct sf_world *w, const struct sf_step *st);

/* The application (SF_BY_APP), app.c. */
void step_enrol(struct sf_world *w, const struct sf_step *st);
void step_unenrol(struct sf_world *w, const struct sf_step *st);
void step_listen(struct sf_world *w, const struct sf_step *st);
void step_connect(struct sf_world *w, const struct sf_step *st);
void step_accept(struct sf_world *w, const struct sf_step *st);
void step_send(struct sf_world *w, const struct sf_step *st);
void step_close(struct sf_world *w, const struct sf_step *st);
void step_reset(struct sf_world *w, const struct sf_step *st);

/* User space and XDP (SF_BY_USER, SF_BY_XDP), user.c. */
void step_waypoint(struct sf_world *w, const struct sf_step *st);
void step_orig_dst(struct sf_world *w, const struct sf_step *st);
void step_log_level(struct sf_world *w, const struct sf_step *st);
void step_monitoring(struct sf_world *w, const struct sf_step *st);
void step_node_ip(struct sf_world *w, const struct sf_step *st);
void step_pod_gateway(struct sf_world *w, const struct sf_step *st);
void step_auth_answer(struct sf_world *w, const struct sf_step *st);
void step_xdp_verdict(struct sf_world *w, const struct sf_step *st);
void step_manage(struct sf_world *w, const struct sf_step *st);
void step_fill(struct sf_world *w, const struct sf_step *st);

/* Recordings (SF_BY_RECORD), raw.c. */
void step_raw(struct sf_world *w, const struct sf_step *st);
void step_tcp(struct sf_world *w, const struct sf_step *st);
void step_release(struct sf_world *w, const struct sf_step *st);
