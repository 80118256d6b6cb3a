/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * input.h: a fuzz input, "a run": the globals at start, a fault schedule and
 * a sequence of steps, in a binary form that every byte string decodes to and
 * a text form people read and write (input/FORMAT.md is the full reference).
 *
 * Steps come at two levels:
 * - lifecycle actions (enrol, listen, connect, send, close, ...), which the
 *   executor (exec.h) expands into the op sequences the kernel produces;
 * - raw skops events: any op, family, args, addresses and ports.
 * A run at the lifecycle level holds only lifecycle steps; a raw-level run may
 * hold both. Properties that need a kernel-producible sequence stop applying
 * at the first raw step.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "net/loopback.h" /* struct sf_addr */

#define SF_FORMAT_VERSION 1
#define SF_MAX_STEPS	  256 /* steps kept; the rest of an input is ignored */
#define SF_MAX_FAULTS	  8
#define SF_NSLOTS	  16   /* socket slots steps refer to */
#define SF_MAX_INPUT	  4096 /* max_len for the fuzzers */

enum sf_level {
	SF_LEVEL_LIFECYCLE = 0,
	SF_LEVEL_RAW = 1,
};

/* The step kinds: an identity only. What each is, its binary code, level,
 * fields and text form are its row in the registry (input/steps.h). */
enum sf_kind {
	/* Lifecycle actions. */
	SF_ENROL,	/* control connect to 0.0.0.2/::2 port 929 from LOCAL */
	SF_UNENROL,	/* the same on port 930 */
	SF_LISTEN,	/* SLOT listens on LOCAL:LPORT (:: or 0.0.0.0 is the wildcard) */
	SF_CONNECT,	/* SLOT connects from LOCAL:LPORT to REMOTE:RPORT; established when a
		     * listener matches, refused otherwise; flags SF_F_WAYPOINT */
	SF_ACCEPT,	/* SLOT takes the oldest established child of listener PEER */
	SF_SEND,	/* SLOT sends VALUE bytes to its peer */
	SF_CLOSE,	/* SLOT closes (FIN); the peer's close completes the teardown */
	SF_RESET,	/* SLOT aborts (RST): both ends go to CLOSE */
	SF_WAYPOINT,	/* user space sets via_waypoint = VALUE in SLOT's storage */
	SF_MONITORING,	/* enable_monitoring = VALUE */
	SF_NODE_IP,	/* node_ip = LOCAL (zero: unset) */
	SF_POD_GATEWAY, /* pod_gateway = LOCAL (zero: unset) */
	SF_AUTH_ANSWER, /* user space answers the oldest auth request with verdict VALUE */
	SF_XDP_VERDICT, /* XDP caches verdict VALUE for the first packet arriving at SLOT */
	SF_CLOCK,	/* the clock advances VALUE ns */
	SF_MANAGE,	/* user space writes km_manage[LOCAL's key] = VALUE */
	SF_ORIG_DST,	/* user space writes SLOT's storage as a connect hook does:
			 * connect_ns = now, the original destination LOCAL:LPORT and
			 * via_waypoint = VALUE */
	SF_FILL,	/* user space fills km_manage (SF_F_AUTH_RES: km_auth_res) with
			 * entries of its own until VALUE entries are left free */
	SF_LOG_LEVEL,	/* log_level = VALUE */
	/* Raw level only. */
	SF_RAW,	    /* fire OP with ARGS on SLOT, set up as the step says */
	SF_TCP,	    /* SLOT's TCP counters become TCP (what bpf_tcp_sock() reads) */
	SF_RELEASE, /* user space closes SLOT's socket; nothing fires (recordings) */
	SF_KIND__COUNT,
};

/* The families of lifecycle steps (binary: bit 0 picks one). */
#define SF_AF_INET  2
#define SF_AF_INET6 10

