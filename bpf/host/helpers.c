// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * helpers.c: the BPF helpers a program calls, with the kernel's results
 * (include/uapi/linux/bpf.h helper descriptions, SPEC §6). Each counts its
 * call, may be told to fail (fault.c), and journals what it changed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <bpf/bpf_helpers.h>
#include "fault.h"
#include "journal.h"
#include "map.h"
#include "ringbuf.h"
#include "runtime.h"
#include "sk_storage.h"
#include "sock.h"
#include "sockhash.h"

static void journal(enum host_effect_kind kind, struct host_map *m, const void *key,
		    const void *data, __u32 size, struct host_sock *s, __s64 arg, long rc)
{
	host_journal__add(&(struct host_effect){.kind = kind,
						.map = m,
						.key = key,
						.data = data,
						.size = size,
						.sock = s,
						.arg = arg,
						.rc = rc},
			  m ? m->def->key_size : 0);
}

void *bpf_map_lookup_elem(void *map, const void *key)
{
	struct host_map *m = host_map_of(map);

	host_fault__due(HOST_H_MAP_LOOKUP, NULL);
	/* A sockhash lookup from BPF returns a referenced socket; the host offers
	 * none, so only plain maps answer (the prog_lookup op). */
	if (!m || !m->ops->prog_lookup)
		return NULL;
	return m->ops->prog_lookup(m, key);
}

long bpf_map_update_elem(void *map, const void *key, const void *value, __u64 flags)
{
	struct host_map *m = host_map_of(map);
	long err, rc;

	if (host_fault__due(HOST_H_MAP_UPDATE, &err)) {
		rc = err ? err : -E2BIG;
	} else if (!m) {
		rc = -EINVAL;
	} else {
		rc = host_map__update(m, key, value, flags);
	}
	journal(HOST_FX_MAP_UPDATE, m, key, value, m ? m->def->value_size : 0, NULL, (__s64)flags,
		rc);
	return rc;
}

long bpf_map_delete_elem(void *map, const void *key)
{
	struct host_map *m = host_map_of(map);
	long err, rc;

	/* kernel: a hash delete fails with -EBUSY when its bucket lock is
	 * taken (htab_lock_bucket()), the one failure besides -ENOENT. */
	if (host_fault__due(HOST_H_MAP_DELETE, &err))
		rc = err ? err : -EBUSY;
	else
		rc = m ? host_map__delete(m, key) : -EINVAL;
	journal(HOST_FX_MAP_DELETE, m, key, NULL, 0, NULL, 0, rc);
	return rc;
}

static struct host_map *ring_of(void *map)
{
	return host_map__if(host_map_of(map), &host_ringbuf_ops);
}

void *bpf_ringbuf_reserve(void *ringbuf, __u64 size, __u64 flags)
{
	struct host_map *m = ring_of(ringbuf);
	void *rec = NULL;

	if (!host_fault__due(HOST_H_RINGBUF_RESERVE, NULL) && m && !flags)
		rec = host_ringbuf__reserve(m, size);
	if (!rec)
		journal(HOST_FX_RING_DROP, m, NULL, NULL, (__u32)size, NULL, 0, -EAGAIN);
	return rec;
}

void bpf_ringbuf_submit(void *data, __u64 flags)
{
	host_fault__due(HOST_H_RINGBUF_SUBMIT, NULL);
	host_ringbuf__commit(data, false);
}

void bpf_ringbuf_discard(void *data, __u64 flags)
{
	host_fault__due(HOST_H_RINGBUF_DISCARD, NULL);
	host_ringbuf__commit(data, true);
}

long bpf_ringbuf_output(void *ringbuf, void *data, __u64 size, __u64 flags)
{
	struct host_map *m = ring_of(ringbuf);
	long err;
	void *rec;

	if (host_fault__due(HOST_H_RINGBUF_OUTPUT, &err)) {
		journal(HOST_FX_RING_DROP, m, NULL, NULL, (__u32)size, NULL, 0,
			err ? err : -EAGAIN);
		return err ? err : -EAGAIN;
	}
	if (!m || (flags & ~(__u64)(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)))
		return -EINVAL;
	rec = host_ringbuf__reserve(m, size);
	if (!rec) {
		journal(HOST_FX_RING_DROP, m, NULL, NULL, (__u32)size, NULL, 0, -EAGAIN);
		return -EAGAIN;
	}
	memcpy(rec, data, size);
	host_ringbuf__commit(rec, false);
	return 0;
}

