// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * input.c: read an input file and decode it, binary or text. The text form
 * is recognised by its header at byte 0 only, so a binary input (which any
 * byte string is) is never mistaken for text unless it begins with exactly
 * that header.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli/main.h"

#define TEXT_HEADER    "sockfuzz-trace"
#define MAX_INPUT_FILE (64u << 20) /* the decoders keep far less; this bounds memory */

int cli_input_read(const char *path, struct cli_input *in)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	size_t cap = 0;

	memset(in, 0, sizeof(*in));
	in->path = is_stdin ? "<stdin>" : path;
	if (!f) {
		p_err("cannot open '%s': %s", path, strerror(errno));
		return SF_EXIT_USAGE;
	}
	for (;;) {
		size_t n;

		if (in->size == cap) {
			uint8_t *p;

			if (cap >= MAX_INPUT_FILE) {
				p_err("'%s' is larger than %u MiB", in->path, MAX_INPUT_FILE >> 20);
				goto fail;
			}
			cap = cap ? 2 * cap : 4096;
			p = realloc(in->data, cap);
			if (!p) {
				p_err("cannot read '%s': %s", in->path, strerror(ENOMEM));
				goto fail;
			}
			in->data = p;
		}
		n = fread(in->data + in->size, 1, cap - in->size, f);
		in->size += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		/* e.g. a directory: fopen() succeeds, reading fails with EISDIR. */
		p_err("cannot read '%s': %s", in->path, strerror(errno));
		goto fail;
	}
	if (!is_stdin)
		fclose(f);
	in->text = in->size >= strlen(TEXT_HEADER) &&
		   !memcmp(in->data, TEXT_HEADER, strlen(TEXT_HEADER));
	return 0;
fail:
	if (!is_stdin)
		fclose(f);
	cli_input_free(in);
	return SF_EXIT_USAGE;
}

void cli_input_free(struct cli_input *in)
{
	if (!in)
		return;
	free(in->data);
	in->data = NULL;
	in->size = 0;
}

int cli_input_decode(const struct cli_input *in, const enum sf_level *force, struct sf_input *run)
{
	static const char *const level_names[] = {"lifecycle", "raw"};
	struct sf_text_error err;

	if (!in->text) {
		if (force)
			sf_decode_level(in->data, in->size, *force, run);
		else
			sf_decode(in->data, in->size, run);
		return 0;
	}
	if (sf_text_parse((const char *)in->data, in->size, run, &err)) {
		p_err("%s:%u: %s", in->path, err.line, err.msg);
		return SF_EXIT_USAGE;
	}
	if (force && *force != run->level) {
		p_err("%s: the text is at the %s level, --level says %s", in->path,
		      level_names[run->level], level_names[*force]);
		return SF_EXIT_USAGE;
	}
	return 0;
}
