// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * addr.c: endpoints, and the keys user space writes for them (SPEC §2-4).
 *
 * These are built from socket addresses, independently of the program's own
 * builders (core/tuple.h works on a sockops context), so that comparing the
 * two is a check and not a tautology.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include "kernel_internal.h"

int kern_addr__parse(struct kern_addr *a, const char *ip, __u16 port)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, ip, &a->in4.sin_addr) == 1) {
		a->in4.sin_family = AF_INET;
		a->len = sizeof(a->in4);
	} else if (inet_pton(AF_INET6, ip, &a->in6.sin6_addr) == 1) {
		a->in6.sin6_family = AF_INET6;
		a->len = sizeof(a->in6);
	} else {
		return -EINVAL;
	}
	kern_addr__set_port(a, port);
	return 0;
}

void kern_addr__set_port(struct kern_addr *a, __u16 port)
{
	/* sin_port and sin6_port share their offset. */
	a->in4.sin_port = htons(port);
}

__u16 kern_addr__port(const struct kern_addr *a)
{
	return ntohs(a->in4.sin_port);
}

bool kern_addr__is_v4mapped(const struct kern_addr *a)
{
	return a->sa.sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&a->in6.sin6_addr);
}

/* The IPv4 address of an AF_INET or IPv4-mapped endpoint, network order. */
static __be32 addr_ip4(const struct kern_addr *a)
{
	__be32 ip4;

	if (a->sa.sa_family == AF_INET)
		return a->in4.sin_addr.s_addr;
	memcpy(&ip4, &a->in6.sin6_addr.s6_addr[12], sizeof(ip4));
	return ip4;
}

static bool addr_has_ip4(const struct kern_addr *a)
{
	return a->sa.sa_family == AF_INET || kern_addr__is_v4mapped(a);
}

void kern_manage_key__of(struct manager_key *key, const struct kern_addr *a)
{
	memset(key, 0, sizeof(*key));
	if (addr_has_ip4(a))
		key->ip4 = addr_ip4(a);
	else
		memcpy(key->ip6, &a->in6.sin6_addr, sizeof(key->ip6));
}

enum km_tuple_type kern_tuple__auth(struct bpf_sock_tuple *t, const struct kern_addr *src,
				    const struct kern_addr *dst)
{
	memset(t, 0, sizeof(*t));
	if (addr_has_ip4(src) || addr_has_ip4(dst)) {
		t->ipv4.saddr = addr_ip4(src);
		t->ipv4.daddr = addr_ip4(dst);
		t->ipv4.sport = kern_addr__port(src);
		t->ipv4.dport = kern_addr__port(dst);
		return KM_TUPLE_IPV4;
	}
	memcpy(t->ipv6.saddr, &src->in6.sin6_addr, sizeof(t->ipv6.saddr));
	memcpy(t->ipv6.daddr, &dst->in6.sin6_addr, sizeof(t->ipv6.daddr));
	t->ipv6.sport = kern_addr__port(src);
	t->ipv6.dport = kern_addr__port(dst);
	return KM_TUPLE_IPV6;
}

void kern_tuple__sockhash(struct bpf_sock_tuple *t, const struct kern_addr *src,
			  const struct kern_addr *dst)
{
	memset(t, 0, sizeof(*t));
	if (src->sa.sa_family == AF_INET) {
		t->ipv4.saddr = src->in4.sin_addr.s_addr;
		t->ipv4.daddr = dst->in4.sin_addr.s_addr;
		t->ipv4.sport = src->in4.sin_port;
		t->ipv4.dport = dst->in4.sin_port;
		return;
	}
	memcpy(t->ipv6.saddr, &src->in6.sin6_addr, sizeof(t->ipv6.saddr));
	memcpy(t->ipv6.daddr, &dst->in6.sin6_addr, sizeof(t->ipv6.daddr));
	t->ipv6.sport = src->in6.sin6_port;
	t->ipv6.dport = dst->in6.sin6_port;
}
