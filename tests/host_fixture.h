/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * host_fixture.h: access to tests/data/host_fixture.bpf.c, the scriptable
 * program the host suites (tests/test_host_*.c) link: its maps, globals and
 * actions, sockets to run it on, and a fixed sequence that touches every kind
 * of state. Include after check.h and host_suite.h.
 */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf_helpers.h>
#include "host.h"

/* Kernel numbers (SPEC head). */
#define AF_INET_	 2
#define AF_INET6_	 10
#define TCP_ESTABLISHED_ 1
#define TCP_FIN_WAIT1_	 4
#define TCP_CLOSE_	 7
#define STATE_CB_FLAG	 4
#define RING_CAP	 4096
#define FX_MAX_OPS	 16

/* The fixture's actions (tests/data/host_fixture.bpf.c). */
enum {
	FX_ACT_NONE = 0,
	FX_ACT_CB_FLAGS,
	FX_ACT_SOCKHASH,
	FX_ACT_TCP_SOCK,
	FX_ACT_COOKIE,
	FX_ACT_KTIME,
	FX_ACT_MAP_UPDATE,
	FX_ACT_MAP_UPDATE_STK,
	FX_ACT_STORAGE,
	FX_ACT_RING,
	FX_ACT_PRINTK,
};

static inline struct host_map *map(const char *name)
{
	struct host_map *m = host_map__by_name(name);

	if (!m)
		fail_msg("[%s] map %s missing from the fixture", where, name);
	return m;
}

/* The native definition a program passes to helpers for map NAME. */
static inline void *def(const char *name)
{
	for (unsigned int i = 0; i < host_prog.nr_maps; i++)
		if (!strcmp(host_prog.maps[i].name, name))
			return host_prog.maps[i].def;
	fail_msg("[%s] no definition for map %s", where, name);
	return NULL;
}

static inline void *glob(const char *name, size_t size)
{
	size_t have = 0;
	void *p = host_global__ptr(name, &have);

	if (!p || have != size)
		fail_msg("[%s] global %s: %p, size %zu, want size %zu", where, name, p, have, size);
	return p;
}

#define G(type, name) (*(type *)glob(#name, sizeof(type)))

static inline void script(__u32 action, __s64 arg, __u64 flags)
{
	G(__u32, fx_action) = action;
	G(__s64, fx_arg) = arg;
	G(__u64, fx_flags) = flags;
	G(__s64, fx_rc) = 0x7eadbeef; /* a value no helper returns */
}

static inline void set_key36(__u8 tag)
{
	__u8 *k = glob("fx_key", 36);

	for (int i = 0; i < 36; i++)
		k[i] = (__u8)(tag + i);
}

static inline struct host_sock *sock_v4(const char *local, __u16 lport, const char *remote,
					__u16 rport)
{
	struct in_addr l, r;
	struct host_sock *s = host_sock__new();

	CHECK(s, "host_sock__new failed: errno %d", errno);
	CHECK(inet_pton(AF_INET, local, &l) == 1 && inet_pton(AF_INET, remote, &r) == 1,
	      "bad test address");
	host_sock__set_addrs(s, AF_INET_, &l, lport, &r, rport);
	s->state = TCP_ESTABLISHED_;
	return s;
}

static inline struct host_sock *sock_plain(void)
{
	return sock_v4("127.0.0.5", 40000, "127.0.0.9", 8080);
}

static inline void key16(__u8 key[16], __u32 n)
{
	memset(key, 0, 16);
	key[0] = 0xfd;
	memcpy(key + 12, &n, sizeof(n));
}

/* Stack noise: overwrite the stack region a finished program frame used. */
static inline __attribute__((noinline)) void scribble_stack(void)
{
	volatile __u8 junk[8192];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = 0x5a;
}

static inline void *ring_reserve(__u64 size)
{
	return bpf_ringbuf_reserve(def("fx_ring"), size, 0);
}

static inline long sockhash_update(struct host_sock *s, __u8 tag, __u64 flags, __u32 op)
{
	set_key36(tag);
	script(FX_ACT_SOCKHASH, 0, flags);
	host_sock__fire(s, op, NULL);
	return (long)G(__s64, fx_rc);
}

static inline struct host_sock *sockhash_at(__u8 tag)
{
	__u8 key[36];

	for (int i = 0; i < 36; i++)
		key[i] = (__u8)(tag + i);
	return host_sockhash__lookup(map("fx_sockhash"), key);
}

/* A fixed sequence touching every kind of state. */
static inline void run_sequence(void)
{
	struct host_sock *a = sock_plain(), *b = sock_v4("127.0.0.6", 1000, "127.0.0.7", 2000);
	__u8 key[16];
	__u32 v = 3;
	void *rec;

	for (__u32 i = 0; i < 20; i++) {
		key16(key, i * 7);
		bpf_map_update_elem(def("fx_hash"), key, &v, BPF_ANY);
	}
	key16(key, 14);
	bpf_map_delete_elem(def("fx_hash"), key);
	host_clock__advance(12345);
	script(FX_ACT_STORAGE, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	host_sock__fire(a, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, NULL);
	script(FX_ACT_CB_FLAGS, STATE_CB_FLAG, 0);
	host_sock__fire(a, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, NULL);
	sockhash_update(b, 4, BPF_ANY, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);
	script(FX_ACT_RING, 5, 0);
	host_sock__fire(b, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	rec = ring_reserve(24);
	if (rec) {
		memset(rec, 0x31, 24);
		bpf_ringbuf_discard(rec, 0);
	}
	script(FX_ACT_COOKIE, 0, 0);
	host_sock__fire(b, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	script(FX_ACT_KTIME, 0, 0);
	host_sock__set_state(a, TCP_CLOSE_);
	host_sock__free(a);
	(void)sock_plain(); /* takes a's slot */
}
