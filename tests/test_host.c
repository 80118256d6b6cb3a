// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_host.c: the native runtime's kernel semantics (SPEC §6, bpf/host/host.h).
 *
 * The program linked in is tests/data/host_fixture.bpf.c, built through the
 * same pipeline as the core (clang -target bpf, tools/mapgen). Map and ring
 * helpers are called directly with the map definitions the descriptor lists,
 * exactly as a program would call them; helpers that need a sockops context
 * (cb_flags_set, sock_hash_update, socket cookie) run inside host_sock__fire()
 * through the fixture's action script. Expected values are the kernel's, as
 * SPEC §6 and include/uapi/linux/bpf.h state them, never the runtime's own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include <bpf/bpf_helpers.h>
#include "check.h"
#include "host_suite.h"
#include "host.h"

/* ---- access to the fixture ---------------------------------------------- */

/* Kernel numbers (SPEC head). */
#define AF_INET_	 2
#define AF_INET6_	 10
#define TCP_ESTABLISHED_ 1
#define TCP_FIN_WAIT1_	 4
#define TCP_CLOSE_	 7
#define STATE_CB_FLAG	 4
#define RING_CAP	 4096
#define FX_MAX_OPS	 16

/* The fixture's actions (tests/data/host_fixture.bpf.c). */
enum {
	FX_ACT_NONE = 0,
	FX_ACT_CB_FLAGS,
	FX_ACT_SOCKHASH,
	FX_ACT_TCP_SOCK,
	FX_ACT_COOKIE,
	FX_ACT_KTIME,
	FX_ACT_MAP_UPDATE,
	FX_ACT_MAP_UPDATE_STK,
	FX_ACT_STORAGE,
	FX_ACT_RING,
	FX_ACT_PRINTK,
};

static struct host_map *map(const char *name)
{
	struct host_map *m = host_map__by_name(name);

	if (!m)
		fail_msg("[%s] map %s missing from the fixture", where, name);
	return m;
}

/* The native definition a program passes to helpers for map NAME. */
static void *def(const char *name)
{
	for (unsigned int i = 0; i < host_prog.nr_maps; i++)
		if (!strcmp(host_prog.maps[i].name, name))
			return host_prog.maps[i].def;
	fail_msg("[%s] no definition for map %s", where, name);
	return NULL;
}

static void *glob(const char *name, size_t size)
{
	size_t have = 0;
	void *p = host_global__ptr(name, &have);

	if (!p || have != size)
		fail_msg("[%s] global %s: %p, size %zu, want size %zu", where, name, p, have, size);
	return p;
}

#define G(type, name) (*(type *)glob(#name, sizeof(type)))

static void script(__u32 action, __s64 arg, __u64 flags)
{
	G(__u32, fx_action) = action;
	G(__s64, fx_arg) = arg;
	G(__u64, fx_flags) = flags;
	G(__s64, fx_rc) = 0x7eadbeef; /* a value no helper returns */
}

static void set_key36(__u8 tag)
{
	__u8 *k = glob("fx_key", 36);

	for (int i = 0; i < 36; i++)
		k[i] = (__u8)(tag + i);
}

static struct host_sock *sock_v4(const char *local, __u16 lport, const char *remote, __u16 rport)
{
	struct in_addr l, r;
	struct host_sock *s = host_sock__new();

	CHECK(s, "host_sock__new failed: errno %d", errno);
	CHECK(inet_pton(AF_INET, local, &l) == 1 && inet_pton(AF_INET, remote, &r) == 1,
	      "bad test address");
	host_sock__set_addrs(s, AF_INET_, &l, lport, &r, rport);
	s->state = TCP_ESTABLISHED_;
	return s;
}

static struct host_sock *sock_plain(void)
{
	return sock_v4("127.0.0.5", 40000, "127.0.0.9", 8080);
}

static void key16(__u8 key[16], __u32 n)
{
	memset(key, 0, 16);
	key[0] = 0xfd;
	memcpy(key + 12, &n, sizeof(n));
}

/* Stack noise: overwrite the stack region a finished program frame used. */
static __attribute__((noinline)) void scribble_stack(void)
{
	volatile __u8 junk[8192];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = 0x5a;
}

/* ---- life cycle and descriptor ------------------------------------------ */

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

/* ---- HASH ---------------------------------------------------------------- */

/* kernel htab: a new key in a full map gets E2BIG, an existing key still
 * updates; a freed slot takes a new key again. Both from user space and from
 * the program (bpf_map_update_elem). */
static void test_host_hash_full_e2big_new_key_only(void **state)
{
	struct host_map *m = map("fx_hash");
	__u8 key[16];
	__u32 val = 0, *got;

	at("fill fx_hash");
	for (__u32 i = 0; i < 8192; i++) {
		key16(key, i);
		val = i;
		if (host_map__update(m, key, &val, BPF_ANY))
			fail_msg("[%s] update %u of 8192 failed", where, i);
	}
	CHECK_INT(host_map__count(m), 8192, "count when full");
	at("new key when full");
	key16(key, 8192);
	CHECK_INT(host_map__update(m, key, &val, BPF_ANY), -E2BIG, "user-space update");
	CHECK_INT(bpf_map_update_elem(def("fx_hash"), key, &val, BPF_ANY), -E2BIG, "BPF update");
	CHECK_INT(host_map__update(m, key, &val, BPF_NOEXIST), -E2BIG, "NOEXIST update");
	CHECK(host_map__lookup(m, key) == NULL, "a failed insert left a key");
	CHECK_INT(host_map__count(m), 8192, "count after E2BIG");
	at("existing key when full");
	key16(key, 77);
	val = 0xabcdef;
	CHECK_INT(host_map__update(m, key, &val, BPF_ANY), 0, "user-space update of existing");
	got = host_map__lookup(m, key);
	CHECK(got && *got == 0xabcdef, "value after update %x", got ? *got : 0);
	val = 0x123;
	CHECK_INT(bpf_map_update_elem(def("fx_hash"), key, &val, BPF_EXIST), 0, "BPF update");
	got = bpf_map_lookup_elem(def("fx_hash"), key);
	CHECK(got && *got == 0x123, "value after BPF update %x", got ? *got : 0);
	at("delete then insert");
	CHECK_INT(host_map__delete(m, key), 0, "delete");
	key16(key, 9000);
	CHECK_INT(host_map__update(m, key, &val, BPF_ANY), 0, "insert after a delete");
	key16(key, 9001);
	CHECK_INT(host_map__update(m, key, &val, BPF_ANY), -E2BIG, "full again");
	CHECK_INT(host_map__count(m), 8192, "count");
}

/* BPF_NOEXIST on a present key: EEXIST; BPF_EXIST on a missing one: ENOENT;
 * unknown flags: EINVAL. The map is unchanged after each failure. */
static void test_host_hash_update_flags(void **state)
{
	struct host_map *m = map("fx_small");
	__u32 k = 1, k2 = 2;
	__u64 v = 0x1111, v2 = 0x2222, *got;

	at("fx_small flags");
	CHECK_INT(host_map__update(m, &k, &v, BPF_NOEXIST), 0, "NOEXIST on a new key");
	CHECK_INT(host_map__update(m, &k, &v2, BPF_NOEXIST), -EEXIST, "NOEXIST on a present key");
	CHECK_INT(host_map__update(m, &k2, &v2, BPF_EXIST), -ENOENT, "EXIST on a missing key");
	CHECK_INT(host_map__update(m, &k, &v2, 3), -EINVAL, "flags 3");
	CHECK_INT(host_map__update(m, &k, &v2, BPF_F_LOCK), -EINVAL, "BPF_F_LOCK without a lock");
	CHECK_INT(bpf_map_update_elem(def("fx_small"), &k, &v2, BPF_NOEXIST), -EEXIST,
		  "BPF NOEXIST on a present key");
	CHECK_INT(bpf_map_update_elem(def("fx_small"), &k2, &v2, BPF_EXIST), -ENOENT,
		  "BPF EXIST on a missing key");
	CHECK_INT(bpf_map_update_elem(def("fx_small"), &k2, &v2, 8), -EINVAL, "BPF flags 8");
	got = host_map__lookup(m, &k);
	CHECK(got && *got == 0x1111, "value changed by a failed update: %llx",
	      got ? (unsigned long long)*got : 0ull);
	CHECK(host_map__lookup(m, &k2) == NULL, "a failed update created a key");
	CHECK_INT(host_map__count(m), 1, "count");
	CHECK_INT(host_map__update(m, &k, &v2, BPF_EXIST), 0, "EXIST on a present key");
	got = host_map__lookup(m, &k);
	CHECK(got && *got == 0x2222, "value after EXIST update");
}

