/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * maps.h: the maps and globals of the sockops program (SPEC §6, §7).
 *
 * Definitions, not declarations: only sockops.bpf.c includes this, once. The
 * native runtime learns every map's type, sizes and flags from these
 * definitions (through the BPF object's BTF), so nothing repeats them.
 */
#pragma once

#include <bpf/bpf_helpers.h>
#include "sockops.h"

/* Enrolled pod addresses: manager_key -> KM_MANAGED. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, KM_MANAGE_MAX);
	__type(key, struct manager_key);
	__type(value, __u32);
} km_manage SEC(".maps");

/* Per-socket state; outbound storage is created by user space (connect hooks), inbound here. */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sock_storage_data);
} km_sockstorage SEC(".maps");

/* Waypoint sockets under their forward tuple (SPEC §4); entries leave when the socket closes. */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, KM_SOCKET_MAX);
	__type(key, struct bpf_sock_tuple);
	__type(value, __u32);
} km_socket SEC(".maps");

/* Verdicts written by user space and XDP, keyed by the reverse tuple (SPEC §4). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, KM_AUTH_RES_MAX);
	__type(key, struct bpf_sock_tuple);
	__type(value, __u32);
} km_auth_res SEC(".maps");

/* Auth requests to user space: struct km_auth_req records. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, KM_AUTH_REQ_RING_SIZE);
} km_auth_req SEC(".maps");

/* Connection reports: struct km_probe_rec records. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, KM_PROBE_RING_SIZE);
} km_tcp_probe SEC(".maps");

/* Structured logs: struct km_log_rec records. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, KM_LOG_RING_SIZE);
} km_log SEC(".maps");

/* Configuration, written by user space at run time (SPEC §6). Addresses in
 * network order; IPv4 stored IPv4-mapped. */
__u32 enable_monitoring = 1;
__u32 node_ip[4];
__u32 pod_gateway[4];
__u32 log_level = KM_LOG_ERR;

/* SPEC §7: read by user space and the properties. */
__u64 km_counters[KM_CNT__MAX];
