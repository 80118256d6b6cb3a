// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_exec.c: the executor (run/exec.c): a run through the world under the
 * properties, its counts, trace, faults and state hash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bpf/host/host.h"
#include "sockops.h"
#include "run/exec.h"
#include "input/steps.h"
#include "input_build.h"

static struct sf_input in;

static int group_setup(void **state)
{
	host_set_print(NULL);
	return host_init() ? -1 : 0;
}

static int group_teardown(void **state)
{
	host_fini();
	return 0;
}

/* ---- the executor ------------------------------------------------------- */

static void build_connection(void)
{
	build_begin(&in);
	build_enrol(INET, A4(127, 0, 0, 5));
	build_enrol(INET, A4(127, 0, 0, 9));
	build_listen(0, INET, A4(127, 0, 0, 9), 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, SF_F_WAYPOINT);
	build_accept(2, 0);
	build_value(SF_AUTH_ANSWER, 0);
	build_slot(SF_XDP_VERDICT, 1, 0);
	build_slot(SF_SEND, 1, 1460);
	build_slot(SF_CLOSE, 1, 0);
	build_slot(SF_CLOSE, 2, 0);
}

/* A whole connection passes every property; the counts add up. */
static void test_exec_connection_passes(void **state)
{
	struct sf_result res;

	build_connection();
	assert_int_equal(sf_exec(&in, NULL, &res), SF_EXEC_PASS);
	assert_false(res.failed);
	assert_int_equal(res.steps, in.nsteps);
	/* 4 per enrol, listen 1, connect 10 (with STATE_CB SYN_RECV ->
	 * ESTABLISHED on the child), 5 for the first close, 2 for the second */
	assert_int_equal(res.events, 26);
	assert_true(res.checks > res.events);
	assert_int_equal(res.state_hash, 0); /* not asked for */
}

/* The same input gives the same hash; another input another one. */
static void test_exec_state_hash_is_deterministic(void **state)
{
	struct sf_exec_opts opts = {.check_determinism = true};
	struct sf_result a, b;

	build_connection();
	assert_int_equal(sf_exec(&in, &opts, &a), SF_EXEC_PASS);
	assert_int_not_equal(a.state_hash, 0);
	assert_int_equal(sf_exec(&in, &opts, &b), SF_EXEC_PASS);
	assert_int_equal(a.state_hash, b.state_hash);
	in.nsteps--; /* the server never closes */
	assert_int_equal(sf_exec(&in, &opts, &b), SF_EXEC_PASS);
	assert_int_not_equal(a.state_hash, b.state_hash);
}

/* The trace names every step and event, and the effects of each. */
static void test_exec_trace_shows_steps_and_events(void **state)
{
	struct sf_exec_opts opts;
	struct sf_result res;
	char *text = NULL;
	size_t len = 0;

	build_connection();
	opts = (struct sf_exec_opts){.trace = open_memstream(&text, &len)};
	assert_non_null(opts.trace);
	assert_int_equal(sf_exec(&in, &opts, &res), SF_EXEC_PASS);
	fclose(opts.trace);
	assert_non_null(strstr(text, "step 0: enrol 127.0.0.5\n"));
	assert_non_null(strstr(text, "event 0: tcp_connect"));
	assert_non_null(strstr(text, "map_update km_manage rc=0"));
	assert_non_null(strstr(text, "passive_established"));
	assert_non_null(strstr(text, "ring_submit km_auth_req 40 bytes"));
	assert_non_null(strstr(text, "xdp: km_auth_res = 0"));
	free(text);
}

/* The input's faults reach the helpers: a full auth ring is a counted drop,
 * which every property accepts. */
static void test_exec_applies_faults(void **state)
{
	__u64 *counters;
	struct sf_result res;

	build_connection();
	/* Reservations: the client's report, the server's report, its auth request. */
	build_fault(HOST_H_RINGBUF_RESERVE, 2);
	assert_int_equal(sf_exec(&in, NULL, &res), SF_EXEC_PASS);
	counters = host_global__ptr("km_counters", NULL);
	assert_int_equal(counters[KM_CNT_AUTH_REQ_DROPPED], 1);
}

/* A raw step ends the kernel-producible part, and the run still passes the
 * robust properties. */
static void test_exec_raw_steps_run(void **state)
{
	struct sf_result res;

	build_connection();
	build_raw(5, BPF_SOCK_OPS_STATE_CB, INET, A4(127, 0, 0, 9), 8080, A4(127, 0, 0, 5), 40000,
		  BPF_TCP_CLOSE, 0, BPF_TCP_ESTABLISHED, BPF_TCP_CLOSE);
	build_raw(6, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 1, ANY6, 0, ANY6, 0, 0, 0, 0, 0);
	assert_int_equal(sf_exec(&in, NULL, &res), SF_EXEC_PASS);
	assert_int_equal(res.events, 28);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_connection_passes),
		cmocka_unit_test(test_exec_state_hash_is_deterministic),
		cmocka_unit_test(test_exec_trace_shows_steps_and_events),
		cmocka_unit_test(test_exec_applies_faults),
		cmocka_unit_test(test_exec_raw_steps_run),
	};

	return cmocka_run_group_tests_name("exec", tests, group_setup, group_teardown);
}
