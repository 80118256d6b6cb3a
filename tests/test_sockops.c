// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_sockops.c: the sockops program (core/sockops.bpf.c) against SPEC §1-7,
 * run natively on the host runtime.
 *
 * The five seed scenarios (shared/seed/sockops-notes.md) come first under their
 * seed names, each over IPv4, IPv6 and IPv4-mapped sockets; the negative and
 * failure cases follow. Every expected key and record is built here, byte by
 * byte, from the socket's addresses and ports (inet_pton, explicit port bytes),
 * never with a core function, so a wrong byte order or a stray byte fails.
 *
 *   pod 127.0.0.5 / fd00::5 / ::ffff:127.0.0.5        peer 127.0.0.9 / fd00::9 / ...
 *   client  pod:40000 ------------------------------------> peer:8080   (op 4)
 *   server  pod:8080  <------------------------------------ peer:50000  (op 5)
 *   control pod:40000 ---> 0.0.0.2 or ::2 : 929 enrol, 930 leave         (op 3)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "check.h"
#include "host_suite.h"
#include "host.h"
#include "sockops.h"

/* ---- the socket families -------------------------------------------------- */

struct fam {
	const char *name;
	__u32 family; /* as the socket reports it */
	int af;	      /* for inet_pton */
	const char *pod, *pod2, *peer, *ctl;
	bool v4view; /* reverse tuples and manage keys are in the IPv4 view */
};

static const struct fam fams[] = {
	{"v4", KM_AF_INET, AF_INET, "127.0.0.5", "127.0.0.7", "127.0.0.9", "0.0.0.2", true},
	{"v6", KM_AF_INET6, AF_INET6, "fd00::5", "fd00::6", "fd00::9", "::2", false},
	{"v4mapped", KM_AF_INET6, AF_INET6, "::ffff:127.0.0.5", "::ffff:127.0.0.7",
	 "::ffff:127.0.0.9", "::2", true},
};

#define NR_FAMS (sizeof(fams) / sizeof(fams[0]))

static const struct fam *const F_V4 = &fams[0], *const F_V6 = &fams[1], *const F_MAPPED = &fams[2];

#define POD_CLIENT_PORT 40000
#define PEER_PORT	8080
#define POD_SERVER_PORT 8080
#define PEER_CLIENT	50000

/* The 4 or 16 bytes of address S (network order) into OUT[16], zero-padded. */
static void addr_bytes(int af, const char *s, __u8 out[16])
{
	memset(out, 0, 16);
	if (inet_pton(af, s, out) != 1)
		fail_msg("[%s] bad test address %s", where, s);
}

/* The IPv4 address of S: the address itself, or the last word of ::ffff:a.b.c.d. */
static void addr_v4(const struct fam *f, const char *s, __u8 out[4])
{
	__u8 b[16];

	addr_bytes(f->af, s, b);
	memcpy(out, f->af == AF_INET ? b : b + 12, 4);
}

/* A port as it sits in memory: network order (big endian) or host order. */
static void put_port(__u8 *p, __u16 port, bool network)
{
	if (network) {
		p[0] = (__u8)(port >> 8);
		p[1] = (__u8)port;
	} else {
		memcpy(p, &port, 2);
	}
}

/* Expected manager_key of LOCAL (SPEC §2): zeroed, the IPv4 address in bytes
 * 0..3 (AF_INET or IPv4-mapped), else the 16 bytes. */
static void want_key(const struct fam *f, const char *local, __u8 key[16])
{
	memset(key, 0, 16);
	if (f->v4view)
		addr_v4(f, local, key);
	else
		addr_bytes(f->af, local, key);
}

/* Expected bpf_sock_tuple (SPEC §4): IPv4 view = saddr 0..3, daddr 4..7, sport
 * 8..9, dport 10..11, the rest zero; IPv6 view = 0..15, 16..31, 32..33, 34..35. */
static void want_tuple(const struct fam *f, bool v4view, const char *src, __u16 sport,
		       const char *dst, __u16 dport, bool net_ports, __u8 t[36])
{
	memset(t, 0, 36);
	if (v4view) {
		addr_v4(f, src, t);
		addr_v4(f, dst, t + 4);
		put_port(t + 8, sport, net_ports);
		put_port(t + 10, dport, net_ports);
		return;
	}
	addr_bytes(f->af, src, t);
	addr_bytes(f->af, dst, t + 16);
	put_port(t + 32, sport, net_ports);
	put_port(t + 34, dport, net_ports);
}

/* The reverse tuple of a socket LOCAL:LPORT <-> REMOTE:RPORT: src = remote,
 * host-order ports, IPv4 view for IPv4 and IPv4-mapped sockets. */
static void want_reverse(const struct fam *f, const char *local, __u16 lport, const char *remote,
			 __u16 rport, __u8 t[36])
{
	want_tuple(f, f->v4view, remote, rport, local, lport, false, t);
}

/* The forward tuple (sockhash key): src = local, network-order ports, no
 * IPv4-mapped folding: only an AF_INET socket uses the IPv4 view. */
static void want_forward(const struct fam *f, const char *local, __u16 lport, const char *remote,
			 __u16 rport, __u8 t[36])
{
	want_tuple(f, f->family == KM_AF_INET, local, lport, remote, rport, true, t);
}

/* Expected km_auth_req: u32 type (0 IPv4 view, 1 IPv6) then the reverse tuple. */
static void want_auth(const struct fam *f, const char *local, __u16 lport, const char *remote,
		      __u16 rport, __u8 out[40])
{
	__u32 type = f->v4view ? 0 : 1;

	memcpy(out, &type, 4);
	want_reverse(f, local, lport, remote, rport, out + 4);
}

/* The TCP counters every test socket carries; the low halves of the 64-bit
 * ones depend on the ports so that records of different sockets differ. */
static void set_tp(struct host_sock *s)
{
	s->tp.bytes_acked = 0x100000000ull | (0x1000u + s->local_port);
	s->tp.bytes_received = 0x200000000ull | (0x2000u + s->remote_port);
	s->tp.srtt_us = 800;
	s->tp.rtt_min = 90;
	s->tp.total_retrans = 3;
	s->tp.lost_out = 2;
}

/* Expected km_probe_rec (sockops.h, SPEC §5), written at explicit offsets. */
struct probe_want {
	__u8 state, direction, conn_success;
	const __u8 *tuple; /* 36 bytes, client to server, host-order ports */
	bool v4view;
	const __u8 *orig; /* 36 bytes or NULL for zero */
	const struct host_sock *s;
	__u64 start, now;
};

static void put32(__u8 *p, __u32 v)
{
	memcpy(p, &v, 4);
}

static void put64(__u8 *p, __u64 v)
{
	memcpy(p, &v, 8);
}

static void want_probe(const struct probe_want *w, __u8 out[128])
{
	memset(out, 0, 128);
	out[0] = w->v4view ? 0 : 1;
	out[1] = w->state;
	out[2] = w->direction;
	out[3] = w->conn_success;
	memcpy(out + 4, w->tuple, 36);
	if (w->orig)
		memcpy(out + 40, w->orig, 36);
	put32(out + 76, (__u32)w->s->tp.bytes_acked);
	put32(out + 80, (__u32)w->s->tp.bytes_received);
	put32(out + 84, w->s->tp.srtt_us);
	put64(out + 88, w->start);
	put64(out + 96, w->now);
	put64(out + 104, w->now - w->start);
	put32(out + 112, w->s->tp.rtt_min);
	put32(out + 116, w->s->tp.total_retrans);
	put32(out + 120, w->s->tp.lost_out);
	/* 124..127: reserved, zero */
}

/* Expected sock_storage_data (SPEC §6). */
static void want_storage(__u64 connect_ns, __u64 last_ns, __u8 dir, __u8 success, __u8 via_wp,
			 const __u8 *orig, __u8 out[64])
{
	memset(out, 0, 64);
	put64(out, connect_ns);
	put64(out + 8, last_ns);
	out[16] = dir;
	out[17] = success;
	out[18] = via_wp;
	if (orig)
		memcpy(out + 24, orig, 36);
}

/* An original destination as user space records it: any 36 defined bytes. */
static void orig_dst(__u8 out[36])
{
	for (int i = 0; i < 36; i++)
		out[i] = (__u8)(0x30 + i);
}

/* ---- driving the runtime -------------------------------------------------- */

static struct host_map *map(const char *name)
{
	struct host_map *m = host_map__by_name(name);

