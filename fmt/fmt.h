/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fmt.h: readable forms of what the properties compare (sockets, tuples,
 * records, journal effects), for failure diffs and traces. Never on the pass
 * path: text is made only when a property failed or a trace was asked for.
 *
 * Every function appends to a struct fmt_text and cannot fail; output beyond
 * the buffer is cut off. A leaf above the world: the properties, the
 * executor's trace and the oracle all use it.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include "bpf/host/host.h"
#include "world/world.h"
#include "sockops.h"

/* A text being built into a fixed buffer: appends truncate and never fail. */
struct fmt_text {
	char *buf;
	size_t cap, len;
};
void fmt_add(struct fmt_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fmt_vadd(struct fmt_text *t, const char *fmt, va_list ap);

/* An op or TCP state by its text-form name (input/FORMAT.md), else the number. */
void fmt_op(struct fmt_text *t, __u32 op);
void fmt_state(struct fmt_text *t, __u32 state);

/* "sock#3 AF_INET 127.0.0.5:40000 -> 127.0.0.9:8080 established cb_flags=0x4". */
void fmt_sock(struct fmt_text *t, const struct host_sock *s);

/* "op active_established args=0,0,0,0 on sock#3 ... -> ret 0". */
void fmt_event(struct fmt_text *t, const struct sf_world_event *ev);

/* A tuple decoded (IPv4 view when bytes 12..35 are zero, else IPv6) with its
 * ports read as NET_PORTS says, then its 36 bytes in hex. */
void fmt_tuple(struct fmt_text *t, const struct bpf_sock_tuple *tp, bool net_ports);

/* WANT and GOT (LEN bytes) in hex on two lines, with ^ under each byte that differs. */
void fmt_bytes_diff(struct fmt_text *t, const void *want, const void *got, size_t len);

/* Two tuples: decoded and in hex, differing bytes marked. */
void fmt_tuple_diff(struct fmt_text *t, const struct bpf_sock_tuple *want,
		    const struct bpf_sock_tuple *got, bool net_ports);

/* The fields of SPEC's records (§1 op 5, §5) by name, offset and size in
 * sockops.h's layout: what a program's record is read against by name. */
enum fmt_field_kind {
	FMT_F_UINT,  /* unsigned integer of the field's size, native order */
	FMT_F_TUPLE, /* struct bpf_sock_tuple, host-order ports */
};

struct fmt_field {
	const char *name;
	__u16 off, size;
	enum fmt_field_kind kind;
};

extern const struct fmt_field fmt_auth_req_fields[], fmt_probe_fields[];
extern const unsigned int fmt_auth_req_nfields, fmt_probe_nfields;

/* Records field by field, '*' on the fields that differ; GOT may be shorter
 * than the record (GOT_LEN bytes), the missing fields then show as absent. */
void fmt_auth_req_diff(struct fmt_text *t, const struct km_auth_req *want, const void *got,
		       __u32 got_len);
void fmt_probe_diff(struct fmt_text *t, const struct km_probe_rec *want, const void *got,
		    __u32 got_len);

/* A km_manage key as the address it holds. */
void fmt_manager_key(struct fmt_text *t, const struct manager_key *key);

/* One journal entry, or all of them one per line. */
void fmt_effect(struct fmt_text *t, const struct host_effect *e);
void fmt_journal(struct fmt_text *t, const struct host_effect *list, unsigned int n);