__u64 bpf_ringbuf_query(void *ringbuf, __u64 flags)
{
	host_fault__due(HOST_H_OTHER, NULL);
	return host_ringbuf__query(ring_of(ringbuf), flags);
}

void *bpf_sk_storage_get(void *map, void *sk, void *value, __u64 flags)
{
	struct host_map *m = host_map__if(host_map_of(map), &host_sk_storage_ops);
	struct host_sock *s = host_sock_of(sk);
	bool failing = host_fault__due(HOST_H_SK_STORAGE_GET, NULL);
	void *val;

	/* kernel: NULL for no socket, a request socket, or unknown flags */
	if (!m || !s || !s->fullsock || flags > BPF_LOCAL_STORAGE_GET_F_CREATE)
		return NULL;
	val = host_sk_storage__lookup(m, s, false);
	if (val || !(flags & BPF_LOCAL_STORAGE_GET_F_CREATE) || failing)
		return val; /* an injected fault hits only a call that would allocate */
	val = host_sk_storage__lookup(m, s, true);
	if (value)
		memcpy(val, value, m->def->value_size);
	return val;
}

long bpf_sk_storage_delete(void *map, void *sk)
{
	struct host_map *m = host_map__if(host_map_of(map), &host_sk_storage_ops);
	struct host_sock *s = host_sock_of(sk);

	host_fault__due(HOST_H_SK_STORAGE_DELETE, NULL);
	if (!m || !s)
		return -EINVAL;
	return host_sk_storage__delete(m, s);
}

struct bpf_tcp_sock *bpf_tcp_sock(struct bpf_sock *sk)
{
	struct host_sock *s = host_sock_of(sk);

	host_fault__due(HOST_H_TCP_SOCK, NULL);
	return s && s->fullsock && s->is_tcp ? &s->tp : NULL;
}

struct bpf_sock *bpf_sk_fullsock(struct bpf_sock *sk)
{
	struct host_sock *s = host_sock_of(sk);

	host_fault__due(HOST_H_OTHER, NULL);
	return s && s->fullsock ? sk : NULL;
}

long bpf_sock_ops_cb_flags_set(struct bpf_sock_ops *bpf_sock, int argval)
{
	struct host_ctx *c = host_ctx_of(bpf_sock);
	struct host_sock *s = c->sock;
	long err, rc;

	if (host_fault__due(HOST_H_CB_FLAGS_SET, &err)) {
		rc = err ? err : -EINVAL;
	} else if (!s->fullsock) {
		rc = -EINVAL;
	} else {
		/* kernel: the flags replace the old ones; unknown bits are returned */
		s->cb_flags = (__u32)argval & HOST_CB_FLAGS_ALL;
		c->ops.bpf_sock_ops_cb_flags = s->cb_flags;
		rc = argval & ~HOST_CB_FLAGS_ALL;
	}
	journal(HOST_FX_CB_FLAGS_SET, NULL, NULL, NULL, 0, s, argval, rc);
	return rc;
}

long bpf_sock_hash_update(struct bpf_sock_ops *skops, void *map, void *key, __u64 flags)
{
	struct host_ctx *c = host_ctx_of(skops);
	struct host_map *m = host_map_of(map);
	struct host_sock *s = c->sock;
	__u32 op = c->ops.op;
	long err, rc;

	if (host_fault__due(HOST_H_SOCK_HASH_UPDATE, &err)) {
		rc = err ? err : -ENOMEM;
	} else if (!host_map__if(m, &host_sockhash_ops)) {
		rc = -EINVAL;
	} else if (!s->fullsock || !s->is_tcp ||
		   (op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB &&
		    op != BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB && op != BPF_SOCK_OPS_TCP_LISTEN_CB)) {
		rc = -EOPNOTSUPP; /* kernel: sock_map_sk_is_suitable && sock_map_op_okay */
	} else {
		rc = host_sockhash__update(m, key, s, flags);
	}
	journal(HOST_FX_SOCKHASH_UPDATE, m, key, NULL, 0, s, (__s64)flags, rc);
	return rc;
}

