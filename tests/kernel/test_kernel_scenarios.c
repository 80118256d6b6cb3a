// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_kernel_scenarios.c: the five seed scenarios (shared/seed/sockops-notes.md)
 * on the real kernel (SPEC §10), each for IPv4, IPv6 and IPv4-mapped sockets.
 *
 * The group runs inside kern_sandbox__run(): a child in a private network
 * namespace and cgroup, with core/sockops.bpf.c attached to that cgroup. All
 * connections are real loopback TCP connections; the checks read what the
 * program left in its maps and rings, byte for byte.
 *
 *   client pod                                 server pod
 *   127.0.0.5 | fd00:5f::5 | ::ffff:127.0.0.5  127.0.0.8 | fd00:5f::6 | :: (dual)
 *      |-- connect 0.0.0.2|::2 :929/:930 (op 3: enrol, leave)
 *      |------------------ SYN ------------------>|
 *      |<---------------- SYN-ACK ----------------|
 *   op 4 ACTIVE_ESTABLISHED                       |
 *      |------------------ ACK ------------------>| op 5 PASSIVE_ESTABLISHED
 *      |---------- FIN ... FIN ... ACK ---------->| op 10 STATE_CB(CLOSE), each end
 *
 * A check that something did NOT happen runs after a barrier that makes it
 * final: accept() returns only after both establish callbacks ran (the
 * server's runs under the child socket's lock, which accept takes; the
 * client's runs before it sends the ACK that completes the child), and an
 * abortive close (SO_LINGER 0) runs STATE_CB inside close().
 *
 * Without root, cgroup2, BTF, bpf() or network namespaces every test prints
 * SKIP with the reason, and the run still succeeds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel.h"

#define WAIT_MS		  3000 /* for anything the kernel does on loopback */
#define PORT_NOT_CONTROL  931
#define ORIG_DST_PORT	  8080
#define AUTH_RING_RECORDS 85 /* 4096 / round_up(40 + 8, 8), SPEC §6 */

/* Addresses of one socket family. The pods are what enrols (a mapped socket
 * cannot reach ::2, connect() says EAFNOSUPPORT, so mapped pods enrol with
 * their IPv4 address). 127.0.0.6 is avoided: the kernel shows it
 * (LOOPBACK4_IPV6) as local_ip4 of native IPv6 sockets. */
struct variant {
	const char *client; /* where the client socket binds */
	const char *server; /* where the client connects */
	const char *listen; /* where the server listens */
	const char *client_pod, *server_pod, *other_pod;
	const char *vip; /* an original destination, for storage */
	/* A gateway of the other family whose last word is the client's IPv4
	 * address: it must not make the client a skipped peer (SPEC §3). */
	const char *decoy_gateway;
	unsigned char client_key[16]; /* km_manage key of client_pod, literally */
};

static const struct variant v4 = {
	.client = "127.0.0.5",
	.server = "127.0.0.8",
	.listen = "127.0.0.8",
	.client_pod = "127.0.0.5",
	.server_pod = "127.0.0.8",
	.other_pod = "127.0.0.7",
	.vip = "127.0.0.9",
	.decoy_gateway = "fd00:5f::7f00:5",
	.client_key = {127, 0, 0, 5},
};

static const struct variant v6 = {
	.client = "fd00:5f::5",
	.server = "fd00:5f::6",
	.listen = "fd00:5f::6",
	.client_pod = "fd00:5f::5",
	.server_pod = "fd00:5f::6",
	.other_pod = "fd00:5f::7",
	.vip = "fd00:5f::9",
	.decoy_gateway = "::ffff:0.0.0.5",
	.client_key = {0xfd, 0x00, 0x00, 0x5f, [15] = 0x05},
};

/* AF_INET6 sockets with IPv4-mapped addresses at both ends: the client binds
 * ::ffff:127.0.0.5, the server listens dual-stack on :: and accepts
 * ::ffff:127.0.0.8. */
static const struct variant v4mapped = {
	.client = "::ffff:127.0.0.5",
	.server = "::ffff:127.0.0.8",
	.listen = "::",
	.client_pod = "127.0.0.5",
	.server_pod = "127.0.0.8",
	.other_pod = "127.0.0.7",
	.vip = "::ffff:127.0.0.9",
	.decoy_gateway = "fd00:5f::7f00:5",
	.client_key = {127, 0, 0, 5},
};

static const struct kern_sandbox *sandbox;
static struct kern_prog *prog;
static char skip_why[256];
static __u64 counters_before[KM_CNT__MAX];

/* ------------------------------------------------------------------------ */
/* Checks that say what went wrong.                                          */

#define CHECK(cond, ...)                       \
	do {                                   \
		if (!(cond))                   \
			fail_msg(__VA_ARGS__); \
	} while (0)

/* RET when it is not a -errno, else fail saying WHAT. */
static int ok(int ret, const char *what)
{
	if (ret < 0)
		fail_msg("%s: %s", what, strerror(-ret));
	return ret;
}
#define OK(expr) ok((expr), #expr)

static void check_bytes(const void *got, const void *want, size_t len, const char *what)
{
	size_t i;

	if (!memcmp(got, want, len))
		return;
	print_message("%s differs:\n  got  ", what);
	for (i = 0; i < len; i++)
		print_message("%02x", ((const unsigned char *)got)[i]);
	print_message("\n  want ");
	for (i = 0; i < len; i++)
		print_message("%02x", ((const unsigned char *)want)[i]);
	print_message("\n");
	fail_msg("%s: bytes differ", what);
}

static bool all_zero(const void *p, size_t len)
{
	const unsigned char *b = p;

	return len == 0 || (b[0] == 0 && !memcmp(b, b + 1, len - 1));
}

static struct kern_addr addr(const char *ip, __u16 port)
{
	struct kern_addr a;

	OK(kern_addr__parse(&a, ip, port));
	return a;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	/* bpf_ktime_get_ns() is CLOCK_MONOTONIC. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct bpf_map *map(enum kern_map_id id)
{
	return kern_prog__map(prog, id);
}

/* ------------------------------------------------------------------------ */
/* Rings, counters, maps.                                                    */

/* Wait until ring ID holds exactly N records (a barrier has made any further
 * one impossible or already visible) and return them. */
static const void *expect_records(enum kern_ring_id id, size_t n, const char *what)
{
	struct kern_ring *r = kern_prog__ring(prog, id);
	size_t cnt;
	int got;

	OK(kern_ring__poll(r, n, n ? WAIT_MS : 0));
	/* Whatever else is already there counts too. */
	got = OK(kern_ring__poll(r, 0, 0));
	CHECK((size_t)got == n, "%s: %d records, want %zu", what, got, n);
	return kern_ring__records(r, &cnt);
}

static void clear_records(enum kern_ring_id id)
{
	kern_ring__clear(kern_prog__ring(prog, id));
}

static __u64 counter_delta(enum km_counter id)
{
	return kern_prog__counter(prog, id) - counters_before[id];
}

/* Nothing failed in the program: no counter moved, no log record. */
static void check_quiet(void)
{
	int i;

	for (i = 0; i < KM_CNT__MAX; i++)
		CHECK(counter_delta(i) == 0, "counter %d moved by %llu", i,
		      (unsigned long long)counter_delta(i));
	expect_records(KERN_RING_LOG, 0, "km_log");
}

/* km_manage holds exactly the keys of PODS (NULL-terminated), each with 0. */
static void check_manage(const char *const *pods)
{
	struct manager_key keys[8], want;
	size_t n = 0, i;
	__u32 value;
	int cnt;

	cnt = OK(kern_map__keys(map(KERN_MAP_MANAGE), keys, 8));
	for (; pods[n]; n++) {
		struct kern_addr a = addr(pods[n], 0);

		kern_manage_key__of(&want, &a);
		for (i = 0; i < (size_t)cnt; i++)
			if (!memcmp(&keys[i], &want, sizeof(want)))
				break;
		CHECK(i < (size_t)cnt, "km_manage lacks the key of %s", pods[n]);
		OK(bpf_map_lookup_elem(bpf_map__fd(map(KERN_MAP_MANAGE)), &want, &value));
		CHECK(value == KM_MANAGED, "km_manage[%s] = %u, want 0", pods[n], value);
	}
	CHECK((size_t)cnt == n, "km_manage has %d keys, want %zu", cnt, n);
}

static void auth_res_put(const struct bpf_sock_tuple *key, __u32 verdict)
{
	OK(bpf_map_update_elem(bpf_map__fd(map(KERN_MAP_AUTH_RES)), key, &verdict, BPF_NOEXIST));
}

/* ------------------------------------------------------------------------ */
/* Connections.                                                              */

struct conn {
	int cfd, sfd;
	struct kern_addr client, server; /* each end's own address */
};

/* Connect V's client to V's server and accept. Before the connect, as
 * Kmesh's connect hooks would: ST (when set) becomes the client's storage,
 * then WAYPOINT sets via_waypoint in it (creating it when ST is NULL). */
static void conn_open(struct conn *c, const struct variant *v, const struct sock_storage_data *st,
		      bool waypoint)
{
	struct kern_addr at = addr(v->listen, 0), bound, peer = addr(v->server, 0),
			 local = addr(v->client, 0);
	int lfd;

	lfd = OK(kern_sock__listen(&at, &bound));
	kern_addr__set_port(&peer, kern_addr__port(&bound));
	c->cfd = OK(kern_sock__bind(&local));
	if (st)
		OK(kern_sockstorage__set(prog, c->cfd, st));
	if (waypoint)
		OK(kern_sockstorage__set_waypoint(prog, c->cfd, true));
	OK(kern_sock__connect(c->cfd, &peer, WAIT_MS));
	c->sfd = OK(kern_sock__accept(lfd, WAIT_MS));
	close(lfd);
	OK(kern_sock__local(c->cfd, &c->client));
	OK(kern_sock__local(c->sfd, &c->server));
}

/* An abortive close: the socket goes to CLOSE (and STATE_CB runs, if asked
 * for) inside close(), so its absence can be checked at once. */
static void sock_abort(int fd)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};

	OK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) ? -errno : 0);
	close(fd);
}

