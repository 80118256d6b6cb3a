// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * text_parse.c: the text form's grammar (input/FORMAT.md, "Text form"). A
 * step line is read field by field as its kind's row in the registry says
 * (steps.h): first every token is taken, then every value parsed, range
 * checked before it is stored; the first bad line stops the parse with its
 * number and one message. Fields a kind does not use stay zero, exactly as
 * the binary decoder leaves them. The lexer is text_lex.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include "bpf/host/host.h"
#include "input/input_internal.h"
#include "input/text_lex.h"

#define HEADER "sockfuzz-trace"

struct parser {
	struct lexer lx;
	struct sf_input *in;
	bool seen_globals, seen_step;
};

/* ------------------------------------------------------------------------ */
/* Values.                                                                   */

/* A number no larger than MAX; WHAT names it in the message. */
static int parse_max(struct parser *p, const char *what, const char *s, __u64 max, __u64 *v)
{
	if (!lex_number(s, v))
		return lex_fail(&p->lx, "bad %s '%s'", what, s);
	if (*v > max)
		return lex_fail(&p->lx, "%s %s out of range (0..%llu)", what, s,
				(unsigned long long)max);
	return 0;
}

static int parse_u8(struct parser *p, const char *what, const char *s, __u64 max, __u8 *v)
{
	__u64 x;
	int err = parse_max(p, what, s, max, &x);

	if (!err)
		*v = x;
	return err;
}

/* A name from LOOKUP, or a number up to MAX. */
static int parse_named(struct parser *p, const char *what, const char *s, __u64 max,
		       bool (*lookup)(const char *, __u32 *), __u64 *v)
{
	__u32 x;

	if (lookup && lookup(s, &x)) {
		*v = x;
		return 0;
	}
	if (!lex_number(s, v))
		return lex_fail(&p->lx, "unknown %s '%s'", what, s);
	if (*v > max)
		return lex_fail(&p->lx, "%s %s out of range (0..%llu)", what, s,
				(unsigned long long)max);
	return 0;
}

static int parse_named32(struct parser *p, const char *what, const char *s,
			 bool (*lookup)(const char *, __u32 *), __u32 *v)
{
	__u64 x;
	int err = parse_named(p, what, s, 0xffffffff, lookup, &x);

	if (!err)
		*v = x;
	return err;
}

static bool onoff_lookup(const char *s, __u32 *v)
{
	if (!strcmp(s, "on"))
		*v = 1;
	else if (!strcmp(s, "off"))
		*v = 0;
	else
		return false;
	return true;
}

static bool verdict_lookup(const char *s, __u32 *v)
{
	__u64 x;

	if (!sf_verdict_lookup(s, &x))
		return false;
	*v = x;
	return true;
}

/* Nanoseconds with an optional unit: ns (default), us, ms, s. */
static int parse_duration(struct parser *p, const char *s, __u64 *ns)
{
	static const struct {
		const char *unit;
		__u64 mul;
	} units[] = {{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000}};
	char num[LEX_TOKEN_MAX];
	size_t n = strspn(s, "0123456789");
	__u64 mul = 0;

	for (unsigned int i = 0; i < 4 && n; i++) {
		if (!s[n] || !strcmp(s + n, units[i].unit)) {
			mul = units[i].mul;
			break;
		}
	}
	memcpy(num, s, n);
	num[n] = '\0';
	if (!mul || !lex_number(num, ns))
		return lex_fail(&p->lx, "bad duration '%s' (a number and ns, us, ms or s)", s);
	if (*ns > ~0ull / mul)
		return lex_fail(&p->lx, "duration %s out of range", s);
	*ns *= mul;
	return 0;
}

/* An address: dotted quad (IPv4, stored IPv4-mapped; *V4 true) or IPv6,
 * optionally in brackets. NONE_OK accepts "none" for the zero address. */
static int parse_addr(struct parser *p, const char *s, struct sf_addr *a, bool *v4, bool none_ok)
{
	char buf[LEX_TOKEN_MAX];
	size_t n = strlen(s);

	memset(a, 0, sizeof(*a));
	*v4 = false;
	if (none_ok && !strcmp(s, "none"))
		return 0;
	if (!strchr(s, ':')) {
		__be32 v;

		*v4 = true;
		if (inet_pton(AF_INET, s, &v) == 1) {
			*a = lo_addr4(v);
			return 0;
		}
		return lex_fail(&p->lx, "bad address '%s'", s);
	}
	if (s[0] == '[' && n >= 2 && s[n - 1] == ']') {
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
	} else {
		memcpy(buf, s, n + 1);
	}
	if (inet_pton(AF_INET6, buf, a) != 1)
		return lex_fail(&p->lx, "bad address '%s'", s);
	return 0;
}

