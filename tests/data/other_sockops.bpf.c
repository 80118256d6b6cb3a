// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * other_sockops.bpf.c: a small connection tracker, written the way any
 * libbpf-style sockops program is, to show that the native runtime runs a
 * program that is not Kmesh's, unmodified (tests/test_other_program.c).
 *
 * Per local port it counts established connections in a HASH map, reports
 * each establish and close on a ring buffer, keeps per-socket state in socket
 * storage (created on establish) and asks for STATE_CB to see the close.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define CT_AF_INET   2
#define CT_AF_INET6  10
#define CT_TCP_CLOSE 7

enum ct_kind {
	CT_ESTABLISHED = 1,
	CT_CLOSED = 2,
};

struct conn_event {
	__u32 kind; /* enum ct_kind */
	__u32 family;
	__u16 local_port;  /* host order */
	__u16 remote_port; /* host order */
	__u32 active;	   /* 1: we connected, 0: we accepted */
	__u64 count;	   /* connections on local_port after this event */
};

struct conn_state {
	__u64 established_ns;
	__u32 events;
	__s32 cb_rc; /* what bpf_sock_ops_cb_flags_set returned */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32); /* local port */
	__type(value, __u64);
} conn_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} conn_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct conn_state);
} conn_state SEC(".maps");

__u32 watch_port; /* 0: every port */
__u32 cb_request = BPF_SOCK_OPS_STATE_CB_FLAG | BPF_SOCK_OPS_RTT_CB_FLAG;
__u64 events_dropped;
__u64 count_failed;

static __always_inline void emit(struct bpf_sock_ops *skops, __u32 kind, __u32 active, __u64 count)
{
	struct conn_event *ev;

	ev = bpf_ringbuf_reserve(&conn_events, sizeof(*ev), 0);
	if (!ev) {
		__sync_fetch_and_add(&events_dropped, 1);
		return;
	}
	ev->kind = kind;
	ev->family = skops->family;
	ev->local_port = (__u16)skops->local_port;
	ev->remote_port = bpf_ntohs((__u16)(skops->remote_port >> 16));
	ev->active = active;
	ev->count = count;
	bpf_ringbuf_submit(ev, 0);
}

static __always_inline void on_established(struct bpf_sock_ops *skops, __u32 active)
{
	__u32 port = skops->local_port;
	struct bpf_sock *sk = skops->sk;
	__u64 one = 1, now_count = 0, *cnt;
	struct conn_state *st;

	if (watch_port && port != watch_port)
		return;
	cnt = bpf_map_lookup_elem(&conn_count, &port);
	if (cnt) {
		*cnt += 1;
		now_count = *cnt;
	} else if (bpf_map_update_elem(&conn_count, &port, &one, BPF_NOEXIST)) {
		__sync_fetch_and_add(&count_failed, 1);
	} else {
		now_count = 1;
	}
	if (sk) {
		st = bpf_sk_storage_get(&conn_state, sk, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (st) {
			st->established_ns = bpf_ktime_get_ns();
			st->events++;
			st->cb_rc = (__s32)bpf_sock_ops_cb_flags_set(skops, (int)cb_request);
		}
	}
	emit(skops, CT_ESTABLISHED, active, now_count);
}

static __always_inline void on_close(struct bpf_sock_ops *skops)
{
	__u32 port = skops->local_port;
	struct bpf_sock *sk = skops->sk;
	struct conn_state *st;
	__u64 left = 0, *cnt;

	cnt = bpf_map_lookup_elem(&conn_count, &port);
	if (!cnt)
		return;
	if (*cnt > 1) {
		*cnt -= 1;
		left = *cnt;
	} else {
		bpf_map_delete_elem(&conn_count, &port);
	}
	if (sk) {
		st = bpf_sk_storage_get(&conn_state, sk, 0, 0);
		if (st)
			st->events++;
	}
	emit(skops, CT_CLOSED, 0, left);
}

SEC("sockops")
int conn_tracker(struct bpf_sock_ops *skops)
{
	if (skops->family != CT_AF_INET && skops->family != CT_AF_INET6)
		return 0;
	switch (skops->op) {
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		on_established(skops, 1);
		break;
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		on_established(skops, 0);
		break;
	case BPF_SOCK_OPS_STATE_CB:
		if (skops->args[1] == CT_TCP_CLOSE)
			on_close(skops);
		break;
	default:
		break;
	}
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