/* Deleting a missing key returns ENOENT, from user space and from BPF. */
static void test_host_hash_delete_missing_enoent(void **state)
{
	struct host_map *m = map("fx_small");
	__u32 k = 5;
	__u64 v = 1;

	at("delete");
	CHECK_INT(host_map__delete(m, &k), -ENOENT, "user-space delete of a missing key");
	CHECK_INT(bpf_map_delete_elem(def("fx_small"), &k), -ENOENT, "BPF delete, missing key");
	CHECK_INT(host_map__update(m, &k, &v, BPF_ANY), 0, "insert");
	CHECK_INT(bpf_map_delete_elem(def("fx_small"), &k), 0, "BPF delete of a present key");
	CHECK_INT(host_map__delete(m, &k), -ENOENT, "second delete");
	CHECK_INT(host_map__count(m), 0, "count");
}

/* host_map__next visits each live entry once, deleted ones never. */
static void test_host_hash_next_visits_live_entries(void **state)
{
	struct host_map *m = map("fx_small");
	__u32 cursor = 0, seen = 0, k;
	const void *key;
	void *val;
	__u64 v;

	at("iterate");
	for (k = 10; k < 14; k++) {
		v = k * 100;
		CHECK_INT(host_map__update(m, &k, &v, BPF_ANY), 0, "insert");
	}
	k = 11;
	CHECK_INT(host_map__delete(m, &k), 0, "delete 11");
	while (host_map__next(m, &cursor, &key, &val)) {
		__u32 kk;
		__u64 vv;

		memcpy(&kk, key, 4);
		memcpy(&vv, val, 8);
		CHECK(kk >= 10 && kk < 14 && kk != 11, "visited key %u", kk);
		CHECK(!(seen & (1u << (kk - 10))), "key %u visited twice", kk);
		CHECK_INT(vv, kk * 100, "value of the visited key");
		seen |= 1u << (kk - 10);
	}
	CHECK_INT(seen, 0xd, "keys visited (bit i = key 10 + i)");
}

/* ARRAY: every element exists (NOEXIST fails), an index past the end is E2BIG,
 * delete is EINVAL, and reset zeroes what was written. */
static void test_host_array_kernel_semantics(void **state)
{
	struct host_map *m = map("fx_array");
	__u32 idx = 3, bad = 8;
	__u64 v = 0xfeed, *got;

	at("array");
	CHECK_INT(host_map__update(m, &idx, &v, BPF_NOEXIST), -EEXIST, "NOEXIST");
	CHECK_INT(host_map__update(m, &bad, &v, BPF_ANY), -E2BIG, "index past the end");
	CHECK_INT(host_map__delete(m, &idx), -EINVAL, "delete");
	CHECK_INT(host_map__update(m, &idx, &v, BPF_EXIST), 0, "EXIST");
	got = bpf_map_lookup_elem(def("fx_array"), &idx);
	CHECK(got && *got == 0xfeed, "value via BPF lookup");
	*got = 0xbeef; /* a program writes through the pointer */
	host_reset();
	got = host_map__lookup(m, &idx);
	CHECK(got && *got == 0, "value after reset %llx", got ? (unsigned long long)*got : 1ull);
}

/* ---- RINGBUF ------------------------------------------------------------- */

static void *ring_reserve(__u64 size)
{
	return bpf_ringbuf_reserve(def("fx_ring"), size, 0);
}

/* kernel ringbuf: a record costs round_up(size + 8, 8) and a reservation fails
 * when it would put the producer cap or more ahead of the consumer. A 4096-byte
 * ring takes exactly 85 records of 40 bytes (85 * 48 = 4080). */
static void test_host_ring_capacity_85_records(void **state)
{
	struct host_map *m = map("fx_ring");
	void *rec;
	int n = 0;

	at("fill with 40-byte records");
	while ((rec = ring_reserve(40)) != NULL) {
		memset(rec, n, 40);
		bpf_ringbuf_submit(rec, 0);
		if (++n > 100)
			break;
	}
	CHECK_INT(n, 85, "40-byte records that fit in 4096 bytes");
	CHECK_INT(host_map__count(m), 85, "submitted records");
	CHECK_INT(host_ring__used(m), 85 * 48, "bytes used");
	CHECK(ring_reserve(8) == NULL, "an 8-byte record (cost 16) fits in the 16 bytes left");
	CHECK(ring_reserve(1) == NULL, "a 1-byte record (cost 16) fits in the 16 bytes left");
	host_ring__drain(m);
	CHECK_INT(host_map__count(m), 0, "count after drain");
	CHECK_INT(host_ring__used(m), 0, "used after drain");

	at("single records against the cap");
	rec = ring_reserve(4081); /* cost 4096: would fill the ring completely */
	CHECK(rec == NULL, "a record of cost == cap was accepted");
	rec = ring_reserve(4080); /* cost 4088 */
	CHECK(rec != NULL, "a record of cost cap - 8 was refused");
	bpf_ringbuf_submit(rec, 0);
	CHECK_INT(host_ring__used(m), 4088, "used");
	CHECK(ring_reserve(1) == NULL, "cost 16 with 8 bytes left");
	host_ring__drain(m);
	at("costs");
	rec = ring_reserve(1);
	CHECK(rec != NULL, "reserve 1");
	bpf_ringbuf_submit(rec, 0);
	CHECK_INT(host_ring__used(m), 16, "cost of a 1-byte record");
	rec = ring_reserve(16);
	CHECK(rec != NULL, "reserve 16");
	bpf_ringbuf_submit(rec, 0);
	CHECK_INT(host_ring__used(m), 16 + 24, "cost of a 16-byte record");
	CHECK(ring_reserve(RING_CAP + 8) == NULL, "a record larger than the ring");
}

/* Records become visible only once submitted, in reservation order: an open
 * reservation at the head hides the submitted ones behind it. */
static void test_host_ring_invisible_until_submitted(void **state)
{
	struct host_map *m = map("fx_ring");
	__u8 *a, *b;
	const __u8 *p;
	__u32 len = 0;

	at("reserve a, reserve b");
	a = ring_reserve(40);
	b = ring_reserve(24);
	CHECK(a && b, "reservations");
	memset(a, 0xaa, 40);
	memset(b, 0xbb, 24);
	CHECK(host_ring__peek(m, &len) == NULL, "an open record is visible");
	CHECK_INT(host_map__count(m), 0, "count with open records");
	bpf_ringbuf_submit(b, 0);
	CHECK(host_ring__peek(m, &len) == NULL, "b visible while a, before it, is open");
	CHECK_INT(host_map__count(m), 1, "count after submitting b");
	bpf_ringbuf_submit(a, 0);
	p = host_ring__peek(m, &len);
	CHECK(p == a, "first record is not a");
	CHECK_INT(len, 40, "length of a");
	host_ring__consume(m);
	p = host_ring__peek(m, &len);
	CHECK(p == b && len == 24 && p[0] == 0xbb, "second record is not b");
	host_ring__consume(m);
	CHECK(host_ring__peek(m, &len) == NULL, "ring not empty");
	CHECK_INT(host_ring__used(m), 0, "used after consuming both");
}

/* Discarded records are skipped by the consumer and never counted. */
static void test_host_ring_discard_skipped(void **state)
{
	struct host_map *m = map("fx_ring");
	__u8 *a, *b, *c;
	const __u8 *p;
	__u32 len;

	at("submit a, discard b, submit c");
	a = ring_reserve(8);
	b = ring_reserve(8);
	c = ring_reserve(8);
	CHECK(a && b && c, "reservations");
	a[0] = 1;
	b[0] = 2;
	c[0] = 3;
	bpf_ringbuf_discard(b, 0);
	bpf_ringbuf_submit(a, 0);
	bpf_ringbuf_submit(c, 0);
	CHECK_INT(host_map__count(m), 2, "submitted records");
	p = host_ring__peek(m, &len);
	CHECK(p && p[0] == 1, "first record");
	host_ring__consume(m);
	p = host_ring__peek(m, &len);
	CHECK(p && p[0] == 3, "the discarded record was not skipped (got %d)", p ? p[0] : -1);
	host_ring__consume(m);
	CHECK_INT(host_map__count(m), 0, "count");
	CHECK_INT(host_ring__used(m), 0, "used");
	at("discard only");
	a = ring_reserve(8);
	bpf_ringbuf_discard(a, 0);
	CHECK(host_ring__peek(m, NULL) == NULL, "a discarded record is visible");
	CHECK_INT(host_map__count(m), 0, "count");
}

