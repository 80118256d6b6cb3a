// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_steps.c: the step-kind registry (input/steps.h) row by row, and the
 * oracle's handler tables against it. Every row is complete (a name, a
 * unique non-zero code, a text form that writes exactly its binary fields
 * and flags); the kernel driver has a handler for a kind iff the row has no
 * .kernel_none; the recording conversion has an entry (if only "nothing to
 * convert") for every kind the kernel driver carries out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* check.h's hex dump is for bytes; no test here compares any. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "check.h"
#pragma GCC diagnostic pop
#include "input/steps.h"
#include "oracle/oracle.h"

/* Modifiers of other fields: no text field writes them by themselves. */
#define MODIFIERS (SF_USE_FAMILY | SF_USE_GLOBAL | SF_USE_ANY_FAMILY)

/* The binary fields a text field writes. */
static unsigned int text_writes(const struct sf_text_field *f)
{
	switch (f->type) {
	case SF_TF_SLOT:
		return SF_USE_SLOT;
	case SF_TF_PEER:
		return SF_USE_PEER;
	case SF_TF_ADDR:
	case SF_TF_GLOBAL:
		return SF_USE_LOCAL;
	case SF_TF_LOCAL:
		return SF_USE_LOCAL | SF_USE_LPORT;
	case SF_TF_REMOTE:
		return SF_USE_REMOTE | SF_USE_RPORT;
	case SF_TF_FLAG:
		return SF_USE_FLAGS;
	case SF_TF_OP:
		return SF_USE_OP;
	case SF_TF_FAMILY:
		return SF_USE_FAMILY;
	case SF_TF_ARGS:
		return SF_USE_ARGS;
	case SF_TF_STATE:
		return SF_USE_STATE;
	case SF_TF_VALUE:
		return SF_USE_VALUE;
	case SF_TF_TCP:
		return SF_USE_TCP;
	case SF_TF_END:
		break;
	}
	return 0;
}

static void test_rows_are_complete(void **state)
{
	bool code_used[256] = {false};

	CHECK(!sf_kind_def(SF_KIND__COUNT), "a row past the end");
	for (unsigned int kind = 0; kind < SF_KIND__COUNT; kind++) {
		const struct sf_kind_def *k = sf_kind_def(kind);
		unsigned int written = 0, flags = 0, n;

		at("kind %u", kind);
		CHECK(k && k->name && *k->name, "a name");
		at("kind %u (%s)", kind, k->name);
		CHECK(k->code != 0, "a non-zero code");
		CHECK(!code_used[k->code], "its code used once");
		code_used[k->code] = true;
		CHECK(k->level <= SF_LEVEL_RAW, "a level");
		CHECK(k->performer <= SF_BY_RECORD, "a performer");
		CHECK(k->doc && *k->doc, "a doc line");
		CHECK(!k->kernel_none || *k->kernel_none, "a reason when the kernel cannot");
		CHECK(k->text, "a text form");
		for (n = 0; k->text[n].type != SF_TF_END; n++) {
			const struct sf_text_field *f = &k->text[n];

			CHECK(n < 32, "its text form ended");
			written |= text_writes(f);
			if (f->type == SF_TF_FLAG)
				flags |= f->arg;
			if (f->type == SF_TF_VALUE)
				CHECK(f->value, "a value field has a value syntax");
		}
		CHECK_INT(written & ~MODIFIERS, k->fields & ~MODIFIERS,
			  "binary fields its text form writes");
		CHECK_INT(flags, k->flags, "flags its text form writes");
		CHECK_INT(!!(k->fields & SF_USE_FLAGS), k->flags != 0, "a flags field iff flags");
		CHECK(!(k->fields & SF_USE_GLOBAL) || (k->fields & SF_USE_LOCAL),
		      "GLOBAL modifies LOCAL");
		CHECK(!(k->fields & SF_USE_ANY_FAMILY) || (k->fields & SF_USE_FAMILY),
		      "ANY_FAMILY modifies FAMILY");
	}
}

static void test_kernel_driver_handles_what_the_rows_say(void **state)
{
	CHECK(!orc_kernel__handles(SF_KIND__COUNT), "no handler past the end");
	for (unsigned int kind = 0; kind < SF_KIND__COUNT; kind++) {
		const struct sf_kind_def *k = sf_kind_def(kind);

		at("kind %u (%s)", kind, k->name);
		CHECK_INT(orc_kernel__handles(kind), !k->kernel_none,
			  "a kernel handler iff the row has no .kernel_none");
	}
}

static void test_conversion_covers_kernel_kinds(void **state)
{
	CHECK(!orc_convert__handles(SF_KIND__COUNT), "no entry past the end");
	for (unsigned int kind = 0; kind < SF_KIND__COUNT; kind++) {
		at("kind %u (%s)", kind, sf_kind_def(kind)->name);
		if (orc_kernel__handles(kind))
			CHECK(orc_convert__handles(kind),
			      "a conversion entry for a kind the kernel carries out");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_are_complete),
		cmocka_unit_test(test_kernel_driver_handles_what_the_rows_say),
		cmocka_unit_test(test_conversion_covers_kernel_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
