// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_host_ring.c: BPF_MAP_TYPE_RINGBUF (bpf/host/ringbuf.c), with the kernel's semantics
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

/* kernel ringbuf: a record costs round_up(size + 8, 8) and a reservation fails
 * when it would put the producer cap or more ahead of the consumer. A 4096-byte
 * ring takes exactly 85 records of 40 bytes (85 * 48 = 4080). */
static void test_host_ring_capacity_85_records(void **state)
{
	struct host_map *m = map("fx_ring");
	void *rec;
	int n = 0;

	at("fill with 40-byte records");
	while ((rec = ring_reserve(40)) != NULL) {
		memset(rec, n, 40);
		bpf_ringbuf_submit(rec, 0);
		if (++n > 100)
			break;
	}
	CHECK_INT(n, 85, "40-byte records that fit in 4096 bytes");
	CHECK_INT(host_map__count(m), 85, "submitted records");
	CHECK_INT(host_ring__used(m), 85 * 48, "bytes used");
	CHECK(ring_reserve(8) == NULL, "an 8-byte record (cost 16) fits in the 16 bytes left");
	CHECK(ring_reserve(1) == NULL, "a 1-byte record (cost 16) fits in the 16 bytes left");
	host_ring__drain(m);
	CHECK_INT(host_map__count(m), 0, "count after drain");
	CHECK_INT(host_ring__used(m), 0, "used after drain");

	at("single records against the cap");
	rec = ring_reserve(4081); /* cost 4096: would fill the ring completely */
	CHECK(rec == NULL, "a record of cost == cap was accepted");
	rec = ring_reserve(4080); /* cost 4088 */
	CHECK(rec != NULL, "a record of cost cap - 8 was refused");
	bpf_ringbuf_submit(rec, 0);
	CHECK_INT(host_ring__used(m), 4088, "used");
	CHECK(ring_reserve(1) == NULL, "cost 16 with 8 bytes left");
	host_ring__drain(m);
	at("costs");
	rec = ring_reserve(1);
	CHECK(rec != NULL, "reserve 1");
	bpf_ringbuf_submit(rec, 0);
	CHECK_INT(host_ring__used(m), 16, "cost of a 1-byte record");
	rec = ring_reserve(16);
	CHECK(rec != NULL, "reserve 16");
	bpf_ringbuf_submit(rec, 0);
	CHECK_INT(host_ring__used(m), 16 + 24, "cost of a 16-byte record");
	CHECK(ring_reserve(RING_CAP + 8) == NULL, "a record larger than the ring");
}

/* Records become visible only once submitted, in reservation order: an open
 * reservation at the head hides the submitted ones behind it. */
static void test_host_ring_invisible_until_submitted(void **state)
{
	struct host_map *m = map("fx_ring");
	__u8 *a, *b;
	const __u8 *p;
	__u32 len = 0;

	at("reserve a, reserve b");
	a = ring_reserve(40);
	b = ring_reserve(24);
	CHECK(a && b, "reservations");
	memset(a, 0xaa, 40);
	memset(b, 0xbb, 24);
	CHECK(host_ring__peek(m, &len) == NULL, "an open record is visible");
	CHECK_INT(host_map__count(m), 0, "count with open records");
	bpf_ringbuf_submit(b, 0);
	CHECK(host_ring__peek(m, &len) == NULL, "b visible while a, before it, is open");
	CHECK_INT(host_map__count(m), 1, "count after submitting b");
	bpf_ringbuf_submit(a, 0);
	p = host_ring__peek(m, &len);
	CHECK(p == a, "first record is not a");
	CHECK_INT(len, 40, "length of a");
	host_ring__consume(m);
	p = host_ring__peek(m, &len);
	CHECK(p == b && len == 24 && p[0] == 0xbb, "second record is not b");
	host_ring__consume(m);
	CHECK(host_ring__peek(m, &len) == NULL, "ring not empty");
	CHECK_INT(host_ring__used(m), 0, "used after consuming both");
}

/* Discarded records are skipped by the consumer and never counted. */
static void test_host_ring_discard_skipped(void **state)
{
	struct host_map *m = map("fx_ring");
	__u8 *a, *b, *c;
	const __u8 *p;
	__u32 len;

	at("submit a, discard b, submit c");
	a = ring_reserve(8);
	b = ring_reserve(8);
	c = ring_reserve(8);
	CHECK(a && b && c, "reservations");
	a[0] = 1;
	b[0] = 2;
	c[0] = 3;
	bpf_ringbuf_discard(b, 0);
	bpf_ringbuf_submit(a, 0);
	bpf_ringbuf_submit(c, 0);
	CHECK_INT(host_map__count(m), 2, "submitted records");
	p = host_ring__peek(m, &len);
	CHECK(p && p[0] == 1, "first record");
	host_ring__consume(m);
	p = host_ring__peek(m, &len);
	CHECK(p && p[0] == 3, "the discarded record was not skipped (got %d)", p ? p[0] : -1);
	host_ring__consume(m);
	CHECK_INT(host_map__count(m), 0, "count");
	CHECK_INT(host_ring__used(m), 0, "used");
	at("discard only");
	a = ring_reserve(8);
	bpf_ringbuf_discard(a, 0);
	CHECK(host_ring__peek(m, NULL) == NULL, "a discarded record is visible");
	CHECK_INT(host_map__count(m), 0, "count");
}

