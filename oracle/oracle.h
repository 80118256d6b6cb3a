/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * oracle.h: the kernel as oracle. A lifecycle run (input/input.h) is carried
 * out twice: with real sockets in a private network namespace whose cgroup
 * runs the recording build of core/ (bpf/record/), and natively. The kernel's
 * recording becomes a raw-level run that replays every callback with its
 * recorded context, time and TCP counters; the native replay must leave
 * exactly the observables the kernel left (km_manage, km_auth_res, km_socket
 * keys, auth requests, probe records, counters, cb flags). The lifecycle
 * run's own native expansion must fire the op sequences the kernel recorded.
 *
 * Every difference is a defect of the host runtime, the expansion or the core.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "input/input.h"
#include "bpf/record/record.h"
#include "sockops.h"

struct kern_prog;
struct kern_sandbox;

/*
 * A compared run is not a fuzz input: it may be longer than SF_MAX_STEPS
 * (hundreds of connections one after another, so that the rings fill and a
 * map reaches max_entries in the kernel too), and its recording is replayed
 * natively one step at a time (orc_convert()), never squeezed into a struct
 * sf_input. Live sockets stay below SF_NSLOTS, the world's slots.
 */
#define ORC_MAX_STEPS	8192  /* lifecycle steps of one run */
#define ORC_MAX_RECS	32768 /* callbacks of one run */
#define ORC_MAX_ENTRIES 8192  /* entries of a map: their max_entries (SPEC §6) */
#define ORC_MAX_RING	4096  /* auth requests or probe records of one run (256 KiB holds 1927) */

/* A lifecycle run of any length up to ORC_MAX_STEPS: HEAD has its level,
 * globals and fault schedule (HEAD's own steps are unused, nsteps 0). */
struct orc_run {
	struct sf_input head;
	unsigned int nsteps;
	struct sf_step steps[ORC_MAX_STEPS];
};

/* IN as a run (always fits). */
void orc_run__from_input(struct orc_run *run, const struct sf_input *in);

/* RUN as a fuzz input, when it has at most SF_MAX_STEPS steps; false when not. */
bool orc_run__to_input(const struct orc_run *run, struct sf_input *in);

/* A user-space action of the run, placed among the callbacks. */
enum orc_act {
	ORC_ACT_STEP,  /* what the step's user space or XDP wrote (waypoint, verdicts, globals) */
	ORC_ACT_CLOSE, /* user space closed the socket: close(2), also of a slot reused */
};

struct orc_action {
	__u64 seq;    /* callbacks recorded before it */
	__u16 step;   /* its step in the lifecycle run */
	__u8 what;    /* enum orc_act */
	__u64 cookie; /* the socket it acted on, or 0 */
	__u64 now_ns; /* a connect hook's write: the connect_ns it stamped (else 0) */
};

/* A step closes two sockets and writes once at most (a connect: the slot's
 * old socket, the waypoint's storage, the refused socket). */
#define ORC_MAX_ACTS (ORC_MAX_STEPS * 3)

/* The records a ring buffer map of the program received, by the map's name,
 * each with its own length (the kernel's or the host's): no layout assumed. */
#define ORC_MAX_RINGS 4	  /* ring buffer maps of a program compared (SPEC §6 has three) */
#define ORC_MAX_REC   256 /* bytes of a record kept: a longer one is compared that far */
struct orc_ring {
	char name[16]; /* the map's ELF name (BPF_OBJ_NAME_LEN) */
	size_t n;      /* records kept, at most ORC_MAX_RING */
	__u16 len[ORC_MAX_RING];
	__u8 rec[ORC_MAX_RING][ORC_MAX_REC];
};

