// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_other_program.c: the runtime runs a sockops program other than the
 * core, compiled unmodified through the same pipeline (clang -target bpf,
 * tools/mapgen, native build): tests/data/other_sockops.bpf.c, a connection
 * tracker with its own map names, record layout and globals.
 *
 * Expected values come from what the tracker is written to do; event records
 * are built byte by byte at their offsets.
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

/* ---- the tracker ----------------------------------------------------------- */

#define CT_ESTABLISHED 1
#define CT_CLOSED      2
#define EVENT_SIZE     24
#define STATE_SIZE     16
#define TCP_ESTAB      1
#define TCP_CLOSE_     7

static struct host_map *map(const char *name)
{
	struct host_map *m = host_map__by_name(name);

	if (!m)
		fail_msg("[%s] map %s missing", where, name);
	return m;
}

static void *glob(const char *name, size_t size)
{
	size_t have = 0;
	void *p = host_global__ptr(name, &have);

	if (!p || have != size)
		fail_msg("[%s] global %s: %p, size %zu, want %zu", where, name, p, have, size);
	return p;
}

#define G(type, name) (*(type *)glob(#name, sizeof(type)))

static struct host_sock *mksock(int af, const char *local, __u16 lport, const char *remote,
				__u16 rport)
{
	__u8 l[16] = {0}, r[16] = {0};
	struct host_sock *s = host_sock__new();

	CHECK(s, "host_sock__new: errno %d", errno);
	CHECK(inet_pton(af, local, l) == 1 && inet_pton(af, remote, r) == 1, "bad address");
	host_sock__set_addrs(s, af == AF_INET ? 2 : 10, l, lport, r, rport);
	s->state = TCP_ESTAB;
	return s;
}

/* Fire OP; the tracker returns 1 for the families it handles, 0 otherwise. */
static void fire(struct host_sock *s, __u32 op, int want_rc)
{
	CHECK_INT(host_sock__fire(s, op, NULL), want_rc, "program return value");
}

static __u64 *count_of(__u32 port)
{
	return host_map__lookup(map("conn_count"), &port);
}

static void want_event(__u32 kind, __u32 family, __u16 lport, __u16 rport, __u32 active,
		       __u64 count, __u8 out[EVENT_SIZE])
{
	memset(out, 0, EVENT_SIZE);
	memcpy(out, &kind, 4);
	memcpy(out + 4, &family, 4);
	memcpy(out + 8, &lport, 2);
	memcpy(out + 10, &rport, 2);
	memcpy(out + 12, &active, 4);
	memcpy(out + 16, &count, 8);
}

static void expect_event(__u32 kind, const struct host_sock *s, __u32 active, __u64 count)
{
	struct host_map *m = map("conn_events");
	__u8 want[EVENT_SIZE];
	const void *p;
	__u32 len = 0;

	want_event(kind, s->family, s->local_port, s->remote_port, active, count, want);
	p = host_ring__peek(m, &len);
	CHECK(p, "no event");
	CHECK_INT(len, EVENT_SIZE, "event size");
	CHECK_BYTES(p, want, EVENT_SIZE, "conn_event");
	host_ring__consume(m);
}

static void expect_state(struct host_sock *s, __u64 est_ns, __u32 events, __s32 cb_rc)
{
	__u8 want[STATE_SIZE];

	memcpy(want, &est_ns, 8);
	memcpy(want + 8, &events, 4);
	memcpy(want + 12, &cb_rc, 4);
	CHECK_BYTES(host_sk_storage__get(map("conn_state"), s, false), want, STATE_SIZE,
		    "conn_state storage");
}

/* ---- tests ----------------------------------------------------------------- */

/* The descriptor mapgen wrote from the tracker's BTF: its entry, its three
 * maps with their types and sizes, its globals with their initial values;
 * nothing of the core's. */
static void test_other_program_descriptor_from_btf(void **state)
{
	static const struct {
		const char *name;
		__u32 type, key, value, max;
	} want[] = {
		{"conn_count", BPF_MAP_TYPE_HASH, 4, 8, 64},
		{"conn_events", BPF_MAP_TYPE_RINGBUF, 0, 0, 4096},
		{"conn_state", BPF_MAP_TYPE_SK_STORAGE, 4, STATE_SIZE, 0},
	};

	at("descriptor");
	CHECK(!strcmp(host_prog.name, "conn_tracker"), "entry %s", host_prog.name);
	CHECK(!strcmp(host_prog.section, "sockops"), "section %s", host_prog.section);
	CHECK_INT(host_prog.nr_maps, 3, "maps");
	for (size_t i = 0; i < 3; i++) {
		struct host_map *m = map(want[i].name);

		at("map %s", want[i].name);
		CHECK_INT(host_map__type(m), want[i].type, "type");
		CHECK_INT(host_map__key_size(m), want[i].key, "key size");
		CHECK_INT(host_map__value_size(m), want[i].value, "value size");
		CHECK_INT(host_map__max_entries(m), want[i].max, "max_entries");
	}
	at("globals");
	CHECK_INT(host_prog.nr_globals, 4, "globals");
	CHECK_INT(G(__u32, cb_request), BPF_SOCK_OPS_STATE_CB_FLAG | BPF_SOCK_OPS_RTT_CB_FLAG,
		  "initial cb_request");
	CHECK_INT(G(__u32, watch_port), 0, "initial watch_port");
	CHECK_INT(G(__u64, events_dropped), 0, "initial events_dropped");
	CHECK_INT(G(__u64, count_failed), 0, "initial count_failed");
	CHECK(host_map__by_name("km_manage") == NULL, "the core's map is linked in");
}

