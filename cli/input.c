// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * input.c: read an input file and decode it, binary or text. The text form
 * is recognised by its header, which may follow a UTF-8 BOM, blank lines and
 * comment lines (what an editor or a paste leaves). Any byte string is a
 * binary input, but one that looks like text and has no header is more
 * likely a text trace with a broken or missing header: it is refused unless
 * the command was given --binary.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "cli/main.h"

#define TEXT_HEADER    "sockfuzz-trace"
#define UTF8_BOM       "\xef\xbb\xbf"
#define MAX_INPUT_FILE (64u << 20) /* the decoders keep far less; this bounds memory */

/* Whether P..END starts with S. */
static bool starts_with(const uint8_t *p, const uint8_t *end, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(end - p) >= n && !memcmp(p, s, n);
}

/* Find the header after an optional BOM, blank lines, # comment lines and the
 * header line's own leading blanks: set in->text, header_at and header_line. */
static void find_header(struct cli_input *in)
{
	const uint8_t *p = in->data, *end = in->data + in->size;
	unsigned int line = 1;

	if (starts_with(p, end, UTF8_BOM))
		p += strlen(UTF8_BOM);
	while (p < end) {
		const uint8_t *q = p;

		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (q < end && (*q == '#' || *q == '\n' || *q == '\r')) {
			const uint8_t *nl = memchr(q, '\n', end - q);

			if (!nl)
				return;
			p = nl + 1;
			line++;
			continue;
		}
		if (starts_with(q, end, TEXT_HEADER)) {
			in->text = true;
			in->header_at = q - in->data;
			in->header_line = line;
		}
		return;
	}
}

/* The length of the UTF-8 sequence at P (1..4 bytes), or 0 when it is not one. */
static size_t utf8_len(const uint8_t *p, const uint8_t *end)
{
	size_t n = *p >= 0xf0 && *p <= 0xf4 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc2 ? 2 : 0;

	if (!n || (size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	}
	return n;
}

/* Whether a file without the header looks like text all the same: a BOM, a
 * first line that is blank or a comment, or nothing but printable ASCII,
 * tabs, line ends and UTF-8. */
static bool looks_like_text(const struct cli_input *in)
{
	const uint8_t *p = in->data, *end = in->data + in->size;

	if (!in->size)
		return false;
	if (starts_with(p, end, UTF8_BOM) || *p == '#' || *p == '\n' || starts_with(p, end, "\r\n"))
		return true;
	while (p < end) {
		if ((*p >= 0x20 && *p < 0x7f) || *p == '\t' || *p == '\n' || *p == '\r') {
			p++;
		} else {
			size_t n = *p >= 0x80 ? utf8_len(p, end) : 0;

			if (!n)
				return false;
			p += n;
		}
	}
	return true;
}

int cli_input_read(const char *path, enum cli_form form, struct cli_input *in)
{
	bool is_stdin = !strcmp(path, "-");
	struct stat st;
	FILE *f;
	size_t cap = 0;

	memset(in, 0, sizeof(*in));
	in->path = is_stdin ? "<stdin>" : path;
	/* Opening a FIFO blocks until someone writes to it, silently. */
	if (!is_stdin && !stat(path, &st) && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
		p_err("'%s' is a %s: give it on stdin ('-') instead", path,
		      S_ISFIFO(st.st_mode) ? "FIFO" : "socket");
		return SF_EXIT_USAGE;
	}
	f = is_stdin ? stdin : fopen(path, "rb");
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
	if (form != CLI_FORM_BINARY)
		find_header(in);
	if (form == CLI_FORM_ANY && !in->text && looks_like_text(in)) {
		p_err("'%s' looks like text but has no '" TEXT_HEADER " v%d LEVEL' header "
		      "(--binary runs it as a binary input)",
		      in->path, SF_FORMAT_VERSION);
		cli_input_free(in);
		return SF_EXIT_USAGE;
	}
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

int cli_input_parse(const struct cli_input *in, struct sf_input *run)
{
	struct sf_text_error err;
	unsigned int before = in->text ? in->header_line - 1 : 0;

	if (sf_text_parse((const char *)in->data + in->header_at, in->size - in->header_at, run,
			  &err)) {
		p_err("%s:%u: %s", in->path, err.line + before, err.msg);
		return SF_EXIT_USAGE;
	}
	return 0;
}

int cli_input_decode(const struct cli_input *in, const enum sf_level *force, struct sf_input *run)
{
	static const char *const level_names[] = {"lifecycle", "raw"};

	if (!in->text) {
		if (force)
			sf_decode_level(in->data, in->size, *force, run);
		else
			sf_decode(in->data, in->size, run);
		return 0;
	}
	if (cli_input_parse(in, run))
		return SF_EXIT_USAGE;
	if (force && *force != run->level) {
		p_err("%s: the text is at the %s level, --level says %s", in->path,
		      level_names[run->level], level_names[*force]);
		return SF_EXIT_USAGE;
	}
	return 0;
}
