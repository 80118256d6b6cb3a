// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * text_parse.c: the text form to a run (input/FORMAT.md, "Text form").
 *
 * Untrusted text: every line is split into at most MAX_TOKENS tokens of at
 * most TOKEN_MAX bytes, every number is range-checked before it is stored, and
 * the first bad line stops the parse with its number and one message. Fields
 * a kind does not use stay zero, exactly as the binary decoder leaves them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include "bpf/host/host.h"
#include "input/input_internal.h"

#define TOKEN_MAX  96
#define MAX_TOKENS 16
#define HEADER	   "sockfuzz-trace"

struct token {
	char s[TOKEN_MAX];
	const char *val; /* after '=' for key=value, else NULL */
	bool used;
};

struct parser {
	struct sf_input *in;
	struct sf_text_error *err;
	unsigned int line;
	const char *kind; /* the step being parsed, for messages */
	struct token tok[MAX_TOKENS];
	unsigned int ntok;
	bool seen_globals, seen_step;
};

/* Record the error of the current line. Bytes that are not printable ASCII
 * are shown as '?', so a message is always one clean line. */
__attribute__((format(printf, 2, 3))) static void set_error(struct parser *p, const char *fmt, ...)
{
	size_t n = 0;
	va_list ap;

	p->err->line = p->line;
	if (p->kind)
		n = snprintf(p->err->msg, sizeof(p->err->msg), "%s: ", p->kind);
	va_start(ap, fmt);
	vsnprintf(p->err->msg + n, sizeof(p->err->msg) - n, fmt, ap);
	va_end(ap);
	for (char *c = p->err->msg; *c; c++) {
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
	}
}

/* Record the error and give -EINVAL; a macro so that the result is visible
 * to clang --analyze, which does not follow variadic calls. */
