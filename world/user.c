// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * user.c: the steps of user space and XDP (SF_BY_USER, SF_BY_XDP in
 * input/steps.h): a socket's storage, the program's globals, the answer to
 * an auth request and the verdict XDP caches for an arriving packet. None
 * runs the program; each is reported so a checker sees what it may read.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include "world/world_internal.h"

void step_waypoint(struct sf_world *w, const struct sf_step *st)
{
	struct ep *e = slot_ep(w, st->slot);
	struct sock_storage_data *stor;
	__u8 via = (__u8)st->value; /* a u8 the program reads as a bool */

	if (!e || !w->storage)
		return;
	stor = host_sk_storage__get(w->storage, e->sock, true);
	if (!stor)
		return;
	stor->via_waypoint = via;
	world_emit(w,
		   &(struct sf_world_event){.kind = SF_WEV_STORAGE, .sock = e->sock, .value = via});
}

void sf_world_connect_ns(struct sock_storage_data *st, __u64 now)
{
	st->connect_ns = now;
}

void sf_world_orig_dst(struct sock_storage_data *st, __u32 family, const struct sf_addr *dst,
		       __u16 port, __u8 via)
{
	__u8 nport[2] = {port >> 8, port & 0xff};

	if (family == KM_AF_INET) {
		st->sk_tuple.ipv4.daddr = dst->w[3];
		memcpy(&st->sk_tuple.ipv4.dport, nport, 2);
	} else {
		memcpy(st->sk_tuple.ipv6.daddr, dst, 16);
		memcpy(&st->sk_tuple.ipv6.dport, nport, 2);
	}
	st->via_waypoint = via;
}

void step_orig_dst(struct sf_world *w, const struct sf_step *st)
{
	struct ep *e = slot_ep(w, st->slot);
	struct sock_storage_data *stor;
	__u8 via = (__u8)st->value;

	if (!e || !w->storage)
		return;
	stor = host_sk_storage__get(w->storage, e->sock, true);
	if (!stor)
		return;
	sf_world_connect_ns(stor, host_clock__now());
	sf_world_orig_dst(stor, st->family, &st->local, st->lport, via);
	world_emit(w,
		   &(struct sf_world_event){.kind = SF_WEV_STORAGE, .sock = e->sock, .value = via});
}

/* user space writes the global G (a failed write changes nothing). */
static void write_global(struct sf_world *w, enum sf_global g, const void *value, size_t size)
{
	if (host_global__set(sf_global_name(g), value, size))
		return;
	world_emit(w, &(struct sf_world_event){.kind = SF_WEV_GLOBAL, .global = g});
}

void step_monitoring(struct sf_world *w, const struct sf_step *st)
{
	write_global(w, SF_GLOBAL_MONITORING, &(__u32){(__u32)st->value}, sizeof(__u32));
}

void step_node_ip(struct sf_world *w, const struct sf_step *st)
{
	write_global(w, SF_GLOBAL_NODE_IP, st->local.w, sizeof(st->local.w));
}

void step_pod_gateway(struct sf_world *w, const struct sf_step *st)
{
	write_global(w, SF_GLOBAL_POD_GATEWAY, st->local.w, sizeof(st->local.w));
}

void step_log_level(struct sf_world *w, const struct sf_step *st)
{
	write_global(w, SF_GLOBAL_LOG_LEVEL, &(__u32){(__u32)st->value}, sizeof(__u32));
}

static void write_verdict(struct sf_world *w, struct host_sock *s, const struct bpf_sock_tuple *key,
			  __u64 value)
{
	__u32 verdict = (__u32)value;

	if (!w->auth_res || host_map__update(w->auth_res, key, &verdict, BPF_ANY))
		return; /* no such map, or E2BIG: the map is full */
	world_emit(w, &(struct sf_world_event){
			      .kind = SF_WEV_AUTH, .sock = s, .key = key, .value = verdict});
}

/* SF_AUTH_ANSWER: user space reads the oldest request and writes its verdict
 * under the key it builds from it: the 12-byte IPv4 view zero-padded for type
 * IPv4, all 36 bytes otherwise. */
void step_auth_answer(struct sf_world *w, const struct sf_step *st)
{
	struct bpf_sock_tuple key = {0};
	struct km_auth_req req = {0};
	const void *rec;
	__u32 len;

	if (!w->auth_req)
		return;
	rec = host_ring__peek(w->auth_req, &len);
	if (!rec)
		return;
	memcpy(&req, rec, len < sizeof(req) ? len : sizeof(req));
	host_ring__consume(w->auth_req);
	memcpy(&key, &req.tuple, req.type == KM_TUPLE_IPV4 ? sizeof(key.ipv4) : sizeof(key));
	write_verdict(w, NULL, &key, st->value);
}