/* What the kernel did for one lifecycle run. */
struct orc_kernel_run {
	struct km_rec recs[ORC_MAX_RECS]; /* every callback, in order */
	size_t nrecs;
	__u16 rec_step[ORC_MAX_RECS]; /* the step during which each callback ran */
	struct orc_action acts[ORC_MAX_ACTS];
	size_t nacts;
	/* final observables: SPEC §6's maps by name (keys of its sizes; a map
	 * the program lacks is empty here and natively) */
	struct manager_key manage_keys[ORC_MAX_ENTRIES];
	__u32 manage_vals[ORC_MAX_ENTRIES];
	size_t nmanage;
	struct bpf_sock_tuple auth_keys[ORC_MAX_ENTRIES];
	__u32 auth_vals[ORC_MAX_ENTRIES];
	size_t nauth;
	struct bpf_sock_tuple socket_keys[ORC_MAX_ENTRIES];
	size_t nsocket;
	/* every ring buffer map of the program but the recorder's, in the
	 * object's order: every record, byte for byte */
	struct orc_ring rings[ORC_MAX_RINGS];
	size_t nrings;
	/* the auth requests user space answers: their type and tuple, read
	 * with the program's km_auth_req layout (BTF, else SPEC's) */
	struct km_auth_req auth_reqs[ORC_MAX_RING];
	size_t nauth_reqs;
	__u64 counters[KM_CNT__MAX]; /* km_counters, when the program has it */
	unsigned int ncounters;	     /* 0: no km_counters (compared as absent) */
	__u64 lost; /* records the recorder could not write: the run is not comparable */
};

/* The ring NAME of KR, or NULL. */
const struct orc_ring *orc_kernel_run__ring(const struct orc_kernel_run *kr, const char *name);

/* ---- kernel side (kdrive*.c): runs inside a kern_sandbox ---- */

struct orc_kernel;

/* Load the program this binary embeds (the recording build, bpf/record/; or
 * the production object, when linked with bpf/kernel's own library: then
 * OUT of orc_kernel__run() holds no callbacks, only the final state) and
 * attach it to the cgroup of SB. NULL with errno set. */
struct orc_kernel *orc_kernel__open(const struct kern_sandbox *sb);
void orc_kernel__close(struct orc_kernel *k);

/*
 * Carry out the lifecycle run IN with real sockets and fill OUT. The run gets
 * a fresh network namespace (nothing left of earlier runs: no TIME_WAIT on
 * its fixed ports, no orphan whose timer fires into this recording); the
 * maps, rings, globals and counters are reset first and every socket is
 * closed after. Returns 0, or -errno when the run could not be carried out (what
 * failed is printed); a refused or failed connect is part of the run, not an
 * error. A step of a kind the driver has no handler for fails the run with
 * -EINVAL before anything is done, and the message names the kind and its
 * registry row's .kernel_none. IN may get its ephemeral ports filled in with
 * what the kernel chose.
 */
int orc_kernel__run(struct orc_kernel *k, struct orc_run *in, struct orc_kernel_run *out);

/* Whether the driver has a handler for KIND: exactly the kinds whose
 * registry row (input/steps.h) has no .kernel_none. */
bool orc_kernel__handles(enum sf_kind kind);

/* The IPv6 addresses the scenarios use, to add to lo in the sandbox. */
extern const char *const orc_ipv6_addrs[];
extern const size_t orc_nipv6_addrs;

/* ---- conversion and comparison (convert.c, compare.c): native ---- */

/* Where a conversion puts each step it makes: 0, or -errno to stop it. */
typedef int orc_emit(void *ctx, const struct sf_step *st);

/* The globals of the raw run a recording of LIFE becomes (raw level, no
 * faults, no steps). */
void orc_convert__head(const struct orc_run *life, struct sf_input *head);

/*
 * Turn the recording KR of the lifecycle run LIFE into the steps of a raw
 * run (after orc_convert__head()) that replays every callback with its
 * recorded context, time and TCP counters, with the run's user-space actions
 * in their places, each passed to EMIT with CTX as it is made: however long
 * the run, nothing holds it whole. Returns 0, -E2BIG when more than
 * SF_NSLOTS sockets are alive at once, -EINVAL for an action of a step whose
 * kind has no conversion or a recording out of order, or EMIT's error; WHY
 * says which.
 */
