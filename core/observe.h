/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * observe.h: connection reports to km_tcp_probe (SPEC §5).
 *
 * Gated by enable_monitoring == 1; needs the full socket, its tcp_sock view and
 * its storage. Only inbound establishes create storage: outbound storage is
 * created by user space before the connect.
 */
#pragma once

#include "log.h"
#include "tuple.h"

/* Push one record. It is zeroed before filling, so no byte comes from earlier
 * ring contents; a full ring is counted. */
static __always_inline void observe_report(const struct bpf_sock_ops *skops,
					   struct bpf_tcp_sock *tp, struct sock_storage_data *st,
					   __u8 state, __u64 now)
{
	struct km_probe_rec *rec;

	st->last_report_ns = now;
	rec = bpf_ringbuf_reserve(&km_tcp_probe, sizeof(*rec), 0);
	if (!rec) {
		km_count(KM_CNT_PROBE_DROPPED);
		km_log_event(KM_LOG_WARN, KM_LOG_PROBE_RING_FULL, 0);
		return;
	}
	__builtin_memset(rec, 0, sizeof(*rec));
	/* Client to server: the server is local on inbound sockets. */
	rec->type = tuple_oriented(skops, &rec->tuple, st->direction != KM_DIR_INBOUND);
	rec->state = state;
	rec->direction = st->direction;
	rec->conn_success = st->connect_success;
	__builtin_memcpy(&rec->orig_dst, &st->sk_tuple, sizeof(rec->orig_dst));
	rec->sent_bytes = (__u32)tp->bytes_acked;
	rec->received_bytes = (__u32)tp->bytes_received;
	rec->srtt_us = tp->srtt_us;
	rec->start_ns = st->connect_ns;
	rec->last_report_ns = now;
	rec->duration_ns = now - st->connect_ns;
	rec->rtt_min_us = tp->rtt_min;
	rec->retransmits = tp->total_retrans;
	rec->lost = tp->lost_out;
	bpf_ringbuf_submit(rec, 0);
}

/* Ops 4 and 5: mark the storage with DIR and a successful connect, then report
 * ESTABLISHED. Inbound creates the storage and stamps connect_ns. */
static __always_inline void observe_on_establish(const struct bpf_sock_ops *skops,
						 enum km_direction dir)
{
	struct sock_storage_data *st;
	struct bpf_tcp_sock *tp;
	struct bpf_sock *sk;
	__u64 now;

	if (enable_monitoring != 1)
		return;
	sk = skops->sk;
	if (!sk)
		return;
	tp = bpf_tcp_sock(sk);
	if (!tp)
		return;
	st = bpf_sk_storage_get(&km_sockstorage, sk, 0,
				dir == KM_DIR_INBOUND ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	if (!st)
		return;
	now = bpf_ktime_get_ns();
	if (dir == KM_DIR_INBOUND)
		st->connect_ns = now;
	st->direction = dir;
	st->connect_success = 1;
	observe_report(skops, tp, st, KM_TCP_ESTABLISHED, now);
}

/* Op 10 to CLOSE: report CLOSE when the socket has storage (never created here). */
static __always_inline void observe_on_close(const struct bpf_sock_ops *skops)
{
	struct sock_storage_data *st;
	struct bpf_tcp_sock *tp;
	struct bpf_sock *sk;

	if (enable_monitoring != 1)
		return;
	sk = skops->sk;
	if (!sk)
		return;
	tp = bpf_tcp_sock(sk);
	if (!tp)
		return;
	st = bpf_sk_storage_get(&km_sockstorage, sk, 0, 0);
	if (!st)
		return;
	observe_report(skops, tp, st, KM_TCP_CLOSE, bpf_ktime_get_ns());
}
