// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * kdrive.c: carry out a lifecycle run with real sockets, under the recording
 * build, and collect what the kernel did (oracle.h).
 *
 * Runs inside a kern_sandbox: a private network namespace whose cgroup has
 * the recording program attached. Every wait is bounded, and ends as soon as
 * what it waits for has happened.
 *
 * The driver acts as a deterministic application would, so that what the
 * kernel fires does not depend on how fast the run goes: it reads what
 * arrives (after a send, at accept, at the end of a stream), it closes
 * gracefully (shutdown(SHUT_WR), then close(2) once the FIN is acknowledged),
 * and it acknowledges a FIN at once (TCP_QUICKACK). Every address a run names
 * is on lo (SPEC §10: it is all loopback), so a SYN finds a listener or is
 * refused; a bind or listen the kernel refuses is part of the run.
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
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kernel.h"
#include "oracle.h"
#include "input/input.h"

#define KD_WAIT_MS 1000 /* a loopback handshake takes microseconds */

const char *const orc_ipv6_addrs[] = {"fd00:5f::5", "fd00:5f::6", "fd00:5f::9", "fd00:5f::100",
				      "fd00:5f::101"};
const size_t orc_nipv6_addrs = sizeof(orc_ipv6_addrs) / sizeof(orc_ipv6_addrs[0]);

struct kd_slot {
	int fd; /* -1: empty */
	__u64 cookie;
};

struct orc_kernel {
	const struct kern_sandbox *sb;
	struct kern_prog *prog;
	struct kern_ring *rec_ring;
	__u64 *seq;	/* km_record_seq in the mmapped .bss */
	__u64 *dropped; /* km_record_dropped */
	struct kd_slot slots[SF_NSLOTS];
	size_t answered; /* auth requests user space has answered */
};

/* A global of the recording build, through the mmapped data section. */
static void *kd_global(struct bpf_object *obj, const char *name)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
	{
		const struct btf_type *sec;
		const struct btf_var_secinfo *vi;
		size_t size;
		__u8 *base;
		__s32 id;

		if (!bpf_map__is_internal(map))
			continue;
		id = btf__find_by_name_kind(btf,
					    bpf_map__name(map) + strcspn(bpf_map__name(map), "."),
					    BTF_KIND_DATASEC);
		base = (__u8 *)bpf_map__initial_value(map, &size);
		if (id < 0 || !base)
			continue;
		sec = btf__type_by_id(btf, id);
		vi = btf_var_secinfos(sec);
		for (int i = 0; i < btf_vlen(sec); i++, vi++) {
			const struct btf_type *var = btf__type_by_id(btf, vi->type);

			if (!strcmp(btf__name_by_offset(btf, var->name_off), name))
				return base + vi->offset;
		}
	}
	return NULL;
}

struct orc_kernel *orc_kernel__open(const struct kern_sandbox *sb)
{
	struct orc_kernel *k = calloc(1, sizeof(*k));
	struct bpf_object *obj;
	struct bpf_map *rec;
	int err;

	if (!k)
		return NULL;
	for (int i = 0; i < SF_NSLOTS; i++)
		k->slots[i].fd = -1;
	k->sb = sb;
	k->prog = kern_prog__load();
	if (!k->prog)
		goto fail_errno;
	obj = kern_prog__object(k->prog);
	rec = bpf_object__find_map_by_name(obj, "km_record");
	k->seq = kd_global(obj, "km_record_seq");
	k->dropped = kd_global(obj, "km_record_dropped");
	if (!rec || !k->seq || !k->dropped) {
		fprintf(stderr, "oracle: the loaded object is not the recording build\n");
		errno = ENOENT;
		goto fail;
	}
	k->rec_ring = kern_ring__new(bpf_map__fd(rec), sizeof(struct km_rec));
	if (!k->rec_ring)
		goto fail_errno;
	err = kern_prog__attach(k->prog, kern_sandbox__cgroup(sb));
	if (err) {
		errno = -err;
		goto fail;
	}
	return k;
fail_errno:
	fprintf(stderr, "oracle: cannot load the recording build: %s\n", strerror(errno));
fail:
	err = errno;
	orc_kernel__close(k);
	errno = err;
	return NULL;
}

static void kd_close_slot(struct kd_slot *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->cookie = 0;
}

