// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_host_helpers.c: the socket helpers: bpf_tcp_sock, bpf_sock_ops_cb_flags_set
 * (bpf/host/helpers.c), with the kernel's semantics
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

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, test_setup)
		T(test_host_tcp_sock_null_unless_full_tcp),
		T(test_host_cb_flags_set_replaces_returns_unsupported),
		T(test_host_cb_flags_set_request_socket_einval),
#undef T
	};

	return cmocka_run_group_tests_name("host_helpers", tests, group_setup, group_teardown);
}
