// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_host_digest.c: host_state__digest(), the whole observable state as one
 * number (bpf/host/digest.c and the maps' digest ops): what it covers, in the
 * order host.h documents, independent of the order entries were made in, and
 * without changing anything. The fuzz executor's state hash is this function,
 * so its formula is pinned here. The program linked in is
 * tests/data/host_fixture.bpf.c (host_fixture.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "check.h"
#include "host_suite.h"
#include "host_fixture.h"

static const char *const no_names[1];

static __u64 digest_all(void)
{
	return host_state__digest(HOST_DIGEST_SEED, NULL);
}

static __u64 clock_and_log(__u64 h)
{
	__u64 now = host_clock__now();

	h = host_digest__bytes(h, &now, sizeof(now));
	return host_digest__bytes(h, host_log__text(), strlen(host_log__text()));
}

static struct host_sock *sock_list[4];

static struct host_sock *list_sock(const void *ctx, unsigned int i)
{
	return sock_list[i];
}

/* The formula: a map's entries as a sum of digest(key, value), a global's
 * bytes, a socket's fields before cookie, then the clock and the log. */
static void test_host_digest_formula(void **state)
{
	static const char *const small[] = {"fx_small"}, *const knob[] = {"fx_knob"};
	struct host_map *m = map("fx_small");
	__u32 k1 = 1, k2 = 2;
	__u64 v1 = 10, v2 = 20, sum, want;
	struct host_sock *s = sock_plain();
	struct host_digest_scope sc = {.maps = no_names, .globals = knob, .nr_globals = 1};

	at("a global, no maps, no sockets");
	sc.sock = list_sock;
	want = clock_and_log(host_digest__bytes(7, glob("fx_knob", 4), 4));
	CHECK_INT(host_state__digest(7, &sc), want, "digest of fx_knob");

	at("a hash map");
	CHECK_INT(host_map__update(m, &k1, &v1, BPF_ANY), 0, "insert");
	CHECK_INT(host_map__update(m, &k2, &v2, BPF_ANY), 0, "insert");
	sum = host_digest__bytes(host_digest__bytes(HOST_DIGEST_SEED, &k1, 4), &v1, 8) +
	      host_digest__bytes(host_digest__bytes(HOST_DIGEST_SEED, &k2, 4), &v2, 8);
	sc.maps = small;
	sc.nr_maps = 1;
	sc.globals = no_names;
	sc.nr_globals = 0;
	want = clock_and_log(host_digest__bytes(7, &sum, sizeof(sum)));
	CHECK_INT(host_state__digest(7, &sc), want, "digest of fx_small");

	at("a socket");
	sc.maps = no_names;
	sc.nr_maps = 0;
	sock_list[0] = s;
	sc.nr_socks = 1;
	want = clock_and_log(host_digest__bytes(7, s, offsetof(struct host_sock, cookie)));
	CHECK_INT(host_state__digest(7, &sc), want, "digest of a socket");
	sc.flags = HOST_DIGEST_SOCK_CB_FLAGS;
	want = clock_and_log(host_digest__bytes(7, &s->cb_flags, sizeof(s->cb_flags)));
	CHECK_INT(host_state__digest(7, &sc), want, "digest of a socket's cb_flags");
}

/* The same entries made in another order, or after deletes that moved them
 * to other slots, give the same digest. */
static void test_host_digest_entry_order_does_not_count(void **state)
{
	__u8 key[16];
	__u32 v = 5;
	__u64 one;

	at("insert 0..9");
	for (__u32 i = 0; i < 10; i++) {
		key16(key, i);
		CHECK_INT(bpf_map_update_elem(def("fx_hash"), key, &v, BPF_ANY), 0, "insert");
	}
	one = digest_all();
	host_reset();
	at("insert 12, 9..0, delete 12");
	key16(key, 12);
	CHECK_INT(bpf_map_update_elem(def("fx_hash"), key, &v, BPF_ANY), 0, "insert 12");
	for (__u32 i = 10; i-- > 0;) {
		key16(key, i);
		CHECK_INT(bpf_map_update_elem(def("fx_hash"), key, &v, BPF_ANY), 0, "insert");
	}
	key16(key, 12);
	CHECK_INT(bpf_map_delete_elem(def("fx_hash"), key), 0, "delete 12");
	CHECK_INT(digest_all(), one, "digest of the same entries");
}

/* Each part of the state moves the digest: a map entry, an array element, a
 * ring record, storage, a socket field, cb_flags, a global, the clock, the
 * log; the runtime's bookkeeping only with HOST_DIGEST_RUNTIME. */
static void test_host_digest_sees_every_part(void **state)
{
	static const struct host_digest_scope cb_only = {.flags = HOST_DIGEST_SOCK_CB_FLAGS};
	static const struct host_digest_scope runtime = {.flags = HOST_DIGEST_RUNTIME};
	struct host_sock *s = sock_plain();
	__u64 h = digest_all(), next, cb, rt;
	__u32 idx = 1, k = 3;
	__u64 v = 1, *elem;
	__u8 *st;
	void *rec;

#define MOVED(what)                                                  \
	do {                                                         \
		next = digest_all();                                 \
		CHECK(next != h, "the digest did not see %s", what); \
		h = next;                                            \
	} while (0)
	at("parts");
	CHECK_INT(host_map__update(map("fx_small"), &k, &v, BPF_ANY), 0, "insert");
	MOVED("a hash entry");
	elem = bpf_map_lookup_elem(def("fx_array"), &idx);
	CHECK(elem, "array element");
	*elem = 9;
	MOVED("an array element");
	rec = ring_reserve(8);
	CHECK(rec, "reserve");
	memset(rec, 1, 8);
	MOVED("an open ring record (bytes in use)");
	bpf_ringbuf_submit(rec, 0);
	MOVED("a submitted ring record");
	st = host_sk_storage__get(map("fx_stor"), s, true);
	MOVED("new storage");
	st[3] = 1;
	MOVED("a storage byte");
	cb = host_state__digest(0, &cb_only);
	s->state = TCP_FIN_WAIT1_;
	MOVED("a socket's state");
	CHECK_INT(host_state__digest(0, &cb_only), cb, "cb_flags-only digest of a state change");
	s->cb_flags = STATE_CB_FLAG;
	MOVED("cb_flags");
	CHECK(host_state__digest(0, &cb_only) != cb, "cb_flags-only digest of cb_flags");
	G(__u32, fx_knob) = 1;
	MOVED("a global");
	host_clock__advance(1);
	MOVED("the clock");
	script(FX_ACT_PRINTK, 0, 0);
	host_sock__fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	MOVED("the log");
#undef MOVED
	at("bookkeeping");
	rt = host_state__digest(0, &runtime);
	bpf_get_prandom_u32();
	CHECK_INT(digest_all(), h, "the default digest saw a helper call count");
	CHECK(host_state__digest(0, &runtime) != rt, "HOST_DIGEST_RUNTIME missed a call count");
	rt = host_state__digest(0, &runtime);
	CHECK(bpf_map_update_elem(def("fx_small"), &k, &v, BPF_ANY) == 0, "update");
	CHECK_INT(digest_all(), h, "the default digest saw the journal (same value again)");
	CHECK(host_state__digest(0, &runtime) != rt, "HOST_DIGEST_RUNTIME missed the journal");
}

/* A scope names maps, globals and sockets in its order; names the program
 * lacks and places without a socket are skipped. */
static void test_host_digest_scope(void **state)
{
	static const char *const ab[] = {"fx_small", "fx_hash"}, *const ba[] = {"fx_hash",
										"fx_small"};
	static const char *const with_missing[] = {"no_such_map", "fx_small", "fx_hash", "nope"};
	static const char *const globals[] = {"fx_knob", "no_such_global"};
	struct host_sock *a = sock_plain(), *b = sock_plain();
	struct host_digest_scope sc = {.maps = ab, .nr_maps = 2, .sock = list_sock};
	__u32 k = 1;
	__u64 v = 2, h;

	at("maps");
	CHECK_INT(host_map__update(map("fx_small"), &k, &v, BPF_ANY), 0, "insert");
	CHECK_INT(bpf_map_update_elem(def("fx_hash"), &(__u8[16]){1}, &(__u32){2}, BPF_ANY), 0,
		  "insert");
	h = host_state__digest(0, &sc);
	sc.maps = ba;
	CHECK(host_state__digest(0, &sc) != h, "the maps' order did not count");
	sc.maps = with_missing;
	sc.nr_maps = 4;
	CHECK_INT(host_state__digest(0, &sc), h, "digest with names the program lacks");

	at("globals");
	sc.globals = globals;
	sc.nr_globals = 1;
	h = host_state__digest(0, &sc);
	sc.nr_globals = 2;
	CHECK_INT(host_state__digest(0, &sc), h, "digest with a global the program lacks");

	at("sockets");
	b->state = TCP_CLOSE_;
	sock_list[0] = a;
	sock_list[1] = b;
	sc.nr_socks = 2;
	h = host_state__digest(0, &sc);
	sock_list[0] = b;
	sock_list[1] = a;
	CHECK(host_state__digest(0, &sc) != h, "the sockets' order did not count");
	sock_list[0] = NULL;
	sock_list[1] = a;
	sock_list[2] = NULL;
	sock_list[3] = b;
	sc.nr_socks = 4;
	CHECK_INT(host_state__digest(0, &sc), h, "digest with places without a socket");
	at("every live socket by pool id");
	sc.sock = NULL;
	CHECK_INT(host_state__digest(0, &sc), h, "digest of the pool");
}

/* Digesting reads: ring records stay for the consumer, nothing is counted. */
static void test_host_digest_changes_nothing(void **state)
{
	struct host_map *ring = map("fx_ring");
	__u64 h, calls = host_helper__calls(HOST_H_MAP_LOOKUP);
	void *rec = ring_reserve(16);

	at("digest twice");
	CHECK(rec, "reserve");
	bpf_ringbuf_submit(rec, 0);
	h = digest_all();
	CHECK_INT(digest_all(), h, "a second digest");
	CHECK_INT(host_map__count(ring), 1, "records after a digest");
	CHECK_INT(host_ring__used(ring), 24, "bytes in use after a digest");
	CHECK(host_ring__peek(ring, NULL) == rec, "the record after a digest");
	CHECK_INT(host_helper__calls(HOST_H_MAP_LOOKUP), calls, "helper calls");
}

/* host_journal__digest(): each effect's kind, rc, arg, key and data. */
static void test_host_digest_journal(void **state)
{
	struct host_sock *s = sock_plain();
	const struct host_effect *e;
	unsigned int n;
	__u64 want;

	at("one map update");
	CHECK_INT(host_journal__digest(5), 5, "digest of an empty journal");
	key16(glob("fx_key", 36), 3);
	G(__u32, fx_value) = 0x77;
	script(FX_ACT_MAP_UPDATE, 0, BPF_ANY);
	host_sock__fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, NULL);
	e = host_journal(&n, NULL);
	CHECK_INT(n, 1, "effects");
	want = host_digest__bytes(5, &e->kind, sizeof(e->kind));
	want = host_digest__bytes(want, &e->rc, sizeof(e->rc));
	want = host_digest__bytes(want, &e->arg, sizeof(e->arg));
	want = host_digest__bytes(want, e->key, 16);
	want = host_digest__bytes(want, e->data, 4);
	CHECK_INT(host_journal__digest(5), want, "digest of the journal");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, test_setup)
		T(test_host_digest_formula),	     T(test_host_digest_entry_order_does_not_count),
		T(test_host_digest_sees_every_part), T(test_host_digest_scope),
		T(test_host_digest_changes_nothing), T(test_host_digest_journal),
#undef T
	};

	return cmocka_run_group_tests_name("host_digest", tests, group_setup, group_teardown);
}
