/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * kernel_internal.h: what the files of bpf/kernel share and nobody else uses.
 */
#pragma once

#if !defined(SF_MODULE_kernel)
#error "bpf/kernel/kernel_internal.h is kernel's own: include bpf/kernel/kernel.h"
#endif

#include "kernel.h"

/* Print a warning to stderr, prefixed "kern: ". */
void kern_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* CLOCK_MONOTONIC in milliseconds, and what is left until DEADLINE (>= 0),
 * in the unit poll() and epoll_wait() take. */
__u64 kern_now_ms(void);
int kern_ms_left(__u64 deadline);

/* Upper bound on wait rounds, whatever the time: a wait that wakes this often
 * without progress is broken, not slow. */
#define KERN_WAIT_MAX_ROUNDS 100000

/* netns.c: in a fresh network namespace, bring lo up, route 0.0.0.2/32 and
 * ::2/128 to it as local, and add ADDRS. Returns 0 or the first -errno. */
int kern_netns__setup(const struct kern_addr *addrs, size_t cnt);
