/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sock.h: the socket pool and the sockops context, for the helpers and the
 * runtime (the public side is host_sock__*() in host.h).
 */
#pragma once

#include "host_internal.h"

/* The context the program runs with: the sockops view plus its socket. */
struct host_ctx {
	struct bpf_sock_ops ops;
	struct host_sock *sock;
};

static inline struct host_ctx *host_ctx_of(const struct bpf_sock_ops *ops)
{
	return (struct host_ctx *)ops; /* ops is the first member */
}

/* The live pool socket whose bpf_sock is SK, else NULL. */
struct host_sock *host_sock_of(const void *sk);

/* Pool ids below this were handed out since the reset. */
__u32 host_socks__span(void);

int host_socks__init(void);
void host_socks__reset(void);
void host_socks__fini(void);
