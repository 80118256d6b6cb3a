// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fmt.c: readable forms for diffs and traces (fmt.h).
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "fmt/fmt.h"

void fmt_vadd(struct fmt_text *t, const char *fmt, va_list ap)
{
	int n;

	if (!t->cap || t->len >= t->cap - 1)
		return;
	n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	if (n > 0)
		t->len = t->len + (size_t)n < t->cap ? t->len + (size_t)n : t->cap - 1;
}

void fmt_add(struct fmt_text *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vadd(t, fmt, ap);
	va_end(ap);
}

/* NAME, or WHAT and the number V when it has none. */
static void fmt_named(struct fmt_text *t, const char *name, const char *what, __u32 v)
{
	if (name)
		fmt_add(t, "%s", name);
	else
		fmt_add(t, "%s %u", what, v);
}

void fmt_op(struct fmt_text *t, __u32 op)
{
	fmt_named(t, sf_op_name(op), "op", op);
}

void fmt_state(struct fmt_text *t, __u32 state)
{
	fmt_named(t, sf_state_name(state), "state", state);
}

static void fmt_ip(struct fmt_text *t, const void *addr, bool v4)
{
	char buf[INET6_ADDRSTRLEN];

	if (!inet_ntop(v4 ? AF_INET : AF_INET6, addr, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "?");
	fmt_add(t, v4 ? "%s" : "[%s]", buf);
}

static const char *family_name(__u32 family)
{
	return family == KM_AF_INET ? "AF_INET" : family == KM_AF_INET6 ? "AF_INET6" : NULL;
}

void fmt_sock(struct fmt_text *t, const struct host_sock *s)
{
	bool v4 = s->family == KM_AF_INET;
	const char *fam = family_name(s->family);

	fmt_add(t, "sock#%u ", s->id);
	if (fam)
		fmt_add(t, "%s ", fam);
	else
		fmt_add(t, "family %u ", s->family);
	fmt_ip(t, v4 ? (const void *)&s->local_ip4 : s->local_ip6, v4);
	fmt_add(t, ":%u -> ", s->local_port);
	fmt_ip(t, v4 ? (const void *)&s->remote_ip4 : s->remote_ip6, v4);
	fmt_add(t, ":%u ", s->remote_port);
	fmt_state(t, s->state);
	fmt_add(t, " cb_flags=%#x%s%s", s->cb_flags, s->fullsock ? "" : " reqsock",
		s->is_tcp ? "" : " notcp");
}

void fmt_event(struct fmt_text *t, const struct sf_world_event *ev)
{
	if (!ev->fired) {
		fmt_add(t, "close without a callback: ");
		fmt_sock(t, ev->sock);
		return;
	}
	fmt_op(t, ev->op);
	fmt_add(t, " args=%u,%u,%u,%u on ", ev->args[0], ev->args[1], ev->args[2], ev->args[3]);
	fmt_sock(t, ev->sock);
	fmt_add(t, " -> ret %d", ev->ret);
}

static bool ipv6_part_zero(const struct bpf_sock_tuple *tp)
{
	static const __u8 zero[sizeof(*tp) - 12];

	return !memcmp((const __u8 *)tp + 12, zero, sizeof(zero));
}

static __u16 port_of(__be16 field, bool net_ports)
{
	return net_ports ? ntohs(field) : (__u16)field;
}

static void fmt_hex(struct fmt_text *t, const void *p, size_t len)
{
	const __u8 *b = p;

	for (size_t i = 0; i < len; i++)
		fmt_add(t, "%s%02x", i && i % 4 == 0 ? " " : "", b[i]);
}

/* The tuple decoded, without its bytes. */
static void fmt_tuple_decoded(struct fmt_text *t, const struct bpf_sock_tuple *tp, bool net_ports)
{
	bool v4 = ipv6_part_zero(tp);

	if (v4) {
		fmt_ip(t, &tp->ipv4.saddr, true);
		fmt_add(t, ":%u -> ", port_of(tp->ipv4.sport, net_ports));
		fmt_ip(t, &tp->ipv4.daddr, true);
		fmt_add(t, ":%u (IPv4 view", port_of(tp->ipv4.dport, net_ports));
	} else {
		fmt_ip(t, tp->ipv6.saddr, false);
		fmt_add(t, ":%u -> ", port_of(tp->ipv6.sport, net_ports));
		fmt_ip(t, tp->ipv6.daddr, false);
		fmt_add(t, ":%u (IPv6 view", port_of(tp->ipv6.dport, net_ports));
	}
	fmt_add(t, ", %s ports)", net_ports ? "network-order" : "host-order");
}

void fmt_tuple(struct fmt_text *t, const struct bpf_sock_tuple *tp, bool net_ports)
{
	fmt_tuple_decoded(t, tp, net_ports);
	fmt_add(t, "\n      hex ");
	fmt_hex(t, tp, sizeof(*tp));
}

void fmt_bytes_diff(struct fmt_text *t, const void *want, const void *got, size_t len)
{
	const __u8 *w = want, *g = got;

	fmt_add(t, "      want ");
	fmt_hex(t, w, len);
	fmt_add(t, "\n      got  ");
	fmt_hex(t, g, len);
	fmt_add(t, "\n           ");
	for (size_t i = 0; i < len; i++)
		fmt_add(t, "%s%s", i && i % 4 == 0 ? " " : "", w[i] != g[i] ? "^^" : "  ");
	fmt_add(t, "\n");
}

void fmt_tuple_diff(struct fmt_text *t, const struct bpf_sock_tuple *want,
		    const struct bpf_sock_tuple *got, bool net_ports)
{
	fmt_add(t, "    want ");
	fmt_tuple_decoded(t, want, net_ports);
	fmt_add(t, "\n    got  ");
	fmt_tuple_decoded(t, got, net_ports);
	fmt_add(t, "\n");
	fmt_bytes_diff(t, want, got, sizeof(*want));
}

#define FIELD(type, member, kind)                                                  \
	{                                                                          \
#member, offsetof(type, member), sizeof(((type *)0)->member), kind \
	}

const struct fmt_field fmt_auth_req_fields[] = {
	FIELD(struct km_auth_req, type, FMT_F_UINT),
	FIELD(struct km_auth_req, tuple, FMT_F_TUPLE),
};

const unsigned int fmt_auth_req_nfields = 2;

const struct fmt_field fmt_probe_fields[] = {
	FIELD(struct km_probe_rec, type, FMT_F_UINT),
	FIELD(struct km_probe_rec, state, FMT_F_UINT),
	FIELD(struct km_probe_rec, direction, FMT_F_UINT),
	FIELD(struct km_probe_rec, conn_success, FMT_F_UINT),
	FIELD(struct km_probe_rec, tuple, FMT_F_TUPLE),
	FIELD(struct km_probe_rec, orig_dst, FMT_F_TUPLE),
	FIELD(struct km_probe_rec, sent_bytes, FMT_F_UINT),
	FIELD(struct km_probe_rec, received_bytes, FMT_F_UINT),
	FIELD(struct km_probe_rec, srtt_us, FMT_F_UINT),
	FIELD(struct km_probe_rec, start_ns, FMT_F_UINT),
	FIELD(struct km_probe_rec, last_report_ns, FMT_F_UINT),
	FIELD(struct km_probe_rec, duration_ns, FMT_F_UINT),
	FIELD(struct km_probe_rec, rtt_min_us, FMT_F_UINT),
	FIELD(struct km_probe_rec, retransmits, FMT_F_UINT),
	FIELD(struct km_probe_rec, lost, FMT_F_UINT),
	FIELD(struct km_probe_rec, reserved, FMT_F_UINT),
};
const unsigned int fmt_probe_nfields = sizeof(fmt_probe_fields) / sizeof(fmt_probe_fields[0]);
_Static_assert(sizeof(fmt_auth_req_fields) / sizeof(fmt_auth_req_fields[0]) == 2, "auth fields");

static unsigned long long uint_at(const __u8 *p, __u16 size)
{
	__u64 v64 = 0;
	__u32 v32 = 0;
	__u16 v16 = 0;

	switch (size) {
	case 1:
		return *p;
	case 2:
		memcpy(&v16, p, 2);
		return v16;
	case 4:
		memcpy(&v32, p, 4);
		return v32;
	default:
		memcpy(&v64, p, 8);
		return v64;
	}
}

/* The fields that differ one per line, in detail; then the equal ones on
 * one line, so that a whole record fits a failure's diff. */
static void fmt_fields(struct fmt_text *t, const struct fmt_field *f, unsigned int n,
		       const void *want, const void *got, __u32 got_len)
{
	const __u8 *w = want, *g = got;

	for (unsigned int i = 0; i < n; i++) {
		bool absent = f[i].off + f[i].size > got_len;

		if (!absent && !memcmp(w + f[i].off, g + f[i].off, f[i].size))
			continue;
		fmt_add(t, "  * %s:", f[i].name);
		if (absent) {
			fmt_add(t, " absent (the record is %u bytes)\n", got_len);
		} else if (f[i].kind == FMT_F_TUPLE) {
			fmt_add(t, "\n");
			fmt_tuple_diff(t, (const void *)(w + f[i].off),
				       (const void *)(g + f[i].off), false);
		} else {
			fmt_add(t, " want %llu, got %llu (%#llx)\n",
				uint_at(w + f[i].off, f[i].size), uint_at(g + f[i].off, f[i].size),
				uint_at(g + f[i].off, f[i].size));
		}
	}
	fmt_add(t, "    equal:");
	for (unsigned int i = 0; i < n; i++) {
		if (f[i].off + f[i].size > got_len || memcmp(w + f[i].off, g + f[i].off, f[i].size))
			continue;
		fmt_add(t, " %s=", f[i].name);
		if (f[i].kind == FMT_F_TUPLE)
			fmt_tuple_decoded(t, (const void *)(w + f[i].off), false);
		else
			fmt_add(t, "%llu", uint_at(w + f[i].off, f[i].size));
	}
	fmt_add(t, "\n");
}

void fmt_auth_req_diff(struct fmt_text *t, const struct km_auth_req *want, const void *got,
		       __u32 got_len)
{
	fmt_fields(t, fmt_auth_req_fields, fmt_auth_req_nfields, want, got, got_len);
}

void fmt_probe_diff(struct fmt_text *t, const struct km_probe_rec *want, const void *got,
		    __u32 got_len)
{
	fmt_fields(t, fmt_probe_fields, fmt_probe_nfields, want, got, got_len);
}

void fmt_manager_key(struct fmt_text *t, const struct manager_key *key)
{
	static const __u8 zero[12];
	bool v4 = !memcmp(key->ip6 + 1, zero, sizeof(zero));

	fmt_ip(t, key, v4);
	fmt_add(t, " (hex ");
	fmt_hex(t, key, sizeof(*key));
	fmt_add(t, ")");
}

static const char *map_name(const struct host_map *m)
{
	return m ? host_map__name(m) : "(no map)";
}

/* A key of MAP in its own terms: tuples for the 36-byte keys, addresses for
 * km_manage, hex otherwise. */
static void fmt_key(struct fmt_text *t, const struct host_map *m, const void *key)
{
	__u32 size = m && key ? host_map__key_size(m) : 0;

	if (size == sizeof(struct bpf_sock_tuple))
		fmt_tuple(t, key, host_map__type(m) == BPF_MAP_TYPE_SOCKHASH);
	else if (size == sizeof(struct manager_key))
		fmt_manager_key(t, key);
	else if (size)
		fmt_hex(t, key, size);
	else
		fmt_add(t, "-");
}

void fmt_effect(struct fmt_text *t, const struct host_effect *e)
{
	switch (e->kind) {
	case HOST_FX_MAP_UPDATE:
		fmt_add(t, "map_update %s rc=%ld flags=%lld key ", map_name(e->map), e->rc,
			(long long)e->arg);
		fmt_key(t, e->map, e->key);
		if (e->data && e->size) {
			fmt_add(t, " value ");
			fmt_hex(t, e->data, e->size);
		}
		break;
	case HOST_FX_MAP_DELETE:
		fmt_add(t, "map_delete %s rc=%ld key ", map_name(e->map), e->rc);
		fmt_key(t, e->map, e->key);
		break;
	case HOST_FX_RING_SUBMIT:
		fmt_add(t, "ring_submit %s %u bytes", map_name(e->map), e->size);
		break;
	case HOST_FX_RING_DROP:
		fmt_add(t, "ring_drop %s %u bytes (full or failed)", map_name(e->map), e->size);
		break;
	case HOST_FX_STORAGE_CREATE:
		fmt_add(t, "storage_create %s sock#%u", map_name(e->map),
			e->sock ? e->sock->id : 0);
		break;
	case HOST_FX_CB_FLAGS_SET:
		fmt_add(t, "cb_flags_set sock#%u flags=%#llx rc=%ld", e->sock ? e->sock->id : 0,
			(unsigned long long)e->arg, e->rc);
		break;
	case HOST_FX_SOCKHASH_UPDATE:
		fmt_add(t, "sockhash_update %s sock#%u rc=%ld key ", map_name(e->map),
			e->sock ? e->sock->id : 0, e->rc);
		fmt_key(t, e->map, e->key);
		break;
	}
}

void fmt_journal(struct fmt_text *t, const struct host_effect *list, unsigned int n)
{
	if (!n)
		fmt_add(t, "    (no effects)\n");
	for (unsigned int i = 0; i < n; i++) {
		fmt_add(t, "    %u: ", i);
		fmt_effect(t, &list[i]);
		fmt_add(t, "\n");
	}
}
