// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * host_fixture.bpf.c: a scriptable sockops program for tests/test_host.c.
 *
 * The runtime's context-bound helpers (bpf_sock_ops_cb_flags_set,
 * bpf_sock_hash_update, bpf_get_socket_cookie) can only be called from inside
 * host_sock__fire(). This program records what the context showed it and then
 * performs the one action user space wrote into fx_action, leaving the
 * helper's result in fx_rc. It builds with clang -target bpf like any other
 * program, so it also goes through tools/mapgen.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define FX_MAX_OPS 16

enum fx_action {
	FX_ACT_NONE = 0,
	FX_ACT_CB_FLAGS,       /* fx_rc = cb_flags_set(fx_arg) */
	FX_ACT_SOCKHASH,       /* fx_rc = sock_hash_update(fx_sockhash, fx_key, fx_flags) */
	FX_ACT_TCP_SOCK,       /* fx_rc = 1 with a tcp_sock, 0 without, -1 without sk */
	FX_ACT_COOKIE,	       /* fx_cookie = socket cookie */
	FX_ACT_KTIME,	       /* fx_now = ktime twice, fx_rc = their difference */
	FX_ACT_MAP_UPDATE,     /* fx_rc = update(fx_hash, fx_key, fx_value, fx_flags) */
	FX_ACT_MAP_UPDATE_STK, /* the same with key and value on the program's stack */
	FX_ACT_STORAGE,	       /* fx_rc = storage get(fx_flags) != NULL; stamps byte 0 */
	FX_ACT_RING,	       /* reserve and submit fx_arg records of 40 bytes */
	FX_ACT_PRINTK,	       /* bpf_printk */
};

struct fx_rec {
	__u32 seq;
	__u8 fill[36];
};

struct fx_stor {
	__u8 bytes[64];
};

/* Mirrors km_manage (SPEC §6): the E2BIG boundary at 8192. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 8192);
	__type(key, __u8[16]);
	__type(value, __u32);
} fx_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} fx_small SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} fx_array SEC(".maps");

/* An LRU hash and a per-CPU hash of the kind user programs carry. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} fx_lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} fx_pcpu SEC(".maps");

/* Mirrors km_auth_req: 4096 bytes. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} fx_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct fx_stor);
} fx_stor SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64[2]);
} fx_stor2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 4);
	__type(key, __u8[36]);
	__type(value, __u32);
} fx_sockhash SEC(".maps");

/* The script, written by the test before a fire. */
__u32 fx_action;
__s64 fx_arg;
__u64 fx_flags;
__u8 fx_key[36];
__u32 fx_value;

/* Results and what the context showed. */
__s64 fx_rc;
__u64 fx_cookie;
__u64 fx_now;
__u32 fx_fires[FX_MAX_OPS];
__u32 fx_ctx_op;
__u32 fx_ctx_args[4];
__u32 fx_ctx_family;
__u32 fx_ctx_state;
__u32 fx_ctx_local_port;
__u32 fx_ctx_remote_port;
__u32 fx_ctx_local_ip4;
__u32 fx_ctx_remote_ip4;
__u32 fx_ctx_local_ip6[4];
__u32 fx_ctx_remote_ip6[4];
__u32 fx_ctx_fullsock;
__u32 fx_ctx_cb_flags;
__u32 fx_ctx_has_sk;
__u32 fx_sk_state;
__u32 fx_sk_dst_port;
__u32 fx_sk_src_port;
/* A global with a non-zero initial image, to see that reset restores it. */
__u32 fx_knob = 0x5eed;

