/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * waypoint.h: sockets that go through a waypoint join km_socket (SPEC §1 op 4).
 */
#pragma once

#include "log.h"
#include "tuple.h"

/* Op 4 on a managed socket: when its storage (created by user space, never
 * here) says via_waypoint, insert it under the forward tuple. */
static __always_inline void waypoint_on_establish(struct bpf_sock_ops *skops)
{
	struct sock_storage_data *st;
	struct bpf_sock_tuple key;
	struct bpf_sock *sk;
	long err;

	sk = skops->sk;
	if (!sk)
		return;
	st = bpf_sk_storage_get(&km_sockstorage, sk, 0, 0);
	if (!st || !st->via_waypoint)
		return;
	tuple_forward(skops, &key);
	err = bpf_sock_hash_update(skops, &km_socket, &key, BPF_ANY);
	if (err) {
		km_count(KM_CNT_MAP_UPDATE_FAILED);
		km_log_event(KM_LOG_ERR, KM_LOG_SOCKHASH_UPDATE, err);
	}
}

/* Ops 4 and 5: ask for STATE_CB so the close reaches us; a failure is logged
 * and changes nothing else. */
static __always_inline void waypoint_request_state_cb(struct bpf_sock_ops *skops)
{
	long ret = bpf_sock_ops_cb_flags_set(skops, BPF_SOCK_OPS_STATE_CB_FLAG);

	if (ret) {
		km_count(KM_CNT_CB_FLAGS_FAILED);
		km_log_event(KM_LOG_ERR, KM_LOG_CB_FLAGS_SET, ret);
	}
}