/* ADDR:PORT, with the IPv6 address in brackets. */
static int parse_endpoint(struct parser *p, const char *key, const char *s, struct sf_addr *a,
			  __u16 *port, bool *v4)
{
	char host[LEX_TOKEN_MAX];
	const char *colon;
	__u64 x;
	int err;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return lex_fail(&p->lx, "%s=%s: write [IPV6]:PORT", key, s);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return lex_fail(&p->lx, "%s=%s: missing ':PORT'", key, s);
		if (memchr(s, ':', colon - s))
			return lex_fail(&p->lx, "%s=%s: write [IPV6]:PORT", key, s);
	}
	memcpy(host, s, colon - s);
	host[colon - s] = '\0';
	err = parse_addr(p, host, a, v4, false);
	if (!err)
		err = parse_max(p, "port", colon + 1, 0xffff, &x);
	if (!err)
		*port = x;
	return err;
}

/* ------------------------------------------------------------------------ */
/* Steps, as their row says.                                                 */

static int parse_slot(struct parser *p, const char *key, const char *s, __u8 *slot)
{
	return parse_u8(p, key, s, SF_NSLOTS - 1, slot);
}

static int parse_args(struct parser *p, const char *args, __u32 out[4])
{
	/* args=A[,B[,C[,D]]]: missing ones are 0. */
	for (unsigned int i = 0; args; i++) {
		char one[LEX_TOKEN_MAX];
		const char *comma = strchr(args, ',');
		size_t n = comma ? (size_t)(comma - args) : strlen(args);
		int err;

		if (i == 4)
			return lex_fail(&p->lx, "args= takes at most 4 values");
		memcpy(one, args, n);
		one[n] = '\0';
		err = parse_named32(p, "arg", one, sf_state_lookup, &out[i]);
		if (err)
			return err;
		args = comma ? comma + 1 : NULL;
	}
	return 0;
}

static int parse_value(struct parser *p, const struct sf_value_syntax *vs, const char *s, __u64 *v)
{
	switch (vs->style) {
	case SF_VS_ONOFF:
		return parse_named(p, vs->name, s, vs->max, onoff_lookup, v);
	case SF_VS_VERDICT:
		return parse_named(p, vs->name, s, vs->max, verdict_lookup, v);
	case SF_VS_DURATION:
		return parse_duration(p, s, v);
	case SF_VS_NUMBER:
	default:
		return parse_max(p, vs->name, s, vs->max, v);
	}
}

/* Take the token of field F: its text, or NULL for a flag or an optional
 * field that is absent (a present flag gives its word). */
static int take_field(struct parser *p, const struct sf_text_field *f, const char **s)
{
	bool found;
	int err;

	*s = NULL;
	switch (f->type) {
	case SF_TF_ADDR:
		return lex_need_bare(&p->lx, "the pod address", s);
	case SF_TF_GLOBAL:
		return lex_need_bare(&p->lx, "an address or none", s);
	case SF_TF_FLAG:
		err = lex_take_word(&p->lx, f->key, &found);
		*s = found ? f->key : NULL;
		return err;
	case SF_TF_ARGS:
	case SF_TF_STATE:
		return lex_take_key(&p->lx, f->key, s);
	case SF_TF_VALUE:
		if (!f->key)
			return lex_need_bare(&p->lx, f->value->what, s);
		return lex_need_key(&p->lx, f->key, s);
	default:
		return lex_need_key(&p->lx, f->key, s);
	}
}

/* The notation of the addresses a lifecycle step writes gives its family. */
struct notation {
	bool applies;	 /* the kind takes its family from it */
	const char *key; /* the first address field's key */
	bool seen, v4;
};

static int note_family(struct parser *p, struct notation *n, const char *key, bool v4)
{
	if (!n->applies)
		return 0;
	if (n->seen && n->v4 != v4)
		return lex_fail(&p->lx,
				"%s= and %s= mix IPv4 and IPv6 (an IPv6 socket writes "
				"::ffff:a.b.c.d)",
				n->key, key);
	n->key = key;
	n->seen = true;
	n->v4 = v4;
	return 0;
}

static int parse_field(struct parser *p, const struct sf_text_field *f, const char *s,
		       struct sf_step *st, struct notation *n)
{
	bool v4 = false;
	__u64 v;
	int err;