#define fail(p, ...) (set_error((p), __VA_ARGS__), -EINVAL)

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Split LINE (LEN bytes, no newline) into p->tok; a '#' starts a comment. */
static int tokenize(struct parser *p, const char *line, size_t len)
{
	const char *hash = memchr(line, '#', len);
	size_t i = 0;

	if (hash)
		len = hash - line;
	if (memchr(line, '\0', len))
		return fail(p, "NUL byte in the line");
	p->ntok = 0;
	while (i < len) {
		struct token *t;
		size_t start;
		char *eq;

		while (i < len && is_space(line[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !is_space(line[i]))
			i++;
		if (p->ntok == MAX_TOKENS)
			return fail(p, "too many fields (at most %d)", MAX_TOKENS);
		if (i - start >= TOKEN_MAX)
			return fail(p, "'%.24s...' is too long", line + start);
		t = &p->tok[p->ntok++];
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

/* The value of KEY=, or NULL when absent; -EINVAL when given twice. */
static int take_key(struct parser *p, const char *key, const char **val)
{
	*val = NULL;
	for (unsigned int i = 1; i < p->ntok; i++) {
		struct token *t = &p->tok[i];

		if (!t->val || strcmp(t->s, key))
			continue;
		if (*val)
			return fail(p, "'%s' given twice", key);
		t->used = true;
		*val = t->val;
	}
	return 0;
}

static int need_key(struct parser *p, const char *key, const char **val)
{
	int err = take_key(p, key, val);

	if (!err && !*val)
		err = fail(p, "missing '%s='", key);
	return err;
}

/* Whether the bare word WORD is on the line (once at most). */
static int take_word(struct parser *p, const char *word, bool *found)
{
	*found = false;
	for (unsigned int i = 1; i < p->ntok; i++) {
		struct token *t = &p->tok[i];

		if (t->val || strcmp(t->s, word))
			continue;
		if (*found)
			return fail(p, "'%s' given twice", word);
		t->used = true;
		*found = true;
	}
	return 0;
}

/* The first bare token not taken yet: the kind's value (e.g. an address). */
static int need_bare(struct parser *p, const char *what, const char **s)
{
	for (unsigned int i = 1; i < p->ntok; i++) {
		struct token *t = &p->tok[i];

		if (!t->val && !t->used) {
			t->used = true;
			*s = t->s;
			return 0;
		}
	}
	return fail(p, "missing %s", what);
}

/* Every token must have been taken by the kind's parser. */
static int check_unused(struct parser *p)
{
	for (unsigned int i = 1; i < p->ntok; i++) {
		const struct token *t = &p->tok[i];

		if (t->used)
			continue;
		if (t->val)
			return fail(p, "unknown field '%s'", t->s);
		return fail(p, "unexpected '%s'", t->s);
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Values.                                                                   */

/* Decimal, or hexadecimal after 0x; no sign, no spaces. */
static bool parse_num(const char *s, __u64 *v)
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

/* A number no larger than MAX; WHAT names it in the message. */
static int parse_max(struct parser *p, const char *what, const char *s, __u64 max, __u64 *v)
{
	if (!parse_num(s, v))
		return fail(p, "bad %s '%s'", what, s);
	if (*v > max)
		return fail(p, "%s %s out of range (0..%llu)", what, s, (unsigned long long)max);
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
	if (!parse_num(s, v))
		return fail(p, "unknown %s '%s'", what, s);
	if (*v > max)
		return fail(p, "%s %s out of range (0..%llu)", what, s, (unsigned long long)max);
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
	char num[TOKEN_MAX];
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
	if (!mul || !parse_num(num, ns))
		return fail(p, "bad duration '%s' (a number and ns, us, ms or s)", s);
	if (*ns > ~0ull / mul)
		return fail(p, "duration %s out of range", s);
	*ns *= mul;
	return 0;
}

/* An address: dotted quad (IPv4, stored IPv4-mapped; *V4 true) or IPv6,
 * optionally in brackets. NONE_OK accepts "none" for the zero address. */
static int parse_addr(struct parser *p, const char *s, struct sf_addr *a, bool *v4, bool none_ok)
{
	char buf[TOKEN_MAX];
	size_t n = strlen(s);

	memset(a, 0, sizeof(*a));
	*v4 = false;
	if (none_ok && !strcmp(s, "none"))
		return 0;
	if (!strchr(s, ':')) {
		*v4 = true;
		a->w[2] = htonl(0xffff);
		if (inet_pton(AF_INET, s, &a->w[3]) == 1)
			return 0;
		return fail(p, "bad address '%s'", s);
	}
	if (s[0] == '[' && n >= 2 && s[n - 1] == ']') {
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
	} else {
		memcpy(buf, s, n + 1);
	}
	if (inet_pton(AF_INET6, buf, a) != 1)
		return fail(p, "bad address '%s'", s);
	return 0;
}

/* ADDR:PORT, with the IPv6 address in brackets. */
static int parse_endpoint(struct parser *p, const char *key, const char *s, struct sf_addr *a,
			  __u16 *port, bool *v4)
{
	char host[TOKEN_MAX];
	const char *colon;
	__u64 x;
	int err;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return fail(p, "%s=%s: write [IPV6]:PORT", key, s);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return fail(p, "%s=%s: missing ':PORT'", key, s);
		if (memchr(s, ':', colon - s))
			return fail(p, "%s=%s: write [IPV6]:PORT", key, s);
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
/* Lines.                                                                    */

static int parse_slot(struct parser *p, const char *key, __u8 *slot)
{
	const char *s = NULL;
	int err = need_key(p, key, &s);

	return err ?: parse_u8(p, key, s, SF_NSLOTS - 1, slot);
}

/* The family an endpoint's notation gives a lifecycle step. */
static __u32 notation_family(bool v4)
{
	return v4 ? SF_AF_INET : SF_AF_INET6;
}

static int parse_connect(struct parser *p, struct sf_step *st)
{
	const char *from, *to;
	bool v4_from = false, v4_to = false, waypoint = false;
	int err;

	err = parse_slot(p, "slot", &st->slot);
	err = err ?: need_key(p, "from", &from);
	err = err ?: need_key(p, "to", &to);
	err = err ?: parse_endpoint(p, "from", from, &st->local, &st->lport, &v4_from);
	err = err ?: parse_endpoint(p, "to", to, &st->remote, &st->rport, &v4_to);
	err = err ?: take_word(p, "waypoint", &waypoint);
	if (err)
		return err;
	if (v4_from != v4_to)
		return fail(p, "from= and to= mix IPv4 and IPv6 (an IPv6 socket writes "
			       "::ffff:a.b.c.d)");
	st->family = notation_family(v4_from);
	st->flags = waypoint ? SF_F_WAYPOINT : 0;
	return 0;
}

static int parse_raw(struct parser *p, struct sf_step *st)
{
	const char *op, *family, *local, *remote, *args = NULL, *state = NULL;
	bool v4, reqsock = false, notcp = false, newsock = false;
	int err;

	err = parse_slot(p, "slot", &st->slot);
	err = err ?: need_key(p, "op", &op);
	err = err ?: need_key(p, "family", &family);
	err = err ?: need_key(p, "local", &local);
	err = err ?: need_key(p, "remote", &remote);
	err = err ?: take_key(p, "args", &args);
	err = err ?: take_key(p, "state", &state);
	err = err ?: parse_named32(p, "op", op, sf_op_lookup, &st->op);
	err = err ?: parse_named32(p, "family", family, sf_family_lookup, &st->family);
	err = err ?: parse_endpoint(p, "local", local, &st->local, &st->lport, &v4);
	err = err ?: parse_endpoint(p, "remote", remote, &st->remote, &st->rport, &v4);
	err = err ?: take_word(p, "reqsock", &reqsock);
	err = err ?: take_word(p, "notcp", &notcp);
	err = err ?: take_word(p, "newsock", &newsock);
	if (!err && state)
		err = parse_named32(p, "state", state, sf_state_lookup, &st->state);
	if (err)
		return err;
	st->flags = (reqsock ? SF_F_REQSOCK : 0) | (notcp ? SF_F_NOTCP : 0) |
		    (newsock ? SF_F_NEWSOCK : 0);
	/* args=A[,B[,C[,D]]]: missing ones are 0. */
	for (unsigned int i = 0; args; i++) {
		char one[TOKEN_MAX];
		const char *comma = strchr(args, ',');
		size_t n = comma ? (size_t)(comma - args) : strlen(args);

		if (i == 4)
			return fail(p, "args= takes at most 4 values");
		memcpy(one, args, n);
		one[n] = '\0';
		err = parse_named32(p, "arg", one, sf_state_lookup, &st->args[i]);
		if (err)
			return err;
		args = comma ? comma + 1 : NULL;
	}
	return 0;
}

/* tcp slot=N srtt=U rtt_min=U retrans=U lost=U received=B acked=B: all needed. */
static int parse_tcp(struct parser *p, struct sf_step *st)
{
	static const char *const keys[6] = {"srtt", "rtt_min",	"retrans",
					    "lost", "received", "acked"};
	const char *s[6];
	__u64 v[6];
	int err = parse_slot(p, "slot", &st->slot);

	for (int i = 0; i < 6; i++)
		err = err ?: need_key(p, keys[i], &s[i]);
	for (int i = 0; i < 6; i++)
		err = err ?: parse_max(p, keys[i], s[i], i < 4 ? 0xffffffffull : ~0ull, &v[i]);
	if (err)
		return err;
	st->tcp = (struct sf_tcp){(__u32)v[0], (__u32)v[1], (__u32)v[2], (__u32)v[3], v[4], v[5]};
	return 0;
}

static int parse_step(struct parser *p, enum sf_kind kind, struct sf_step *st)
{
	const struct sf_kind_info *k = &sf_kinds[kind];
	const char *s = NULL;
	__u64 v = 0;
	bool v4 = false;
	int err = 0;

	memset(st, 0, sizeof(*st));
	st->kind = kind;
	switch (kind) {
	case SF_ENROL:
	case SF_UNENROL:
		err = need_bare(p, "the pod address", &s);
		err = err ?: parse_addr(p, s, &st->local, &v4, false);
		st->family = notation_family(v4);
		break;
	case SF_LISTEN:
		err = parse_slot(p, "slot", &st->slot);
		err = err ?: need_key(p, "on", &s);
		err = err ?: parse_endpoint(p, "on", s, &st->local, &st->lport, &v4);
		st->family = notation_family(v4);
		break;
	case SF_CONNECT:
		err = parse_connect(p, st);
		break;
	case SF_ACCEPT:
		err = parse_slot(p, "slot", &st->slot);
		err = err ?: parse_slot(p, "listener", &st->peer);
		break;
	case SF_SEND:
		err = parse_slot(p, "slot", &st->slot);
		err = err ?: need_key(p, "bytes", &s);
		err = err ?: parse_max(p, "bytes", s, ~0ull, &v);
		break;
	case SF_CLOSE:
	case SF_RESET:
		err = parse_slot(p, "slot", &st->slot);
		break;
	case SF_WAYPOINT:
		err = parse_slot(p, "slot", &st->slot);
		err = err ?: need_bare(p, "on, off or a number", &s);
		err = err ?: parse_named(p, "waypoint", s, 0xff, onoff_lookup, &v);
		break;
	case SF_MONITORING:
		err = need_bare(p, "on, off or a number", &s);
		err = err ?: parse_named(p, "monitoring", s, 0xffffffff, onoff_lookup, &v);
		break;
	case SF_NODE_IP:
	case SF_POD_GATEWAY:
		err = need_bare(p, "an address or none", &s);
		err = err ?: parse_addr(p, s, &st->local, &v4, true);
		break;
	case SF_XDP_VERDICT:
		err = parse_slot(p, "slot", &st->slot);
		/* fall through */
	case SF_AUTH_ANSWER:
		err = err ?: need_bare(p, "the verdict (allow, deny or a number)", &s);
		err = err ?: parse_named(p, "verdict", s, 0xffffffff, verdict_lookup, &v);
		break;
	case SF_CLOCK:
		err = need_bare(p, "the duration", &s);
		err = err ?: parse_duration(p, s, &v);
		break;
	case SF_RAW:
		err = parse_raw(p, st);
		break;
	case SF_TCP:
		err = parse_tcp(p, st);
		break;
	case SF_RELEASE:
		err = parse_slot(p, "slot", &st->slot);
		break;
	default:
		err = fail(p, "not a step");
		break;
	}
	if (err)
		return err;
	if (k->fields & SF_USE_VALUE)
		st->value = v;
	return check_unused(p);
}

static int parse_globals(struct parser *p)
{
	struct sf_input *in = p->in;
	const char *mon, *node, *gw;
	__u64 v;
	bool v4;
	int err;

	if (p->seen_globals)
		return fail(p, "given twice");
	if (p->seen_step)
		return fail(p, "must come before the first step");
	p->seen_globals = true;
	err = take_key(p, "monitoring", &mon);
	err = err ?: take_key(p, "node_ip", &node);
	err = err ?: take_key(p, "pod_gateway", &gw);
	if (!err && mon)
		err = parse_named(p, "monitoring", mon, 0xffffffff, onoff_lookup, &v);
	if (!err && mon)
		in->monitoring = v;
	if (!err && node)
		err = parse_addr(p, node, &in->node_ip, &v4, true);
	if (!err && gw)
		err = parse_addr(p, gw, &in->pod_gateway, &v4, true);
	return err ?: check_unused(p);
}

static int parse_fault(struct parser *p)
{
	struct sf_fault *f;
	const char *name = NULL, *nth = NULL;
	unsigned int i;
	__u64 v;
	int err;

	if (p->seen_step)
		return fail(p, "must come before the first step");
	err = need_bare(p, "the helper", &name);
	err = err ?: need_key(p, "nth", &nth);
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
				return fail(p, "helper '%s' cannot fail", name);
		}
		return fail(p, "unknown helper '%s'", name);
	}
	err = check_unused(p);
	if (err)
		return err;
	if (p->in->nfaults == SF_MAX_FAULTS)
		return fail(p, "too many faults (at most %d)", SF_MAX_FAULTS);
	f = &p->in->faults[p->in->nfaults++];
	f->helper = sf_fault_helpers[i];
	f->nth = v;
	return 0;
}

static int parse_header(struct parser *p)
{
	if (p->ntok == 0 || strcmp(p->tok[0].s, HEADER) || p->tok[0].val)
		return fail(p, "expected the header '" HEADER " v%d lifecycle|raw'",
			    SF_FORMAT_VERSION);
	if (p->ntok < 2)
		return fail(p, "missing the version (v%d)", SF_FORMAT_VERSION);
	if (strcmp(p->tok[1].s, "v1") || p->tok[1].val)
		return fail(p, "version '%s' is not supported (this is v%d)", p->tok[1].s,
			    SF_FORMAT_VERSION);
	if (p->ntok < 3)
		return fail(p, "missing the level (lifecycle or raw)");
	if (!strcmp(p->tok[2].s, "lifecycle") && !p->tok[2].val)
		p->in->level = SF_LEVEL_LIFECYCLE;
	else if (!strcmp(p->tok[2].s, "raw") && !p->tok[2].val)
		p->in->level = SF_LEVEL_RAW;
	else
		return fail(p, "unknown level '%s' (lifecycle or raw)", p->tok[2].s);
	if (p->ntok > 3)
		return fail(p, "unexpected '%s' after the header", p->tok[3].s);
	return 0;
}

static int parse_line(struct parser *p)
{
	struct sf_input *in = p->in;
	const struct token *t = &p->tok[0];
	enum sf_kind kind;
	int err;

	if (t->val)
		return fail(p, "unknown step '%s='", t->s);
	if (!strcmp(t->s, "globals")) {
		p->kind = "globals";
		return parse_globals(p);
	}
	if (!strcmp(t->s, "fault")) {
		p->kind = "fault";
		return parse_fault(p);
	}
	if (!sf_kind_lookup(t->s, &kind))
		return fail(p, "unknown step '%s'", t->s);
	if (kind >= sf_level_kinds(in->level))
		return fail(p, "a %s step needs the raw level (header: '" HEADER " v%d raw')", t->s,
			    SF_FORMAT_VERSION);
	if (in->nsteps == SF_MAX_STEPS)
		return fail(p, "too many steps (at most %d)", SF_MAX_STEPS);
	p->kind = sf_kinds[kind].name;
	p->seen_step = true;
	err = parse_step(p, kind, &in->steps[in->nsteps]);
	if (!err)
		in->nsteps++;
	return err;
}

int sf_text_parse(const char *text, size_t len, struct sf_input *in, struct sf_text_error *err)
{
	struct sf_text_error dummy;
	struct parser p = {.in = in, .err = err ? err : &dummy};
	size_t pos = 0;
	int rc;

	memset(in, 0, sizeof(*in));
	in->version = SF_FORMAT_VERSION;
	in->monitoring = 1;
	p.err->line = 0;
	p.err->msg[0] = '\0';
	if (!text) {
		text = "";
		len = 0;
	}

	do {
		const char *line = text + pos;
		const char *nl = len > pos ? memchr(line, '\n', len - pos) : NULL;
		size_t n = nl ? (size_t)(nl - line) : len - pos;

		p.line++;
		p.kind = NULL;
		pos += n + 1;
		/* Say "not the text form" before anything about a binary's bytes. */
		if (p.line == 1 && (n < strlen(HEADER) || memcmp(line, HEADER, strlen(HEADER))))
			return fail(&p, "expected the header '" HEADER " v%d lifecycle|raw'",
				    SF_FORMAT_VERSION);
		rc = tokenize(&p, line, n);
		if (rc)
			return rc;
		if (p.line == 1)
			rc = parse_header(&p);
		else if (p.ntok)
			rc = parse_line(&p);
		if (rc)
			return rc;
	} while (pos < len);
	return 0;
}
