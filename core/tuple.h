/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * tuple.h: building struct bpf_sock_tuple keys from a sockops context (SPEC §4).
 *
 * Every builder writes all 36 bytes (the correction of SPEC §4): an IPv4-view
 * tuple has bytes 12..35 zero, so it equals the key XDP and user space write.
 */
#pragma once

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sockops.h"

/* True when IP6 is ::ffff:a.b.c.d: bytes 0..9 zero, bytes 10..11 0xff (endian-neutral). */
static __always_inline bool tuple_ip6_is_v4mapped(const __be32 ip6[4])
{
	return ip6[0] == 0 && ip6[1] == 0 && ip6[2] == bpf_htonl(0x0000ffff);
}

/* Read one 32-bit context field. The volatile read keeps clang from merging two
 * neighbouring fields into one 64-bit load, which the verifier rejects for the
 * sockops context (it accepts only 4-byte reads of the address fields). */
#define KM_CTX_U32(field) (*(const volatile __u32 *)&(field))

/* The remote port in host order. The context keeps it in network order in the
 * upper 16 bits on little-endian kernels; the low half of ntohl() is right on
 * either byte order and ignores the bits the kernel leaves zero. */
static __always_inline __u16 tuple_remote_port(const struct bpf_sock_ops *skops)
{
	return (__u16)bpf_ntohl(skops->remote_port);
}

static __always_inline __u16 tuple_local_port(const struct bpf_sock_ops *skops)
{
	return (__u16)skops->local_port;
}

static __always_inline void tuple_load_ip6(const __u32 *ctx_words, __be32 out[4])
{
	out[0] = KM_CTX_U32(ctx_words[0]);
	out[1] = KM_CTX_U32(ctx_words[1]);
	out[2] = KM_CTX_U32(ctx_words[2]);
	out[3] = KM_CTX_U32(ctx_words[3]);
}

/*
 * The tuple with host-order ports, source LOCAL_IS_SRC ? local : remote. When
 * either address of an AF_INET6 socket is IPv4-mapped it is written in the IPv4
 * view. Used for the reverse tuple (auth request and cleanup, LOCAL_IS_SRC
 * false) and for probe records. Returns the view written.
 */
static __always_inline enum km_tuple_type
tuple_oriented(const struct bpf_sock_ops *skops, struct bpf_sock_tuple *t, bool local_is_src)
{
	__u16 lport = tuple_local_port(skops), rport = tuple_remote_port(skops);
	__be32 l6[4], r6[4];

	__builtin_memset(t, 0, sizeof(*t));
	if (skops->family == KM_AF_INET) {
		__be32 l4 = KM_CTX_U32(skops->local_ip4), r4 = KM_CTX_U32(skops->remote_ip4);

		t->ipv4.saddr = local_is_src ? l4 : r4;
		t->ipv4.daddr = local_is_src ? r4 : l4;
		t->ipv4.sport = local_is_src ? lport : rport;
		t->ipv4.dport = local_is_src ? rport : lport;
		return KM_TUPLE_IPV4;
	}

	tuple_load_ip6(skops->local_ip6, l6);
	tuple_load_ip6(skops->remote_ip6, r6);
	if (tuple_ip6_is_v4mapped(l6) || tuple_ip6_is_v4mapped(r6)) {
		t->ipv4.saddr = local_is_src ? l6[3] : r6[3];
		t->ipv4.daddr = local_is_src ? r6[3] : l6[3];
		t->ipv4.sport = local_is_src ? lport : rport;
		t->ipv4.dport = local_is_src ? rport : lport;
		return KM_TUPLE_IPV4;
	}
	__builtin_memcpy(t->ipv6.saddr, local_is_src ? l6 : r6, 16);
	__builtin_memcpy(t->ipv6.daddr, local_is_src ? r6 : l6, 16);
	t->ipv6.sport = local_is_src ? lport : rport;
	t->ipv6.dport = local_is_src ? rport : lport;
	return KM_TUPLE_IPV6;
}

/* The reverse tuple: src = remote, dst = local, host-order ports (SPEC §4). */
static __always_inline enum km_tuple_type tuple_reverse(const struct bpf_sock_ops *skops,
							struct bpf_sock_tuple *t)
{
	return tuple_oriented(skops, t, false);
}

/* The forward tuple, the sockhash key: src = local, dst = remote, network-order
 * ports, no IPv4-mapped folding, zero-filled (SPEC §4). */
static __always_inline void tuple_forward(const struct bpf_sock_ops *skops,
					  struct bpf_sock_tuple *t)
{
	__be16 lport = bpf_htons(tuple_local_port(skops));
	__be16 rport = bpf_htons(tuple_remote_port(skops));

	__builtin_memset(t, 0, sizeof(*t));
	if (skops->family == KM_AF_INET) {
		t->ipv4.saddr = KM_CTX_U32(skops->local_ip4);
		t->ipv4.daddr = KM_CTX_U32(skops->remote_ip4);
		t->ipv4.sport = lport;
		t->ipv4.dport = rport;
		return;
	}
	tuple_load_ip6(skops->local_ip6, t->ipv6.saddr);
	tuple_load_ip6(skops->remote_ip6, t->ipv6.daddr);
	t->ipv6.sport = lport;
	t->ipv6.dport = rport;
}
