// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * model.c: the reference model (model.h), written from SPEC §1-5.
 *
 * Deliberately plain byte-level code: addresses are compared as 16-byte
 * arrays and ports are placed byte by byte, so that a byte-order slip in the
 * core cannot be mirrored here by sharing its idioms.
 */
#include <string.h>
#include "props/model.h"
#include "net/loopback.h"

/* 0.0.0.2 in network order, whatever the host's byte order. */

/* Where KEY is or would go in the index: linear probing from its hash. */
static __u32 key_hash(const struct manager_key *key)
{
	__u32 h = 2166136261u;

	for (size_t i = 0; i < sizeof(*key); i++)
		h = (h ^ ((const __u8 *)key)[i]) * 16777619u;
	return h & (MODEL_KEY_INDEX - 1);
}

/* The index slot of KEY, or the empty slot where it would go. */
static unsigned int index_of(const struct model *m, const struct manager_key *key)
{
	__u32 h;

	for (h = key_hash(key); m->key_index[h]; h = (h + 1) & (MODEL_KEY_INDEX - 1))
		if (!memcmp(&m->managed[m->key_index[h] - 1], key, sizeof(*key)))
			break;
	return h;
}

/* Empty index slot HOLE, moving up the keys after it in its probe chain
 * whose home slot is not between the hole and them (backward-shift
 * deletion: no chain is cut, nothing else is touched). */
static void index_remove(struct model *m, unsigned int hole)
{
	for (unsigned int j = (hole + 1) & (MODEL_KEY_INDEX - 1); m->key_index[j];
	     j = (j + 1) & (MODEL_KEY_INDEX - 1)) {
		unsigned int home = key_hash(&m->managed[m->key_index[j] - 1]);

		/* J's key may fill the hole unless its home lies in (hole, j]. */
		if (((j - home) & (MODEL_KEY_INDEX - 1)) >= ((j - hole) & (MODEL_KEY_INDEX - 1))) {
			m->key_index[hole] = m->key_index[j];
			hole = j;
		}
	}
	m->key_index[hole] = 0;
}

void model_reset(struct model *m, __u32 monitoring, const __be32 node_ip[4],
		 const __be32 pod_gateway[4])
{
	/* The index entries of the last run's keys only, when few: a reset costs
	 * what the run used. All found first: a cleared entry would cut the
	 * probe chain of the keys after it. */
	if (m->nmanaged <= 64) {
		unsigned int at[64];

		for (unsigned int i = 0; i < m->nmanaged; i++)
			at[i] = index_of(m, &m->managed[i]);
		for (unsigned int i = 0; i < m->nmanaged; i++)
			m->key_index[at[i]] = 0;
	} else {
		memset(m->key_index, 0, sizeof(m->key_index));
	}
	m->nmanaged = 0;
	m->manage_max = 0;
	m->overflow = false;
	m->monitoring = monitoring;
	memcpy(m->node_ip, node_ip, sizeof(m->node_ip));
	memcpy(m->pod_gateway, pod_gateway, sizeof(m->pod_gateway));
	/* socks[] is cleared per socket by model_sock_new(). */
}

void model_sock_new(struct model *m, __u32 id)
{
	if (id < HOST_MAX_SOCKS)
		memset(&m->socks[id], 0, sizeof(m->socks[id]));
}

bool model_ip6_is_v4mapped(const __be32 a[4])
{
	return lo_addr_is_v4mapped((const struct sf_addr *)a);
}

/* AF_INET reads the IPv4 fields; everything else that passes the family gate
 * reads the IPv6 ones (SPEC §1). */
static bool is_inet4(const struct host_sock *s)
{
	return s->family == KM_AF_INET;
}

void model_manage_key(const struct host_sock *s, struct manager_key *key)
{
	memset(key, 0, sizeof(*key));
	if (is_inet4(s))
		memcpy(key, &s->local_ip4, 4);
	else if (model_ip6_is_v4mapped(s->local_ip6))
		memcpy(key, &s->local_ip6[3], 4);
	else
		memcpy(key, s->local_ip6, 16);
}

__u16 model_control_port(const struct host_sock *s)
{
	bool control = is_inet4(s)
			       ? s->remote_ip4 == lo_control4.w[3]
			       : lo_addr_eq((const struct sf_addr *)s->remote_ip6, &lo_control6);

	if (!control ||
	    (s->remote_port != KM_CONTROL_PORT_ENROL && s->remote_port != KM_CONTROL_PORT_LEAVE))
		return 0;
	return s->remote_port;
}

static int find_key(const struct model *m, const struct manager_key *key)
{
	return (int)m->key_index[index_of(m, key)] - 1;
}

bool model_has_key(const struct model *m, const struct manager_key *key, __u32 *value)
{
	int i = find_key(m, key);

	if (i >= 0 && value)
		*value = m->value[i];
	return i >= 0;
}

