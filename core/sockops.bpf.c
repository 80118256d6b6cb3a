// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sockops.bpf.c: the sockops program (SPEC §1), the only entry of core/.
 *
 * Built twice from this one source: by clang -target bpf for the kernel, and
 * natively against bpf/host/include, where the same helpers have the kernel's
 * semantics. It returns 0 on every path and never writes reply.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "sockops.h"
#include "maps.h"
#include "manage.h"
#include "observe.h"
#include "auth.h"
#include "waypoint.h"

SEC("sockops")
int sockops_prog(struct bpf_sock_ops *skops)
{
	__u32 family = skops->family;

	if (family != KM_AF_INET && family != KM_AF_INET6)
		return 0;

	switch (skops->op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		manage_on_connect(skops);
		break;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		if (!manage_sock_is_managed(skops))
			break;
		observe_on_establish(skops, KM_DIR_OUTBOUND);
		waypoint_request_state_cb(skops);
		waypoint_on_establish(skops);
		break;
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		if (!manage_sock_is_managed(skops) || manage_peer_is_skipped(skops))
			break;
		observe_on_establish(skops, KM_DIR_INBOUND);
		waypoint_request_state_cb(skops);
		auth_request(skops);
		break;
	case BPF_SOCK_OPS_STATE_CB:
		/* No managed check: STATE_CB fires only for sockets that asked for it. */
		if (skops->args[1] == KM_TCP_CLOSE) {
			observe_on_close(skops);
			auth_clean(skops);
		}
		break;
	default:
		break;
	}
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