	switch (f->type) {
	case SF_TF_SLOT:
		return parse_slot(p, f->key, s, &st->slot);
	case SF_TF_PEER:
		return parse_slot(p, f->key, s, &st->peer);
	case SF_TF_ADDR:
		err = parse_addr(p, s, &st->local, &v4, false);
		return err ?: note_family(p, n, "the address", v4);
	case SF_TF_GLOBAL:
		return parse_addr(p, s, &st->local, &v4, true);
	case SF_TF_LOCAL:
		err = parse_endpoint(p, f->key, s, &st->local, &st->lport, &v4);
		return err ?: note_family(p, n, f->key, v4);
	case SF_TF_REMOTE:
		err = parse_endpoint(p, f->key, s, &st->remote, &st->rport, &v4);
		return err ?: note_family(p, n, f->key, v4);
	case SF_TF_FLAG:
		st->flags |= f->arg;
		return 0;
	case SF_TF_OP:
		return parse_named32(p, f->key, s, sf_op_lookup, &st->op);
	case SF_TF_FAMILY:
		return parse_named32(p, f->key, s, sf_family_lookup, &st->family);
	case SF_TF_ARGS:
		return parse_args(p, s, st->args);
	case SF_TF_STATE:
		return parse_named32(p, f->key, s, sf_state_lookup, &st->state);
	case SF_TF_VALUE:
		err = parse_value(p, f->value, s, &v);
		if (!err)
			st->value = v;
		return err;
	case SF_TF_TCP:
		err = parse_max(p, f->key, s, f->size == 4 ? 0xffffffffull : ~0ull, &v);
		if (!err)
			sf_tcp_set(&st->tcp, f, v);
		return err;
	default:
		return lex_fail(&p->lx, "not a step");
	}
}

#define MAX_FIELDS LEX_MAX_TOKENS

static int parse_step(struct parser *p, enum sf_kind kind, struct sf_step *st)
{
	const struct sf_kind_def *k = sf_kind_def(kind);
	const char *tok[MAX_FIELDS];
	struct notation n = {0};
	unsigned int i;
	int err = 0;

	memset(st, 0, sizeof(*st));
	st->kind = kind;
	n.applies = (k->fields & SF_USE_FAMILY) && !(k->fields & SF_USE_ANY_FAMILY);
	for (i = 0; k->text[i].type != SF_TF_END && i < MAX_FIELDS && !err; i++)
		err = take_field(p, &k->text[i], &tok[i]);
	for (i = 0; k->text[i].type != SF_TF_END && i < MAX_FIELDS && !err; i++) {
		if (tok[i])
			err = parse_field(p, &k->text[i], tok[i], st, &n);
	}
	if (err)
		return err;
	/* A lifecycle step's family is its notation's; a raw one says it. */
	if (n.applies)
		st->family = n.v4 ? SF_AF_INET : SF_AF_INET6;
	return lex_check_unused(&p->lx);
}

/* ------------------------------------------------------------------------ */
/* Lines.                                                                    */

static int parse_globals(struct parser *p)
{
	struct sf_input *in = p->in;
	const char *mon, *node, *gw;
	__u64 v;
	bool v4;
	int err;

	if (p->seen_globals)
		return lex_fail(&p->lx, "given twice");
	if (p->seen_step)
		return lex_fail(&p->lx, "must come before the first step");
	p->seen_globals = true;
	err = lex_take_key(&p->lx, "monitoring", &mon);
	err = err ?: lex_take_key(&p->lx, "node_ip", &node);
	err = err ?: lex_take_key(&p->lx, "pod_gateway", &gw);
	if (!err && mon)
		err = parse_named(p, "monitoring", mon, 0xffffffff, onoff_lookup, &v);
	if (!err && mon)
		in->monitoring = v;
	if (!err && node)
		err = parse_addr(p, node, &in->node_ip, &v4, true);
	if (!err && gw)
		err = parse_addr(p, gw, &in->pod_gateway, &v4, true);
	return err ?: lex_check_unused(&p->lx);
}

static int parse_fault(struct parser *p)
{
	struct sf_fault *f;
	const char *name = NULL, *nth = NULL;
	unsigned int i;
	__u64 v;
	int err;

	if (p->seen_step)
		return lex_fail(&p->lx, "must come before the first step");
	err = lex_need_bare(&p->lx, "the helper", &name);
	err = err ?: lex_need_key(&p->lx, "nth", &nth);
	err = err ?: parse_max(p, "nth", nth, 0xffff, &v);
	if (err)
		return err;
	for (i = 0; i < SF_FAULT_HELPERS_N; i++) {
		if (!strcmp(host_helper__name(sf_fault_helpers[i]), name))
			break;
	}
	if (i == SF_FAULT_HELPERS_N) {
		for (unsigned int h = 0; h < HOST_H__MAX; h++) {
			if (!strcmp(host_helper__name(h), name))
				return lex_fail(&p->lx, "helper '%s' cannot fail", name);
		}
		return lex_fail(&p->lx, "unknown helper '%s'", name);
	}
	err = lex_check_unused(&p->lx);
	if (err)
		return err;
	if (p->in->nfaults == SF_MAX_FAULTS)
		return lex_fail(&p->lx, "too many faults (at most %d)", SF_MAX_FAULTS);
	f = &p->in->faults[p->in->nfaults++];
	f->helper = sf_fault_helpers[i];
	f->nth = v;
	return 0;
}

