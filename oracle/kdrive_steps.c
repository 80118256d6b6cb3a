// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * kdrive_steps.c: the kernel driver's step handlers, one per kind, in a table
 * indexed by kind (kdrive.h). A kind whose registry row has .kernel_none
 * (input/steps.h) has none; every other kind has one (tests/test_steps.c).
 *
 * The driver acts as a deterministic application would, so that what the
 * kernel fires does not depend on how fast the run goes: it reads what
 * arrives (after a send, at accept, at the end of a stream), it closes
 * gracefully (shutdown(SHUT_WR), then close(2) once the FIN is acknowledged),
 * and it acknowledges a FIN at once (TCP_QUICKACK). A bind or listen the
 * kernel refuses is part of the run.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kdrive.h"
#include "input/steps.h"
#include "world/world.h"

static __u64 kd_cookie(int fd)
{
	__u64 cookie = 0;
	socklen_t len = sizeof(cookie);

	getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len);
	return cookie;
}

void kd_close_slot(struct kd_slot *s)
{
	if (s->fd >= 0)
		close(s->fd);
	*s = (struct kd_slot){.fd = -1};
}

/* S holds FD now (S is empty), a listener or not. */
static void kd_slot_set(struct kd_slot *s, int fd, bool listening)
{
	*s = (struct kd_slot){.fd = fd, .cookie = kd_cookie(fd), .listening = listening};
}

/* ---- recording the user-space actions ---- */

/* The action recorded, or NULL when the table is full (the run is lost). */
static struct orc_action *kd_act(struct orc_kernel *k, __u16 step, enum orc_act what, __u64 cookie,
				 struct orc_kernel_run *out)
{
	struct orc_action *a;

	if (out->nacts == ORC_MAX_ACTS) {
		out->lost++; /* the run cannot be compared (oracle.h) */
		return NULL;
	}
	a = &out->acts[out->nacts++];

	a->seq = __atomic_load_n(k->seq, __ATOMIC_ACQUIRE);
	a->step = step;
	a->what = what;
	a->cookie = cookie;
	a->now_ns = 0;
	return a;
}

static struct orc_action *kd_action(struct orc_kernel *k, __u16 step, __u64 cookie,
				    struct orc_kernel_run *out)
{
	return kd_act(k, step, ORC_ACT_STEP, cookie, out);
}

/* A socket call that failed with ERR (-errno) for want of resources is an
 * error of the run; else the kernel refused what the step asked (a busy port,
 * an address no socket can use), which is part of the run: nothing happens. */
static int kd_refused(int err)
{
	return err == -EMFILE || err == -ENFILE || err == -ENOMEM || err == -ENOBUFS ? err : 0;
}

/* ---- the socket calls ---- */

/* S's own address (once bound, it stays), or NULL. */
static const struct kern_addr *kd_local(struct kd_slot *s)
{
	if (!s->has_local && s->fd >= 0)
		s->has_local = !kern_sock__local(s->fd, &s->local);
	return s->has_local ? &s->local : NULL;
}

/* S's peer (read once it is connected: it stays), or NULL. */
static const struct kern_addr *kd_peer(struct kd_slot *s)
{
	if (!s->has_peer && s->fd >= 0 && !s->listening)
		s->has_peer = !kern_sock__peer(s->fd, &s->peer);
	return s->has_peer ? &s->peer : NULL;
}

/* The slot holding the other end of S's connection (S itself for a socket
 * connected to itself), or NULL: the one whose address is S's peer and whose
 * peer is S's address (the address alone would match every client of a
 * listener S is a child of), if it is still connected (a RST ends that;
 * getpeername() says so). */
static struct kd_slot *kd_peer_slot(struct orc_kernel *k, struct kd_slot *s)
{
	const struct kern_addr *me = kd_local(s), *them = kd_peer(s);
	struct kern_addr now;

	for (int i = 0; me && them && i < SF_NSLOTS; i++) {
		struct kd_slot *o = &k->slots[i];
		const struct kern_addr *o_peer = kd_peer(o), *o_local;

		if (!o_peer || !kd_same_endpoint(o_peer, me))
			continue;
		o_local = kd_local(o);
		if (o_local && kd_same_endpoint(o_local, them) && !kern_sock__peer(o->fd, &now))
			return o;
	}
	return NULL;
}

