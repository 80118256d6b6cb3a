// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_world.c: the world (world/) against the kernel's behaviour on
 * loopback.
 *
 * World tests record what the world reports, as one line of words:
 *   new:N        socket N was created (N is its pool id)
 *   OP:N         the program ran op OP on socket N (r: a request socket)
 *   10(A>B):N    STATE_CB from state A to B on socket N
 *   close(A>B):N socket N went from A to CLOSE and the program did not run
 * and compare it with the sequence the kernel produces.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bpf/host/host.h"
#include "sockops.h"
#include "run/exec.h"
#include "world/world.h"
#include "input/steps.h"
#include "props/model.h"
#include "input_build.h"

static struct sf_world *world;
static struct sf_input in;
static char seen[4096]; /* the recorded events */
static size_t seen_len;

static void see(const char *fmt, ...)
{
	va_list ap;

	if (seen_len && seen_len < sizeof(seen) - 1)
		seen[seen_len++] = ' ';
	va_start(ap, fmt);
	seen_len += vsnprintf(seen + seen_len, sizeof(seen) - seen_len, fmt, ap);
	va_end(ap);
	if (seen_len >= sizeof(seen))
		seen_len = sizeof(seen) - 1;
}

static bool record(void *ctx, const struct sf_world_event *ev)
{
	switch (ev->kind) {
	case SF_WEV_SOCK_NEW:
		see("new:%u", ev->sock->id);
		break;
	case SF_WEV_AFTER:
		if (ev->op == BPF_SOCK_OPS_STATE_CB)
			see("10(%u>%u):%u", ev->args[0], ev->args[1], ev->sock->id);
		else
			see("%u:%u%s", ev->op, ev->sock->id, ev->sock->fullsock ? "" : "r");
		break;
	case SF_WEV_CLOSED:
		see("close(%u>%u):%u", ev->args[0], ev->args[1], ev->sock->id);
		break;
	case SF_WEV_MANAGE:
		see("manage:%llu", (unsigned long long)ev->value);
		break;
	default:
		break;
	}
	return true;
}

static int group_setup(void **state)
{
	host_set_print(NULL);
	if (host_init())
		return -1;
	world = sf_world__new(record, NULL);
	return world ? 0 : -1;
}

static int group_teardown(void **state)
{
	sf_world__free(world);
	host_fini();
	return 0;
}

/* Both pods enrolled, a listener on 127.0.0.9:8080 in slot 0 and slot 1
 * connected to it from 127.0.0.5:40000: the opening of the teardown tests
 * (four steps; the child is not accepted yet). */
static void build_enrolled_connection(void)
{
	build_enrol(INET, A4(127, 0, 0, 5));
	build_enrol(INET, A4(127, 0, 0, 9));
	build_listen(0, INET, A4(127, 0, 0, 9), 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
}

/* Run the steps built so far from a fresh host, recording from step FROM on. */
static void world_run(unsigned int from)
{
	sf_world__begin(world, &in);
	for (unsigned int i = 0; i < in.nsteps; i++) {
		if (i == from) {
			seen_len = 0;
			seen[0] = '\0';
		}
		assert_true(sf_world__step(world, &in.steps[i]));
	}
}

static void expect_seen(const char *want)
{
	if (strcmp(seen, want))
		fail_msg("events\n  got  %s\n  want %s", seen, want);
}

static unsigned int live_socks(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < sf_world__nsocks(world); i++)
		n += sf_world__sock(world, i) != NULL;
	return n;
}

/* ---- the handshake ------------------------------------------------------ */

/* listen() fires TCP_LISTEN_CB; a connect fires, in order: on the client
 * CONNECT_CB, RWND_INIT, TIMEOUT_INIT, NEEDS_ECN (tcp_connect); on the
 * request socket RWND_INIT, TIMEOUT_INIT, NEEDS_ECN; ACTIVE_ESTABLISHED on the
 * client; PASSIVE_ESTABLISHED on the child (which has the request socket's
 * cookie), which then is queued until accept. */
