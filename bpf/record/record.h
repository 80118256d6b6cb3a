/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * record.h: what the recording build of the sockops program writes for each
 * callback, before the program runs (issue: the kernel as oracle).
 *
 * One record holds the whole context the core reads: the sockops fields, the
 * bpf_sock and bpf_tcp_sock views, the socket cookie and the time the
 * program's bpf_ktime_get_ns() returns during this callback. Native replay
 * sets up the host socket and clock from it, so real time and TCP internals
 * are replayed, not ignored.
 */
#pragma once

#include <linux/types.h>

#define KM_REC_RING_SIZE (16 * 1024 * 1024)

/* Flags of struct km_rec. */
#define KM_REC_FULLSOCK 0x1 /* skops->sk was not NULL */
#define KM_REC_TCP	0x2 /* bpf_tcp_sock() gave a socket */

struct km_rec {
	__u64 seq;    /* order of callbacks, across CPUs */
	__u64 now_ns; /* what bpf_ktime_get_ns() returns in this callback */
	__u64 cookie; /* bpf_get_socket_cookie() */
	__u32 op;
	__u32 args[4];
	__u32 family;
	__u32 local_ip4, remote_ip4; /* network order */
	__u32 local_ip6[4], remote_ip6[4];
	__u32 local_port;  /* host order */
	__u32 remote_port; /* as the context holds it */
	__u32 is_fullsock;
	__u32 state;
	__u32 cb_flags; /* bpf_sock_ops_cb_flags before the program runs */
	__u32 flags;	/* KM_REC_* */
	/* bpf_tcp_sock() fields the core reads */
	__u32 srtt_us, rtt_min, total_retrans, lost_out;
	__u64 bytes_received, bytes_acked;
};