/* Read what S has, up to the end of the stream, without waiting. Loopback
 * delivers within the sender's syscall, so this takes all that was sent. */
static void kd_drain(const struct kd_slot *s)
{
	static char buf[65536];

	for (int i = 0; i < 64 && recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT) > 0; i++)
		;
}

static __u64 kd_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000 + (__u64)ts.tv_nsec / 1000;
}

static int kd_tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) ? -errno : ti.tcpi_state;
}

/* FD sent its FIN: wait, at most KD_WAIT_MS, until it is acknowledged (FD has
 * left FIN_WAIT1, CLOSING and LAST_ACK). The peer's application acknowledges
 * at once when a slot holds it; a child still queued on its listener does
 * from its delayed-ACK timer, within a few milliseconds. */
static void kd_wait_fin_acked(int fd)
{
	const struct timespec pause = {.tv_nsec = 50000};
	__u64 deadline = kd_now_us() + KD_WAIT_MS * 1000ull;
	int state;

	for (;;) {
		state = kd_tcp_state(fd);
		if (state != BPF_TCP_FIN_WAIT1 && state != BPF_TCP_CLOSING &&
		    state != BPF_TCP_LAST_ACK)
			return;
		if (kd_now_us() > deadline) {
			fprintf(stderr, "oracle: a FIN was not acknowledged within %d ms\n",
				KD_WAIT_MS);
			return;
		}
		nanosleep(&pause, NULL);
	}
}

/* The FIN of S's close as an application sends it (a reset sends none:
 * close(2) with SO_LINGER 0 sends a RST).
 *
 * A graceful close: shutdown(SHUT_WR) sends the FIN, the application
 * holding the other end reads to the end of the stream and acknowledges at
 * once (TCP_QUICKACK), and close(2) follows once the FIN is acknowledged.
 * Left alone, the receiver of a FIN (in pingpong mode then) acknowledges from
 * its delayed-ACK timer (the next tick when no data came, 40 ms after data) or
 * with its own FIN, whichever comes first; and an orphan (close(2) at once)
 * whose ACK arrives while close(2) still owns it stays in FIN_WAIT2 instead of
 * going to time-wait. So close(2) at once would fire what the timing says.
 * What fires instead, always: FIN_WAIT1 at shutdown(2), the ACK's FIN_WAIT2,
 * FIN_WAIT2 again at close(2) (tcp_close_state()), then CLOSE as the orphan
 * goes to time-wait; from CLOSE_WAIT, LAST_ACK and the ACK's CLOSE. */
static void kd_fin(struct orc_kernel *k, struct kd_slot *s)
{
	struct kern_addr them;
	struct kd_slot *peer;
	int on = 1;

	if (s->fd < 0 || kern_sock__peer(s->fd, &them) || shutdown(s->fd, SHUT_WR))
		return; /* not connected: close(2) sends no FIN */
	peer = kd_peer_slot(k, s);
	if (peer) {
		kd_drain(peer);
		setsockopt(peer->fd, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof(on));
	}
	kd_wait_fin_acked(s->fd);
}

/* close(2) of S; RESET: with SO_LINGER 0, which sends a RST. */
static void kd_release(struct kd_slot *s, bool reset)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};

	if (reset && s->fd >= 0)
		setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	kd_close_slot(s);
}

void kd_close(struct orc_kernel *k, struct kd_slot *s, bool reset)
{
	if (!reset)
		kd_fin(k, s);
	kd_release(s, reset);
}

/* User space closes the socket in S (if any), recorded: the close(2) takes it
 * out of every sockhash whatever TCP does next (the graceful close's FIN and
 * its ACK come before it). */
static int kd_user_close(struct orc_kernel *k, __u16 step, struct kd_slot *s, bool reset,
			 struct orc_kernel_run *out)
{
	if (s->fd < 0)
		return 0;
	if (!reset)
		kd_fin(k, s);
	kd_act(k, step, ORC_ACT_CLOSE, s->cookie, out);
	kd_release(s, reset);
	return 0;
}

/* ---- the handlers: step IDX, ST, on the slot S it names ---- */