static void conn_abort(struct conn *c)
{
	sock_abort(c->cfd);
	sock_abort(c->sfd);
}

/* The auth and probe tuple of C: client to server, host-order ports, the
 * zero-padded IPv4 view for IPv4 and IPv4-mapped ends. */
static enum km_tuple_type conn_tuple(const struct conn *c, struct bpf_sock_tuple *t)
{
	enum km_tuple_type type = kern_tuple__auth(t, &c->client, &c->server);

	/* The helper is checked too: host order, and the padding (SPEC §8.7). */
	CHECK((type == KM_TUPLE_IPV4 ? t->ipv4.sport : t->ipv6.sport) ==
		      kern_addr__port(&c->client),
	      "helper: sport not host order");
	CHECK(type == KM_TUPLE_IPV6 || all_zero((char *)t + 12, sizeof(*t) - 12),
	      "helper: IPv4 view not zero-padded");
	return type;
}

static void check_probe(const struct km_probe_rec *r, const struct conn *c, __u8 state,
			enum km_direction dir, const struct bpf_sock_tuple *orig_dst)
{
	static const struct bpf_sock_tuple none;
	struct bpf_sock_tuple t;
	enum km_tuple_type type = conn_tuple(c, &t);

	CHECK(r->type == type, "probe type %u, want %u", r->type, type);
	CHECK(r->state == state, "probe state %u, want %u", r->state, state);
	CHECK(r->direction == dir, "probe direction %u, want %u", r->direction, dir);
	CHECK(r->conn_success == 1, "probe conn_success %u, want 1", r->conn_success);
	check_bytes(&r->tuple, &t, sizeof(t), "probe tuple (client to server, host-order ports)");
	check_bytes(&r->orig_dst, orig_dst ?: &none, sizeof(none), "probe orig_dst (storage)");
	CHECK(r->start_ns <= r->last_report_ns, "probe start_ns %llu after last_report_ns %llu",
	      (unsigned long long)r->start_ns, (unsigned long long)r->last_report_ns);
	CHECK(r->duration_ns == r->last_report_ns - r->start_ns,
	      "probe duration_ns %llu != last_report_ns - start_ns",
	      (unsigned long long)r->duration_ns);
	CHECK(r->reserved == 0, "probe reserved %u, want 0", r->reserved);
}