	if (!m)
		fail_msg("[%s] map %s missing", where, name);
	return m;
}

static struct host_sock *mksock(const struct fam *f, const char *local, __u16 lport,
				const char *remote, __u16 rport)
{
	__u8 l[16], r[16];
	struct host_sock *s = host_sock__new();

	CHECK(s, "host_sock__new: errno %d", errno);
	addr_bytes(f->af, local, l);
	addr_bytes(f->af, remote, r);
	host_sock__set_addrs(s, f->family, l, lport, r, rport);
	s->state = KM_TCP_ESTABLISHED;
	set_tp(s);
	return s;
}

static struct host_sock *server_sock(const struct fam *f, const char *peer, __u16 peer_port)
{
	return mksock(f, f->pod, POD_SERVER_PORT, peer, peer_port);
}

static struct host_sock *client_sock(const struct fam *f)
{
	return mksock(f, f->pod, POD_CLIENT_PORT, f->peer, PEER_PORT);
}

static void fire(struct host_sock *s, __u32 op)
{
	CHECK_INT(host_sock__fire(s, op, NULL), 0, "program return value");
}

static void fire_connect(const struct fam *f, const char *local, const char *remote, __u16 port)
{
	struct host_sock *c = mksock(f, local, POD_CLIENT_PORT, remote, port);

	fire(c, BPF_SOCK_OPS_TCP_CONNECT_CB);
	host_sock__free(c);
}

/* Enrol LOCAL the way user space would: km_manage[key] = VALUE. */
static void manage(const struct fam *f, const char *local, __u32 value)
{
	__u8 key[16];

	want_key(f, local, key);
	CHECK_INT(host_map__update(map("km_manage"), key, &value, BPF_ANY), 0, "enrol by hand");
}

/* Storage of an outbound socket, as the connect hooks in user space create it. */
static __u8 *user_storage(struct host_sock *s, __u64 connect_ns, bool via_waypoint,
			  const __u8 *orig)
{
	__u8 *st = host_sk_storage__get(map("km_sockstorage"), s, true);

	CHECK(st, "user-space storage");
	put64(st, connect_ns);
	st[18] = via_waypoint;
	if (orig)
		memcpy(st + 24, orig, 36);
	return st;
}

static void set_global(const char *name, const void *val, size_t size)
{
	CHECK_INT(host_global__set(name, val, size), 0, name);
}

static void set_u32(const char *name, __u32 v)
{
	set_global(name, &v, sizeof(v));
}

static void set_addr_global(const char *name, const char *addr)
{
	__u8 b[16];

	addr_bytes(AF_INET6, addr, b);
	set_global(name, b, 16);
}

static __u64 counter(enum km_counter id)
{
	size_t size = 0;
	__u64 *c = host_global__ptr("km_counters", &size);

	CHECK(c && size == KM_CNT__MAX * sizeof(__u64), "km_counters: size %zu", size);
	return c[id];
}

static const char *const counter_names[KM_CNT__MAX] = {
	[KM_CNT_AUTH_REQ_DROPPED] = "KM_CNT_AUTH_REQ_DROPPED",
	[KM_CNT_PROBE_DROPPED] = "KM_CNT_PROBE_DROPPED",
	[KM_CNT_MAP_UPDATE_FAILED] = "KM_CNT_MAP_UPDATE_FAILED",
	[KM_CNT_MAP_DELETE_FAILED] = "KM_CNT_MAP_DELETE_FAILED",
	[KM_CNT_CB_FLAGS_FAILED] = "KM_CNT_CB_FLAGS_FAILED",
	[KM_CNT_LOG_DROPPED] = "KM_CNT_LOG_DROPPED",
};

/* All counters zero except ID (may be KM_CNT__MAX for none), which is N. */
static void check_counters(enum km_counter id, __u64 n)
{
	for (int i = 0; i < KM_CNT__MAX; i++)
		CHECK_INT(counter(i), i == (int)id ? n : 0, counter_names[i]);
}

/* Pop the oldest record of ring NAME into OUT; it must be LEN bytes. */
static void pop(const char *name, void *out, __u32 len)
{
	struct host_map *m = map(name);
	__u32 got = 0;
	const void *p = host_ring__peek(m, &got);

	CHECK(p, "ring %s is empty", name);
	CHECK_INT(got, len, "record length");
	memcpy(out, p, len);
	host_ring__consume(m);
}

static __u32 ring_count(const char *name)
{
	return host_map__count(map(name));
}

/* The next probe record must be exactly WANT, and hold no poison byte. */
static void expect_probe(const __u8 want[128], const char *what)
{
	__u8 got[128];

	pop("km_tcp_probe", got, 128);
	for (int i = 0; i < 128; i++)
		CHECK(got[i] != HOST_RING_POISON || want[i] == HOST_RING_POISON,
		      "%s: byte %d is ring poison 0x%02x: not written", what, i, got[i]);
	CHECK_BYTES(got, want, 128, what);
}

static void expect_auth(const __u8 want[40], const char *what)
{
	__u8 got[40];

	pop("km_auth_req", got, 40);
	CHECK_BYTES(got, want, 40, what);
}

static void expect_log(__u32 level, __u32 site, __s64 arg)
{
	__u8 got[16], want[16];

	put32(want, level);
	put32(want + 4, site);
	put64(want + 8, (__u64)arg);
	pop("km_log", got, 16);
	CHECK_BYTES(got, want, 16, "km_log record {level, site, arg}");
}

static void expect_storage(struct host_sock *s, const __u8 want[64], const char *what)
{
	CHECK_BYTES(host_sk_storage__get(map("km_sockstorage"), s, false), want, 64, what);
}

/* ---- the whole observable state, to prove that nothing changed ----------- */

/* Maps (hash and sockhash entries, ring bytes and records, storage of live
 * sockets), sockets' cb_flags, all globals (counters too), the clock and the
 * log: what the program can change (host_state__digest()). */
static __u64 world(void)
{
	static const struct host_digest_scope scope = {.flags = HOST_DIGEST_SOCK_CB_FLAGS};

	return host_state__digest(HOST_DIGEST_SEED, &scope);
}

static __u64 world_before;

static void world_save(void)
{
	world_before = world();
}

static void world_unchanged(const char *what)
{
	CHECK_INT(world(), world_before, what);
}

/* ---- fixtures ------------------------------------------------------------- */

/* ---- the five seed scenarios ---------------------------------------------- */

/*
 * Seed 1, TCP_CONNECT_CB enrols: a connect from the pod to the control address
 * on port 929 writes km_manage[key(pod)] = 0 and nothing else; a repeat is
 * idempotent and another pod gets its own key.
 */
static void test_sockops_add_kmesh_ip(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		struct host_map *m;
		__u8 key[16], key2[16];
		__u32 cursor = 0, *val;
		const void *k;
		void *v;

		host_reset();
		at("%s: enrol %s via %s:929", f->name, f->pod, f->ctl);
		fire_connect(f, f->pod, f->ctl, KM_CONTROL_PORT_ENROL);
		m = map("km_manage");
		want_key(f, f->pod, key);
		CHECK_INT(host_map__count(m), 1, "km_manage entries");
		CHECK(host_map__next(m, &cursor, &k, &v), "no entry to iterate");
		CHECK_BYTES(k, key, 16, "manager_key");
		CHECK_BYTES(v, &(__u32){KM_MANAGED}, 4, "km_manage value");
		for (unsigned int i = 0; i < host_prog.nr_maps; i++)
			if (strcmp(host_prog.maps[i].name, "km_manage"))
				CHECK_INT(host_map__count(map(host_prog.maps[i].name)), 0,
					  host_prog.maps[i].name);
		CHECK_INT(host_ring__used(map("km_log")), 0, "km_log bytes");
		check_counters(KM_CNT__MAX, 0);

		at("%s: enrol again", f->name);
		fire_connect(f, f->pod, f->ctl, KM_CONTROL_PORT_ENROL);
		CHECK_INT(host_map__count(m), 1, "km_manage entries after a repeat");

		at("%s: enrol a second pod %s", f->name, f->pod2);
		fire_connect(f, f->pod2, f->ctl, KM_CONTROL_PORT_ENROL);
		want_key(f, f->pod2, key2);
		CHECK_INT(host_map__count(m), 2, "km_manage entries");
		val = host_map__lookup(m, key);
		CHECK(val && *val == KM_MANAGED, "first pod's entry");
		val = host_map__lookup(m, key2);
		CHECK(val && *val == KM_MANAGED, "second pod's entry");
	}
}

