/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * kernel.h: the real kernel as an oracle for the sockops program (SPEC §10).
 *
 * Loads the sockops object a skeleton embeds (core/'s, or the recording build
 * of the program under test, bpf/record/), attaches it to a private
 * cgroup v2, and drives real TCP connections inside a private network
 * namespace, so that user space can read what the program did: km_manage,
 * km_socket and km_auth_res keys, socket storage, and the km_auth_req,
 * km_tcp_probe and km_log rings (SPEC §6, §7).
 *
 * Parts:
 * - environment: can kernel tests run here at all, and if not, why;
 * - sandbox: a forked child in its own network namespace and cgroup, cleaned
 *   up by the parent in all cases (also failure, SIGINT, SIGTERM, SIGHUP);
 * - addresses and tuples: endpoints, and the keys user space writes;
 * - sockets: listen, connect, accept, and control connects (SPEC §2);
 * - program: load, attach, globals, counters;
 * - maps and rings: key enumeration, socket storage, bounded ring polls.
 *
 * Conventions, as libbpf: functions return 0 (or a count) on success and
 * -errno on failure; constructors return NULL and set errno; destructors
 * accept NULL. Warnings that a bare -errno would not explain go to stderr,
 * prefixed "kern: ". Nothing sleeps to synchronise: waits poll an fd or a map
 * until a deadline, and every loop is bounded in rounds and in time.
 *
 * Safety: every function that connects refuses (-EPERM) unless the caller runs
 * inside a sandbox made by kern_sandbox__run(), so a control connect to
 * 0.0.0.2 or ::2 can never leave the machine.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include "sockops.h"

struct bpf_map;

/* ------------------------------------------------------------------------ */
/* Environment.                                                              */

/*
 * Whether kernel tests can run here. Returns 0, or -errno with a one-line
 * reason in WHY (LEN bytes, always terminated):
 * -EPERM: not root; -ENOENT: no cgroup2 mount or no kernel BTF;
 * -EOPNOTSUPP (or the syscall's errno): bpf() refused a sockops program;
 * the errno of unshare(CLONE_NEWNET) when network namespaces are refused.
 * Forks once (to try the namespace); changes nothing.
 */
int kern_env__check(char *why, size_t len);

/* The cgroup v2 mount point (first cgroup2 entry of /proc/self/mounts) into
 * BUF. Returns 0, -ENOENT when there is none, -ENAMETOOLONG. */
int kern_env__cgroup2_root(char *buf, size_t len);

/* ------------------------------------------------------------------------ */
/* Addresses and tuples (user space's side of SPEC §2-4).                    */

/* An endpoint of either family; port in host order inside the sockaddr. */
struct kern_addr {
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	};
	socklen_t len;
};

/* Parse IP ("127.0.0.5", "fd00:5f::5", "::ffff:127.0.0.5") and PORT into A.
 * Returns 0 or -EINVAL; A is zeroed on failure. */
int kern_addr__parse(struct kern_addr *a, const char *ip, __u16 port);

/* Same address, other port. Cannot fail. */
void kern_addr__set_port(struct kern_addr *a, __u16 port);

__u16 kern_addr__port(const struct kern_addr *a);
bool kern_addr__is_v4mapped(const struct kern_addr *a);

/* The km_manage key of a pod address (SPEC §2): IPv4 and IPv4-mapped give
 * bytes 0..3, IPv6 all 16; the rest is zero. Cannot fail. */
void kern_manage_key__of(struct manager_key *key, const struct kern_addr *a);

/* The tuple user space and XDP write into km_auth_res (SPEC §4, §8.1): SRC
 * then DST, host-order ports, the zero-padded IPv4 view when either address is
 * IPv4 or IPv4-mapped, else the IPv6 view. Returns the view (km_tuple_type). */
enum km_tuple_type kern_tuple__auth(struct bpf_sock_tuple *t, const struct kern_addr *src,
				    const struct kern_addr *dst);