/* Consuming frees exactly the record's cost, so a full ring takes another. */
static void test_host_ring_consume_frees_space(void **state)
{
	struct host_map *m = map("fx_ring");
	void *rec;

	at("fill");
	for (int i = 0; i < 85; i++) {
		rec = ring_reserve(40);
		CHECK(rec, "record %d", i);
		bpf_ringbuf_submit(rec, 0);
	}
	CHECK(ring_reserve(40) == NULL, "86th record fits");
	host_ring__consume(m);
	CHECK_INT(host_ring__used(m), 84 * 48, "used after one consume");
	rec = ring_reserve(40);
	CHECK(rec != NULL, "no room after consuming one record");
	bpf_ringbuf_submit(rec, 0);
	CHECK(ring_reserve(40) == NULL, "room for two after consuming one");
	CHECK_INT(host_map__count(m), 85, "count");
}

/* Fresh reservations are poisoned (HOST_RING_POISON), never zero or stale. */
static void test_host_ring_reserve_poisons(void **state)
{
	__u8 *rec, want[40];

	at("poison");
	memset(want, HOST_RING_POISON, sizeof(want));
	rec = ring_reserve(40);
	CHECK(rec, "reserve");
	CHECK_BYTES(rec, want, 40, "fresh reservation");
	memset(rec, 0, 40);
	bpf_ringbuf_submit(rec, 0);
	host_ring__drain(map("fx_ring"));
	/* Advance past the whole ring so the same bytes are handed out again. */
	for (int i = 0; i < 85; i++) {
		rec = ring_reserve(40);
		CHECK(rec, "reserve %d", i);
		CHECK_BYTES(rec, want, 40, "reused ring memory");
		memset(rec, 0, 40);
		bpf_ringbuf_submit(rec, 0);
		host_ring__consume(map("fx_ring"));
	}
}

/* kernel: reserve flags must be 0; output flags only the wakeup bits. */
static void test_host_ring_bad_flags(void **state)
{
	__u8 data[16] = {1, 2, 3};

	at("flags");
	CHECK(bpf_ringbuf_reserve(def("fx_ring"), 8, 1) == NULL, "reserve with flags 1");
	CHECK_INT(bpf_ringbuf_output(def("fx_ring"), data, 16, 4), -EINVAL, "output flags 4");
	CHECK_INT(host_map__count(map("fx_ring")), 0, "count");
	CHECK_INT(host_ring__used(map("fx_ring")), 0, "used");
}

/* bpf_ringbuf_output copies the data, and fails with EAGAIN (nothing written)
 * when the record does not fit. */
static void test_host_ring_output_copies_or_fails(void **state)
{
	struct host_map *m = map("fx_ring");
	__u8 data[40];
	const void *p;
	__u32 len;
	int n = 0;

	at("output");
	for (int i = 0; i < 40; i++)
		data[i] = (__u8)(i * 7);
	CHECK_INT(bpf_ringbuf_output(def("fx_ring"), data, 40, BPF_RB_NO_WAKEUP), 0, "output");
	p = host_ring__peek(m, &len);
	CHECK_INT(len, 40, "length");
	CHECK_BYTES(p, data, 40, "output record");
	while (bpf_ringbuf_output(def("fx_ring"), data, 40, 0) == 0)
		n++;
	CHECK_INT(n, 84, "records output after the first");
	CHECK_INT(bpf_ringbuf_output(def("fx_ring"), data, 40, 0), -EAGAIN, "output when full");
	CHECK_INT(host_map__count(m), 85, "count");
}

/* Producer and consumer wrap around the ring many times with records of
 * mixed sizes; every record comes back intact and in order. */
static void test_host_ring_wraparound_keeps_records(void **state)
{
	static const __u32 sizes[] = {40, 100, 8, 1000, 3, 256, 64};
	struct host_map *m = map("fx_ring");
	__u32 produced = 0, consumed = 0;

	at("wraparound");
	for (int round = 0; round < 400; round++) {
		/* Up to three outstanding records, then consume one. */
		while (produced - consumed < 3) {
			__u32 size = sizes[produced % 7];
			__u8 *rec = ring_reserve(size);

			if (!rec)
				break;
			for (__u32 i = 0; i < size; i++)
				rec[i] = (__u8)(produced * 31 + i);
			bpf_ringbuf_submit(rec, 0);
			produced++;
		}
		{
			__u32 len = 0, size = sizes[consumed % 7];
			const __u8 *p = host_ring__peek(m, &len);
			__u8 want[1000];

			at("wraparound record %u (round %d)", consumed, round);
			CHECK(p, "record missing");
			CHECK_INT(len, size, "length");
			for (__u32 i = 0; i < size; i++)
				want[i] = (__u8)(consumed * 31 + i);
			CHECK_BYTES(p, want, size, "record contents");
			host_ring__consume(m);
			consumed++;
		}
	}
	CHECK(produced > 2 * RING_CAP / 100, "the test did not wrap: %u records", produced);
}

/* ---- SK_STORAGE ---------------------------------------------------------- */

/* kernel bpf_sk_storage_get: NULL without F_CREATE when absent; created zeroed
 * with it, the same storage afterwards; NULL for unknown flags, a request
 * socket or no socket. */