/*
 * Seed 2, TCP_CONNECT_CB releases: port 930 deletes the pod's key and restores
 * the map as it was before the enrolment; releasing a pod that is not enrolled
 * is silent (no counter, no log).
 */
static void test_sockops_del_kmesh_ip(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		struct host_map *m = map("km_manage");
		__u8 key[16], key2[16];

		host_reset();
		at("%s: release %s", f->name, f->pod);
		manage(f, f->pod2, KM_MANAGED);
		world_save();
		fire_connect(f, f->pod, f->ctl, KM_CONTROL_PORT_ENROL);
		CHECK_INT(host_map__count(m), 2, "entries after enrolment");
		fire_connect(f, f->pod, f->ctl, KM_CONTROL_PORT_LEAVE);
		want_key(f, f->pod, key);
		want_key(f, f->pod2, key2);
		CHECK(host_map__lookup(m, key) == NULL, "released key still present");
		CHECK(host_map__lookup(m, key2) != NULL, "the other pod was released");
		world_unchanged("state after enrol + release vs before");

		at("%s: release again (ENOENT is silent)", f->name);
		fire_connect(f, f->pod, f->ctl, KM_CONTROL_PORT_LEAVE);
		CHECK_INT(host_map__count(m), 1, "entries");
		check_counters(KM_CNT__MAX, 0);
		CHECK_INT(ring_count("km_log"), 0, "log records");
		world_unchanged("state after a second release");
	}
}

/*
 * Seed 3, ACTIVE_ESTABLISHED_CB on a managed client whose storage (made by user
 * space) says via_waypoint: an OUTBOUND report, STATE_CB requested, and the
 * socket in km_socket under the forward tuple with network-order ports.
 */
static void test_sockops_active_establish_waypoint(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		__u8 fwd[36], tup[36], orig[36], probe[128], st[64];
		struct host_sock *c;
		__u64 t0, t1;
		__u32 cursor = 0;
		const void *k;

		host_reset();
		at("%s: active establish via waypoint", f->name);
		manage(f, f->pod, KM_MANAGED);
		c = client_sock(f);
		orig_dst(orig);
		t0 = host_clock__now();
		user_storage(c, t0, true, orig);
		host_clock__advance(5000);
		t1 = host_clock__now();
		fire(c, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);

		want_forward(f, f->pod, POD_CLIENT_PORT, f->peer, PEER_PORT, fwd);
		CHECK_INT(host_map__count(map("km_socket")), 1, "km_socket entries");
		CHECK(host_map__next(map("km_socket"), &cursor, &k, NULL), "iterate km_socket");
		CHECK_BYTES(k, fwd, 36, "sockhash key (forward tuple)");
		CHECK(host_sockhash__lookup(map("km_socket"), fwd) == c,
		      "entry names another socket");
		CHECK_INT(c->cb_flags, BPF_SOCK_OPS_STATE_CB_FLAG, "cb_flags");

		want_tuple(f, f->v4view, f->pod, POD_CLIENT_PORT, f->peer, PEER_PORT, false, tup);
		want_probe(&(struct probe_want){.state = KM_TCP_ESTABLISHED,
						.direction = KM_DIR_OUTBOUND,
						.conn_success = 1,
						.tuple = tup,
						.v4view = f->v4view,
						.orig = orig,
						.s = c,
						.start = t0,
						.now = t1},
			   probe);
		CHECK_INT(ring_count("km_tcp_probe"), 1, "probe records");
		expect_probe(probe, "ESTABLISHED report (outbound)");
		want_storage(t0, t1, KM_DIR_OUTBOUND, 1, 1, orig, st);
		expect_storage(c, st, "storage after the establish");
		CHECK_INT(host_map__count(map("km_sockstorage")), 1, "storages");
		CHECK_INT(ring_count("km_auth_req"), 0, "auth requests of a client");
		CHECK_INT(ring_count("km_log"), 0, "log records");
		check_counters(KM_CNT__MAX, 0);
	}
}

/* The checks of a successful passive establish of S (pod:8080 <- PEER:PPORT)
 * at time NOW: INBOUND report, auth request, fresh storage, STATE_CB. */
static void check_passive_flags(const struct fam *f, struct host_sock *s, const char *peer,
				__u16 pport, __u64 now, __u32 cb_flags)
{
	__u8 tup[36], probe[128], auth[40], st[64];

	want_tuple(f, f->v4view, peer, pport, f->pod, POD_SERVER_PORT, false, tup);
	want_probe(&(struct probe_want){.state = KM_TCP_ESTABLISHED,
					.direction = KM_DIR_INBOUND,
					.conn_success = 1,
					.tuple = tup,
					.v4view = f->v4view,
					.s = s,
					.start = now,
					.now = now},
		   probe);
	CHECK_INT(ring_count("km_tcp_probe"), 1, "probe records");
	expect_probe(probe, "ESTABLISHED report (inbound)");
	want_auth(f, f->pod, POD_SERVER_PORT, peer, pport, auth);
	CHECK_INT(ring_count("km_auth_req"), 1, "auth requests");
	expect_auth(auth, "auth request {type, reverse tuple}");
	want_storage(now, now, KM_DIR_INBOUND, 1, 0, NULL, st);
	expect_storage(s, st, "storage created by the establish");
	CHECK_INT(s->cb_flags, cb_flags, "cb_flags");
}

static void check_passive(const struct fam *f, struct host_sock *s, const char *peer, __u16 pport,
			  __u64 now)
{
	check_passive_flags(f, s, peer, pport, now, BPF_SOCK_OPS_STATE_CB_FLAG);
}

/*
 * Seed 4, PASSIVE_ESTABLISHED_CB on a managed server: storage created with
 * connect_ns = now, an INBOUND report, STATE_CB requested and an auth request
 * carrying the reverse tuple (src = peer, host-order ports).
 */
static void test_sockops_passive_establish(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		struct host_sock *s;
		__u64 now;

		host_reset();
		at("%s: passive establish", f->name);
		manage(f, f->pod, KM_MANAGED);
		host_clock__advance(777);
		now = host_clock__now();
		s = server_sock(f, f->peer, PEER_CLIENT);
		fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
		check_passive(f, s, f->peer, PEER_CLIENT, now);
		CHECK_INT(host_map__count(map("km_socket")), 0, "sockhash entries of a server");
		CHECK_INT(ring_count("km_log"), 0, "log records");
		check_counters(KM_CNT__MAX, 0);
	}
}

/* The km_auth_res key upstream builds for an IPv4-mapped socket: the IPv6 view
 * with its first 12 bytes overwritten by the IPv4 view (SPEC §4, mutant a). */
static void leftover_key(const struct fam *f, const char *local, __u16 lport, const char *remote,
			 __u16 rport, __u8 t[36])
{
	__u8 v4[36];

	want_tuple(f, false, remote, rport, local, lport, false, t);
	want_tuple(f, true, remote, rport, local, lport, false, v4);
	memcpy(t, v4, 12);
}

/*
 * Seed 5, STATE_CB to CLOSE, on the server and on the client side: a CLOSE
 * report from the storage, and km_auth_res loses the entry under the reverse
 * tuple as user space writes it (zero-padded IPv4 view for IPv4 and
 * IPv4-mapped sockets). Other entries stay; the sockhash entry leaves.
 */
