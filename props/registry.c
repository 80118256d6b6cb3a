// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * registry.c: the properties by name (props.h), in the order they are
 * checked. The cheap, robust ones come first, so a broken program is named by
 * its most basic fault.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "props/props_internal.h"

#define J PROP_F_JOURNAL
/* The parts of the contract each needs (enum prop_part). */
#define M     PROP_P_MANAGE
#define ST    PROP_P_STORAGE
#define SOCK  PROP_P_SOCKET
#define ARES  PROP_P_AUTH_RES
#define AREQ  PROP_P_AUTH_REQ
#define PROBE PROP_P_PROBE
#define MON   PROP_P_MONITORING
#define PEERS PROP_P_PEERS
#define LOG   PROP_P_LOG

static const struct prop_def defs[] = {
	{"returns_zero", "the program returns 0 on every event", "§8.10", 0, 0, prop_returns_zero},
	{"family_gate",
	 "an event whose family is neither AF_INET nor AF_INET6 changes nothing at all (no helper,"
	 " counter or global)",
	 "§8.4", J, 0, prop_family_gate},
	{"maps_bounded_no_partial_state",
	 "maps stay within max_entries, every reservation is submitted, and every failed helper is"
	 " counted in its counter",
	 "§8.9", J, 0, prop_maps_bounded_no_partial_state},
	{"only_control_changes_manage",
	 "km_manage changes only by a connect to exactly 0.0.0.2/::2 port 929 (key = 0) or 930"
	 " (delete); both idempotent, enable then disable restores",
	 "§8.3", J, M, prop_only_control_changes_manage},
	{"unmanaged_never_observed",
	 "an establish of an unmanaged socket, and any event but establish and close, gets no"
	 " report, auth request, sockhash entry, storage or STATE_CB request",
	 "§8.2", J, M, prop_unmanaged_never_observed},
	{"skipped_peer_gets_nothing",
	 "a passive establish whose peer is node_ip or pod_gateway (same family) gets no report,"
	 " auth request, storage or STATE_CB request, and no other managed peer is skipped",
	 "§8.6", J, M | PEERS, prop_skipped_peer_gets_nothing},
	{"probe_reports_as_specified",
	 "exactly one probe report where SPEC §5 says (monitoring on, full TCP socket with"
	 " storage), and storage is created only by a managed inbound establish",
	 "§5, §8.2", J, M | ST | PROBE | MON, prop_probe_reports_as_specified},
	{"auth_request_accounted",
	 "each managed, non-skipped passive establish pushes exactly one auth request or counts"
	 " one drop; nothing else pushes or counts one",
	 "§8.8", J, M | PEERS | AREQ, prop_auth_request_accounted},
	{"waypoint_only_managed_outbound",
	 "a km_socket entry is made exactly for a managed outbound full socket whose user-set"
	 " storage says via_waypoint, under its forward tuple with network-order ports",
	 "§8.5", J, M | ST | SOCK, prop_waypoint_only_managed_outbound},
	{"tuples_canonical",
	 "auth requests, probe records and the cleanup key equal, byte for byte, the tuples SPEC"
	 " §4-5 define (no stale bytes; IPv4 type iff bytes 12..35 zero)",
	 "§8.7", J, AREQ | PROBE | ARES | ST, prop_tuples_canonical},
	{"managed_establish_requests_state_cb",
	 "a managed establish (op 4; op 5 with a non-skipped peer) asks for exactly STATE_CB,"
	 " once, so that its close reaches the program",
	 "§1, §8.1", J, M | PEERS, prop_managed_establish_requests_state_cb},
	{"auth_verdicts_only_deleted_at_close",
	 "the program never writes km_auth_res and deletes exactly one key at each close"
	 " (STATE_CB to CLOSE), none elsewhere",
	 "§1, §8.1", J, ARES, prop_auth_verdicts_only_deleted_at_close},
	{"close_clears_auth",
	 "after a close of a socket that asked for STATE_CB (or should have), km_auth_res has no"
	 " entry under the key user space and XDP write for it",
	 "§8.1", J | PROP_F_PLAUSIBLE | PROP_F_AT_CLOSE, ARES | M, prop_close_clears_auth},
	{"storage_written_as_specified",
	 "an event changes socket storage only where SPEC §1/§5 let its path write: connect_ns ="
	 " now (observed passive establish), direction and connect_success = 1 (observed"
	 " establish), last_report_ns = now (a report); never via_waypoint, has_*, sk_tuple",
	 "§1, §5, §6", 0, M | ST | PEERS | MON, prop_storage_written_as_specified},
	{"logs_as_specified",
	 "the event's structured log records (level, site, argument, in order; written or"
	 " dropped) are exactly those its helper failures call for at or below log_level",
	 "§1, §7", J, LOG, prop_logs_as_specified},
	{"records_fully_defined",
	 "every byte of an auth request or probe record is a field's or zero: no padding and no"
	 " unused tail of an IPv4-view tuple holds earlier ring memory (never written)",
	 "§5, §8.7", J, AREQ | PROBE, prop_records_fully_defined},
	{"deterministic", "the same input gives the same final state, byte for byte", "§8.10",
	 PROP_F_AT_END, 0, prop_deterministic},
};

