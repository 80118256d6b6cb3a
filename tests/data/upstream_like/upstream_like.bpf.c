// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * upstream_like.bpf.c: a workload sockops program written the way upstream
 * Kmesh's is (our own code; the traits come from issue 11), to prove that
 * `make PROG=` takes a program it was not written for, unmodified:
 *
 * - text logging: KM_LOG formats with BPF_SNPRINTF into a record of the ring
 *   km_log_text; a full ring is only printed with bpf_printk. No counters,
 *   no structured log map. The macro declares `ret`, which shadows the
 *   caller's (so a caller's `ret` argument logs the macro's 0);
 * - a per-CPU scratch array the sockops path never uses, four hash maps of
 *   1,000,000 entries (service tables of the XDP and cgroup programs);
 * - inline functions calling bpf_get_netns_cookie and bpf_skb_load_bytes,
 *   which sockops never reaches (upstream_like_common.h);
 * - volatile globals; built with -O2 -g -Wall -D__x86_64__ (its <sys/socket.h>
 *   needs the architecture under -target bpf), no -Wextra, no -Werror;
 * - the probe record struct km_probe_rec of 128 bytes whose type, tuple,
 *   timestamps and TCP counters sit where SPEC §5's record has them, and
 *   whose state, direction, conn_success and duration moved;
 * - three upstream defects of SPEC §9: (a) the cleanup key folds IPv6 into
 *   the IPv4 view in place, IPv6 bytes left behind; (b) an AF_INET peer is
 *   skipped when it equals word 3 of node_ip/pod_gateway, whatever their
 *   family; (d) probe records are not zeroed before filling.
 *
 * Maps, records and globals it shares with core/ have the ELF names of SPEC §6.
 */
#include <linux/bpf.h>
#include <sys/socket.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "upstream_like_common.h"

#define ENOENT	      2
#define TCP_CLOSE     7
#define TCP_ESTAB     1
#define CONTROL_IP4   0x02000000 /* 0.0.0.2, network order on little endian */
#define PORT_ENABLE   929
#define PORT_DISABLE  930
#define SCRATCH_BYTES 1024
#define SERVICE_TABLE 1000000

enum {
	LOG_ERR = 0,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG
};
enum {
	IPV4 = 0,
	IPV6 = 1
};
enum {
	INBOUND = 1,
	OUTBOUND = 2
};

struct manager_key {
	union {
		__u32 ip4;
		__u32 ip6[4];
	};
};

struct sock_storage_data {
	__u64 connect_ns;
	__u64 last_report_ns;
	__u8 direction;
	__u8 connect_success;
	__u8 via_waypoint;
	__u8 has_encoded;
	__u8 has_set_ip;
	struct bpf_sock_tuple sk_tuple;
};

struct km_auth_req {
	__u32 type;
	struct bpf_sock_tuple tuple;
};

/* 128 bytes. Where SPEC §5's record has them: type, tuple, orig_dst, the
 * TCP counters, start, last report and duration. Moved: direction and
 * conn_success (bytes 1, 2), state (a u32 at 124). Byte 3 is padding. */
struct km_probe_rec {
	__u8 type;			/* @0 */
	__u8 direction;			/* @1 */
	__u8 conn_success;		/* @2 */
	struct bpf_sock_tuple tuple;	/* @4 */
	struct bpf_sock_tuple orig_dst; /* @40 */
	__u32 sent_bytes;		/* @76 */
	__u32 received_bytes;		/* @80 */
	__u32 srtt_us;			/* @84 */
	__u64 start_ns;			/* @88 */
	__u64 last_report_ns;		/* @96 */
	__u64 duration_ns;		/* @104 */
	__u32 rtt_min_us;		/* @112 */
	__u32 retransmits;		/* @116 */
	__u32 lost;			/* @120 */
	__u32 state;			/* @124 */
};

/* Ring records have no type in their map, so their layouts reach the BTF
 * (and user space) through these pointers, the libbpf-tools idiom. */
const struct km_probe_rec *unused_probe_rec __attribute__((unused));
const struct km_auth_req *unused_auth_req __attribute__((unused));

struct log_text {
	__u32 level;
	__u32 len;
	char msg[120];
};

struct service_key {
	__u32 ip[4];
	__u32 port;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 8192);
	__type(key, struct manager_key);
	__type(value, __u32);
} km_manage SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sock_storage_data);
} km_sockstorage SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 8192);
	__type(key, struct bpf_sock_tuple);
	__type(value, __u32);
} km_socket SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 8192);
	__type(key, struct bpf_sock_tuple);
	__type(value, __u32);
} km_auth_res SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} km_auth_req SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} km_tcp_probe SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} km_log_text SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[SCRATCH_BYTES]);
} km_scratch SEC(".maps");

