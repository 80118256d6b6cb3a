/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * bpf_helpers.h, native edition: the libbpf API a BPF C program uses, for a
 * native build of that program against the sockfuzz host runtime.
 *
 * The names and signatures are libbpf's; the helpers are ordinary functions
 * implemented in bpf/host/ with the kernel's semantics (SPEC §6). A program
 * compiles unmodified: put bpf/host/include before the system include path.
 * Only the helpers the host implements are declared, so a program that uses
 * another one fails to compile instead of misbehaving.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <linux/bpf.h>

/* Sections mean nothing natively: the generated program descriptor finds the
 * maps, globals and entry points (tools/mapgen.c). */
#define SEC(name)

/* Map definitions, exactly as libbpf spells them: the values live in the
 * types, and stay there for the compiler to check. */
#define __uint(name, val)  int(*name)[val]
#define __type(name, val)  typeof(val) *name
#define __array(name, val) typeof(val) *name[]

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif
#ifndef __weak
#define __weak __attribute__((weak))
#endif
#ifndef __hidden
#define __hidden __attribute__((visibility("hidden")))
#endif

/* The helpers are host functions named host_bpf_*: a binary that also links
 * libbpf (whose user-space bpf_map_update_elem() takes an fd) must never call
 * one for the other. The program's source says bpf_*(); these map the calls
 * (function-like, so struct bpf_tcp_sock keeps its name). */
#define bpf_map_lookup_elem(...)       host_bpf_map_lookup_elem(__VA_ARGS__)
#define bpf_map_update_elem(...)       host_bpf_map_update_elem(__VA_ARGS__)
#define bpf_map_delete_elem(...)       host_bpf_map_delete_elem(__VA_ARGS__)
#define bpf_ringbuf_reserve(...)       host_bpf_ringbuf_reserve(__VA_ARGS__)
#define bpf_ringbuf_submit(...)	       host_bpf_ringbuf_submit(__VA_ARGS__)
#define bpf_ringbuf_discard(...)       host_bpf_ringbuf_discard(__VA_ARGS__)
#define bpf_ringbuf_output(...)	       host_bpf_ringbuf_output(__VA_ARGS__)
#define bpf_ringbuf_query(...)	       host_bpf_ringbuf_query(__VA_ARGS__)
#define bpf_sk_storage_get(...)	       host_bpf_sk_storage_get(__VA_ARGS__)
#define bpf_sk_storage_delete(...)     host_bpf_sk_storage_delete(__VA_ARGS__)
#define bpf_tcp_sock(...)	       host_bpf_tcp_sock(__VA_ARGS__)
#define bpf_sk_fullsock(...)	       host_bpf_sk_fullsock(__VA_ARGS__)
#define bpf_sock_ops_cb_flags_set(...) host_bpf_sock_ops_cb_flags_set(__VA_ARGS__)
#define bpf_sock_hash_update(...)      host_bpf_sock_hash_update(__VA_ARGS__)
#define bpf_get_socket_cookie(...)     host_bpf_get_socket_cookie(__VA_ARGS__)
#define bpf_ktime_get_ns(...)	       host_bpf_ktime_get_ns(__VA_ARGS__)
#define bpf_ktime_get_boot_ns(...)     host_bpf_ktime_get_boot_ns(__VA_ARGS__)
#define bpf_get_prandom_u32(...)       host_bpf_get_prandom_u32(__VA_ARGS__)
#define bpf_get_current_pid_tgid(...)  host_bpf_get_current_pid_tgid(__VA_ARGS__)
#define bpf_get_smp_processor_id(...)  host_bpf_get_smp_processor_id(__VA_ARGS__)
#define bpf_trace_printk(...)	       host_bpf_trace_printk(__VA_ARGS__)

/* Maps: kernel return conventions (0 or -errno; NULL from lookup). */
void *bpf_map_lookup_elem(void *map, const void *key);
long bpf_map_update_elem(void *map, const void *key, const void *value, __u64 flags);
long bpf_map_delete_elem(void *map, const void *key);

/* Ring buffers: reserve returns NULL when the record does not fit. */
void *bpf_ringbuf_reserve(void *ringbuf, __u64 size, __u64 flags);
void bpf_ringbuf_submit(void *data, __u64 flags);
void bpf_ringbuf_discard(void *data, __u64 flags);
long bpf_ringbuf_output(void *ringbuf, void *data, __u64 size, __u64 flags);
__u64 bpf_ringbuf_query(void *ringbuf, __u64 flags);

/* Sockets. */
void *bpf_sk_storage_get(void *map, void *sk, void *value, __u64 flags);
long bpf_sk_storage_delete(void *map, void *sk);
struct bpf_tcp_sock *bpf_tcp_sock(struct bpf_sock *sk);
struct bpf_sock *bpf_sk_fullsock(struct bpf_sock *sk);
long bpf_sock_ops_cb_flags_set(struct bpf_sock_ops *bpf_sock, int argval);
long bpf_sock_hash_update(struct bpf_sock_ops *skops, void *map, void *key, __u64 flags);
__u64 bpf_get_socket_cookie(void *ctx);

/* Time and identity: a virtual clock and fixed values, never the host's. */
__u64 bpf_ktime_get_ns(void);
__u64 bpf_ktime_get_boot_ns(void);
__u32 bpf_get_prandom_u32(void);
__u64 bpf_get_current_pid_tgid(void);
__u32 bpf_get_smp_processor_id(void);

/* Logging: text goes to the host's capture buffer. */
long bpf_trace_printk(const char *fmt, __u32 fmt_size, ...);

#define bpf_printk(fmt, ...)                                               \
	({                                                                 \
		static const char ____fmt[] = fmt;                         \
		bpf_trace_printk(____fmt, sizeof(____fmt), ##__VA_ARGS__); \
	})