static void test_host_sk_storage_get_and_create(void **state)
{
	struct host_map *m = map("fx_stor");
	struct host_sock *s = sock_plain(), *req = sock_plain();
	__u8 zero[64] = {0}, *st, *again;

	at("no create");
	CHECK(bpf_sk_storage_get(def("fx_stor"), &s->sk, NULL, 0) == NULL, "absent storage");
	CHECK_INT(host_map__count(m), 0, "storage count");
	at("create");
	st = bpf_sk_storage_get(def("fx_stor"), &s->sk, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	CHECK_BYTES(st, zero, 64, "new storage");
	CHECK_INT(host_map__count(m), 1, "storage count");
	st[5] = 9;
	again = bpf_sk_storage_get(def("fx_stor"), &s->sk, NULL, 0);
	CHECK(again == st, "a second get returned other storage");
	again = bpf_sk_storage_get(def("fx_stor"), &s->sk, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	CHECK(again == st && st[5] == 9, "F_CREATE on existing storage recreated it");
	CHECK(host_sk_storage__get(m, s, false) == st, "user-space view differs");
	CHECK_INT(host_map__count(m), 1, "storage count");
	at("other map is separate");
	CHECK(bpf_sk_storage_get(def("fx_stor2"), &s->sk, NULL, 0) == NULL, "fx_stor2 storage");
	at("bad flags, request socket, no socket");
	CHECK(bpf_sk_storage_get(def("fx_stor"), &req->sk, NULL, 2) == NULL, "flags 2");
	req->fullsock = false;
	CHECK(bpf_sk_storage_get(def("fx_stor"), &req->sk, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE) ==
		      NULL,
	      "storage for a request socket");
	CHECK(bpf_sk_storage_get(def("fx_stor"), NULL, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE) ==
		      NULL,
	      "storage for no socket");
	CHECK(bpf_sk_storage_get(def("fx_ring"), &s->sk, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE) ==
		      NULL,
	      "storage in a ring buffer");
	CHECK_INT(host_map__count(m), 1, "storage count");
}

/* With F_CREATE and a value, the new storage starts as that value. */
static void test_host_sk_storage_create_with_value(void **state)
{
	struct host_sock *s = sock_plain();
	__u64 init[2] = {0x1122334455667788ull, 42}, *st;

	at("create with value");
	st = bpf_sk_storage_get(def("fx_stor2"), &s->sk, init, BPF_LOCAL_STORAGE_GET_F_CREATE);
	CHECK_BYTES(st, init, sizeof(init), "storage created from a value");
}

/* Storage goes with its socket: freeing it drops the storage of every map,
 * and a new socket in the same pool slot starts without storage, then gets
 * zeroed storage, not the old bytes. */
static void test_host_sk_storage_freed_with_socket(void **state)
{
	struct host_sock *s = sock_plain(), *t;
	__u8 zero[64] = {0}, *st;
	__u32 id = s->id;

	at("create in two maps");
	st = bpf_sk_storage_get(def("fx_stor"), &s->sk, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	CHECK(st, "create fx_stor");
	memset(st, 0xff, 64);
	CHECK(bpf_sk_storage_get(def("fx_stor2"), &s->sk, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE),
	      "create fx_stor2");
	CHECK_INT(host_map__count(map("fx_stor")), 1, "fx_stor count");
	CHECK_INT(host_map__count(map("fx_stor2")), 1, "fx_stor2 count");
	host_sock__free(s);
	CHECK_INT(host_map__count(map("fx_stor")), 0, "fx_stor count after free");
	CHECK_INT(host_map__count(map("fx_stor2")), 0, "fx_stor2 count after free");
	CHECK(host_sock__by_id(id) == NULL, "a freed socket is still found by id");
	at("new socket in the freed slot");
	t = sock_plain();
	CHECK_INT(t->id, id, "the pool reuses the freed slot");
	CHECK(bpf_sk_storage_get(def("fx_stor"), &t->sk, NULL, 0) == NULL,
	      "the new socket inherited storage");
	st = bpf_sk_storage_get(def("fx_stor"), &t->sk, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	CHECK_BYTES(st, zero, 64, "storage of the new socket");
	host_sock__free(NULL); /* NULL is accepted */
}

/* bpf_sk_storage_delete: 0, then ENOENT. */
static void test_host_sk_storage_delete(void **state)
{
	struct host_sock *s = sock_plain();

	at("delete");
	CHECK_INT(bpf_sk_storage_delete(def("fx_stor"), &s->sk), -ENOENT, "delete absent");
	CHECK(bpf_sk_storage_get(def("fx_stor"), &s->sk, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE),
	      "create");
	CHECK_INT(bpf_sk_storage_delete(def("fx_stor"), &s->sk), 0, "delete present");
	CHECK_INT(host_map__count(map("fx_stor")), 0, "count");
	CHECK(bpf_sk_storage_get(def("fx_stor"), &s->sk, NULL, 0) == NULL, "storage after delete");
}

/* ---- sockets, context, tcp_sock ------------------------------------------ */

/* The context shows what the kernel's sock_ops_convert_ctx_access gives:
 * local_port host order, remote_port the network-order port in the upper 16
 * bits (little endian), addresses network order, both address views as kernel
 * 6.18 fills them (host.h), bpf_sock ports as the kernel shows them. */
static void test_host_ctx_fields_as_kernel_shows(void **state)
{
	static const __u8 l6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 5};
	static const __u8 r6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 9};
	static const __u8 n6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9};
	struct host_sock *s = sock_v4("127.0.0.5", 40000, "127.0.0.9", 8080);
	const __u8 v4l[4] = {127, 0, 0, 5}, v4r[4] = {127, 0, 0, 9}, v4lo6[4] = {127, 0, 0, 6};

	at("AF_INET context");
	script(FX_ACT_NONE, 0, 0);
	CHECK_INT(host_sock__fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB,
				  (const __u32[4]){1, 2, 3, 4}),
		  0, "program return");
	CHECK_INT(G(__u32, fx_ctx_op), BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, "op");
	CHECK_BYTES(glob("fx_ctx_args", 16), ((const __u32[4]){1, 2, 3, 4}), 16, "args");
	CHECK_INT(G(__u32, fx_ctx_family), AF_INET_, "family");
	CHECK_INT(G(__u32, fx_ctx_local_port), 40000, "local_port (host order)");
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* 8080 = 0x1f90; on the wire 1f 90; loaded as a LE u16 0x901f; << 16. */
	CHECK_INT(G(__u32, fx_ctx_remote_port), 0x901f0000u, "remote_port");
#endif
	CHECK_BYTES(glob("fx_ctx_local_ip4", 4), v4l, 4, "local_ip4");
	CHECK_BYTES(glob("fx_ctx_remote_ip4", 4), v4r, 4, "remote_ip4");
	CHECK_INT(G(__u32, fx_ctx_fullsock), 1, "is_fullsock");
	CHECK_INT(G(__u32, fx_ctx_has_sk), 1, "sk present");
	CHECK_INT(G(__u32, fx_sk_src_port), 40000, "bpf_sock src_port (host order)");
	CHECK_INT(G(__u32, fx_sk_dst_port), htons(8080), "bpf_sock dst_port (network order)");
	CHECK_INT(G(__u32, fx_ctx_state), TCP_ESTABLISHED_, "state");
	/* kernel 6.18: an AF_INET socket shows its addresses IPv4-mapped in the
	 * IPv6 fields too (sk_v6_rcv_saddr, sk_v6_daddr). */
	CHECK_BYTES(glob("fx_ctx_local_ip6", 16), l6, 16, "local_ip6 of an AF_INET socket");
	CHECK_BYTES(glob("fx_ctx_remote_ip6", 16), r6, 16, "remote_ip6 of an AF_INET socket");

	at("AF_INET6 v4-mapped context");
	host_sock__set_addrs(s, AF_INET6_, l6, 40001, r6, 8081);
	host_sock__fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	CHECK_INT(G(__u32, fx_ctx_family), AF_INET6_, "family");
	CHECK_BYTES(glob("fx_ctx_local_ip6", 16), l6, 16, "local_ip6");
	CHECK_BYTES(glob("fx_ctx_remote_ip6", 16), r6, 16, "remote_ip6");
	CHECK_BYTES(glob("fx_ctx_local_ip4", 4), v4l, 4, "local_ip4 of a v4-mapped socket");
	CHECK_BYTES(glob("fx_ctx_remote_ip4", 4), v4r, 4, "remote_ip4 of a v4-mapped socket");
	CHECK_BYTES(glob("fx_ctx_args", 16), ((const __u32[4]){0}), 16, "NULL args read as 0");

	at("AF_INET6 native context");
	host_sock__set_addrs(s, AF_INET6_, n6, 1, n6, 2);
	host_sock__fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	/* kernel 6.18 shows LOOPBACK4_IPV6, 127.0.0.6, as the local IPv4 address
	 * of a native IPv6 socket and 0.0.0.0 as the remote one. */
	CHECK_BYTES(glob("fx_ctx_local_ip4", 4), v4lo6, 4, "local_ip4 of a native IPv6 socket");
	CHECK_INT(G(__u32, fx_ctx_remote_ip4), 0, "remote_ip4 of a native IPv6 socket");
	CHECK_BYTES(glob("fx_ctx_local_ip6", 16), n6, 16, "local_ip6");

	at("request socket context");
	s->fullsock = false;
	s->cb_flags = STATE_CB_FLAG;
	host_sock__fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	CHECK_INT(G(__u32, fx_ctx_fullsock), 0, "is_fullsock");
	CHECK_INT(G(__u32, fx_ctx_has_sk), 0, "sk of a request socket");
	CHECK_INT(G(__u32, fx_ctx_cb_flags), 0, "cb_flags of a request socket read as 0");
}

/* bpf_tcp_sock: the socket's counters for a full TCP socket, NULL for a
 * non-TCP socket, a request socket, NULL or a pointer outside the pool. */
static void test_host_tcp_sock_null_unless_full_tcp(void **state)
{
	struct host_sock *s = sock_plain();
	struct bpf_sock stray = {0};

	at("tcp_sock");
	s->tp.bytes_acked = 0x1234567890ull;
	CHECK(bpf_tcp_sock(&s->sk) == &s->tp, "full TCP socket");
	script(FX_ACT_TCP_SOCK, 0, 0);
	host_sock__fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	CHECK_INT(G(__s64, fx_rc), 1, "tcp_sock from the program");
	CHECK_INT(G(__u64, fx_now), 0x1234567890ull, "bytes_acked through tcp_sock");
	s->is_tcp = false;
	CHECK(bpf_tcp_sock(&s->sk) == NULL, "tcp_sock of a non-TCP socket");
	script(FX_ACT_TCP_SOCK, 0, 0);
	host_sock__fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	CHECK_INT(G(__s64, fx_rc), 0, "tcp_sock of a non-TCP socket from the program");
	s->is_tcp = true;
	s->fullsock = false;
	CHECK(bpf_tcp_sock(&s->sk) == NULL, "tcp_sock of a request socket");
	CHECK(bpf_tcp_sock(NULL) == NULL, "tcp_sock(NULL)");
	CHECK(bpf_tcp_sock(&stray) == NULL, "tcp_sock of memory outside the pool");
}

/* kernel bpf_sock_ops_cb_flags_set: the new flags replace the old ones
 * (masked with BPF_SOCK_OPS_ALL_CB_FLAGS) and the result is the bits it does
 * not support. */
static void test_host_cb_flags_set_replaces_returns_unsupported(void **state)
{
	struct host_sock *s = sock_plain();

	at("replace");
	s->cb_flags = 0x3;
	script(FX_ACT_CB_FLAGS, STATE_CB_FLAG, 0);
	host_sock__fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	CHECK_INT(G(__s64, fx_rc), 0, "result for a supported flag");
	CHECK_INT(s->cb_flags, STATE_CB_FLAG, "flags after setting STATE_CB over RTO|RETRANS");
	CHECK_INT(G(__u32, fx_ctx_cb_flags), 0x3, "flags the context showed before");
	at("unsupported bits");
	script(FX_ACT_CB_FLAGS, 0x180 | 0x8, 0);
	host_sock__fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	CHECK_INT(G(__s64, fx_rc), 0x180, "result: the unsupported bits");
	CHECK_INT(s->cb_flags, 0x8, "flags keep only the supported bits");
	script(FX_ACT_CB_FLAGS, -1, 0);
	host_sock__fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	CHECK_INT(G(__s64, fx_rc), -1 & ~0x7f, "result for all bits");
	CHECK_INT(s->cb_flags, HOST_CB_FLAGS_ALL, "flags for all bits");
	CHECK_INT(HOST_CB_FLAGS_ALL, BPF_SOCK_OPS_ALL_CB_FLAGS, "HOST_CB_FLAGS_ALL vs uapi");
	script(FX_ACT_CB_FLAGS, 0, 0);
	host_sock__fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	CHECK_INT(s->cb_flags, 0, "flags after setting 0");
}

