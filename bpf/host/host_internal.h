/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * host_internal.h: the base every file of bpf/host/ includes, and nobody
 * outside it: the public API and the few definitions all modules share.
 * Each module declares what it offers the others in a header of its own
 * (map.h, journal.h, fault.h, sock.h, ...); this one depends on none of them.
 */
#pragma once

#if !defined(SF_MODULE_host)
#error "bpf/host/host_internal.h is host's own: include bpf/host/host.h"
#endif

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "host.h"

#define HOST_ROUND8(x) (((x) + 7u) & ~7u)

/* Print a warning through host_set_print()'s function (runtime.c). */
void host_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
