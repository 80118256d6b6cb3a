/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * host.h: the native runtime that runs a libbpf-style sockops program with the
 * kernel's semantics (SPEC §6), and the one API that tests, properties and
 * fuzzers use to drive it.
 *
 * The program is linked in as a generated descriptor (struct host_prog_def,
 * made by tools/mapgen.c from the BPF object's BTF): its entry, its maps with
 * their type, sizes and flags, and its globals. host_init() builds a native
 * object for every map once; after that nothing allocates. host_reset()
 * returns to the initial state in time proportional to what was touched.
 *
 * Emulated kernel objects:
 * - HASH (and ARRAY) maps: max_entries, E2BIG on a new key when full, EEXIST
 *   for BPF_NOEXIST, ENOENT for BPF_EXIST and for deleting a missing key.
 * - RINGBUF: a byte capacity; a record costs round_up(size + 8, 8) and a
 *   reservation fails when the producer would get capacity bytes or more ahead
 *   of the consumer; records are visible only once submitted, in order.
 *   Reserved memory is filled with HOST_RING_POISON: the kernel hands out
 *   whatever the ring held before, so a program must not rely on it.
 * - SK_STORAGE: per socket; absent without F_CREATE; created zeroed with it.
 * - SOCKHASH: entries name a socket and leave when user space closes it.
 * - Sockets: a pool of struct host_sock; cb_flags that replace; bpf_tcp_sock.
 * - Time: a virtual clock that only host_clock__*() moves.
 *
 * Single-threaded, like a fuzz target. Errors are 0 or -errno.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <linux/bpf.h>

/* ------------------------------------------------------------------------ */
/* The program under test: written by tools/mapgen.c, never by hand.         */

struct host_map_def {
	const char *name; /* ELF name, e.g. "km_manage" */
	void *def;	  /* the native map definition the program passes to helpers */
	__u32 type, key_size, value_size, max_entries, map_flags;
};

struct host_global_def {
	const char *name;
	void *addr;
	size_t size;
};

/* A struct of the program as its BPF build laid it out (from BTF): the named
 * members at byte offsets. User space reads the program's records through
 * these, by member name, never through a header of its own. */
struct host_field_def {
	const char *name; /* NULL ends a list */
	__u32 offset, size;
};

struct host_struct_def {
	const char *name; /* e.g. "km_probe_rec" */
	__u32 size;
	const struct host_field_def *fields;
};

struct host_prog_def {
	const char *name;    /* the entry's function name */
	const char *section; /* "sockops" */
	int (*entry)(struct bpf_sock_ops *skops);
	const struct host_map_def *maps;
	unsigned int nr_maps;
	const struct host_global_def *globals;
	unsigned int nr_globals;
	const struct host_struct_def *structs;
	unsigned int nr_structs;
};

/* The descriptor of the program linked into this binary. */
extern const struct host_prog_def host_prog;

/* ------------------------------------------------------------------------ */
/* Life cycle.                                                               */

#define HOST_MAX_SOCKS 4096 /* sockets alive at once */
#define HOST_CLOCK_START \
	1000000000ull	      /* the clock after a reset: 1 s, a real clock never reads 0 */
#define HOST_RING_POISON 0xa5 /* fill byte of freshly reserved ring memory */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_LOOPBACK4_IPV6 0x0600007fu /* 127.0.0.6 in network order */
#else
#define HOST_LOOPBACK4_IPV6 0x7f000006u
#endif
#define HOST_CB_FLAGS_ALL 0x7f /* BPF_SOCK_OPS_ALL_CB_FLAGS, read from kernel 6.18 BTF */

/* Bind host_prog: build every map and snapshot the globals' initial values.
 * Returns 0, -ENOMEM, or -EOPNOTSUPP for a map type the host does not emulate
 * (the reason is printed). Calling it again is a no-op. */
int host_init(void);

/* Back to the state right after host_init(): maps, rings, sockets, globals,
 * clock, faults, call counts, journal and log capture. Cost: what was touched. */
void host_reset(void);

/* Free everything host_init() built. Safe to call when not initialised. */
void host_fini(void);

/* Where the host prints its own warnings (default: stderr). NULL silences it. */
typedef void (*host_print_fn)(const char *msg);
void host_set_print(host_print_fn fn);

/* ------------------------------------------------------------------------ */
/* Sockets.                                                                  */

/*
 * A socket as the kernel would show it to sockops. Tests and fuzzers set the
 * public fields directly; host_sock__fire() turns them into the context. The
 * embedded bpf_sock and bpf_tcp_sock are what bpf_sock and bpf_tcp_sock()
 * give the program.
 */
struct host_sock {
	struct bpf_sock sk;	/* first: the program's bpf_sock pointer is &sock->sk */
	struct bpf_tcp_sock tp; /* counters bpf_tcp_sock() returns */

	__u32 family;		      /* AF_INET (2), AF_INET6 (10) or anything for raw events */
	__be32 local_ip4, remote_ip4; /* network order */
	__be32 local_ip6[4], remote_ip6[4]; /* network order */
	__u16 local_port, remote_port;	    /* host order */
	__u32 state;			    /* TCP state, 1 ESTABLISHED ... 7 CLOSE */
	bool fullsock;	/* false: a request socket; sk reads NULL in the context */
	bool is_tcp;	/* false: bpf_tcp_sock() returns NULL */
	__u32 cb_flags; /* bpf_sock_ops_cb_flags */
	__u64 cookie;	/* bpf_get_socket_cookie(): unique, from a counter */

	/* Runtime-private below. */
	__u32 id; /* index in the pool */
	bool live;
	__u32 sockhash_head; /* its sockhash entries (sockhash.c); the pool's free list when dead */
	__u32 storage_mask;  /* bit i: this socket has storage in sk_storage map i */
};

/* A new socket from the pool: TCP, full, state 0, zero addresses, a fresh
 * cookie. Returns NULL with errno ENOSPC when HOST_MAX_SOCKS are alive. */
struct host_sock *host_sock__new(void);

/* Set the addresses the way kernel 6.18 shows them. AF_INET6: LOCAL and
 * REMOTE are 16 bytes; any other family is taken as AF_INET: 4 bytes, which
 * the IPv6 fields show IPv4-mapped. For AF_INET6 the IPv4 fields show the
 * last word of an IPv4-mapped address, else local 127.0.0.6 (LOOPBACK4_IPV6)
 * and remote 0 (for an accepted socket the kernel shows 127.0.0.6 there too:
 * a caller modelling one sets remote_ip4). */
void host_sock__set_addrs(struct host_sock *s, __u32 family, const void *local, __u16 lport,
			  const void *remote, __u16 rport);

/* Run the program for OP on S with ARGS (NULL: zeros) and return what it
 * returned. The context is built from S; `sk` is NULL unless S is full. */
int host_sock__fire(struct host_sock *s, __u32 op, const __u32 args[4]);

/* The kernel's tcp_set_state(): fires STATE_CB(old, new) when S asked for it
 * (cb_flags & BPF_SOCK_OPS_STATE_CB_FLAG). A move to CLOSE does not take S
 * out of a sockhash (host_sock__release() does). Returns the program's return
 * value, or 0 if it did not run. */
int host_sock__set_state(struct host_sock *s, __u32 state);

/* User space closes S (close(2)): S leaves every sockhash at once, before
 * TCP's own teardown (kernel 6.18: sock_map_close()). Nothing fires. A socket
 * that TCP moved to CLOSE (a reset from its peer) stays in the sockhash until
 * its owner closes it or it is freed; the kernel oracle showed this. */
void host_sock__release(struct host_sock *s);

/* Destroy S: drop its storage and sockhash entries and return it to the pool.
 * Fires nothing (a socket closes through host_sock__set_state()). NULL is ok. */
void host_sock__free(struct host_sock *s);

/* The socket with pool index ID if it is alive, else NULL. */
struct host_sock *host_sock__by_id(__u32 id);

/* ------------------------------------------------------------------------ */
/* Maps, as user space sees them (the syscall's semantics).                  */

struct host_map;

/* The map named NAME, or NULL with errno ENOENT (a search: look it up once). */
struct host_map *host_map__by_name(const char *name);
/* The map of host_prog.maps[INDEX], or NULL past the end (no search). */
struct host_map *host_map__at(__u32 index);
const char *host_map__name(const struct host_map *m);
__u32 host_map__type(const struct host_map *m);
__u32 host_map__key_size(const struct host_map *m);
__u32 host_map__value_size(const struct host_map *m);
__u32 host_map__max_entries(const struct host_map *m);

/* Live entries (hash, sockhash), sockets with storage (sk_storage), or
 * submitted records not yet consumed (ringbuf). */
__u32 host_map__count(const struct host_map *m);

/* The value under KEY or NULL. For a SOCKHASH the value is the socket's pool
 * id (__u32); the kernel does not let user space read it (ENOSPC). */
void *host_map__lookup(const struct host_map *m, const void *key);

/* As bpf_map_update_elem()/bpf_map_delete_elem() from user space on a HASH or
 * ARRAY: 0, -E2BIG, -EEXIST, -ENOENT or -EINVAL. The map is unchanged on error. */
int host_map__update(struct host_map *m, const void *key, const void *value, __u64 flags);
int host_map__delete(struct host_map *m, const void *key);

/* Walk the live entries of a HASH or SOCKHASH in a fixed order (slot order).
 * Start with *CURSOR = 0; returns false at the end. */
bool host_map__next(const struct host_map *m, __u32 *cursor, const void **key, void **value);

/* sk_storage from user space (the kernel keys it by the socket's fd): the
 * storage of S in M, created zeroed when CREATE, else NULL when absent. */
void *host_sk_storage__get(struct host_map *m, struct host_sock *s, bool create);

/* The socket a SOCKHASH holds under KEY, or NULL. */
struct host_sock *host_sockhash__lookup(const struct host_map *m, const void *key);

/* Ring buffers (any other map has no records, uses 0 bytes and ignores a
 * consume). The first submitted record not yet consumed, or NULL when
 * there is none or the oldest reservation is still open; *LEN gets its size. */
const void *host_ring__peek(const struct host_map *m, __u32 *len);
/* Consume the record host_ring__peek() returned. */
void host_ring__consume(struct host_map *m);
/* Bytes between consumer and producer, headers and open records included. */
__u64 host_ring__used(const struct host_map *m);
/* Drop every record: the consumer catches up with the producer. */
void host_ring__drain(struct host_map *m);

/* ------------------------------------------------------------------------ */
/* Globals, clock, logs.                                                     */

/* The program's global NAME (e.g. "enable_monitoring", "km_counters") and its
 * size in *SIZE (may be NULL), or NULL with errno ENOENT. */
void *host_global__ptr(const char *name, size_t *size);

/* Copy SIZE bytes of VALUE into global NAME. -ENOENT, or -EINVAL when SIZE
 * differs from the global's size. */
int host_global__set(const char *name, const void *value, size_t size);

/* The program's struct NAME (its BTF layout), or NULL with errno ENOENT. */
const struct host_struct_def *host_struct__by_name(const char *name);
/* Member NAME of S, or NULL. */
const struct host_field_def *host_struct__field(const struct host_struct_def *s, const char *name);

void host_clock__set(__u64 ns);
void host_clock__advance(__u64 ns);
__u64 host_clock__now(void);

/* What the program printed with bpf_printk(), NUL-terminated; newest text is
 * dropped once HOST_LOG_CAPTURE bytes are used. */
#define HOST_LOG_CAPTURE 4096
const char *host_log__text(void);

/* ------------------------------------------------------------------------ */
/* Helper calls and fault injection.                                         */

enum host_helper {
	HOST_H_MAP_LOOKUP,
	HOST_H_MAP_UPDATE,
	HOST_H_MAP_DELETE,
	HOST_H_RINGBUF_RESERVE,
	HOST_H_RINGBUF_SUBMIT,
	HOST_H_RINGBUF_DISCARD,
	HOST_H_RINGBUF_OUTPUT,
	HOST_H_SK_STORAGE_GET,
	HOST_H_SK_STORAGE_DELETE,
	HOST_H_TCP_SOCK,
	HOST_H_CB_FLAGS_SET,
	HOST_H_SOCK_HASH_UPDATE,
	HOST_H_KTIME,
	HOST_H_OTHER, /* cookie, prandom, pid, cpu, printk */
	HOST_H__MAX,
};

/* The helper's name, e.g. "bpf_map_update_elem". */
const char *host_helper__name(enum host_helper h);

/* Calls of H since the last reset. */
__u64 host_helper__calls(enum host_helper h);

#define HOST_FAULTS_PER_HELPER 8

/*
 * Make call number NTH (0-based, counted from the last reset) of helper H
 * fail with ERR, or with its natural failure when ERR is 0:
 *   MAP_UPDATE -E2BIG (map full), SOCK_HASH_UPDATE -ENOMEM, RINGBUF_OUTPUT
 *   -EAGAIN, CB_FLAGS_SET -EINVAL, RINGBUF_RESERVE NULL (ring full),
 *   SK_STORAGE_GET NULL (allocation failed; only a call that would create).
 * A failed call changes nothing. Returns 0, -EINVAL for a helper that cannot
 * fail (e.g. lookup), or -ENOSPC beyond HOST_FAULTS_PER_HELPER per helper.
 */
int host_fault__arm(enum host_helper h, __u32 nth, long err);

/* ------------------------------------------------------------------------ */
/* The journal: what the program changed during the current host_sock__fire(). */

enum host_effect_kind {
	HOST_FX_MAP_UPDATE,	 /* map, key, value; rc */
	HOST_FX_MAP_DELETE,	 /* map, key; rc */
	HOST_FX_RING_SUBMIT,	 /* map, data = record, size */
	HOST_FX_RING_DROP,	 /* map, size: a reservation or output that did not fit */
	HOST_FX_STORAGE_CREATE,	 /* map, sock */
	HOST_FX_CB_FLAGS_SET,	 /* sock, arg = requested flags; rc */
	HOST_FX_SOCKHASH_UPDATE, /* map, key, sock; rc */
};

struct host_effect {
	enum host_effect_kind kind;
	const struct host_map *map;
	const void *key;  /* valid until the next fire */
	const void *data; /* value or record; valid until the next fire */
	__u32 size;
	struct host_sock *sock;
	__s64 arg;
	long rc; /* helper result: 0 or -errno */
};

#define HOST_JOURNAL_MAX  32
#define HOST_JOURNAL_COPY 64 /* bytes of a key or value the journal keeps */

/* Effects of the last host_sock__fire(), oldest first; *N gets the count.
 * *OVERFLOW (may be NULL) says whether more happened than were kept. */
const struct host_effect *host_journal(unsigned int *n, bool *overflow);

/* The journal folded into H (host_digest__bytes()): each effect's kind, rc,
 * arg, key and data, oldest first. A run's history is the fold of every
 * event's journal, seeded with HOST_DIGEST_SEED. */
__u64 host_journal__digest(__u64 h);

/* ------------------------------------------------------------------------ */
/* The whole observable state, as one number.                                */

/* FNV-1a: the offset basis, and H folded with N bytes at P. */
#define HOST_DIGEST_SEED 0xcbf29ce484222325ull
static inline __u64 host_digest__bytes(__u64 h, const void *p, size_t n)
{
	const __u8 *b = (const __u8 *)p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* What host_state__digest() covers. */
#define HOST_DIGEST_MAX_MAPS 64 /* maps a scope may name (the kernel's MAX_USED_MAPS) */
struct host_digest_scope {
	/* Maps and globals by name, in this order; a name the program lacks is
	 * skipped, and so are maps beyond HOST_DIGEST_MAX_MAPS. NULL: all of the
	 * program's, in its order. */
	const char *const *maps;
	unsigned int nr_maps;
	const char *const *globals;
	unsigned int nr_globals;
	/* The sockets in the caller's order: sock(sock_ctx, i) for i below
	 * nr_socks, NULL for a place without one. sock NULL: every live socket
	 * by pool id. */
	struct host_sock *(*sock)(const void *sock_ctx, unsigned int i);
	const void *sock_ctx;
	unsigned int nr_socks;
	unsigned int flags; /* HOST_DIGEST_* */
};

/* Of a socket only cb_flags (what the program sets), not the fields TCP and
 * user space set. */
#define HOST_DIGEST_SOCK_CB_FLAGS (1u << 0)
/* Also the runtime's bookkeeping: map counts, socket cookies, helper call
 * counts, the journal of the last fire. */
#define HOST_DIGEST_RUNTIME (1u << 1)

/*
 * A digest of the state SCOPE names (NULL: everything, no flags), folded
 * into SEED with host_digest__bytes(), in this order:
 *  1. each map: a HASH, SOCKHASH or ARRAY as the order-independent sum of
 *     digest(key, value) over its entries (a SOCKHASH's value is the 4-byte
 *     pool id), then the sum's 8 bytes; a RINGBUF its bytes in use, then
 *     each record a consumer would read (size, bytes); an SK_STORAGE map
 *     nothing here (see 3);
 *  2. each global's bytes;
 *  3. each socket: its public fields up to cookie (struct host_sock's bytes
 *     before it), then its value in each SK_STORAGE map of the scope that has
 *     one;
 *  4. the clock (8 bytes), the log capture's text;
 *  5. with HOST_DIGEST_RUNTIME: each map's count, each socket's cookie, every
 *     helper's call count, the journal's length and host_journal__digest().
 * The same state gives the same value in any build and on any run. It changes
 * nothing (rings are read, not consumed) and costs what the scope holds.
 */
__u64 host_state__digest(__u64 seed, const struct host_digest_scope *scope);