void orc_kernel__close(struct orc_kernel *k)
{
	if (!k)
		return;
	for (int i = 0; i < SF_NSLOTS; i++)
		kd_close_slot(&k->slots[i]);
	kern_ring__free(k->rec_ring);
	kern_prog__destroy(k->prog);
	free(k);
}

/* ---- addresses ---- */

static void kd_addr(struct kern_addr *a, __u32 family, const struct sf_addr *ip, __u16 port)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		a->in4.sin_family = AF_INET;
		a->in4.sin_addr.s_addr = ip->w[3];
		a->in4.sin_port = htons(port);
		a->len = sizeof(a->in4);
		return;
	}
	a->in6.sin6_family = AF_INET6;
	memcpy(&a->in6.sin6_addr, ip->w, 16);
	a->in6.sin6_port = htons(port);
	a->len = sizeof(a->in6);
}

static __u64 kd_cookie(int fd)
{
	__u64 cookie = 0;
	socklen_t len = sizeof(cookie);

	getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len);
	return cookie;
}

/* ---- collecting the recording ---- */

/* Take the records the callbacks of step STEP wrote. They are written inside
 * the syscalls (loopback delivers in the same softirq), so nothing waits. */
static int kd_collect(struct orc_kernel *k, __u16 step, struct orc_kernel_run *out)
{
	const struct km_rec *recs;
	size_t cnt;
	int n;

	n = kern_ring__poll(k->rec_ring, 0, 0);
	if (n < 0)
		return n;
	recs = kern_ring__records(k->rec_ring, &cnt);
	for (size_t i = 0; i < cnt; i++) {
		if (out->nrecs == ORC_MAX_RECS) {
			out->lost++;
			continue;
		}
		out->rec_step[out->nrecs] = step;
		out->recs[out->nrecs++] = recs[i];
	}
	kern_ring__clear(k->rec_ring);
	return 0;
}

static void kd_act(struct orc_kernel *k, __u16 step, enum orc_act what, __u64 cookie,
		   struct orc_kernel_run *out)
{
	struct orc_action *a = &out->acts[out->nacts++];

	a->seq = __atomic_load_n(k->seq, __ATOMIC_ACQUIRE);
	a->step = step;
	a->what = what;
	a->cookie = cookie;
}

static void kd_action(struct orc_kernel *k, __u16 step, __u64 cookie, struct orc_kernel_run *out)
{
	kd_act(k, step, ORC_ACT_STEP, cookie, out);
}

/* Every auth request the kernel has written so far, kept in order. */
static int kd_take_auth_reqs(struct orc_kernel *k, struct orc_kernel_run *out)
{
	struct kern_ring *r = kern_prog__ring(k->prog, KERN_RING_AUTH_REQ);
	const struct km_auth_req *reqs;
	size_t cnt;
	int n = kern_ring__poll(r, 0, 0);

	if (n < 0)
		return n;
	reqs = kern_ring__records(r, &cnt);
	for (size_t i = 0; i < cnt && out->nauth_reqs < ORC_MAX_RING; i++)
		out->auth_reqs[out->nauth_reqs++] = reqs[i];
	kern_ring__clear(r);
	return 0;
}

/* ---- the steps ---- */

/* User space answers the oldest unanswered request: the key it builds is the
 * request's tuple as written (the IPv4 view is zero-padded by the core). */
static int kd_auth_answer(struct orc_kernel *k, const struct sf_step *st,
			  struct orc_kernel_run *out)
{
	struct bpf_map *res = kern_prog__map(k->prog, KERN_MAP_AUTH_RES);
	__u32 verdict = (__u32)st->value;
	int err = kd_take_auth_reqs(k, out);

	if (err)
		return err;
	if (k->answered == out->nauth_reqs)
		return 0;
	err = bpf_map_update_elem(bpf_map__fd(res), &out->auth_reqs[k->answered++].tuple, &verdict,
				  BPF_ANY);
	return err ? -errno : 0;
}

/* XDP caches a verdict under the first packet arriving at the socket: src =
 * its peer, dst = itself, host-order ports. A socket that is not connected
 * (none, a listener, one a RST closed) gets no packet: nothing happens, and
 * no action is recorded for the replay to carry out. */