static void test_sockops_state_cb_close(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		for (int side = 0; side < 2; side++) {
			bool server = side == 0;
			struct host_map *res = map("km_auth_res");
			__u8 rev[36], decoy[36], left[36], tup[36], orig[36], probe[128];
			__u32 allow = 0, deny = 1, entries = 2;
			const char *lname = server ? "server" : "client";
			__u16 lport = server ? POD_SERVER_PORT : POD_CLIENT_PORT;
			__u16 rport = server ? PEER_CLIENT : PEER_PORT;
			struct host_sock *s;
			__u64 t0, t1;

			host_reset();
			at("%s %s: establish", f->name, lname);
			manage(f, f->pod, KM_MANAGED);
			t0 = host_clock__now();
			orig_dst(orig);
			if (server) {
				s = server_sock(f, f->peer, PEER_CLIENT);
				fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
				host_ring__drain(map("km_auth_req"));
			} else {
				s = client_sock(f);
				user_storage(s, t0, true, orig);
				fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);
				CHECK_INT(host_map__count(map("km_socket")), 1, "sockhash entries");
			}
			host_ring__drain(map("km_tcp_probe"));

			at("%s %s: close", f->name, lname);
			want_reverse(f, f->pod, lport, f->peer, rport, rev);
			want_reverse(f, f->pod, lport, f->peer, rport + 1, decoy);
			CHECK_INT(host_map__update(res, rev, &allow, BPF_ANY), 0, "verdict");
			CHECK_INT(host_map__update(res, decoy, &deny, BPF_ANY), 0, "other verdict");
			if (f == F_MAPPED) {
				leftover_key(f, f->pod, lport, f->peer, rport, left);
				CHECK_INT(host_map__update(res, left, &deny, BPF_ANY), 0,
					  "leftover");
				entries++;
			}
			host_clock__advance(7000);
			t1 = host_clock__now();
			/* The application closes the socket: it leaves the sockhash
			 * (sock_map_close), then TCP moves it to CLOSE. */
			host_sock__release(s);
			CHECK_INT(host_sock__set_state(s, KM_TCP_CLOSE), 0, "program return value");

			CHECK(host_map__lookup(res, rev) == NULL, "verdict survived the close");
			CHECK(host_map__lookup(res, decoy) != NULL,
			      "another connection's verdict gone");
			if (f == F_MAPPED)
				CHECK(host_map__lookup(res, left) != NULL,
				      "the close deleted the key with IPv6 leftovers");
			CHECK_INT(host_map__count(res), entries - 1, "km_auth_res entries");
			CHECK_INT(host_map__count(map("km_socket")), 0, "sockhash entries");

			if (server)
				want_tuple(f, f->v4view, f->peer, rport, f->pod, lport, false, tup);
			else
				want_tuple(f, f->v4view, f->pod, lport, f->peer, rport, false, tup);
			want_probe(&(struct probe_want){.state = KM_TCP_CLOSE,
							.direction = server ? KM_DIR_INBOUND
									    : KM_DIR_OUTBOUND,
							.conn_success = 1,
							.tuple = tup,
							.v4view = f->v4view,
							.orig = server ? NULL : orig,
							.s = s,
							.start = t0,
							.now = t1},
				   probe);
			CHECK_INT(ring_count("km_tcp_probe"), 1, "probe records");
			expect_probe(probe, "CLOSE report");
			CHECK_INT(ring_count("km_auth_req"), 0, "auth requests at close");
			CHECK_INT(ring_count("km_log"), 0, "log records");
			check_counters(KM_CNT__MAX, 0);
		}
	}
}

/* ---- enrolment: what must not change km_manage ----------------------------- */

/* Control address on any other port: km_manage untouched, enrolled or not.
 * The byte-swapped 929/930 catch a port read in the wrong byte order. */
static void test_sockops_connect_other_port_ignored(void **state)
{
	static const __u16 ports[] = {928, 931, 0, 1, 9290, 0xa103, 0xa203, 65535};

	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		host_reset();
		manage(f, f->pod2, KM_MANAGED);
		world_save();
		for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
			at("%s: connect to %s:%u", f->name, f->ctl, ports[i]);
			fire_connect(f, f->pod, f->ctl, ports[i]);
			fire_connect(f, f->pod2, f->ctl, ports[i]);
			world_unchanged("state after a connect on another port");
		}
	}
}

/* Any address other than exactly 0.0.0.2 or ::2 is no control address, on
 * port 929 or 930: ::ffff:0.0.0.2 is not, nor byte-swapped or widened forms. */
static void test_sockops_connect_other_address_ignored(void **state)
{
	static const char *const v4[] = {"0.0.0.3", "0.0.0.0", "2.0.0.0",      "127.0.0.2",
					 "0.0.1.2", "0.0.2.0", "255.255.255.2"};
	static const char *const v6[] = {
		"::3",	 "::ffff:0.0.0.2", "::",	"200::",      "::200",
		"::1:2", "fd00::2",	   "::1:0:0:2", "0:0:0:1::2", "::2:0"};

	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		const char *const *addrs = f->af == AF_INET ? v4 : v6;
		size_t n =
			f->af == AF_INET ? sizeof(v4) / sizeof(v4[0]) : sizeof(v6) / sizeof(v6[0]);

		host_reset();
		manage(f, f->pod2, KM_MANAGED);
		world_save();
		for (size_t i = 0; i < n; i++) {
			at("%s: connect to %s", f->name, addrs[i]);
			fire_connect(f, f->pod, addrs[i], KM_CONTROL_PORT_ENROL);
			fire_connect(f, f->pod2, addrs[i], KM_CONTROL_PORT_LEAVE);
			world_unchanged("state after a connect to another address");
		}
	}
}

/* ::ffff:a.b.c.d and a.b.c.d are the same pod: enrolled from one family,
 * managed and released from the other. */
static void test_sockops_v4mapped_same_pod_as_v4(void **state)
{
	struct host_map *m = map("km_manage");
	struct host_sock *s;
	__u8 key[16];

	at("enrol from AF_INET, serve on AF_INET6 v4-mapped");
	fire_connect(F_V4, F_V4->pod, F_V4->ctl, KM_CONTROL_PORT_ENROL);
	s = server_sock(F_MAPPED, F_MAPPED->peer, PEER_CLIENT);
	fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
	check_passive(F_MAPPED, s, F_MAPPED->peer, PEER_CLIENT, host_clock__now());

	at("release from AF_INET6 v4-mapped");
	fire_connect(F_MAPPED, F_MAPPED->pod, F_MAPPED->ctl, KM_CONTROL_PORT_LEAVE);
	CHECK_INT(host_map__count(m), 0, "km_manage entries");

	at("enrol from AF_INET6 v4-mapped, serve on AF_INET");
	fire_connect(F_MAPPED, F_MAPPED->pod, F_MAPPED->ctl, KM_CONTROL_PORT_ENROL);
	want_key(F_V4, F_V4->pod, key);
	CHECK(host_map__lookup(m, key) != NULL, "the v4-mapped pod is not under its IPv4 key");
	s = server_sock(F_V4, F_V4->peer, PEER_CLIENT + 1);
	fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
	check_passive(F_V4, s, F_V4->peer, PEER_CLIENT + 1, host_clock__now());
}

/* Full km_manage (8192 entries): enrolling a new address fails, is counted
 * and logged {ERR, MANAGE_UPDATE, -E2BIG}; an enrolled key still updates. */
static void test_sockops_manage_map_full(void **state)
{
	struct host_map *m = map("km_manage");
	__u8 key[16], pod_key[16];
	__u32 one = 1, *val;

	at("fill km_manage");
	want_key(F_V4, F_V4->pod, pod_key);
	CHECK_INT(host_map__update(m, pod_key, &one, BPF_ANY), 0, "pod entry (value 1)");
	for (__u32 i = 1; i < KM_MANAGE_MAX; i++) {
		memset(key, 0, 16);
		key[0] = 0xfc;
		memcpy(key + 12, &i, 4);
		if (host_map__update(m, key, &one, BPF_ANY))
			fail_msg("[%s] filling entry %u failed", where, i);
	}
	at("enrol a new address");
	fire_connect(F_V4, F_V4->pod2, F_V4->ctl, KM_CONTROL_PORT_ENROL);
	want_key(F_V4, F_V4->pod2, key);
	CHECK(host_map__lookup(m, key) == NULL, "an entry beyond max_entries");
	CHECK_INT(host_map__count(m), KM_MANAGE_MAX, "entries");
	check_counters(KM_CNT_MAP_UPDATE_FAILED, 1);
	CHECK_INT(ring_count("km_log"), 1, "log records");
	expect_log(KM_LOG_ERR, KM_LOG_MANAGE_UPDATE, -E2BIG);

	at("enrol an address already present");
	fire_connect(F_V4, F_V4->pod, F_V4->ctl, KM_CONTROL_PORT_ENROL);
	val = host_map__lookup(m, pod_key);
	CHECK(val && *val == KM_MANAGED, "existing key not updated: %u", val ? *val : 99);
	check_counters(KM_CNT_MAP_UPDATE_FAILED, 1);
	CHECK_INT(ring_count("km_log"), 0, "log records");
}

/* ---- establish: who is managed, who is skipped ---------------------------- */

/* Establish callbacks on a socket whose pod is not managed (not enrolled,
 * another pod enrolled, or the value is not 0) change nothing at all: no
 * report, no auth request, no STATE_CB, no sockhash entry; its close then
 * does not even run the program. */
