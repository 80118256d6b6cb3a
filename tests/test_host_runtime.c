// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_host_runtime.c: the life cycle and descriptor binding, globals, clock, log capture and
 * reset (bpf/host/runtime.c, map.c), with the kernel's semantics
 * (SPEC §6, bpf/host/host.h). The program linked in is
 * tests/data/host_fixture.bpf.c (host_fixture.h); expected values are the
 * kernel's, as SPEC §6 and include/uapi/linux/bpf.h state them, never the
 * runtime's own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <cmocka.h>

#include "check.h"
#include "host_suite.h"
#include "host_fixture.h"

/* Everything observable plus the runtime's bookkeeping: every map, ring record
 * and storage, sockets with their cookies, globals, clock, helper call
 * counts, the journal and the log (host_state__digest()). */
static __u64 snapshot(void)
{
	static const struct host_digest_scope all = {.flags = HOST_DIGEST_RUNTIME};

	return host_state__digest(HOST_DIGEST_SEED, &all);
}

/* The order host_map__next() walks MAP in, which the digest does not see. */
static __u64 walk_order(const char *name)
{
	struct host_map *m = map(name);
	__u64 h = HOST_DIGEST_SEED;
	const void *key;
	__u32 cursor = 0;

	while (host_map__next(m, &cursor, &key, NULL))
		h = host_digest__bytes(h, key, host_map__key_size(m));
	return h;
}

/* host_init() is idempotent and the descriptor from mapgen carries the
 * fixture's map types and sizes as the BPF object's BTF states them. */
static void test_host_init_binds_descriptor(void **state)
{
	static const struct {
		const char *name;
		__u32 type, key, value, max;
	} want[] = {
		{"fx_hash", BPF_MAP_TYPE_HASH, 16, 4, 8192},
		{"fx_small", BPF_MAP_TYPE_HASH, 4, 8, 4},
		{"fx_array", BPF_MAP_TYPE_ARRAY, 4, 8, 8},
		{"fx_lru", BPF_MAP_TYPE_LRU_HASH, 4, 8, 3},
		{"fx_pcpu", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 2},
		{"fx_ring", BPF_MAP_TYPE_RINGBUF, 0, 0, RING_CAP},
		{"fx_stor", BPF_MAP_TYPE_SK_STORAGE, 4, 64, 0},
		{"fx_stor2", BPF_MAP_TYPE_SK_STORAGE, 4, 16, 0},
		{"fx_sockhash", BPF_MAP_TYPE_SOCKHASH, 36, 4, 4},
	};

	at("init twice");
	CHECK_INT(host_init(), 0, "second host_init()");
	CHECK_INT(host_prog.nr_maps, sizeof(want) / sizeof(want[0]), "number of maps");
	CHECK(!strcmp(host_prog.name, "fx_prog"), "entry name %s", host_prog.name);
	CHECK(!strcmp(host_prog.section, "sockops"), "section %s", host_prog.section);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct host_map *m = map(want[i].name);

		at("map %s", want[i].name);
		CHECK(!strcmp(host_map__name(m), want[i].name), "name %s", host_map__name(m));
		CHECK_INT(host_map__type(m), want[i].type, "type");
		CHECK_INT(host_map__key_size(m), want[i].key, "key size");
		CHECK_INT(host_map__value_size(m), want[i].value, "value size");
		CHECK_INT(host_map__max_entries(m), want[i].max, "max_entries");
	}
	at("unknown map");
	errno = 0;
	CHECK(host_map__by_name("km_manage") == NULL, "a map the fixture does not define");
	CHECK_INT(errno, ENOENT, "errno of an unknown map");
}

