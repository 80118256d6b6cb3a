/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * auth.h: authorization requests and their cleanup (SPEC §1 ops 5 and 10, §4).
 *
 * Both use the reverse tuple, which equals the key user space and XDP write
 * into km_auth_res for this connection.
 */
#pragma once

#include "log.h"
#include "tuple.h"

/* Op 5: ask user space to authorize the connection. A full ring drops the
 * request and counts it. */
static __always_inline void auth_request(const struct bpf_sock_ops *skops)
{
	struct km_auth_req *req;

	req = bpf_ringbuf_reserve(&km_auth_req, sizeof(*req), 0);
	if (!req) {
		km_count(KM_CNT_AUTH_REQ_DROPPED);
		km_log_event(KM_LOG_ERR, KM_LOG_AUTH_RING_FULL, 0);
		return;
	}
	__builtin_memset(req, 0, sizeof(*req));
	req->type = tuple_reverse(skops, &req->tuple);
	bpf_ringbuf_submit(req, 0);
}

/* Op 10 to CLOSE: forget the verdict; a missing one is not an error. */
static __always_inline void auth_clean(const struct bpf_sock_ops *skops)
{
	struct bpf_sock_tuple key;
	long err;

	tuple_reverse(skops, &key);
	err = bpf_map_delete_elem(&km_auth_res, &key);
	if (err && err != -KM_ENOENT) {
		km_count(KM_CNT_MAP_DELETE_FAILED);
		km_log_event(KM_LOG_ERR, KM_LOG_AUTH_DELETE, err);
	}
}
