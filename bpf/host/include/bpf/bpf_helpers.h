/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * bpf_helpers.h, native edition: the libbpf API a BPF C program uses, for a
 * native build of that program against the sockfuzz host runtime.
 *
 * The names and signatures are libbpf's; the helpers are ordinary functions
 * implemented in bpf/host/ with the kernel's semantics (SPEC §6). A program
 * compiles unmodified: put bpf/host/include before the system include path.
 * Every helper of the sockops program type is declared: the ones the host
 * implements below, the others in bpf_helper_stubs.h, whose call stops the
 * run with an error that names the helper (code that never calls one still
 * compiles and runs). A helper of no sockops use is not declared at all.
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
#define bpf_trace_vprintk(...)	       host_bpf_trace_vprintk(__VA_ARGS__)
#define bpf_snprintf(...)	       host_bpf_snprintf(__VA_ARGS__)

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

/* Logging: text goes to the host's capture buffer. bpf_trace_printk takes
 * any number of arguments natively (the kernel: three); bpf_trace_vprintk and
 * bpf_snprintf take them as an array of __u64, the kernel's way, and format
 * with the kernel's conversions (%d %i %u %x %X %c %s %p %pI4 %pI6 %pi4 %pi6,
 * the l and ll lengths, %%): anything else is -EINVAL, as there. */
long bpf_trace_printk(const char *fmt, __u32 fmt_size, ...);
long bpf_trace_vprintk(const char *fmt, __u32 fmt_size, const void *data, __u32 data_len);
long bpf_snprintf(char *str, __u32 str_size, const char *fmt, __u64 *data, __u32 data_len);

#define bpf_printk(fmt, ...)                                               \
	({                                                                 \
		static const char ____fmt[] = fmt;                         \
		bpf_trace_printk(____fmt, sizeof(____fmt), ##__VA_ARGS__); \
	})

/*
 * The argument-counting macros libbpf's public API has, under its names:
 * ___bpf_narg(args...) is the number of arguments (0 to 12), ___bpf_fill(arr,
 * args...) stores each, cast to __u64, in arr[0], arr[1], ... The kernel takes
 * at most 12 format arguments (MAX_BPF_FUNC_VARARGS).
 */
#define ___bpf_pick13(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, n, ...) n
#define ___bpf_narg(...) \
	___bpf_pick13(__VA_OPT__(__VA_ARGS__, ) 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define ___bpf_concat(a, b)   a##b
#define ___bpf_apply(fn, n)   ___bpf_concat(fn, n)
#define ___bpf_put(arr, i, x) ((arr)[i] = (__u64)(unsigned long)(x))
#define ___bpf_fill0(arr, i)
#define ___bpf_fill1(arr, i, x) ___bpf_put(arr, i, x)
#define ___bpf_fill2(arr, i, x, ...) \
	___bpf_put(arr, i, x);       \
	___bpf_fill1(arr, i + 1, __VA_ARGS__)
#define ___bpf_fill3(arr, i, x, ...) \
	___bpf_put(arr, i, x);       \
	___bpf_fill2(arr, i + 1, __VA_ARGS__)
#define ___bpf_fill4(arr, i, x, ...) \
	___bpf_put(arr, i, x);       \
	___bpf_fill3(arr, i + 1, __VA_ARGS__)
#define ___bpf_fill5(arr, i, x, ...) \
	___bpf_put(arr, i, x);       \
	___bpf_fill4(arr, i + 1, __VA_ARGS__)
#define ___bpf_fill6(arr, i, x, ...) \
	___bpf_put(arr, i, x);       \
	___bpf_fill5(arr, i + 1, __VA_ARGS__)
#define ___bpf_fill7(arr, i, x, ...) \
	___bpf_put(arr, i, x);       \
	___bpf_fill6(arr, i + 1, __VA_ARGS__)
#define ___bpf_fill8(arr, i, x, ...) \
	___bpf_put(arr, i, x);       \
	___bpf_fill7(arr, i + 1, __VA_ARGS__)
#define ___bpf_fill9(arr, i, x, ...) \
	___bpf_put(arr, i, x);       \
	___bpf_fill8(arr, i + 1, __VA_ARGS__)
#define ___bpf_fill10(arr, i, x, ...) \
	___bpf_put(arr, i, x);        \
	___bpf_fill9(arr, i + 1, __VA_ARGS__)
#define ___bpf_fill11(arr, i, x, ...) \
	___bpf_put(arr, i, x);        \
	___bpf_fill10(arr, i + 1, __VA_ARGS__)
#define ___bpf_fill12(arr, i, x, ...) \
	___bpf_put(arr, i, x);        \
	___bpf_fill11(arr, i + 1, __VA_ARGS__)
#define ___bpf_fill(arr, ...) \
	___bpf_apply(___bpf_fill, ___bpf_narg(__VA_ARGS__))(arr, 0 __VA_OPT__(, __VA_ARGS__))

/* Format into OUT (OUT_SIZE bytes) with the kernel's bpf_snprintf(): the
 * length with the NUL, or a negative error. One slot more than the arguments,
 * so no argument still gives a valid array. */
#define BPF_SNPRINTF(out, out_size, fmt, ...)                           \
	({                                                              \
		static const char ___fmt[] = fmt;                       \
		__u64 ___param[___bpf_narg(__VA_ARGS__) + 1];           \
		___bpf_fill(___param, __VA_ARGS__);                     \
		bpf_snprintf(out, out_size, ___fmt, ___param,           \
			     ___bpf_narg(__VA_ARGS__) * sizeof(__u64)); \
	})

/* What libbpf's header also gives BPF C. */
#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif
#ifndef barrier
#define barrier() __asm__ __volatile__("" : : : "memory")
#endif
#ifndef barrier_var
#define barrier_var(var) __asm__ __volatile__("" : "+r"(var))
#endif
#ifndef __ksym
#define __ksym __attribute__((weak))
#endif
#ifndef __kconfig
#define __kconfig __attribute__((weak))
#endif

/* The sockops helpers the host does not implement (bpf_helper_stubs.h):
 * declared under their own names (libbpf's user-space API has none of them),
 * each a host function that stops the run. */
#define HOST_STUB(ret, name, params) ret name params;
#include "bpf_helper_stubs.h"
#undef HOST_STUB
