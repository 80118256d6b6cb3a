/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * log.h: counters and structured log records (SPEC §7).
 *
 * A log record is a level, a site code and the helper's result; user space
 * renders the text. Properties read counters, never logs.
 */
#pragma once

#include "maps.h"

static __always_inline void km_count(enum km_counter id)
{
	__sync_fetch_and_add(&km_counters[id], 1);
}

/* Emit a log record when LEVEL is enabled; a full log ring is counted, not retried. */
static __always_inline void km_log_event(enum km_log_level level, enum km_log_site site, __s64 arg)
{
	struct km_log_rec *rec;

	if (level > log_level)
		return;
	rec = bpf_ringbuf_reserve(&km_log, sizeof(*rec), 0);
	if (!rec) {
		km_count(KM_CNT_LOG_DROPPED);
		return;
	}
	rec->level = level;
	rec->site = site;
	rec->arg = arg;
	bpf_ringbuf_submit(rec, 0);
}
