// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * record.bpf.c: the recording build of the program under test for the kernel
 * (core/sockops.bpf.c, or the one make PROG= names).
 *
 * The production source is included unmodified (KM_REC_PROG, its path), with
 * its own flags. Its entry is renamed and made a static always-inline
 * function (record.mk defines the entry's name, which mapgen --entry reads
 * from the program's own object, as KM_REC_PRODUCTION's declaration), so this
 * file's entry records the callback's context into km_record and then runs
 * the very same code. The program's clock reads are pinned to the time
 * recorded for the callback, so native replay can give it the same time. The
 * production object, built from the program alone, has none of this.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "record.h"

#if !defined(KM_REC_PROG) || !defined(KM_REC_PRODUCTION)
#error "bpf/record/record.mk passes the program: -DKM_REC_PROG=\"path\", its entry's rename and KM_REC_PRODUCTION"
#endif

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, KM_REC_RING_SIZE);
} km_record SEC(".maps");

/* The time of the running callback, per CPU: a sockops program runs with
 * migration disabled and does not nest on one CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} km_record_now SEC(".maps");

__u64 km_record_seq;
__u64 km_record_dropped;

static __always_inline __u64 km_recorded_now(void)
{
	__u32 zero = 0;
	__u64 *now = bpf_map_lookup_elem(&km_record_now, &zero);

	return now ? *now : 0;
}

/* libbpf's SEC() also marks a function "used", which would keep the renamed
 * static entry as a second (unloadable) program; without it the entry is
 * inlined into sockops_record and leaves no trace. */
#undef SEC
#define SEC(name)	   __attribute__((section(name)))
#define bpf_ktime_get_ns() km_recorded_now()
#include KM_REC_PROG
#undef bpf_ktime_get_ns
#undef SEC
#define SEC(name)      __attribute__((section(name), used))

#define REC_U32(field) (*(const volatile __u32 *)&(field))

SEC("sockops")
int sockops_record(struct bpf_sock_ops *skops)
{
	struct bpf_tcp_sock *tp = 0;
	struct bpf_sock *sk;
	struct km_rec *rec;
	__u32 zero = 0;
	__u64 *now;

	now = bpf_map_lookup_elem(&km_record_now, &zero);
	if (now)
		*now = bpf_ktime_get_ns();
	rec = bpf_ringbuf_reserve(&km_record, sizeof(*rec), 0);
	if (!rec) {
		__sync_fetch_and_add(&km_record_dropped, 1);
		return KM_REC_PRODUCTION(skops);
	}
	__builtin_memset(rec, 0, sizeof(*rec));
	rec->seq = __sync_fetch_and_add(&km_record_seq, 1);
	rec->now_ns = now ? *now : 0;
	rec->cookie = bpf_get_socket_cookie(skops);
	rec->op = REC_U32(skops->op);
	rec->args[0] = REC_U32(skops->args[0]);
	rec->args[1] = REC_U32(skops->args[1]);
	rec->args[2] = REC_U32(skops->args[2]);
	rec->args[3] = REC_U32(skops->args[3]);
	rec->family = REC_U32(skops->family);
	rec->local_ip4 = REC_U32(skops->local_ip4);
	rec->remote_ip4 = REC_U32(skops->remote_ip4);
	for (int i = 0; i < 4; i++) {
		rec->local_ip6[i] = REC_U32(skops->local_ip6[i]);
		rec->remote_ip6[i] = REC_U32(skops->remote_ip6[i]);
	}
	rec->local_port = REC_U32(skops->local_port);
	rec->remote_port = REC_U32(skops->remote_port);
	rec->is_fullsock = REC_U32(skops->is_fullsock);
	rec->state = REC_U32(skops->state);
	rec->cb_flags = REC_U32(skops->bpf_sock_ops_cb_flags);
	sk = skops->sk;
	if (sk) {
		rec->flags |= KM_REC_FULLSOCK;
		tp = bpf_tcp_sock(sk);
	}
	if (tp) {
		rec->flags |= KM_REC_TCP;
		rec->srtt_us = tp->srtt_us;
		rec->rtt_min = tp->rtt_min;
		rec->total_retrans = tp->total_retrans;
		rec->lost_out = tp->lost_out;
		rec->bytes_received = tp->bytes_received;
		rec->bytes_acked = tp->bytes_acked;
	}
	/* No wakeup: nobody waits on km_record (the driver takes the records
	 * after each step without polling), and a wakeup is an irq_work, a
	 * self-IPI per callback. */
	bpf_ringbuf_submit(rec, BPF_RB_NO_WAKEUP);
	return KM_REC_PRODUCTION(skops);
}
