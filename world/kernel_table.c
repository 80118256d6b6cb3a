// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * kernel_table.c: what the kernel does, as data (world.h): for each action,
 * the state changes and callbacks in order, calibrated against the kernel's
 * recordings (`sockfuzz kernel`, oracle/), and the two ways the program is
 * entered. tcp_set_state() fires STATE_CB when the socket asked
 * (host_sock__set_state); inet_sk_set_state() never does.
 */
#include <string.h>
#include "world/world_internal.h"

enum row_what {
	W_END = 0,
	W_FIRE,	 /* tcp_call_bpf(op): the callback */
	W_STATE, /* tcp_set_state(state) */
	W_STORE, /* inet_sk_set_state(state): no callback */
	W_ACKED, /* its SYN or FIN is acknowledged: snd_una moves over it, bytes_acked + 1 */
	W_FIN,	 /* the peer's FIN arrives: rcv_nxt moves over it, bytes_received + 1 */
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
#define ACKED(who)        { W_ACKED, who, 0 }
#define FIN(who)          { W_FIN, who, 0 }
#define PHASE_ROWS        8

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
		ACKED(SELF),					/* tcp_ack() of the SYN */
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
		ACKED(SELF),					/* tcp_ack() of its SYN-ACK */
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
		FIN(PEER),
		STATE(PEER, BPF_TCP_CLOSE_WAIT),		/* tcp_fin() */
		ACKED(SELF),
		STATE(SELF, BPF_TCP_FIN_WAIT2),			/* the ACK */
		STATE(SELF, BPF_TCP_FIN_WAIT2),			/* close(2): tcp_close_state() */
		STATE(SELF, BPF_TCP_CLOSE),			/* tcp_time_wait() -> tcp_done() */
	},
	/* The peer closed first and is a time-wait socket: it fires nothing and
	 * acknowledges the FIN at once; close(2) of a closed socket fires nothing. */
	[PH_CLOSE_PASSIVE] = {
		STATE(SELF, BPF_TCP_LAST_ACK),			/* tcp_shutdown() */
		ACKED(SELF),
		STATE(SELF, BPF_TCP_CLOSE),			/* the ACK: tcp_done() */
	},
	/* Its own FIN reaches it in FIN_WAIT1 (tcp_fin()), then the ACK of it
	 * in CLOSING: tcp_time_wait() -> tcp_done(). */
	[PH_CLOSE_SELF] = {
		STATE(SELF, BPF_TCP_FIN_WAIT1),			/* tcp_shutdown() */
		FIN(SELF),
		STATE(SELF, BPF_TCP_CLOSING),			/* tcp_fin() */
		ACKED(SELF),
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

void world_fire(struct sf_world *w, struct host_sock *s, __u32 op, const __u32 args[4])
{
	struct sf_world_event ev = {.kind = SF_WEV_BEFORE, .sock = s, .op = op};

	if (w->stopped)
		return;
	if (args)
		memcpy(ev.args, args, sizeof(ev.args));
	world_emit(w, &ev);
	if (w->stopped)
		return;
	ev.ret = host_sock__fire(s, op, args);
	world_emit_ran(w, &ev);
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
		world_emit(w, &ev);
		if (w->stopped)
			return;
	}
	ev.ret = host_sock__set_state(s, state);
	ev.kind = SF_WEV_CLOSED;
	if (fires)
		world_emit_ran(w, &ev);
	else if (state == BPF_TCP_CLOSE)
		world_emit(w, &ev);
}

void world_run_phase(struct sf_world *w, enum phase ph, struct host_sock *self,
		     struct host_sock *peer)
{
	for (const struct row *r = kernel_table[ph]; r->what != W_END && !w->stopped; r++) {
		struct host_sock *s = r->who == PEER ? peer : self;

		if (!s || (r->who == PEER && s->state == BPF_TCP_CLOSE))
			continue;
		if (r->what == W_FIRE)
			world_fire(w, s, r->arg, NULL);
		else if (r->what == W_STATE)
			set_state(w, s, r->arg);
		else if (r->what == W_ACKED)
			s->tp.bytes_acked++;
		else if (r->what == W_FIN)
			s->tp.bytes_received++;
		else
			s->state = r->arg;
	}
}
