// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * raw.c: the steps of recordings (SF_BY_RECORD in input/steps.h): a
 * callback fired on a socket set up exactly as the step says, the TCP
 * counters the kernel had, and user space closing a socket. No kernel
 * sequence runs around them; the recording's next steps are what TCP did.
 */
#include "world/world_internal.h"

/* Free E and whatever it queues without a callback: a raw step said it is
 * gone (a recording moved on to another socket). */
static void ep_drop(struct sf_world *w, struct ep *e)
{
	struct ep *child;

	while ((child = ep_queue_pop(w, e)))
		ep_drop(w, child);
	if (e->slot)
		w->slot_ep[e->slot - 1] = 0;
	e->slot = 0;
	e->sock->state = BPF_TCP_CLOSE;
	ep_reap(w, e);
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
void step_raw(struct sf_world *w, const struct sf_step *st)
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
	world_fire(w, s, st->op, st->args);
}

/* SF_RELEASE: user space closes the slot's socket: it leaves every sockhash
 * and nothing fires (what TCP does next comes as raw steps of its own). */
void step_release(struct sf_world *w, const struct sf_step *st)
{
	struct ep *e = slot_ep(w, st->slot);

	if (e)
		host_sock__release(e->sock);
}

/* SF_TCP: the slot's socket gets the counters a recording saw. */
void step_tcp(struct sf_world *w, const struct sf_step *st)
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