/* Consuming frees exactly the record's cost, so a full ring takes another. */
static void test_host_ring_consume_frees_space(void **state)
{
	struct host_map *m = map("fx_ring");
	void *rec;

	at("fill");
	for (int i = 0; i < 85; i++) {
		rec = ring_reserve(40);
		CHECK(rec, "record %d", i);
		bpf_ringbuf_submit(rec, 0);
	}
	CHECK(ring_reserve(40) == NULL, "86th record fits");
	host_ring__consume(m);
	CHECK_INT(host_ring__used(m), 84 * 48, "used after one consume");
	rec = ring_reserve(40);
	CHECK(rec != NULL, "no room after consuming one record");
	bpf_ringbuf_submit(rec, 0);
	CHECK(ring_reserve(40) == NULL, "room for two after consuming one");
	CHECK_INT(host_map__count(m), 85, "count");
}

/* Fresh reservations are poisoned (HOST_RING_POISON), never zero or stale. */
static void test_host_ring_reserve_poisons(void **state)
{
	__u8 *rec, want[40];

	at("poison");
	memset(want, HOST_RING_POISON, sizeof(want));
	rec = ring_reserve(40);
	CHECK(rec, "reserve");
	CHECK_BYTES(rec, want, 40, "fresh reservation");
	memset(rec, 0, 40);
	bpf_ringbuf_submit(rec, 0);
	host_ring__drain(map("fx_ring"));
	/* Advance past the whole ring so the same bytes are handed out again. */
	for (int i = 0; i < 85; i++) {
		rec = ring_reserve(40);
		CHECK(rec, "reserve %d", i);
		CHECK_BYTES(rec, want, 40, "reused ring memory");
		memset(rec, 0, 40);
		bpf_ringbuf_submit(rec, 0);
		host_ring__consume(map("fx_ring"));
	}
}

/* kernel: reserve flags must be 0; output flags only the wakeup bits. */
static void test_host_ring_bad_flags(void **state)
{
	__u8 data[16] = {1, 2, 3};

	at("flags");
	CHECK(bpf_ringbuf_reserve(def("fx_ring"), 8, 1) == NULL, "reserve with flags 1");
	CHECK_INT(bpf_ringbuf_output(def("fx_ring"), data, 16, 4), -EINVAL, "output flags 4");
	CHECK_INT(host_map__count(map("fx_ring")), 0, "count");
	CHECK_INT(host_ring__used(map("fx_ring")), 0, "used");
}

/* bpf_ringbuf_output copies the data, and fails with EAGAIN (nothing written)
 * when the record does not fit. */
static void test_host_ring_output_copies_or_fails(void **state)
{
	struct host_map *m = map("fx_ring");
	__u8 data[40];
	const void *p;
	__u32 len;
	int n = 0;

	at("output");
	for (int i = 0; i < 40; i++)
		data[i] = (__u8)(i * 7);
	CHECK_INT(bpf_ringbuf_output(def("fx_ring"), data, 40, BPF_RB_NO_WAKEUP), 0, "output");
	p = host_ring__peek(m, &len);
	CHECK_INT(len, 40, "length");
	CHECK_BYTES(p, data, 40, "output record");
	while (bpf_ringbuf_output(def("fx_ring"), data, 40, 0) == 0)
		n++;
	CHECK_INT(n, 84, "records output after the first");
	CHECK_INT(bpf_ringbuf_output(def("fx_ring"), data, 40, 0), -EAGAIN, "output when full");
	CHECK_INT(host_map__count(m), 85, "count");
}

/* Producer and consumer wrap around the ring many times with records of
 * mixed sizes; every record comes back intact and in order. */
static void test_host_ring_wraparound_keeps_records(void **state)
{
	static const __u32 sizes[] = {40, 100, 8, 1000, 3, 256, 64};
	struct host_map *m = map("fx_ring");
	__u32 produced = 0, consumed = 0;

	at("wraparound");
	for (int round = 0; round < 400; round++) {
		/* Up to three outstanding records, then consume one. */
		while (produced - consumed < 3) {
			__u32 size = sizes[produced % 7];
			__u8 *rec = ring_reserve(size);

			if (!rec)
				break;
			for (__u32 i = 0; i < size; i++)
				rec[i] = (__u8)(produced * 31 + i);
			bpf_ringbuf_submit(rec, 0);
			produced++;
		}
		{
			__u32 len = 0, size = sizes[consumed % 7];
			const __u8 *p = host_ring__peek(m, &len);
			__u8 want[1000];

			at("wraparound record %u (round %d)", consumed, round);
			CHECK(p, "record missing");
			CHECK_INT(len, size, "length");
			for (__u32 i = 0; i < size; i++)
				want[i] = (__u8)(consumed * 31 + i);
			CHECK_BYTES(p, want, size, "record contents");
			host_ring__consume(m);
			consumed++;
		}
	}
	CHECK(produced > 2 * RING_CAP / 100, "the test did not wrap: %u records", produced);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, test_setup)
		T(test_host_ring_capacity_85_records),
		T(test_host_ring_invisible_until_submitted),
		T(test_host_ring_discard_skipped),
		T(test_host_ring_consume_frees_space),
		T(test_host_ring_reserve_poisons),
		T(test_host_ring_bad_flags),
		T(test_host_ring_output_copies_or_fails),
		T(test_host_ring_wraparound_keeps_records),
#undef T
	};

	return cmocka_run_group_tests_name("host_ring", tests, group_setup, group_teardown);
}