__u64 bpf_get_socket_cookie(void *ctx)
{
	host_fault__due(HOST_H_OTHER, NULL);
	return host_ctx_of(ctx)->sock->cookie;
}

__u64 bpf_ktime_get_ns(void)
{
	host_fault__due(HOST_H_KTIME, NULL);
	return host_now_ns;
}

__u64 bpf_ktime_get_boot_ns(void)
{
	host_fault__due(HOST_H_KTIME, NULL);
	return host_now_ns;
}

__u32 bpf_get_prandom_u32(void)
{
	/* Deterministic: derived from the virtual clock and the call count. */
	__u64 x = host_now_ns ^ (host_helper__calls(HOST_H_OTHER) * 0x9e3779b97f4a7c15ull);

	host_fault__due(HOST_H_OTHER, NULL);
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	return (__u32)(x ^ (x >> 29));
}

__u64 bpf_get_current_pid_tgid(void)
{
	host_fault__due(HOST_H_OTHER, NULL);
	return ((__u64)1000 << 32) | 1000; /* a fixed task */
}

__u32 bpf_get_smp_processor_id(void)
{
	host_fault__due(HOST_H_OTHER, NULL);
	return 0;
}

long bpf_trace_printk(const char *fmt, __u32 fmt_size, ...)
{
	char line[256];
	va_list ap;
	int n;

	host_fault__due(HOST_H_OTHER, NULL);
	va_start(ap, fmt_size);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	host_log__append(line);
	return n < 0 ? -EINVAL : n;
}

/*
 * The kernel's bpf_snprintf() formatting (kernel/bpf/helpers.c,
 * bpf_bprintf_prepare): each conversion takes the next __u64 of DATA; %s and
 * %pI4/%pI6 read through it as a pointer. A conversion may carry the flags
 * "0+- " and a width, as there (no precision, no '#', no 'h'). Returns the
 * length of the whole text with its NUL (what it would have been, as
 * snprintf), or -EINVAL for a conversion the kernel refuses or a count that
 * does not match DATA_LEN.
 */
#define FORMAT_MAX_ARGS 12 /* MAX_BPF_FUNC_VARARGS */

/* One %pI4/%pi4/%pI6/%pi6 address at A into PIECE: the kernel's printk forms
 * (%pI6 four hex digits a group with colons, %pi6 none). */