bool model_is_managed(const struct model *m, const struct host_sock *s)
{
	struct manager_key key;

	__u32 value;

	model_manage_key(s, &key);
	return model_has_key(m, &key, &value) && value == KM_MANAGED;
}

/* §3: an AF_INET peer matches only an IPv4-mapped global with its address in
 * the last word; an AF_INET6 peer only all 16 bytes. A zero global is unset. */
static bool global_is_peer(const __be32 g[4], const struct host_sock *s)
{
	static const __be32 zero[4];

	if (!memcmp(g, zero, sizeof(zero)))
		return false;
	if (is_inet4(s))
		return model_ip6_is_v4mapped(g) && !memcmp(&g[3], &s->remote_ip4, 4);
	return !memcmp(g, s->remote_ip6, 16);
}

bool model_peer_is_skipped(const struct model *m, const struct host_sock *s)
{
	return global_is_peer(m->node_ip, s) || global_is_peer(m->pod_gateway, s);
}

/* Ports in a tuple are __u16 fields; host order means the value itself. */
static void put_port(__be16 *field, __u16 port, bool network_order)
{
	__u8 b[2];

	if (network_order) {
		b[0] = port >> 8;
		b[1] = port & 0xff;
		memcpy(field, b, 2);
	} else {
		memcpy(field, &port, 2);
	}
}

enum km_tuple_type model_tuple(const struct host_sock *s, bool local_is_src,
			       struct bpf_sock_tuple *t)
{
	const void *src, *dst;
	__u16 sport = local_is_src ? s->local_port : s->remote_port;
	__u16 dport = local_is_src ? s->remote_port : s->local_port;
	bool v4 = is_inet4(s) || model_ip6_is_v4mapped(s->local_ip6) ||
		  model_ip6_is_v4mapped(s->remote_ip6);

	memset(t, 0, sizeof(*t));
	if (v4) {
		/* AF_INET: the IPv4 fields; IPv4-mapped AF_INET6: the last words. */
		const void *l = is_inet4(s) ? (const void *)&s->local_ip4 : &s->local_ip6[3];
		const void *r = is_inet4(s) ? (const void *)&s->remote_ip4 : &s->remote_ip6[3];

		memcpy(&t->ipv4.saddr, local_is_src ? l : r, 4);
		memcpy(&t->ipv4.daddr, local_is_src ? r : l, 4);
		put_port(&t->ipv4.sport, sport, false);
		put_port(&t->ipv4.dport, dport, false);
		return KM_TUPLE_IPV4;
	}
	src = local_is_src ? s->local_ip6 : s->remote_ip6;
	dst = local_is_src ? s->remote_ip6 : s->local_ip6;
	memcpy(t->ipv6.saddr, src, 16);
	memcpy(t->ipv6.daddr, dst, 16);
	put_port(&t->ipv6.sport, sport, false);
	put_port(&t->ipv6.dport, dport, false);
	return KM_TUPLE_IPV6;
}

void model_forward_tuple(const struct host_sock *s, struct bpf_sock_tuple *t)
{
	memset(t, 0, sizeof(*t));
	if (is_inet4(s)) {
		memcpy(&t->ipv4.saddr, &s->local_ip4, 4);
		memcpy(&t->ipv4.daddr, &s->remote_ip4, 4);
		put_port(&t->ipv4.sport, s->local_port, true);
		put_port(&t->ipv4.dport, s->remote_port, true);
		return;
	}
	memcpy(t->ipv6.saddr, s->local_ip6, 16);
	memcpy(t->ipv6.daddr, s->remote_ip6, 16);
	put_port(&t->ipv6.sport, s->local_port, true);
	put_port(&t->ipv6.dport, s->remote_port, true);
}

void model_auth_request(const struct host_sock *s, struct km_auth_req *req)
{
	memset(req, 0, sizeof(*req));
	req->type = model_tuple(s, false, &req->tuple);
}

void model_probe_record(const struct host_sock *s, const struct sock_storage_data *st, __u32 op,
			__u64 now, struct km_probe_rec *rec)
{
	bool establish = op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB ||
			 op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB;
	__u8 dir = op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB  ? KM_DIR_INBOUND
		   : op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB ? KM_DIR_OUTBOUND
							      : st->direction;
	/* op 5 stamps connect_ns with now; the others report what storage has. */
	__u64 start = op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB ? now : st->connect_ns;

	memset(rec, 0, sizeof(*rec));
	/* Client to server: the server is the local end of an inbound socket. */
	rec->type = model_tuple(s, dir != KM_DIR_INBOUND, &rec->tuple);
	rec->state = establish ? KM_TCP_ESTABLISHED : KM_TCP_CLOSE;
	rec->direction = dir;
	rec->conn_success = establish ? 1 : st->connect_success;
	memcpy(&rec->orig_dst, &st->sk_tuple, sizeof(rec->orig_dst));
	rec->sent_bytes = (__u32)s->tp.bytes_acked;
	rec->received_bytes = (__u32)s->tp.bytes_received;
	rec->srtt_us = s->tp.srtt_us;
	rec->start_ns = start;
	rec->last_report_ns = now;
	rec->duration_ns = now - start;
	rec->rtt_min_us = s->tp.rtt_min;
	rec->retransmits = s->tp.total_retrans;
	rec->lost = s->tp.lost_out;
}