/* The one record of RECS (N of them) with direction DIR. */
static const struct km_probe_rec *probe_of(const struct km_probe_rec *recs, size_t n,
					   enum km_direction dir)
{
	const struct km_probe_rec *found = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (recs[i].direction != dir)
			continue;
		CHECK(!found, "two probe records with direction %u", dir);
		found = &recs[i];
	}
	CHECK(found, "no probe record with direction %u", dir);
	return found;
}

/* ------------------------------------------------------------------------ */
/* Fixtures.                                                                 */

static int group_setup(void **state)
{
	if (skip_why[0])
		return 0;
	prog = kern_prog__load();
	if (!prog) {
		print_message("cannot load the sockops program: %s\n", strerror(errno));
		return -1;
	}
	if (kern_prog__attach(prog, kern_sandbox__cgroup(sandbox)))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	kern_prog__destroy(prog);
	prog = NULL;
	return 0;
}

/* Every test starts from empty maps and rings and default globals. */
static int test_setup(void **state)
{
	int i;

	if (skip_why[0])
		return 0;
	kern_prog__set_monitoring(prog, 1);
	kern_prog__set_log_level(prog, KM_LOG_ERR);
	kern_prog__set_node_ip(prog, NULL);
	kern_prog__set_pod_gateway(prog, NULL);
	if (kern_map__clear(map(KERN_MAP_MANAGE)) < 0 ||
	    kern_map__clear(map(KERN_MAP_AUTH_RES)) < 0 ||
	    kern_map__clear(map(KERN_MAP_SOCKET)) < 0)
		return -1;
	for (i = 0; i < KERN_RING__MAX; i++)
		if (kern_ring__drain(kern_prog__ring(prog, i)))
			return -1;
	for (i = 0; i < KM_CNT__MAX; i++)
		counters_before[i] = kern_prog__counter(prog, i);
	return 0;
}