/* Time is virtual: only host_clock__*() moves it; the program reads exactly it. */
static void test_host_clock_is_virtual(void **state)
{
	struct host_sock *s = sock_plain();
	__u64 t0 = host_clock__now();
	struct timespec nap = {0, 2000000};

	at("clock");
	CHECK(t0 != 0, "the clock starts at 0");
	nanosleep(&nap, NULL);
	CHECK_INT(host_clock__now(), t0, "the clock moved with wall time");
	script(FX_ACT_KTIME, 0, 0);
	host_sock__fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	CHECK_INT(G(__u64, fx_now), t0, "ktime in the program");
	CHECK_INT(G(__s64, fx_rc), 0, "two ktime reads differ");
	host_clock__advance(1500);
	CHECK_INT(bpf_ktime_get_ns(), t0 + 1500, "after advance");
	CHECK_INT(bpf_ktime_get_boot_ns(), t0 + 1500, "boot ns after advance");
	host_clock__set(42);
	CHECK_INT(host_clock__now(), 42, "after set");
	CHECK_INT(bpf_ktime_get_ns(), 42, "ktime after set");
}

/* host_global__set: copies the value; ENOENT for an unknown name; EINVAL for
 * a wrong size, leaving the global unchanged. */
static void test_host_global_set_checks_name_and_size(void **state)
{
	__u32 v = 0x77;
	__u64 big = 1;
	size_t size = 0;

	at("globals");
	CHECK(host_global__ptr("fx_knob", &size) != NULL, "fx_knob");
	CHECK_INT(size, 4, "size of fx_knob");
	CHECK_INT(G(__u32, fx_knob), 0x5eed, "initial value");
	CHECK_INT(host_global__set("fx_knob", &v, sizeof(v)), 0, "set");
	CHECK_INT(G(__u32, fx_knob), 0x77, "value after set");
	CHECK_INT(host_global__set("fx_knob", &big, sizeof(big)), -EINVAL, "wrong size");
	CHECK_INT(G(__u32, fx_knob), 0x77, "value after a failed set");
	CHECK_INT(host_global__set("no_such_global", &v, sizeof(v)), -ENOENT, "unknown name");
	errno = 0;
	CHECK(host_global__ptr("no_such_global", NULL) == NULL, "unknown name found");
	CHECK_INT(errno, ENOENT, "errno");
}

/* bpf_printk text is captured, and reset clears it. */
static void test_host_printk_captured(void **state)
{
	struct host_sock *s = sock_plain();

	at("printk");
	script(FX_ACT_PRINTK, 0, 0);
	host_sock__fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	CHECK(!strcmp(host_log__text(), "fx op 4"), "captured text '%s'", host_log__text());
	host_sock__fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, NULL);
	CHECK(!strcmp(host_log__text(), "fx op 4fx op 5"), "captured text '%s'", host_log__text());
	host_reset();
	CHECK(!strcmp(host_log__text(), ""), "text after reset '%s'", host_log__text());
}

/* host_reset() returns to the state right after host_init(): maps, rings,
 * sockets, storage, globals, clock, faults, call counts, journal, log. */
static void test_host_reset_restores_initial_state(void **state)
{
	__u64 t0 = host_clock__now(), fresh, after;
	struct host_sock *s;
	__u32 idx = 2;
	__u64 *arr;

	at("touch everything");
	fresh = snapshot();
	run_sequence();
	arr = bpf_map_lookup_elem(def("fx_array"), &idx);
	CHECK(arr, "array lookup");
	*arr = 99;
	G(__u32, fx_knob) = 1;
	CHECK_INT(host_fault__arm(HOST_H_MAP_UPDATE, host_helper__calls(HOST_H_MAP_UPDATE), 0), 0,
		  "arm");
	script(FX_ACT_PRINTK, 0, 0);
	host_sock__fire(host_sock__by_id(1), BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, NULL);
	host_reset();

	at("after reset");
	after = snapshot();
	CHECK_INT(after, fresh, "state digest after reset vs fresh");
	CHECK_INT(walk_order("fx_hash"), HOST_DIGEST_SEED, "fx_hash walked after reset");
	CHECK_INT(host_clock__now(), t0, "clock");
	CHECK_INT(G(__u32, fx_knob), 0x5eed, "global with an initial value");
	CHECK(host_sock__by_id(0) == NULL && host_sock__by_id(1) == NULL, "sockets survived");
	arr = host_map__lookup(map("fx_array"), &idx);
	CHECK(arr && *arr == 0, "array element");
	s = host_sock__new();
	CHECK(s && s->id == 0 && s->cookie == 1, "first socket after reset: id %u cookie %llu",
	      s ? s->id : 99, s ? (unsigned long long)s->cookie : 0ull);
	CHECK(bpf_sk_storage_get(def("fx_stor"), &s->sk, NULL, 0) == NULL, "storage survived");
	CHECK_INT(bpf_map_update_elem(def("fx_hash"), &(__u8[16]){1}, &(__u32){1}, BPF_ANY), 0,
		  "an armed fault survived");
}

