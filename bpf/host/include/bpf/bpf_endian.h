/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * bpf_endian.h, native edition: libbpf's byte-order macros for a native build.
 */
#pragma once

#include <linux/types.h>

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ___bpf_swab16(x) __builtin_bswap16(x)
#define ___bpf_swab32(x) __builtin_bswap32(x)
#define ___bpf_swab64(x) __builtin_bswap64(x)
#else
#define ___bpf_swab16(x) (x)
#define ___bpf_swab32(x) (x)
#define ___bpf_swab64(x) (x)
#endif

#define bpf_htons(x)	   ((__be16)___bpf_swab16((__u16)(x)))
#define bpf_ntohs(x)	   ((__u16)___bpf_swab16((__u16)(x)))
#define bpf_htonl(x)	   ((__be32)___bpf_swab32((__u32)(x)))
#define bpf_ntohl(x)	   ((__u32)___bpf_swab32((__u32)(x)))
#define bpf_cpu_to_be64(x) ((__be64)___bpf_swab64((__u64)(x)))
#define bpf_be64_to_cpu(x) ((__u64)___bpf_swab64((__u64)(x)))
