/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * manage.h: which pods Kmesh manages (SPEC §2 enrolment, §3 managed and skipped).
 */
#pragma once

#include "log.h"
#include "tuple.h"

/* The km_manage key of the socket's local address: zeroed, then the IPv4
 * address (AF_INET or IPv4-mapped AF_INET6) in bytes 0..3, or all 16 bytes. */
static __always_inline void manage_key_of_local(const struct bpf_sock_ops *skops,
						struct manager_key *key)
{
	__be32 l6[4];

	__builtin_memset(key, 0, sizeof(*key));
	if (skops->family == KM_AF_INET) {
		key->ip4 = KM_CTX_U32(skops->local_ip4);
		return;
	}
	tuple_load_ip6(skops->local_ip6, l6);
	if (tuple_ip6_is_v4mapped(l6)) {
		key->ip4 = l6[3];
		return;
	}
	__builtin_memcpy(key->ip6, l6, sizeof(key->ip6));
}

/* True when km_manage holds KM_MANAGED under the socket's local address key. */
static __always_inline bool manage_sock_is_managed(const struct bpf_sock_ops *skops)
{
	struct manager_key key;
	__u32 *value;

	manage_key_of_local(skops, &key);
	value = bpf_map_lookup_elem(&km_manage, &key);
	return value && *value == KM_MANAGED;
}

/* True when the remote address is exactly 0.0.0.2 (AF_INET) or ::2 (AF_INET6). */
static __always_inline bool manage_peer_is_control(const struct bpf_sock_ops *skops)
{
	__be32 r6[4];

	if (skops->family == KM_AF_INET)
		return KM_CTX_U32(skops->remote_ip4) == bpf_htonl(KM_CONTROL_IP4);
	tuple_load_ip6(skops->remote_ip6, r6);
	return r6[0] == 0 && r6[1] == 0 && r6[2] == 0 && r6[3] == bpf_htonl(KM_CONTROL_IP4);
}

/* Op 3: a connect to the control address enrols (929) or releases (930) the
 * local address. Anything else leaves km_manage untouched. */
static __always_inline void manage_on_connect(const struct bpf_sock_ops *skops)
{
	__u16 port = tuple_remote_port(skops);
	struct manager_key key;
	__u32 managed = KM_MANAGED;
	long err;

	if (!manage_peer_is_control(skops))
		return;
	if (port == KM_CONTROL_PORT_ENROL) {
		manage_key_of_local(skops, &key);
		err = bpf_map_update_elem(&km_manage, &key, &managed, BPF_ANY);
		if (err) {
			km_count(KM_CNT_MAP_UPDATE_FAILED);
			km_log_event(KM_LOG_ERR, KM_LOG_MANAGE_UPDATE, err);
		}
	} else if (port == KM_CONTROL_PORT_LEAVE) {
		manage_key_of_local(skops, &key);
		err = bpf_map_delete_elem(&km_manage, &key);
		if (err && err != -KM_ENOENT) {
			km_count(KM_CNT_MAP_DELETE_FAILED);
			km_log_event(KM_LOG_ERR, KM_LOG_MANAGE_DELETE, err);
		}
	}
}

/* True when GLOBAL (16 bytes, network order, IPv4 stored IPv4-mapped) names the
 * peer. Same family only: an AF_INET peer matches a v4-mapped global, an
 * AF_INET6 peer the full 16 bytes; an all-zero global matches nothing. */
static __always_inline bool manage_global_is_peer(const struct bpf_sock_ops *skops,
						  const __u32 global[4])
{
	__be32 g[4] = {global[0], global[1], global[2], global[3]};
	__be32 r6[4];

	if (!(g[0] | g[1] | g[2] | g[3]))
		return false;
	if (skops->family == KM_AF_INET)
		return tuple_ip6_is_v4mapped(g) && g[3] == KM_CTX_U32(skops->remote_ip4);
	tuple_load_ip6(skops->remote_ip6, r6);
	return g[0] == r6[0] && g[1] == r6[1] && g[2] == r6[2] && g[3] == r6[3];
}

/* True when the peer is the node or the pod gateway: such connections are not
 * observed, authorized or tracked (SPEC §3). */
static __always_inline bool manage_peer_is_skipped(const struct bpf_sock_ops *skops)
{
	return manage_global_is_peer(skops, node_ip) || manage_global_is_peer(skops, pod_gateway);
}