static int kd_xdp_verdict(struct orc_kernel *k, __u16 idx, const struct kd_slot *s,
			  const struct sf_step *st, struct orc_kernel_run *out)
{
	struct bpf_map *res = kern_prog__map(k->prog, KERN_MAP_AUTH_RES);
	struct kern_addr local, peer;
	struct bpf_sock_tuple key;
	__u32 verdict = (__u32)st->value;

	if (s->fd < 0 || kern_sock__local(s->fd, &local) || kern_sock__peer(s->fd, &peer))
		return 0; /* not connected: no packet arrives */
	kd_action(k, idx, s->cookie, out);
	kern_tuple__auth(&key, &peer, &local);
	return bpf_map_update_elem(bpf_map__fd(res), &key, &verdict, BPF_ANY) ? -errno : 0;
}

/* A socket call that failed with ERR (-errno) for want of resources is an
 * error of the run; else the kernel refused what the step asked (a busy port,
 * an address no socket can use), which is part of the run: nothing happens. */
static int kd_refused(int err)
{
	return err == -EMFILE || err == -ENFILE || err == -ENOMEM || err == -ENOBUFS ? err : 0;
}

static int kd_connect(struct orc_kernel *k, __u16 idx, struct kd_slot *s, struct sf_step *st,
		      struct orc_kernel_run *out)
{
	struct kern_addr local, peer;
	int fd, err;

	kd_addr(&local, st->family, &st->local, st->lport);
	kd_addr(&peer, st->family, &st->remote, st->rport);
	fd = kern_sock__bind(&local);
	if (fd < 0)
		return kd_refused(fd);
	s->fd = fd;
	s->cookie = kd_cookie(fd);
	if (st->flags & SF_F_WAYPOINT) {
		kd_action(k, idx, s->cookie, out);
		err = kern_sockstorage__set_waypoint(k->prog, fd, true);
		if (err)
			return err;
	}
	err = kern_sock__connect(fd, &peer, KD_WAIT_MS);
	/* The port the kernel chose at connect() (IP_BIND_ADDRESS_NO_PORT), so
	 * the run as written replays with the ports the recording has. */
	if (!st->lport && !kern_sock__local(fd, &local))
		st->lport = kern_addr__port(&local);
	if (err)
		kd_close_slot(s); /* refused: part of the run */
	return 0;
}

/* A and B are one endpoint: an IPv4 address and its IPv4-mapped form are the
 * same (a dual-stack child shows its IPv4 peer mapped). */
static bool kd_same_endpoint(const struct kern_addr *a, const struct kern_addr *b)
{
	__u8 ip[2][16] = {{[10] = 0xff, [11] = 0xff}, {[10] = 0xff, [11] = 0xff}};
	__be16 port[2];

	for (int i = 0; i < 2; i++) {
		const struct kern_addr *x = i ? b : a;

		if (x->sa.sa_family == AF_INET) {
			memcpy(&ip[i][12], &x->in4.sin_addr, 4);
			port[i] = x->in4.sin_port;
		} else {
			memcpy(ip[i], &x->in6.sin6_addr, 16);
			port[i] = x->in6.sin6_port;
		}
	}
	return port[0] == port[1] && !memcmp(ip[0], ip[1], 16);
}

/* The slot holding the other end of S's connection (S itself for a socket
 * connected to itself), or NULL. */
static struct kd_slot *kd_peer_slot(struct orc_kernel *k, const struct kd_slot *s)
{
	struct kern_addr me, them;