static void format_ip(char *piece, size_t size, const __u8 *a, char form, char ver)
{
	size_t n = 0;

	if (ver == '4') {
		snprintf(piece, size, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return;
	}
	for (int i = 0; i < 16 && n < size; i += 2)
		n += (size_t)snprintf(piece + n, size - n,
				      form == 'I' && i ? ":%02x%02x" : "%02x%02x", a[i], a[i + 1]);
}

/* Append N bytes of TEXT to OUT (SIZE bytes, kept terminated), counting
 * them in *LEN whether they fit or not; C, when TEXT is NULL, N times. */
static void format_put(char *out, __u32 size, size_t *len, const char *text, char c, size_t n)
{
	for (size_t i = 0; i < n; i++, ++*len)
		if (*len + 1 < size) {
			out[*len] = text ? text[i] : c;
			out[*len + 1] = '\0';
		}
}

static long format_u64(char *out, __u32 size, const char *fmt, const __u64 *data, __u32 data_len)
{
	__u32 nargs = data_len / 8, used = 0;
	size_t len = 0;

	if (data_len % 8 || nargs > FORMAT_MAX_ARGS)
		return -EINVAL;
	if (size)
		out[0] = '\0';
	for (const char *p = fmt; *p;) {
		/* spec: the conversion as C spells it without its width, "%"
		 * flags "ll" conv; the width is applied when the text is put */
		char spec[16] = "%", piece[64];
		const char *text = piece, *q = p + 1;
		bool left = false, zero = false, number = false;
		size_t sl = 1, width = 0, tlen, pad;
		int lng = 0;
		__u64 v;

		if (*p != '%' || p[1] == '%') {
			format_put(out, size, &len, p, 0, 1);
			p += *p == '%' ? 2 : 1;
			continue;
		}
		for (; (*q == '0' || *q == '+' || *q == '-' || *q == ' ') && sl < 8; q++) {
			left |= *q == '-';
			zero |= *q == '0';
			spec[sl++] = *q;
		}
		for (; *q >= '0' && *q <= '9' && width < 1u << 20; q++)
			width = 10 * width + (size_t)(*q - '0');
		if (used >= nargs)
			return -EINVAL;
		v = data[used++];
		while (*q == 'l' && lng < 2)
			q++, lng++;
		switch (*q) {
		case 'd':
		case 'i':
			strcpy(spec + sl, "lld");
			snprintf(piece, sizeof(piece), spec,
				 lng ? (long long)v : (long long)(int)v);
			number = true;
			break;
		case 'u':
		case 'x':
		case 'X':
			spec[sl] = 'l', spec[sl + 1] = 'l', spec[sl + 2] = *q, spec[sl + 3] = '\0';
			snprintf(piece, sizeof(piece), spec,
				 lng ? (unsigned long long)v : (unsigned long long)(__u32)v);
			number = true;
			break;
		case 'c':
			if (lng)
				return -EINVAL;
			piece[0] = (char)v;
			piece[1] = '\0';
			break;
		case 's':
			if (lng)
				return -EINVAL;
			text = v ? (const char *)(unsigned long)v : "(null)";
			break;
		case 'p':
			if (lng)
				return -EINVAL;
			if ((q[1] == 'I' || q[1] == 'i') && (q[2] == '4' || q[2] == '6')) {
				format_ip(piece, sizeof(piece), (const __u8 *)(unsigned long)v,
					  q[1], q[2]);
				q += 2;
			} else {
				/* %p, %pK, %px: a kernel pointer, printed as the value
				 * (the kernel hashes %p; a host address means nothing
				 * to a reader either way) */
				if (q[1] == 'K' || q[1] == 'x')
					q++;
				snprintf(piece, sizeof(piece), "0x%llx", (unsigned long long)v);
			}
			break;
		default:
			return -EINVAL;
		}
		p = q + 1;
		/* The width: spaces before (after, with '-'), or zeros after a
		 * number's sign with '0'. */
		tlen = strlen(text);
		pad = width > tlen ? width - tlen : 0;
		if (zero && number && !left) {
			size_t sign = text[0] == '-' || text[0] == '+' || text[0] == ' ';

			format_put(out, size, &len, text, 0, sign);
			format_put(out, size, &len, NULL, '0', pad);
			format_put(out, size, &len, text + sign, 0, tlen - sign);
			continue;
		}
		if (!left)
			format_put(out, size, &len, NULL, ' ', pad);
		format_put(out, size, &len, text, 0, tlen);
		if (left)
			format_put(out, size, &len, NULL, ' ', pad);
	}
	if (used != nargs)
		return -EINVAL;
	return (long)len + 1;
}

long bpf_snprintf(char *str, __u32 str_size, const char *fmt, __u64 *data, __u32 data_len)
{
	host_fault__due(HOST_H_OTHER, NULL);
	if (!str && str_size)
		return -EINVAL;
	return format_u64(str, str_size, fmt, data, data_len);
}

long bpf_trace_vprintk(const char *fmt, __u32 fmt_size, const void *data, __u32 data_len)
{
	char line[256];
	long n;

	host_fault__due(HOST_H_OTHER, NULL);
	n = format_u64(line, sizeof(line), fmt, data, data_len);
	if (n > 0)
		host_log__append(line);
	return n < 0 ? n : n - 1;
}

/* A helper the host does not implement was called: nothing it could return
 * would have the kernel's meaning, so the run stops here. */
static __attribute__((noreturn)) void unimplemented(const char *name)
{
	fprintf(stderr,
		"sockfuzz: the program called %s(), a helper the host runtime does not"
		" implement (bpf/host/include/bpf/bpf_helper_stubs.h)\n",
		name);
	exit(2);
}

#define HOST_STUB(ret, name, params)  \
	ret name params               \
	{                             \
		unimplemented(#name); \
	}
#include <bpf/bpf_helper_stubs.h>
#undef HOST_STUB