/* The km_socket key (SPEC §4 forward tuple): SRC then DST, network-order
 * ports, no IPv4-mapped folding: AF_INET gives the IPv4 view, AF_INET6 the
 * IPv6 view. All 36 bytes written. Cannot fail. */
void kern_tuple__sockhash(struct bpf_sock_tuple *t, const struct kern_addr *src,
			  const struct kern_addr *dst);

/* ------------------------------------------------------------------------ */
/* Sandbox: a child process in a private netns and cgroup.                   */

struct kern_sandbox;

struct kern_sandbox_opts {
	size_t sz; /* sizeof(struct kern_sandbox_opts) */
	/* Where the child cgroup goes; NULL: kern_env__cgroup2_root(). */
	const char *cgroup_root;
	/* Extra addresses for lo inside the namespace (IPv6 /128 nodad, IPv4
	 * /32); 127.0.0.0/8 and ::1 are there already. Ports are ignored. */
	const struct kern_addr *addrs;
	size_t addr_cnt;
	/* The parent kills the child after this long; 0: KERN_SANDBOX_TIMEOUT_MS. */
	int timeout_ms;
	size_t : 0;
};
#define kern_sandbox_opts__last_field timeout_ms

#define KERN_SANDBOX_TIMEOUT_MS	      (5 * 60 * 1000)

/* What runs inside. Its return value (0..255) becomes the child's exit code. */
typedef int (*kern_sandbox_fn)(const struct kern_sandbox *sb, void *ctx);

/*
 * Run FN(sb, CTX) in a forked child that has joined a new cgroup
 * <root>/sockfuzz-<pid>-<n> and then unshared its network namespace, with lo
 * up, `local 0.0.0.2/32` and `local ::2/128` routed to lo, and opts->addrs
 * added. Sockets the child makes fire programs attached to that cgroup.
 *
 * The parent waits until FN returns, the timeout passes or SIGINT, SIGTERM or
 * SIGHUP arrives; it then kills whatever is left in the cgroup, waits for it
 * to empty (bounded) and removes it. The namespace dies with the child.
 * Empty sockfuzz-* cgroups left by dead owners (a SIGKILLed parent) are
 * removed on the way in. Nothing is pinned.
 *
 * Returns FN's exit code (>= 0); -EINTR when a signal stopped the run (the
 * caller should then exit; the signal's default action is not re-raised);
 * -ETIMEDOUT; the child's -errno when it could not join the cgroup, unshare
 * or set up lo (printed); -ECHILD when it died of a signal; or -errno when
 * the cgroup or the fork failed. Signals the caller ignores stay ignored.
 * In every case the cgroup is gone on return, or a warning says why not.
 * Waits on a pidfd (kernel 5.3+).
 */
int kern_sandbox__run(const struct kern_sandbox_opts *opts, kern_sandbox_fn fn, void *ctx);

/* The child cgroup's path, for kern_prog__attach(). */
const char *kern_sandbox__cgroup(const struct kern_sandbox *sb);

/* True when the calling thread runs inside the namespace a sandbox made. */
bool kern_sandbox__is_inside(void);

/* Inside SB: leave the network namespace for a fresh one, set up as the first
 * (lo up, control routes, the extra addresses) plus EXTRA (CNT, may be 0). Sockets of the old namespace
 * stay in it (and it goes when they do), so a run can reuse fixed ports
 * that TIME_WAIT would still hold. Returns 0 or -errno; after a failure the
 * process may be in a namespace without lo set up. */
#define KERN_NETNS_MAX_ADDRS 64 /* the sandbox's addresses and EXTRA together */
int kern_sandbox__renew_netns(const struct kern_sandbox *sb, const struct kern_addr *extra,
			      size_t cnt);

/* ------------------------------------------------------------------------ */
/* Sockets. All fds are SOCK_CLOEXEC; a failed call leaves no fd open.       */

