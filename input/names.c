// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * names.c: the names the text form gives to numbers (input/FORMAT.md, "Names"):
 * sockops ops, TCP states, families, verdicts, step kinds and levels. A number
 * without a name is written as the number.
 */
#include <string.h>
#include "input/input_internal.h"

/* BPF_SOCK_OPS_* of linux/bpf.h, without the prefix and the _CB suffix. */
static const char *const op_names[] = {
	"void",
	"timeout_init",
	"rwnd_init",
	"tcp_connect",
	"active_established",
	"passive_established",
	"needs_ecn",
	"base_rtt",
	"rto",
	"retrans",
	"state",
	"tcp_listen",
	"rtt",
	"parse_hdr_opt",
	"hdr_opt_len",
	"write_hdr_opt",
};

/* BPF_TCP_* (1 ESTABLISHED .. 12 NEW_SYN_RECV); 0 is no state. */
static const char *const state_names[] = {
	NULL,	 "established", "syn_sent", "syn_recv", "fin_wait1", "fin_wait2",    "time_wait",
	"close", "close_wait",	"last_ack", "listen",	"closing",   "new_syn_recv",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_of(const char *const *names, size_t n, __u64 v)
{
	return v < n ? names[v] : NULL;
}

static bool lookup(const char *const *names, size_t n, const char *name, __u32 *v)
{
	for (size_t i = 0; i < n; i++) {
		if (names[i] && !strcmp(names[i], name)) {
			*v = i;
			return true;
		}
	}
	return false;
}

const char *sf_op_name(__u32 op)
{
	return name_of(op_names, ARRAY_SIZE(op_names), op);
}

bool sf_op_lookup(const char *name, __u32 *op)
{
	return lookup(op_names, ARRAY_SIZE(op_names), name, op);
}

const char *sf_state_name(__u32 state)
{
	return name_of(state_names, ARRAY_SIZE(state_names), state);
}

bool sf_state_lookup(const char *name, __u32 *state)
{
	return lookup(state_names, ARRAY_SIZE(state_names), name, state);
}

static const struct {
	__u32 family;
	const char *name;
} families[] = {
	{0, "unspec"}, {1, "unix"}, {2, "inet"}, {10, "inet6"}, {17, "packet"},
};

const char *sf_family_name(__u32 family)
{
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		if (families[i].family == family)
			return families[i].name;
	}
	return NULL;
}

bool sf_family_lookup(const char *name, __u32 *family)
{
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		if (!strcmp(families[i].name, name)) {
			*family = families[i].family;
			return true;
		}
	}
	return false;
}

/* km_auth_res values (SPEC §6). */
static const char *const verdict_names[] = {"allow", "deny"};

const char *sf_verdict_name(__u64 v)
{
	return name_of(verdict_names, ARRAY_SIZE(verdict_names), v);
}

bool sf_verdict_lookup(const char *name, __u64 *v)
{
	__u32 x;

	if (!lookup(verdict_names, ARRAY_SIZE(verdict_names), name, &x))
		return false;
	*v = x;
	return true;
}

const char *sf_level_name(enum sf_level level)
{
	return level == SF_LEVEL_RAW ? "raw" : "lifecycle";
}