static void test_sockops_unmanaged_socket_untouched(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		for (int variant = 0; variant < 3; variant++) {
			struct host_sock *srv, *cli;
			__u8 rev[36];

			host_reset();
			at("%s: unmanaged, variant %d", f->name, variant);
			if (variant == 1)
				manage(f, f->pod2, KM_MANAGED);
			if (variant == 2)
				manage(f, f->pod, 1);
			srv = server_sock(f, f->peer, PEER_CLIENT);
			cli = client_sock(f);
			user_storage(cli, host_clock__now(), true, NULL);
			want_reverse(f, f->pod, POD_SERVER_PORT, f->peer, PEER_CLIENT, rev);
			CHECK_INT(host_map__update(map("km_auth_res"), rev, &(__u32){0}, BPF_ANY),
				  0, "verdict");
			world_save();
			fire(srv, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
			fire(cli, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);
			world_unchanged("state after establishing unmanaged sockets");
			CHECK_INT(srv->cb_flags, 0, "server cb_flags");
			CHECK_INT(cli->cb_flags, 0, "client cb_flags");
			host_sock__set_state(srv, KM_TCP_CLOSE);
			host_sock__set_state(cli, KM_TCP_CLOSE);
			world_unchanged("state after closing unmanaged sockets");
		}
	}
}

/* node_ip and pod_gateway peers get nothing on passive establish (SPEC §3):
 * no report, no auth request, no STATE_CB. Same family: a v4-mapped global
 * names an AF_INET peer and, byte for byte, a v4-mapped AF_INET6 peer; a
 * native IPv6 global names that IPv6 peer. Another peer is served. */
static void test_sockops_passive_skips_node_and_gateway(void **state)
{
	static const char *const globals[] = {"node_ip", "pod_gateway"};

	for (int g = 0; g < 2; g++) {
		for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
			struct host_sock *s;

			host_reset();
			at("%s: %s = the peer", f->name, globals[g]);
			manage(f, f->pod, KM_MANAGED);
			/* Globals keep IPv4 addresses IPv4-mapped (SPEC §6). */
			set_addr_global(globals[g], f->v4view ? "::ffff:127.0.0.9" : "fd00::9");
			s = server_sock(f, f->peer, PEER_CLIENT);
			world_save();
			fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
			world_unchanged("state after a skipped peer");
			CHECK_INT(s->cb_flags, 0, "cb_flags of a skipped peer");

			at("%s: %s = the peer, another peer connects", f->name, globals[g]);
			s = server_sock(f, f->pod2, PEER_CLIENT);
			fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
			check_passive(f, s, f->pod2, PEER_CLIENT, host_clock__now());
		}
	}
}

/* The correction of SPEC §3: no cross-family match. An AF_INET peer is not
 * skipped by an IPv6 global whose last word is its address (upstream's
 * node_ip[3] compare), nor by an IPv4-compatible one; an AF_INET6 peer needs
 * all 16 bytes. */
static void test_sockops_passive_no_cross_family_skip(void **state)
{
	static const struct {
		const struct fam *f;
		const char *global, *peer;
	} cases[] = {
		{&fams[0], "2001:db8::7f00:9", "127.0.0.9"},
		{&fams[0], "::7f00:9", "127.0.0.9"},
		{&fams[0], "::ffff:127.0.0.8", "127.0.0.9"},
		{&fams[2], "2001:db8::7f00:9", "::ffff:127.0.0.9"},
		{&fams[2], "::7f00:9", "::ffff:127.0.0.9"},
		{&fams[1], "::ffff:127.0.0.9", "::7f00:9"},
		{&fams[1], "fd00::9:0", "fd00::9"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int g = 0; g < 2; g++) {
			const char *name = g ? "pod_gateway" : "node_ip";
			const struct fam *f = cases[i].f;
			struct host_sock *s;

			host_reset();
			at("%s peer %s, %s = %s", f->name, cases[i].peer, name, cases[i].global);
			manage(f, f->pod, KM_MANAGED);
			set_addr_global(name, cases[i].global);
			s = server_sock(f, cases[i].peer, PEER_CLIENT);
			fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
			check_passive(f, s, cases[i].peer, PEER_CLIENT, host_clock__now());
		}
	}
}

/* Zero globals (the default) match nothing, not even the all-zero peer. */
static void test_sockops_passive_zero_globals_match_nothing(void **state)
{
	static const struct {
		const struct fam *f;
		const char *peer;
	} cases[] = {{&fams[0], "0.0.0.0"}, {&fams[1], "::"}, {&fams[2], "::ffff:0.0.0.0"}};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fam *f = cases[i].f;
		struct host_sock *s;

		host_reset();
		at("%s peer %s with zero globals", f->name, cases[i].peer);
		manage(f, f->pod, KM_MANAGED);
		s = server_sock(f, cases[i].peer, PEER_CLIENT);
		fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
		check_passive(f, s, cases[i].peer, PEER_CLIENT, host_clock__now());
	}
}

/* ---- establish: monitoring and storage ------------------------------------ */

/* enable_monitoring != 1 gates only observation: no report and no storage on
 * passive establish, but STATE_CB and the auth request still happen. */
static void test_sockops_passive_monitoring_off(void **state)
{
	static const __u32 values[] = {0, 2};

	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		for (int i = 0; i < 2; i++) {
			__u8 auth[40];
			struct host_sock *s;

			host_reset();
			at("%s: enable_monitoring = %u", f->name, values[i]);
			manage(f, f->pod, KM_MANAGED);
			set_u32("enable_monitoring", values[i]);
			s = server_sock(f, f->peer, PEER_CLIENT);
			fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
			CHECK_INT(ring_count("km_tcp_probe"), 0, "probe records");
			CHECK_INT(host_ring__used(map("km_tcp_probe")), 0, "probe ring bytes");
			CHECK_INT(host_map__count(map("km_sockstorage")), 0, "storage created");
			CHECK_INT(s->cb_flags, BPF_SOCK_OPS_STATE_CB_FLAG, "cb_flags");
			want_auth(f, f->pod, POD_SERVER_PORT, f->peer, PEER_CLIENT, auth);
			expect_auth(auth, "auth request");
			check_counters(KM_CNT__MAX, 0);
		}
	}
}

/* On active establish with monitoring off: no report, storage untouched, but
 * STATE_CB and the waypoint entry. */
static void test_sockops_active_monitoring_off(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		__u8 orig[36], st[64], fwd[36];
		struct host_sock *c;
		__u64 t0;

		host_reset();
		at("%s: active, monitoring off", f->name);
		manage(f, f->pod, KM_MANAGED);
		set_u32("enable_monitoring", 0);
		c = client_sock(f);
		orig_dst(orig);
		t0 = host_clock__now() - 100;
		user_storage(c, t0, true, orig);
		fire(c, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);
		CHECK_INT(ring_count("km_tcp_probe"), 0, "probe records");
		want_storage(t0, 0, KM_DIR_NONE, 0, 1, orig, st);
		expect_storage(c, st, "storage after an unobserved establish");
		want_forward(f, f->pod, POD_CLIENT_PORT, f->peer, PEER_PORT, fwd);
		CHECK(host_sockhash__lookup(map("km_socket"), fwd) == c, "no waypoint entry");
		CHECK_INT(c->cb_flags, BPF_SOCK_OPS_STATE_CB_FLAG, "cb_flags");
		check_counters(KM_CNT__MAX, 0);
	}
}

/* Monitoring off at establish, on at close: the CLOSE report of storage with
 * direction 0 and connect_success 0 is still fully defined, every byte from
 * the socket or zero, no ring poison. (The socket is the client, so the
 * tuple runs local to remote.) */
static void test_sockops_close_report_direction_zero(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		__u8 orig[36], tup[36], probe[128];
		struct host_sock *c;
		__u64 t0, t1;

		host_reset();
		at("%s: close report, direction 0", f->name);
		manage(f, f->pod, KM_MANAGED);
		/* Fill the probe ring's memory with old records first. */
		for (int i = 0; i < 3; i++) {
			struct host_sock *old =
				server_sock(f, f->pod2, (__u16)(PEER_CLIENT + 100 + i));

			fire(old, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
		}
		host_ring__drain(map("km_tcp_probe"));
		set_u32("enable_monitoring", 0);
		c = client_sock(f);
		orig_dst(orig);
		t0 = host_clock__now();
		user_storage(c, t0, false, orig);
		fire(c, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);
		set_u32("enable_monitoring", 1);
		host_clock__advance(31337);
		t1 = host_clock__now();
		host_sock__set_state(c, KM_TCP_CLOSE);
		want_tuple(f, f->v4view, f->pod, POD_CLIENT_PORT, f->peer, PEER_PORT, false, tup);
		want_probe(&(struct probe_want){.state = KM_TCP_CLOSE,
						.direction = KM_DIR_NONE,
						.conn_success = 0,
						.tuple = tup,
						.v4view = f->v4view,
						.orig = orig,
						.s = c,
						.start = t0,
						.now = t1},
			   probe);
		CHECK_INT(ring_count("km_tcp_probe"), 1, "probe records");
		expect_probe(probe, "CLOSE report, direction 0");
	}
}