	if (s->fd < 0 || kern_sock__local(s->fd, &me))
		return NULL;
	for (int i = 0; i < SF_NSLOTS; i++) {
		struct kd_slot *o = &k->slots[i];

		if (o->fd >= 0 && !kern_sock__peer(o->fd, &them) && kd_same_endpoint(&them, &me))
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

/* S sends N bytes (at most 64 KiB) and its peer, if a slot holds it, reads
 * them, as an application would: a close with unread data would send a RST.
 * A peer still queued on its listener reads them when it is accepted. */
static void kd_send(struct orc_kernel *k, const struct kd_slot *s, __u64 n)
{
	static char buf[65536];
	struct kd_slot *peer;
	ssize_t sent;

	if (s->fd < 0 || !n)
		return;
	peer = kd_peer_slot(k, s);
	sent = send(s->fd, buf, n < sizeof(buf) ? n : sizeof(buf), MSG_NOSIGNAL | MSG_DONTWAIT);
	if (sent > 0 && peer)
		kd_drain(peer);
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

/* The close of S: its FIN (kd_fin()) then close(2), or a reset. */
static int kd_close(struct orc_kernel *k, struct kd_slot *s, bool reset)
{
	if (!reset)
		kd_fin(k, s);
	kd_release(s, reset);
	return 0;
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
	if (out->nacts < SF_MAX_STEPS * 2)
		kd_act(k, step, ORC_ACT_CLOSE, s->cookie, out);
	kd_release(s, reset);
	return 0;
}

/* SF_ENROL, SF_UNENROL: the CNI's control connect from the pod address (SPEC
 * §2). Nothing listens there, so it is refused; should a listener happen to,
 * the connection is closed at once, as any close step closes one. */
static int kd_enrol(struct orc_kernel *k, const struct sf_step *st)
{
	struct kd_slot ctl_sock = {.fd = -1};
	struct kern_addr pod, ctl;
	int fd;

	kd_addr(&pod, st->family, &st->local, st->lport);
	kern_addr__parse(&ctl, st->family == AF_INET ? "0.0.0.2" : "::2",
			 st->kind == SF_ENROL ? KM_CONTROL_PORT_ENROL : KM_CONTROL_PORT_LEAVE);
	fd = kern_sock__bind(&pod);
	if (fd < 0)
		return kd_refused(fd);
	ctl_sock.fd = fd;
	if (kern_sock__connect(fd, &ctl, KD_WAIT_MS))
		kd_close_slot(&ctl_sock); /* refused: what the kernel does too */
	return kd_close(k, &ctl_sock, false);
}

static int kd_step(struct orc_kernel *k, __u16 idx, struct sf_step *st, struct orc_kernel_run *out)
{
	struct kd_slot *s = &k->slots[st->slot % SF_NSLOTS];
	struct kern_addr a;
	int fd;

	switch (st->kind) {
	case SF_ENROL:
	case SF_UNENROL:
		return kd_enrol(k, st);
	case SF_LISTEN:
		kd_user_close(k, idx, s, true, out);
		kd_addr(&a, st->family, &st->local, st->lport);
		fd = kern_sock__listen(&a, NULL);
		if (fd < 0)
			return kd_refused(fd);
		s->fd = fd;
		s->cookie = kd_cookie(fd);
		return 0;
	case SF_CONNECT:
		kd_user_close(k, idx, s, true, out);
		return kd_connect(k, idx, s, st, out);
	case SF_ACCEPT: {
		struct kd_slot *l = &k->slots[st->peer % SF_NSLOTS];
		struct pollfd pfd = {.fd = l->fd, .events = POLLIN};
		int on = 0;
		socklen_t len = sizeof(on);

		/* Only a listener with a connection queued changes anything; the
		 * slot's old socket goes first (a child it resets stays queued). */
		if (l == s || l->fd < 0 ||
		    getsockopt(l->fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) || !on ||
		    poll(&pfd, 1, 0) != 1)
			return 0;
		kd_user_close(k, idx, s, true, out);
		fd = kern_sock__accept(l->fd, 0);
		if (fd >= 0) {
			s->fd = fd;
			s->cookie = kd_cookie(fd);
			kd_drain(s); /* what the client sent while it was queued */
		}
		return 0;
	}
	case SF_SEND:
		kd_send(k, s, st->value);
		return 0;
	case SF_CLOSE:
	case SF_RESET:
		return kd_user_close(k, idx, s, st->kind == SF_RESET, out);
	case SF_WAYPOINT:
		if (s->fd < 0)
			return 0; /* an empty slot: no socket to write to */
		kd_action(k, idx, s->cookie, out);
		return kern_sockstorage__set_waypoint(k->prog, s->fd, st->value);
	case SF_MONITORING:
		kd_action(k, idx, 0, out);
		kern_prog__set_monitoring(k->prog, (__u32)st->value);
		return 0;
	case SF_NODE_IP:
	case SF_POD_GATEWAY:
		kd_action(k, idx, 0, out);
		kd_addr(&a, AF_INET6, &st->local, 0);
		(st->kind == SF_NODE_IP ? kern_prog__set_node_ip
					: kern_prog__set_pod_gateway)(k->prog, &a);
		return 0;
	case SF_AUTH_ANSWER:
		kd_action(k, idx, 0, out);
		return kd_auth_answer(k, st, out);
	case SF_XDP_VERDICT:
		return kd_xdp_verdict(k, idx, s, st, out);
	case SF_CLOCK:
		return 0; /* the kernel's clock runs by itself; the recording keeps it */
	default:
		fprintf(stderr, "oracle: step %u: a raw step cannot run in the kernel\n", idx);
		return -EINVAL;
	}
}

/* ---- before and after a run ---- */

static int kd_clear(struct orc_kernel *k, const struct sf_input *in)
{
	static const enum kern_map_id maps[] = {KERN_MAP_MANAGE, KERN_MAP_SOCKET,
						KERN_MAP_AUTH_RES};
	struct kern_addr a;
	int err;

	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		err = kern_map__clear(kern_prog__map(k->prog, maps[i])); /* count or -errno */
		if (err < 0) {
			fprintf(stderr, "oracle: clearing map %zu: %s\n", i, strerror(-err));
			return err;
		}
	}
	for (int i = 0; i < KERN_RING__MAX; i++) {
		err = kern_ring__drain(kern_prog__ring(k->prog, i));
		if (err) {
			fprintf(stderr, "oracle: draining ring %d: %s\n", i, strerror(-err));
			return err;
		}
	}
	err = kern_ring__drain(k->rec_ring);
	if (err)
		return err;
	kern_prog__set_monitoring(k->prog, in->monitoring);
	kd_addr(&a, AF_INET6, &in->node_ip, 0);
	kern_prog__set_node_ip(k->prog, &a);
	kd_addr(&a, AF_INET6, &in->pod_gateway, 0);
	kern_prog__set_pod_gateway(k->prog, &a);
	kern_prog__reset_counters(k->prog);
	k->answered = 0;
	return 0;
}

static int kd_snapshot(struct orc_kernel *k, struct orc_kernel_run *out)
{
	struct bpf_map *manage = kern_prog__map(k->prog, KERN_MAP_MANAGE);
	struct bpf_map *auth = kern_prog__map(k->prog, KERN_MAP_AUTH_RES);
	struct bpf_map *sock = kern_prog__map(k->prog, KERN_MAP_SOCKET);
	struct kern_ring *probe = kern_prog__ring(k->prog, KERN_RING_PROBE);
	const struct km_probe_rec *recs;
	size_t cnt;
	int n;

	n = kern_map__keys(manage, out->manage_keys, ORC_MAX_ENTRIES);
	if (n < 0)
		return n;
	out->nmanage = n;
	for (int i = 0; i < n; i++)
		bpf_map_lookup_elem(bpf_map__fd(manage), &out->manage_keys[i],
				    &out->manage_vals[i]);
	n = kern_map__keys(auth, out->auth_keys, ORC_MAX_ENTRIES);
	if (n < 0)
		return n;
	out->nauth = n;
	for (int i = 0; i < n; i++)
		bpf_map_lookup_elem(bpf_map__fd(auth), &out->auth_keys[i], &out->auth_vals[i]);
	n = kern_map__keys(sock, out->socket_keys, ORC_MAX_ENTRIES);
	if (n < 0)
		return n;
	out->nsocket = n;
	n = kd_take_auth_reqs(k, out);
	if (n < 0)
		return n;
	n = kern_ring__poll(probe, 0, 0);
	if (n < 0)
		return n;
	recs = kern_ring__records(probe, &cnt);
	for (size_t i = 0; i < cnt && out->nprobes < ORC_MAX_RING; i++)
		out->probes[out->nprobes++] = recs[i];
	kern_ring__clear(probe);
	for (int i = 0; i < KM_CNT__MAX; i++)
		out->counters[i] = kern_prog__counter(k->prog, i);
	return 0;
}

/* Whether lo of every sandbox namespace has A (orc_ipv6_addrs). */
static bool kd_sandbox_has(const struct kern_addr *a)
{
	struct kern_addr b;

	for (size_t i = 0; i < orc_nipv6_addrs; i++)
		if (!kern_addr__parse(&b, orc_ipv6_addrs[i], 0) &&
		    !memcmp(&a->in6.sin6_addr, &b.in6.sin6_addr, 16))
			return true;
	return false;
}

/* Whether lo needs IP (of a step of family FAMILY) added, as A: not what it
 * has already (127.0.0.0/8, ::1, the sandbox's addresses, the control routes
 * 0.0.0.2 and ::2), not the wildcard, not what no socket can use (multicast,
 * broadcast, link-local: connect() fails before any callback). IPv4-mapped
 * addresses are IPv4 ones. */
static bool kd_lo_needs(__u32 family, const struct sf_addr *ip, struct kern_addr *a)
{
	static const __u8 one6[16] = {[15] = 1}, ctl6[16] = {[15] = 2};
	bool v4 = family == AF_INET || lo_addr_is_v4mapped(ip);
	const __u8 *b = (const __u8 *)ip->w;
	__u32 h = ntohl(ip->w[3]);
	bool skip;

	if (v4)
		skip = !h || h == 2 || h >> 24 == 127 || h >> 28 == 14 || h == 0xffffffffu;
	else
		skip = !(ip->w[0] | ip->w[1] | ip->w[2] | ip->w[3]) || !memcmp(b, one6, 16) ||
		       !memcmp(b, ctl6, 16) || b[0] == 0xff ||
		       (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
	if (skip)
		return false;
	kd_addr(a, v4 ? AF_INET : AF_INET6, ip, 0);
	return v4 || !kd_sandbox_has(a);
}

/* The addresses the run names that lo does not have already: the local ones
 * it binds and the remote ones it connects to (every address is on lo: a SYN
 * finds a listener or is refused, as the native world has it). Up to MAX,
 * each once; returns how many. */
static size_t kd_local_addrs(const struct sf_input *in, struct kern_addr *out, size_t max)
{
	size_t n = 0;

	for (unsigned int i = 0; i < in->nsteps; i++) {
		const struct sf_step *st = &in->steps[i];
		const struct sf_addr *ips[2] = {&st->local, &st->remote};

		if (st->kind != SF_ENROL && st->kind != SF_UNENROL && st->kind != SF_LISTEN &&
		    st->kind != SF_CONNECT)
			continue;
		for (int w = 0; w < (st->kind == SF_CONNECT ? 2 : 1); w++) {
			struct kern_addr a;
			size_t j;

			if (!kd_lo_needs(st->family, ips[w], &a))
				continue;
			for (j = 0; j < n && memcmp(&out[j], &a, sizeof(a)); j++)
				;
			if (j == n && n < max)
				out[n++] = a;
		}
	}
	return n;
}

static bool kd_needs_netns(const struct sf_input *in, struct kern_addr *extra, size_t *nextra)
{
	*nextra = kd_local_addrs(in, extra, 16);
	for (unsigned int i = 0; i < in->nsteps; i++)
		if ((in->steps[i].kind == SF_CONNECT || in->steps[i].kind == SF_ENROL ||
		     in->steps[i].kind == SF_UNENROL) &&
		    in->steps[i].lport)
			return true;
	return *nextra > 0;
}

int orc_kernel__run(struct orc_kernel *k, struct sf_input *in, struct orc_kernel_run *out)
{
	struct kern_addr extra[16];
	size_t nextra;
	__u64 dropped = __atomic_load_n(k->dropped, __ATOMIC_RELAXED);
	int err = 0;

	memset(out, 0, offsetof(struct orc_kernel_run, manage_keys));
	out->nmanage = out->nauth = out->nsocket = out->nauth_reqs = out->nprobes = 0;
	/* A fresh namespace when the run binds fixed client ports, which earlier
	 * runs' TIME_WAIT sockets may hold, or addresses lo lacks. Renewing it
	 * every time would cost more than the runs (namespaces die slowly). */
	if (kd_needs_netns(in, extra, &nextra))
		err = kern_sandbox__renew_netns(k->sb, extra, nextra);
	if (!err)
		err = kd_clear(k, in);
	if (err) {
		fprintf(stderr, "oracle: cannot reset the kernel's maps and rings: %s\n",
			strerror(-err));
		return err;
	}
	for (__u16 i = 0; i < in->nsteps; i++) {
		err = kd_step(k, i, &in->steps[i], out);
		if (!err)
			err = kd_collect(k, i, out);
		if (err) {
			fprintf(stderr, "oracle: step %u (%s): %s\n", i,
				sf_kind_name(in->steps[i].kind), strerror(-err));
			return err;
		}
	}
	/* Sockets still open are not closed here: their final state is part of
	 * the run. They close before the next run, outside any recording. */
	err = kd_snapshot(k, out);
	for (int i = 0; i < SF_NSLOTS; i++)
		kd_close(k, &k->slots[i], true);
	out->lost += __atomic_load_n(k->dropped, __ATOMIC_RELAXED) - dropped;
	return err;
}
