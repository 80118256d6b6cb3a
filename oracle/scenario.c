// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * scenario.c: random lifecycle runs for the oracle, from a seed.
 *
 * Only what the kernel can carry out on loopback in the sandbox: pods on
 * 127.0.0.5/.7/.9 and fd00:5f::5/::6/::9 (added to lo), a node and a gateway
 * that also connect as clients, an IPv4 listener and a dual-stack IPv6 one.
 */
#include <assert.h>
#include <string.h>
#include <arpa/inet.h>
#include "oracle.h"
#include "input/steps.h"
#include "input/steps.h"

/* splitmix64: the whole run follows from (seed, index). */
struct rng {
	__u64 s;
};

static __u64 rng_next(struct rng *r)
{
	__u64 z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned int rng_below(struct rng *r, unsigned int n)
{
	return (unsigned int)(rng_next(r) % n);
}

static bool rng_chance(struct rng *r, unsigned int percent)
{
	return rng_below(r, 100) < percent;
}

static struct sf_addr v4(const char *ip)
{
	return lo_addr4(inet_addr(ip));
}

static struct sf_addr v6(const char *ip)
{
	struct sf_addr a;

	inet_pton(AF_INET6, ip, a.w);
	return a;
}

/* Who can connect: pods, the node and the gateway, in both families. */
enum {
	PEER_POD_A,
	PEER_POD_B,
	PEER_POD_C,
	PEER_NODE,
	PEER_GW,
	PEER__N
};

static struct sf_addr peer_addr(unsigned int who, bool ipv6)
{
	static const char *const ip4[PEER__N] = {"127.0.0.5", "127.0.0.7", "127.0.0.9",
						 "127.0.0.100", "127.0.0.101"};
	static const char *const ip6[PEER__N] = {"fd00:5f::5", "fd00:5f::6", "fd00:5f::9",
						 "fd00:5f::100", "fd00:5f::101"};

	return ipv6 ? v6(ip6[who]) : v4(ip4[who]);
}

#define SLOT_L4	   0 /* IPv4 listener, 127.0.0.9:8080 */
#define SLOT_L6	   1 /* dual-stack listener, [::]:8081 */
#define SLOT_FIRST 2 /* connection ends use 2..15 */

/* A step of KIND: one a lifecycle run may hold and the kernel driver carries
 * out (its registry row says so), zeroed but for its kind. */
static struct sf_step *add(struct sf_input *in, enum sf_kind kind)
{
	const struct sf_kind_def *def = sf_kind_def(kind);
	struct sf_step *st = &in->steps[in->nsteps++];

	assert(def && def->level == SF_LEVEL_LIFECYCLE && !def->kernel_none);
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	return st;
}

static void add_enrol(struct sf_input *in, struct rng *r, enum sf_kind kind)
{
	bool ipv6 = rng_chance(r, 50);
	struct sf_step *st = add(in, kind);

	st->family = ipv6 ? SF_AF_INET6 : SF_AF_INET;
	st->local = peer_addr(rng_below(r, 3), ipv6);
}

static struct sf_addr global_addr(struct rng *r, unsigned int who)
{
	switch (rng_below(r, 3)) {
	case 0:
		return (struct sf_addr){0};
	case 1:
		return peer_addr(who, false);
	default:
		return peer_addr(who, true);
	}
}

/* One connection between slots C (client) and S (server child): connect,
 * accept, maybe traffic and user-space answers, then a teardown. Returns
 * whether it was made (refused connects count as attempts only). */
static bool add_connection(struct sf_input *in, struct rng *r, __u8 c, __u8 s)
{
	bool ipv6 = rng_chance(r, 40), dual = !ipv6 && rng_chance(r, 40),
	     refused = rng_chance(r, 8);
	struct sf_step *st = add(in, SF_CONNECT);
	__u8 first, second;

	st->slot = c;
	st->family = ipv6 ? SF_AF_INET6 : SF_AF_INET;
	st->local = peer_addr(rng_below(r, PEER__N), ipv6);
	st->remote = ipv6 ? v6("fd00:5f::9") : v4("127.0.0.9");
	st->rport = refused ? 9999 : (ipv6 || dual) ? 8081 : 8080;
	if (rng_chance(r, 30))
		st->flags |= SF_F_WAYPOINT;
	if (refused)
		return false;
	st = add(in, SF_ACCEPT);
	st->slot = s;
	st->peer = (ipv6 || dual) ? SLOT_L6 : SLOT_L4;
	if (rng_chance(r, 50)) {
		st = add(in, SF_SEND);
		st->slot = rng_chance(r, 50) ? c : s;
		st->value = 1 + rng_below(r, 4000);
	}
	if (rng_chance(r, 40))
		add(in, SF_AUTH_ANSWER)->value = rng_below(r, 2);
	if (rng_chance(r, 20)) {
		st = add(in, SF_XDP_VERDICT);
		st->slot = rng_chance(r, 50) ? c : s;
		st->value = rng_below(r, 2);
	}
	if (rng_chance(r, 15)) {
		st = add(in, SF_RESET);
		st->slot = rng_chance(r, 50) ? c : s;
		return true;
	}
	first = rng_chance(r, 50) ? c : s;
	second = first == c ? s : c;
	add(in, SF_CLOSE)->slot = first;
	add(in, SF_CLOSE)->slot = second;
	return true;
}

unsigned int orc_random__build(__u64 seed, unsigned int i, struct sf_input *out)
{
	struct rng r = {seed * 0x100000001b3ull ^ (i + 1) * 0x9e3779b97f4a7c15ull};
	unsigned int conns = 0;
	struct sf_step *st;
	__u8 slot = SLOT_FIRST;

	memset(out, 0, sizeof(*out));
	out->version = SF_FORMAT_VERSION;
	out->level = SF_LEVEL_LIFECYCLE;
	out->monitoring = rng_chance(&r, 85);
	out->node_ip = global_addr(&r, PEER_NODE);
	out->pod_gateway = global_addr(&r, PEER_GW);

	for (unsigned int n = 1 + rng_below(&r, 4); n; n--)
		add_enrol(out, &r, SF_ENROL);
	st = add(out, SF_LISTEN);
	st->slot = SLOT_L4;
	st->family = SF_AF_INET;
	st->local = v4("127.0.0.9");
	st->lport = 8080;
	st = add(out, SF_LISTEN);
	st->slot = SLOT_L6;
	st->family = SF_AF_INET6;
	st->lport = 8081; /* on ::, dual stack */

	/* A connection's recording takes about 30 raw steps (12 callbacks, with
	 * clock and tcp steps); the recording of the whole run must fit one run. */
	while (conns < ORC_RANDOM_CONNECTIONS) {
		if (rng_chance(&r, 8))
			add(out, SF_MONITORING)->value = rng_chance(&r, 70);
		if (rng_chance(&r, 6))
			add_enrol(out, &r, rng_chance(&r, 50) ? SF_UNENROL : SF_ENROL);
		if (add_connection(out, &r, slot, slot + 1))
			conns++;
		slot = slot + 2 < SF_NSLOTS ? slot + 2 : SLOT_FIRST;
	}
	return conns;
}
