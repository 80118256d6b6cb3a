/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * exec.h: run a decoded input on the host runtime and check the properties
 * after every event.
 *
 * A run starts from host_reset(): the globals and the fault schedule of the
 * input are applied, then each step is carried out. Lifecycle steps expand
 * into the op sequences the kernel produces for them (connect: ops 3, 4, 5;
 * close: the STATE_CB transitions of both ends; ...); a raw step is one event.
 * After each event the enabled properties (props/props.h) are checked.
 *
 * The hot path allocates nothing and formats nothing: text is produced only
 * for a trace that was asked for and for a failure.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include "input/input.h"

/* The first property that broke in a run. */
struct sf_failure {
	const char *prop;	/* its name, e.g. "close_clears_auth" */
	unsigned int step;	/* index of the step, 0-based */
	unsigned int event;	/* index of the event in the run, 0-based */
	bool kernel_producible; /* no raw event before it: a real kernel can make this run */
	char diff[2048];	/* readable state against what was expected */
};

/* What a finding is, in one line a person reads first: "kernel-producible:
 * ..." (production can reach it) or "raw-only: ..." (only raw steps can). */
const char *sf_failure_kind(const struct sf_failure *f);

struct sf_result {
	unsigned int steps;	   /* steps carried out */
	unsigned int events;	   /* sockops events fired */
	unsigned long long checks; /* property checks made (PASS or FAIL) */
	bool failed;
	struct sf_failure failure; /* valid when failed */
	__u64 state_hash;	   /* digest of the final observable state; 0 unless asked (opts) */
	int error;		   /* SF_EXEC_ERROR: -errno */
};

struct sf_exec_opts {
	FILE *trace;		/* when set: each step and event is printed as it happens */
	bool check_determinism; /* run twice and compare state hashes */
	bool state_hash;	/* fill RES->state_hash (check_determinism implies it) */
};

/* How a run ended. */
enum sf_exec_status {
	SF_EXEC_PASS,  /* every property held */
	SF_EXEC_FAIL,  /* one failed: RES->failure says which */
	SF_EXEC_ERROR, /* the runtime could not start: RES->error is the -errno */
};

/* Run IN. The host is initialised on first use. */
enum sf_exec_status sf_exec(const struct sf_input *in, const struct sf_exec_opts *opts,
			    struct sf_result *res);