/* The same sequence after a reset gives identical state, down to the order
 * a hash map is walked in. */
static void test_host_reset_then_same_sequence_is_deterministic(void **state)
{
	__u64 fresh = snapshot(), one, two, order;

	at("first run");
	run_sequence();
	one = snapshot();
	order = walk_order("fx_hash");
	host_reset();
	at("second run");
	run_sequence();
	two = snapshot();
	CHECK_INT(two, one, "state digest of the second run vs the first");
	CHECK_INT(walk_order("fx_hash"), order, "fx_hash walk order of the second run");
	CHECK(one != fresh, "the sequence changed nothing the digest sees");
	CHECK(order != HOST_DIGEST_SEED, "the sequence left fx_hash empty");
}

/* A map with a few touched entries behaves, after reset, exactly like a fresh
 * one: old keys are gone, and E2BIG comes at exactly max_entries. */
static void test_host_reset_map_behaves_fresh(void **state)
{
	struct host_map *m = map("fx_hash"), *small = map("fx_small");
	__u32 v = 1, cursor = 0, k;
	__u64 v64 = 1;
	__u8 key[16];

	at("touch a few");
	for (__u32 i = 0; i < 5; i++) {
		key16(key, 100000 + i);
		CHECK_INT(host_map__update(m, key, &v, BPF_ANY), 0, "insert");
	}
	key16(key, 100001);
	CHECK_INT(host_map__delete(m, key), 0, "delete");
	for (k = 0; k < 4; k++)
		CHECK_INT(host_map__update(small, &k, &v64, BPF_ANY), 0, "small insert");
	host_reset();

	at("after reset");
	CHECK_INT(host_map__count(m), 0, "count");
	CHECK(!host_map__next(m, &cursor, NULL, NULL), "iteration found an entry");
	for (__u32 i = 0; i < 5; i++) {
		key16(key, 100000 + i);
		CHECK(host_map__lookup(m, key) == NULL, "old key %u found", i);
	}
	key16(key, 100002);
	CHECK_INT(host_map__delete(m, key), -ENOENT, "delete of an old key");
	for (__u32 i = 0; i < 8192; i++) {
		key16(key, i);
		if (bpf_map_update_elem(def("fx_hash"), key, &v, BPF_NOEXIST))
			fail_msg("[%s] insert %u of 8192 failed after reset", where, i);
	}
	key16(key, 8192);
	CHECK_INT(bpf_map_update_elem(def("fx_hash"), key, &v, BPF_ANY), -E2BIG, "insert 8193");
	CHECK_INT(host_map__count(m), 8192, "count");
	for (k = 10; k < 14; k++)
		CHECK_INT(bpf_map_update_elem(def("fx_small"), &k, &v64, BPF_NOEXIST), 0,
			  "small insert after reset");
	k = 0;
	CHECK_INT(bpf_map_update_elem(def("fx_small"), &k, &v64, BPF_NOEXIST), -E2BIG,
		  "fifth key in fx_small");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, test_setup)
		T(test_host_init_binds_descriptor),
		T(test_host_clock_is_virtual),
		T(test_host_global_set_checks_name_and_size),
		T(test_host_printk_captured),
		T(test_host_reset_restores_initial_state),
		T(test_host_reset_then_same_sequence_is_deterministic),
		T(test_host_reset_map_behaves_fresh),
#undef T
	};

	return cmocka_run_group_tests_name("host_runtime", tests, group_setup, group_teardown);
}
