/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * bpf_helper_stubs.h: the helpers a sockops program may name that the host
 * runtime does not implement, one row each: HOST_STUB(return type, name,
 * (parameters)). They are declared (bpf_helpers.h), so code that names one
 * compiles; a call stops the run with an error naming the helper
 * (helpers.c). The list is the sockops program type's helpers (kernel 6.18
 * sock_ops_func_proto and the base set it falls back to) that bpf/host/helpers.c
 * does not define, plus bpf_skb_load_bytes, which headers shared with TC
 * programs use in code sockops never reaches. Include with HOST_STUB
 * defined; no include guard on purpose.
 */
HOST_STUB(long, bpf_setsockopt,
	  (void *bpf_socket, int level, int optname, void *optval, int optlen))
HOST_STUB(long, bpf_getsockopt,
	  (void *bpf_socket, int level, int optname, void *optval, int optlen))
HOST_STUB(long, bpf_sock_map_update,
	  (struct bpf_sock_ops * skops, void *map, void *key, __u64 flags))
HOST_STUB(void *, bpf_get_local_storage, (void *map, __u64 flags))
HOST_STUB(long, bpf_perf_event_output, (void *ctx, void *map, __u64 flags, void *data, __u64 size))
HOST_STUB(__u64, bpf_get_netns_cookie, (void *ctx))
HOST_STUB(long, bpf_load_hdr_opt,
	  (struct bpf_sock_ops * skops, void *searchby_res, __u32 len, __u64 flags))
HOST_STUB(long, bpf_store_hdr_opt,
	  (struct bpf_sock_ops * skops, const void *from, __u32 len, __u64 flags))
HOST_STUB(long, bpf_reserve_hdr_opt, (struct bpf_sock_ops * skops, __u32 len, __u64 flags))
HOST_STUB(long, bpf_skb_load_bytes, (const void *skb, __u32 offset, void *to, __u32 len))
HOST_STUB(long, bpf_map_push_elem, (void *map, const void *value, __u64 flags))
HOST_STUB(long, bpf_map_pop_elem, (void *map, void *value))
HOST_STUB(long, bpf_map_peek_elem, (void *map, void *value))
HOST_STUB(void *, bpf_map_lookup_percpu_elem, (void *map, const void *key, __u32 cpu))
HOST_STUB(long, bpf_for_each_map_elem,
	  (void *map, void *callback_fn, void *callback_ctx, __u64 flags))
HOST_STUB(long, bpf_loop, (__u32 nr_loops, void *callback_fn, void *callback_ctx, __u64 flags))
HOST_STUB(long, bpf_tail_call, (void *ctx, void *prog_array_map, __u32 index))
HOST_STUB(__u32, bpf_get_numa_node_id, (void))
HOST_STUB(__u64, bpf_ktime_get_coarse_ns, (void))
HOST_STUB(__u64, bpf_jiffies64, (void))
HOST_STUB(long, bpf_spin_lock, (struct bpf_spin_lock * lock))
HOST_STUB(long, bpf_spin_unlock, (struct bpf_spin_lock * lock))
HOST_STUB(long, bpf_strncmp, (const char *s1, __u32 s1_sz, const char *s2))
HOST_STUB(long, bpf_probe_read_kernel, (void *dst, __u32 size, const void *unsafe_ptr))
HOST_STUB(long, bpf_probe_read_kernel_str, (void *dst, __u32 size, const void *unsafe_ptr))
HOST_STUB(void *, bpf_per_cpu_ptr, (const void *percpu_ptr, __u32 cpu))
HOST_STUB(void *, bpf_this_cpu_ptr, (const void *percpu_ptr))
HOST_STUB(long, bpf_snprintf_btf,
	  (char *str, __u32 str_size, struct btf_ptr *ptr, __u32 btf_ptr_size, __u64 flags))
HOST_STUB(struct tcp_sock *, bpf_skc_to_tcp_sock, (void *sk))
HOST_STUB(long, bpf_timer_init, (struct bpf_timer * timer, void *map, __u64 flags))
HOST_STUB(long, bpf_timer_start, (struct bpf_timer * timer, __u64 nsecs, __u64 flags))
HOST_STUB(long, bpf_timer_cancel, (struct bpf_timer * timer))
HOST_STUB(long, bpf_ringbuf_reserve_dynptr,
	  (void *ringbuf, __u32 size, __u64 flags, struct bpf_dynptr *ptr))