/* ... and -EINVAL, with the flags untouched, for a request socket. */
static void test_host_cb_flags_set_request_socket_einval(void **state)
{
	struct host_sock *s = sock_plain();

	at("request socket");
	s->fullsock = false;
	s->cb_flags = 0x1;
	script(FX_ACT_CB_FLAGS, STATE_CB_FLAG, 0);
	host_sock__fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, NULL);
	CHECK_INT(G(__s64, fx_rc), -EINVAL, "result");
	CHECK_INT(s->cb_flags, 0x1, "flags");
}

/* tcp_set_state(): STATE_CB runs only when the socket asked for it, with
 * args {old, new}. */
static void test_host_state_cb_only_with_flag(void **state)
{
	struct host_sock *s = sock_plain();
	__u32 *fires = glob("fx_fires", FX_MAX_OPS * 4);

	at("without the flag");
	script(FX_ACT_NONE, 0, 0);
	CHECK_INT(host_sock__set_state(s, TCP_FIN_WAIT1_), 0, "set_state result");
	CHECK_INT(fires[BPF_SOCK_OPS_STATE_CB], 0, "STATE_CB fired without the flag");
	CHECK_INT(s->state, TCP_FIN_WAIT1_, "state");
	at("with other flags only");
	s->cb_flags = HOST_CB_FLAGS_ALL & ~STATE_CB_FLAG;
	host_sock__set_state(s, TCP_ESTABLISHED_);
	CHECK_INT(fires[BPF_SOCK_OPS_STATE_CB], 0, "STATE_CB fired without its flag");
	at("with the flag");
	script(FX_ACT_CB_FLAGS, STATE_CB_FLAG, 0);
	host_sock__fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	script(FX_ACT_NONE, 0, 0);
	host_sock__set_state(s, TCP_FIN_WAIT1_);
	CHECK_INT(fires[BPF_SOCK_OPS_STATE_CB], 1, "STATE_CB fires");
	CHECK_INT(G(__u32, fx_ctx_op), BPF_SOCK_OPS_STATE_CB, "op");
	CHECK_BYTES(glob("fx_ctx_args", 16), ((const __u32[4]){TCP_ESTABLISHED_, TCP_FIN_WAIT1_}),
		    16, "args {old, new}");
	host_sock__set_state(s, TCP_CLOSE_);
	CHECK_INT(fires[BPF_SOCK_OPS_STATE_CB], 2, "STATE_CB fires on close");
	CHECK_BYTES(glob("fx_ctx_args", 16), ((const __u32[4]){TCP_FIN_WAIT1_, TCP_CLOSE_}), 16,
		    "args {old, new}");
	at("request socket with the flag");
	s = sock_plain();
	s->cb_flags = STATE_CB_FLAG;
	s->fullsock = false;
	host_sock__set_state(s, TCP_CLOSE_);
	CHECK_INT(fires[BPF_SOCK_OPS_STATE_CB], 2, "STATE_CB fired for a request socket");
}

/* kernel tcp_set_state() calls the program before inet_sk_state_store(): during
 * STATE_CB, skops->state and sk->state still read the OLD state; the new one
 * is args[1]. */
static void test_host_state_cb_ctx_reads_old_state(void **state)
{
	struct host_sock *s = sock_plain();

	at("STATE_CB context");
	s->cb_flags = STATE_CB_FLAG;
	script(FX_ACT_NONE, 0, 0);
	host_sock__set_state(s, TCP_FIN_WAIT1_);
	CHECK_INT(((__u32 *)glob("fx_ctx_args", 16))[1], TCP_FIN_WAIT1_, "args[1]");
	CHECK_INT(G(__u32, fx_ctx_state), TCP_ESTABLISHED_, "skops->state during STATE_CB");
	CHECK_INT(G(__u32, fx_sk_state), TCP_ESTABLISHED_, "sk->state during STATE_CB");
	CHECK_INT(s->state, TCP_FIN_WAIT1_, "state after tcp_set_state()");
}

/* The pool hands out HOST_MAX_SOCKS sockets, then NULL with ENOSPC; a freed
 * slot is reused; cookies are unique. */
static void test_host_sock_pool_exhaustion_enospc(void **state)
{
	struct host_sock *s = NULL, *first = NULL;
	__u64 last_cookie = 0;

	at("pool");
	for (int i = 0; i < HOST_MAX_SOCKS; i++) {
		s = host_sock__new();
		if (!s)
			fail_msg("[%s] socket %d of %d: errno %d", where, i, HOST_MAX_SOCKS, errno);
		CHECK(s->cookie > last_cookie, "cookie %llu after %llu",
		      (unsigned long long)s->cookie, (unsigned long long)last_cookie);
		last_cookie = s->cookie;
		CHECK(s->fullsock && s->is_tcp && s->state == 0 && s->cb_flags == 0,
		      "defaults of a new socket");
		if (!first)
			first = s;
	}
	errno = 0;
	CHECK(host_sock__new() == NULL, "socket %d", HOST_MAX_SOCKS + 1);
	CHECK_INT(errno, ENOSPC, "errno");
	CHECK(host_sock__by_id(first->id) == first, "by_id");
	host_sock__free(first);
	s = host_sock__new();
	CHECK(s != NULL, "no socket after a free");
	CHECK(s->cookie > last_cookie, "a reused slot got an old cookie");
}

/* ---- SOCKHASH ------------------------------------------------------------ */

static long sockhash_update(struct host_sock *s, __u8 tag, __u64 flags, __u32 op)
{
	set_key36(tag);
	script(FX_ACT_SOCKHASH, 0, flags);
	host_sock__fire(s, op, NULL);
	return (long)G(__s64, fx_rc);
}

static struct host_sock *sockhash_at(__u8 tag)
{
	__u8 key[36];

	for (int i = 0; i < 36; i++)
		key[i] = (__u8)(tag + i);
	return host_sockhash__lookup(map("fx_sockhash"), key);
}

/* sock_map (kernel 6.18, shown by the kernel oracle): an entry names its
 * socket and leaves the map when user space closes the socket
 * (sock_map_close()), not when TCP moves it to CLOSE: a socket reset by its
 * peer keeps its entries until its owner closes it. */
static void test_host_sockhash_entry_leaves_on_release(void **state)
{
	struct host_map *m = map("fx_sockhash");
	struct host_sock *s = sock_plain();
	__u32 *id;
	__u8 key[36];

	at("update");
	CHECK_INT(sockhash_update(s, 1, BPF_ANY, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB), 0, "update");
	CHECK_INT(sockhash_update(s, 2, BPF_ANY, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB), 0, "update");
	CHECK(sockhash_at(1) == s && sockhash_at(2) == s, "entries name another socket");
	for (int i = 0; i < 36; i++)
		key[i] = (__u8)(1 + i);
	id = host_map__lookup(m, key);
	CHECK(id && *id == s->id, "value is the socket id");
	CHECK_INT(host_map__count(m), 2, "count");
	at("state changes");
	host_sock__set_state(s, TCP_FIN_WAIT1_);
	CHECK_INT(host_map__count(m), 2, "entries left on FIN_WAIT1");
	host_sock__set_state(s, TCP_CLOSE_);
	CHECK_INT(host_map__count(m), 2, "entries left at TCP CLOSE, before close(2)");
	CHECK(sockhash_at(1) == s && sockhash_at(2) == s, "lookup at TCP CLOSE");
	at("release");
	host_sock__release(s);
	CHECK_INT(host_map__count(m), 0, "entries left after close(2)");
	CHECK(sockhash_at(1) == NULL && sockhash_at(2) == NULL, "lookup after close(2)");
}

/* ... and when the socket is freed; an entry taken over by another socket
 * stays with that socket. */
static void test_host_sockhash_entry_leaves_on_free(void **state)
{
	struct host_map *m = map("fx_sockhash");
	struct host_sock *a = sock_plain(), *b = sock_plain();

	at("two sockets");
	CHECK_INT(sockhash_update(a, 1, BPF_ANY, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB), 0, "a key 1");
	CHECK_INT(sockhash_update(a, 2, BPF_ANY, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB), 0, "a key 2");
	CHECK_INT(sockhash_update(b, 3, BPF_ANY, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB), 0,
		  "b key 3");
	at("b takes over key 1");
	CHECK_INT(sockhash_update(b, 1, BPF_ANY, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB), 0,
		  "b key 1");
	CHECK(sockhash_at(1) == b, "key 1 does not name b");
	CHECK_INT(host_map__count(m), 3, "count");
	at("free a");
	host_sock__free(a);
	CHECK_INT(host_map__count(m), 2, "count after freeing a");
	CHECK(sockhash_at(1) == b && sockhash_at(3) == b, "b's entries");
	CHECK(sockhash_at(2) == NULL, "a's entry survived its socket");
	at("close b");
	host_sock__release(b);
	CHECK_INT(host_map__count(m), 0, "count after closing b");
}

