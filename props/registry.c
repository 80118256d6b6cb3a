// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * registry.c: the properties by name (props.h), in the order they are
 * checked. The cheap, robust ones come first, so a broken program is named by
 * its most basic fault.
 */
#include <errno.h>
#include <string.h>
#include "props/props_internal.h"

#define J PROP_F_JOURNAL

static const struct prop_def defs[] = {
	{"returns_zero", "the program returns 0 on every event", "§8.10", 0, prop_returns_zero},
	{"family_gate",
	 "an event whose family is neither AF_INET nor AF_INET6 changes nothing at all (no helper,"
	 " counter or global)",
	 "§8.4", J, prop_family_gate},
	{"maps_bounded_no_partial_state",
	 "maps stay within max_entries, every reservation is submitted, and every failed helper is"
	 " counted in its counter",
	 "§8.9", J, prop_maps_bounded_no_partial_state},
	{"only_control_changes_manage",
	 "km_manage changes only by a connect to exactly 0.0.0.2/::2 port 929 (key = 0) or 930"
	 " (delete); both idempotent, enable then disable restores",
	 "§8.3", J, prop_only_control_changes_manage},
	{"unmanaged_never_observed",
	 "an establish of an unmanaged socket, and any event but establish and close, gets no"
	 " report, auth request, sockhash entry, storage or STATE_CB request",
	 "§8.2", J, prop_unmanaged_never_observed},
	{"skipped_peer_gets_nothing",
	 "a passive establish whose peer is node_ip or pod_gateway (same family) gets no report,"
	 " auth request, storage or STATE_CB request",
	 "§8.6", J, prop_skipped_peer_gets_nothing},
	{"probe_reports_as_specified",
	 "exactly one probe report where SPEC §5 says (monitoring on, full TCP socket with"
	 " storage), and storage is created only by a managed inbound establish",
	 "§5, §8.2", J, prop_probe_reports_as_specified},
	{"auth_request_accounted",
	 "each managed, non-skipped passive establish pushes exactly one auth request or counts"
	 " one drop; nothing else pushes or counts one",
	 "§8.8", J, prop_auth_request_accounted},
	{"waypoint_only_managed_outbound",
	 "a km_socket entry is made exactly for a managed outbound full socket whose user-set"
	 " storage says via_waypoint, under its forward tuple with network-order ports",
	 "§8.5", J, prop_waypoint_only_managed_outbound},
	{"tuples_canonical",
	 "auth requests, probe records and the cleanup key equal, byte for byte, the tuples SPEC"
	 " §4-5 define (no stale bytes; IPv4 type iff bytes 12..35 zero)",
	 "§8.7", J, prop_tuples_canonical},
	{"managed_establish_requests_state_cb",
	 "a managed establish (op 4; op 5 with a non-skipped peer) asks for exactly STATE_CB,"
	 " once, so that its close reaches the program",
	 "§1, §8.1", J, prop_managed_establish_requests_state_cb},
	{"auth_verdicts_only_deleted_at_close",
	 "the program never writes km_auth_res and deletes exactly one key at each close"
	 " (STATE_CB to CLOSE), none elsewhere",
	 "§1, §8.1", J, prop_auth_verdicts_only_deleted_at_close},
	{"close_clears_auth",
	 "after a close of a socket that asked for STATE_CB (or should have), km_auth_res has no"
	 " entry under the key user space and XDP write for it",
	 "§8.1", J | PROP_F_PLAUSIBLE | PROP_F_AT_CLOSE, prop_close_clears_auth},
	{"deterministic", "the same input gives the same final state, byte for byte", "§8.10",
	 PROP_F_AT_END, prop_deterministic},
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