/* Connections are counted per local port, server and client side, over
 * IPv4, IPv6 and v4-mapped sockets; each establish is reported, creates
 * storage stamped with the virtual clock and asks for STATE_CB | RTT_CB. */
static void test_other_program_counts_per_local_port(void **state)
{
	struct host_sock *a, *b, *c, *d;
	__u64 *n, t0 = host_clock__now();

	at("three servers on 8080, one client from 40000");
	a = mksock(AF_INET, "127.0.0.5", 8080, "127.0.0.9", 50000);
	b = mksock(AF_INET6, "fd00::5", 8080, "fd00::9", 50001);
	c = mksock(AF_INET6, "::ffff:127.0.0.5", 8080, "::ffff:127.0.0.9", 50002);
	d = mksock(AF_INET, "127.0.0.5", 40000, "127.0.0.7", 443);
	fire(a, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 1);
	host_clock__advance(10);
	fire(b, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 1);
	host_clock__advance(10);
	fire(c, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 1);
	host_clock__advance(10);
	fire(d, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, 1);

	n = count_of(8080);
	CHECK(n && *n == 3, "count of 8080: %llu", n ? (unsigned long long)*n : 0ull);
	n = count_of(40000);
	CHECK(n && *n == 1, "count of 40000: %llu", n ? (unsigned long long)*n : 0ull);
	CHECK_INT(host_map__count(map("conn_count")), 2, "ports counted");
	CHECK_INT(host_map__count(map("conn_events")), 4, "events");
	expect_event(CT_ESTABLISHED, a, 0, 1);
	expect_event(CT_ESTABLISHED, b, 0, 2);
	expect_event(CT_ESTABLISHED, c, 0, 3);
	expect_event(CT_ESTABLISHED, d, 1, 1);
	CHECK_INT(host_map__count(map("conn_state")), 4, "storages");
	expect_state(a, t0, 1, 0);
	expect_state(b, t0 + 10, 1, 0);
	expect_state(c, t0 + 20, 1, 0);
	expect_state(d, t0 + 30, 1, 0);
	CHECK_INT(a->cb_flags, BPF_SOCK_OPS_STATE_CB_FLAG | BPF_SOCK_OPS_RTT_CB_FLAG, "cb_flags");
	CHECK_INT(d->cb_flags, BPF_SOCK_OPS_STATE_CB_FLAG | BPF_SOCK_OPS_RTT_CB_FLAG, "cb_flags");
}

/* The result of bpf_sock_ops_cb_flags_set reaches the program: unsupported
 * bits come back, only supported ones are set. */
static void test_other_program_cb_flags_result(void **state)
{
	struct host_sock *s = mksock(AF_INET, "127.0.0.5", 8080, "127.0.0.9", 50000);

	at("cb_request 0x104");
	G(__u32, cb_request) = 0x104;
	fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 1);
	CHECK_INT(s->cb_flags, BPF_SOCK_OPS_STATE_CB_FLAG, "cb_flags");
	expect_state(s, host_clock__now(), 1, 0x100);
}

/* Closing (tcp_set_state to CLOSE, which runs STATE_CB) decrements the port's
 * count and deletes it at zero, reporting what is left. */
static void test_other_program_close_decrements_and_deletes(void **state)
{
	struct host_sock *a = mksock(AF_INET, "127.0.0.5", 8080, "127.0.0.9", 50000);
	struct host_sock *b = mksock(AF_INET6, "fd00::5", 8080, "fd00::9", 50001);
	__u64 *n;

	at("two connections, close both");
	fire(a, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 1);
	fire(b, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 1);
	host_ring__drain(map("conn_events"));
	CHECK_INT(host_sock__set_state(a, TCP_CLOSE_), 1, "program return value at close");
	n = count_of(8080);
	CHECK(n && *n == 1, "count after one close: %llu", n ? (unsigned long long)*n : 0ull);
	expect_event(CT_CLOSED, a, 0, 1);
	host_sock__set_state(b, TCP_CLOSE_);
	CHECK(count_of(8080) == NULL, "port still counted after the last close");
	CHECK_INT(host_map__count(map("conn_count")), 0, "ports counted");
	expect_event(CT_CLOSED, b, 0, 0);
	expect_state(a, host_clock__now(), 2, 0);
	at("a socket without STATE_CB");
	a = mksock(AF_INET, "127.0.0.5", 8080, "127.0.0.9", 50002);
	G(__u32, cb_request) = 0;
	fire(a, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 1);
	host_ring__drain(map("conn_events"));
	CHECK_INT(host_sock__set_state(a, TCP_CLOSE_), 0, "the program ran without STATE_CB");
	n = count_of(8080);
	CHECK(n && *n == 1, "count changed without STATE_CB");
	CHECK_INT(host_map__count(map("conn_events")), 0, "events");
}