static void test_world_connect_fires_the_kernel_sequence(void **state)
{
	struct host_sock *c, *child;

	build_begin(&in);
	build_listen(0, INET, A4(127, 0, 0, 9), 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
	world_run(0);
	expect_seen("new:0 11:0 new:1 3:1 2:1 1:1 6:1 new:2 2:2r 1:2r 6:2r 4:1 new:2 5:2");

	c = sf_world__slot(world, 1);
	assert_non_null(c);
	assert_int_equal(c->state, BPF_TCP_ESTABLISHED);
	assert_null(sf_world__slot(world, 2)); /* queued, not accepted */
	build_accept(2, 0);
	world_run(2);
	expect_seen("");
	child = sf_world__slot(world, 2);
	assert_non_null(child);
	assert_int_equal(child->state, BPF_TCP_ESTABLISHED);
	assert_int_equal(child->local_port, 8080);
	assert_int_equal(child->remote_port, 40000);
	assert_int_equal(child->local_ip4, c->remote_ip4);
	assert_int_equal(child->tp.srtt_us, c->tp.srtt_us);
	assert_true(child->tp.srtt_us > 0);
	assert_int_not_equal(child->cookie, c->cookie);
}

/* The child keeps the cookie of the request socket it was made from
 * (inet_csk_clone_lock()): the kernel shows them as one socket. */
static void test_world_child_takes_the_request_cookie(void **state)
{
	static __u64 cookies[8];
	static unsigned int n;

	build_begin(&in);
	build_listen(0, INET, A4(127, 0, 0, 9), 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
	world_run(0);
	n = 0;
	for (unsigned int i = 0; i < sf_world__nsocks(world); i++)
		if (sf_world__sock(world, i) && n < 8)
			cookies[n++] = sf_world__sock(world, i)->cookie;
	assert_int_equal(n, 3); /* listener, client, child */
	/* The request socket was the fourth socket made: cookies 1, 2, 3. */
	assert_int_equal(cookies[0], 1);
	assert_int_equal(cookies[1], 2);
	assert_int_equal(cookies[2], 3);
}

/* Nothing listens: the RST closes the client; it never asked for STATE_CB.
 * The application closes the socket (ECONNREFUSED): the slot is empty. */
static void test_world_refused_connect_closes_the_client(void **state)
{
	build_begin(&in);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
	world_run(0);
	expect_seen("new:0 3:0 2:0 1:0 6:0 close(2>7):0");
	assert_null(sf_world__slot(world, 1));
	assert_int_equal(live_socks(), 0);
}

/* An unbound client gets the source the kernel picks on loopback: 127.0.0.1
 * for 127.0.0.0/8, else the destination itself; a connect to 0.0.0.0 goes to
 * the source address, to :: goes to ::1. */
static void test_world_unbound_source_and_wildcard_destination(void **state)
{
	struct sf_addr lo4 = A4(127, 0, 0, 1), pod6 = A6(0xfd00005f, 9), pod4 = A4(127, 0, 0, 5);
	const struct {
		__u32 family;
		struct sf_addr local, remote, want_local, want_remote;
	} cases[] = {
		{INET, A4(0, 0, 0, 0), A4(127, 0, 0, 9), lo4, A4(127, 0, 0, 9)},
		{INET, A4(0, 0, 0, 0), A4(0, 0, 0, 2), A4(0, 0, 0, 2), A4(0, 0, 0, 2)},
		{INET6, ANY6, pod6, pod6, pod6},
		{INET, pod4, A4(0, 0, 0, 0), pod4, pod4},
		{INET6, pod6, ANY6, pod6, A6(0, 1)},
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct host_sock *c;
		struct sf_addr l, r;

		build_begin(&in);
		build_listen(0, cases[i].family, cases[i].want_remote, 8080);
		build_connect(1, cases[i].family, cases[i].local, 0, cases[i].remote, 8080, 0);
		world_run(0);
		c = sf_world__slot(world, 1);
		assert_non_null(c);
		assert_int_equal(c->state, BPF_TCP_ESTABLISHED);
		if (cases[i].family == INET) {
			l = A4(0, 0, 0, 0);
			r = l;
			l.w[3] = c->local_ip4;
			r.w[3] = c->remote_ip4;
		} else {
			memcpy(&l, c->local_ip6, 16);
			memcpy(&r, c->remote_ip6, 16);
		}
		assert_memory_equal(&l, &cases[i].want_local, 16);
		assert_memory_equal(&r, &cases[i].want_remote, 16);
	}
}

/* An AF_INET6 listener on :: takes an IPv4 client; the child sees both
 * addresses IPv4-mapped. */
static void test_world_dual_stack_child_is_v4mapped(void **state)
{
	struct host_sock *child;
	struct sf_addr want_local = A4(127, 0, 0, 9), want_remote = A4(127, 0, 0, 5);

	build_begin(&in);
	build_listen(0, INET6, ANY6, 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
	build_accept(2, 0);
	world_run(0);
	child = sf_world__slot(world, 2);
	assert_non_null(child);
	assert_int_equal(child->family, INET6);
	assert_memory_equal(child->local_ip6, &want_local, 16);
	assert_memory_equal(child->remote_ip6, &want_remote, 16);
	assert_int_equal(child->local_ip4, want_local.w[3]);
}

/* A native IPv6 socket cannot reach an IPv4-mapped peer (tcp_v6_connect):
 * nothing fires. */
static void test_world_mixed_families_are_refused(void **state)
{
	build_begin(&in);
	build_connect(1, INET6, A6(0xfd00005f, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
	world_run(0);
	expect_seen("");
	assert_null(sf_world__slot(world, 1));
}

/* Every socket has SO_REUSEADDR: a connect on the four-tuple of a live
 * connection and a listener on an overlapping listener's port fire nothing;
 * a client on a port a connection uses, and a listener on it, do. */
static void test_world_busy_port_refuses_bind(void **state)
{
	build_begin(&in);
	build_listen(0, INET, A4(127, 0, 0, 9), 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
	build_connect(2, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
	build_listen(3, INET, ANY6, 8080);
	build_listen(4, INET6, ANY6, 8080);
	world_run(2);
	expect_seen("");

	build_connect(5, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8081, 0);
	world_run(5);
	expect_seen("new:3 3:3 2:3 1:3 6:3 close(2>7):3");
	build_listen(6, INET, A4(127, 0, 0, 5), 40000);
	world_run(6);
	expect_seen("new:3 11:3");
}

/* ---- enrolment ---------------------------------------------------------- */

/* The control connect fires CONNECT_CB (which enrols), is refused and the
 * socket is gone. */
static void test_world_enrol_is_a_refused_control_connect(void **state)
{
	struct host_map *manage = host_map__by_name("km_manage");
	struct manager_key key = {0};
	struct sf_addr pod = A4(127, 0, 0, 5);

	build_begin(&in);
	build_enrol(INET, pod);
	world_run(0);
	expect_seen("new:0 3:0 2:0 1:0 6:0 close(2>7):0");
	assert_int_equal(live_socks(), 0);
	key.ip4 = pod.w[3];
	assert_non_null(host_map__lookup(manage, &key));

	build_unenrol(INET, pod);
	world_run(1);
	assert_null(host_map__lookup(manage, &key));
}

/* ---- teardown ----------------------------------------------------------- */

/* A managed pair asks for STATE_CB. The client's graceful close:
 * shutdown(SHUT_WR) (FIN_WAIT1), the server's CLOSE_WAIT, the server's ACK
 * (FIN_WAIT2), close(2) (FIN_WAIT2 again, tcp_close_state()), time-wait (the
 * full socket closes). The server's close: LAST_ACK, the time-wait's ACK. */
static void test_world_close_runs_the_fin_sequence(void **state)
{
	build_begin(&in);
	build_enrolled_connection();
	build_accept(2, 0);
	build_slot(SF_CLOSE, 1, 0);
	world_run(5);
	expect_seen("10(1>4):1 10(1>8):2 10(4>5):1 10(5>5):1 10(5>7):1");
	assert_null(sf_world__slot(world, 1));
	assert_int_equal(live_socks(), 2); /* the listener and the server */

	build_slot(SF_CLOSE, 2, 0);
	world_run(6);
	expect_seen("10(8>9):2 10(9>7):2");
	assert_int_equal(live_socks(), 1); /* the listener */
}

/* The server may close first: the same sequence the other way round. */
static void test_world_server_closes_first(void **state)
{
	build_begin(&in);
	build_enrolled_connection();
	build_accept(2, 0);
	build_slot(SF_CLOSE, 2, 0);
	build_slot(SF_CLOSE, 1, 0);
	world_run(5);
	expect_seen("10(1>4):2 10(1>8):1 10(4>5):2 10(5>5):2 10(5>7):2 10(8>9):1 10(9>7):1");
}

/* A client closing while its child is still queued: the child acknowledges
 * too (from its delayed-ACK timer, which the kernel oracle waits for), and
 * the close of the child once accepted is a passive close. */
static void test_world_close_with_the_child_queued(void **state)
{
	build_begin(&in);
	build_enrolled_connection();
	build_slot(SF_CLOSE, 1, 0);
	build_accept(2, 0);
	build_slot(SF_CLOSE, 2, 0);
	world_run(4);
	expect_seen("10(1>4):1 10(1>8):2 10(4>5):1 10(5>5):1 10(5>7):1 10(8>9):2 10(9>7):2");
}

/* The managed child asks for STATE_CB in PASSIVE_ESTABLISHED, while still
 * SYN_RECV, so its move to ESTABLISHED already reaches the program. */
static void test_world_child_reports_established_after_passive_cb(void **state)
{
	build_begin(&in);
	build_enrol(INET, A4(127, 0, 0, 9));
	build_listen(0, INET, A4(127, 0, 0, 9), 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
	world_run(2);
	expect_seen("new:1 3:1 2:1 1:1 6:1 new:2 2:2r 1:2r 6:2r 4:1 new:2 5:2 10(3>1):2");
}

/* RST: both ends close at once, the aborting one first. */
static void test_world_reset_closes_both_ends(void **state)
{
	build_begin(&in);
	build_listen(0, INET, A4(127, 0, 0, 9), 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
	build_accept(2, 0);
	build_slot(SF_RESET, 1, 0);
	world_run(3);
	expect_seen("close(1>7):1 close(1>7):2");
	assert_null(sf_world__slot(world, 1));
	assert_int_equal(sf_world__slot(world, 2)->state, BPF_TCP_CLOSE);
}

/* Reusing a slot tears its socket down first. */
static void test_world_slot_reuse_resets_the_old_socket(void **state)
{
	build_begin(&in);
	build_listen(0, INET, A4(127, 0, 0, 9), 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
	build_connect(1, INET, A4(127, 0, 0, 5), 40001, A4(127, 0, 0, 9), 8080, 0);
	world_run(2);
	assert_true(strncmp(seen, "close(1>7):1 close(1>7):2 new:1 3:1", 35) == 0);
}

/* A listener's close aborts the children it still queues, and their clients. */
static void test_world_listener_close_aborts_queued_children(void **state)
{
	build_begin(&in);
	build_listen(0, INET, A4(127, 0, 0, 9), 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
	build_slot(SF_CLOSE, 0, 0);
	world_run(2);
	expect_seen("close(10>7):0 close(1>7):2 close(1>7):1");
	assert_int_equal(live_socks(), 1); /* the client, closed, still in its slot */
}

/* A socket connecting to its own address and port, with nothing listening:
 * simultaneous open with itself (PASSIVE_ESTABLISHED in SYN_RECV); its close
 * meets its own FIN (CLOSING). */
static void test_world_connect_to_itself(void **state)
{
	build_begin(&in);
	build_enrol(INET, A4(127, 0, 0, 5));
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 5), 40000, 0);
	build_slot(SF_SEND, 1, 100);
	build_slot(SF_CLOSE, 1, 0);
	world_run(1);
	expect_seen("new:0 3:0 2:0 1:0 6:0 5:0 10(3>1):0 10(1>4):0 10(4>11):0 10(11>7):0");
	assert_int_equal(live_socks(), 0);
}

/* The orphan does not wait in FIN_WAIT2 for tcp_fin_timeout: the timeout
 * (60 s) is not above TCP_TIMEWAIT_LEN, so it is a time-wait socket at once,
 * and no clock step closes anything later. */
static void test_world_orphan_goes_to_time_wait_at_once(void **state)
{
	build_begin(&in);
	build_enrol(INET, A4(127, 0, 0, 5));
	build_listen(0, INET, A4(127, 0, 0, 9), 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
	build_slot(SF_CLOSE, 1, 0);
	build_value(SF_CLOCK, 59000000000ull);
	build_value(SF_CLOCK, 1000000000ull);
	world_run(3);
	/* the server is not managed */
	expect_seen("10(1>4):1 10(4>5):1 10(5>5):1 10(5>7):1");
}

/* Data from CLOSE_WAIT reaches the peer's time-wait socket, which answers
 * with a RST (tcp_timewait_state_process()). */
static void test_world_send_to_a_closed_peer_resets(void **state)
{
	build_begin(&in);
	build_listen(0, INET, A4(127, 0, 0, 9), 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
	build_accept(2, 0);
	build_slot(SF_CLOSE, 1, 0);
	build_slot(SF_SEND, 2, 100);
	world_run(4);
	expect_seen("close(8>7):2");
	assert_int_equal(sf_world__slot(world, 2)->state, BPF_TCP_CLOSE);
}

/* send: both ends count the bytes and segments; the clock moves one RTT. */
static void test_world_send_counts_bytes_and_time(void **state)
{
	struct host_sock *c, *s;
	__u64 before, acked;

	build_begin(&in);
	build_listen(0, INET, A4(127, 0, 0, 9), 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
	build_accept(2, 0);
	world_run(0);
	c = sf_world__slot(world, 1);
	s = sf_world__slot(world, 2);
	before = host_clock__now();
	acked = c->tp.bytes_acked; /* 1: the SYN (the kernel counts it) */
	in.nsteps = 0;
	build_slot(SF_SEND, 1, 70000);
	assert_true(sf_world__step(world, &in.steps[0]));
	assert_int_equal(acked, 1);
	assert_int_equal(c->tp.bytes_acked, acked + 70000);
	assert_int_equal(s->tp.bytes_received, 70000);
	assert_int_equal(c->tp.data_segs_out, 2);
	assert_int_equal(s->tp.data_segs_in, 2);
	assert_true(host_clock__now() > before);
}

/* Hundreds of connections through a few slots keep a handful of sockets. */
static void test_world_memory_stays_bounded(void **state)
{
	build_begin(&in);
	build_listen(0, INET, A4(127, 0, 0, 9), 8080);
	while (in.nsteps + 4 <= SF_MAX_STEPS) {
		build_connect(1, INET, A4(127, 0, 0, 5), 0, A4(127, 0, 0, 9), 8080, 0);
		build_accept(2, 0);
		build_slot(SF_CLOSE, 1, 0);
		build_slot(SF_CLOSE, 2, 0);
	}
	world_run(0);
	assert_int_equal(live_socks(), 1);
	assert_true(sf_world__nsocks(world) <= 4);
}

/* ---- user space and XDP ------------------------------------------------- */

/* A waypoint connect: storage before the connect, with the original
 * destination (network-order port) and via_waypoint. */
static void test_world_waypoint_connect_sets_storage_first(void **state)
{
	struct host_map *storage = host_map__by_name("km_sockstorage");
	const struct sock_storage_data *st;
	struct sf_addr dst = A4(127, 0, 0, 9);

	build_begin(&in);
	build_listen(0, INET, dst, 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, dst, 8080, SF_F_WAYPOINT);
	world_run(0);
	st = host_sk_storage__get(storage, sf_world__slot(world, 1), false);
	assert_non_null(st);
	assert_int_equal(st->via_waypoint, 1);
	assert_int_equal(st->sk_tuple.ipv4.daddr, dst.w[3]);
	assert_memory_equal(&st->sk_tuple.ipv4.dport, "\x1f\x90", 2);
}

/* user space answers the oldest request under the zero-padded IPv4 key,
 * which is the key XDP writes for that socket and the model's reverse tuple. */
static void test_world_auth_answer_writes_the_xdp_key(void **state)
{
	struct host_map *auth_res = host_map__by_name("km_auth_res");
	struct bpf_sock_tuple xdp, model;
	struct host_sock *child;

	build_begin(&in);
	build_enrol(INET, A4(127, 0, 0, 9));
	build_listen(0, INET6, ANY6, 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
	build_accept(2, 0);
	build_value(SF_AUTH_ANSWER, 1);
	world_run(0);
	child = sf_world__slot(world, 2);
	sf_world_xdp_key(child, &xdp);
	model_tuple(child, false, &model);
	assert_memory_equal(&xdp, &model, sizeof(xdp));
	assert_int_equal(host_map__count(auth_res), 1);
	assert_non_null(host_map__lookup(auth_res, &xdp));
	assert_int_equal(*(__u32 *)host_map__lookup(auth_res, &xdp), 1);
}

/* XDP's key is the reverse tuple with host-order ports for IPv4, IPv4-mapped
 * and IPv6 sockets alike. */
static void test_world_xdp_key_is_the_reverse_tuple(void **state)
{
	const struct {
		__u32 family;
		struct sf_addr local, remote;
	} cases[] = {
		{INET, A4(127, 0, 0, 9), A4(127, 0, 0, 5)},
		{INET6, A4(127, 0, 0, 9), A4(127, 0, 0, 5)},
		{INET6, A6(0xfd00005f, 9), A6(0xfd00005f, 5)},
	};

	host_reset();
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct host_sock *s = host_sock__new();
		struct bpf_sock_tuple xdp, model;
		bool v6 = cases[i].family == INET6;

		host_sock__set_addrs(s, cases[i].family,
				     v6 ? (void *)&cases[i].local : &cases[i].local.w[3], 8080,
				     v6 ? (void *)&cases[i].remote : &cases[i].remote.w[3], 40000);
		sf_world_xdp_key(s, &xdp);
		model_tuple(s, false, &model);
		assert_memory_equal(&xdp, &model, sizeof(xdp));
		/* the peer's port, host order */
		assert_int_equal(i < 2 ? xdp.ipv4.sport : xdp.ipv6.sport, 40000);
		host_sock__free(s);
	}
}

/* A raw step sets the slot's socket up exactly as it says. */
static void test_world_raw_step_is_taken_literally(void **state)
{
	struct host_sock *s;

	build_begin(&in);
	build_raw(3, 7, 17, A4(127, 0, 0, 5), 1, A4(127, 0, 0, 6), 2, 9, SF_F_REQSOCK | SF_F_NOTCP,
		  4, 5);
	world_run(0);
	expect_seen("new:0 7:0r");
	s = sf_world__slot(world, 3);
	assert_int_equal(s->family, 17);
	assert_int_equal(s->state, 9);
	assert_false(s->fullsock);
	assert_false(s->is_tcp);
	assert_int_equal(s->local_port, 1);
	assert_int_equal(s->remote_port, 2);
}

/* Every kind of the registry has a world handler (input/steps.h). */
static void test_world_handles_every_kind(void **state)
{
	for (unsigned int k = 0; k < SF_KIND__COUNT; k++) {
		assert_non_null(sf_kind_def(k));
		if (!sf_world__handles(k))
			fail_msg("no world handler for step kind %s", sf_kind_def(k)->name);
	}
	assert_false(sf_world__handles(SF_KIND__COUNT));
}

/* A manage step writes km_manage under its address's key, an IPv4-mapped
 * address under the IPv4 key (SPEC §3), and reports it. */
static void test_world_manage_writes_the_key(void **state)
{
	struct host_map *manage = host_map__by_name("km_manage");
	struct manager_key key = {.ip4 = A4(127, 0, 0, 9).w[3]};
	struct sf_step *st;
	__u32 *value;

	build_begin(&in);
	st = build_step(SF_MANAGE);
	st->family = INET6;
	st->local = A4(127, 0, 0, 9);
	st->value = 7;
	world_run(0);
	value = host_map__lookup(manage, &key);
	assert_non_null(value);
	assert_int_equal(*value, 7);
	assert_int_equal(host_map__count(manage), 1);
	expect_seen("manage:7");
}

/* A fill step leaves VALUE entries of km_manage free, reporting each entry
 * it adds; the enrolments after it take what is left and then are refused
 * (E2BIG), counted by the program; a second fill with none free adds
 * nothing. The same with km_auth_res. */
static void test_world_fill_leaves_the_entries_asked(void **state)
{
	struct host_map *manage = host_map__by_name("km_manage");
	struct host_map *auth = host_map__by_name("km_auth_res");
	__u32 max = host_map__max_entries(manage);
	const __u64 *cnt;
	struct sf_step *st;

	build_begin(&in);
	build_step(SF_FILL)->value = 2;
	for (int i = 0; i < 3; i++) {
		st = build_step(SF_ENROL);
		st->family = INET;
		st->local = A4(127, 0, 0, 5 + i);
	}
	build_step(SF_FILL)->value = 0;
	st = build_step(SF_FILL);
	st->flags = SF_F_AUTH_RES;
	st->value = 1;
	world_run(0);
	assert_int_equal(host_map__count(manage), max);
	assert_int_equal(host_map__count(auth), host_map__max_entries(auth) - 1);
	cnt = host_global__ptr("km_counters", NULL);
	assert_non_null(cnt);
	assert_int_equal(cnt[KM_CNT_MAP_UPDATE_FAILED], 1); /* the third enrolment */
	assert_non_null(strstr(seen, "manage:1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_world_connect_fires_the_kernel_sequence),
		cmocka_unit_test(test_world_child_takes_the_request_cookie),
		cmocka_unit_test(test_world_refused_connect_closes_the_client),
		cmocka_unit_test(test_world_unbound_source_and_wildcard_destination),
		cmocka_unit_test(test_world_dual_stack_child_is_v4mapped),
		cmocka_unit_test(test_world_mixed_families_are_refused),
		cmocka_unit_test(test_world_busy_port_refuses_bind),
		cmocka_unit_test(test_world_enrol_is_a_refused_control_connect),
		cmocka_unit_test(test_world_close_runs_the_fin_sequence),
		cmocka_unit_test(test_world_server_closes_first),
		cmocka_unit_test(test_world_close_with_the_child_queued),
		cmocka_unit_test(test_world_child_reports_established_after_passive_cb),
		cmocka_unit_test(test_world_reset_closes_both_ends),
		cmocka_unit_test(test_world_slot_reuse_resets_the_old_socket),
		cmocka_unit_test(test_world_listener_close_aborts_queued_children),
		cmocka_unit_test(test_world_connect_to_itself),
		cmocka_unit_test(test_world_orphan_goes_to_time_wait_at_once),
		cmocka_unit_test(test_world_send_to_a_closed_peer_resets),
		cmocka_unit_test(test_world_send_counts_bytes_and_time),
		cmocka_unit_test(test_world_memory_stays_bounded),
		cmocka_unit_test(test_world_waypoint_connect_sets_storage_first),
		cmocka_unit_test(test_world_auth_answer_writes_the_xdp_key),
		cmocka_unit_test(test_world_xdp_key_is_the_reverse_tuple),
		cmocka_unit_test(test_world_raw_step_is_taken_literally),
		cmocka_unit_test(test_world_handles_every_kind),
		cmocka_unit_test(test_world_manage_writes_the_key),
		cmocka_unit_test(test_world_fill_leaves_the_entries_asked),
	};

	return cmocka_run_group_tests_name("world", tests, group_setup, group_teardown);
}