/* Active establish without storage: no report, no sockhash entry, and no
 * storage created (OUTBOUND never creates it); STATE_CB is still requested. */
static void test_sockops_active_establish_storage_missing(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		struct host_sock *c;

		host_reset();
		at("%s: active without storage", f->name);
		manage(f, f->pod, KM_MANAGED);
		c = client_sock(f);
		fire(c, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);
		CHECK_INT(ring_count("km_tcp_probe"), 0, "probe records");
		CHECK_INT(host_map__count(map("km_socket")), 0, "sockhash entries");
		CHECK_INT(host_map__count(map("km_sockstorage")), 0, "storage created on OUTBOUND");
		CHECK_INT(c->cb_flags, BPF_SOCK_OPS_STATE_CB_FLAG, "cb_flags");
		CHECK_INT(ring_count("km_auth_req"), 0, "auth requests");
		check_counters(KM_CNT__MAX, 0);
	}
}

/* Active establish with storage but no via_waypoint: observed, STATE_CB,
 * no sockhash entry. */
static void test_sockops_active_establish_no_waypoint(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		struct host_sock *c;

		host_reset();
		at("%s: active without waypoint", f->name);
		manage(f, f->pod, KM_MANAGED);
		c = client_sock(f);
		user_storage(c, host_clock__now(), false, NULL);
		fire(c, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);
		CHECK_INT(ring_count("km_tcp_probe"), 1, "probe records");
		CHECK_INT(host_map__count(map("km_socket")), 0, "sockhash entries");
		CHECK_INT(c->cb_flags, BPF_SOCK_OPS_STATE_CB_FLAG, "cb_flags");
	}
}

/* ---- full rings and failing helpers --------------------------------------- */

/* km_auth_req holds exactly 85 requests (4096 bytes, 48 per record); the 86th
 * is dropped, counted and logged {ERR, AUTH_RING_FULL}; nothing else of that
 * establish changes. Consuming one request makes room for the next. */
static void test_sockops_auth_ring_full_drops_and_counts(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		struct host_sock *s;
		__u8 auth[40];

		host_reset();
		at("%s: fill km_auth_req", f->name);
		manage(f, f->pod, KM_MANAGED);
		for (int i = 0; i < 85; i++) {
			s = server_sock(f, f->peer, (__u16)(PEER_CLIENT + i));
			fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
		}
		CHECK_INT(ring_count("km_auth_req"), 85, "requests");
		CHECK_INT(host_ring__used(map("km_auth_req")), 85 * 48, "ring bytes");
		check_counters(KM_CNT__MAX, 0);

		at("%s: the 86th request", f->name);
		s = server_sock(f, f->peer, PEER_CLIENT + 85);
		fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
		CHECK_INT(ring_count("km_auth_req"), 85, "requests");
		check_counters(KM_CNT_AUTH_REQ_DROPPED, 1);
		CHECK_INT(ring_count("km_log"), 1, "log records");
		expect_log(KM_LOG_ERR, KM_LOG_AUTH_RING_FULL, 0);
		CHECK_INT(ring_count("km_tcp_probe"), 86, "probe records");
		CHECK_INT(s->cb_flags, BPF_SOCK_OPS_STATE_CB_FLAG, "cb_flags of the dropped one");

		at("%s: consume one, then the 87th fits", f->name);
		want_auth(f, f->pod, POD_SERVER_PORT, f->peer, PEER_CLIENT, auth);
		expect_auth(auth, "request 0");
		s = server_sock(f, f->peer, PEER_CLIENT + 86);
		fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
		CHECK_INT(ring_count("km_auth_req"), 85, "requests");
		check_counters(KM_CNT_AUTH_REQ_DROPPED, 1);
		for (int i = 1; i < 85; i++) {
			at("%s: request %d", f->name, i);
			want_auth(f, f->pod, POD_SERVER_PORT, f->peer, (__u16)(PEER_CLIENT + i),
				  auth);
			expect_auth(auth, "queued request");
		}
		want_auth(f, f->pod, POD_SERVER_PORT, f->peer, PEER_CLIENT + 86, auth);
		expect_auth(auth, "the request after the drop");
	}
}

/* km_tcp_probe (256 KiB, 136 bytes per record) holds floor(262143 / 136) =
 * 1927 reports; the next is dropped and counted, and logged only when the
 * log level includes WARN. */
static void test_sockops_probe_ring_full_drops_and_counts(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		struct host_sock *c;

		host_reset();
		at("%s: fill km_tcp_probe", f->name);
		manage(f, f->pod, KM_MANAGED);
		c = client_sock(f);
		user_storage(c, host_clock__now(), false, NULL);
		for (int i = 0; i < 1928; i++)
			fire(c, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);
		CHECK_INT(ring_count("km_tcp_probe"), 1927, "reports");
		check_counters(KM_CNT_PROBE_DROPPED, 1);
		CHECK_INT(ring_count("km_log"), 0, "WARN logged at level ERR");

		at("%s: log level WARN", f->name);
		set_u32("log_level", KM_LOG_WARN);
		fire(c, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);
		check_counters(KM_CNT_PROBE_DROPPED, 2);
		CHECK_INT(ring_count("km_log"), 1, "log records");
		expect_log(KM_LOG_WARN, KM_LOG_PROBE_RING_FULL, 0);
	}
}

/* A report that cannot be reserved is dropped and counted; the auth request
 * and STATE_CB of the same establish still happen. */
static void test_sockops_probe_reserve_fault_drops_and_counts(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		__u8 auth[40];
		struct host_sock *s;

		host_reset();
		at("%s: probe reserve fails", f->name);
		manage(f, f->pod, KM_MANAGED);
		CHECK_INT(host_fault__arm(HOST_H_RINGBUF_RESERVE, 0, 0), 0, "arm");
		s = server_sock(f, f->peer, PEER_CLIENT);
		fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
		CHECK_INT(ring_count("km_tcp_probe"), 0, "probe records");
		check_counters(KM_CNT_PROBE_DROPPED, 1);
		want_auth(f, f->pod, POD_SERVER_PORT, f->peer, PEER_CLIENT, auth);
		expect_auth(auth, "auth request");
		CHECK_INT(s->cb_flags, BPF_SOCK_OPS_STATE_CB_FLAG, "cb_flags");
	}
}

/* bpf_sock_ops_cb_flags_set failing is logged {ERR, CB_FLAGS_SET, result} and
 * counted, and changes nothing else: the socket keeps its flags, report,
 * auth request and waypoint entry happen; without STATE_CB the close does not
 * reach the program. */
static void test_sockops_cb_flags_set_failure_logged(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		struct host_sock *s, *c;
		__u8 fwd[36];

		host_reset();
		at("%s: passive, cb_flags_set fails", f->name);
		manage(f, f->pod, KM_MANAGED);
		CHECK_INT(host_fault__arm(HOST_H_CB_FLAGS_SET, 0, 0), 0, "arm");
		s = server_sock(f, f->peer, PEER_CLIENT);
		s->cb_flags = BPF_SOCK_OPS_RTO_CB_FLAG;
		fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
		check_passive_flags(f, s, f->peer, PEER_CLIENT, host_clock__now(),
				    BPF_SOCK_OPS_RTO_CB_FLAG);
		check_counters(KM_CNT_CB_FLAGS_FAILED, 1);
		expect_log(KM_LOG_ERR, KM_LOG_CB_FLAGS_SET, -EINVAL);
		world_save();
		host_sock__set_state(s, KM_TCP_CLOSE);
		world_unchanged("state after closing a socket without STATE_CB");

		at("%s: active, cb_flags_set fails with ENOMEM", f->name);
		CHECK_INT(host_fault__arm(HOST_H_CB_FLAGS_SET, 1, -ENOMEM), 0, "arm");
		c = client_sock(f);
		user_storage(c, host_clock__now(), true, NULL);
		fire(c, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);
		CHECK_INT(c->cb_flags, 0, "cb_flags");
		check_counters(KM_CNT_CB_FLAGS_FAILED, 2);
		expect_log(KM_LOG_ERR, KM_LOG_CB_FLAGS_SET, -ENOMEM);
		CHECK_INT(ring_count("km_tcp_probe"), 1, "probe records");
		want_forward(f, f->pod, POD_CLIENT_PORT, f->peer, PEER_PORT, fwd);
		CHECK(host_sockhash__lookup(map("km_socket"), fwd) == c, "waypoint entry");
	}
}

