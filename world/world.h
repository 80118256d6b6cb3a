/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * world.h: the simulated world around the sockops program: the kernel's TCP
 * sockets on loopback (listeners, the handshake, the FIN and RST sequences,
 * the callbacks each fires), user space (enrolment connects, storage,
 * globals, auth answers) and XDP. It expands the lifecycle steps of a run
 * (input.h) into the events the kernel would produce, and sets up raw steps
 * exactly as they say.
 *
 * Which callbacks each kernel action fires, and in which order, is one data
 * table in world/kernel_table.c, calibrated against the kernel's recordings
 * (`sockfuzz kernel`, oracle/). User space is the application the kernel
 * oracle's driver is (oracle/kdrive.c): every socket has SO_REUSEADDR, a
 * refused connect's socket is closed, data is read as it arrives, a FIN is
 * acknowledged at once, and a close is graceful (shutdown(SHUT_WR), then
 * close(2) once the FIN is acknowledged); a reset is close(2) with SO_LINGER
 * 0.
 *
 * Everything the program could observe goes through the host runtime
 * (host.h); everything a checker must know is reported through a hook, in
 * the order it happens. Sockets are freed once fully closed and unowned, so
 * a run holds at most two sockets per step. Allocates only in
 * sf_world__new().
 */
#pragma once

#include <stdbool.h>
#include <linux/types.h>
#include "bpf/host/host.h"
#include "input/input.h"

enum sf_world_ev_kind {
	SF_WEV_BEGIN,	 /* a run of INPUT starts: its globals and faults are in the host */
	SF_WEV_SOCK_NEW, /* SOCK was created (a request socket too) */
	SF_WEV_BEFORE,	 /* the program is about to run OP with ARGS on SOCK */
	SF_WEV_AFTER,	 /* it ran and returned RET; FX holds its effects (its journal) */
	SF_WEV_CLOSED,	 /* SOCK moved to CLOSE (from ARGS[0]) and the program did not run */
	SF_WEV_STORAGE, /* user space set via_waypoint = VALUE in SOCK's storage (created if absent) */
	SF_WEV_GLOBAL, /* user space wrote GLOBAL */
	SF_WEV_AUTH, /* km_auth_res[KEY] = VALUE, written by XDP for SOCK, or user space (SOCK NULL) */
	SF_WEV_MANAGE, /* user space wrote km_manage[MANAGE_KEY] = VALUE */
};

/* The globals user space writes (SPEC §6), by a typed id. */
enum sf_global {
	SF_GLOBAL_MONITORING, /* enable_monitoring */
	SF_GLOBAL_NODE_IP,
	SF_GLOBAL_POD_GATEWAY,
	SF_GLOBAL_LOG_LEVEL,
	SF_GLOBAL__COUNT,
};

/* The global's name in the program (host_global__ptr()). */
const char *sf_global_name(enum sf_global g);

/*
 * One event of a run, the only thing the world tells its checkers (the
 * executor, the properties, the oracle): where it is in the run, what
 * happened, and for a program run its journal.
 */
struct sf_world_event {
	enum sf_world_ev_kind kind;
	unsigned int step;  /* the step of the run it belongs to */
	unsigned int index; /* program runs before it in the run (its number when it is one) */
	bool plausible;	    /* the run is still kernel-producible: no raw event yet (SPEC §8) */
	const struct sf_input *input; /* BEGIN */
	struct host_sock *sock;
	__u32 op;
	__u32 args[4];
	int ret;
	bool fired; /* AFTER: the program ran (CLOSED: it did not) */
	enum sf_global global;
	const struct bpf_sock_tuple *key;
	const struct manager_key *manage_key;
	__u64 value;
	const struct host_effect *fx; /* AFTER: the journal, NFX effects */
	unsigned int nfx;
	bool overflow; /* more effects happened than the journal kept */
};

/* Told every event, in order. Returning false stops the world: no program
 * runs after that, and sf_world__step() returns false. */
typedef bool (*sf_world_hook)(void *ctx, const struct sf_world_event *ev);

struct sf_world;
struct manager_key;

/* A world reporting to HOOK (may be NULL) with CTX. Returns NULL with errno
 * ENOMEM. host_init() must have succeeded. A program without one of the maps
 * user space writes (km_manage, km_sockstorage, km_auth_req, km_auth_res:
 * SPEC §6) still runs: the steps that write only that map do nothing (user
 * space has nothing to write), and the connect hook records no original
 * destination without km_sockstorage. */
struct sf_world *sf_world__new(sf_world_hook hook, void *ctx);
void sf_world__free(struct sf_world *w); /* NULL is fine */

/* Forget every socket and slot. Call right after host_reset(), which already
 * freed the host's sockets. Cost: what the last run touched. */