void sf_world_xdp_key(const struct host_sock *s, struct bpf_sock_tuple *key)
{
	struct sf_addr local = sock_local(s), remote = sock_remote(s);
	bool v4 = s->family != KM_AF_INET6 || lo_addr_is_v4mapped(&local) ||
		  lo_addr_is_v4mapped(&remote);

	memset(key, 0, sizeof(*key));
	if (v4) {
		/* An IPv4 header: the socket's IPv4 view (host.h fills it for IPv4-mapped). */
		key->ipv4.saddr = s->remote_ip4;
		key->ipv4.daddr = s->local_ip4;
		key->ipv4.sport = s->remote_port;
		key->ipv4.dport = s->local_port;
		return;
	}
	memcpy(key->ipv6.saddr, s->remote_ip6, 16);
	memcpy(key->ipv6.daddr, s->local_ip6, 16);
	key->ipv6.sport = s->remote_port;
	key->ipv6.dport = s->local_port;
}

/* SF_XDP_VERDICT: only a connected socket gets a packet; a listener or a
 * socket a RST closed gets none (getpeername() fails: the oracle's user space
 * writes nothing either). */
void step_xdp_verdict(struct sf_world *w, const struct sf_step *st)
{
	struct ep *e = slot_ep(w, st->slot);
	struct bpf_sock_tuple key;

	if (!e || e->listening || e->sock->state == BPF_TCP_LISTEN ||
	    e->sock->state == BPF_TCP_CLOSE || e->sock->state == BPF_TCP_SYN_SENT)
		return;
	sf_world_xdp_key(e->sock, &key);
	write_verdict(w, e->sock, &key, st->value);
}

void sf_world_manage_key(__u32 family, const struct sf_addr *a, struct manager_key *key)
{
	memset(key, 0, sizeof(*key));
	if (family == KM_AF_INET || lo_addr_is_v4mapped(a))
		key->ip4 = a->w[3];
	else
		memcpy(key->ip6, a->w, sizeof(key->ip6));
}

/* SF_MANAGE: user space writes km_manage under the key of the step's
 * address; E2BIG when full writes nothing. */
void step_manage(struct sf_world *w, const struct sf_step *st)
{
	struct manager_key key;
	__u32 value = (__u32)st->value;

	sf_world_manage_key(st->family, &st->local, &key);
	if (!w->manage || host_map__update(w->manage, &key, &value, BPF_ANY))
		return;
	world_emit(w, &(struct sf_world_event){
			      .kind = SF_WEV_MANAGE, .manage_key = &key, .value = value});
}

void sf_world_fill_key(bool auth_res, __u32 i, void *key)
{
	__be32 ip = htonl(0x7fff0000u | (i & 0xffff));

	if (auth_res) {
		struct bpf_sock_tuple *t = key;

		memset(t, 0, sizeof(*t));
		t->ipv4.saddr = ip;
		t->ipv4.daddr = htonl(0x7fffffffu);
		return;
	}
	memset(key, 0, sizeof(struct manager_key));
	((struct manager_key *)key)->ip4 = ip;
}

_Static_assert(sizeof(struct bpf_sock_tuple) <= sizeof(union sf_fill_key) &&
		       sizeof(struct manager_key) <= sizeof(union sf_fill_key),
	       "a fill key holds either map's key");

bool sf_world_fillable(__u32 key_size, __u32 value_size)
{
	return key_size <= sizeof(union sf_fill_key) && value_size == sizeof(__u32);
}

/* SF_FILL: user space adds its own entries (sf_world_fill_key(), in order,
 * skipping those present) until VALUE entries are left free or the map
 * refuses one; each is reported as user space's write. A map whose keys or
 * values are not SPEC §6's is not filled: user space has no entries for it
 * (the kernel driver's fill does the same). */
void step_fill(struct sf_world *w, const struct sf_step *st)
{
	bool auth = st->flags & SF_F_AUTH_RES;
	struct host_map *m = auth ? w->auth_res : w->manage;
	__u32 max, value = SF_FILL_VALUE;
	__u64 free;
	union sf_fill_key key;

	if (!m || !sf_world_fillable(host_map__key_size(m), host_map__value_size(m)))
		return; /* no such map of SPEC's sizes */
	max = host_map__max_entries(m);
	free = st->value < max ? st->value : max;

	for (__u32 i = 0; i < max && i < SF_FILL_KEYS && host_map__count(m) + free < max; i++) {
		int err;

		sf_world_fill_key(auth, i, &key);
		/* One search a key: a large run fills 8192 in each native run. */
		err = host_map__update(m, &key, &value, BPF_NOEXIST);
		if (err == -EEXIST)
			continue; /* present: skipped, unchanged */
		if (err)
			return; /* E2BIG: full */
		if (auth)
			world_emit(w, &(struct sf_world_event){
					      .kind = SF_WEV_AUTH,
					      .key = (const struct bpf_sock_tuple *)&key,
					      .value = value});
		else
			world_emit(w, &(struct sf_world_event){
					      .kind = SF_WEV_MANAGE,
					      .manage_key = (const struct manager_key *)&key,
					      .value = value});
	}
}