/* Storage allocation failing on passive establish: no report (and no drop
 * counted: nothing was reserved), but STATE_CB and the auth request. */
static void test_sockops_storage_alloc_failure_passive(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		__u8 auth[40];
		struct host_sock *s;

		host_reset();
		at("%s: storage allocation fails", f->name);
		manage(f, f->pod, KM_MANAGED);
		CHECK_INT(host_fault__arm(HOST_H_SK_STORAGE_GET, 0, 0), 0, "arm");
		s = server_sock(f, f->peer, PEER_CLIENT);
		fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
		CHECK_INT(ring_count("km_tcp_probe"), 0, "probe records");
		CHECK_INT(host_map__count(map("km_sockstorage")), 0, "storages");
		want_auth(f, f->pod, POD_SERVER_PORT, f->peer, PEER_CLIENT, auth);
		expect_auth(auth, "auth request");
		CHECK_INT(s->cb_flags, BPF_SOCK_OPS_STATE_CB_FLAG, "cb_flags");
		check_counters(KM_CNT__MAX, 0);
		CHECK_INT(ring_count("km_log"), 0, "log records");
	}
}

/* bpf_sock_hash_update failing: counted as a map update failure and logged
 * {ERR, SOCKHASH_UPDATE, -ENOMEM}; no entry, the rest of the establish stays. */
static void test_sockops_sockhash_update_failure(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		struct host_sock *c;

		host_reset();
		at("%s: sockhash update fails", f->name);
		manage(f, f->pod, KM_MANAGED);
		CHECK_INT(host_fault__arm(HOST_H_SOCK_HASH_UPDATE, 0, 0), 0, "arm");
		c = client_sock(f);
		user_storage(c, host_clock__now(), true, NULL);
		fire(c, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);
		CHECK_INT(host_map__count(map("km_socket")), 0, "sockhash entries");
		check_counters(KM_CNT_MAP_UPDATE_FAILED, 1);
		expect_log(KM_LOG_ERR, KM_LOG_SOCKHASH_UPDATE, -ENOMEM);
		CHECK_INT(ring_count("km_tcp_probe"), 1, "probe records");
		CHECK_INT(c->cb_flags, BPF_SOCK_OPS_STATE_CB_FLAG, "cb_flags");
	}
}

/* A request socket (not a full socket: sk is NULL, cb_flags_set -EINVAL): no
 * report, no storage, no sockhash entry; the failed STATE_CB request is logged
 * and counted; a passive one still asks for authorization. */
static void test_sockops_request_socket(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		__u8 auth[40], st[64];
		struct host_sock *s, *c;

		host_reset();
		at("%s: passive request socket", f->name);
		manage(f, f->pod, KM_MANAGED);
		s = server_sock(f, f->peer, PEER_CLIENT);
		s->fullsock = false;
		fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
		CHECK_INT(ring_count("km_tcp_probe"), 0, "probe records");
		CHECK_INT(host_map__count(map("km_sockstorage")), 0, "storages");
		want_auth(f, f->pod, POD_SERVER_PORT, f->peer, PEER_CLIENT, auth);
		expect_auth(auth, "auth request");
		CHECK_INT(s->cb_flags, 0, "cb_flags");
		check_counters(KM_CNT_CB_FLAGS_FAILED, 1);
		expect_log(KM_LOG_ERR, KM_LOG_CB_FLAGS_SET, -EINVAL);

		at("%s: active request socket", f->name);
		c = client_sock(f);
		user_storage(c, 5, true, NULL);
		c->fullsock = false;
		fire(c, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);
		CHECK_INT(ring_count("km_tcp_probe"), 0, "probe records");
		CHECK_INT(host_map__count(map("km_socket")), 0, "sockhash entries");
		want_storage(5, 0, 0, 0, 1, NULL, st);
		expect_storage(c, st, "storage of the request socket");
		check_counters(KM_CNT_CB_FLAGS_FAILED, 2);
		expect_log(KM_LOG_ERR, KM_LOG_CB_FLAGS_SET, -EINVAL);
	}
}

/* ---- close variants -------------------------------------------------------- */

/* A passive socket established with monitoring off has no storage: its close
 * reports nothing but still clears the verdict. */
static void test_sockops_close_without_storage_cleans_auth(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		struct host_map *res = map("km_auth_res");
		struct host_sock *s;
		__u8 rev[36];

		host_reset();
		at("%s: close without storage", f->name);
		manage(f, f->pod, KM_MANAGED);
		set_u32("enable_monitoring", 0);
		s = server_sock(f, f->peer, PEER_CLIENT);
		fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
		set_u32("enable_monitoring", 1);
		want_reverse(f, f->pod, POD_SERVER_PORT, f->peer, PEER_CLIENT, rev);
		CHECK_INT(host_map__update(res, rev, &(__u32){1}, BPF_ANY), 0, "verdict");
		host_sock__set_state(s, KM_TCP_CLOSE);
		CHECK_INT(host_map__count(res), 0, "verdicts after the close");
		CHECK_INT(ring_count("km_tcp_probe"), 0, "probe records");
	}
}

/* A close with no verdict to delete is silent: ENOENT is no error. */
static void test_sockops_close_missing_verdict_is_silent(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		struct host_sock *s;

		host_reset();
		at("%s: close without a verdict", f->name);
		manage(f, f->pod, KM_MANAGED);
		s = server_sock(f, f->peer, PEER_CLIENT);
		fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
		host_sock__set_state(s, KM_TCP_CLOSE);
		CHECK_INT(ring_count("km_tcp_probe"), 2, "reports (establish, close)");
		check_counters(KM_CNT__MAX, 0);
		CHECK_INT(ring_count("km_log"), 0, "log records");
	}
}

/* STATE_CB to any state but CLOSE does nothing: no report, the verdict stays. */
static void test_sockops_state_cb_other_state_ignored(void **state)
{
	static const __u32 states[] = {1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 0, 0x107};

	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		struct host_sock *s;
		__u8 rev[36];

		host_reset();
		at("%s: other states", f->name);
		manage(f, f->pod, KM_MANAGED);
		s = server_sock(f, f->peer, PEER_CLIENT);
		fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
		host_ring__drain(map("km_tcp_probe"));
		host_ring__drain(map("km_auth_req"));
		want_reverse(f, f->pod, POD_SERVER_PORT, f->peer, PEER_CLIENT, rev);
		CHECK_INT(host_map__update(map("km_auth_res"), rev, &(__u32){0}, BPF_ANY), 0,
			  "verdict");
		world_save();
		for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
			at("%s: STATE_CB to %u", f->name, states[i]);
			CHECK_INT(host_sock__fire(s, BPF_SOCK_OPS_STATE_CB,
						  (const __u32[4]){KM_TCP_ESTABLISHED, states[i]}),
				  0, "program return value");
			world_unchanged("state after STATE_CB to a state other than CLOSE");
		}
		at("%s: CLOSE in args[0] only", f->name);
		host_sock__fire(s, BPF_SOCK_OPS_STATE_CB, (const __u32[4]){KM_TCP_CLOSE, 4});
		world_unchanged("state after STATE_CB from CLOSE");
	}
}

/* No managed check at close: a socket that got STATE_CB while its pod was
 * enrolled still reports and cleans up after the pod left. */
static void test_sockops_close_after_release_still_cleans(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		struct host_map *res = map("km_auth_res");
		struct host_sock *s;
		__u8 rev[36];

		host_reset();
		at("%s: release, then close", f->name);
		fire_connect(f, f->pod, f->ctl, KM_CONTROL_PORT_ENROL);
		s = server_sock(f, f->peer, PEER_CLIENT);
		fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
		host_ring__drain(map("km_tcp_probe"));
		want_reverse(f, f->pod, POD_SERVER_PORT, f->peer, PEER_CLIENT, rev);
		CHECK_INT(host_map__update(res, rev, &(__u32){0}, BPF_ANY), 0, "verdict");
		fire_connect(f, f->pod, f->ctl, KM_CONTROL_PORT_LEAVE);
		CHECK_INT(host_map__count(map("km_manage")), 0, "km_manage entries");
		host_sock__set_state(s, KM_TCP_CLOSE);
		CHECK_INT(host_map__count(res), 0, "verdicts");
		CHECK_INT(ring_count("km_tcp_probe"), 1, "CLOSE reports");
	}
}