typedef int kd_handler(struct orc_kernel *k, __u16 idx, struct kd_slot *s, struct sf_step *st,
		       struct orc_kernel_run *out);

/* SF_ENROL, SF_UNENROL: the CNI's control connect from the pod address (SPEC
 * §2). Nothing listens there, so it is refused; should a listener happen to,
 * the connection is closed at once, as any close step closes one. */
static int kd_enrol(struct orc_kernel *k, __u16 idx, struct kd_slot *s, struct sf_step *st,
		    struct orc_kernel_run *out)
{
	struct kd_slot ctl_sock = {.fd = -1};
	struct kern_addr pod, ctl;
	int fd, err;

	kd_addr(&pod, st->family, &st->local, st->lport);
	kd_addr(&ctl, st->family, st->family == AF_INET ? &lo_control4 : &lo_control6,
		st->kind == SF_ENROL ? KM_CONTROL_PORT_ENROL : KM_CONTROL_PORT_LEAVE);
	fd = kern_sock__bind(&pod);
	if (fd < 0)
		return kd_refused(fd);
	kd_slot_set(&ctl_sock, fd, false);
	err = kern_sock__connect(fd, &ctl, KD_WAIT_MS);
	/* The port the kernel chose, written back as kd_connect() does. */
	if (!st->lport && kd_local(&ctl_sock))
		st->lport = kern_addr__port(&ctl_sock.local);
	/* Refused: close(2) at once, what the kernel does too; else gracefully.
	 * Either is user space's close, recorded (the replay ends the socket). */
	return kd_user_close(k, idx, &ctl_sock, err != 0, out);
}

static int kd_listen(struct orc_kernel *k, __u16 idx, struct kd_slot *s, struct sf_step *st,
		     struct orc_kernel_run *out)
{
	struct kern_addr a;
	int fd;

	kd_user_close(k, idx, s, true, out);
	kd_addr(&a, st->family, &st->local, st->lport);
	fd = kern_sock__listen(&a, NULL);
	if (fd < 0)
		return kd_refused(fd);
	kd_slot_set(s, fd, true);
	return 0;
}

/* The connect hook's storage write on FD, the action just recorded in OUT:
 * connect_ns = now (sf_world_connect_ns(); CLOCK_MONOTONIC is the clock
 * bpf_ktime_get_ns() reads, and the action keeps the value for the replay),
 * then the original destination (sf_world_orig_dst()). FRESH: FD is a socket
 * no callback has run for yet, which has no storage to read. */
