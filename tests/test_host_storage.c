// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_host_storage.c: BPF_MAP_TYPE_SK_STORAGE (bpf/host/sk_storage.c), with the kernel's semantics
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

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, test_setup)
		T(test_host_sk_storage_get_and_create),
		T(test_host_sk_storage_create_with_value),
		T(test_host_sk_storage_freed_with_socket),
		T(test_host_sk_storage_delete),
#undef T
	};

	return cmocka_run_group_tests_name("host_storage", tests, group_setup, group_teardown);
}
