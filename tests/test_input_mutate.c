// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_input_mutate.c: the structure-aware mutator (input/mutate.h). Every
 * output is the canonical encoding of an in-range run of its level, the same
 * seed gives the same output, and the near misses the catalogue's reach
 * mutants need (an address one byte from the control address, a port next to
 * 929, a switch of address form) come out of a few thousand mutations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "input/input.h"
#include "input/input_internal.h"
#include "input/mutate.h"
#include "input/steps.h"
#include "input_build.h"

#define ROUNDS 4000
#define CAP    SF_MAX_INPUT

static struct sf_input in, back;
static uint8_t buf[CAP], again[CAP], enc[CAP * 8];

/* An enrolment and a connection: what the five seed scenarios are made of. */
static size_t seed_run(uint8_t *out)
{
	build_begin(&in);
	build_enrol(INET, A4(127, 0, 0, 9));
	build_listen(0, INET, A4(127, 0, 0, 9), 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
	build_accept(2, 0);
	build_slot(SF_CLOSE, 1, 0);
	return sf_encode(&in, out, CAP);
}

/* OUT (N bytes) decodes to a run of LEVEL that encodes to the same bytes. */
static void assert_canonical(const uint8_t *out, size_t n, enum sf_level level)
{
	size_t m;

	sf_decode_level(out, n, level, &back);
	for (unsigned int i = 0; i < back.nsteps; i++)
		assert_true(sf_level_holds(level, back.steps[i].kind));
	m = sf_encode(&back, enc, sizeof(enc));
	/* The level byte is the only one a forced level may rewrite. */
	assert_int_equal(m, n);
	assert_memory_equal(enc + 2, out + 2, n > 2 ? n - 2 : 0);
}

static void test_mutate_outputs_are_canonical_runs(void **state)
{
	for (unsigned int level = 0; level < 2; level++) {
		size_t n = seed_run(buf);

		for (unsigned int i = 0; i < ROUNDS; i++) {
			size_t m = sf_mutate(buf, n, CAP, i, level);

			if (!m)
				continue; /* did not fit: the bytes stay as they were */
			assert_true(m <= CAP);
			assert_canonical(buf, m, level);
			n = m;
		}
	}
}

static void test_mutate_is_deterministic(void **state)
{
	size_t n = seed_run(buf), a, b;

	memcpy(again, buf, n);
	a = sf_mutate(buf, n, CAP, 42, SF_LEVEL_LIFECYCLE);
	b = sf_mutate(again, n, CAP, 42, SF_LEVEL_LIFECYCLE);
	assert_int_equal(a, b);
	assert_memory_equal(buf, again, a);
}

/* Whether A and B differ in exactly one byte, and it is not the last: no
 * pool value or change of form makes such an address from these targets. */
static bool one_inner_byte_apart(const struct sf_addr *a, const struct sf_addr *b)
{
	unsigned int n = 0, at = 0;

	for (unsigned int i = 0; i < 16; i++) {
		if (((const __u8 *)a)[i] != ((const __u8 *)b)[i]) {
			n++;
			at = i;
		}
	}
	return n == 1 && at != 15;
}

/* Whether A is a value of the address pools (what any mutation may draw). */
static bool in_pools(const struct sf_addr *a)
{
	for (unsigned int i = 0; i < SF_ADDR_N; i++)
		if (lo_addr_eq(a, &sf_addr_pool[i]))
			return true;
	return false;
}

static void test_mutate_reaches_near_misses(void **state)
{
	bool control_byte = false, control_port = false, mapped_form = false;
	size_t n0 = seed_run(buf);

	for (unsigned int i = 0; i < ROUNDS && !(control_byte && control_port && mapped_form);
	     i++) {
		size_t n;

		seed_run(buf);
		n = sf_mutate(buf, n0, CAP, i, SF_LEVEL_LIFECYCLE);
		if (!n)
			continue;
		sf_decode_level(buf, n, SF_LEVEL_LIFECYCLE, &back);
		for (unsigned int s = 0; s < back.nsteps; s++) {
			const struct sf_step *st = &back.steps[s];

			if (st->kind != SF_CONNECT)
				continue;
			/* One inner byte from 0.0.0.2 or from the enrolled
			 * 127.0.0.9, not a pool value: only a near miss makes it. */
			control_byte |=
				!in_pools(&st->remote) &&
				(one_inner_byte_apart(&st->remote, &lo_control4) ||
				 one_inner_byte_apart(&st->remote,
						      &(struct sf_addr)LO_ADDR4(127, 0, 0, 9)));
			control_port |= st->rport == 928 || st->rport == 931;
			mapped_form |= st->family == INET6 && lo_addr_is_v4mapped(&st->remote);
		}
	}
	assert_true(control_byte);
	assert_true(control_port);
	assert_true(mapped_form);
}

/* A cross-over keeps a prefix of A's steps and takes the rest from B. */
static void test_crossover_splices_two_runs(void **state)
{
	static uint8_t a[CAP], b[CAP], out[CAP];
	size_t na = seed_run(a), nb, n;
	bool spliced = false;

	build_begin(&in);
	build_value(SF_MONITORING, 0);
	build_value(SF_CLOCK, 1000);
	nb = sf_encode(&in, b, CAP);
	for (unsigned int i = 0; i < 200 && !spliced; i++) {
		n = sf_crossover(a, na, b, nb, out, CAP, i, SF_LEVEL_LIFECYCLE);
		assert_true(n > 0 && n <= CAP);
		assert_canonical(out, n, SF_LEVEL_LIFECYCLE);
		sf_decode_level(out, n, SF_LEVEL_LIFECYCLE, &back);
		spliced = back.nsteps >= 2 && back.steps[0].kind == SF_ENROL &&
			  back.steps[back.nsteps - 1].kind == SF_CLOCK;
	}
	assert_true(spliced);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutate_outputs_are_canonical_runs),
		cmocka_unit_test(test_mutate_is_deterministic),
		cmocka_unit_test(test_mutate_reaches_near_misses),
		cmocka_unit_test(test_crossover_splices_two_runs),
	};

	return cmocka_run_group_tests_name("input_mutate", tests, NULL, NULL);
}
