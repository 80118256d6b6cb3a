// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_host_journal.c: the journal of effects per fire (bpf/host/journal.c), with the kernel's semantics
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

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, test_setup)
		T(test_host_journal_lists_effects),
		T(test_host_journal_overflow_reported),
		T(test_host_journal_key_outlives_fire),
#undef T
	};

	return cmocka_run_group_tests_name("host_journal", tests, group_setup, group_teardown);
}
