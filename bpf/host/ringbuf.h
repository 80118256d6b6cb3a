/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ringbuf.h: the producer side of BPF_MAP_TYPE_RINGBUF, for the helpers (the
 * consumer side is host_ring__*() in host.h). Reserve and query take any
 * map (or NULL) and treat one that is no ring, which the kernel's verifier
 * would not let a program pass, as having no room and no records;
 * host_map__if(m, &host_ringbuf_ops) says which it is.
 */
#pragma once

#include "map.h"

/* A record of SIZE bytes filled with HOST_RING_POISON, or NULL when it does
 * not fit (the kernel's capacity rule). */
void *host_ringbuf__reserve(struct host_map *m, __u64 size);

/* Submit (journalled) or discard the record host_ringbuf__reserve() gave. */
void host_ringbuf__commit(void *data, bool discard);

/* bpf_ringbuf_query(): BPF_RB_AVAIL_DATA, _RING_SIZE, _CONS_POS, _PROD_POS. */
__u64 host_ringbuf__query(struct host_map *m, __u64 flags);
