// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * kdrive_net.c: the addresses of a run on lo of its namespace (kdrive.h).
 *
 * Every address a run names is on lo (SPEC §10: it is all loopback), so a
 * SYN finds a listener or is refused, as the native world has it. Which
 * addresses lo has already and which must be added are net/loopback.h's
 * facts; the sandbox adds orc_ipv6_addrs to every namespace it makes.
 */
#include <string.h>
#include <arpa/inet.h>
#include "kdrive.h"
#include "input/steps.h"

const char *const orc_ipv6_addrs[] = {"fd00:5f::5", "fd00:5f::6", "fd00:5f::9", "fd00:5f::100",
				      "fd00:5f::101"};
const size_t orc_nipv6_addrs = sizeof(orc_ipv6_addrs) / sizeof(orc_ipv6_addrs[0]);

void kd_addr(struct kern_addr *a, __u32 family, const struct sf_addr *ip, __u16 port)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		a->in4.sin_family = AF_INET;
		a->in4.sin_addr.s_addr = ip->w[3];
		a->in4.sin_port = htons(port);
		a->len = sizeof(a->in4);
		return;
	}
	a->in6.sin6_family = AF_INET6;
	memcpy(&a->in6.sin6_addr, ip->w, 16);
	a->in6.sin6_port = htons(port);
	a->len = sizeof(a->in6);
}

/* The address of X in its 16-byte form (IPv4 IPv4-mapped), and its port. */
static struct sf_addr kd_ip(const struct kern_addr *x, __be16 *port)
{
	struct sf_addr ip;

	if (x->sa.sa_family == AF_INET) {
		*port = x->in4.sin_port;
		return lo_addr4(x->in4.sin_addr.s_addr);
	}
	*port = x->in6.sin6_port;
	memcpy(ip.w, &x->in6.sin6_addr, 16);
	return ip;
}

bool kd_same_endpoint(const struct kern_addr *a, const struct kern_addr *b)
{
	__be16 pa, pb;
	struct sf_addr ia = kd_ip(a, &pa), ib = kd_ip(b, &pb);

	return pa == pb && lo_addr_eq(&ia, &ib);
}

/* Whether lo of every sandbox namespace has A (orc_ipv6_addrs). */
static bool kd_sandbox_has(const struct kern_addr *a)
{
	struct kern_addr b;

	for (size_t i = 0; i < orc_nipv6_addrs; i++)
		if (!kern_addr__parse(&b, orc_ipv6_addrs[i], 0) &&
		    !memcmp(&a->in6.sin6_addr, &b.in6.sin6_addr, 16))
			return true;
	return false;
}

/* Whether lo needs IP (of a step of family FAMILY) added, as A: not what it
 * has already or what no socket can use (lo_addr_needs_assign4/6()), not
 * what the sandbox added. IPv4-mapped addresses are IPv4 ones, and an
 * AF_INET step's address is its last word. */
static bool kd_lo_needs(__u32 family, const struct sf_addr *ip, struct kern_addr *a)
{
	bool v4 = family == AF_INET || lo_addr_is_v4mapped(ip);
	struct sf_addr ip4 = lo_addr4(ip->w[3]);

	if (v4 ? !lo_addr_needs_assign4(&ip4) : !lo_addr_needs_assign6(ip))
		return false;
	kd_addr(a, v4 ? AF_INET : AF_INET6, ip, 0);
	return v4 || !kd_sandbox_has(a);
}

/* The addresses the run names that lo does not have already: the local ones
 * an application's step binds and the remote ones it connects to (the
 * registry's rows: LOCAL, and REMOTE, of an SF_BY_APP kind). Up to MAX, each
 * once; returns how many. */
static size_t kd_local_addrs(const struct orc_run *in, struct kern_addr *out, size_t max)
{
	size_t n = 0;

	for (unsigned int i = 0; i < in->nsteps; i++) {
		const struct sf_step *st = &in->steps[i];
		const struct sf_kind_def *def = sf_kind_def(st->kind);
		const struct sf_addr *ips[2] = {&st->local, &st->remote};

		if (!def || def->performer != SF_BY_APP || !(def->fields & SF_USE_LOCAL))
			continue;
		for (int w = 0; w < (def->fields & SF_USE_REMOTE ? 2 : 1); w++) {
			struct kern_addr a;
			size_t j;

			if (!kd_lo_needs(st->family, ips[w], &a))
				continue;
			for (j = 0; j < n && memcmp(&out[j], &a, sizeof(a)); j++)
				;
			if (j == n && n < max)
				out[n++] = a;
		}
	}
	return n;
}

/* Whether step ST connects from LOCAL:LPORT: a connect, or the control
 * connect of an enrol or unenrol (kd_enrol()). */
static bool kd_connects_from(const struct sf_step *st)
{
	return st->kind == SF_CONNECT || st->kind == SF_ENROL || st->kind == SF_UNENROL;
}

bool kd_needs_netns(const struct orc_kernel *k, const struct orc_run *in, struct kern_addr *extra,
		    size_t *nextra)
{
	*nextra = kd_local_addrs(in, extra, KD_MAX_EXTRA);
	for (unsigned int i = 0; i < in->nsteps; i++) {
		__u16 p = in->steps[i].lport;

		if (!kd_connects_from(&in->steps[i]) || !p)
			continue;
		if (p >= LO_EPHEMERAL_FIRST || (k->used_ports[p / 64] >> (p % 64) & 1))
			return true;
	}
	return *nextra > 0;
}

void kd_ports_mark(struct orc_kernel *k, const struct orc_run *in)
{
	for (unsigned int i = 0; i < in->nsteps; i++) {
		__u16 p = in->steps[i].lport;

		if (kd_connects_from(&in->steps[i]) && p && p < LO_EPHEMERAL_FIRST)
			k->used_ports[p / 64] |= 1ull << (p % 64);
	}
}