static __always_inline void fx_record_ctx(struct bpf_sock_ops *skops)
{
	struct bpf_sock *sk = skops->sk;
	__u32 op = skops->op;

	if (op < FX_MAX_OPS)
		fx_fires[op]++;
	fx_ctx_op = op;
	fx_ctx_args[0] = skops->args[0];
	fx_ctx_args[1] = skops->args[1];
	fx_ctx_args[2] = skops->args[2];
	fx_ctx_args[3] = skops->args[3];
	fx_ctx_family = skops->family;
	fx_ctx_state = skops->state;
	fx_ctx_local_port = skops->local_port;
	fx_ctx_remote_port = skops->remote_port;
	fx_ctx_local_ip4 = skops->local_ip4;
	fx_ctx_remote_ip4 = skops->remote_ip4;
	fx_ctx_local_ip6[0] = skops->local_ip6[0];
	fx_ctx_local_ip6[1] = skops->local_ip6[1];
	fx_ctx_local_ip6[2] = skops->local_ip6[2];
	fx_ctx_local_ip6[3] = skops->local_ip6[3];
	fx_ctx_remote_ip6[0] = skops->remote_ip6[0];
	fx_ctx_remote_ip6[1] = skops->remote_ip6[1];
	fx_ctx_remote_ip6[2] = skops->remote_ip6[2];
	fx_ctx_remote_ip6[3] = skops->remote_ip6[3];
	fx_ctx_fullsock = skops->is_fullsock;
	fx_ctx_cb_flags = skops->bpf_sock_ops_cb_flags;
	fx_ctx_has_sk = sk != NULL;
	if (sk) {
		fx_sk_state = sk->state;
		fx_sk_dst_port = sk->dst_port;
		fx_sk_src_port = sk->src_port;
	}
}

static __always_inline void fx_ring_burst(void)
{
	struct fx_rec *rec;

	for (int i = 0; i < 128; i++) {
		if (i >= fx_arg)
			break;
		rec = bpf_ringbuf_reserve(&fx_ring, sizeof(*rec), 0);
		if (!rec) {
			fx_rc = i;
			return;
		}
		__builtin_memset(rec, 0, sizeof(*rec));
		rec->seq = i;
		bpf_ringbuf_submit(rec, 0);
	}
	fx_rc = fx_arg;
}

SEC("sockops")
int fx_prog(struct bpf_sock_ops *skops)
{
	struct bpf_tcp_sock *tp;
	struct fx_stor *st;
	struct bpf_sock *sk;
	__u8 key[16];
	__u32 value;
	__u64 t0;

	fx_record_ctx(skops);
	switch (fx_action) {
	case FX_ACT_CB_FLAGS:
		fx_rc = bpf_sock_ops_cb_flags_set(skops, (int)fx_arg);
		break;
	case FX_ACT_SOCKHASH:
		fx_rc = bpf_sock_hash_update(skops, &fx_sockhash, fx_key, fx_flags);
		break;
	case FX_ACT_TCP_SOCK:
		sk = skops->sk;
		if (!sk) {
			fx_rc = -1;
			break;
		}
		tp = bpf_tcp_sock(sk);
		fx_rc = tp ? 1 : 0;
		if (tp)
			fx_now = tp->bytes_acked;
		break;
	case FX_ACT_COOKIE:
		fx_cookie = bpf_get_socket_cookie(skops);
		break;
	case FX_ACT_KTIME:
		t0 = bpf_ktime_get_ns();
		fx_now = bpf_ktime_get_ns();
		fx_rc = (__s64)(fx_now - t0);
		break;
	case FX_ACT_MAP_UPDATE:
		fx_rc = bpf_map_update_elem(&fx_hash, fx_key, &fx_value, fx_flags);
		break;
	case FX_ACT_MAP_UPDATE_STK:
		__builtin_memcpy(key, fx_key, sizeof(key));
		value = fx_value;
		fx_rc = bpf_map_update_elem(&fx_hash, key, &value, fx_flags);
		break;
	case FX_ACT_STORAGE:
		sk = skops->sk;
		if (!sk) {
			fx_rc = -1;
			break;
		}
		st = bpf_sk_storage_get(&fx_stor, sk, 0, fx_flags);
		fx_rc = st != NULL;
		if (st)
			st->bytes[0] = 0x77;
		break;
	case FX_ACT_RING:
		fx_ring_burst();
		break;
	case FX_ACT_PRINTK:
		bpf_printk("fx op %u", skops->op);
		break;
	default:
		break;
	}
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