void sf_world__reset(struct sf_world *w);

/* Start a run of IN, the one way every driver starts one (the executor, the
 * oracle): host_reset(), IN's globals and fault schedule into the host (a
 * fault the host refuses is never injected), sf_world__reset(), then the
 * BEGIN event, from which checkers take the same globals and faults. */
void sf_world__begin(struct sf_world *w, const struct sf_input *in);

/* Carry out STEP, the next of the run (its events carry its index). A step
 * that the kernel or user space would refuse (a busy port, mixed IPv4/IPv6
 * addresses, an empty slot) does nothing. Returns false when the hook
 * stopped the world (now or earlier). */
bool sf_world__step(struct sf_world *w, const struct sf_step *step);

/* Whether the world has a handler for KIND (every kind of the registry,
 * input/steps.h, should have one). */
bool sf_world__handles(enum sf_kind kind);

/* The sockets alive now: sf_world__sock(W, i) for i below sf_world__nsocks(W)
 * is one, or NULL for an unused place; in a fixed order. */
unsigned int sf_world__nsocks(const struct sf_world *w);
struct host_sock *sf_world__sock(const struct sf_world *w, unsigned int i);

/* The socket in SLOT, or NULL. */
struct host_sock *sf_world__slot(const struct sf_world *w, unsigned int slot);

/* The km_auth_res key XDP writes for the first packet arriving at S: src =
 * the peer, dst = S's local address, host-order ports; an IPv4 packet (the
 * 12-byte IPv4 view, zero-padded) for AF_INET and IPv4-mapped sockets, IPv6
 * (36 bytes) otherwise. */
/* The km_manage key of address A of a step of FAMILY (SPEC §3): an IPv4 or
 * IPv4-mapped address keys by its IPv4 address in bytes 0..3, a native IPv6
 * one by its 16 bytes. */
void sf_world_manage_key(__u32 family, const struct sf_addr *a, struct manager_key *key);

void sf_world_xdp_key(const struct host_sock *s, struct bpf_sock_tuple *key);

/* The entries user space fills a map with (SF_FILL, here and in the kernel
 * driver): the Ith key, I below the map's max_entries and SF_FILL_KEYS, of
 * km_manage (a manager_key: 127.255.I/256.I%256, an IPv4 address nothing
 * connects from)
 * or, AUTH_RES, of km_auth_res (a bpf_sock_tuple from that address to
 * 127.255.255.255, ports zero: no packet's), each with SF_FILL_VALUE (not
 * managed; deny). */
#define SF_FILL_VALUE 1u
#define SF_FILL_KEYS  65536u /* distinct keys: a fill adds at most so many */
void sf_world_fill_key(bool auth_res, __u32 i, void *key);

/* Room for a key of either map a fill writes (a bpf_sock_tuple, 36 bytes, is
 * the longer), aligned for both. */
union sf_fill_key {
	__u8 bytes[36];
	__u32 align;
};

/* Whether a map of KEY_SIZE and VALUE_SIZE can be filled: user space has
 * entries only for keys that fit a union sf_fill_key and for u32 values. A
 * fill of any other map does nothing, natively and in the kernel. */
bool sf_world_fillable(__u32 key_size, __u32 value_size);

/* What a connect hook writes into a socket's storage before a connect to DST
 * PORT of FAMILY through a waypoint (the world's waypoint connect, the
 * orig_dst step, the kernel driver): the original destination in sk_tuple
 * (AF_INET its IPv4 view, else 16 bytes; network-order port) and
 * via_waypoint = VIA. */
struct sock_storage_data;
/* What a connect hook (Kmesh's cgroup connect hook) writes into a socket's
 * storage at every connect it sees: connect_ns = NOW, the clock at the
 * connect (the world's connect, the orig_dst step, the kernel driver). */
void sf_world_connect_ns(struct sock_storage_data *st, __u64 now);
void sf_world_orig_dst(struct sock_storage_data *st, __u32 family, const struct sf_addr *dst,
		       __u16 port, __u8 via);

#ifdef SF_WORLD_PERTURB
/* Test-only: the world built with -DSF_WORLD_PERTURB (never the shipped
 * model; oracle/oracle.mk builds it for tests/test_oracle_perturb.c) gets
 * one fact wrong, which the kernel oracle must report. */
enum sf_world_perturb {
	SF_PERTURB_NONE,
	SF_PERTURB_CHILD_AF_INET, /* a dual-stack child (IPv4 client, AF_INET6 listener) is AF_INET */
	SF_PERTURB_CHILD_PORT,	  /* a child's remote port is the client's port + 1 */
	SF_PERTURB_SOURCE_ADDR,	  /* a connecting socket's source is one above the right one */
};
extern enum sf_world_perturb sf_world_perturb;
#endif
