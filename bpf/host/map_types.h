/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * map_types.h: the map types the host emulates, one row each, like the
 * kernel's include/linux/bpf_types.h: HOST_MAP_TYPE(BPF_MAP_TYPE_..., ops),
 * the ops defined in the type's own file. Include with HOST_MAP_TYPE defined;
 * no include guard on purpose.
 */
HOST_MAP_TYPE(BPF_MAP_TYPE_HASH, host_hash_ops)
HOST_MAP_TYPE(BPF_MAP_TYPE_ARRAY, host_array_ops)
HOST_MAP_TYPE(BPF_MAP_TYPE_PERCPU_HASH, host_hash_ops)	 /* one CPU: hash.c */
HOST_MAP_TYPE(BPF_MAP_TYPE_PERCPU_ARRAY, host_array_ops) /* one CPU: array.c */
HOST_MAP_TYPE(BPF_MAP_TYPE_LRU_HASH, host_hash_ops)	 /* exact LRU: hash.c */
HOST_MAP_TYPE(BPF_MAP_TYPE_LRU_PERCPU_HASH, host_hash_ops)
HOST_MAP_TYPE(BPF_MAP_TYPE_SOCKHASH, host_sockhash_ops)
HOST_MAP_TYPE(BPF_MAP_TYPE_SK_STORAGE, host_sk_storage_ops)
HOST_MAP_TYPE(BPF_MAP_TYPE_RINGBUF, host_ringbuf_ops)
