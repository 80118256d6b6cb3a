/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * loopback.h: the facts of the network the program runs in, once. Every
 * address a run names is on lo of one private network namespace (SPEC §10),
 * and the native world (world/), the kernel driver (oracle/) and the host
 * runtime (bpf/host/) all read these definitions: the address type, the
 * IPv4-mapped form, the control addresses, which addresses lo lets a socket
 * bind or connect to, the source address the kernel picks, the ephemeral
 * port range and loopback's TCP figures, and the kernel version they were
 * measured on.
 *
 * A leaf: it includes nothing of the project. Pure functions, no state.
 */
#pragma once

#include <stdbool.h>
#include <linux/types.h>

/* The kernel these facts were measured on (and the host model follows). */
#define LO_KERNEL_VERSION "6.18"

/* An address: 16 bytes, network order; IPv4 is stored IPv4-mapped
 * (::ffff:a.b.c.d), so one 16-byte compare serves AF_INET and dual-stack
 * sockets alike. */
struct sf_addr {
	__be32 w[4];
};

/* A constant __be32 from a host-order value, and constant addresses for
 * initialisers: a.b.c.d (IPv4-mapped) and W0::W3 (the first and last words
 * given, host order). */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LO_BE32(x) __builtin_bswap32(x)
#else
#define LO_BE32(x) (x)
#endif
#define LO_ADDR4(a, b, c, d)                                                                   \
	{                                                                                      \
		{                                                                              \
			0, 0, LO_BE32(0xffff), LO_BE32((a) << 24 | (b) << 16 | (c) << 8 | (d)) \
		}                                                                              \
	}
#define LO_ADDR6(w0, w3)                               \
	{                                              \
		{                                      \
			LO_BE32(w0), 0, 0, LO_BE32(w3) \
		}                                      \
	}

/* The 12 bytes before an IPv4 address in its IPv4-mapped form (SPEC §4):
 * bytes 0..9 zero, 10..11 0xff, whatever the byte order. */
extern const __u8 lo_v4mapped_prefix[12];

/* The control addresses user space connects to (SPEC §2): 0.0.0.2 for
 * AF_INET, ::2 for AF_INET6 (routed to lo, not assigned); ::ffff:0.0.0.2 is
 * not one. */
extern const struct sf_addr lo_control4, lo_control6;

/* The unspecified address ::, what a socket that is not connected has as
 * its remote address (AF_INET reads 0.0.0.0 from its last word). */
extern const struct sf_addr lo_any6;

/* What an unbound socket gets on lo: 127.0.0.1 (IPv4-mapped) and ::1. */
extern const struct sf_addr lo_loopback4, lo_loopback6;

/* Ephemeral ports (net.ipv4.ip_local_port_range). */
#define LO_EPHEMERAL_FIRST 32768u
#define LO_EPHEMERAL_LAST  60999u

/* TCP on lo as the kernel measures it. */
#define LO_RTT_US    20u    /* a round trip; the world advances the clock by it */
#define LO_MSS	     65483u /* lo's MTU 65536 less the headers */
#define LO_INIT_CWND 10u

/* The forms of an address (inline: the world's lookups ask them per socket). */
static inline bool lo_addr_is_v4mapped(const struct sf_addr *a)
{
	return !a->w[0] && !a->w[1] && a->w[2] == LO_BE32(0xffff);
}

static inline bool lo_addr_is_zero(const struct sf_addr *a)
{
	return !(a->w[0] | a->w[1] | a->w[2] | a->w[3]);
}

static inline bool lo_addr_eq(const struct sf_addr *a, const struct sf_addr *b)
{
	return a->w[0] == b->w[0] && a->w[1] == b->w[1] && a->w[2] == b->w[2] && a->w[3] == b->w[3];
}

/* The IPv4 address V (network order) as ::ffff:V. */
static inline struct sf_addr lo_addr4(__be32 v)
{
	return (struct sf_addr){{0, 0, LO_BE32(0xffff), v}};
}

/* The unspecified address of its form: :: or 0.0.0.0 (IPv4-mapped). */
bool lo_addr_is_any(const struct sf_addr *a);

/* IPv6 multicast and link-local (which needs a scope id nothing gives). */
bool lo_addr_is_v6_special(const struct sf_addr *a);

/* An IPv4 multicast or broadcast address (255.255.255.255, lo's
 * 127.255.255.255; 127.0.0.0 is none on this kernel). */
bool lo_addr_is_v4_mbcast(const struct sf_addr *a);

/* Whether a socket can bind A on the namespace's lo: any IPv4 address (a
 * multicast or broadcast one too); an IPv6 one but multicast, link-local and
 * the control address ::2, which is routed to lo but not assigned. */
bool lo_addr_bindable(const struct sf_addr *a);

/* Whether a connect to A gets as far as sending a SYN: not to a multicast or
 * broadcast address (ENETUNREACH before any callback). */
bool lo_addr_connectable(const struct sf_addr *a);

/* Whether a native IPv6 address A must be added to lo before a socket can
 * bind it (lo has ::1 only; ::2 is a route, :: and the special ones bind
 * nothing). */
bool lo_addr_needs_assign6(const struct sf_addr *a);

/* Whether an IPv4 address A is outside 127.0.0.0/8 and must be added to lo
 * to be bound or reached (0.0.0.0, the control address 0.0.0.2, multicast
 * and broadcast never are). */
bool lo_addr_needs_assign4(const struct sf_addr *a);

/* The source address the kernel picks on lo for a connect to REMOTE from an
 * unbound socket: 127.0.0.0/8 has the preferred source 127.0.0.1; any other
 * IPv4 address is a local route whose source is the address itself; IPv6
 * prefers the destination itself (RFC 6724 rule 1), but for ::1 and the
 * control address ::2, which is a route without an address (its longest
 * match is ::1). */
struct sf_addr lo_pick_source(const struct sf_addr *remote);
