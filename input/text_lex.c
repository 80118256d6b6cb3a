// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * text_lex.c: the text form's lexer (text_lex.h): lines into tokens, tokens
 * taken by key or as bare words, numbers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "input/text_lex.h"

void lex_error(struct lexer *l, const char *fmt, ...)
{
	size_t n = 0;
	va_list ap;

	l->err->line = l->line;
	if (l->what)
		n = snprintf(l->err->msg, sizeof(l->err->msg), "%s: ", l->what);
	va_start(ap, fmt);
	vsnprintf(l->err->msg + n, sizeof(l->err->msg) - n, fmt, ap);
	va_end(ap);
	for (char *c = l->err->msg; *c; c++) {
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
	}
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

int lex_line(struct lexer *l, const char *line, size_t len)
{
	const char *hash = memchr(line, '#', len);
	size_t i = 0;

	if (hash)
		len = hash - line;
	if (memchr(line, '\0', len))
		return lex_fail(l, "NUL byte in the line");
	l->ntok = 0;
	while (i < len) {
		struct lex_token *t;
		size_t start;
		char *eq;

		while (i < len && is_space(line[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !is_space(line[i]))
			i++;
		if (l->ntok == LEX_MAX_TOKENS)
			return lex_fail(l, "too many fields (at most %d)", LEX_MAX_TOKENS);
		if (i - start >= LEX_TOKEN_MAX)
			return lex_fail(l, "'%.24s...' is too long", line + start);
		t = &l->tok[l->ntok++];
		memcpy(t->s, line + start, i - start);
		t->s[i - start] = '\0';
		t->used = false;
		eq = strchr(t->s, '=');
		t->val = NULL;
		if (eq) {
			*eq = '\0';
			t->val = eq + 1;
		}
	}
	return 0;
}

int lex_take_key(struct lexer *l, const char *key, const char **val)
{
	*val = NULL;
	for (unsigned int i = 1; i < l->ntok; i++) {
		struct lex_token *t = &l->tok[i];

		if (!t->val || strcmp(t->s, key))
			continue;
		if (*val)
			return lex_fail(l, "'%s' given twice", key);
		t->used = true;
		*val = t->val;
	}
	return 0;
}

int lex_need_key(struct lexer *l, const char *key, const char **val)
{
	int err = lex_take_key(l, key, val);

	if (!err && !*val)
		err = lex_fail(l, "missing '%s='", key);
	return err;
}

int lex_take_word(struct lexer *l, const char *word, bool *found)
{
	*found = false;
	for (unsigned int i = 1; i < l->ntok; i++) {
		struct lex_token *t = &l->tok[i];

		if (t->val || strcmp(t->s, word))
			continue;
		if (*found)
			return lex_fail(l, "'%s' given twice", word);
		t->used = true;
		*found = true;
	}
	return 0;
}

int lex_need_bare(struct lexer *l, const char *what, const char **s)
{
	for (unsigned int i = 1; i < l->ntok; i++) {
		struct lex_token *t = &l->tok[i];

		if (!t->val && !t->used) {
			t->used = true;
			*s = t->s;
			return 0;
		}
	}
	return lex_fail(l, "missing %s", what);
}

int lex_check_unused(struct lexer *l)
{
	for (unsigned int i = 1; i < l->ntok; i++) {
		const struct lex_token *t = &l->tok[i];

		if (t->used)
			continue;
		if (t->val)
			return lex_fail(l, "unknown field '%s'", t->s);
		return lex_fail(l, "unexpected '%s'", t->s);
	}
	return 0;
}

bool lex_number(const char *s, __u64 *v)
{
	unsigned int base = 10;
	__u64 x = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2]) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return false;
		if (x > (~0ull - d) / base)
			return false;
		x = x * base + d;
	}
	*v = x;
	return true;
}