/* sock_hash_update: flags as for a hash, E2BIG on a new key when full, and
 * EOPNOTSUPP outside the established/listen callbacks or for unsuitable
 * sockets. A failed update changes nothing. */
static void test_host_sockhash_update_errors(void **state)
{
	struct host_map *m = map("fx_sockhash");
	struct host_sock *s = sock_plain(), *t = sock_plain();

	at("flags");
	CHECK_INT(sockhash_update(s, 1, BPF_EXIST, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB), -ENOENT,
		  "EXIST on a missing key");
	CHECK_INT(sockhash_update(s, 1, BPF_NOEXIST, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB), 0,
		  "NOEXIST on a new key");
	CHECK_INT(sockhash_update(t, 1, BPF_NOEXIST, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB), -EEXIST,
		  "NOEXIST on a present key");
	CHECK(sockhash_at(1) == s, "a failed update moved the entry");
	CHECK_INT(sockhash_update(s, 2, 3, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB), -EINVAL, "flags 3");
	at("op and socket checks");
	CHECK_INT(sockhash_update(s, 2, BPF_ANY, BPF_SOCK_OPS_TCP_CONNECT_CB), -EOPNOTSUPP,
		  "update from TCP_CONNECT_CB");
	CHECK_INT(sockhash_update(s, 2, BPF_ANY, BPF_SOCK_OPS_STATE_CB), -EOPNOTSUPP,
		  "update from STATE_CB");
	CHECK_INT(sockhash_update(s, 2, BPF_ANY, BPF_SOCK_OPS_TCP_LISTEN_CB), 0,
		  "update from TCP_LISTEN_CB");
	t->fullsock = false;
	CHECK_INT(sockhash_update(t, 3, BPF_ANY, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB), -EOPNOTSUPP,
		  "update with a request socket");
	t->fullsock = true;
	t->is_tcp = false;
	CHECK_INT(sockhash_update(t, 3, BPF_ANY, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB), -EOPNOTSUPP,
		  "update with a non-TCP socket");
	t->is_tcp = true;
	CHECK_INT(host_map__count(m), 2, "count after failures");
	at("full");
	CHECK_INT(sockhash_update(t, 3, BPF_ANY, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB), 0, "key 3");
	CHECK_INT(sockhash_update(t, 4, BPF_ANY, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB), 0, "key 4");
	CHECK_INT(sockhash_update(t, 5, BPF_ANY, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB), -E2BIG,
		  "a fifth key in a 4-entry sockhash");
	CHECK_INT(sockhash_update(t, 1, BPF_ANY, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB), 0,
		  "an existing key when full");
	CHECK(sockhash_at(1) == t && sockhash_at(5) == NULL, "entries when full");
	CHECK_INT(host_map__count(m), 4, "count when full");
	at("user space cannot update a sockhash");
	CHECK_INT(host_map__update(m, glob("fx_key", 36), &t->id, BPF_ANY), -EINVAL,
		  "user-space sockhash update");
}

/* ---- faults, call counts ------------------------------------------------- */

/* Only call number NTH fails, with the helper's natural error; the others
 * succeed, and the failed call changes nothing. */
static void test_host_fault_nth_call_fails_only(void **state)
{
	struct host_map *m = map("fx_hash");
	__u8 key[16];
	__u32 val = 1;
	long rc[5];

	at("MAP_UPDATE call 2");
	CHECK_INT(host_fault__arm(HOST_H_MAP_UPDATE, 2, 0), 0, "arm");
	for (__u32 i = 0; i < 5; i++) {
		key16(key, i);
		rc[i] = bpf_map_update_elem(def("fx_hash"), key, &val, BPF_ANY);
	}
	CHECK_INT(rc[0], 0, "call 0");
	CHECK_INT(rc[1], 0, "call 1");
	CHECK_INT(rc[2], -E2BIG, "call 2 (armed, natural error)");
	CHECK_INT(rc[3], 0, "call 3");
	CHECK_INT(rc[4], 0, "call 4");
	key16(key, 2);
	CHECK(host_map__lookup(m, key) == NULL, "the failed call inserted its key");
	CHECK_INT(host_map__count(m), 4, "count");
	CHECK_INT(host_helper__calls(HOST_H_MAP_UPDATE), 5, "calls");
	at("user-space updates are not helper calls");
	CHECK_INT(host_map__update(m, key, &val, BPF_ANY), 0, "user-space update");
	CHECK_INT(host_helper__calls(HOST_H_MAP_UPDATE), 5, "calls");
}

/* An explicit error is returned as given; faults armed out of order fire in
 * call order; a fault for a call already made never fires. */
static void test_host_fault_explicit_error_and_order(void **state)
{
	__u8 key[16];
	__u32 val = 1;
	long rc[6];

	at("arm 4 with ENOMEM, then 1");
	key16(key, 0);
	CHECK_INT(bpf_map_update_elem(def("fx_hash"), key, &val, BPF_ANY), 0, "call 0");
	CHECK_INT(host_fault__arm(HOST_H_MAP_UPDATE, 4, -ENOMEM), 0, "arm 4");
	CHECK_INT(host_fault__arm(HOST_H_MAP_UPDATE, 1, 0), 0, "arm 1");
	CHECK_INT(host_fault__arm(HOST_H_MAP_UPDATE, 0, 0), 0, "arm 0, already made");
	for (__u32 i = 1; i < 6; i++) {
		key16(key, i);
		rc[i] = bpf_map_update_elem(def("fx_hash"), key, &val, BPF_ANY);
	}
	CHECK_INT(rc[1], -E2BIG, "call 1");
	CHECK_INT(rc[2], 0, "call 2");
	CHECK_INT(rc[3], 0, "call 3");
	CHECK_INT(rc[4], -ENOMEM, "call 4");
	CHECK_INT(rc[5], 0, "call 5");
}

/* host_fault__arm: EINVAL for helpers that cannot fail, positive errors and
 * unknown helpers; ENOSPC beyond HOST_FAULTS_PER_HELPER. */
static void test_host_fault_arm_limits(void **state)
{
	at("arm");
	CHECK_INT(host_fault__arm(HOST_H_MAP_LOOKUP, 0, 0), -EINVAL, "lookup");
	CHECK_INT(host_fault__arm(HOST_H_MAP_DELETE, 0, 0), -EINVAL, "delete");
	CHECK_INT(host_fault__arm(HOST_H_KTIME, 0, 0), -EINVAL, "ktime");
	CHECK_INT(host_fault__arm(HOST_H__MAX, 0, 0), -EINVAL, "HOST_H__MAX");
	CHECK_INT(host_fault__arm(HOST_H_MAP_UPDATE, 0, 5), -EINVAL, "positive error");
	for (__u32 i = 0; i < HOST_FAULTS_PER_HELPER; i++)
		CHECK_INT(host_fault__arm(HOST_H_CB_FLAGS_SET, 10 + i, 0), 0, "arm within limit");
	CHECK_INT(host_fault__arm(HOST_H_CB_FLAGS_SET, 99, 0), -ENOSPC, "arm beyond the limit");
	CHECK_INT(host_fault__arm(HOST_H_SOCK_HASH_UPDATE, 0, 0), 0, "another helper has room");
}