#define SKIP_WITHOUT_KERNEL()                                  \
	do {                                                   \
		if (skip_why[0]) {                             \
			print_message("SKIP: %s\n", skip_why); \
			skip();                                \
		}                                              \
	} while (0)

/* ------------------------------------------------------------------------ */
/* Scenario 1 (op 3): a connect from a pod to 0.0.0.2:929 (::2 for IPv6)
 * enrols the pod's address, with value 0; nothing else does. */
static void test_sockops_add_kmesh_ip(void **state)
{
	const struct variant *v = *state;
	const char *const none[] = {NULL}, *pod[] = {v->client_pod, NULL};
	struct kern_addr p, local, mapped_ctl;
	struct manager_key key;

	SKIP_WITHOUT_KERNEL();
	p = addr(v->client_pod, 0);
	local = addr(v->client, 0);

	/* 1. Not control connects: the wrong port, and for an IPv4-mapped
	 *    socket ::ffff:0.0.0.2, which is not ::2 (SPEC §2). */
	OK(kern_ctl__connect(&p, PORT_NOT_CONTROL));
	if (kern_addr__is_v4mapped(&local)) {
		mapped_ctl = addr("::ffff:0.0.0.2", KM_CONTROL_PORT_ENROL);
		OK(kern_sock__poke(&local, &mapped_ctl));
	}
	check_manage(none);

	/* 2. Enrol: exactly the pod's key, IPv4 in bytes 0..3, network order. */
	OK(kern_ctl__enrol(&p));
	check_manage(pod);
	OK(kern_map__keys(map(KERN_MAP_MANAGE), &key, 1));
	check_bytes(&key, v->client_key, sizeof(key), "km_manage key");

	/* 3. Enrolling again changes nothing and fails nothing. */
	OK(kern_ctl__enrol(&p));
	check_manage(pod);
	check_quiet();
}

/* Scenario 2 (op 3): a connect to port 930 releases exactly the pod's key;
 * releasing a released pod is silent (ENOENT); other ports release nothing. */
static void test_sockops_del_kmesh_ip(void **state)
{
	const struct variant *v = *state;
	const char *const none[] = {NULL}, *both[] = {v->client_pod, v->other_pod, NULL},
			  *other[] = {v->other_pod, NULL};
	struct kern_addr p, o, local, mapped_ctl;

	SKIP_WITHOUT_KERNEL();
	p = addr(v->client_pod, 0);
	o = addr(v->other_pod, 0);
	local = addr(v->client, 0);
	OK(kern_ctl__enrol(&p));
	OK(kern_ctl__enrol(&o));
	check_manage(both);

	/* 1. Not control connects release nothing. */
	OK(kern_ctl__connect(&p, PORT_NOT_CONTROL));
	if (kern_addr__is_v4mapped(&local)) {
		mapped_ctl = addr("::ffff:0.0.0.2", KM_CONTROL_PORT_LEAVE);
		OK(kern_sock__poke(&local, &mapped_ctl));
	}
	check_manage(both);

	/* 2. Leave: only this pod's key goes. */
	OK(kern_ctl__leave(&p));
	check_manage(other);

	/* 3. Leaving again: ENOENT is silent (no counter, no log record). */
	OK(kern_ctl__leave(&p));
	check_manage(other);
	OK(kern_ctl__leave(&o));
	check_manage(none);
	check_quiet();
}

