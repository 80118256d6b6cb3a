/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * props.h: the invariants of SPEC §8 as named properties, and the driver that
 * checks them after every sockops event of a run.
 *
 * Registry. Every property has a sentence for a name (close_clears_auth), a
 * one-line doc, the SPEC section it states, flags that say when it applies
 * and the parts of the contract (SPEC §6-7) it needs. All are enabled at
 * start; prop_enable() switches one by name. A property whose parts the
 * program under test lacks is not applicable to it: never checked, and said
 * so (prop_not_applicable()), never a reason not to start.
 *
 * Driver. A struct prop_run follows one run: the executor (run/exec.c) tells
 * it about each socket it creates, what user space does, and every event
 * before and after the program runs; after each event the driver checks the
 * enabled properties against a reference model of SPEC §1-5 (props/model.h)
 * and the event's journal (host_journal()). On the pass path it allocates
 * nothing and formats nothing; a failure stops the run with a readable diff.
 *
 * Single-threaded, like the host runtime it reads.
 */
#pragma once

#include <stdbool.h>
#include <linux/types.h>
#include "bpf/host/host.h"
#include "input/input.h"
#include "world/world.h"

/* The outcome of one check (theft's trial result). */
enum prop_res {
	PROP_PASS,
	PROP_FAIL,  /* the invariant is broken: the diff says how */
	PROP_SKIP,  /* not applicable to this event or run */
	PROP_ERROR, /* the harness could not decide (e.g. the journal overflowed) */
};

/* When a property applies (struct prop_def.flags). */
#define PROP_F_PLAUSIBLE 0x1 /* only while the run is kernel-producible: off after a raw step */
#define PROP_F_AT_CLOSE	 0x2 /* also when a socket closes without running the program */
#define PROP_F_AT_END	 0x4 /* once, at the end of the run, instead of after each event */
#define PROP_F_JOURNAL	 0x8 /* reads the journal, so needs it complete */

struct prop_ctx; /* what a check reads: props/props_internal.h */

/* The parts of the contract a property may need (struct prop_def.needs),
 * each a map or global of SPEC §6-7 under its ELF name (props/run.c). A part
 * a property can do without (the counters: the journal shows what they would
 * count) is not among its needs. */
enum prop_part {
	PROP_P_MANAGE = 1u << 0,     /* km_manage */
	PROP_P_STORAGE = 1u << 1,    /* km_sockstorage */
	PROP_P_SOCKET = 1u << 2,     /* km_socket */
	PROP_P_AUTH_RES = 1u << 3,   /* km_auth_res */
	PROP_P_AUTH_REQ = 1u << 4,   /* km_auth_req */
	PROP_P_PROBE = 1u << 5,	     /* km_tcp_probe */
	PROP_P_MONITORING = 1u << 6, /* enable_monitoring */
	PROP_P_PEERS = 1u << 7,	     /* node_ip and pod_gateway */
	PROP_P_LOG = 1u << 8,	     /* km_log and log_level (SPEC §6-7) */
};

struct prop_def {
	const char *name; /* a sentence, lower_snake: "close_clears_auth" */
	const char *doc;  /* one line */
	const char *spec; /* the SPEC section it states, e.g. "§8.1" */
	unsigned int flags;
	unsigned int needs; /* enum prop_part */
	enum prop_res (*check)(struct prop_ctx *ctx);
};

/* The registry, in the order the checks run (the first failure is reported). */
unsigned int prop_count(void);
const struct prop_def *prop_at(unsigned int i); /* NULL past the end */

/* The property named NAME, or NULL. */
const struct prop_def *prop_find(const char *name);

/* Switch the property NAME on or off; "all" switches every one. Returns 0 or
 * -ENOENT for an unknown name (nothing changes then). */
int prop_enable(const char *name, bool on);
bool prop_is_enabled(const struct prop_def *p);

/* NULL when P applies to the program under test (host_init() first), else
 * the name of the first part it needs that the program lacks. */
const char *prop_not_applicable(const struct prop_def *p);

/* Switch properties by a comma-separated list (--props, --props-off,
 * SOCKFUZZ_PROPS, SOCKFUZZ_PROPS_OFF): with ONLY, exactly those are on;
 * without, those are off. Returns 0, or -ENOENT after printing the unknown
 * name to stderr (the registry is then unchanged). */
int prop_select(const char *list, bool only);
/* prop_select() from the environment: SOCKFUZZ_PROPS, then SOCKFUZZ_PROPS_OFF
 * (either may be unset or empty). 0 or -ENOENT. */
int prop_select_env(void);

/* ------------------------------------------------------------------------ */
/* The driver.                                                              */

struct prop_run;

/* A driver bound to the host's maps and globals (host_init() first). Returns
 * NULL with errno ENOMEM. Parts of SPEC §6 the program lacks only make the
 * properties that need them not applicable. The only allocation; free with
 * prop_run__free(). */
struct prop_run *prop_run__new(void);
void prop_run__free(struct prop_run *r); /* NULL is fine */

/*
 * The world's event EV (world/world.h), the one way a run reaches the
 * properties: BEGIN starts the run (the model takes its globals and faults),
 * SOCK_NEW, STORAGE and GLOBAL update the model, BEFORE snapshots what the
 * checks compare against, and AFTER (or CLOSED: a close that ran no
 * program) updates the model from the journal EV carries and checks every
 * enabled property that applies. Returns PROP_PASS, or PROP_FAIL/PROP_ERROR
 * for the first that did not hold; prop_run__failure() then says which and
 * why (every other property that failed at the same event follows in the
 * diff, each under "also failing: NAME"), and later events do nothing.
 */
enum prop_res prop_run__event(struct prop_run *r, const struct sf_world_event *ev);

/* End of the run: the properties flagged PROP_F_AT_END, given the state hash
 * of this run and of a second run of the same input. Returns as after(). */
enum prop_res prop_run__end(struct prop_run *r, __u64 hash, __u64 hash_again);

/* The property that failed (NULL while none did) and the diff, NUL-terminated. */
const struct prop_def *prop_run__failure(const struct prop_run *r, const char **diff);

/* Checks made since prop_run__begin() that returned PASS or FAIL. */
unsigned long long prop_run__checks(const struct prop_run *r);
