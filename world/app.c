// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * app.c: the steps an application's socket calls make (SF_BY_APP in
 * input/steps.h): the CNI's enrolment connects, listen, connect, accept,
 * send, close and reset. What the kernel does for each is connect.c's; the
 * checks here are the ones a system call makes before the kernel acts.
 */
#include "world/world_internal.h"

/* A step's address in its family: AF_INET reads the last word. Raw steps
 * pass theirs to sock_set() as they are. */
static struct sf_addr step_addr(__u32 family, const struct sf_addr *a)
{
	return family == KM_AF_INET ? lo_addr4(a->w[3]) : *a;
}

/* SF_ENROL, SF_UNENROL: the CNI's control connect from the pod address to
 * PORT of the control address (lo_control4 for AF_INET, else lo_control6).
 * It is refused (nothing listens there) unless a listener happens to, in
 * which case the CNI closes the connection at once. */
static void control_connect(struct sf_world *w, const struct sf_step *st, __u16 port)
{
	const struct sf_addr *control = st->family == KM_AF_INET ? &lo_control4 : &lo_control6;
	struct ep *e;

	e = world_connect(w, -1, st->family, step_addr(st->family, &st->local), st->lport, *control,
			  port, false);
	if (e && e->sock->state != BPF_TCP_CLOSE)
		ep_close(w, e);
}

void step_enrol(struct sf_world *w, const struct sf_step *st)
{
	control_connect(w, st, KM_CONTROL_PORT_ENROL);
}

void step_unenrol(struct sf_world *w, const struct sf_step *st)
{
	control_connect(w, st, KM_CONTROL_PORT_LEAVE);
}

void step_listen(struct sf_world *w, const struct sf_step *st)
{
	struct sf_addr local = step_addr(st->family, &st->local);
	unsigned int slot = st->slot % SF_NSLOTS;
	__u16 port = st->lport;
	struct ep *e;

	slot_abort(w, slot);
	if (w->stopped || (st->family != KM_AF_INET && st->family != KM_AF_INET6) ||
	    !lo_addr_bindable(&local))
		return;
	if (!port)
		port = pick_port(w, &local);
	if (!port || port_taken(w, &local, port, false))
		return;
	e = ep_new(w);
	if (!e)
		return;
	sock_set(e->sock, st->family, &local, port, &lo_any6, 0);
	sock_set_unconnected_view(e->sock);
	tp_new(e->sock);
	e->listening = true;
	slot_take(w, slot, e);
	world_run_phase(w, PH_LISTEN, e->sock, NULL);
}

void step_connect(struct sf_world *w, const struct sf_step *st)
{
	world_connect(w, st->slot % SF_NSLOTS, st->family, step_addr(st->family, &st->local),
		      st->lport, step_addr(st->family, &st->remote), st->rport,
		      st->flags & SF_F_WAYPOINT);
}

void step_accept(struct sf_world *w, const struct sf_step *st)
{
	unsigned int slot = st->slot % SF_NSLOTS;
	struct ep *l = slot_ep(w, st->peer), *child;

	if (!l || !l->listening || !l->qhead || slot == st->peer % SF_NSLOTS)
		return;
	/* The slot's old socket goes first; a child it resets stays queued. */
	slot_abort(w, slot);
	child = ep_queue_pop(w, l);
	if (child)
		slot_take(w, slot, child);
}

/* SF_SEND: VALUE bytes from SLOT to its peer, acknowledged at once. */
void step_send(struct sf_world *w, const struct sf_step *st)
{
	struct ep *e = slot_ep(w, st->slot), *peer;
	struct host_sock *x, *y;
	__u64 n = st->value;

	if (!e || !n)
		return;
	x = e->sock;
	peer = ep_at(w, e->peer);
	if (x->state != BPF_TCP_ESTABLISHED && x->state != BPF_TCP_CLOSE_WAIT)
		return; /* EPIPE, ENOTCONN */
	if (x->state == BPF_TCP_CLOSE_WAIT && (!peer || peer->sock->state == BPF_TCP_CLOSE)) {
		/* The peer closed: its time-wait socket answers new data with a
		 * RST (tcp_timewait_state_process()). */
		world_run_phase(w, PH_DATA_AFTER_CLOSE, x, NULL);
		return;
	}
	if (!peer)
		return;
	y = peer->sock;
	if (y->state != BPF_TCP_ESTABLISHED && y->state != BPF_TCP_FIN_WAIT1 &&
	    y->state != BPF_TCP_FIN_WAIT2)
		return;
	tp_send(x, y, n);
}

void step_close(struct sf_world *w, const struct sf_step *st)
{
	struct ep *e = slot_ep(w, st->slot);

	if (!e)
		return;
	slot_release(w, e);
	ep_close(w, e);
}

/* SF_RESET: close(2) with SO_LINGER 0. */
void step_reset(struct sf_world *w, const struct sf_step *st)
{
	slot_abort(w, st->slot % SF_NSLOTS);
}