/* Scenario 3 (op 4): a managed client whose storage says via_waypoint gets an
 * OUTBOUND report from that storage, STATE_CB, and a km_socket entry under its
 * forward tuple (network-order ports, no IPv4-mapped folding). */
static void test_sockops_active_establish_waypoint(void **state)
{
	const struct variant *v = *state;
	struct kern_addr p = addr(v->client_pod, 0), local = addr(v->client, 0),
			 vip = addr(v->vip, ORIG_DST_PORT);
	const struct km_probe_rec *rec;
	struct sock_storage_data st = {0}, got;
	struct bpf_sock_tuple fwd, key;
	struct km_probe_rec est;
	struct conn c, plain, bare;

	SKIP_WITHOUT_KERNEL();
	OK(kern_ctl__enrol(&p));
	st.connect_ns = now_ns();
	kern_tuple__auth(&st.sk_tuple, &local, &vip);
	conn_open(&c, v, &st, true);

	/* 1. km_socket holds exactly the forward tuple. */
	kern_tuple__sockhash(&fwd, &c.client, &c.server);
	CHECK((c.client.sa.sa_family == AF_INET ? fwd.ipv4.sport : fwd.ipv6.sport) ==
		      htons(kern_addr__port(&c.client)),
	      "helper: sockhash sport not network order");
	OK(kern_map__wait(map(KERN_MAP_SOCKET), &fwd, true, WAIT_MS));
	CHECK(OK(kern_map__keys(map(KERN_MAP_SOCKET), &key, 1)) == 1, "km_socket: one key");
	check_bytes(&key, &fwd, sizeof(key), "km_socket key (forward tuple, network-order ports)");

	/* 2. One report: ESTABLISHED, OUTBOUND, from the storage user space wrote.
	 *    The server is not managed, so it reports nothing and asks nothing. */
	rec = expect_records(KERN_RING_PROBE, 1, "km_tcp_probe after establish");
	check_probe(rec, &c, KM_TCP_ESTABLISHED, KM_DIR_OUTBOUND, &st.sk_tuple);
	CHECK(rec->start_ns == st.connect_ns, "start_ns is not the storage's connect_ns");
	est = *rec;
	clear_records(KERN_RING_PROBE);
	expect_records(KERN_RING_AUTH_REQ, 0, "km_auth_req after an active establish");

	/* 3. The storage now says OUTBOUND and connected; the rest is kept. */
	OK(kern_sockstorage__get(prog, c.cfd, &got));
	CHECK(got.direction == KM_DIR_OUTBOUND && got.connect_success == 1,
	      "storage direction %u success %u", got.direction, got.connect_success);
	CHECK(got.via_waypoint == 1 && got.connect_ns == st.connect_ns,
	      "storage lost via_waypoint or connect_ns");
	CHECK(got.last_report_ns == est.last_report_ns, "storage last_report_ns");
	check_bytes(&got.sk_tuple, &st.sk_tuple, sizeof(st.sk_tuple), "storage sk_tuple");

	/* 4. Managed clients not via a waypoint stay out of km_socket: one with
	 *    storage is reported; one without gets none (OUTBOUND never creates
	 *    storage), so it is not reported either. */
	conn_open(&plain, v, &st, false);
	rec = expect_records(KERN_RING_PROBE, 1, "km_tcp_probe for a client with storage");
	check_probe(rec, &plain, KM_TCP_ESTABLISHED, KM_DIR_OUTBOUND, &st.sk_tuple);
	clear_records(KERN_RING_PROBE);
	conn_open(&bare, v, NULL, false);
	CHECK(kern_sockstorage__get(prog, bare.cfd, &got) == -ENOENT,
	      "storage created for an outbound socket");
	expect_records(KERN_RING_PROBE, 0, "km_tcp_probe for a client without storage");
	CHECK(OK(kern_map__keys(map(KERN_MAP_SOCKET), &key, 1)) == 1, "km_socket grew");
	conn_abort(&bare);
	conn_abort(&plain);
	rec = expect_records(KERN_RING_PROBE, 1, "km_tcp_probe after an abortive close");
	check_probe(rec, &plain, KM_TCP_CLOSE, KM_DIR_OUTBOUND, &st.sk_tuple);
	clear_records(KERN_RING_PROBE);

	/* 5. Close: STATE_CB was requested, so CLOSE is reported from the same
	 *    storage; the socket leaves km_socket. */
	close(c.cfd);
	close(c.sfd);
	rec = expect_records(KERN_RING_PROBE, 1, "km_tcp_probe after close");
	check_probe(rec, &c, KM_TCP_CLOSE, KM_DIR_OUTBOUND, &st.sk_tuple);
	CHECK(rec->start_ns == est.start_ns && rec->last_report_ns >= est.last_report_ns,
	      "close report times");
	OK(kern_map__wait(map(KERN_MAP_SOCKET), &fwd, false, WAIT_MS));
	check_quiet();
}