static int kd_set_orig_dst(struct orc_kernel *k, int fd, bool fresh, __u32 family,
			   const struct sf_addr *dst, __u16 port, __u8 via, struct orc_action *act)
{
	struct sock_storage_data st;
	struct timespec ts;
	__u64 now;
	int err = fresh ? -ENOENT : kern_sockstorage__get(k->prog, fd, &st);

	if (err == -ENOENT)
		memset(&st, 0, sizeof(st));
	else if (err)
		return err;
	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return -errno;
	now = (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
	if (act) /* else the run is lost already */
		act->now_ns = now;
	sf_world_connect_ns(&st, now);
	sf_world_orig_dst(&st, family, dst, port, via);
	return kern_sockstorage__set(k->prog, fd, &st);
}

static int kd_connect(struct orc_kernel *k, __u16 idx, struct kd_slot *s, struct sf_step *st,
		      struct orc_kernel_run *out)
{
	struct kern_addr local, peer;
	struct orc_action *act;
	int fd, err;

	kd_user_close(k, idx, s, true, out);
	kd_addr(&local, st->family, &st->local, st->lport);
	kd_addr(&peer, st->family, &st->remote, st->rport);
	fd = kern_sock__bind(&local);
	if (fd < 0)
		return kd_refused(fd);
	kd_slot_set(s, fd, false);
	/* What the connect hook writes, as the world's connect does: connect_ns
	 * for every connect, the original destination through a waypoint (an
	 * all-zero one writes nothing new into fresh storage). */
	act = kd_action(k, idx, s->cookie, out);
	if (st->flags & SF_F_WAYPOINT)
		err = kd_set_orig_dst(k, fd, true, st->family, &st->remote, st->rport, 1, act);
	else
		err = kd_set_orig_dst(k, fd, true, st->family, &lo_any6, 0, 0, act);
	if (err)
		return err;
	err = kern_sock__connect(fd, &peer, KD_WAIT_MS);
	/* The port the kernel chose at connect() (IP_BIND_ADDRESS_NO_PORT), so
	 * the run as written replays with the ports the recording has. */
	if (!st->lport && kd_local(s))
		st->lport = kern_addr__port(&s->local);
	if (err) { /* refused: part of the run; user space closes the socket */
		kd_act(k, idx, ORC_ACT_CLOSE, s->cookie, out);
		kd_close_slot(s);
	}
	return 0;
}

static int kd_accept(struct orc_kernel *k, __u16 idx, struct kd_slot *s, struct sf_step *st,
		     struct orc_kernel_run *out)
{
	struct kd_slot *l = &k->slots[st->peer % SF_NSLOTS];
	struct pollfd pfd = {.fd = l->fd, .events = POLLIN};
	int fd;

	/* Only a listener with a connection queued changes anything; the slot's
	 * old socket goes first (a child it resets stays queued). */
	if (l == s || !l->listening || poll(&pfd, 1, 0) != 1)
		return 0;
	kd_user_close(k, idx, s, true, out);
	fd = kern_sock__accept(l->fd, 0);
	if (fd >= 0) {
		kd_slot_set(s, fd, false);
		kd_drain(s); /* what the client sent while it was queued */
	}
	return 0;
}

/* S sends VALUE bytes (at most 64 KiB) and its peer, if a slot holds it,
 * reads them, as an application would: a close with unread data would send a
 * RST. A peer still queued on its listener reads them when it is accepted. */
static int kd_send(struct orc_kernel *k, __u16 idx, struct kd_slot *s, struct sf_step *st,
		   struct orc_kernel_run *out)
{
	static char buf[65536];
	struct kd_slot *peer;
	ssize_t sent;
	__u64 n = st->value;

	if (s->fd < 0 || !n)
		return 0;
	peer = kd_peer_slot(k, s);
	sent = send(s->fd, buf, n < sizeof(buf) ? n : sizeof(buf), MSG_NOSIGNAL | MSG_DONTWAIT);
	if (sent > 0 && peer)
		kd_drain(peer);
	return 0;
}

/* SF_CLOSE, SF_RESET. */
static int kd_teardown(struct orc_kernel *k, __u16 idx, struct kd_slot *s, struct sf_step *st,
		       struct orc_kernel_run *out)
{
	return kd_user_close(k, idx, s, st->kind == SF_RESET, out);
}

static int kd_waypoint(struct orc_kernel *k, __u16 idx, struct kd_slot *s, struct sf_step *st,
		       struct orc_kernel_run *out)
{
	if (s->fd < 0)
		return 0; /* an empty slot: no socket to write to */
	kd_action(k, idx, s->cookie, out);
	return kern_sockstorage__set_waypoint(k->prog, s->fd, st->value);
}

static int kd_orig_dst(struct orc_kernel *k, __u16 idx, struct kd_slot *s, struct sf_step *st,
		       struct orc_kernel_run *out)
{
	if (s->fd < 0)
		return 0; /* an empty slot: no socket to write to */
	return kd_set_orig_dst(k, s->fd, false, st->family, &st->local, st->lport, (__u8)st->value,
			       kd_action(k, idx, s->cookie, out));
}

static int kd_monitoring(struct orc_kernel *k, __u16 idx, struct kd_slot *s, struct sf_step *st,
			 struct orc_kernel_run *out)
{
	kd_action(k, idx, 0, out);
	kern_prog__set_monitoring(k->prog, (__u32)st->value);
	return 0;
}

static int kd_log_level(struct orc_kernel *k, __u16 idx, struct kd_slot *s, struct sf_step *st,
			struct orc_kernel_run *out)
{
	kd_action(k, idx, 0, out);
	kern_prog__set_log_level(k->prog, (enum km_log_level)(__u32)st->value);
	return 0;
}

/* SF_NODE_IP, SF_POD_GATEWAY. */
static int kd_global_addr(struct orc_kernel *k, __u16 idx, struct kd_slot *s, struct sf_step *st,
			  struct orc_kernel_run *out)
{
	struct kern_addr a;

	kd_action(k, idx, 0, out);
	kd_addr(&a, AF_INET6, &st->local, 0);
	(st->kind == SF_NODE_IP ? kern_prog__set_node_ip : kern_prog__set_pod_gateway)(k->prog, &a);
	return 0;
}

/* User space answers the oldest unanswered request: the key it builds is the
 * request's tuple as written (the IPv4 view is zero-padded by the core). */
static int kd_auth_answer(struct orc_kernel *k, __u16 idx, struct kd_slot *s, struct sf_step *st,
			  struct orc_kernel_run *out)
{
	struct bpf_map *res = kern_prog__map(k->prog, KERN_MAP_AUTH_RES);
	__u32 verdict = (__u32)st->value;
	int err;

	kd_action(k, idx, 0, out);
	err = kd_take_auth_reqs(k, out);
	if (err)
		return err;
	if (!res || k->answered == out->nauth_reqs) /* no km_auth_res: nothing to write */
		return 0;
	err = bpf_map_update_elem(bpf_map__fd(res), &out->auth_reqs[k->answered++].tuple, &verdict,
				  BPF_ANY);
	return err && errno != E2BIG ? -errno : 0; /* a full map refuses it: part of the run */
}

/* User space writes km_manage under the step's address's key, as the
 * native world does (sf_world_manage_key()). */
static int kd_manage(struct orc_kernel *k, __u16 idx, struct kd_slot *s, struct sf_step *st,
		     struct orc_kernel_run *out)
{
	struct bpf_map *manage = kern_prog__map(k->prog, KERN_MAP_MANAGE);
	struct manager_key key;
	__u32 value = (__u32)st->value;

	kd_action(k, idx, 0, out);
	if (!manage)
		return 0; /* the program has no km_manage: nothing to write */
	sf_world_manage_key(st->family, &st->local, &key);
	if (bpf_map_update_elem(bpf_map__fd(manage), &key, &value, BPF_ANY) && errno != E2BIG)
		return -errno; /* E2BIG: the map is full, part of the run */
	return 0;
}

/* XDP caches a verdict under the first packet arriving at the socket: src =
 * its peer, dst = itself, host-order ports. A socket that is not connected
 * (none, a listener, one a RST closed) gets no packet: nothing happens, and
 * no action is recorded for the replay to carry out. */
static int kd_xdp_verdict(struct orc_kernel *k, __u16 idx, struct kd_slot *s, struct sf_step *st,
			  struct orc_kernel_run *out)
{
	struct bpf_map *res = kern_prog__map(k->prog, KERN_MAP_AUTH_RES);
	const struct kern_addr *local = kd_local(s);
	struct kern_addr peer;
	struct bpf_sock_tuple key;
	__u32 verdict = (__u32)st->value;

	if (!local || kern_sock__peer(s->fd, &peer))
		return 0; /* not connected: no packet arrives */
	kd_action(k, idx, s->cookie, out);
	if (!res)
		return 0; /* the program has no km_auth_res: nothing to write */
	kern_tuple__auth(&key, &peer, local);
	if (bpf_map_update_elem(bpf_map__fd(res), &key, &verdict, BPF_ANY) && errno != E2BIG)
		return -errno; /* E2BIG: the map is full, part of the run */
	return 0;
}

/* The key size of the map being filled (kd_fill()): its keys lie that far
 * apart, as kern_map__keys() and bpf_map_update_batch() have them. */
static __u32 kd_fill_ks;

static int kd_fill_cmp(const void *a, const void *b)
{
	return memcmp(a, b, kd_fill_ks);
}

/* User space fills km_manage or km_auth_res with the world's entries
 * (sf_world_fill_key(), in order, skipping those present) until VALUE are
 * left free or the map refuses one, as the world's fill step does: it reads
 * which keys the map holds, then writes the others up to KD_FILL_BATCH per
 * syscall, each as bpf_map_update_elem() makes it (a batch takes no
 * BPF_NOEXIST: the keys held are skipped instead). */
#define KD_FILL_BATCH 1024
static int kd_fill(struct orc_kernel *k, __u16 idx, struct kd_slot *s, struct sf_step *st,
		   struct orc_kernel_run *out)
{
	static __u8 held[ORC_MAX_ENTRIES * sizeof(union sf_fill_key)]; /* sorted */
	static __u8 keys[KD_FILL_BATCH * sizeof(union sf_fill_key)];
	static __u32 vals[KD_FILL_BATCH];
	bool auth = st->flags & SF_F_AUTH_RES;
	struct bpf_map *m = kern_prog__map(k->prog, auth ? KERN_MAP_AUTH_RES : KERN_MAP_MANAGE);
	__u32 max = m ? bpf_map__max_entries(m) : 0, ks = m ? bpf_map__key_size(m) : 0, i = 0;
	__u64 free = st->value < max ? st->value : max;
	int n, nheld;

	kd_action(k, idx, 0, out);
	if (!m || !sf_world_fillable(ks, bpf_map__value_size(m)))
		return 0; /* no such map of SPEC's sizes: fill does nothing (as natively) */
	if (max > ORC_MAX_ENTRIES) {
		fprintf(stderr, "oracle: a fill of %s: %u entries, more than the driver holds\n",
			bpf_map__name(m), max);
		return -E2BIG;
	}
	n = nheld = kern_map__keys(m, held, ORC_MAX_ENTRIES);
	if (n < 0)
		return n;
	kd_fill_ks = ks;
	qsort(held, nheld, ks, kd_fill_cmp);
	while (i < max && i < SF_FILL_KEYS && n + free < max) {
		__u32 cnt = 0, room = (__u32)(max - free - n);

		for (; cnt < room && cnt < KD_FILL_BATCH && i < max && i < SF_FILL_KEYS; i++) {
			union sf_fill_key key = {0};

			sf_world_fill_key(auth, i, &key);
			if (bsearch(&key, held, nheld, ks, kd_fill_cmp))
				continue; /* present already: skipped */
			memcpy(keys + (size_t)cnt * ks, &key, ks);
			vals[cnt++] = SF_FILL_VALUE;
		}
		/* CNT comes back as the updates made: the one after them failed. */
		if (cnt && bpf_map_update_batch(bpf_map__fd(m), keys, vals, &cnt, NULL)) {
			if (errno == E2BIG)
				break; /* full */
			return -errno;
		}
		n += cnt;
	}
	return 0;
}

static int kd_clock(struct orc_kernel *k, __u16 idx, struct kd_slot *s, struct sf_step *st,
		    struct orc_kernel_run *out)
{
	return 0; /* the kernel's clock runs by itself; the recording keeps it */
}

/* One handler per kind the kernel can carry out; none where the registry's
 * row says why not (.kernel_none: raw, tcp, release). */
static kd_handler *const kd_handlers[SF_KIND__COUNT] = {
	[SF_ENROL] = kd_enrol,
	[SF_UNENROL] = kd_enrol,
	[SF_LISTEN] = kd_listen,
	[SF_CONNECT] = kd_connect,
	[SF_ACCEPT] = kd_accept,
	[SF_SEND] = kd_send,
	[SF_CLOSE] = kd_teardown,
	[SF_RESET] = kd_teardown,
	[SF_WAYPOINT] = kd_waypoint,
	[SF_MONITORING] = kd_monitoring,
	[SF_NODE_IP] = kd_global_addr,
	[SF_POD_GATEWAY] = kd_global_addr,
	[SF_AUTH_ANSWER] = kd_auth_answer,
	[SF_MANAGE] = kd_manage,
	[SF_ORIG_DST] = kd_orig_dst,
	[SF_LOG_LEVEL] = kd_log_level,
	[SF_XDP_VERDICT] = kd_xdp_verdict,
	[SF_FILL] = kd_fill,
	[SF_CLOCK] = kd_clock,
};

bool orc_kernel__handles(enum sf_kind kind)
{
	return (unsigned int)kind < SF_KIND__COUNT && kd_handlers[kind];
}

int kd_step(struct orc_kernel *k, __u16 idx, struct sf_step *st, struct orc_kernel_run *out)
{
	return kd_handlers[st->kind](k, idx, &k->slots[st->slot % SF_NSLOTS], st, out);
}
