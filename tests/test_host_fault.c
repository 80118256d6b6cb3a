// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_host_fault.c: helper call counts and fault injection (bpf/host/fault.c), with the kernel's semantics
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

/* A hash delete fails in the kernel only with -EBUSY (its bucket lock taken,
 * htab_lock_bucket()) besides -ENOENT: an armed delete returns that and
 * leaves the entry, and the next call deletes it. */
static void test_host_fault_delete_is_ebusy(void **state)
{
	struct host_map *m = map("fx_hash");
	__u8 key[16];
	__u32 val = 1;

	at("MAP_DELETE call 0");
	key16(key, 7);
	CHECK_INT(bpf_map_update_elem(def("fx_hash"), key, &val, BPF_ANY), 0, "insert");
	CHECK_INT(host_fault__arm(HOST_H_MAP_DELETE, 0, 0), 0, "arm");
	CHECK_INT(bpf_map_delete_elem(def("fx_hash"), key), -EBUSY, "the armed delete");
	CHECK(host_map__lookup(m, key) != NULL, "the failed delete removed the entry");
	CHECK_INT(bpf_map_delete_elem(def("fx_hash"), key), 0, "the next delete");
	CHECK(host_map__lookup(m, key) == NULL, "the entry stays after a delete");
}

/* host_fault__arm: EINVAL for helpers that cannot fail, positive errors and
 * unknown helpers; ENOSPC beyond HOST_FAULTS_PER_HELPER. */
static void test_host_fault_arm_limits(void **state)
{
	at("arm");
	CHECK_INT(host_fault__arm(HOST_H_MAP_LOOKUP, 0, 0), -EINVAL, "lookup");
	CHECK_INT(host_fault__arm(HOST_H_SK_STORAGE_DELETE, 0, 0), -EINVAL, "storage delete");
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

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, test_setup)
		T(test_host_fault_nth_call_fails_only),
		T(test_host_fault_explicit_error_and_order),
		T(test_host_fault_arm_limits),
		T(test_host_fault_delete_is_ebusy),
		T(test_host_fault_failed_call_changes_nothing),
		T(test_host_helper_call_counts),
#undef T
	};

	return cmocka_run_group_tests_name("host_fault", tests, group_setup, group_teardown);
}
