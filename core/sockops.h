/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sockops.h: the records the sockops program shares with user space (SPEC §6, §7).
 *
 * Every layout lives here once. The BPF object, the native runtime, the kernel
 * loader, the properties and the fuzzers all include this file, and each record
 * carries a static assertion on the size the spec gives it.
 */
#pragma once

#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>

/* Numbers the spec fixes (SPEC head, §1). linux/bpf.h has the BPF_* ones;
 * these come from socket.h and tcp_states.h, which BPF C cannot include. */
#define KM_AF_INET	   2
#define KM_AF_INET6	   10

#define KM_TCP_ESTABLISHED 1
#define KM_TCP_CLOSE	   7

/* Control-plane enrolment (SPEC §2): a connect to 0.0.0.2 or ::2 on these ports. */
#define KM_CONTROL_IP4	      0x00000002u /* 0.0.0.2 in host order */
#define KM_CONTROL_PORT_ENROL 929
#define KM_CONTROL_PORT_LEAVE 930

/* The value km_manage holds for a managed address (SPEC §3). */
#define KM_MANAGED 0

enum km_direction {
	KM_DIR_NONE = 0, /* storage never observed at establish */
	KM_DIR_INBOUND = 1,
	KM_DIR_OUTBOUND = 2,
};

/* Tuple type in auth requests and probe records: the IPv4 view or the IPv6 one (SPEC §4). */
enum km_tuple_type {
	KM_TUPLE_IPV4 = 0,
	KM_TUPLE_IPV6 = 1,
};

/* km_manage key: zeroed, then 4 bytes of IPv4 or 16 of IPv6, network order (SPEC §2, §3). */
struct manager_key {
	union {
		__be32 ip4;
		__be32 ip6[4];
	};
};
_Static_assert(sizeof(struct manager_key) == 16, "SPEC §6: manager_key is 16 bytes");

/* km_sockstorage value, one per socket (SPEC §6). */
struct sock_storage_data {
	__u64 connect_ns;
	__u64 last_report_ns;
	__u8 direction;
	__u8 connect_success;
	__u8 via_waypoint; /* bool */
	__u8 has_encoded;  /* bool */
	__u8 has_set_ip;   /* bool */
	__u8 pad[3];
	struct bpf_sock_tuple sk_tuple; /* original destination */
	__u8 pad2[4];
};
_Static_assert(sizeof(struct sock_storage_data) == 64, "SPEC §6: sock_storage_data is 64 bytes");
_Static_assert(__builtin_offsetof(struct sock_storage_data, via_waypoint) == 18, "SPEC §6");
_Static_assert(__builtin_offsetof(struct sock_storage_data, sk_tuple) == 24, "SPEC §6");

/* km_auth_req record: the connection user space must authorize (SPEC §1, op 5). */
struct km_auth_req {
	__u32 type; /* enum km_tuple_type */
	struct bpf_sock_tuple tuple;
};
_Static_assert(sizeof(struct km_auth_req) == 40, "SPEC §6: auth request is 40 bytes");

/*
 * km_tcp_probe record (SPEC §5). Our own layout: naturally aligned, no hidden
 * padding, so "every byte comes from the socket or is zero" is checkable byte
 * by byte. Ports in the tuples are host order, oriented client to server.
 */
struct km_probe_rec {
	__u8 type;	/* enum km_tuple_type */
	__u8 state;	/* KM_TCP_ESTABLISHED or KM_TCP_CLOSE */
	__u8 direction; /* enum km_direction, from storage */
	__u8 conn_success;
	struct bpf_sock_tuple tuple;
	struct bpf_sock_tuple orig_dst; /* storage sk_tuple */
	__u32 sent_bytes;		/* bytes_acked, truncated */
	__u32 received_bytes;		/* bytes_received, truncated */
	__u32 srtt_us;			/* as the kernel keeps it: << 3 */
	__u64 start_ns;			/* storage connect_ns */
	__u64 last_report_ns;		/* now */
	__u64 duration_ns;		/* now - start_ns */
	__u32 rtt_min_us;
	__u32 retransmits;
	__u32 lost;
	__u32 reserved; /* always zero */
};
_Static_assert(sizeof(struct km_probe_rec) == 128, "SPEC §6: probe record is 128 bytes");
_Static_assert(__builtin_offsetof(struct km_probe_rec, start_ns) == 88, "no hidden padding");

/* Counters (SPEC §7): a global array km_counters[KM_CNT__MAX] of __u64. */
enum km_counter {
	KM_CNT_AUTH_REQ_DROPPED = 0, /* km_auth_req full */
	KM_CNT_PROBE_DROPPED,	     /* km_tcp_probe full */
	KM_CNT_MAP_UPDATE_FAILED,    /* km_manage or km_socket update failed */
	KM_CNT_MAP_DELETE_FAILED,    /* a delete failed with other than ENOENT */
	KM_CNT_CB_FLAGS_FAILED,	     /* bpf_sock_ops_cb_flags_set returned non-zero */
	KM_CNT_LOG_DROPPED,	     /* km_log full */
	KM_CNT__MAX,
};

/* Log records (SPEC §7): structured, so nothing parses text. Stable codes; never reuse one. */
enum km_log_level {
	KM_LOG_ERR = 0,
	KM_LOG_WARN = 1,
	KM_LOG_INFO = 2,
	KM_LOG_DEBUG = 3,
};

enum km_log_site {
	KM_LOG_MANAGE_UPDATE = 1,   /* km_manage update failed; arg = error */
	KM_LOG_MANAGE_DELETE = 2,   /* km_manage delete failed (not ENOENT) */
	KM_LOG_CB_FLAGS_SET = 3,    /* bpf_sock_ops_cb_flags_set != 0; arg = result */
	KM_LOG_SOCKHASH_UPDATE = 4, /* km_socket update failed */
	KM_LOG_AUTH_DELETE = 5,	    /* km_auth_res delete failed (not ENOENT) */
	KM_LOG_AUTH_RING_FULL = 6,  /* auth request dropped */
	KM_LOG_PROBE_RING_FULL = 7, /* probe record dropped */
	KM_LOG_SITE__MAX,
};

struct km_log_rec {
	__u32 level; /* enum km_log_level */
	__u32 site;  /* enum km_log_site */
	__s64 arg;   /* the helper's result */
};
_Static_assert(sizeof(struct km_log_rec) == 16, "log record layout");

/* Capacities (SPEC §6). */
#define KM_MANAGE_MAX	      8192
#define KM_SOCKET_MAX	      8192
#define KM_AUTH_RES_MAX	      8192
#define KM_AUTH_REQ_RING_SIZE 4096
#define KM_PROBE_RING_SIZE    (256 * 1024)
#define KM_LOG_RING_SIZE      4096

/* Error numbers the core compares against (errno.h is not available to BPF C). */
#define KM_ENOENT 2
