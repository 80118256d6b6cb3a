/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * upstream_like_common.h: what upstream_like.bpf.c shares with the TC
 * programs of its project: helpers sockops never reaches, so the host
 * runtime must declare them (bpf/host/include/bpf/bpf_helper_stubs.h) but
 * need not implement them.
 */
#pragma once

static inline __u64 netns_of(void *ctx)
{
	return bpf_get_netns_cookie(ctx);
}

static inline int peek_header(void *skb, void *to, __u32 len)
{
	return bpf_skb_load_bytes(skb, 0, to, len);
}