/* A TCP listener on LOCAL (port 0: the kernel picks). AF_INET6 sockets here
 * are dual-stack (IPV6_V6ONLY off): a listener on "::" accepts IPv4 clients,
 * and ::ffff:a.b.c.d can be bound. SO_REUSEADDR is on. It is non-blocking
 * (kern_sock__accept() waits). *BOUND (may be NULL) gets the address with the
 * real port. Returns the fd or -errno. */
int kern_sock__listen(const struct kern_addr *local, struct kern_addr *bound);

/* An unconnected TCP socket of LOCAL's family bound to LOCAL (options as for
 * a listener), so its storage can be set before the connect; non-blocking,
 * as kern_sock__connect() needs. Returns the fd or -errno. */
int kern_sock__bind(const struct kern_addr *local);

/* Connect FD, a non-blocking socket, to PEER and wait until established, at
 * most TIMEOUT_MS. Returns 0, -EPERM outside a sandbox, -ETIMEDOUT, or the
 * connect's -errno. */
int kern_sock__connect(int fd, const struct kern_addr *peer, int timeout_ms);

/* Accept one connection on LISTEN_FD (non-blocking: kern_sock__listen()'s),
 * waiting at most TIMEOUT_MS (0: none queued is -EAGAIN). Returns the new
 * (blocking) fd, -ETIMEDOUT or -errno. */
int kern_sock__accept(int listen_fd, int timeout_ms);

/* getsockname()/getpeername() into A. Returns 0 or -errno. */
int kern_sock__local(int fd, struct kern_addr *a);
int kern_sock__peer(int fd, struct kern_addr *a);

/*
 * Fire TCP_CONNECT_CB from LOCAL towards PEER and forget the socket: bind,
 * non-blocking connect, close. The callback runs inside connect() before the
 * SYN leaves, so it does not matter that the SYN is dropped (0.0.0.2 is a
 * martian destination) or refused. Returns 0 when connect() got as far as
 * sending (0, EINPROGRESS or ECONNREFUSED), -EPERM outside a sandbox, or
 * -errno of the socket, bind or connect (then the callback may not have run).
 */
int kern_sock__poke(const struct kern_addr *local, const struct kern_addr *peer);

/* A control connect (SPEC §2) from POD to 0.0.0.2 (AF_INET) or ::2
 * (AF_INET6) on PORT; see kern_sock__poke() for the result. An IPv4-mapped
 * POD cannot reach ::2 (-EAFNOSUPPORT): enrol its IPv4 address, which is the
 * same km_manage key (SPEC §3). */
int kern_ctl__connect(const struct kern_addr *pod, __u16 port);

/* Enrol (port 929) or release (port 930) the pod address POD. */
int kern_ctl__enrol(const struct kern_addr *pod);
int kern_ctl__leave(const struct kern_addr *pod);

/* ------------------------------------------------------------------------ */
/* The program: load, attach, globals.                                       */

struct kern_prog;

/* The parts of SPEC §6 user space reaches, found by their ELF names in the
 * loaded object (bpf_object__find_map_by_name), so any program loads: a part
 * it lacks is NULL, and what reads or writes it does nothing. */
enum kern_map_id {
	KERN_MAP_MANAGE,
	KERN_MAP_SOCKSTORAGE,
	KERN_MAP_SOCKET,
	KERN_MAP_AUTH_RES,
	KERN_MAP__MAX,
};

enum kern_ring_id {
	KERN_RING_AUTH_REQ, /* km_auth_req */
	KERN_RING_PROBE,    /* km_tcp_probe */
	KERN_RING_LOG,	    /* km_log */
	KERN_RING__MAX,
};

/* Open and load the embedded sockops object. Returns NULL with errno set
 * (libbpf's error, or ENOMEM); nothing is left loaded then. */
struct kern_prog *kern_prog__load(void);

/* Attach the program to the cgroup v2 directory CGROUP (a bpf_link, so it
 * detaches when the link goes). Returns 0, -EBUSY when already attached, or
 * -errno from open() or the attach; not attached on failure. */
int kern_prog__attach(struct kern_prog *p, const char *cgroup);

