// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tcp.c: the TCP counters the world keeps for the program to read
 * (bpf_tcp_sock()): what the handshake measured and what sending moves.
 * Loopback's figures are net/loopback.h's: a round trip takes LO_RTT_US,
 * a segment carries LO_MSS bytes at most, and every segment arrives and is
 * acknowledged at once.
 */
#include "world/world_internal.h"

void tp_new(struct host_sock *s)
{
	/* tcp_init_sock(): minmax_reset(&tp->rtt_min, ..., ~0U); no RTT measured yet. */
	s->tp.rtt_min = ~0u;
}

void tp_established(struct host_sock *s, __u32 segs_in, __u32 segs_out)
{
	s->tp.srtt_us = LO_RTT_US << 3;
	s->tp.rtt_min = LO_RTT_US;
	s->tp.snd_cwnd = LO_INIT_CWND;
	s->tp.mss_cache = LO_MSS;
	s->tp.segs_in += segs_in;
	s->tp.segs_out += segs_out;
}

void tp_send(struct host_sock *x, struct host_sock *y, __u64 n)
{
	__u64 segs = n / LO_MSS + (n % LO_MSS != 0);

	if (segs > 0xffffffffu)
		segs = 0xffffffffu;
	x->tp.bytes_acked += n;
	x->tp.segs_out += (__u32)segs;
	x->tp.data_segs_out += (__u32)segs;
	x->tp.delivered += (__u32)segs;
	x->tp.segs_in++; /* the ACK */
	y->tp.bytes_received += n;
	y->tp.segs_in += (__u32)segs;
	y->tp.data_segs_in += (__u32)segs;
	y->tp.segs_out++;
	host_clock__advance(LO_RTT_US * 1000ull);
}
