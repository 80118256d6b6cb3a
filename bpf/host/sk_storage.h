/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sk_storage.h: BPF_MAP_TYPE_SK_STORAGE for the helpers (user space's side is
 * host_sk_storage__get() in host.h).
 */
#pragma once

#include "map.h"

/* Both take M a storage map: host_map__if(m, &host_sk_storage_ops) says
 * whether it is one. */

/* The storage of S in M, or NULL when absent and not CREATE; created zeroed
 * (journalled) with it. */
void *host_sk_storage__lookup(struct host_map *m, struct host_sock *s, bool create);

/* bpf_sk_storage_delete(): 0, or -ENOENT when S has no storage in M. */
long host_sk_storage__delete(struct host_map *m, struct host_sock *s);
