/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * model.h: the reference model: what SPEC §1-5 say the sockops program must
 * do, computed from the spec alone and never by calling core/ code.
 *
 * It keeps what the program's duties depend on and the program must not be
 * trusted to report: the addresses enrolled by the control connects it saw
 * (§2), the globals user space wrote, and per socket whether user space gave
 * it storage and via_waypoint and whether it should have asked for STATE_CB.
 * From these and the socket it derives, per event, what the program must do
 * (struct model_expect), and it builds the keys and records the program must
 * write, byte for byte.
 *
 * Sockets are named by their pool id (host_sock.id); the executor calls
 * model_sock_new() when it creates one, so no state outlives a socket.
 */
#pragma once

#include <stdbool.h>
#include <linux/types.h>
#include "bpf/host/host.h"
#include "sockops.h"

/* km_manage's keys: what a map of max_entries 8192 (SPEC §6) holds filled by
 * user space (the fill step), and a run's enrolments past it. */
#define MODEL_MAX_KEYS	(8192 + 512)
#define MODEL_KEY_INDEX 16384 /* a power of two, about twice MODEL_MAX_KEYS */

struct model_sock {
	bool user_storage;   /* user space created its storage */
	bool via_waypoint;   /* what user space last set */
	bool asked_state_cb; /* a managed establish asked for STATE_CB and the helper did not fail */
};

struct model {
	struct manager_key managed[MODEL_MAX_KEYS]; /* what km_manage must hold */
	__u32 value[MODEL_MAX_KEYS]; /* under each: 0 (managed) or what user space wrote */
	unsigned int nmanaged;
	__u16 key_index[MODEL_KEY_INDEX]; /* by key hash: position in managed[] + 1, or 0 */
	__u32 manage_max; /* km_manage's max_entries: a new key past it is refused (E2BIG) */
	bool overflow;	  /* more keys than MODEL_MAX_KEYS: the model can no longer tell */
	__u32 monitoring;
	__be32 node_ip[4], pod_gateway[4];
	__u32 log_level; /* what user space last wrote (the program's default at start) */
	struct model_sock socks[HOST_MAX_SOCKS];
};

enum model_manage {
	MODEL_MANAGE_NONE,
	MODEL_MANAGE_SET, /* op 3 to control port 929: key = 0 */
	MODEL_MANAGE_DEL, /* op 3 to control port 930: key deleted */
};

/* What one event obliges the program to do. model_expect() fills the part
 * known before it runs; model_settle() the rest, from which helpers an
 * injected fault made fail (the environment's choice, not the program's). */
struct model_expect {
	__u32 op;
	bool gated;	  /* family neither AF_INET nor AF_INET6: nothing at all may change */
	bool establish;	  /* op 4 or 5 */
	bool managed;	  /* the local address is enrolled (as the event starts) */
	bool skipped;	  /* the peer is node_ip or pod_gateway (§3, same family only) */
	bool observed;	  /* §1: a managed op 4, or a managed op 5 whose peer is not skipped */
	bool close;	  /* op 10 with args[1] == CLOSE */
	bool can_report;  /* enable_monitoring == 1 and a full TCP socket (§5) */
	bool had_storage; /* the socket had storage as the event started */
	enum model_manage manage;
	struct manager_key mkey; /* the key MANAGE names */

	/* After the program ran (model_settle()). */
	__u32 faulted;		  /* bit h: an injected fault hit helper h (enum host_helper) */
	__u8 want_report;	  /* 0, or the state of the one probe report due */
	bool want_storage_create; /* op 5 must create the storage */
	bool want_cb_flags;	  /* one bpf_sock_ops_cb_flags_set(STATE_CB_FLAG) */
	bool want_auth_req;	  /* one auth request, pushed or counted as dropped */
	bool want_sockhash;	  /* one km_socket update under the forward tuple */
	bool want_auth_delete;	  /* one km_auth_res delete of the reverse tuple */
};

/* Start a run with these globals and nothing enrolled. */
void model_reset(struct model *m, __u32 monitoring, const __be32 node_ip[4],
		 const __be32 pod_gateway[4]);

/* Forget socket ID (it was just created). */
void model_sock_new(struct model *m, __u32 id);

/* ---- SPEC §2-4, from the socket's fields as the context shows them ----- */

/* True when A (16 bytes, network order) is ::ffff:a.b.c.d. */
bool model_ip6_is_v4mapped(const __be32 a[4]);

/* The km_manage key of S's local address (§2): IPv4, IPv4-mapped -> bytes 0..3. */
void model_manage_key(const struct host_sock *s, struct manager_key *key);

/* 929 or 930 when S connects to the control address (exactly 0.0.0.2 or ::2) on
 * that port; 0 otherwise. */
__u16 model_control_port(const struct host_sock *s);

/* True when S's local address is enrolled. */
bool model_is_managed(const struct model *m, const struct host_sock *s);

/* True when S's peer is node_ip or pod_gateway (§3: same family only; zero
 * globals match nothing). */
bool model_peer_is_skipped(const struct model *m, const struct host_sock *s);

/* The tuple of S with host-order ports, source local when LOCAL_IS_SRC, else
 * remote; all 36 bytes written, the IPv4 view (bytes 12..35 zero) for AF_INET
 * and whenever an address is IPv4-mapped (§4). Returns the view. */
enum km_tuple_type model_tuple(const struct host_sock *s, bool local_is_src,
			       struct bpf_sock_tuple *t);

/* The forward tuple (the sockhash key): local to remote, network-order
 * ports, no IPv4-mapped folding, zero-filled (§4). */
void model_forward_tuple(const struct host_sock *s, struct bpf_sock_tuple *t);

/* The auth request op 5 must push for S (§1). */
void model_auth_request(const struct host_sock *s, struct km_auth_req *req);

/* The probe record an event OP on S must push at time NOW, given the storage
 * ST as the event left it (§5): op 4/5 report ESTABLISHED with their own
 * direction, op 10 reports CLOSE with the storage's. */
void model_probe_record(const struct host_sock *s, const struct sock_storage_data *st, __u32 op,
			__u64 now, struct km_probe_rec *rec);

/* ---- per event -------------------------------------------------------- */

/* What OP with ARGS on S obliges the program to do, before it runs. HAD_STORAGE:
 * whether S had storage then. */
void model_expect(const struct model *m, const struct host_sock *s, __u32 op, const __u32 args[4],
		  bool had_storage, struct model_expect *e);

/* Complete E once the program ran: FAULTED is the set of helpers an injected
 * fault hit during the event. */
void model_settle(const struct model *m, const struct host_sock *s, __u32 faulted,
		  struct model_expect *e);

/* Apply what the event changed in the spec's world: enrolment (unless the
 * update failed by an injected fault) and the STATE_CB request. */
void model_commit(struct model *m, const struct host_sock *s, const struct model_expect *e);

/* User space set S's storage (created if absent) with VIA_WAYPOINT. */
void model_user_storage(struct model *m, const struct host_sock *s, bool via_waypoint);

/* True when KEY is in the model's km_manage; *VALUE (when not NULL) is what
 * it holds there. */
bool model_has_key(const struct model *m, const struct manager_key *key, __u32 *value);

/* User space wrote km_manage[KEY] = VALUE (SPEC §3: managed means 0). */
void model_user_manage(struct model *m, const struct manager_key *key, __u32 value);