int orc_convert(const struct orc_run *life, const struct orc_kernel_run *kr, orc_emit *emit,
		void *ctx, char *why, size_t why_len);

/* The same into OUT, a fuzz input (for the corpus): -E2BIG also when the
 * raw run has more than SF_MAX_STEPS steps. */
int orc_convert__input(const struct orc_run *life, const struct orc_kernel_run *kr,
		       struct sf_input *out, char *why, size_t why_len);

/* Whether the conversion has an entry for KIND: what the replay does for the
 * user-space action of a step of KIND, or explicitly nothing (its effects
 * are the recorded callbacks). Every kind the kernel driver carries out has
 * one (orc_kernel__handles()). */
bool orc_convert__handles(enum sf_kind kind);

struct orc_diff {
	unsigned int count; /* differences found */
	char text[4096];    /* the first ones, each with the event where it starts */
	/* Ring records equal but for bytes the program never wrote: natively
	 * they hold HOST_RING_POISON, in the kernel whatever the ring held
	 * before (SPEC §9 (d)). Not a difference of the models: a class of its
	 * own, counted here, the first one described in UNWRITTEN_TEXT. */
	unsigned int unwritten;
	char unwritten_text[512];
};

/* Replay the recording KR of LIFE natively, converted step by step
 * (orc_convert()), and compare every observable with KR. Returns the number
 * of differences (0: none), described in DIFF, or -errno when the recording
 * cannot be replayed (orc_convert()'s error; WHY says why). */
int orc_compare_replay(const struct orc_run *life, const struct orc_kernel_run *kr,
		       struct orc_diff *diff, char *why, size_t why_len);

/* Expand LIFE natively and compare its final state with KR's, a run of the
 * production object (no callbacks recorded): every auth request and probe
 * record in order (without a probe record's times and round trips, which no
 * two runs share), km_manage, km_auth_res, km_socket keys and the counters.
 * The expansion fires the recording build's callbacks with its contexts
 * (orc_compare_expansion), so this shows the recording changes nothing.
 * Returns the number of differences; DIFF describes them. */
unsigned int orc_compare_final(const struct orc_run *life, const struct orc_kernel_run *kr,
			       struct orc_diff *d);

/* Expand LIFE natively and compare the ops it fires, socket by socket and
 * step by step, with what the kernel recorded. Returns the number of
 * differences; DIFF names the step and the socket. */
unsigned int orc_compare_expansion(const struct orc_run *life, const struct orc_kernel_run *kr,
				   struct orc_diff *diff);

/* Both from one native expansion of LIFE: orc_compare_expansion(), and when
 * it finds nothing, orc_compare_final(); *FINAL says whether the differences
 * counted are the final state's. */
unsigned int orc_compare_lifecycle(const struct orc_run *life, const struct orc_kernel_run *kr,
				   struct orc_diff *diff, bool *final);

/* ---- scenarios (scenario.c) ---- */

/* The fixed scenarios (the five seeds and the negative cases) are the
 * lifecycle corpus, corpus/fuzz_lifecycle/: the oracle runs the files the
 * fuzzers start from rather than a second copy of them. */

#define ORC_RANDOM_CONNECTIONS 5    /* per ordinary random run at most: it fits a fuzz input */
#define ORC_LARGE_CONNECTIONS  1200 /* per large run: fills the probe ring (1927 records) */
#define ORC_LARGE_EVERY	       50   /* one random run in this many is large, by default */

/* A random lifecycle run from SEED and index I (many sockets, IPv4, IPv6,
 * dual-stack listeners and IPv4-mapped clients, enrol and unenrol, also
 * unbound, waypoints at connect and after, node_ip and pod_gateway peers and
 * changes, globals sharing a pod's last word, km_manage written, self-
 * connects, port reuse, closes from either side, resets, refused connects,
 * monitoring toggled). An ordinary run makes at most ORC_RANDOM_CONNECTIONS
 * and its recording fits one fuzz input; a LARGE one makes about
 * ORC_LARGE_CONNECTIONS one after another with every pod enrolled and
 * monitoring on, user space not consuming km_auth_req (which fills at 85
 * requests and drops the rest), km_tcp_probe filling up, and km_manage or
 * km_auth_res filled to max_entries but a few first (the fill step); it
 * fits ORC_MAX_STEPS and ORC_MAX_RECS. Returns the number of connections
 * it makes. */
