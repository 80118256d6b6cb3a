/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * kdrive.h: what the files of the kernel driver share (oracle.h has its
 * interface): kdrive.c the run loop, the program and the recording;
 * kdrive_steps.c one handler per step kind, in a table indexed by kind;
 * kdrive_net.c the addresses of a run on lo of its namespace.
 */
#pragma once

#if !defined(SF_MODULE_oracle)
#error "oracle/kdrive.h is oracle's own: include oracle/oracle.h"
#endif

#include <stdbool.h>
#include "kernel.h"
#include "oracle.h"

#define KD_WAIT_MS 1000 /* a loopback handshake takes microseconds */

struct kd_slot {
	int fd; /* -1: empty */
	__u64 cookie;
	bool listening; /* a listen() that succeeded */
	/* The socket's own address and its peer's, read once each: neither
	 * changes while the slot holds the socket (kd_peer_slot()). */
	bool has_local, has_peer;
	struct kern_addr local, peer;
};

struct orc_kernel {
	const struct kern_sandbox *sb;
	struct kern_prog *prog;
	struct kern_ring *rec_ring;
	/* Where kd_collect() puts the records it takes, and their step; NULL
	 * outside it: records from between runs are dropped. */
	struct orc_kernel_run *rec_out;
	__u16 rec_step;
	__u64 *seq;	/* km_record_seq in the mmapped .bss */
	__u64 *dropped; /* km_record_dropped */
	__u64 no_drops; /* both point here for the production object: always 0 */
	/* The program's ring buffer maps but km_record, in the object's order. */
	const struct bpf_map *rings[ORC_MAX_RINGS];
	size_t nrings;
	/* Where an auth request has its type and tuple (the program's BTF, else SPEC's). */
	size_t auth_type_off, auth_tuple_off;
	struct kd_slot slots[SF_NSLOTS];
	size_t answered; /* auth requests user space has answered */
	/* Program runs (recorded and dropped) when the last run's maps were
	 * taken, or ~0: not taken (kd_clear() must clear them). */
	__u64 runs_at_take;
	/* Client ports below the ephemeral range bound since the namespace was
	 * made: a run binding none of them again needs no new one. */
	__u64 used_ports[LO_EPHEMERAL_FIRST / 64];
};

/* ---- kdrive.c ---- */

/* Every auth request the kernel has written so far, appended to OUT in
 * order. Returns 0 or -errno. */
int kd_take_auth_reqs(struct orc_kernel *k, struct orc_kernel_run *out);

/* ---- kdrive_steps.c ---- */

/* Carry out step IDX, ST, of a run: ST's kind has a handler
 * (orc_kernel__handles()). Returns 0 (also when the kernel refused what the
 * step asked: that is part of the run) or -errno. ST may get its ephemeral
 * port filled in. */
int kd_step(struct orc_kernel *k, __u16 idx, struct sf_step *st, struct orc_kernel_run *out);

/* Close the socket in S, if any, without recording it (between runs, at
 * the end): gracefully (FIN, then close(2)) or, RESET, with a RST. */
void kd_close(struct orc_kernel *k, struct kd_slot *s, bool reset);

/* Empty S: close(2) of its socket, if any. */
void kd_close_slot(struct kd_slot *s);

/* ---- kdrive_net.c ---- */

/* The sockaddr of IP (IPv4-mapped for AF_INET: its last word) and PORT. */
void kd_addr(struct kern_addr *a, __u32 family, const struct sf_addr *ip, __u16 port);

/* Whether A and B are one endpoint: an IPv4 address and its IPv4-mapped form
 * are the same (a dual-stack child shows its IPv4 peer mapped). */
bool kd_same_endpoint(const struct kern_addr *a, const struct kern_addr *b);

#define KD_MAX_EXTRA 16 /* addresses a run may add to lo */

/* Whether run IN needs a fresh namespace: it connects from a fixed port that
 * an earlier run's TIME_WAIT socket may hold (one in the ephemeral range, or
 * one below it that K->used_ports has), or names addresses lo lacks, which go
 * to EXTRA (at most KD_MAX_EXTRA, *NEXTRA of them). The ports below the
 * range IN binds are added to K->used_ports, which the caller clears when it
 * makes a new namespace (before this call's additions: kd_ports_mark()). */
bool kd_needs_netns(const struct orc_kernel *k, const struct orc_run *in, struct kern_addr *extra,
		    size_t *nextra);

/* Add IN's fixed client ports below the ephemeral range to K->used_ports. */
void kd_ports_mark(struct orc_kernel *k, const struct orc_run *in);