/* ---- the gates ------------------------------------------------------------ */

/* A family other than AF_INET and AF_INET6 changes nothing at all, for every
 * op, even when both address views would match an enrolled pod, a control
 * connect, storage with via_waypoint and a verdict: the program returns 0
 * without calling a single helper. */
static void test_sockops_other_family_changes_nothing(void **state)
{
	static const __u32 families[] = {0, 1, 3, 17, 0xffff, KM_AF_INET6 + 0x10000};
	__u8 l4[16], r4[16], l6[16], r6[16], rev4[36], rev6[36];

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		struct host_sock *s;

		host_reset();
		at("family %u: setup", families[i]);
		manage(F_V4, F_V4->pod, KM_MANAGED);
		manage(F_V6, F_V6->pod, KM_MANAGED);
		addr_bytes(AF_INET, F_V4->pod, l4);
		addr_bytes(AF_INET, F_V4->ctl, r4);
		addr_bytes(AF_INET6, F_V6->pod, l6);
		addr_bytes(AF_INET6, F_V6->ctl, r6);
		s = host_sock__new();
		CHECK(s, "socket");
		host_sock__set_addrs(s, families[i], l4, POD_SERVER_PORT, r4,
				     KM_CONTROL_PORT_ENROL);
		memcpy(s->local_ip6, l6, 16);
		memcpy(s->remote_ip6, r6, 16);
		s->state = KM_TCP_ESTABLISHED;
		s->cb_flags = BPF_SOCK_OPS_STATE_CB_FLAG;
		set_tp(s);
		user_storage(s, 1, true, NULL);
		want_reverse(F_V4, F_V4->pod, POD_SERVER_PORT, F_V4->ctl, KM_CONTROL_PORT_ENROL,
			     rev4);
		want_reverse(F_V6, F_V6->pod, POD_SERVER_PORT, F_V6->ctl, KM_CONTROL_PORT_ENROL,
			     rev6);
		CHECK_INT(host_map__update(map("km_auth_res"), rev4, &(__u32){0}, BPF_ANY), 0,
			  "v4");
		CHECK_INT(host_map__update(map("km_auth_res"), rev6, &(__u32){0}, BPF_ANY), 0,
			  "v6");
		world_save();
		for (__u32 op = 0; op < 16; op++) {
			unsigned int n = 1;

			at("family %u, op %u", families[i], op);
			CHECK_INT(
				host_sock__fire(s, op,
						(const __u32[4]){KM_TCP_ESTABLISHED, KM_TCP_CLOSE}),
				0, "program return value");
			host_journal(&n, NULL);
			CHECK_INT(n, 0, "journaled effects");
			for (int h = 0; h < HOST_H__MAX; h++)
				CHECK_INT(host_helper__calls(h), 0, host_helper__name(h));
			world_unchanged("state after an event of another family");
		}
	}
}

/* Ops other than 3, 4, 5 and 10 do nothing, on a control socket and on a
 * managed, established socket with storage and a verdict. */
static void test_sockops_other_ops_change_nothing(void **state)
{
	static const __u32 ops[] = {0,	1,  2,	6,  7,	8,  9,	11,    12,	  13,
				    14, 15, 16, 17, 18, 19, 20, 0x103, 0xffffffff};

	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		struct host_sock *ctl, *s;
		__u8 rev[36];

		host_reset();
		at("%s: setup", f->name);
		manage(f, f->pod, KM_MANAGED);
		ctl = mksock(f, f->pod2, POD_CLIENT_PORT, f->ctl, KM_CONTROL_PORT_ENROL);
		s = server_sock(f, f->peer, PEER_CLIENT);
		user_storage(s, 1, true, NULL);
		want_reverse(f, f->pod, POD_SERVER_PORT, f->peer, PEER_CLIENT, rev);
		CHECK_INT(host_map__update(map("km_auth_res"), rev, &(__u32){0}, BPF_ANY), 0,
			  "verdict");
		world_save();
		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			const __u32 args[4] = {KM_TCP_ESTABLISHED, KM_TCP_CLOSE};

			at("%s: op %u", f->name, ops[i]);
			CHECK_INT(host_sock__fire(ctl, ops[i], args), 0, "program return value");
			CHECK_INT(host_sock__fire(s, ops[i], args), 0, "program return value");
			world_unchanged("state after another op");
		}
	}
}

/* ---- determinism ------------------------------------------------------------ */

/* All five scenarios on one family; their ring records stay in the rings. */
static void run_scenarios(const struct fam *f)
{
	struct host_sock *s, *c;
	__u8 rev[36];

	fire_connect(f, f->pod, f->ctl, KM_CONTROL_PORT_ENROL);
	s = server_sock(f, f->peer, PEER_CLIENT);
	host_clock__advance(1000);
	fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB);
	c = client_sock(f);
	user_storage(c, host_clock__now(), true, NULL);
	host_clock__advance(1000);
	fire(c, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);
	want_reverse(f, f->pod, POD_SERVER_PORT, f->peer, PEER_CLIENT, rev);
	host_map__update(map("km_auth_res"), rev, &(__u32){0}, BPF_ANY);
	host_clock__advance(1000);
	host_sock__set_state(s, KM_TCP_CLOSE);
	host_sock__set_state(c, KM_TCP_CLOSE);
	fire_connect(f, f->pod, f->ctl, KM_CONTROL_PORT_LEAVE);
}

static __u32 ring_records(void)
{
	return ring_count("km_auth_req") + ring_count("km_tcp_probe") + ring_count("km_log");
}

/* Same input, same state, byte for byte (SPEC §8.10): the scenarios after a
 * reset give the same records and the same final state (host_state__digest()
 * of everything: ring records, maps, sockets, storage, globals, clock, log). */
static void test_sockops_same_input_same_bytes(void **state)
{
	for (const struct fam *f = fams; f < fams + NR_FAMS; f++) {
		__u64 one;
		__u32 records;

		host_reset();
		at("%s: first run", f->name);
		run_scenarios(f);
		one = host_state__digest(HOST_DIGEST_SEED, NULL);
		records = ring_records();
		host_reset();
		at("%s: second run", f->name);
		run_scenarios(f);
		CHECK_INT(host_state__digest(HOST_DIGEST_SEED, NULL), one, "second run vs first");
		CHECK_INT(ring_records(), records, "ring records of the second run");
		CHECK(records >= 3, "too few records: %u", records);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, test_setup)
		T(test_sockops_add_kmesh_ip),
		T(test_sockops_del_kmesh_ip),
		T(test_sockops_active_establish_waypoint),
		T(test_sockops_passive_establish),
		T(test_sockops_state_cb_close),
		T(test_sockops_connect_other_port_ignored),
		T(test_sockops_connect_other_address_ignored),
		T(test_sockops_v4mapped_same_pod_as_v4),
		T(test_sockops_manage_map_full),
		T(test_sockops_unmanaged_socket_untouched),
		T(test_sockops_passive_skips_node_and_gateway),
		T(test_sockops_passive_no_cross_family_skip),
		T(test_sockops_passive_zero_globals_match_nothing),
		T(test_sockops_passive_monitoring_off),
		T(test_sockops_active_monitoring_off),
		T(test_sockops_close_report_direction_zero),
		T(test_sockops_active_establish_storage_missing),
		T(test_sockops_active_establish_no_waypoint),
		T(test_sockops_auth_ring_full_drops_and_counts),
		T(test_sockops_probe_ring_full_drops_and_counts),
		T(test_sockops_probe_reserve_fault_drops_and_counts),
		T(test_sockops_cb_flags_set_failure_logged),
		T(test_sockops_storage_alloc_failure_passive),
		T(test_sockops_sockhash_update_failure),
		T(test_sockops_request_socket),
		T(test_sockops_close_without_storage_cleans_auth),
		T(test_sockops_close_missing_verdict_is_silent),
		T(test_sockops_state_cb_other_state_ignored),
		T(test_sockops_close_after_release_still_cleans),
		T(test_sockops_other_family_changes_nothing),
		T(test_sockops_other_ops_change_nothing),
		T(test_sockops_same_input_same_bytes),
#undef T
	};

	return cmocka_run_group_tests_name("sockops", tests, group_setup, group_teardown);
}
