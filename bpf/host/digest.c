// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * digest.c: the whole observable state as one number (host_state__digest()
 * in host.h). Each map type folds its own contents (the digest ops).
 */
#include <stddef.h>
#include "map.h"
#include "sock.h"

/* The maps of a scope, found once. */
struct scope_maps {
	const struct host_map *m[HOST_DIGEST_MAX_MAPS];
	unsigned int n;
};

static void find_maps(const struct host_digest_scope *sc, struct scope_maps *out)
{
	unsigned int n = sc->maps ? sc->nr_maps : host_prog.nr_maps;

	out->n = 0;
	for (unsigned int i = 0; i < n && out->n < HOST_DIGEST_MAX_MAPS; i++) {
		const struct host_map *m =
			sc->maps ? host_map__by_name(sc->maps[i]) : host_map_at(i);

		if (m)
			out->m[out->n++] = m;
	}
}

static struct host_sock *scope_sock(const struct host_digest_scope *sc, unsigned int i)
{
	return sc->sock ? sc->sock(sc->sock_ctx, i) : host_sock__by_id(i);
}

static unsigned int scope_nr_socks(const struct host_digest_scope *sc)
{
	return sc->sock ? sc->nr_socks : host_socks__span();
}

static __u64 digest_globals(const struct host_digest_scope *sc, __u64 h)
{
	if (!sc->globals) {
		for (unsigned int i = 0; i < host_prog.nr_globals; i++)
			h = host_digest__bytes(h, host_prog.globals[i].addr,
					       host_prog.globals[i].size);
		return h;
	}
	for (unsigned int i = 0; i < sc->nr_globals; i++) {
		size_t size;
		const void *p = host_global__ptr(sc->globals[i], &size);

		if (p)
			h = host_digest__bytes(h, p, size);
	}
	return h;
}

static __u64 digest_sock(const struct host_digest_scope *sc, const struct scope_maps *maps,
			 const struct host_sock *s, __u64 h)
{
	if (sc->flags & HOST_DIGEST_SOCK_CB_FLAGS)
		h = host_digest__bytes(h, &s->cb_flags, sizeof(s->cb_flags));
	else
		h = host_digest__bytes(h, s, offsetof(struct host_sock, cookie));
	for (unsigned int i = 0; i < maps->n; i++)
		if (maps->m[i]->ops->digest_sock)
			h = maps->m[i]->ops->digest_sock(maps->m[i], s, h);
	return h;
}

static __u64 digest_runtime(const struct host_digest_scope *sc, const struct scope_maps *maps,
			    __u64 h)
{
	unsigned int n;

	for (unsigned int i = 0; i < maps->n; i++) {
		__u32 count = host_map__count(maps->m[i]);

		h = host_digest__bytes(h, &count, sizeof(count));
	}
	for (unsigned int i = 0; i < scope_nr_socks(sc); i++) {
		const struct host_sock *s = scope_sock(sc, i);

		if (s)
			h = host_digest__bytes(h, &s->cookie, sizeof(s->cookie));
	}
	for (int i = 0; i < HOST_H__MAX; i++) {
		__u64 calls = host_helper__calls(i);

		h = host_digest__bytes(h, &calls, sizeof(calls));
	}
	host_journal(&n, NULL);
	h = host_digest__bytes(h, &n, sizeof(n));
	return host_journal__digest(h);
}

__u64 host_state__digest(__u64 seed, const struct host_digest_scope *scope)
{
	static const struct host_digest_scope everything;
	const struct host_digest_scope *sc = scope ? scope : &everything;
	__u64 h = seed, now = host_clock__now();
	const char *log = host_log__text();
	struct scope_maps maps;

	find_maps(sc, &maps);
	for (unsigned int i = 0; i < maps.n; i++)
		if (maps.m[i]->ops->digest)
			h = maps.m[i]->ops->digest(maps.m[i], h);
	h = digest_globals(sc, h);
	for (unsigned int i = 0; i < scope_nr_socks(sc); i++) {
		const struct host_sock *s = scope_sock(sc, i);

		if (s)
			h = digest_sock(sc, &maps, s, h);
	}
	h = host_digest__bytes(h, &now, sizeof(now));
	h = host_digest__bytes(h, log, strlen(log));
	if (sc->flags & HOST_DIGEST_RUNTIME)
		h = digest_runtime(sc, &maps, h);
	return h;
}
