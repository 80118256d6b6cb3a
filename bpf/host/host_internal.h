/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * host_internal.h: what the files of bpf/host/ share and nobody else uses.
 */
#pragma once

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "host.h"

#define HOST_CLOCK_START    1000000000ull /* 1 s: a real clock never reads 0 */
#define HOST_MAX_SK_STORAGE 8		  /* sk_storage maps one program may define */

#define HOST_ROUND8(x)	    (((x) + 7u) & ~7u)

/* Hash table with chaining over a preallocated slot array; also the SOCKHASH.
 * A bucket head counts only when its generation is current, so a reset is
 * one increment. Slots are handed out by a bump index, then a free list. */
struct host_slot {
	__u32 next; /* chain: slot index + 1, 0 ends */
	__u32 live;
	__u32 sock_id;	 /* SOCKHASH: the socket this entry names */
	__u32 sock_next; /* SOCKHASH: next entry of the same socket (index + 1) */
};

struct host_hash {
	__u32 mask;  /* buckets - 1 */
	__u32 *head; /* slot index + 1 */
	__u32 *head_gen;
	__u32 gen;
	__u8 *slots;
	__u32 stride, key_off, val_off;
	__u32 count, bump, free_head;
};

struct host_ring {
	__u8 *buf; /* 2 * cap: a record never wraps (the kernel maps the pages twice) */
	__u64 cap, prod, cons;
	__u32 ready; /* submitted records not consumed */
};

struct host_array {
	__u8 *vals;
	__u32 stride;
	__u32 *touched; /* indexes written since the reset */
	__u8 *is_touched;
	__u32 ntouched;
};

struct host_skstor {
	__u8 *vals; /* HOST_MAX_SOCKS * stride, zeroed when created */
	__u32 stride;
	__u32 bit; /* this map's bit in host_sock.storage_mask */
	__u32 count;
};

struct host_map {
	const struct host_map_def *def;
	__u32 index;
	union {
		struct host_hash hash;
		struct host_ring ring;
		struct host_array array;
		struct host_skstor skstor;
	};
};

/* The map whose native definition is DEF (what the program passed), or NULL. */
struct host_map *host_map_of(const void *def);

/* Index of map M in the program's map list (for ring record headers). */
struct host_map *host_map_at(__u32 index);

/* hash.c */
int host_hash__init(struct host_hash *h, __u32 key_size, __u32 value_size, __u32 max_entries);
void host_hash__fini(struct host_hash *h);
void host_hash__reset(struct host_hash *h);
/* Slot index of KEY or -1. */
long host_hash__find(const struct host_hash *h, const void *key, __u32 key_size);
/* Insert KEY (absent) and return its slot, or -E2BIG when max_entries are used. */
long host_hash__insert(struct host_hash *h, const void *key, __u32 key_size, __u32 max_entries);
void host_hash__remove(struct host_hash *h, __u32 slot, __u32 key_size);
static inline struct host_slot *host_hash__slot(const struct host_hash *h, __u32 slot)
{
	return (struct host_slot *)(h->slots + (size_t)slot * h->stride);
}
static inline void *host_hash__key(const struct host_hash *h, __u32 slot)
{
	return h->slots + (size_t)slot * h->stride + h->key_off;
}
static inline void *host_hash__value(const struct host_hash *h, __u32 slot)
{
	return h->slots + (size_t)slot * h->stride + h->val_off;
}

/* Kernel hash update (htab_map_update_elem): flags, EEXIST/ENOENT, E2BIG. */
long host_hash__update(struct host_map *m, const void *key, const void *value, __u64 flags);
long host_hash__delete(struct host_map *m, const void *key);

/* ring.c */
int host_ring__init(struct host_ring *r, __u64 cap);
void host_ring__fini(struct host_ring *r);
void host_ring__reset(struct host_ring *r);
void *host_ring__reserve(struct host_map *m, __u64 size);
void host_ring__commit(void *data, bool discard);

/* sock.c */
struct host_sock *host_sock_of(const void *sk);	    /* NULL unless a live pool socket */
void host_sockhash__drop_sock(struct host_sock *s); /* remove S from every sockhash */
/* Kernel sock_hash_update_common(): S under KEY; 0, -EINVAL, -EEXIST, -ENOENT, -E2BIG. */
long host_sockhash__update(struct host_map *m, const void *key, struct host_sock *s, __u64 flags);
void host_socks__reset(void);
int host_socks__init(void);
void host_socks__fini(void);
void *host_skstor__get(struct host_map *m, struct host_sock *s, bool create);

/* The context the program runs with: the sockops view plus its socket. */
struct host_ctx {
	struct bpf_sock_ops ops;
	struct host_sock *sock;
};
struct host_ctx *host_ctx_of(const struct bpf_sock_ops *ops);

/* fault.c: count the call; true when it must fail, with the error in *ERR. */
bool host_fault__due(enum host_helper h, long *err);
void host_fault__reset(void);

/* runtime.c */
void host_journal__add(const struct host_effect *e);
void host_journal__clear(void);
void host_log__append(const char *text);
void host_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern __u64 host_now_ns;
extern bool host_ready;