/* Step flags. */
#define SF_F_WAYPOINT 0x01 /* CONNECT: user space sets via_waypoint before the connect */
#define SF_F_REQSOCK  0x02 /* RAW: a request socket (not full: sk is NULL) */
#define SF_F_NOTCP    0x04 /* RAW: not TCP (bpf_tcp_sock() gives NULL) */
#define SF_F_NEWSOCK  0x08 /* RAW: a new socket takes the slot (the old one is gone) */
#define SF_F_AUTH_RES 0x10 /* FILL: km_auth_res rather than km_manage */

/* A socket's TCP counters, as bpf_tcp_sock() shows them (kind SF_TCP). A
 * recorded callback replays with the counters the kernel had. */
struct sf_tcp {
	__u32 srtt_us, rtt_min, total_retrans, lost_out;
	__u64 bytes_received, bytes_acked;
};

struct sf_step {
	__u8 kind;    /* enum sf_kind */
	__u8 slot;    /* < SF_NSLOTS */
	__u8 peer;    /* < SF_NSLOTS */
	__u8 flags;   /* SF_F_* */
	__u32 family; /* AF_INET 2, AF_INET6 10, or anything (RAW) */
	struct sf_addr local, remote;
	__u16 lport, rport; /* host order */
	__u32 op;	    /* RAW */
	__u32 args[4];	    /* RAW */
	__u32 state;	    /* RAW: the socket's TCP state */
	__u64 value;	    /* SEND bytes, CLOCK ns, MONITORING, WAYPOINT, verdicts */
	struct sf_tcp tcp;  /* TCP */
};

struct sf_fault {
	__u8 helper; /* enum host_helper, one that can fail */
	__u16 nth;   /* call number, counted from the start of the run */
};

struct sf_input {
	__u8 version;			     /* SF_FORMAT_VERSION */
	__u8 level;			     /* enum sf_level */
	__u32 monitoring;		     /* enable_monitoring at start */
	struct sf_addr node_ip, pod_gateway; /* zero: unset */
	__u8 nfaults;
	struct sf_fault faults[SF_MAX_FAULTS];
	__u16 nsteps;
	struct sf_step steps[SF_MAX_STEPS];
};

/*
 * Decode DATA into IN. Never fails and never reads past SIZE: missing bytes
 * read as zero, and every value is brought into range. The empty or all-zero
 * input is the empty run (version 1, lifecycle, monitoring on, no faults, no
 * steps). A version byte other than 1 is read as 1.
 */
void sf_decode(const uint8_t *data, size_t size, struct sf_input *in);

/* The same, with the level forced to LEVEL (what a fuzz target of one level does). */
void sf_decode_level(const uint8_t *data, size_t size, enum sf_level level, struct sf_input *in);

/*
 * Encode IN into BUF (CAP bytes) so that sf_decode() gives IN back exactly.
 * Returns the size of the encoding; nothing past CAP is written, so a result
 * larger than CAP means BUF was too small. IN must be in range (as sf_decode
 * or sf_text_parse produce it).
 */
size_t sf_encode(const struct sf_input *in, uint8_t *buf, size_t cap);

/* A text-form error: the 1-based line and what is wrong with it. */
struct sf_text_error {
	unsigned int line;
	char msg[160];
};

/*
 * Parse the text form (TEXT, LEN bytes; it starts with the version header).
 * Returns 0, or -EINVAL with ERR filled for a bad line, an unknown step, a
 * wrong version or a value out of range. IN is undefined after an error.
 */
int sf_text_parse(const char *text, size_t len, struct sf_input *in, struct sf_text_error *err);

/* Print IN in the text form; text -> sf_text_parse -> sf_text_print gives the
 * same text. Returns 0 or -errno from the stream. */
int sf_text_print(const struct sf_input *in, FILE *out);

/* Print one step as its text line, without the newline. */
int sf_step_print(const struct sf_step *step, FILE *out);

/* The text name of a step kind ("connect"), or NULL. */
const char *sf_kind_name(enum sf_kind kind);

/* The text name of a sockops op ("active_established") or of a TCP state
 * ("fin_wait1"), or NULL for a number without one. */
const char *sf_op_name(__u32 op);
const char *sf_state_name(__u32 state);