/* The 4096-byte ring holds floor(4095 / 32) = 127 events of 24 bytes; the
 * next is dropped and counted by the program, the count still goes up. */
static void test_other_program_ring_full_counts_drop(void **state)
{
	struct host_sock *s = mksock(AF_INET, "127.0.0.5", 8080, "127.0.0.9", 50000);
	__u64 *n;

	at("fill conn_events");
	for (int i = 0; i < 128; i++)
		fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 1);
	CHECK_INT(host_map__count(map("conn_events")), 127, "events");
	CHECK_INT(G(__u64, events_dropped), 1, "events_dropped");
	n = count_of(8080);
	CHECK(n && *n == 128, "count: %llu", n ? (unsigned long long)*n : 0ull);
	host_ring__consume(map("conn_events"));
	fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 1);
	CHECK_INT(host_map__count(map("conn_events")), 127, "events after consuming one");
	CHECK_INT(G(__u64, events_dropped), 1, "events_dropped");
}

/* conn_count (64 entries) full: the program's BPF_NOEXIST insert fails
 * (E2BIG), it counts the failure and reports count 0. */
static void test_other_program_count_map_full(void **state)
{
	struct host_sock *s;

	at("64 ports");
	for (__u16 p = 1; p <= 64; p++) {
		s = mksock(AF_INET, "127.0.0.5", p, "127.0.0.9", 50000);
		fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 1);
		host_sock__free(s);
	}
	host_ring__drain(map("conn_events"));
	CHECK_INT(host_map__count(map("conn_count")), 64, "ports");
	at("the 65th port");
	s = mksock(AF_INET, "127.0.0.5", 65, "127.0.0.9", 50000);
	fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 1);
	CHECK_INT(G(__u64, count_failed), 1, "count_failed");
	CHECK(count_of(65) == NULL, "a 65th port");
	expect_event(CT_ESTABLISHED, s, 0, 0);
}

/* watch_port filters: another port changes nothing at all. */
static void test_other_program_watch_port_filters(void **state)
{
	struct host_sock *s = mksock(AF_INET6, "fd00::5", 9090, "fd00::9", 50000);

	at("watch 8080, connect on 9090");
	G(__u32, watch_port) = 8080;
	fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 1);
	CHECK_INT(host_map__count(map("conn_count")), 0, "ports");
	CHECK_INT(host_map__count(map("conn_events")), 0, "events");
	CHECK_INT(host_map__count(map("conn_state")), 0, "storages");
	CHECK_INT(s->cb_flags, 0, "cb_flags");
	s = mksock(AF_INET6, "fd00::5", 8080, "fd00::9", 50000);
	fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 1);
	expect_event(CT_ESTABLISHED, s, 0, 1);
}

/* Another family: the program returns 0 and calls no helper. */
static void test_other_program_ignores_other_family(void **state)
{
	struct host_sock *s = mksock(AF_INET, "127.0.0.5", 8080, "127.0.0.9", 50000);

	at("family 1");
	s->family = 1;
	fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0);
	for (int h = 0; h < HOST_H__MAX; h++)
		CHECK_INT(host_helper__calls(h), 0, host_helper__name(h));
	CHECK_INT(host_map__count(map("conn_events")), 0, "events");
}

/* host_reset restores the tracker's globals and empties its maps. */
static void test_other_program_reset_restores_globals(void **state)
{
	struct host_sock *s = mksock(AF_INET, "127.0.0.5", 8080, "127.0.0.9", 50000);

	at("change, reset");
	G(__u32, cb_request) = 0x1;
	G(__u32, watch_port) = 8080;
	fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 1);
	host_reset();
	CHECK_INT(G(__u32, cb_request), BPF_SOCK_OPS_STATE_CB_FLAG | BPF_SOCK_OPS_RTT_CB_FLAG,
		  "cb_request after reset");
	CHECK_INT(G(__u32, watch_port), 0, "watch_port after reset");
	CHECK_INT(host_map__count(map("conn_count")), 0, "ports after reset");
	CHECK_INT(host_map__count(map("conn_events")), 0, "events after reset");
	CHECK_INT(host_map__count(map("conn_state")), 0, "storages after reset");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, test_setup)
		T(test_other_program_descriptor_from_btf),
		T(test_other_program_counts_per_local_port),
		T(test_other_program_cb_flags_result),
		T(test_other_program_close_decrements_and_deletes),
		T(test_other_program_ring_full_counts_drop),
		T(test_other_program_count_map_full),
		T(test_other_program_watch_port_filters),
		T(test_other_program_ignores_other_family),
		T(test_other_program_reset_restores_globals),
#undef T
	};

	return cmocka_run_group_tests_name("other_program", tests, group_setup, group_teardown);
}