/* Each failable helper, made to fail, leaves no trace. */
static void test_host_fault_failed_call_changes_nothing(void **state)
{
	struct host_sock *s = sock_plain();
	__u8 data[8] = {0};

	at("ringbuf reserve");
	CHECK_INT(host_fault__arm(HOST_H_RINGBUF_RESERVE, 0, 0), 0, "arm");
	CHECK(ring_reserve(8) == NULL, "reserve did not fail");
	CHECK_INT(host_ring__used(map("fx_ring")), 0, "used after a failed reserve");
	CHECK(ring_reserve(8) != NULL, "the next reserve failed too");

	at("ringbuf output");
	CHECK_INT(host_fault__arm(HOST_H_RINGBUF_OUTPUT, 0, 0), 0, "arm");
	CHECK_INT(bpf_ringbuf_output(def("fx_ring"), data, 8, 0), -EAGAIN, "output");
	CHECK_INT(host_ring__used(map("fx_ring")), 16, "used after a failed output");

	at("sk_storage create");
	CHECK_INT(host_fault__arm(HOST_H_SK_STORAGE_GET, 0, 0), 0, "arm");
	CHECK(bpf_sk_storage_get(def("fx_stor"), &s->sk, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE) ==
		      NULL,
	      "create did not fail");
	CHECK_INT(host_map__count(map("fx_stor")), 0, "storage after a failed create");
	CHECK(bpf_sk_storage_get(def("fx_stor"), &s->sk, NULL, 0) == NULL, "storage exists");
	CHECK(bpf_sk_storage_get(def("fx_stor"), &s->sk, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE),
	      "the next create failed too");
	at("sk_storage fault on a call that finds storage");
	CHECK_INT(host_fault__arm(HOST_H_SK_STORAGE_GET, 3, 0), 0, "arm");
	CHECK(bpf_sk_storage_get(def("fx_stor"), &s->sk, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE),
	      "a get that allocates nothing failed");

	at("cb_flags_set");
	s->cb_flags = 0x1;
	CHECK_INT(host_fault__arm(HOST_H_CB_FLAGS_SET, 0, 0), 0, "arm");
	script(FX_ACT_CB_FLAGS, STATE_CB_FLAG, 0);
	host_sock__fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	CHECK_INT(G(__s64, fx_rc), -EINVAL, "natural error");
	CHECK_INT(s->cb_flags, 0x1, "flags after a failed set");

	at("sock_hash_update");
	CHECK_INT(host_fault__arm(HOST_H_SOCK_HASH_UPDATE, 0, 0), 0, "arm");
	CHECK_INT(sockhash_update(s, 1, BPF_ANY, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB), -ENOMEM,
		  "natural error");
	CHECK_INT(host_map__count(map("fx_sockhash")), 0, "entries after a failed update");
	CHECK(sockhash_at(1) == NULL, "entry after a failed update");
	CHECK_INT(sockhash_update(s, 1, BPF_ANY, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB), 0,
		  "the next update");
}

/* Every helper call counts, from the program or called directly. */
static void test_host_helper_call_counts(void **state)
{
	struct host_sock *s = sock_plain();

	at("counts");
	for (int h = 0; h < HOST_H__MAX; h++)
		CHECK_INT(host_helper__calls(h), 0, host_helper__name(h));
	script(FX_ACT_KTIME, 0, 0);
	host_sock__fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	CHECK_INT(host_helper__calls(HOST_H_KTIME), 2, "ktime calls");
	script(FX_ACT_TCP_SOCK, 0, 0);
	host_sock__fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	host_sock__fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	CHECK_INT(host_helper__calls(HOST_H_TCP_SOCK), 2, "tcp_sock calls");
	bpf_map_lookup_elem(def("fx_small"), &(__u32){1});
	CHECK_INT(host_helper__calls(HOST_H_MAP_LOOKUP), 1, "lookup calls");
	script(FX_ACT_RING, 3, 0);
	host_sock__fire(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	CHECK_INT(host_helper__calls(HOST_H_RINGBUF_RESERVE), 3, "reserve calls");
	CHECK_INT(host_helper__calls(HOST_H_RINGBUF_SUBMIT), 3, "submit calls");
	CHECK_INT(host_helper__calls(HOST_H_MAP_UPDATE), 0, "update calls");
	CHECK(!strcmp(host_helper__name(HOST_H_MAP_UPDATE), "bpf_map_update_elem"), "name: %s",
	      host_helper__name(HOST_H_MAP_UPDATE));
	CHECK(!strcmp(host_helper__name(HOST_H_CB_FLAGS_SET), "bpf_sock_ops_cb_flags_set"),
	      "name: %s", host_helper__name(HOST_H_CB_FLAGS_SET));
	CHECK_INT(host_helper__calls(HOST_H__MAX), 0, "calls of an unknown helper");
}

/* ---- journal --------------------------------------------------------------- */

/* The journal lists what the last fire changed, oldest first, and starts
 * empty at each fire. */
static void test_host_journal_lists_effects(void **state)
{
	struct host_sock *s = sock_plain();
	const struct host_effect *e;
	unsigned int n;
	bool over = true;
	__u8 want_key[16];

	at("storage create");
	script(FX_ACT_STORAGE, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	host_sock__fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, NULL);
	e = host_journal(&n, &over);
	CHECK_INT(n, 1, "effects");
	CHECK(!over, "overflow");
	CHECK_INT(e[0].kind, HOST_FX_STORAGE_CREATE, "kind");
	CHECK(e[0].map == map("fx_stor") && e[0].sock == s, "map and socket of the effect");

	at("map update with a global key");
	memset(glob("fx_key", 36), 0, 36);
	key16(glob("fx_key", 36), 42);
	key16(want_key, 42);
	G(__u32, fx_value) = 0x600d;
	script(FX_ACT_MAP_UPDATE, 0, BPF_NOEXIST);
	host_sock__fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, NULL);
	e = host_journal(&n, NULL);
	CHECK_INT(n, 1, "effects");
	CHECK_INT(e[0].kind, HOST_FX_MAP_UPDATE, "kind");
	CHECK(e[0].map == map("fx_hash"), "map");
	CHECK_INT(e[0].rc, 0, "rc");
	CHECK_INT(e[0].arg, BPF_NOEXIST, "flags");
	CHECK_INT(e[0].size, 4, "value size");
	CHECK_BYTES(e[0].key, want_key, 16, "key");
	CHECK_BYTES(e[0].data, &(__u32){0x600d}, 4, "value");
	at("failed update is journaled with its error");
	host_sock__fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, NULL);
	e = host_journal(&n, NULL);
	CHECK_INT(n, 1, "effects");
	CHECK_INT(e[0].rc, -EEXIST, "rc");

	at("cb_flags_set");
	script(FX_ACT_CB_FLAGS, 0x84, 0);
	host_sock__fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, NULL);
	e = host_journal(&n, NULL);
	CHECK_INT(n, 1, "effects");
	CHECK_INT(e[0].kind, HOST_FX_CB_FLAGS_SET, "kind");
	CHECK(e[0].sock == s, "socket");
	CHECK_INT(e[0].arg, 0x84, "requested flags");
	CHECK_INT(e[0].rc, 0x80, "rc");

	at("ring submits and a drop");
	script(FX_ACT_RING, 2, 0);
	host_sock__fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, NULL);
	e = host_journal(&n, NULL);
	CHECK_INT(n, 2, "effects");
	for (unsigned int i = 0; i < 2; i++) {
		__u32 seq;

		CHECK_INT(e[i].kind, HOST_FX_RING_SUBMIT, "kind");
		CHECK(e[i].map == map("fx_ring"), "map");
		CHECK_INT(e[i].size, 40, "size");
		memcpy(&seq, e[i].data, 4);
		CHECK_INT(seq, i, "record order");
	}
	CHECK_INT(host_fault__arm(HOST_H_RINGBUF_RESERVE,
				  host_helper__calls(HOST_H_RINGBUF_RESERVE), 0),
		  0, "arm");
	script(FX_ACT_RING, 1, 0);
	host_sock__fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, NULL);
	e = host_journal(&n, NULL);
	CHECK_INT(n, 1, "effects");
	CHECK_INT(e[0].kind, HOST_FX_RING_DROP, "kind");
	CHECK_INT(e[0].size, 40, "size");

	at("sockhash update");
	CHECK_INT(sockhash_update(s, 9, BPF_ANY, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB), 0, "update");
	e = host_journal(&n, NULL);
	CHECK_INT(n, 1, "effects");
	CHECK_INT(e[0].kind, HOST_FX_SOCKHASH_UPDATE, "kind");
	CHECK(e[0].sock == s && e[0].map == map("fx_sockhash"), "socket and map");

	at("empty at the next fire");
	script(FX_ACT_NONE, 0, 0);
	host_sock__fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, NULL);
	host_journal(&n, &over);
	CHECK_INT(n, 0, "effects of a fire that changed nothing");
	CHECK(!over, "overflow");
}

/* More than HOST_JOURNAL_MAX effects: the first ones are kept and the
 * overflow is reported. */
static void test_host_journal_overflow_reported(void **state)
{
	struct host_sock *s = sock_plain();
	const struct host_effect *e;
	unsigned int n;
	bool over = false;
	__u32 seq;

	at("40 submits");
	script(FX_ACT_RING, 40, 0);
	host_sock__fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, NULL);
	CHECK_INT(G(__s64, fx_rc), 40, "records the program submitted");
	e = host_journal(&n, &over);
	CHECK_INT(n, HOST_JOURNAL_MAX, "effects kept");
	CHECK(over, "overflow not reported");
	memcpy(&seq, e[HOST_JOURNAL_MAX - 1].data, 4);
	CHECK_INT(seq, HOST_JOURNAL_MAX - 1, "the last kept effect");
}

/* The journal promises key and value stay valid until the next fire. A
 * program's keys usually live on its own stack (struct manager_key key in
 * manage_on_connect), which is gone once the program returns: the journal
 * must keep its own copy. */
