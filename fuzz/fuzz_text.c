// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_text: the text form's parser (input/input.h), the parser that reads what
 * people write, paste and keep as regressions. Any byte string is tried as
 * text; for one the parser rejects, the error must name a line of the input
 * and say what is wrong in one printable line. For one it accepts:
 *   text_reparse  the canonical print of the run parses again, to the same run;
 *   text_reprint  printing that run gives the same text again;
 *   text_encode   the binary encoding of the run decodes to the same run.
 * Only the public API of input/input.h is used: sf_text_parse, sf_text_print,
 * sf_encode, sf_decode. The runs are not executed (fuzz_lifecycle and fuzz_raw
 * do that): this target spends its time in the parser.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz/fuzz_target.h"

/* Static: a run is about 10 KiB. */
static struct sf_input parsed, reparsed, decoded;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return fuzz_target_init();
}

/* IN in the text form, in a malloc()ed string (*LEN bytes). */
static char *print_run(const struct sf_input *in, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f || sf_text_print(in, f) || fclose(f)) {
		fprintf(stderr, "fuzz_text: cannot print a run to memory\n");
		abort();
	}
	return text;
}

/* Report PROP with a message made like printf() and abort. */
__attribute__((noreturn, format(printf, 3, 4))) static void fail(const char *prop, size_t size,
								 const char *fmt, ...)
{
	char *why = NULL;
	size_t n;
	FILE *f = open_memstream(&why, &n);
	va_list ap;

	va_start(ap, fmt);
	if (f) {
		vfprintf(f, fmt, ap);
		fclose(f);
	}
	va_end(ap);
	fuzz_target_fail(prop, "text", size, why ? why : fmt);
}

/* A rejection must say where and what: a line of the input, one printable line. */
static void check_error(const uint8_t *data, size_t size, const struct sf_text_error *err)
{
	unsigned int lines = 1;
	size_t len = strnlen(err->msg, sizeof(err->msg));

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (err->line < 1 || err->line > lines)
		fail("text_error", size, "the error names line %u of %u: %s", err->line, lines,
		     err->msg);
	if (len == 0 || len == sizeof(err->msg))
		fail("text_error", size, "line %u: the error message is empty or unterminated",
		     err->line);
	for (size_t i = 0; i < len; i++) {
		if (err->msg[i] < 0x20 || err->msg[i] > 0x7e)
			fail("text_error", size, "line %u: byte 0x%02x in the message '%s'",
			     err->line, (unsigned char)err->msg[i], err->msg);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sf_text_error err;
	char *text, *again;
	size_t len, again_len, n;
	uint8_t *bin;

	if (sf_text_parse((const char *)data, size, &parsed, &err)) {
		check_error(data, size, &err);
		fuzz_target_count(1);
		return 0;
	}

	text = print_run(&parsed, &len);
	if (sf_text_parse(text, len, &reparsed, &err))
		fail("text_reparse", size, "the print does not parse: line %u: %s\n%s", err.line,
		     err.msg, text);
	if (memcmp(&parsed, &reparsed, sizeof(parsed)))
		fail("text_reparse", size, "the print parses to another run:\n%s", text);

	again = print_run(&reparsed, &again_len);
	if (again_len != len || memcmp(text, again, len))
		fail("text_reprint", size, "printed once:\n%s\nprinted again:\n%s", text, again);
	free(again);

	n = sf_encode(&parsed, NULL, 0);
	bin = malloc(n ? n : 1);
	if (!bin || sf_encode(&parsed, bin, n) != n)
		fail("text_encode", size, "sf_encode gives two sizes for one run:\n%s", text);
	sf_decode(bin, n, &decoded);
	if (memcmp(&parsed, &decoded, sizeof(parsed)))
		fail("text_encode", size, "the %zu-byte encoding decodes to another run:\n%s", n,
		     text);
	free(bin);
	free(text);
	fuzz_target_count(4);
	return 0;
}
