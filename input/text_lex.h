/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * text_lex.h: the text form's lexer (text_lex.c), which the grammar
 * (text_parse.c) drives: one line split into tokens, each a bare word or
 * KEY=VALUE, taken by the grammar one by one so that a token nobody took is
 * an error. Untrusted text: at most LEX_MAX_TOKENS tokens of at most
 * LEX_TOKEN_MAX bytes a line. Internal to input/.
 */
#pragma once

#if !defined(SF_MODULE_input)
#error "input/text_lex.h is input's own: include input/input.h"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "input/input.h"

#define LEX_TOKEN_MAX  96
#define LEX_MAX_TOKENS 16

struct lex_token {
	char s[LEX_TOKEN_MAX];
	const char *val; /* after '=' for KEY=VALUE, else NULL */
	bool used;
};

struct lexer {
	struct sf_text_error *err;
	unsigned int line;
	const char *what; /* the line's step or keyword, for messages */
	struct lex_token tok[LEX_MAX_TOKENS];
	unsigned int ntok;
};

/* Record the error of the current line ("WHAT: message"); bytes that are not
 * printable ASCII show as '?', so a message is always one clean line. */
void lex_error(struct lexer *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record the error and give -EINVAL; a macro so that the result is visible
 * to clang --analyze, which does not follow variadic calls. */
#define lex_fail(l, ...) (lex_error((l), __VA_ARGS__), -EINVAL)

/* Split LINE (LEN bytes, no newline) into tokens; a '#' starts a comment.
 * Returns 0 or -EINVAL (a NUL byte, too many or too long tokens). */
int lex_line(struct lexer *l, const char *line, size_t len);

/* Tokens after the first: the value of KEY= (NULL when absent; -EINVAL when
 * given twice); the same, needed; whether the bare WORD is there (once at
 * most); the first bare token not taken yet (WHAT names it when missing). */
int lex_take_key(struct lexer *l, const char *key, const char **val);
int lex_need_key(struct lexer *l, const char *key, const char **val);
int lex_take_word(struct lexer *l, const char *word, bool *found);
int lex_need_bare(struct lexer *l, const char *what, const char **s);

/* Every token must have been taken: -EINVAL naming the first that was not. */
int lex_check_unused(struct lexer *l);

/* Decimal, or hexadecimal after 0x; no sign, no spaces. */
bool lex_number(const char *s, __u64 *v);