/* Scenario 4 (op 5): a managed server that accepts reports INBOUND from fresh
 * storage, asks for STATE_CB, and asks user space to authorize the connection
 * under the reverse tuple. Unmanaged clients and skipped peers get nothing. */
static void test_sockops_passive_establish(void **state)
{
	const struct variant *v = *state;
	struct kern_addr p = addr(v->server_pod, 0), peer;
	const struct km_auth_req *req;
	const struct km_probe_rec *rec;
	struct sock_storage_data got;
	struct bpf_sock_tuple t;
	enum km_tuple_type type;
	struct conn c, skipped;

	SKIP_WITHOUT_KERNEL();
	OK(kern_ctl__enrol(&p));
	peer = addr(v->decoy_gateway, 0);
	kern_prog__set_pod_gateway(prog, &peer);
	conn_open(&c, v, NULL, false);

	/* 1. One auth request (the decoy gateway did not skip the client):
	 *    src = client, dst = server, host-order ports; type 0 and bytes
	 *    12..35 zero for IPv4 and IPv4-mapped. */
	type = conn_tuple(&c, &t);
	req = expect_records(KERN_RING_AUTH_REQ, 1, "km_auth_req");
	CHECK(req->type == type, "auth request type %u, want %u", req->type, type);
	check_bytes(&req->tuple, &t, sizeof(t), "auth request tuple (reverse, host-order ports)");
	clear_records(KERN_RING_AUTH_REQ);

	/* 2. One report, INBOUND, from storage the program created: no original
	 *    destination, start stamped at the establish. Nothing for the client,
	 *    which is not managed. */
	rec = expect_records(KERN_RING_PROBE, 1, "km_tcp_probe");
	check_probe(rec, &c, KM_TCP_ESTABLISHED, KM_DIR_INBOUND, NULL);
	OK(kern_sockstorage__get(prog, c.sfd, &got));
	CHECK(got.direction == KM_DIR_INBOUND && got.connect_success == 1,
	      "server storage direction %u success %u", got.direction, got.connect_success);
	CHECK(got.connect_ns == rec->start_ns && got.last_report_ns == rec->last_report_ns,
	      "server storage times differ from the report");
	CHECK(kern_sockstorage__get(prog, c.cfd, &got) == -ENOENT, "client storage created");
	clear_records(KERN_RING_PROBE);

	/* 3. A peer that is the node: skipped, so no request, report or storage. */
	peer = addr(v->client, 0);
	kern_prog__set_node_ip(prog, &peer);
	conn_open(&skipped, v, NULL, false);
	expect_records(KERN_RING_AUTH_REQ, 0, "km_auth_req for a skipped peer");
	expect_records(KERN_RING_PROBE, 0, "km_tcp_probe for a skipped peer");
	CHECK(kern_sockstorage__get(prog, skipped.sfd, &got) == -ENOENT,
	      "storage for a skipped peer");
	conn_abort(&skipped);
	expect_records(KERN_RING_PROBE, 0, "km_tcp_probe: close of a skipped peer");

	/* 4. Close: one CLOSE report, the server's. */
	conn_abort(&c);
	rec = expect_records(KERN_RING_PROBE, 1, "km_tcp_probe after close");
	check_probe(rec, &c, KM_TCP_CLOSE, KM_DIR_INBOUND, NULL);
	check_quiet();
}