#define NDEFS (sizeof(defs) / sizeof(defs[0]))

_Static_assert(NDEFS <= PROP_MAX, "PROP_MAX too small");

static bool disabled[NDEFS];
static unsigned int generation = 1;

unsigned int prop_generation(void)
{
	return generation;
}

unsigned int prop_count(void)
{
	return NDEFS;
}

const struct prop_def *prop_at(unsigned int i)
{
	return i < NDEFS ? &defs[i] : NULL;
}

const struct prop_def *prop_find(const char *name)
{
	for (unsigned int i = 0; i < NDEFS; i++)
		if (!strcmp(defs[i].name, name))
			return &defs[i];
	return NULL;
}

int prop_enable(const char *name, bool on)
{
	const struct prop_def *p;

	if (!strcmp(name, "all")) {
		memset(disabled, !on, sizeof(disabled));
	} else {
		p = prop_find(name);
		if (!p)
			return -ENOENT;
		disabled[p - defs] = !on;
	}
	if (!++generation)
		generation = 1;
	return 0;
}

bool prop_is_enabled(const struct prop_def *p)
{
	return p >= defs && p < defs + NDEFS && !disabled[p - defs];
}

/* The names of the parts (enum prop_part), bit by bit. */
static const char *const part_names[] = {
	"km_manage",	     "km_sockstorage",	    "km_socket",
	"km_auth_res",	     "km_auth_req",	    "km_tcp_probe",
	"enable_monitoring", "node_ip/pod_gateway", "km_log/log_level",
};

const char *prop_not_applicable(const struct prop_def *p)
{
	unsigned int lack = p->needs & ~prop_program_parts()->have;

	for (unsigned int b = 0; b < sizeof(part_names) / sizeof(part_names[0]); b++)
		if (lack & (1u << b))
			return part_names[b];
	return NULL;
}

int prop_select(const char *list, bool only)
{
	bool want[NDEFS];
	char name[64];

	for (unsigned int i = 0; i < NDEFS; i++)
		want[i] = only ? false : !disabled[i];
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		const struct prop_def *d;

		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, p, n);
		name[n] = '\0';
		p += strcspn(p, ",");
		p += *p == ',';
		if (!*name)
			continue;
		d = prop_find(name);
		if (!d) {
			fprintf(stderr, "sockfuzz: no property %s (sockfuzz props list)\n", name);
			return -ENOENT;
		}
		want[d - defs] = only;
	}
	for (unsigned int i = 0; i < NDEFS; i++)
		disabled[i] = !want[i];
	if (!++generation)
		generation = 1;
	return 0;
}

int prop_select_env(void)
{
	const char *only = getenv("SOCKFUZZ_PROPS"), *off = getenv("SOCKFUZZ_PROPS_OFF");

	if (only && *only && prop_select(only, true))
		return -ENOENT;
	if (off && *off && prop_select(off, false))
		return -ENOENT;
	return 0;
}