void model_expect(const struct model *m, const struct host_sock *s, __u32 op, const __u32 args[4],
		  bool had_storage, struct model_expect *e)
{
	__u16 control;

	memset(e, 0, sizeof(*e));
	e->op = op;
	e->gated = s->family != KM_AF_INET && s->family != KM_AF_INET6;
	if (e->gated)
		return;
	e->had_storage = had_storage;
	e->can_report = m->monitoring == 1 && s->fullsock && s->is_tcp;
	switch (op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		control = model_control_port(s);
		if (control) {
			e->manage = control == KM_CONTROL_PORT_ENROL ? MODEL_MANAGE_SET
								     : MODEL_MANAGE_DEL;
			model_manage_key(s, &e->mkey);
		}
		break;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		e->establish = true;
		e->managed = model_is_managed(m, s);
		e->skipped = model_peer_is_skipped(m, s);
		e->observed =
			e->managed && (op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB || !e->skipped);
		break;
	case BPF_SOCK_OPS_STATE_CB:
		e->close = args && args[1] == KM_TCP_CLOSE;
		break;
	default:
		break;
	}
}

void model_settle(const struct model *m, const struct host_sock *s, __u32 faulted,
		  struct model_expect *e)
{
	bool alloc_failed = faulted & (1u << HOST_H_SK_STORAGE_GET);
	bool inbound = e->op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB;

	e->faulted = faulted;
	if (e->gated)
		return;
	if (e->observed && e->can_report) {
		/* §5: outbound storage comes from user space; inbound is created here. */
		if (e->had_storage || (inbound && !alloc_failed))
			e->want_report = KM_TCP_ESTABLISHED;
		e->want_storage_create = inbound && !e->had_storage && !alloc_failed;
	}
	if (e->close && e->can_report && e->had_storage)
		e->want_report = KM_TCP_CLOSE;
	e->want_cb_flags = e->observed;
	e->want_auth_req = e->observed && inbound;
	/* §1 op 4 step 3: a full socket whose storage (never created on op 4)
	 * says via_waypoint, as user space set it. */
	e->want_sockhash = e->observed && !inbound && s->fullsock && e->had_storage &&
			   s->id < HOST_MAX_SOCKS && m->socks[s->id].via_waypoint;
	e->want_auth_delete = e->close;
}

/* km_manage[KEY] = VALUE, as BPF_ANY writes it. */
static void set_key(struct model *m, const struct manager_key *key, __u32 value)
{
	int i = find_key(m, key);

	if (i < 0 && m->manage_max && m->nmanaged >= m->manage_max)
		return; /* a new key in a full map: the kernel refuses it (E2BIG) */
	if (i < 0 && m->nmanaged == MODEL_MAX_KEYS) {
		m->overflow = true;
		return;
	}
	if (i < 0) {
		i = (int)m->nmanaged++;
		m->managed[i] = *key;
		m->key_index[index_of(m, key)] = (__u16)(i + 1);
	}
	m->value[i] = value;
}

void model_user_manage(struct model *m, const struct manager_key *key, __u32 value)
{
	set_key(m, key, value);
}

static void del_key(struct model *m, const struct manager_key *key)
{
	int i = find_key(m, key);

	if (i < 0)
		return;
	index_remove(m, index_of(m, key));
	m->nmanaged--;
	if ((unsigned int)i != m->nmanaged) { /* the last key takes its place */
		m->managed[i] = m->managed[m->nmanaged];
		m->value[i] = m->value[m->nmanaged];
		m->key_index[index_of(m, &m->managed[i])] = (__u16)(i + 1);
	}
}

void model_commit(struct model *m, const struct host_sock *s, const struct model_expect *e)
{
	if (e->manage == MODEL_MANAGE_SET && !(e->faulted & (1u << HOST_H_MAP_UPDATE)))
		set_key(m, &e->mkey, KM_MANAGED);
	else if (e->manage == MODEL_MANAGE_DEL && !(e->faulted & (1u << HOST_H_MAP_DELETE)))
		del_key(m, &e->mkey);
	/* The kernel refuses cb flags on a request socket (-EINVAL); an injected
	 * failure leaves the old flags. Either way STATE_CB was not asked for. */
	if (e->want_cb_flags && s->fullsock && !(e->faulted & (1u << HOST_H_CB_FLAGS_SET)) &&
	    s->id < HOST_MAX_SOCKS)
		m->socks[s->id].asked_state_cb = true;
}

void model_user_storage(struct model *m, const struct host_sock *s, bool via_waypoint)
{
	if (s->id >= HOST_MAX_SOCKS)
		return;
	m->socks[s->id].user_storage = true;
	m->socks[s->id].via_waypoint = via_waypoint;
}
