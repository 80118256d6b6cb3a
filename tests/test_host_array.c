// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_host_array.c: BPF_MAP_TYPE_ARRAY (bpf/host/array.c), with the kernel's semantics
 * (SPEC §6, bpf/host/host.h). The program linked in is
 * tests/data/host_fixture.bpf.c (host_fixture.h); expected values are the
 * kernel's, as SPEC §6 and include/uapi/linux/bpf.h state them, never the
 * runtime's own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "check.h"
#include "host_suite.h"
#include "host_fixture.h"

/* ARRAY: every element exists (NOEXIST fails), an index past the end is E2BIG,
 * delete is EINVAL, and reset zeroes what was written. */
static void test_host_array_kernel_semantics(void **state)
{
	struct host_map *m = map("fx_array");
	__u32 idx = 3, bad = 8;
	__u64 v = 0xfeed, *got;

	at("array");
	CHECK_INT(host_map__update(m, &idx, &v, BPF_NOEXIST), -EEXIST, "NOEXIST");
	CHECK_INT(host_map__update(m, &bad, &v, BPF_ANY), -E2BIG, "index past the end");
	CHECK_INT(host_map__delete(m, &idx), -EINVAL, "delete");
	CHECK_INT(host_map__update(m, &idx, &v, BPF_EXIST), 0, "EXIST");
	got = bpf_map_lookup_elem(def("fx_array"), &idx);
	CHECK(got && *got == 0xfeed, "value via BPF lookup");
	*got = 0xbeef; /* a program writes through the pointer */
	host_reset();
	got = host_map__lookup(m, &idx);
	CHECK(got && *got == 0, "value after reset %llx", got ? (unsigned long long)*got : 1ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, test_setup)
		T(test_host_array_kernel_semantics),
#undef T
	};

	return cmocka_run_group_tests_name("host_array", tests, group_setup, group_teardown);
}
