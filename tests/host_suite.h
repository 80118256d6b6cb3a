/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * host_suite.h: the cmocka fixtures of a suite on the host runtime: the
 * runtime is built once per group (quietly) and reset before every test, so
 * each test starts from the state right after host_init(). Include after
 * check.h and host.h.
 */
#pragma once

#include "host.h"

static int group_setup(void **state)
{
	host_set_print(NULL);
	return host_init();
}

static int group_teardown(void **state)
{
	host_fini();
	return 0;
}

static int test_setup(void **state)
{
	host_reset();
	at("%s", "setup");
	return 0;
}
