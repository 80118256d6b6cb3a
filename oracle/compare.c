// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * compare.c: native runs against the kernel's recording (oracle.h).
 *
 * The replay of a recording must leave every observable the kernel left:
 * km_manage, km_auth_res and km_socket (SPEC §6's maps, by name), every
 * record of every ring buffer map of the program, by name, in order, byte for
 * byte, the counters (when the program has km_counters), and each socket's
 * cb flags before each callback. A part the program lacks is absent on both
 * sides. Ring bytes the program never wrote (natively still
 * HOST_RING_POISON, in the kernel the ring's earlier contents) differ by
 * construction: counted apart (orc_diff.unwritten), not as a difference.
 * The lifecycle expansion must fire, step by step, the callbacks the kernel
 * fired. Each difference names the event (or step) where it starts.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "host.h"
#include "oracle.h"
#include "probe.h"
#include "lib/words.h"
#include "run/exec.h"
#include "world/world.h"

#define MAX_TOUCH   512
#define TOUCH_INDEX (2 * MAX_TOUCH) /* slots of the index of touch[]: a power of two */

struct cmp {
	const struct orc_kernel_run *kr;
	struct orc_diff *d;
	size_t text_len;
	bool final_only;    /* the kernel recorded no callback (the production object) */
	unsigned int event; /* program runs so far */
	/* replay */
	size_t nrings; /* native rings (below), by name as they first receive a record */
	struct {
		const struct host_map *map;
		__u8 key[36];
		unsigned int event;
	} touch[MAX_TOUCH]; /* the last event that wrote each key */
	size_t ntouch;
	__u16 touch_index[TOUCH_INDEX]; /* touch[] by map and key: its index + 1, 0: free */
	/* expansion: the native world's context of each callback */
	unsigned int step;
	struct {
		__u32 step;
		struct km_rec ctx; /* in the recording's form, so one compare serves */
	} ev[ORC_MAX_RECS];
	size_t nev;
	/* the records each ring received natively, and the event of each; big:
	 * reset by count (nrings, and n as a ring is taken) */
	struct orc_ring rings[ORC_MAX_RINGS];
	unsigned int ring_event[ORC_MAX_RINGS][ORC_MAX_RING];
};

__attribute__((format(printf, 2, 3))) static void diff(struct cmp *c, const char *fmt, ...)
{
	size_t room = sizeof(c->d->text) - c->text_len;
	va_list ap;
	int n;

	if (c->d->count++ >= 8 || room < 2)
		return; /* the first ones say where it starts */
	va_start(ap, fmt);
	n = vsnprintf(c->d->text + c->text_len, room, fmt, ap);
	va_end(ap);
	c->text_len += n < 0 ? 0 : ((size_t)n < room ? (size_t)n : room - 1);
}

static const char *tuple_str(const struct bpf_sock_tuple *t, char *buf, size_t len)
{
	static const __u8 zero[24];
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	if (!memcmp((const __u8 *)t + 12, zero, sizeof(zero))) {
		inet_ntop(AF_INET, &t->ipv4.saddr, a, sizeof(a));
		inet_ntop(AF_INET, &t->ipv4.daddr, b, sizeof(b));
		snprintf(buf, len, "%s:%u > %s:%u (0x%04x, 0x%04x)", a, t->ipv4.sport, b,
			 t->ipv4.dport, t->ipv4.sport, t->ipv4.dport);
	} else {
		inet_ntop(AF_INET6, t->ipv6.saddr, a, sizeof(a));
		inet_ntop(AF_INET6, t->ipv6.daddr, b, sizeof(b));
		snprintf(buf, len, "[%s]:%u > [%s]:%u", a, t->ipv6.sport, b, t->ipv6.dport);
	}
	return buf;
}

static void hex(char *out, size_t len, const void *p, size_t n)
{
	const __u8 *b = p;

	out[0] = '\0';
	for (size_t i = 0; i < n && 2 * i + 3 <= len; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* C reset for a comparison with KR into D: the counts only, as nothing past
 * them is read (the arrays are sized for the largest run; zeroing them every
 * run would cost more than a small run's comparison). */
static void cmp_reset(struct cmp *c, const struct orc_kernel_run *kr, struct orc_diff *d)
{
	c->kr = kr;
	c->d = d;
	c->text_len = 0;
	c->final_only = false;
	c->event = 0;
	c->nrings = c->ntouch = c->nev = 0;
	memset(c->touch_index, 0, sizeof(c->touch_index));
	c->step = 0;
	d->count = d->unwritten = 0;
	d->text[0] = d->unwritten_text[0] = '\0';
}

/* ---- the replay ---- */

/* The slot of the touch index that holds M's KEY, or the free one where it
 * goes (open addressing; the index is never more than half full). Every
 * write of every callback is noted, and a large run's touches reach
 * MAX_TOUCH: a search of touch[] for each scanned up to all of them. */
static size_t touch_slot(const struct cmp *c, const struct host_map *m, const void *key)
{
	__u32 ks = host_map__key_size(m);
	size_t i;

	for (i = orc_probe_home(sf_hash_bytes(key, ks) ^ (__u64)(uintptr_t)m, TOUCH_INDEX);
	     c->touch_index[i]; i = orc_probe_next(i, TOUCH_INDEX)) {
		size_t t = c->touch_index[i] - 1u;

		if (c->touch[t].map == m && sf_same_bytes(c->touch[t].key, key, ks))
			break;
	}
	return i;
}

static void note_touch(struct cmp *c, const struct host_effect *e)
{
	size_t s;

	if (!e->key || !e->map || host_map__key_size(e->map) > sizeof(c->touch[0].key))
		return; /* a key longer than SPEC's longest: its writes are not named */
	s = touch_slot(c, e->map, e->key);
	if (!c->touch_index[s]) {
		if (c->ntouch == MAX_TOUCH)
			return;
		c->touch[c->ntouch].map = e->map;
		memcpy(c->touch[c->ntouch].key, e->key, host_map__key_size(e->map));
		c->touch_index[s] = (__u16)++c->ntouch;
	}
	c->touch[c->touch_index[s] - 1u].event = c->event;
}

static int touched_at(const struct cmp *c, const struct host_map *m, const void *key)
{
	size_t s;

	if (host_map__key_size(m) > sizeof(c->touch[0].key))
		return -1; /* never noted (note_touch()) */
	s = touch_slot(c, m, key);

	return c->touch_index[s] ? (int)c->touch[c->touch_index[s] - 1u].event : -1;
}

const struct orc_ring *orc_kernel_run__ring(const struct orc_kernel_run *kr, const char *name)
{
	for (size_t i = 0; i < kr->nrings; i++)
		if (!strncmp(kr->rings[i].name, name, sizeof(kr->rings[i].name)))
			return &kr->rings[i];
	return NULL;
}

/* The native ring NAME, made empty on first use; NULL past ORC_MAX_RINGS
 * (the kernel side keeps no more either). */
static struct orc_ring *native_ring(struct cmp *c, const char *name, size_t *idx)
{
	size_t i;

	for (i = 0; i < c->nrings; i++)
		if (!strncmp(c->rings[i].name, name, sizeof(c->rings[i].name)))
			break;
	if (i == c->nrings) {
		if (i == ORC_MAX_RINGS)
			return NULL;
		c->nrings++;
		snprintf(c->rings[i].name, sizeof(c->rings[i].name), "%s", name);
		c->rings[i].n = 0;
	}
	*idx = i;
	return &c->rings[i];
}

static void note_record(struct cmp *c, const char *name, const void *data, __u32 size)
{
	size_t r;
	struct orc_ring *o = native_ring(c, name, &r);

	if (!o || o->n == ORC_MAX_RING)
		return;
	c->ring_event[r][o->n] = c->event;
	o->len[o->n] = (__u16)(size < 0xffff ? size : 0xffff);
	memcpy(o->rec[o->n], data, size < ORC_MAX_REC ? size : ORC_MAX_REC);
	o->n++;
}

static bool on_replay(void *ctx, const struct sf_world_event *ev)
{
	struct cmp *c = ctx;
	const struct host_effect *fx;
	unsigned int n;

	if (ev->kind == SF_WEV_BEFORE) {
		const struct km_rec *r = c->event < c->kr->nrecs ? &c->kr->recs[c->event] : NULL;

		if (c->final_only)
			return true;
		if (!r)
			diff(c, "event %u: op %u runs natively after the last recorded callback\n",
			     c->event, ev->op);
		else if (ev->sock && r->is_fullsock && ev->sock->cb_flags != r->cb_flags)
			diff(c,
			     "event %u (op %u): cb_flags before the callback: native 0x%x, kernel 0x%x\n",
			     c->event, ev->op, ev->sock->cb_flags, r->cb_flags);
		return true;
	}
	if (ev->kind != SF_WEV_AFTER)
		return true;
	fx = ev->fx;
	n = ev->nfx;
	for (unsigned int i = 0; i < n; i++) {
		const char *name = fx[i].map ? host_map__name(fx[i].map) : "";

		if (fx[i].kind == HOST_FX_RING_SUBMIT)
			note_record(c, name, fx[i].data, fx[i].size);
		else if (!fx[i].rc)
			note_touch(c, &fx[i]);
	}
	c->event++;
	return true;
}

/* A record's bytes that differ natively (N) and in the kernel (K), SIZE of
 * them: the first that the program wrote natively (not HOST_RING_POISON),
 * or SIZE when none; *UNWRITTEN gets how many differ where the native byte
 * is still the poison. */
static size_t first_written_diff(const __u8 *n, const __u8 *k, size_t size, size_t *unwritten)
{
	size_t first = size;

	*unwritten = 0;
	for (size_t i = 0; i < size; i++) {
		if (n[i] == k[i])
			continue;
		if (n[i] == HOST_RING_POISON)
			++*unwritten;
		else if (first == size)
			first = i;
	}
	return first;
}

/* Ring NAME's records natively (NAT, their EVENTS; NULL: none) against the
 * kernel's (KER; NULL: none), in order, byte for byte: lengths, then every
 * byte the program wrote. Records that differ only in bytes never written
 * are counted in d->unwritten (the first one described), and the
 * comparison goes on; at the first real difference it stops (later records
 * follow from it). */
static void cmp_ring(struct cmp *c, const char *name, const struct orc_ring *nat,
		     const unsigned int *events, const struct orc_ring *ker)
{
	size_t nn = nat ? nat->n : 0, kn = ker ? ker->n : 0;
	char a[2 * ORC_MAX_REC + 1], b[2 * ORC_MAX_REC + 1];

	for (size_t i = 0; i < nn || i < kn; i++) {
		const __u8 *x = i < nn ? nat->rec[i] : NULL, *y = i < kn ? ker->rec[i] : NULL;
		size_t size, off, unwritten;

		if (i >= kn) {
			diff(c, "%s record #%zu: native only (event %u)\n", name, i, events[i]);
			return;
		}
		if (i >= nn) {
			diff(c, "%s record #%zu: kernel only\n", name, i);
			return;
		}
		if (nat->len[i] != ker->len[i]) {
			diff(c, "%s record #%zu (event %u): %u bytes natively, %u in the kernel\n",
			     name, i, events[i], nat->len[i], ker->len[i]);
			return;
		}
		size = nat->len[i] < ORC_MAX_REC ? nat->len[i] : ORC_MAX_REC;
		if (!memcmp(x, y, size))
			continue; /* the same: no byte to look at one by one */
		off = first_written_diff(x, y, size, &unwritten);
		if (off < size) {
			hex(a, sizeof(a), x, size);
			hex(b, sizeof(b), y, size);
			diff(c,
			     "%s record #%zu (event %u): first differing byte %zu\n  native %s\n  kernel %s\n",
			     name, i, events[i], off, a, b);
			return;
		}
		if (unwritten && !c->d->unwritten++) {
			hex(a, sizeof(a), x, size);
			hex(b, sizeof(b), y, size);
			snprintf(c->d->unwritten_text, sizeof(c->d->unwritten_text),
				 "%s record #%zu (event %u): %zu of its %zu bytes never written "
				 "(natively 0x%02x)\n  native %.160s\n  kernel %.160s\n",
				 name, i, events[i], unwritten, size, HOST_RING_POISON, a, b);
		}
	}
}

/* The kernel's entries of a map, sorted by key for the lookups of the native
 * ones (a map may hold ORC_MAX_ENTRIES). */
static struct {
	__u8 key[sizeof(struct bpf_sock_tuple)];
	__u32 val;
} sorted[ORC_MAX_ENTRIES];
static __u32 sorted_ks;

static int by_key(const void *a, const void *b)
{
	return memcmp(a, b, sorted_ks);
}

/* A map key of KS bytes as a difference names it: a tuple, else hex. */
static void key_str(const void *key, __u32 ks, char *t, size_t len)
{
	if (ks == sizeof(struct bpf_sock_tuple))
		tuple_str(key, t, len);
	else
		hex(t, len, key, ks);
}

/* Things numbered by first appearance (a side's sockets by cookie, the
 * native map entries a comparison found by address): an open-addressed
 * table at least twice the things' size, of which a comparison uses (and
 * clears) only what it needs. A large run names thousands of sockets and
 * 8192 entries of a map: a search each would cost more than the rest. */
struct numbering {
	size_t n;   /* numbered so far */
	size_t cap; /* the part of SLOT in use: a power of two */
	struct {
		__u64 key;
		size_t number1; /* its number + 1; 0: a free slot (0 is a key too) */
	} slot[2 * ORC_MAX_RECS];
};

/* S empty, for at most MOST things. */
static void numbering_reset(struct numbering *s, size_t most)
{
	s->cap = orc_probe_cap(most, sizeof(s->slot) / sizeof(s->slot[0]));
	memset(s->slot, 0, s->cap * sizeof(s->slot[0]));
	s->n = 0;
}

/* The slot of KEY, or the free one where it goes. */
static size_t numbering_at(const struct numbering *s, __u64 key)
{
	size_t h = orc_probe_home(key, s->cap);

	while (s->slot[h].number1 && s->slot[h].key != key)
		h = orc_probe_next(h, s->cap);
	return h;
}

/* The number of KEY, or the next one (S->n) when it is new. */
static size_t number_of(const struct numbering *s, __u64 key)
{
	size_t h = numbering_at(s, key);

	return s->slot[h].number1 ? s->slot[h].number1 - 1 : s->n;
}

/* KEY numbered, when it is new; whether it was. */
static bool number_new(struct numbering *s, __u64 key)
{
	size_t h = numbering_at(s, key);

	if (s->slot[h].number1)
		return false;
	s->slot[h].key = key;
	s->slot[h].number1 = ++s->n;
	return true;
}

/* Whether M holds exactly the KN entries KEYS (KS bytes each) with u32 VALS
 * (NULL: keys only): as many entries, and each of the kernel's found, with
 * its value, in an entry no other kernel key found. A lookup each: the
 * kernel's entries are sorted only to name what differs. */
static bool map_same(const struct host_map *m, const void *keys, __u32 ks, const __u32 *vals,
		     size_t kn)
{
	static struct numbering found; /* the native entries found, by address */

	if (host_map__count(m) != kn)
		return false;
	numbering_reset(&found, kn);
	for (size_t i = 0; i < kn; i++) {
		const __u32 *v = host_map__lookup(m, (const __u8 *)keys + i * ks);

		if (!v || (vals && *v != vals[i]))
			return false;
		if (!number_new(&found, (uintptr_t)v))
			return false; /* found twice: a native entry is not the kernel's */
	}
	return true;
}

/* Entries of hash map NAME against the kernel's KEYS (KSIZE bytes each, SPEC
 * §6's) and u32 VALS (NULL: keys only). A map the program lacks, or whose
 * keys or values are not SPEC's size, the kernel side leaves empty too. */
static void cmp_map(struct cmp *c, const char *name, const void *keys, __u32 ksize,
		    const __u32 *vals, size_t kn)
{
	const struct host_map *m = host_map__by_name(name);
	__u32 ks = m ? host_map__key_size(m) : 0, cursor = 0;
	const void *key;
	void *val;
	char t[160];

	if (!m || ks != ksize || (vals && host_map__value_size(m) != sizeof(*vals))) {
		if (kn)
			diff(c, "%s: %zu entries in the kernel, not compared natively\n", name, kn);
		return;
	}
	if (ks > sizeof(sorted[0].key) || kn > ORC_MAX_ENTRIES) {
		diff(c, "%s: a key of %u bytes or %zu entries: more than the comparison holds\n",
		     name, ks, kn);
		return;
	}
	if (map_same(m, keys, ks, vals, kn))
		return;
	memset(sorted, 0, kn * sizeof(sorted[0]));
	for (size_t i = 0; i < kn; i++) {
		memcpy(sorted[i].key, (const __u8 *)keys + i * ks, ks);
		sorted[i].val = vals ? vals[i] : 0;
	}
	sorted_ks = ks;
	qsort(sorted, kn, sizeof(sorted[0]), by_key);
	while (host_map__next(m, &cursor, &key, &val)) {
		__u8 probe[sizeof(sorted[0].key)] = {0};
		const __typeof__(sorted[0]) *hit;

		memcpy(probe, key, ks);
		hit = bsearch(probe, sorted, kn, sizeof(sorted[0]), by_key);
		if (hit && (!vals || *(__u32 *)val == hit->val))
			continue; /* the same: nothing is formatted */
		key_str(key, ks, t, sizeof(t));
		if (!hit)
			diff(c, "%s: %s natively only (written at event %d)\n", name, t,
			     touched_at(c, m, key));
		else
			diff(c, "%s: %s = %u natively, %u in the kernel (event %d)\n", name, t,
			     *(__u32 *)val, hit->val, touched_at(c, m, key));
	}
	for (size_t i = 0; i < kn; i++) {
		const void *k = (const __u8 *)keys + i * ks;

		if (host_map__lookup(m, k))
			continue;
		key_str(k, ks, t, sizeof(t));
		diff(c, "%s: %s in the kernel only (last native write at event %d)\n", name, t,
		     touched_at(c, m, k));
	}
}

/* The final state against the kernel's: every ring's records (the
 * kernel's probe records PROBES, when not NULL, in place of KR's), the three
 * maps, the counters. */
static void cmp_final_state(struct cmp *c, const struct orc_ring *probes)
{
	const struct orc_kernel_run *kr = c->kr;
	size_t size = 0, ncnt;
	const __u64 *cnt;

	for (size_t i = 0; i < kr->nrings; i++) {
		const struct orc_ring *k = &kr->rings[i];
		size_t r = 0;
		const struct orc_ring *n = NULL;

		for (r = 0; r < c->nrings && !n; r++)
			if (!strncmp(c->rings[r].name, k->name, sizeof(k->name)))
				n = &c->rings[r];
		if (probes && !strcmp(k->name, "km_tcp_probe"))
			k = probes;
		cmp_ring(c, kr->rings[i].name, n, n ? c->ring_event[r - 1] : NULL, k);
	}
	for (size_t r = 0; r < c->nrings; r++) /* natively only: a ring the kernel did not keep */
		if (!orc_kernel_run__ring(kr, c->rings[r].name))
			cmp_ring(c, c->rings[r].name, &c->rings[r], c->ring_event[r], NULL);
	cmp_map(c, "km_manage", kr->manage_keys, sizeof(kr->manage_keys[0]), kr->manage_vals,
		kr->nmanage);
	cmp_map(c, "km_auth_res", kr->auth_keys, sizeof(kr->auth_keys[0]), kr->auth_vals,
		kr->nauth);
	cmp_map(c, "km_socket", kr->socket_keys, sizeof(kr->socket_keys[0]), NULL, kr->nsocket);
	cnt = host_global__ptr("km_counters", &size);
	ncnt = cnt ? size / sizeof(*cnt) : 0;
	ncnt = ncnt < KM_CNT__MAX ? ncnt : KM_CNT__MAX; /* the ones SPEC §7 names */
	if (ncnt != kr->ncounters)
		diff(c, "km_counters: %zu counters natively, %u in the kernel\n", ncnt,
		     kr->ncounters);
	for (size_t i = 0; i < ncnt && i < kr->ncounters; i++)
		if (cnt[i] != kr->counters[i])
			diff(c, "counter %zu: native %llu, kernel %llu\n", i,
			     (unsigned long long)cnt[i], (unsigned long long)kr->counters[i]);
}

/* The world in *W (made on first use, reporting to HOOK with CTX; both
 * fixed per caller), started for RUN as sf_exec() starts one. */
static struct sf_world *begin(struct sf_world **w, const struct sf_input *run, sf_world_hook hook,
			      void *ctx)
{
	if (host_init())
		return NULL;
	host_set_print(NULL);
	if (!*w)
		*w = sf_world__new(hook, ctx);
	if (!*w)
		return NULL;
	sf_world__begin(*w, run);
	return *w;
}

static bool on_expand(void *ctx, const struct sf_world_event *ev);

/* The one comparison state, reset for a comparison with KR into D, and the
 * world of the replay (EXPAND false: a recording's raw steps, each callback
 * checked as it runs) or of the expansion (a lifecycle run, compared after),
 * started for the run HEAD begins. NULL when the host could not start (D
 * says so). */
static struct cmp *start(const struct sf_input *head, const struct orc_kernel_run *kr,
			 struct orc_diff *d, bool expand, struct sf_world **w)
{
	static struct cmp c;
	static struct sf_world *worlds[2]; /* a world's hook is fixed: one each */

	cmp_reset(&c, kr, d);
	c.final_only = expand; /* the expansion's callbacks: cmp_sequence() */
	*w = begin(&worlds[expand], head, expand ? on_expand : on_replay, &c);
	if (!*w) {
		diff(&c, "the host runtime could not start\n");
		return NULL;
	}
	return &c;
}

/* orc_convert()'s steps, into the world as they come. */
static int replay_step(void *ctx, const struct sf_step *st)
{
	sf_world__step(ctx, st);
	return 0;
}

int orc_compare_replay(const struct orc_run *life, const struct orc_kernel_run *kr,
		       struct orc_diff *d, char *why, size_t why_len)
{
	static struct sf_input head;
	struct sf_world *w;
	struct cmp *c;
	int err;

	orc_convert__head(life, &head);
	c = start(&head, kr, d, false, &w);
	if (!c)
		return (int)d->count;
	err = orc_convert(life, kr, replay_step, w, why, why_len);
	if (err)
		return err;
	if (c->event != kr->nrecs)
		diff(c, "%u callbacks natively, %zu in the kernel\n", c->event, kr->nrecs);
	cmp_final_state(c, NULL);
	return (int)d->count;
}

/* ---- the expansion ---- */

/* The context the native world gives the program for EV's callback, in the
 * recording's form (bpf/record/record.bpf.c reads the same fields of the
 * kernel's), as the host runtime builds it from the socket (bpf/host/sock.c). */
static void native_view(struct km_rec *v, const struct sf_world_event *ev)
{
	const struct host_sock *s = ev->sock;

	memset(v, 0, sizeof(*v));
	v->op = ev->op;
	sf_copy4(v->args, ev->args); /* every callback comes here */
	if (!s)
		return;
	v->cookie = s->cookie;
	v->family = s->family;
	v->local_ip4 = s->local_ip4;
	v->remote_ip4 = s->remote_ip4;
	sf_copy4(v->local_ip6, s->local_ip6);
	sf_copy4(v->remote_ip6, s->remote_ip6);
	v->local_port = s->local_port;
	v->remote_port = htonl(s->remote_port); /* the context's dport << 16 */
	v->is_fullsock = s->fullsock;
	v->state = s->state;
	if (!s->fullsock)
		return; /* a request socket's sk, cb flags and tcp_sock read as nothing */
	v->flags = KM_REC_FULLSOCK | (s->is_tcp ? KM_REC_TCP : 0);
	v->cb_flags = s->cb_flags;
	if (!s->is_tcp)
		return;
	v->srtt_us = s->tp.srtt_us;
	v->rtt_min = s->tp.rtt_min;
	v->total_retrans = s->tp.total_retrans;
	v->lost_out = s->tp.lost_out;
	v->bytes_received = s->tp.bytes_received;
	v->bytes_acked = s->tp.bytes_acked;
}

/* The expansion's hook: each callback's context, and what the program
 * wrote (on_replay(), final only), so that one expansion serves both
 * orc_compare_expansion() and orc_compare_final(). */
static bool on_expand(void *ctx, const struct sf_world_event *ev)
{
	struct cmp *c = ctx;

	if (ev->kind != SF_WEV_BEFORE)
		return on_replay(ctx, ev);
	if (c->nev == ORC_MAX_RECS)
		return true;
	c->ev[c->nev].step = c->step;
	native_view(&c->ev[c->nev].ctx, ev);
	c->nev++;
	return true;
}

/* LIFE expanded natively (start()); NULL when the host could not start. */
static struct cmp *expand(const struct orc_run *life, const struct orc_kernel_run *kr,
			  struct orc_diff *d)
{
	struct sf_world *w;
	struct cmp *c = start(&life->head, kr, d, true, &w);

	if (!c)
		return NULL;
	for (c->step = 0; c->step < life->nsteps; c->step++)
		sf_world__step(w, &life->steps[c->step]);
	return c;
}

/* How a context field is shown and compared. */
enum field_form {
	FF_NUM,	  /* a number */
	FF_HEX,	  /* flags */
	FF_IP4,	  /* an IPv4 address, network order */
	FF_IP6,	  /* 16 bytes, network order */
	FF_RPORT, /* the context's remote_port: the port in network order, upper half */
	FF_TIME,  /* a measured time (srtt, rtt_min): only whether there is one */
};

/* Every field of the context the program reads, beside op, args[0..1],
 * state and the socket's identity, which the sequence itself compares. */
static const struct field {
	const char *name;
	size_t off, size;
	enum field_form form;
} view_fields[] = {
#define F(name, form)                                                                          \
	{                                                                                      \
#name, offsetof(struct km_rec, name), sizeof(((struct km_rec *)0)->name), form \
	}
	F(family, FF_NUM),	  F(local_ip4, FF_IP4),	     F(remote_ip4, FF_IP4),
	F(local_ip6, FF_IP6),	  F(remote_ip6, FF_IP6),     F(local_port, FF_NUM),
	F(remote_port, FF_RPORT), F(args[2], FF_NUM),	     F(args[3], FF_NUM),
	F(is_fullsock, FF_NUM),	  F(flags, FF_HEX),	     F(cb_flags, FF_HEX),
	F(srtt_us, FF_TIME),	  F(rtt_min, FF_TIME),	     F(total_retrans, FF_NUM),
	F(lost_out, FF_NUM),	  F(bytes_received, FF_NUM), F(bytes_acked, FF_NUM),
#undef F
};

static __u64 field_num(const void *p, size_t size)
{
	__u64 v64 = 0;
	__u32 v32 = 0;

	if (size == 8) {
		memcpy(&v64, p, 8);
		return v64;
	}
	memcpy(&v32, p, 4);
	return v32;
}

static void field_str(const struct field *f, const void *p, char *buf, size_t len)
{
	__u64 v = f->size <= 8 ? field_num(p, f->size) : 0;

	switch (f->form) {
	case FF_IP4:
		inet_ntop(AF_INET, p, buf, len);
		break;
	case FF_IP6:
		inet_ntop(AF_INET6, p, buf, len);
		break;
	case FF_RPORT:
		snprintf(buf, len, "%u", ntohl((__u32)v));
		break;
	case FF_HEX:
		snprintf(buf, len, "0x%llx", (unsigned long long)v);
		break;
	case FF_TIME:
		snprintf(buf, len, "%s (%llu)",
			 !v	    ? "zero"
			 : v == ~0u ? "none yet"
				    : "measured",
			 (unsigned long long)v);
		break;
	default:
		snprintf(buf, len, "%llu", (unsigned long long)v);
	}
}

/* 0, ~0 (nothing measured yet) or a measurement. */
static int time_class(__u64 v)
{
	return !v ? 0 : v == ~0u ? 1 : 2;
}

/* The first field of the context N (native) and K (kernel) differ in, or
 * NULL. Ports are compared as they are: the kernel driver writes the ports
 * the kernel picked back into the run (oracle/kdrive_steps.c), and the
 * expansion binds them. */
static const struct field *view_differs(const struct km_rec *n, const struct km_rec *k)
{
	for (size_t i = 0; i < sizeof(view_fields) / sizeof(view_fields[0]); i++) {
		const struct field *f = &view_fields[i];
		const __u8 *a = (const __u8 *)n + f->off, *b = (const __u8 *)k + f->off;
		bool same;

		if (f->form == FF_TIME)
			same = time_class(field_num(a, f->size)) ==
			       time_class(field_num(b, f->size));
		else
			same = sf_same_bytes(a, b, f->size);
		if (!same)
			return f;
	}
	return NULL;
}

/* The ops C's expansion of LIFE fired against those KR recorded (orc_compare_expansion()). */
static unsigned int cmp_sequence(struct cmp *c, const struct orc_run *life,
				 const struct orc_kernel_run *kr)
{
	static struct numbering nsock, ksock;
	size_t i = 0, j = 0;

	/* Sockets are named by their order of first appearance on each side
	 * (host sockets are reused; their cookies are not). */
	numbering_reset(&nsock, c->nev);
	numbering_reset(&ksock, kr->nrecs);
	while (i < c->nev || j < kr->nrecs) {
		const struct km_rec *r = j < kr->nrecs ? &kr->recs[j] : NULL;
		const struct km_rec *v = i < c->nev ? &c->ev[i].ctx : NULL;
		const struct field *f;
		char a[64], b[64];
		size_t ni, ki;

		ni = v ? number_of(&nsock, v->cookie) : nsock.n;
		ki = r ? number_of(&ksock, r->cookie) : ksock.n;
		if (v && r && c->ev[i].step == kr->rec_step[j] && v->op == r->op &&
		    v->args[0] == r->args[0] && v->args[1] == r->args[1] && v->state == r->state &&
		    ni == ki) {
			f = view_differs(v, r);
			if (f) {
				field_str(f, (const __u8 *)v + f->off, a, sizeof(a));
				field_str(f, (const __u8 *)r + f->off, b, sizeof(b));
				diff(c,
				     "step %u (%s): op %u on socket #%zu: %s natively %s, in the kernel %s\n",
				     c->ev[i].step, sf_kind_name(life->steps[c->ev[i].step].kind),
				     v->op, ni, f->name, a, b);
				return c->d->count; /* the rest follows from the first difference */
			}
			number_new(&nsock, v->cookie);
			number_new(&ksock, r->cookie);
			i++;
			j++;
			continue;
		}
		if (v && (!r || c->ev[i].step < kr->rec_step[j]))
			diff(c,
			     "step %u (%s): natively op %u args %u,%u state %u on socket #%zu; the kernel fired nothing more in this step\n",
			     c->ev[i].step, sf_kind_name(life->steps[c->ev[i].step].kind), v->op,
			     v->args[0], v->args[1], v->state, ni);
		else if (r && (!v || kr->rec_step[j] < c->ev[i].step))
			diff(c,
			     "step %u (%s): the kernel fired op %u args %u,%u state %u on socket #%zu; natively nothing more in this step\n",
			     kr->rec_step[j], sf_kind_name(life->steps[kr->rec_step[j]].kind),
			     r->op, r->args[0], r->args[1], r->state, ki);
		else
			diff(c,
			     "step %u (%s): natively op %u args %u,%u state %u on socket #%zu, the kernel op %u args %u,%u state %u on socket #%zu\n",
			     c->ev[i].step, sf_kind_name(life->steps[c->ev[i].step].kind), v->op,
			     v->args[0], v->args[1], v->state, ni, r->op, r->args[0], r->args[1],
			     r->state, ki);
		return c->d->count; /* the rest follows from the first difference */
	}
	return c->d->count;
}

/* What a probe record holds that no run can repeat: the times and the round
 * trips measured, found by name in the program's layout (its BTF; SPEC's
 * record when the BTF has none). Zeroed in both sides' copies of each record
 * when only the final state is compared (orc_compare_final). */
static void probes_untimed(struct orc_ring *r)
{
	static const struct {
		const char *name;
		size_t off, size;
	} spec[] = {
#define F(f) {#f, offsetof(struct km_probe_rec, f), sizeof(((struct km_probe_rec *)0)->f)}
		F(srtt_us), F(rtt_min_us), F(start_ns), F(last_report_ns), F(duration_ns),
#undef F
	};
	const struct host_struct_def *l = host_struct__by_name("km_probe_rec");

	for (size_t f = 0; f < sizeof(spec) / sizeof(spec[0]); f++) {
		const struct host_field_def *pf = l ? host_struct__field(l, spec[f].name) : NULL;
		size_t off = pf ? pf->offset : spec[f].off, size = pf ? pf->size : spec[f].size;

		if (l && !pf)
			continue; /* the program's record has no such field */
		for (size_t i = 0; i < r->n; i++)
			if (off + size <= r->len[i] && off + size <= ORC_MAX_REC)
				memset(r->rec[i] + off, 0, size);
	}
}

/* The final state of C's expansion against KR's, probe records untimed
 * (orc_compare_final()). */
static unsigned int cmp_final_untimed(struct cmp *c, const struct orc_kernel_run *kr)
{
	static struct orc_ring kprobes;
	const struct orc_ring *k = orc_kernel_run__ring(kr, "km_tcp_probe");

	for (size_t r = 0; r < c->nrings; r++)
		if (!strcmp(c->rings[r].name, "km_tcp_probe"))
			probes_untimed(&c->rings[r]);
	if (k) {
		kprobes.n = k->n;
		memcpy(kprobes.name, k->name, sizeof(k->name));
		memcpy(kprobes.len, k->len, k->n * sizeof(k->len[0]));
		memcpy(kprobes.rec, k->rec, k->n * sizeof(k->rec[0]));
		probes_untimed(&kprobes);
	}
	cmp_final_state(c, k ? &kprobes : NULL);
	return c->d->count;
}

unsigned int orc_compare_final(const struct orc_run *life, const struct orc_kernel_run *kr,
			       struct orc_diff *d)
{
	struct cmp *c = expand(life, kr, d);

	return c ? cmp_final_untimed(c, kr) : d->count;
}

unsigned int orc_compare_expansion(const struct orc_run *life, const struct orc_kernel_run *kr,
				   struct orc_diff *d)
{
	struct cmp *c = expand(life, kr, d);

	return c ? cmp_sequence(c, life, kr) : d->count;
}

unsigned int orc_compare_lifecycle(const struct orc_run *life, const struct orc_kernel_run *kr,
				   struct orc_diff *d, bool *final)
{
	struct cmp *c = expand(life, kr, d);

	*final = false;
	if (!c || cmp_sequence(c, life, kr))
		return d->count;
	*final = true;
	return cmp_final_untimed(c, kr);
}
