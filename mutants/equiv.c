// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * equiv.c: the equivalent-mutant check. Drives whatever program is linked in
 * (core/ or a mutant) through seeded random trials on the host runtime, with
 * no property in the loop, and prints one digest line per trial of everything
 * the program can change (host_state__digest()): every map, ring record,
 * socket storage, socket's cb_flags, global and return value. Two builds that print the same lines for
 * every trial behaved the same on all of them; mutants.mk compares a mutant's
 * lines with core's and calls a mutant that matches on every trial
 * "equivalent?" (the catalogue must have none).
 *
 * Usage: equiv SEED TRIALS
 *
 * The trials reach more than the fuzz input model does on purpose (raw
 * ops on any family, km_manage values other than 0, any STATE_CB args, user
 * space writing storage (its whole original-destination tuple) and auth
 * verdicts under several keys, TCP counters of any size), because the
 * question here is whether the program changed, not whether a property sees it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "host.h"
#include "lib/rng.h"
#include "net/loopback.h"
#include "sockops.h"

#define NSOCKS	 6
#define NACTIONS 48

static struct sf_rng rng_state;

static __u64 rng(void)
{
	return sf_rng_next(&rng_state);
}

static __u32 pick(__u32 n)
{
	return (__u32)(rng() % n);
}

/* Addresses, network order, IPv4 as IPv4-mapped; chosen to sit on every edge
 * the program tests: control addresses, v4-mapped look-alikes, word-3 twins. */
#define N32 LO_BE32
static const struct sf_addr pool[] = {
	LO_ADDR4(0, 0, 0, 2),
	LO_ADDR4(127, 0, 0, 7),
	LO_ADDR4(127, 0, 0, 2),
	LO_ADDR4(127, 0, 0, 5),
	LO_ADDR4(0, 0, 0, 0),
	LO_ADDR6(0, 2),				      /* ::2 */
	LO_ADDR6(0, 0x7f000001u),		      /* ::127.0.0.1, a word-3 twin */
	LO_ADDR6(0x20010db8u, 0x7f000007u),	      /* 2001:db8::7f00:7, another */
	LO_ADDR6(0xfd0d0000u, 1),		      /* fd0d::1 */
	LO_ADDR6(0xfd0d0000u, 2),		      /* fd0d::2 */
	{{0, 0, N32(0xffff0000u), N32(0x7f000007u)}}, /* bytes 8..11 ff ff 00 00 */
	{{0}},					      /* :: */
};
#define NPOOL (sizeof(pool) / sizeof(pool[0]))
static const __u16 ports[] = {929, 930, 80, 8080, 0x3a1, 0xa103, 1, 65535};
#define NPORTS (sizeof(ports) / sizeof(ports[0]))
static const __u32 families[] = {2, 2, 10, 10, 10, 1};
static const __u32 ops[] = {3, 4, 5, 10, 3, 4, 5, 10, 1, 2};
static const __u32 states[] = {1, 2, 4, 7, 8, 11};

static struct host_sock *socks[NSOCKS];

static bool is_v4mapped(const __be32 *a)
{
	return lo_addr_is_v4mapped((const struct sf_addr *)a);
}

/* TCP counters: zero, small, the kernel's srtt << 3 shapes, and the widths
 * the probe record truncates. */
static const __u64 counters[] = {0, 1, 7, 8, 9, 40, 1000, 0xffffffffu, 0x100000000ull, ~0ull};
#define NCOUNTERS (sizeof(counters) / sizeof(counters[0]))
static void set_random_addrs(struct host_sock *s)
{
	const __be32 *l = pool[pick(NPOOL)].w, *r = pool[pick(NPOOL)].w;
	__u32 family = families[pick(sizeof(families) / sizeof(families[0]))];
	__u16 lp = ports[pick(NPORTS)], rp = ports[pick(NPORTS)];

	if (family == 10)
		host_sock__set_addrs(s, family, l, lp, r, rp);
	else
		host_sock__set_addrs(s, family, &l[3], lp, &r[3], rp);
}

/* A km_auth_res key for S: as user space writes it, or a variant of it. */
static void auth_key(const struct host_sock *s, struct bpf_sock_tuple *t, __u32 variant)
{
	bool v4 = s->family != 10 || is_v4mapped(s->local_ip6) || is_v4mapped(s->remote_ip6);
	__u16 sp = s->remote_port, dp = s->local_port;

	memset(t, 0, sizeof(*t));
	if (variant == 1) { /* network-order ports */
		sp = __builtin_bswap16(sp);
		dp = __builtin_bswap16(dp);
	}
	if (v4 && variant != 2) {
		t->ipv4.saddr = s->family == 10 ? s->remote_ip6[3] : s->remote_ip4;
		t->ipv4.daddr = s->family == 10 ? s->local_ip6[3] : s->local_ip4;
		t->ipv4.sport = sp;
		t->ipv4.dport = dp;
		return;
	}
	memcpy(t->ipv6.saddr, s->remote_ip6, 16);
	memcpy(t->ipv6.daddr, s->local_ip6, 16);
	t->ipv6.sport = sp;
	t->ipv6.dport = dp;
}

static void manage_key(const struct host_sock *s, __be32 key[4])
{
	memset(key, 0, 16);
	if (s->family != 10)
		key[0] = s->local_ip4;
	else if (is_v4mapped(s->local_ip6))
		key[0] = s->local_ip6[3];
	else
		memcpy(key, s->local_ip6, 16);
}

