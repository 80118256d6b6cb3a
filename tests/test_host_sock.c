// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_host_sock.c: the socket pool, the context and tcp_set_state() (bpf/host/sock.c), with the kernel's semantics
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

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, test_setup)
		T(test_host_ctx_fields_as_kernel_shows),
		T(test_host_state_cb_only_with_flag),
		T(test_host_state_cb_ctx_reads_old_state),
		T(test_host_sock_pool_exhaustion_enospc),
#undef T
	};

	return cmocka_run_group_tests_name("host_sock", tests, group_setup, group_teardown);
}