/* Detach if attached. Cannot fail. */
void kern_prog__detach(struct kern_prog *p);

/* Detach, unload, free. NULL is fine. */
void kern_prog__destroy(struct kern_prog *p);

/* The loaded libbpf object, for maps and globals a build adds to the core's
 * (the recording build's km_record). */
struct bpf_object *kern_prog__object(const struct kern_prog *p);

/* The writable global NAME (.data or .bss) of the loaded object, through the
 * section's mmap and its BTF DATASEC offset, so changes apply to the next
 * program run; *SIZE (may be NULL) gets its size. NULL when there is none. */
void *kern_prog__global(const struct kern_prog *p, const char *name, size_t *size);

/* Globals (SPEC §6). Addresses are 16 bytes, network order, IPv4 stored
 * IPv4-mapped; NULL clears. A global the program lacks, or of another size
 * than SPEC's, is left alone. None can fail. */
void kern_prog__set_monitoring(struct kern_prog *p, __u32 enable);
void kern_prog__set_log_level(struct kern_prog *p, enum km_log_level level);
/* log_level back to the value the program was loaded with (a run's start,
 * as the native host_reset() gives it). */
void kern_prog__reset_log_level(struct kern_prog *p);
void kern_prog__set_node_ip(struct kern_prog *p, const struct kern_addr *a);
void kern_prog__set_pod_gateway(struct kern_prog *p, const struct kern_addr *a);

/* The number of counters the program has (km_counters, SPEC §7: u64 each;
 * 0 without it), and counter ID, or 0 for an ID out of range. */
unsigned int kern_prog__ncounters(const struct kern_prog *p);
__u64 kern_prog__counter(const struct kern_prog *p, enum km_counter id);

/* Zero every counter (between runs, when no socket of the cgroup is busy). */
void kern_prog__reset_counters(struct kern_prog *p);

/* ------------------------------------------------------------------------ */
/* Maps.                                                                     */

/* The map ID of P, or NULL for an ID out of range or a map P lacks. */
struct bpf_map *kern_prog__map(const struct kern_prog *p, enum kern_map_id id);

/*
 * Copy the keys of M into KEYS (room for MAX keys of bpf_map__key_size(M)),
 * walking with get-next-key, which works for SOCKHASH too (a user-space
 * lookup there fails with ENOSPC). Returns the count, -E2BIG when M holds more
 * than MAX (KEYS then has the first MAX), or -errno. Not atomic: the program
 * may change M meanwhile; the walk is bounded by max_entries + 1 rounds.
 */
int kern_map__keys(const struct bpf_map *m, void *keys, size_t max);

/* 1 when M holds KEY, 0 when not, -errno on failure. A lookup, or a walk of
 * the keys where the kernel refuses lookups (SOCKHASH: ENOSPC). */
int kern_map__contains(const struct bpf_map *m, const void *key);

/* Wait at most TIMEOUT_MS until M holds KEY (PRESENT) or does not (!PRESENT).
 * Returns 0, -ETIMEDOUT, or -errno. Polls; for changes that follow a ring
 * record from the same program run by microseconds. */
int kern_map__wait(const struct bpf_map *m, const void *key, bool present, int timeout_ms);

/* Delete every key of M. Returns the number deleted or -errno (M may then be
 * partly cleared). An empty M costs one get-next-key. */
int kern_map__clear(const struct bpf_map *m);

/*
 * Take every entry of M, a hash map, into KEYS and VALS (room for MAX of
 * bpf_map__key_size(M) and bpf_map__value_size(M) bytes), deleting them, in
 * batches (BPF_MAP_LOOKUP_AND_DELETE_BATCH: a couple of syscalls instead of
 * three per entry). Returns the count, -E2BIG when M holds more than MAX (the
 * first MAX are taken), or -errno (a map without batch operations, as a
 * SOCKHASH, refuses: use kern_map__keys()). Not atomic, as kern_map__keys().
 */
int kern_map__take(const struct bpf_map *m, void *keys, void *vals, size_t max);