static int parse_header(struct parser *p)
{
	if (p->lx.ntok == 0 || strcmp(p->lx.tok[0].s, HEADER) || p->lx.tok[0].val)
		return lex_fail(&p->lx, "expected the header '" HEADER " v%d lifecycle|raw'",
				SF_FORMAT_VERSION);
	if (p->lx.ntok < 2)
		return lex_fail(&p->lx, "missing the version (v%d)", SF_FORMAT_VERSION);
	if (strcmp(p->lx.tok[1].s, "v1") || p->lx.tok[1].val)
		return lex_fail(&p->lx, "version '%s' is not supported (this is v%d)",
				p->lx.tok[1].s, SF_FORMAT_VERSION);
	if (p->lx.ntok < 3)
		return lex_fail(&p->lx, "missing the level (lifecycle or raw)");
	if (!strcmp(p->lx.tok[2].s, "lifecycle") && !p->lx.tok[2].val)
		p->in->level = SF_LEVEL_LIFECYCLE;
	else if (!strcmp(p->lx.tok[2].s, "raw") && !p->lx.tok[2].val)
		p->in->level = SF_LEVEL_RAW;
	else
		return lex_fail(&p->lx, "unknown level '%s' (lifecycle or raw)", p->lx.tok[2].s);
	if (p->lx.ntok > 3)
		return lex_fail(&p->lx, "unexpected '%s' after the header", p->lx.tok[3].s);
	return 0;
}

static int parse_line(struct parser *p)
{
	struct sf_input *in = p->in;
	const struct lex_token *t = &p->lx.tok[0];
	enum sf_kind kind;
	int err;

	if (t->val)
		return lex_fail(&p->lx, "unknown step '%s='", t->s);
	if (!strcmp(t->s, "globals")) {
		p->lx.what = "globals";
		return parse_globals(p);
	}
	if (!strcmp(t->s, "fault")) {
		p->lx.what = "fault";
		return parse_fault(p);
	}
	if (!sf_kind_lookup(t->s, &kind))
		return lex_fail(&p->lx, "unknown step '%s'", t->s);
	if (!sf_level_holds(in->level, kind))
		return lex_fail(&p->lx,
				"a %s step needs the raw level (header: '" HEADER " v%d raw')",
				t->s, SF_FORMAT_VERSION);
	if (in->nsteps == SF_MAX_STEPS)
		return lex_fail(&p->lx, "too many steps (at most %d)", SF_MAX_STEPS);
	p->lx.what = sf_kind_name(kind);
	p->seen_step = true;
	err = parse_step(p, kind, &in->steps[in->nsteps]);
	if (!err)
		in->nsteps++;
	return err;
}

int sf_text_parse(const char *text, size_t len, struct sf_input *in, struct sf_text_error *err)
{
	struct sf_text_error dummy;
	struct parser p = {.lx.err = err ? err : &dummy, .in = in};
	size_t pos = 0;
	int rc;

	memset(in, 0, sizeof(*in));
	in->version = SF_FORMAT_VERSION;
	in->monitoring = 1;
	p.lx.err->line = 0;
	p.lx.err->msg[0] = '\0';
	if (!text) {
		text = "";
		len = 0;
	}

	do {
		const char *line = text + pos;
		const char *nl = len > pos ? memchr(line, '\n', len - pos) : NULL;
		size_t n = nl ? (size_t)(nl - line) : len - pos;

		p.lx.line++;
		p.lx.what = NULL;
		pos += n + 1;
		/* Say "not the text form" before anything about a binary's bytes. */
		if (p.lx.line == 1 && (n < strlen(HEADER) || memcmp(line, HEADER, strlen(HEADER))))
			return lex_fail(&p.lx, "expected the header '" HEADER " v%d lifecycle|raw'",
					SF_FORMAT_VERSION);
		rc = lex_line(&p.lx, line, n);
		if (rc)
			return rc;
		if (p.lx.line == 1)
			rc = parse_header(&p);
		else if (p.lx.ntok)
			rc = parse_line(&p);
		if (rc)
			return rc;
	} while (pos < len);
	return 0;
}
