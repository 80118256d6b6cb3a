// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_host_hash.c: BPF_MAP_TYPE_HASH (bpf/host/hash.c, hashtab.c), with the kernel's semantics
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
#include <cmocka.h>

#include "check.h"
#include "host_suite.h"
#include "host_fixture.h"

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

/* LRU_HASH: a new key in a full map evicts the entry the program used
 * longest ago (inserted, updated or looked up); user space's lookups do not
 * count; the update never fails with E2BIG. */
static void test_host_hash_lru_evicts_least_recently_used(void **state)
{
	struct host_map *m = map("fx_lru");
	__u64 v = 7;

	at("LRU of 3");
	for (__u32 k = 1; k <= 3; k++)
		CHECK_INT(bpf_map_update_elem(def("fx_lru"), &k, &v, BPF_ANY), 0, "insert");
	CHECK(bpf_map_lookup_elem(def("fx_lru"), &(__u32){1}) != NULL, "the program uses 1");
	CHECK(host_map__lookup(m, &(__u32){2}) != NULL, "user space reads 2 (not a use)");
	CHECK_INT(bpf_map_update_elem(def("fx_lru"), &(__u32){4}, &v, BPF_ANY), 0,
		  "a fourth key in a full LRU map");
	CHECK_INT(host_map__count(m), 3, "count stays at max_entries");
	CHECK(host_map__lookup(m, &(__u32){2}) == NULL, "2, used longest ago, is evicted");
	CHECK(host_map__lookup(m, &(__u32){1}) != NULL, "1, looked up, stays");
	CHECK(host_map__lookup(m, &(__u32){3}) != NULL, "3 stays");
	CHECK(host_map__lookup(m, &(__u32){4}) != NULL, "4 is in");
}

/* PERCPU_HASH on the host's one CPU: a hash with E2BIG at max_entries. */
static void test_host_hash_percpu_is_one_cpu(void **state)
{
	__u64 v = 5, *got;

	at("PERCPU_HASH of 2");
	CHECK_INT(bpf_map_update_elem(def("fx_pcpu"), &(__u32){1}, &v, BPF_ANY), 0, "insert 1");
	CHECK_INT(bpf_map_update_elem(def("fx_pcpu"), &(__u32){2}, &v, BPF_ANY), 0, "insert 2");
	CHECK_INT(bpf_map_update_elem(def("fx_pcpu"), &(__u32){3}, &v, BPF_ANY), -E2BIG,
		  "a third key");
	got = bpf_map_lookup_elem(def("fx_pcpu"), &(__u32){2});
	CHECK(got && *got == 5, "the value of the one CPU");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, test_setup)
		T(test_host_hash_full_e2big_new_key_only),
		T(test_host_hash_update_flags),
		T(test_host_hash_delete_missing_enoent),
		T(test_host_hash_next_visits_live_entries),
		T(test_host_hash_lru_evicts_least_recently_used),
		T(test_host_hash_percpu_is_one_cpu),
#undef T
	};

	return cmocka_run_group_tests_name("host_hash", tests, group_setup, group_teardown);
}