/* Scenario 5 (op 10 to CLOSE): both ends managed, and user space allowed the
 * connection in km_auth_res under each end's reverse tuple (the key XDP
 * writes). A graceful close reports CLOSE at both ends and deletes exactly
 * those two entries (SPEC §8.1). Unmanaged ends never get STATE_CB. */
static void test_sockops_state_cb_close(void **state)
{
	const struct variant *v = *state;
	struct kern_addr cp = addr(v->client_pod, 0), sp = addr(v->server_pod, 0),
			 vip = addr(v->vip, ORIG_DST_PORT);
	struct bpf_sock_tuple server_key, client_key, other_key;
	struct km_probe_rec est_out, est_in;
	struct sock_storage_data st = {0};
	const struct km_probe_rec *recs;
	const struct km_auth_req *req;
	struct conn c, u;

	SKIP_WITHOUT_KERNEL();
	OK(kern_ctl__enrol(&cp));
	OK(kern_ctl__enrol(&sp));
	/* Client storage, so that its close is reported too. */
	st.connect_ns = now_ns();
	conn_open(&c, v, &st, false);

	/* 1. User space answers the request under its tuple, and also holds a
	 *    verdict for the client end and one for an unrelated connection. */
	req = expect_records(KERN_RING_AUTH_REQ, 1, "km_auth_req");
	server_key = req->tuple;
	clear_records(KERN_RING_AUTH_REQ);
	kern_tuple__auth(&client_key, &c.server, &c.client);
	kern_tuple__auth(&other_key, &vip, &c.client);
	auth_res_put(&server_key, 0);
	auth_res_put(&client_key, 0);
	auth_res_put(&other_key, 1);
	recs = expect_records(KERN_RING_PROBE, 2, "km_tcp_probe after establish");
	est_out = *probe_of(recs, 2, KM_DIR_OUTBOUND);
	est_in = *probe_of(recs, 2, KM_DIR_INBOUND);
	clear_records(KERN_RING_PROBE);

	/* 2. Graceful close, client first: FIN, FIN, ACK. */
	close(c.cfd);
	close(c.sfd);
	recs = expect_records(KERN_RING_PROBE, 2, "km_tcp_probe after close");
	check_probe(probe_of(recs, 2, KM_DIR_OUTBOUND), &c, KM_TCP_CLOSE, KM_DIR_OUTBOUND, NULL);
	check_probe(probe_of(recs, 2, KM_DIR_INBOUND), &c, KM_TCP_CLOSE, KM_DIR_INBOUND, NULL);
	CHECK(probe_of(recs, 2, KM_DIR_OUTBOUND)->start_ns == est_out.start_ns &&
		      probe_of(recs, 2, KM_DIR_INBOUND)->start_ns == est_in.start_ns,
	      "close reports do not start where the establish reports did");
	clear_records(KERN_RING_PROBE);

	/* 3. Both ends' entries are gone; the unrelated one stays. The delete
	 *    follows the report within the same program run. */
	OK(kern_map__wait(map(KERN_MAP_AUTH_RES), &server_key, false, WAIT_MS));
	OK(kern_map__wait(map(KERN_MAP_AUTH_RES), &client_key, false, WAIT_MS));
	CHECK(OK(kern_map__contains(map(KERN_MAP_AUTH_RES), &other_key)) == 1,
	      "an unrelated km_auth_res entry was deleted");

	/* 4. Unmanaged ends: storage and verdicts at both, yet an abortive close
	 *    (STATE_CB inside close()) reports nothing and deletes nothing. */
	OK(kern_ctl__leave(&cp));
	OK(kern_ctl__leave(&sp));
	conn_open(&u, v, &st, false);
	OK(kern_sockstorage__set(prog, u.sfd, &st));
	kern_tuple__auth(&server_key, &u.client, &u.server);
	kern_tuple__auth(&client_key, &u.server, &u.client);
	auth_res_put(&server_key, 0);
	auth_res_put(&client_key, 0);
	conn_abort(&u);
	expect_records(KERN_RING_PROBE, 0, "km_tcp_probe for unmanaged ends");
	expect_records(KERN_RING_AUTH_REQ, 0, "km_auth_req for an unmanaged server");
	CHECK(OK(kern_map__contains(map(KERN_MAP_AUTH_RES), &server_key)) == 1 &&
		      OK(kern_map__contains(map(KERN_MAP_AUTH_RES), &client_key)) == 1,
	      "STATE_CB ran for an unmanaged socket");
	check_quiet();
}

