// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pool.c: the values that matter, which the binary form selects by a byte
 * (input/FORMAT.md, "Pools"), and the fields each step kind uses. Decoder,
 * encoder and text form all read these tables, so they cannot disagree.
 *
 * Order matters: index 0 is what a zero byte gives, so it is the plainest
 * useful value. Any change here (even appending, since a selector is taken
 * modulo the pool's size) changes what existing binary inputs decode to: it
 * needs a new SF_FORMAT_VERSION, and corpora are recompiled from their text
 * form (input/FORMAT.md, "Compatibility").
 */
#include "bpf/host/host.h"
#include "input/input_internal.h"

#define POOL(name, label, bytes, ...)                  \
	static const __u64 name##_v[] = {__VA_ARGS__}; \
	const struct sf_pool name = {name##_v, sizeof(name##_v) / sizeof(name##_v[0]), bytes, label}

/* enable_monitoring: the gate is "== 1", so 2 and ~0 are truthy but not on. */
POOL(sf_pool_monitoring, "MONITORING", 4, 1, 0, 2, 0xffffffff);
/* Server, client, control (929 enrol, 930 leave) and their neighbours. */
POOL(sf_pool_port, "PORT", 2, 8080, 40000, 40001, 40002, 40003, 929, 930, 0, 65535, 928, 931);
/* AF_INET, AF_INET6, AF_UNSPEC, AF_UNIX, AF_PACKET: raw steps only. */
POOL(sf_pool_family, "FAMILY", 4, 2, 10, 0, 1, 17);
/* Every BPF_SOCK_OPS_* op of kernel 6.18: the byte is the op. */
POOL(sf_pool_op, "OP", 4, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
/* 0 and the TCP states 1 ESTABLISHED .. 12 NEW_SYN_RECV: the byte is the state. */
POOL(sf_pool_state, "STATE", 4, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
/* via_waypoint is a u8 the program reads as a bool. */
POOL(sf_pool_waypoint, "WAYPOINT", 1, 1, 0, 2, 255);
/* km_auth_res values: 0 allow, 1 deny, and ones user space should never write. */
POOL(sf_pool_verdict, "VERDICT", 4, 0, 1, 2, 0xffffffff);
/* km_manage values user space writes: the program manages only 0 (SPEC §3). */
POOL(sf_pool_manage, "MANAGE", 4, 1, 0, 2, 0xffffffff);
/* Entries a fill leaves free: none, the last few, and all of a map (nothing filled). */
POOL(sf_pool_free, "FREE", 2, 0, 1, 2, 3, 8192);
/* log_level: WARN first (the default is ERR), the others, and one past DEBUG. */
POOL(sf_pool_log_level, "LOG_LEVEL", 4, 1, 0, 2, 3, 0xffffffff);
/* Byte counts: the probe record truncates them to 32 bits. */
/* TCP counters: srtt (us << 3), rtt_min, retransmits, lost. */
POOL(sf_pool_tcp32, "TCP32", 4, 0, 1, 8, 40, 100, 1000, 20000, 0xffffffff);
POOL(sf_pool_bytes, "BYTES", 8, 1, 0, 100, 1460, 65536, 0xffffffff, 0x100000000ull, ~0ull);
/* Clock steps in ns; the huge ones wrap "now - start". */
POOL(sf_pool_clock, "CLOCK", 8, 1000000, 0, 1, 1000, 1000000000, 60000000000ull, 0x100000000ull,
     1ull << 63, ~0ull);

#define A4	LO_ADDR4
#define A6	LO_ADDR6
#define POD6(n) A6(0xfd00005f, n) /* fd00:5f::n */

/* IPv4 (stored IPv4-mapped): pods A, B, C; wildcard; control; node and
 * gateway; next to control; loopback. Never a private range (SPEC §10). */
const struct sf_addr sf_addr4_pool[SF_ADDR4_N] = {
	A4(127, 0, 0, 5),   A4(127, 0, 0, 6),	A4(127, 0, 0, 9), A4(0, 0, 0, 0),   A4(0, 0, 0, 2),
	A4(127, 0, 0, 100), A4(127, 0, 0, 101), A4(0, 0, 0, 3),	  A4(127, 0, 0, 1),
};

/* IPv6 sockets: the same roles natively, then the IPv4 pool IPv4-mapped (a
 * dual-stack socket; ::ffff:0.0.0.2 is not a control address, SPEC §2). */
const struct sf_addr sf_addr_pool[SF_ADDR_N] = {
	POD6(0x5),	    POD6(0x6),	      POD6(0x9),	A6(0, 0),	A6(0, 2),
	POD6(0x100),	    POD6(0x101),      A6(0, 3),		A6(0, 1),	A4(127, 0, 0, 5),
	A4(127, 0, 0, 6),   A4(127, 0, 0, 9), A4(0, 0, 0, 0),	A4(0, 0, 0, 2), A4(127, 0, 0, 100),
	A4(127, 0, 0, 101), A4(0, 0, 0, 3),   A4(127, 0, 0, 1),
};

/* host_fault__arm() accepts exactly these (bpf/host/fault.c: can_fail()). */
/* Appended, never reordered: a fault's binary code is its index. */
const __u8 sf_fault_helpers[SF_FAULT_HELPERS_N] = {
	HOST_H_MAP_UPDATE,   HOST_H_RINGBUF_RESERVE,  HOST_H_RINGBUF_OUTPUT, HOST_H_SK_STORAGE_GET,
	HOST_H_CB_FLAGS_SET, HOST_H_SOCK_HASH_UPDATE, HOST_H_MAP_DELETE,
};

bool sf_fault_helper_ok(unsigned int h)
{
	for (unsigned int i = 0; i < SF_FAULT_HELPERS_N; i++) {
		if (sf_fault_helpers[i] == h)
			return true;
	}
	return false;
}
