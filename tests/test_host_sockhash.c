// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_host_sockhash.c: BPF_MAP_TYPE_SOCKHASH and its bond to the sockets (bpf/host/sockhash.c), with the kernel's semantics
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

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, test_setup)
		T(test_host_sockhash_entry_leaves_on_release),
		T(test_host_sockhash_entry_leaves_on_free),
		T(test_host_sockhash_update_errors),
#undef T
	};

	return cmocka_run_group_tests_name("host_sockhash", tests, group_setup, group_teardown);
}