/* SPEC §6, §7: km_auth_req holds 4096 bytes, 85 records of 40 + 8 bytes; the
 * next passive establish drops its request, counts it and logs it. */
static void test_sockops_passive_establish_ring_full(void **state)
{
	const struct variant *v = *state;
	struct kern_addr p = addr(v->server_pod, 0);
	const struct km_log_rec *log;
	struct conn c;
	int i;

	SKIP_WITHOUT_KERNEL();
	OK(kern_ctl__enrol(&p));
	kern_prog__set_monitoring(prog, 0);
	for (i = 0; i <= AUTH_RING_RECORDS; i++) {
		conn_open(&c, v, NULL, false);
		conn_abort(&c);
	}
	expect_records(KERN_RING_AUTH_REQ, AUTH_RING_RECORDS, "km_auth_req when full");
	CHECK(counter_delta(KM_CNT_AUTH_REQ_DROPPED) == 1, "auth requests dropped: %llu, want 1",
	      (unsigned long long)counter_delta(KM_CNT_AUTH_REQ_DROPPED));
	log = expect_records(KERN_RING_LOG, 1, "km_log when km_auth_req is full");
	CHECK(log->level == KM_LOG_ERR && log->site == KM_LOG_AUTH_RING_FULL,
	      "log record level %u site %u", log->level, log->site);
	expect_records(KERN_RING_PROBE, 0, "km_tcp_probe with monitoring off");
}

/* ------------------------------------------------------------------------ */

#define KTEST(fn, var)                                                           \
	{                                                                        \
		.name = #fn "_" #var, .test_func = fn, .setup_func = test_setup, \
		.initial_state = (void *)&var,                                   \
	}

static const struct CMUnitTest tests[] = {
	KTEST(test_sockops_add_kmesh_ip, v4),
	KTEST(test_sockops_add_kmesh_ip, v6),
	KTEST(test_sockops_add_kmesh_ip, v4mapped),
	KTEST(test_sockops_del_kmesh_ip, v4),
	KTEST(test_sockops_del_kmesh_ip, v6),
	KTEST(test_sockops_del_kmesh_ip, v4mapped),
	KTEST(test_sockops_active_establish_waypoint, v4),
	KTEST(test_sockops_active_establish_waypoint, v6),
	KTEST(test_sockops_active_establish_waypoint, v4mapped),
	KTEST(test_sockops_passive_establish, v4),
	KTEST(test_sockops_passive_establish, v6),
	KTEST(test_sockops_passive_establish, v4mapped),
	KTEST(test_sockops_state_cb_close, v4),
	KTEST(test_sockops_state_cb_close, v6),
	KTEST(test_sockops_state_cb_close, v4mapped),
	KTEST(test_sockops_passive_establish_ring_full, v4),
};

static int run_group(const struct kern_sandbox *sb, void *ctx)
{
	sandbox = sb;
	return cmocka_run_group_tests_name("kernel_scenarios", tests, group_setup, group_teardown);
}

int main(void)
{
	struct kern_addr lo6[3];
	struct kern_sandbox_opts opts = {
		.sz = sizeof(opts),
		.addrs = lo6,
		.addr_cnt = 3,
		.timeout_ms = 120 * 1000,
	};
	int ret;

	if (kern_env__check(skip_why, sizeof(skip_why)))
		return run_group(NULL, NULL);
	skip_why[0] = '\0';
	/* The IPv6 pods live on lo inside the namespace; 127/8 is there already. */
	kern_addr__parse(&lo6[0], v6.client, 0);
	kern_addr__parse(&lo6[1], v6.server, 0);
	kern_addr__parse(&lo6[2], v6.other_pod, 0);
	ret = kern_sandbox__run(&opts, run_group, NULL);
	if (ret < 0) {
		fprintf(stderr, "test_kernel_scenarios: sandbox: %s\n", strerror(-ret));
		return ret == -EINTR ? 130 : 1;
	}
	return ret;
}
