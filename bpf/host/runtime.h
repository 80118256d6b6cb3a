/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * runtime.h: the runtime's own state the helpers read and write: the
 * virtual clock and the log capture (the public side is host_clock__*() and
 * host_log__text() in host.h).
 */
#pragma once

#include "host_internal.h"

extern __u64 host_now_ns; /* the virtual clock */

/* Append TEXT to the log capture, dropping what does not fit. */
void host_log__append(const char *text);