static void set_global_addr(const char *name)
{
	static const __be32 zero[4];

	host_global__set(name, pick(3) ? pool[pick(NPOOL)].w : zero, 16);
}

/* The return value, then everything user space could read: the whole state
 * (host_state__digest(): every map, ring record, socket with its storage and
 * global). A consumer then takes the ring records, so each is counted once
 * and the rings have room again. */
static __u64 digest(int ret)
{
	__u64 h = host_digest__bytes(HOST_DIGEST_SEED, &ret, sizeof(ret));

	h = host_state__digest(h, NULL);
	for (unsigned int i = 0; i < host_prog.nr_maps; i++)
		host_ring__drain(host_map__by_name(host_prog.maps[i].name));
	return h;
}

static int action(struct host_map *manage, struct host_map *auth, struct host_map *storage)
{
	struct host_sock *s = socks[pick(NSOCKS)];
	struct bpf_sock_tuple t;
	__u32 args[4] = {0}, val, op;
	__be32 key[4];
	int ret = 0;

	switch (pick(17)) {
	case 0 ... 5:
		op = ops[pick(sizeof(ops) / sizeof(ops[0]))];
		if (op == 10) {
			args[0] = states[pick(sizeof(states) / sizeof(states[0]))];
			args[1] = pick(2) ? 7 : states[pick(sizeof(states) / sizeof(states[0]))];
		}
		s->fullsock = pick(8) != 0;
		s->is_tcp = pick(8) != 0;
		ret = host_sock__fire(s, op, args);
		break;
	case 6:
		ret = host_sock__set_state(s, pick(3) ? 7 : 1);
		break;
	case 7:
		set_random_addrs(s);
		break;
	case 8: {
		struct sock_storage_data *st = host_sk_storage__get(storage, s, true);

		if (st) {
			__u8 *tuple = (__u8 *)&st->sk_tuple;

			st->via_waypoint = (__u8)pick(2);
			st->connect_ns = pick(2) ? host_clock__now() - pick(1000) : 0;
			/* The original destination, every one of its 36 bytes. */
			for (unsigned int i = 0; i < sizeof(st->sk_tuple); i++)
				tuple[i] = (__u8)rng();
		}
		break;
	}
	case 9:
		auth_key(s, &t, pick(3));
		val = pick(2);
		host_map__update(auth, &t, &val, BPF_ANY);
		break;
	case 10:
		manage_key(s, key);
		val = pick(4) ? 0 : 1;
		host_map__update(manage, key, &val, BPF_ANY);
		break;
	case 11:
		val = pick(4) ? 1 : pick(3);
		host_global__set("enable_monitoring", &val, sizeof(val));
		break;
	case 12:
		set_global_addr(pick(2) ? "node_ip" : "pod_gateway");
		break;
	case 13:
		host_clock__advance(1 + pick(1000000));
		break;
	case 14:
		host_fault__arm((enum host_helper)pick(HOST_H__MAX), pick(4), 0);
		break;
	case 15:
		/* the same socket twice on one side of a connection: fire 4 then 5 */
		ret = host_sock__fire(s, 4, NULL) + host_sock__fire(s, 5, NULL);
		break;
	case 16:
		/* what bpf_tcp_sock() reads */
		s->tp.srtt_us = (__u32)counters[pick(NCOUNTERS)];
		s->tp.rtt_min = (__u32)counters[pick(NCOUNTERS)];
		s->tp.total_retrans = (__u32)counters[pick(NCOUNTERS)];
		s->tp.lost_out = (__u32)counters[pick(NCOUNTERS)];
		s->tp.bytes_received = counters[pick(NCOUNTERS)];
		s->tp.bytes_acked = counters[pick(NCOUNTERS)];
		break;
	}
	return ret;
}

int main(int argc, char **argv)
{
	struct host_map *manage, *auth, *storage;
	unsigned long long seed, trials;

	if (argc != 3) {
		fprintf(stderr, "Usage: %s SEED TRIALS\n", argv[0]);
		return 2;
	}
	seed = strtoull(argv[1], NULL, 0);
	trials = strtoull(argv[2], NULL, 0);
	host_set_print(NULL);
	if (host_init()) {
		fprintf(stderr, "equiv: host_init failed\n");
		return 2;
	}
	manage = host_map__by_name("km_manage");
	auth = host_map__by_name("km_auth_res");
	storage = host_map__by_name("km_sockstorage");
	if (!manage || !auth || !storage) {
		fprintf(stderr,
			"equiv: the program lacks km_manage, km_auth_res or km_sockstorage\n");
		return 2;
	}
	for (unsigned long long n = 0; n < trials; n++) {
		__u64 h = HOST_DIGEST_SEED;

		rng_state.s = seed * 1000003ull + n;
		host_reset();
		for (int j = 0; j < NSOCKS; j++) {
			socks[j] = host_sock__new();
			set_random_addrs(socks[j]);
			socks[j]->state = 1;
		}
		/* Enrol a few of the sockets' local addresses, as user space cannot. */
		for (int j = 0; j < NSOCKS; j++) {
			__be32 key[4];
			__u32 zero = 0;

			manage_key(socks[j], key);
			if (pick(3))
				host_map__update(manage, key, &zero, BPF_ANY);
		}
		for (int a = 0; a < NACTIONS; a++) {
			int ret = action(manage, auth, storage);

			h = host_digest__bytes(h, &(__u64){digest(ret)}, sizeof(__u64));
		}
		printf("%llu %016llx\n", n, (unsigned long long)h);
	}
	host_fini();
	return 0;
}
