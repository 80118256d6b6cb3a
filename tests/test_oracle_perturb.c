// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_oracle_perturb.c: the kernel oracle compares the whole context the
 * native world gives each callback (oracle/compare.c orc_compare_expansion).
 *
 * Linked with the world built with -DSF_WORLD_PERTURB (oracle/oracle.mk),
 * which can get one fact wrong (world.h, enum sf_world_perturb). Each
 * scenario runs on real sockets in a sandbox (private network namespace and
 * cgroup, the recording build attached), and is compared with the native
 * expansion: with no perturbation nothing may differ; with each one the
 * comparison must name the field it broke. Without root, cgroup v2 or BTF
 * every test is skipped with the reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "kernel.h"
#include "oracle/oracle.h"
#include "world/world.h"

/* A dual-stack listener with an IPv4 client from an unbound port: the child
 * is an IPv4-mapped AF_INET6 socket whose peer port the kernel picked. */
static const char dual_stack[] = "sockfuzz-trace v1 lifecycle\n"
				 "globals monitoring=on node_ip=none pod_gateway=none\n"
				 "enrol 127.0.0.5\n"
				 "listen slot=0 on=[::]:8081\n"
				 "connect slot=1 from=127.0.0.5:0 to=127.0.0.9:8081\n"
				 "accept slot=2 listener=0\n"
				 "close slot=1\n"
				 "close slot=2\n";

/* What the sandboxed child found, in memory shared with the test. */
struct outcome {
	int err; /* 0: the run was carried out and compared */
	unsigned int diffs;
	char text[sizeof(((struct orc_diff *)0)->text)];
};

static struct outcome *shared;

static int in_sandbox(const struct kern_sandbox *sb, void *arg)
{
	static struct orc_kernel_run kr;
	static struct orc_diff d;
	struct orc_run *in = arg;
	struct orc_kernel *k = orc_kernel__open(sb);

	if (!k) {
		shared->err = -1;
		return 1;
	}
	shared->err = orc_kernel__run(k, in, &kr);
	orc_kernel__close(k);
	if (shared->err)
		return 1;
	shared->diffs = orc_compare_expansion(in, &kr, &d);
	snprintf(shared->text, sizeof(shared->text), "%s", d.text);
	return 0;
}

/* Run TEXT in the kernel and compare it with the world perturbed by P. */
static void run(const char *text, enum sf_world_perturb p)
{
	static struct sf_input in;
	static struct orc_run run;
	struct kern_sandbox_opts opts = {.sz = sizeof(opts)};
	struct sf_text_error err;

	assert_int_equal(sf_text_parse(text, strlen(text), &in, &err), 0);
	orc_run__from_input(&run, &in);
	memset(shared, 0, sizeof(*shared));
	sf_world_perturb = p;
	assert_int_equal(kern_sandbox__run(&opts, in_sandbox, &run), 0);
	sf_world_perturb = SF_PERTURB_NONE;
	assert_int_equal(shared->err, 0);
	printf("perturbation %d: %u differences\n%s", p, shared->diffs, shared->text);
}

/* The control: unperturbed, the world's view is the kernel's. */
static void test_unperturbed_is_the_kernel(void **state)
{
	run(dual_stack, SF_PERTURB_NONE);
	assert_int_equal(shared->diffs, 0);
}

static void expect(enum sf_world_perturb p, const char *field)
{
	char want[64];

	run(dual_stack, p);
	snprintf(want, sizeof(want), ": %s natively", field);
	assert_true(shared->diffs > 0);
	assert_non_null(strstr(shared->text, want));
}

static void test_dual_stack_child_as_af_inet(void **state)
{
	expect(SF_PERTURB_CHILD_AF_INET, "family");
}

static void test_wrong_child_port(void **state)
{
	expect(SF_PERTURB_CHILD_PORT, "remote_port");
}

static void test_wrong_source_address(void **state)
{
	expect(SF_PERTURB_SOURCE_ADDR, "local_ip4");
}

static int group_setup(void **state)
{
	char why[256];

	if (kern_env__check(why, sizeof(why))) {
		printf("SKIP: %s\n", why);
		return 0;
	}
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		      0);
	return shared == MAP_FAILED ? -1 : 0;
}

static int skip_unless_kernel(void **state)
{
	if (!shared || shared == MAP_FAILED)
		skip();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_unperturbed_is_the_kernel, skip_unless_kernel),
		cmocka_unit_test_setup(test_dual_stack_child_as_af_inet, skip_unless_kernel),
		cmocka_unit_test_setup(test_wrong_child_port, skip_unless_kernel),
		cmocka_unit_test_setup(test_wrong_source_address, skip_unless_kernel),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