/* Socket storage of the socket SOCK_FD (the map is keyed by fd from user
 * space). get: 0 or -ENOENT when the socket has none; set: creates or
 * replaces, 0 or -errno (unchanged on failure). A program without
 * km_sockstorage of SPEC's size has none: get says -ENOENT, set does
 * nothing and returns 0. */
int kern_sockstorage__get(const struct kern_prog *p, int sock_fd, struct sock_storage_data *out);
int kern_sockstorage__set(const struct kern_prog *p, int sock_fd,
			  const struct sock_storage_data *in);

/* Set via_waypoint in SOCK_FD's storage, creating zeroed storage first when
 * there is none; the rest is kept. Returns 0 or -errno (storage unchanged). */
int kern_sockstorage__set_waypoint(const struct kern_prog *p, int sock_fd, bool on);

/* ------------------------------------------------------------------------ */
/* Rings: records are copied out and held until cleared, or handed to a sink. */

struct kern_ring;

/* A reader for the ring buffer map MAP_FD whose records all have REC_SIZE
 * bytes, or, REC_SIZE 0, records of any size, each kept with the length the
 * ring gives it. NULL with errno set on failure. kern_ring__free() accepts
 * NULL. A map has one reader: take a program's through kern_prog__ring*(). */
struct kern_ring *kern_ring__new(int map_fd, size_t rec_size);
void kern_ring__free(struct kern_ring *r);

/* A record handed over as it is consumed: DATA, SIZE bytes (the reader's
 * REC_SIZE, when it has one), valid only during the call. */
typedef void kern_ring_sink(void *ctx, const void *data, size_t size);

/* Hand R's records to SINK (with CTX) as they are consumed instead of holding
 * them: one copy instead of two for a reader that keeps them itself. Records
 * held already stay held (kern_ring__clear() forgets them); SINK NULL holds
 * the next ones again. With a sink R holds nothing new, so poll with WANT 0. */
void kern_ring__set_sink(struct kern_ring *r, kern_ring_sink *sink, void *ctx);

/* The reader (records of any size) of ring ID, or NULL for an ID out of
 * range or a ring the program lacks. */
struct kern_ring *kern_prog__ring(struct kern_prog *p, enum kern_ring_id id);

/* The ring buffer map of ring ID, or NULL (out of range, or the program lacks it). */
struct bpf_map *kern_prog__map_ring(const struct kern_prog *p, enum kern_ring_id id);

/* The reader of the program's ring buffer map MAP (one per map, made on first
 * use and freed with P; records of any size), or NULL with errno set. */
struct kern_ring *kern_prog__ring_of(struct kern_prog *p, const struct bpf_map *map);

/*
 * Consume records until R holds at least WANT, waiting at most TIMEOUT_MS
 * (0: only what is there now). Returns the number held (0 with a sink),
 * which is below WANT after a timeout, or -errno: -ENOMEM (the record was
 * lost), -EPROTO for a record of the wrong size, or ring_buffer__poll()'s
 * error. Held records stay valid until kern_ring__clear().
 */
int kern_ring__poll(struct kern_ring *r, size_t want, int timeout_ms);

/* The held records, oldest first, *CNT of them, back to back: NULL (and *CNT
 * 0) when none, or when they are not all of one size (read those with
 * kern_ring__record()). */
const void *kern_ring__records(const struct kern_ring *r, size_t *cnt);

/* How many records R holds (0 for NULL), and record I of them with its
 * length in *LEN (NULL and 0 past the end). */
size_t kern_ring__count(const struct kern_ring *r);
const void *kern_ring__record(const struct kern_ring *r, size_t i, size_t *len);

/* Forget the held records. Cannot fail; NULL is fine (and for poll and drain:
 * nothing to take). */
void kern_ring__clear(struct kern_ring *r);

/* Consume whatever is pending (into the sink, if R has one) and forget
 * everything held. Returns 0 or -errno. */
int kern_ring__drain(struct kern_ring *r);