unsigned int orc_random__build(__u64 seed, unsigned int i, bool large, struct orc_run *out);

/* ---- the main loop (run.c): `sockfuzz kernel` ---- */

/* A fixed scenario to run, e.g. a file of the lifecycle corpus. */
struct orc_case {
	const char *name;
	const struct sf_input *in;
};

struct orc_opts {
	__u64 seed;		      /* random scenarios */
	unsigned int connections;     /* random scenarios until this many connections */
	const struct orc_case *cases; /* run first */
	size_t ncases;
	const char *out_dir;	  /* when set: write each run and its recording as .bin */
	unsigned int max_reports; /* differences printed in full */
	unsigned int jobs;	  /* sandboxed workers in parallel; 0: one per core */
	unsigned int large_every; /* random run i is large when (i + 1) % this == 0; 0: default */
	bool verbose;
};

struct orc_summary {
	unsigned int runs;
	unsigned long long connections, callbacks;
	double seconds;
	unsigned int expansion_diffs, replay_diffs;
	unsigned int inexpressible; /* corpus cases the kernel or one run cannot carry: a note */
	unsigned int unfit;	    /* random runs that did not fit: a failure */
	unsigned int largest_connections, largest_callbacks; /* the largest run compared */
	/* Runs compared in which the kernel reached these states, and how often. */
	unsigned int auth_full_runs, probe_full_runs, map_full_runs;
	unsigned long long auth_drops, probe_drops, map_failures;
	/* Runs, and their records, alike but for ring bytes never written (orc_diff). */
	unsigned int unwritten_runs;
	unsigned long long unwritten_records;
	unsigned int uncounted_runs; /* runs of a program without km_counters */
};

/* The fields of struct orc_summary that add up over runs and workers (the
 * largest run is a maximum; seconds are the parent's). */
/* clang-format off */
#define ORC_SUMMARY_SUMS(X)                                                    \
	X(runs) X(connections) X(callbacks) X(expansion_diffs) X(replay_diffs) \
	X(inexpressible) X(unfit) X(auth_full_runs) X(probe_full_runs)         \
	X(map_full_runs) X(auth_drops) X(probe_drops) X(map_failures)          \
	X(unwritten_runs) X(uncounted_runs) X(unwritten_records)
/* clang-format on */

/* How orc_run() ended; the values are the exit status of `sockfuzz kernel`
 * (77 is the automake convention for a skip). */
enum orc_status {
	ORC_SAME = 0,	  /* nothing differed */
	ORC_DIFFERED = 1, /* the native side and the kernel differed somewhere */
	ORC_ERROR = 2,	  /* a run could not be carried out (what failed is printed) */
	ORC_SKIPPED = 77, /* the kernel, root or cgroup v2 is missing (the reason is printed) */
	ORC_STOPPED_BASE = 128, /* + the signal: SIGINT or SIGTERM stopped it */
};

/*
 * Run the cases, then random scenarios until opts->connections, on
 * opts->jobs workers, each inside a fresh kern_sandbox of its own (private
 * network namespace, cgroup and program; removed afterwards, also on SIGINT
 * or SIGTERM, which the workers are passed), and print one summary.
 */
enum orc_status orc_run(const struct orc_opts *opts);

#define ORC_MAX_JOBS 64

/* The summary line of a run on JOBS workers. */
void orc_summary__print(const struct orc_summary *s, unsigned int jobs, FILE *out);

/* The callbacks of a kernel run, one a line, sockets numbered by first appearance. */
void orc_kernel_run__print(const struct orc_kernel_run *kr, const struct orc_run *life, FILE *out);