static void test_host_journal_key_outlives_fire(void **state)
{
	struct host_sock *s = sock_plain();
	const struct host_effect *e;
	unsigned int n;
	__u8 want_key[16];

	at("map update with a stack key");
	key16(glob("fx_key", 36), 7);
	key16(want_key, 7);
	G(__u32, fx_value) = 0xc0ffee;
	script(FX_ACT_MAP_UPDATE_STK, 0, BPF_ANY);
	host_sock__fire(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, NULL);
	CHECK_INT(G(__s64, fx_rc), 0, "update");
	e = host_journal(&n, NULL);
	CHECK_INT(n, 1, "effects");
	scribble_stack(); /* what any later call does to the dead program frame */
	CHECK_BYTES(e[0].key, want_key, 16, "journaled key after the program returned");
	CHECK_BYTES(e[0].data, &(__u32){0xc0ffee}, 4, "journaled value after the program returned");
}

/* ---- clock, globals, log ------------------------------------------------- */

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

/* ---- reset and determinism ---------------------------------------------- */

/* A fixed sequence touching every kind of state. */
static void run_sequence(void)
{
	struct host_sock *a = sock_plain(), *b = sock_v4("127.0.0.6", 1000, "127.0.0.7", 2000);
	__u8 key[16];
	__u32 v = 3;
	void *rec;

	for (__u32 i = 0; i < 20; i++) {
		key16(key, i * 7);
		bpf_map_update_elem(def("fx_hash"), key, &v, BPF_ANY);
	}
	key16(key, 14);
	bpf_map_delete_elem(def("fx_hash"), key);
	host_clock__advance(12345);
	script(FX_ACT_STORAGE, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	host_sock__fire(a, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, NULL);
	script(FX_ACT_CB_FLAGS, STATE_CB_FLAG, 0);
	host_sock__fire(a, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, NULL);
	sockhash_update(b, 4, BPF_ANY, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);
	script(FX_ACT_RING, 5, 0);
	host_sock__fire(b, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	rec = ring_reserve(24);
	if (rec) {
		memset(rec, 0x31, 24);
		bpf_ringbuf_discard(rec, 0);
	}
	script(FX_ACT_COOKIE, 0, 0);
	host_sock__fire(b, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	script(FX_ACT_KTIME, 0, 0);
	host_sock__set_state(a, TCP_CLOSE_);
	host_sock__free(a);
	(void)sock_plain(); /* takes a's slot */
}

struct snap {
	__u8 buf[65536];
	size_t len;
};

static void snap_put(struct snap *sn, const void *p, size_t n)
{
	if (sn->len + n > sizeof(sn->buf))
		fail_msg("[%s] snapshot buffer too small", where);
	memcpy(sn->buf + sn->len, p, n);
	sn->len += n;
}

/* Everything observable: map entries in iteration order, ring contents,
 * storage of live sockets, sockets, globals, clock, call counts, journal. */
static void snapshot(struct snap *sn)
{
	const struct host_effect *e;
	unsigned int n;
	__u64 now = host_clock__now();

	sn->len = 0;
	for (unsigned int i = 0; i < host_prog.nr_maps; i++) {
		struct host_map *m = map(host_prog.maps[i].name);
		__u32 cursor = 0, count = host_map__count(m), len;
		const void *key, *p;
		void *val;
		__u64 used;

		snap_put(sn, &count, sizeof(count));
		switch (host_map__type(m)) {
		case BPF_MAP_TYPE_HASH:
		case BPF_MAP_TYPE_SOCKHASH:
			while (host_map__next(m, &cursor, &key, &val)) {
				snap_put(sn, key, host_map__key_size(m));
				snap_put(sn, val,
					 host_map__type(m) == BPF_MAP_TYPE_HASH
						 ? host_map__value_size(m)
						 : 4);
			}
			break;
		case BPF_MAP_TYPE_RINGBUF:
			used = host_ring__used(m);
			snap_put(sn, &used, sizeof(used));
			p = host_ring__peek(m, &len);
			if (p) {
				snap_put(sn, &len, sizeof(len));
				snap_put(sn, p, len);
			}
			break;
		case BPF_MAP_TYPE_SK_STORAGE:
			for (__u32 id = 0; id < 8; id++) {
				struct host_sock *s = host_sock__by_id(id);
				void *st = s ? host_sk_storage__get(m, s, false) : NULL;

				if (st)
					snap_put(sn, st, host_map__value_size(m));
			}
			break;
		default:
			break;
		}
	}
	for (__u32 id = 0; id < 8; id++) {
		struct host_sock *s = host_sock__by_id(id);

		if (s) {
			snap_put(sn, &s->cookie, sizeof(s->cookie));
			snap_put(sn, &s->cb_flags, sizeof(s->cb_flags));
			snap_put(sn, &s->state, sizeof(s->state));
		}
	}
	for (unsigned int i = 0; i < host_prog.nr_globals; i++)
		snap_put(sn, host_prog.globals[i].addr, host_prog.globals[i].size);
	snap_put(sn, &now, sizeof(now));
	for (int h = 0; h < HOST_H__MAX; h++) {
		__u64 c = host_helper__calls(h);

		snap_put(sn, &c, sizeof(c));
	}
	e = host_journal(&n, NULL);
	snap_put(sn, &n, sizeof(n));
	for (unsigned int i = 0; i < n; i++)
		snap_put(sn, &e[i].kind, sizeof(e[i].kind));
	snap_put(sn, host_log__text(), strlen(host_log__text()));
}

/* host_reset() returns to the state right after host_init(): maps, rings,
 * sockets, storage, globals, clock, faults, call counts, journal, log. */
static void test_host_reset_restores_initial_state(void **state)
{
	static struct snap fresh, after;
	__u64 t0 = host_clock__now();
	struct host_sock *s;
	__u32 idx = 2;
	__u64 *arr;

	at("touch everything");
	snapshot(&fresh);
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
	snapshot(&after);
	CHECK_INT(after.len, fresh.len, "snapshot length");
	CHECK_BYTES(after.buf, fresh.buf, fresh.len, "snapshot after reset vs fresh");
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

/* The same sequence after a reset gives byte-identical state. */
static void test_host_reset_then_same_sequence_is_deterministic(void **state)
{
	static struct snap one, two;

	at("first run");
	run_sequence();
	snapshot(&one);
	host_reset();
	at("second run");
	run_sequence();
	snapshot(&two);
	CHECK_INT(two.len, one.len, "snapshot length");
	CHECK_BYTES(two.buf, one.buf, one.len, "second run vs first");
	CHECK(one.len > 200, "the snapshot saw too little: %zu bytes", one.len);
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
		T(test_host_hash_full_e2big_new_key_only),
		T(test_host_hash_update_flags),
		T(test_host_hash_delete_missing_enoent),
		T(test_host_hash_next_visits_live_entries),
		T(test_host_array_kernel_semantics),
		T(test_host_ring_capacity_85_records),
		T(test_host_ring_invisible_until_submitted),
		T(test_host_ring_discard_skipped),
		T(test_host_ring_consume_frees_space),
		T(test_host_ring_reserve_poisons),
		T(test_host_ring_bad_flags),
		T(test_host_ring_output_copies_or_fails),
		T(test_host_ring_wraparound_keeps_records),
		T(test_host_sk_storage_get_and_create),
		T(test_host_sk_storage_create_with_value),
		T(test_host_sk_storage_freed_with_socket),
		T(test_host_sk_storage_delete),
		T(test_host_ctx_fields_as_kernel_shows),
		T(test_host_tcp_sock_null_unless_full_tcp),
		T(test_host_cb_flags_set_replaces_returns_unsupported),
		T(test_host_cb_flags_set_request_socket_einval),
		T(test_host_state_cb_only_with_flag),
		T(test_host_state_cb_ctx_reads_old_state),
		T(test_host_sock_pool_exhaustion_enospc),
		T(test_host_sockhash_entry_leaves_on_release),
		T(test_host_sockhash_entry_leaves_on_free),
		T(test_host_sockhash_update_errors),
		T(test_host_fault_nth_call_fails_only),
		T(test_host_fault_explicit_error_and_order),
		T(test_host_fault_arm_limits),
		T(test_host_fault_failed_call_changes_nothing),
		T(test_host_helper_call_counts),
		T(test_host_journal_lists_effects),
		T(test_host_journal_overflow_reported),
		T(test_host_journal_key_outlives_fire),
		T(test_host_clock_is_virtual),
		T(test_host_global_set_checks_name_and_size),
		T(test_host_printk_captured),
		T(test_host_reset_restores_initial_state),
		T(test_host_reset_then_same_sequence_is_deterministic),
		T(test_host_reset_map_behaves_fresh),
#undef T
	};

	return cmocka_run_group_tests_name("host", tests, group_setup, group_teardown);
}