#define SERVICE_MAP(name, value_type)               \
	struct {                                    \
		__uint(type, BPF_MAP_TYPE_HASH);    \
		__uint(max_entries, SERVICE_TABLE); \
		__type(key, struct service_key);    \
		__type(value, value_type);          \
	} name SEC(".maps")

SERVICE_MAP(km_frontend, __u32);
SERVICE_MAP(km_service, __u64);
SERVICE_MAP(km_endpoint, struct service_key);
SERVICE_MAP(km_backend, struct service_key);

volatile __u32 enable_monitoring = 1;
volatile __u32 node_ip[4];
volatile __u32 pod_gateway[4];
volatile __u32 log_level = LOG_INFO;

/* Text log: the record's message is the formatted text. `ret` shadows a
 * caller's variable of that name (the reason this program's policy has no
 * -Wshadow). */
#define KM_LOG(lvl, fmt, ...)                                                         \
	do {                                                                          \
		struct log_text *rec;                                                 \
		long ret = 0;                                                         \
		if ((lvl) > log_level)                                                \
			break;                                                        \
		rec = bpf_ringbuf_reserve(&km_log_text, sizeof(*rec), 0);             \
		if (!rec) {                                                           \
			bpf_printk("km log ring full, dropped: " fmt, ##__VA_ARGS__); \
			break;                                                        \
		}                                                                     \
		ret = BPF_SNPRINTF(rec->msg, sizeof(rec->msg), fmt, ##__VA_ARGS__);   \
		rec->level = (lvl);                                                   \
		rec->len = ret < 0 ? 0 : (__u32)ret;                                  \
		bpf_ringbuf_submit(rec, 0);                                           \
	} while (0)

static inline __u32 ctx_u32(const __u32 *p)
{
	return *(const volatile __u32 *)p;
}

static inline int is_v4mapped(const __u32 ip6[4])
{
	return ip6[0] == 0 && ip6[1] == 0 && ip6[2] == bpf_htonl(0xffff);
}

static inline void local_key(struct bpf_sock_ops *skops, struct manager_key *key)
{
	__u32 ip6[4];

	__builtin_memset(key, 0, sizeof(*key));
	if (skops->family == AF_INET) {
		key->ip4 = ctx_u32(&skops->local_ip4);
		return;
	}
	for (int i = 0; i < 4; i++)
		ip6[i] = ctx_u32(&skops->local_ip6[i]);
	if (is_v4mapped(ip6))
		key->ip4 = ip6[3];
	else
		__builtin_memcpy(key->ip6, ip6, 16);
}

static inline int is_managed(struct bpf_sock_ops *skops)
{
	struct manager_key key;
	__u32 *v;

	local_key(skops, &key);
	v = bpf_map_lookup_elem(&km_manage, &key);
	return v && *v == 0;
}

/* Defect (b): an AF_INET peer is compared with word 3 only. */
static inline int is_skipped(struct bpf_sock_ops *skops)
{
	__u32 r[4];

	if (skops->family == AF_INET) {
		__u32 peer = ctx_u32(&skops->remote_ip4);

		return peer == node_ip[3] || peer == pod_gateway[3];
	}
	for (int i = 0; i < 4; i++)
		r[i] = ctx_u32(&skops->remote_ip6[i]);
	return (r[0] == node_ip[0] && r[1] == node_ip[1] && r[2] == node_ip[2] &&
		r[3] == node_ip[3]) ||
	       (r[0] == pod_gateway[0] && r[1] == pod_gateway[1] && r[2] == pod_gateway[2] &&
		r[3] == pod_gateway[3]);
}

/* Reverse tuple for the auth request: zeroed, then the view that fits. */
static inline __u32 reverse_tuple(struct bpf_sock_ops *skops, struct bpf_sock_tuple *t)
{
	__u32 l6[4], r6[4];

	__builtin_memset(t, 0, sizeof(*t));
	if (skops->family == AF_INET) {
		t->ipv4.saddr = ctx_u32(&skops->remote_ip4);
		t->ipv4.daddr = ctx_u32(&skops->local_ip4);
		t->ipv4.sport = (__u16)bpf_ntohl(skops->remote_port);
		t->ipv4.dport = (__u16)skops->local_port;
		return IPV4;
	}
	for (int i = 0; i < 4; i++) {
		l6[i] = ctx_u32(&skops->local_ip6[i]);
		r6[i] = ctx_u32(&skops->remote_ip6[i]);
	}
	if (is_v4mapped(l6) || is_v4mapped(r6)) {
		t->ipv4.saddr = r6[3];
		t->ipv4.daddr = l6[3];
		t->ipv4.sport = (__u16)bpf_ntohl(skops->remote_port);
		t->ipv4.dport = (__u16)skops->local_port;
		return IPV4;
	}
	__builtin_memcpy(t->ipv6.saddr, r6, 16);
	__builtin_memcpy(t->ipv6.daddr, l6, 16);
	t->ipv6.sport = (__u16)bpf_ntohl(skops->remote_port);
	t->ipv6.dport = (__u16)skops->local_port;
	return IPV6;
}

/* Defect (a): the cleanup key is built as IPv6 and folded in place, so an
 * IPv4-mapped socket's key keeps IPv6 bytes 12..35. */
static inline void cleanup_key(struct bpf_sock_ops *skops, struct bpf_sock_tuple *t)
{
	__builtin_memset(t, 0, sizeof(*t));
	if (skops->family == AF_INET) {
		reverse_tuple(skops, t);
		return;
	}
	for (int i = 0; i < 4; i++) {
		t->ipv6.saddr[i] = ctx_u32(&skops->remote_ip6[i]);
		t->ipv6.daddr[i] = ctx_u32(&skops->local_ip6[i]);
	}
	t->ipv6.sport = (__u16)bpf_ntohl(skops->remote_port);
	t->ipv6.dport = (__u16)skops->local_port;
	if (is_v4mapped(t->ipv6.saddr) || is_v4mapped(t->ipv6.daddr)) {
		__u32 src = t->ipv6.saddr[3], dst = t->ipv6.daddr[3];
		__u16 sport = t->ipv6.sport, dport = t->ipv6.dport;

		t->ipv4.saddr = src;
		t->ipv4.daddr = dst;
		t->ipv4.sport = sport;
		t->ipv4.dport = dport;
	}
}

/* Client-to-server tuple with host-order ports, written view by view. */
static inline void probe_tuple(struct bpf_sock_ops *skops, struct bpf_sock_tuple *t, __u8 *type,
			       int client_is_local)
{
	struct bpf_sock_tuple rev;

	*type = reverse_tuple(skops, &rev);
	if (*type == IPV4) {
		t->ipv4.saddr = client_is_local ? rev.ipv4.daddr : rev.ipv4.saddr;
		t->ipv4.daddr = client_is_local ? rev.ipv4.saddr : rev.ipv4.daddr;
		t->ipv4.sport = client_is_local ? rev.ipv4.dport : rev.ipv4.sport;
		t->ipv4.dport = client_is_local ? rev.ipv4.sport : rev.ipv4.dport;
		return;
	}
	__builtin_memcpy(t->ipv6.saddr, client_is_local ? rev.ipv6.daddr : rev.ipv6.saddr, 16);
	__builtin_memcpy(t->ipv6.daddr, client_is_local ? rev.ipv6.saddr : rev.ipv6.daddr, 16);
	t->ipv6.sport = client_is_local ? rev.ipv6.dport : rev.ipv6.sport;
	t->ipv6.dport = client_is_local ? rev.ipv6.sport : rev.ipv6.dport;
}

/* Defect (d): the record is filled field by field, never zeroed. */
static inline void report(struct bpf_sock_ops *skops, struct bpf_tcp_sock *tp,
			  struct sock_storage_data *st, __u32 state, __u64 now)
{
	struct km_probe_rec *rec;

	st->last_report_ns = now;
	rec = bpf_ringbuf_reserve(&km_tcp_probe, sizeof(*rec), 0);
	if (!rec) {
		KM_LOG(LOG_WARN, "probe ring full, state %u", state);
		return;
	}
	probe_tuple(skops, &rec->tuple, &rec->type, st->direction != INBOUND);
	__builtin_memcpy(&rec->orig_dst, &st->sk_tuple, sizeof(rec->orig_dst));
	rec->sent_bytes = (__u32)tp->bytes_acked;
	rec->received_bytes = (__u32)tp->bytes_received;
	rec->srtt_us = tp->srtt_us;
	rec->start_ns = st->connect_ns;
	rec->last_report_ns = now;
	rec->state = state;
	rec->direction = st->direction;
	rec->conn_success = st->connect_success;
	rec->rtt_min_us = tp->rtt_min;
	rec->retransmits = tp->total_retrans;
	rec->lost = tp->lost_out;
	rec->duration_ns = now - st->connect_ns;
	bpf_ringbuf_submit(rec, 0);
}

static inline void observe(struct bpf_sock_ops *skops, __u8 direction, int closing)
{
	struct bpf_sock *sk = skops->sk;
	struct sock_storage_data *st;
	struct bpf_tcp_sock *tp;
	__u64 now;

	if (enable_monitoring != 1 || !sk)
		return;
	tp = bpf_tcp_sock(sk);
	if (!tp)
		return;
	st = bpf_sk_storage_get(&km_sockstorage, sk, 0,
				direction == INBOUND ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	if (!st)
		return;
	now = bpf_ktime_get_ns();
	if (closing) {
		report(skops, tp, st, TCP_CLOSE, now);
		return;
	}
	if (direction == INBOUND)
		st->connect_ns = now;
	st->direction = direction;
	st->connect_success = 1;
	report(skops, tp, st, TCP_ESTAB, now);
}

static inline void request_state_cb(struct bpf_sock_ops *skops)
{
	long ret = bpf_sock_ops_cb_flags_set(skops, BPF_SOCK_OPS_STATE_CB_FLAG);

	if (ret)
		KM_LOG(LOG_ERR, "cb_flags_set failed: %ld", ret);
}

static inline void enrol(struct bpf_sock_ops *skops)
{
	__u32 port = bpf_ntohl(skops->remote_port) & 0xffff;
	struct manager_key key;
	__u32 managed = 0;
	long ret;

	if (skops->family == AF_INET) {
		if (ctx_u32(&skops->remote_ip4) != CONTROL_IP4)
			return;
	} else if (ctx_u32(&skops->remote_ip6[0]) || ctx_u32(&skops->remote_ip6[1]) ||
		   ctx_u32(&skops->remote_ip6[2]) ||
		   ctx_u32(&skops->remote_ip6[3]) != CONTROL_IP4) {
		return;
	}
	local_key(skops, &key);
	if (port == PORT_ENABLE) {
		ret = bpf_map_update_elem(&km_manage, &key, &managed, BPF_ANY);
		if (ret)
			KM_LOG(LOG_ERR, "enrol failed: %ld", ret);
	} else if (port == PORT_DISABLE) {
		ret = bpf_map_delete_elem(&km_manage, &key);
		if (ret && ret != -ENOENT)
			KM_LOG(LOG_ERR, "leave failed: %ld", ret);
	}
}

static inline void active_established(struct bpf_sock_ops *skops)
{
	struct bpf_sock *sk = skops->sk;
	struct sock_storage_data *st;
	struct bpf_sock_tuple fwd;
	long ret;

	if (!is_managed(skops))
		return;
	observe(skops, OUTBOUND, 0);
	request_state_cb(skops);
	if (!sk)
		return;
	st = bpf_sk_storage_get(&km_sockstorage, sk, 0, 0);
	if (!st || !st->via_waypoint)
		return;
	__builtin_memset(&fwd, 0, sizeof(fwd));
	if (skops->family == AF_INET) {
		fwd.ipv4.saddr = ctx_u32(&skops->local_ip4);
		fwd.ipv4.daddr = ctx_u32(&skops->remote_ip4);
		fwd.ipv4.sport = bpf_htons((__u16)skops->local_port);
		fwd.ipv4.dport = (__u16)(skops->remote_port >> 16);
	} else {
		for (int i = 0; i < 4; i++) {
			fwd.ipv6.saddr[i] = ctx_u32(&skops->local_ip6[i]);
			fwd.ipv6.daddr[i] = ctx_u32(&skops->remote_ip6[i]);
		}
		fwd.ipv6.sport = bpf_htons((__u16)skops->local_port);
		fwd.ipv6.dport = (__u16)(skops->remote_port >> 16);
	}
	ret = bpf_sock_hash_update(skops, &km_socket, &fwd, BPF_ANY);
	if (ret)
		KM_LOG(LOG_ERR, "sockhash update failed: %ld", ret);
}

static inline void passive_established(struct bpf_sock_ops *skops)
{
	struct km_auth_req *req;
	struct bpf_sock_tuple t;
	__u32 type;

	if (!is_managed(skops) || is_skipped(skops))
		return;
	observe(skops, INBOUND, 0);
	request_state_cb(skops);
	type = reverse_tuple(skops, &t);
	req = bpf_ringbuf_reserve(&km_auth_req, sizeof(*req), 0);
	if (!req) {
		KM_LOG(LOG_ERR, "auth ring full");
		return;
	}
	req->type = type;
	__builtin_memcpy(&req->tuple, &t, sizeof(t));
	bpf_ringbuf_submit(req, 0);
}

static inline void closed(struct bpf_sock_ops *skops)
{
	struct bpf_sock_tuple key;
	long ret;

	observe(skops, 0, 1);
	cleanup_key(skops, &key);
	ret = bpf_map_delete_elem(&km_auth_res, &key);
	if (ret && ret != -ENOENT)
		KM_LOG(LOG_ERR, "auth cleanup failed: %ld", ret);
}

SEC("sockops")
int workload_sockops(struct bpf_sock_ops *skops)
{
	if (skops->family != AF_INET && skops->family != AF_INET6)
		return 0;
	switch (skops->op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		enrol(skops);
		break;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		active_established(skops);
		break;
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		passive_established(skops);
		break;
	case BPF_SOCK_OPS_STATE_CB:
		if (skops->args[1] == TCP_CLOSE)
			closed(skops);
		break;
	default:
		break;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
