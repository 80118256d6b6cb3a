/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sockhash.h: BPF_MAP_TYPE_SOCKHASH for the helpers (user space's side is
 * host_sockhash__lookup() in host.h).
 */
#pragma once

#include "map.h"

/* The kernel's sock_hash_update_common(): S under KEY in M, a sockhash
 * (host_map__if(m, &host_sockhash_ops));
 * 0, -EINVAL, -EEXIST, -ENOENT or -E2BIG. A socket the key named before
 * loses the entry. */
long host_sockhash__update(struct host_map *m, const void *key, struct host_sock *s, __u64 flags);
