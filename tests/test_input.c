// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_input.c: the input format (input/input.h, input/FORMAT.md).
 *
 * Binary: every byte string decodes to an in-range run without reading past
 * its end (exact-size heap copies, so ASan sees any overread), zero or short
 * input is the empty run, a prefix is never a bigger run, and encode is the
 * exact inverse of decode. Text: the shipped examples and random runs go
 * text -> run -> binary -> run -> text unchanged, every parser error names
 * its line, and random garbage never crashes the parser.
 *
 * Random tests use a fixed seed (SOCKFUZZ_SEED overrides it) and print it
 * with every failure, so a failure replays.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "bpf/host/host.h"
#include "input/input.h"
#include "input/input_internal.h"

#define EXAMPLES_DIR "cli/examples"
#define HDR_L	     "sockfuzz-trace v1 lifecycle\n"
#define HDR_R	     "sockfuzz-trace v1 raw\n"

static __u64 seed = 0x5eedf00dcafe;
static __u64 rng_state;

static __u64 rnd(void)
{
	/* xorshift64*: enough for test data, and replayable from the seed. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static unsigned int rnd_below(unsigned int n)
{
	return rnd() % n;
}

static int setup_rng(void **state)
{
	const char *s = getenv("SOCKFUZZ_SEED");

	if (s)
		seed = strtoull(s, NULL, 0);
	rng_state = seed ? seed : 1;
	return 0;
}

/* Static: a run is about 10 KiB. */
static struct sf_input run_a, run_b, run_c;

/* ------------------------------------------------------------------------ */
/* Helpers.                                                                  */

/* The run printed into a malloc'ed string. */
static char *print_run(const struct sf_input *in, size_t *len)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);

	assert_non_null(f);
	assert_int_equal(sf_text_print(in, f), 0);
	assert_int_equal(fclose(f), 0);
	if (len)
		*len = n;
	return text;
}

/* The first field where A and B differ, or NULL. */
static const char *run_diff(const struct sf_input *a, const struct sf_input *b, unsigned int *at)
{
	*at = 0;
	if (a->version != b->version)
		return "version";
	if (a->level != b->level)
		return "level";
	if (a->monitoring != b->monitoring)
		return "monitoring";
	if (memcmp(&a->node_ip, &b->node_ip, sizeof(a->node_ip)))
		return "node_ip";
	if (memcmp(&a->pod_gateway, &b->pod_gateway, sizeof(a->pod_gateway)))
		return "pod_gateway";
	if (a->nfaults != b->nfaults)
		return "nfaults";
	for (*at = 0; *at < a->nfaults; (*at)++) {
		if (a->faults[*at].helper != b->faults[*at].helper)
			return "fault helper";
		if (a->faults[*at].nth != b->faults[*at].nth)
			return "fault nth";
	}
	*at = 0;
	if (a->nsteps != b->nsteps)
		return "nsteps";
	for (*at = 0; *at < a->nsteps; (*at)++) {
		const struct sf_step *x = &a->steps[*at], *y = &b->steps[*at];

		if (x->kind != y->kind)
			return "kind";
		if (x->slot != y->slot)
			return "slot";
		if (x->peer != y->peer)
			return "peer";
		if (x->flags != y->flags)
			return "flags";
		if (x->family != y->family)
			return "family";
		if (memcmp(&x->local, &y->local, sizeof(x->local)))
			return "local";
		if (memcmp(&x->remote, &y->remote, sizeof(x->remote)))
			return "remote";
		if (x->lport != y->lport)
			return "lport";
		if (x->rport != y->rport)
			return "rport";
		if (x->op != y->op)
			return "op";
		if (memcmp(x->args, y->args, sizeof(x->args)))
			return "args";
		if (x->state != y->state)
			return "state";
		if (x->value != y->value)
			return "value";
	}
	return NULL;
}

static void assert_runs_equal(const struct sf_input *a, const struct sf_input *b, const char *what)
{
	unsigned int at;
	const char *field = run_diff(a, b, &at);
	char *ta, *tb;

	if (!field)
		return;
	ta = print_run(a, NULL);
	tb = print_run(b, NULL);
	fail_msg("%s: runs differ in %s (index %u), seed %#llx\n--- expected\n%s--- got\n%s", what,
		 field, at, (unsigned long long)seed, ta, tb);
}

static bool is_v4mapped(const struct sf_addr *a)
{
	return lo_addr_is_v4mapped(a);
}

/* Everything sf_decode() promises about its output (input.h, FORMAT.md). */
static const char *range_error(const struct sf_input *in)
{
	static char why[128];

	if (in->version != SF_FORMAT_VERSION)
		return "version";
	if (in->level > SF_LEVEL_RAW)
		return "level";
	if (in->nfaults > SF_MAX_FAULTS)
		return "nfaults";
	for (unsigned int i = 0; i < in->nfaults; i++) {
		if (!sf_fault_helper_ok(in->faults[i].helper))
			return "fault helper that host_fault__arm() refuses";
	}
	if (in->nsteps > SF_MAX_STEPS)
		return "nsteps";
	for (unsigned int i = 0; i < in->nsteps; i++) {
		const struct sf_step *st = &in->steps[i];
		const struct sf_kind_def *k;
		unsigned int f;

		snprintf(why, sizeof(why), "step %u: ", i);
		if (!sf_level_holds(in->level, st->kind))
			return strcat(why, "kind not of the level");
		k = sf_kind_def(st->kind);
		f = k->fields;
		if (st->slot >= SF_NSLOTS || st->peer >= SF_NSLOTS)
			return strcat(why, "slot");
		if (st->flags & ~k->flags)
			return strcat(why, "flags");
		if ((!(f & SF_USE_SLOT) && st->slot) || (!(f & SF_USE_PEER) && st->peer) ||
		    (!(f & SF_USE_FAMILY) && st->family) || (!(f & SF_USE_OP) && st->op) ||
		    (!(f & SF_USE_LOCAL) && !lo_addr_is_zero(&st->local)) ||
		    (!(f & SF_USE_REMOTE) && !lo_addr_is_zero(&st->remote)) ||
		    (!(f & SF_USE_LPORT) && st->lport) || (!(f & SF_USE_RPORT) && st->rport) ||
		    (!(f & SF_USE_ARGS) &&
		     (st->args[0] | st->args[1] | st->args[2] | st->args[3])) ||
		    (!(f & SF_USE_STATE) && st->state) || (!(f & SF_USE_VALUE) && st->value))
			return strcat(why, "a field the kind does not use is not zero");
		if (!(f & SF_USE_ANY_FAMILY) && (f & SF_USE_FAMILY) && st->family != 2 &&
		    st->family != 10)
			return strcat(why, "lifecycle family");
		if (!(f & SF_USE_ANY_FAMILY) && st->family == 2 &&
		    (!is_v4mapped(&st->local) ||
		     ((f & SF_USE_REMOTE) && !is_v4mapped(&st->remote))))
			return strcat(why, "AF_INET address not IPv4-mapped");
		if ((f & SF_USE_VALUE) && !sf_pool_fits(k->value, st->value))
			return strcat(why, "value too wide");
	}
	return NULL;
}

static void assert_run_in_range(const struct sf_input *in, const char *what)
{
	const char *why = range_error(in);

	if (why) {
		char *t = print_run(in, NULL);

		fail_msg("%s: out of range: %s, seed %#llx\n%s", what, why,
			 (unsigned long long)seed, t);
	}
}

static void assert_empty_run(const struct sf_input *in, const char *what)
{
	struct sf_input empty = {0};

	empty.version = SF_FORMAT_VERSION;
	empty.level = in->level;
	empty.monitoring = 1;
	assert_runs_equal(&empty, in, what);
}

/* Decode B (N bytes) from an exact-size heap copy: ASan sees any overread. */
static void decode_exact(const uint8_t *b, size_t n, struct sf_input *in)
{
	uint8_t *copy = malloc(n ? n : 1);

	assert_non_null(copy);
	if (n)
		memcpy(copy, b, n);
	sf_decode(copy, n, in);
	free(copy);
}

static size_t random_bytes(uint8_t *buf, size_t cap)
{
	size_t n = rnd_below(cap + 1);

	for (size_t i = 0; i < n; i++)
		buf[i] = rnd();
	return n;
}

/* ------------------------------------------------------------------------ */
/* Binary form.                                                              */

/* Nothing, zeros of any length, and any version byte give the empty run. */
static void test_decode_zero_and_short_are_empty_run(void **state)
{
	static uint8_t zeros[SF_MAX_INPUT];

	sf_decode(NULL, 0, &run_a);
	assert_empty_run(&run_a, "NULL input");
	assert_int_equal(run_a.level, SF_LEVEL_LIFECYCLE);
	for (size_t n = 0; n <= sizeof(zeros); n += n < 64 ? 1 : 97) {
		decode_exact(zeros, n, &run_a);
		assert_empty_run(&run_a, "all-zero input");
		assert_int_equal(run_a.level, SF_LEVEL_LIFECYCLE);
	}
	for (unsigned int v = 0; v < 256; v++) {
		uint8_t b[1] = {v};

		decode_exact(b, 1, &run_a);
		assert_empty_run(&run_a, "version byte only");
	}
}

/* The lifecycle kind at I (modulo their number) in code order. */
static enum sf_kind lifecycle_kind_at(unsigned int i)
{
	unsigned int n = 0, codes[256] = {0};

	for (unsigned int k = 0; k < SF_KIND__COUNT; k++) {
		if (sf_kind_def(k)->level == SF_LEVEL_LIFECYCLE) {
			codes[sf_kind_def(k)->code] = k + 1;
			n++;
		}
	}
	i %= n;
	for (unsigned int c = 1; c < 256; c++) {
		if (codes[c] && i-- == 0)
			return codes[c] - 1;
	}
	return SF_KIND__COUNT;
}

/* Byte 1 picks the level for sf_decode(); sf_decode_level() ignores it. */
static void test_decode_level_byte_and_forced_level(void **state)
{
	const uint8_t raw[] = {1, 1};
	const uint8_t raw_step[] = {1, 0, 0, 0, 0, 0, sf_kind_def(SF_RAW)->code};

	sf_decode(raw, sizeof(raw), &run_a);
	assert_int_equal(run_a.level, SF_LEVEL_RAW);
	sf_decode_level(raw, sizeof(raw), SF_LEVEL_LIFECYCLE, &run_a);
	assert_int_equal(run_a.level, SF_LEVEL_LIFECYCLE);
	sf_decode_level(NULL, 0, SF_LEVEL_RAW, &run_a);
	assert_int_equal(run_a.level, SF_LEVEL_RAW);

	/* Raw's code is raw at the raw level; at the lifecycle level, which has
	 * no kind of that code, it selects the lifecycle kinds in code order,
	 * (code - 1) modulo their number (input/FORMAT.md). */
	sf_decode_level(raw_step, sizeof(raw_step), SF_LEVEL_RAW, &run_a);
	assert_int_equal(run_a.nsteps, 1);
	assert_int_equal(run_a.steps[0].kind, SF_RAW);
	sf_decode_level(raw_step, sizeof(raw_step), SF_LEVEL_LIFECYCLE, &run_a);
	assert_int_equal(run_a.steps[0].kind, lifecycle_kind_at((raw_step[6] - 1u)));
}

/* The worked example of FORMAT.md, byte for byte both ways. */
static void test_decode_format_md_example(void **state)
{
	const uint8_t bytes[] = {
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, /* v1 lifecycle, defaults, no faults */
		0x01, 0x00, 0x00,		    /* enrol 127.0.0.5 */
		0x04, 0x01, 0x01, 0x00, 0x00, 0x01, 0x02, 0x00, /* connect ... waypoint */
		0x07, 0x01,					/* close slot=1 */
	};
	const char *text = HDR_L "globals monitoring=on node_ip=none pod_gateway=none\n"
				 "enrol 127.0.0.5\n"
				 "connect slot=1 from=127.0.0.5:40000 to=127.0.0.9:8080 waypoint\n"
				 "close slot=1\n";
	uint8_t enc[64];
	size_t len, n;
	char *printed;

	decode_exact(bytes, sizeof(bytes), &run_a);
	printed = print_run(&run_a, &len);
	assert_string_equal(printed, text);
	free(printed);
	n = sf_encode(&run_a, enc, sizeof(enc));
	assert_int_equal(n, sizeof(bytes));
	assert_memory_equal(enc, bytes, n);

	/* Trailing zeros are dropped: the empty run is the version byte alone. */
	sf_decode(NULL, 0, &run_a);
	assert_int_equal(sf_encode(&run_a, enc, sizeof(enc)), 1);
	assert_int_equal(enc[0], SF_FORMAT_VERSION);
}

/* Random bytes decode in range, and decode(encode(decode(b))) == decode(b). */
static void test_decode_random_in_range_and_encode_inverts(void **state)
{
	static uint8_t buf[SF_MAX_INPUT], enc[SF_MAX_INPUT * 4];

	for (unsigned int i = 0; i < 20000; i++) {
		size_t n = random_bytes(buf, i % 4 ? 200 : sizeof(buf)), m;

		decode_exact(buf, n, &run_a);
		assert_run_in_range(&run_a, "random bytes");
		m = sf_encode(&run_a, enc, sizeof(enc));
		assert_true(m <= sizeof(enc));
		assert_true(m >= 1 && enc[m - 1] != 0);
		decode_exact(enc, m, &run_b);
		assert_runs_equal(&run_a, &run_b, "decode(encode(decode(b)))");

		sf_decode_level(buf, n, i & 1, &run_a);
		assert_int_equal(run_a.level, i & 1);
		assert_run_in_range(&run_a, "random bytes, forced level");
	}
}

/* An in-range run made directly, literals included (escapes, wide values). */
static void random_addr(struct sf_addr *a, bool v4)
{
	if (rnd_below(3) == 0) {
		*a = (v4 ? sf_addr4_pool : sf_addr_pool)[rnd_below(v4 ? SF_ADDR4_N : SF_ADDR_N)];
		return;
	}
	for (unsigned int i = 0; i < 4; i++)
		a->w[i] = rnd();
	if (v4)
		*a = lo_addr4(a->w[3]);
}

static __u64 random_value(const struct sf_pool *p)
{
	__u64 v = rnd_below(2) ? p->v[rnd_below(p->n)] : rnd();

	return p->lit_bytes >= 8 ? v : v & ((1ull << (8 * p->lit_bytes)) - 1);
}

static void random_run(struct sf_input *in)
{
	memset(in, 0, sizeof(*in));
	in->version = SF_FORMAT_VERSION;
	in->level = rnd_below(2);
	in->monitoring = random_value(&sf_pool_monitoring);
	if (rnd_below(2))
		random_addr(&in->node_ip, rnd_below(2));
	if (rnd_below(2))
		random_addr(&in->pod_gateway, rnd_below(2));
	in->nfaults = rnd_below(SF_MAX_FAULTS + 1);
	for (unsigned int i = 0; i < in->nfaults; i++) {
		in->faults[i].helper = sf_fault_helpers[rnd_below(SF_FAULT_HELPERS_N)];
		in->faults[i].nth = rnd_below(2) ? rnd_below(70) : rnd();
	}
	in->nsteps = rnd_below(4) ? rnd_below(12) : rnd_below(SF_MAX_STEPS + 1);
	for (unsigned int i = 0; i < in->nsteps; i++) {
		struct sf_step *st = &in->steps[i];
		unsigned int kind;
		const struct sf_kind_def *k;
		unsigned int f;
		bool raw, v4;

		do
			kind = rnd_below(SF_KIND__COUNT);
		while (!sf_level_holds(in->level, kind));
		k = sf_kind_def(kind);
		f = k->fields;
		raw = f & SF_USE_ANY_FAMILY;

		st->kind = kind;
		if (f & SF_USE_SLOT)
			st->slot = rnd_below(SF_NSLOTS);
		if (f & SF_USE_PEER)
			st->peer = rnd_below(SF_NSLOTS);
		if (f & SF_USE_FLAGS)
			st->flags = rnd() & k->flags;
		if (f & SF_USE_FAMILY)
			st->family = raw ? random_value(&sf_pool_family) : rnd_below(2) ? 2 : 10;
		v4 = !raw && st->family == 2;
		if (f & SF_USE_OP)
			st->op = random_value(&sf_pool_op);
		if (f & SF_USE_GLOBAL) {
			if (rnd_below(3))
				random_addr(&st->local, rnd_below(2));
		} else if (f & SF_USE_LOCAL) {
			random_addr(&st->local, v4);
		}
		if (f & SF_USE_LPORT)
			st->lport = random_value(&sf_pool_port);
		if (f & SF_USE_REMOTE)
			random_addr(&st->remote, v4);
		if (f & SF_USE_RPORT)
			st->rport = random_value(&sf_pool_port);
		for (unsigned int a = 0; (f & SF_USE_ARGS) && a < 4; a++)
			st->args[a] = random_value(&sf_pool_state);
		if (f & SF_USE_STATE)
			st->state = random_value(&sf_pool_state);
		if (f & SF_USE_VALUE)
			st->value = random_value(k->value);
	}
}

static void test_encode_inverts_decode_on_in_range_runs(void **state)
{
	static uint8_t enc[SF_MAX_INPUT * 8];

	for (unsigned int i = 0; i < 5000; i++) {
		size_t n;

		random_run(&run_a);
		assert_run_in_range(&run_a, "generated run");
		n = sf_encode(&run_a, enc, sizeof(enc));
		assert_true(n <= sizeof(enc));
		decode_exact(enc, n, &run_b);
		assert_runs_equal(&run_a, &run_b, "decode(encode(run))");
	}
}

/* Every prefix of an encoding decodes without overread, to a run no bigger. */
static void test_decode_truncated_every_length(void **state)
{
	static uint8_t enc[SF_MAX_INPUT * 8];

	for (unsigned int i = 0; i < 40; i++) {
		size_t n;

		do {
			random_run(&run_a);
		} while (run_a.nsteps < 8);
		n = sf_encode(&run_a, enc, sizeof(enc));
		for (size_t len = 0; len <= n; len++) {
			decode_exact(enc, len, &run_b);
			assert_run_in_range(&run_b, "truncated encoding");
			assert_true(run_b.nsteps <= run_a.nsteps);
			assert_true(run_b.nfaults <= run_a.nfaults);
		}
	}
}

/* A buffer too small: nothing past CAP is written, the full size is returned. */
static void test_encode_respects_cap(void **state)
{
	uint8_t full[SF_MAX_INPUT * 8], buf[SF_MAX_INPUT * 8 + 16];
	size_t n;

	do {
		random_run(&run_a);
	} while (run_a.nsteps < 4);
	n = sf_encode(&run_a, full, sizeof(full));
	assert_int_equal(sf_encode(&run_a, NULL, 0), n);
	for (size_t cap = 0; cap <= n; cap++) {
		memset(buf, 0xee, sizeof(buf));
		assert_int_equal(sf_encode(&run_a, buf, cap), n);
		assert_memory_equal(buf, full, cap);
		for (size_t j = cap; j < cap + 16; j++)
			assert_int_equal(buf[j], 0xee);
	}
}

/* ------------------------------------------------------------------------ */
/* Text form.                                                                */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f) {
		fail_msg("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc(n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = n;
	return buf;
}

/* TEXT without its comment lines and blank lines. */
static char *strip_comments(const char *text)
{
	char *out = malloc(strlen(text) + 1), *o = out;

	assert_non_null(out);
	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l + 1) : strlen(l);

		if (l[0] != '#' && l[0] != '\n') {
			memcpy(o, l, n);
			o += n;
		}
		l += n;
	}
	*o = '\0';
	return out;
}

/* text -> run -> print is the example itself (comments aside), and text ->
 * binary -> text is the same text. */
static void test_text_examples_round_trip(void **state)
{
	DIR *d = opendir(EXAMPLES_DIR);
	struct dirent *e;
	unsigned int count = 0;

	if (!d) {
		fail_msg("cannot open %s: %s (run from the repository root)", EXAMPLES_DIR,
			 strerror(errno));
		return; /* fail_msg() longjmps; the analyzer does not know */
	}
	while ((e = readdir(d))) {
		struct sf_text_error err;
		char path[512], *text, *canon, *printed, *again;
		uint8_t enc[SF_MAX_INPUT];
		size_t len = 0, n;
		int rc;

		if (!strstr(e->d_name, ".trace"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", EXAMPLES_DIR, e->d_name);
		text = read_file(path, &len);
		rc = sf_text_parse(text, len, &run_a, &err);
		if (rc)
			fail_msg("%s:%u: %s", path, err.line, err.msg);
		assert_run_in_range(&run_a, path);
		canon = strip_comments(text);
		printed = print_run(&run_a, NULL);
		if (strcmp(canon, printed))
			fail_msg("%s is not canonical; print gives\n%s", path, printed);

		n = sf_encode(&run_a, enc, sizeof(enc));
		assert_true(n <= sizeof(enc));
		decode_exact(enc, n, &run_b);
		assert_runs_equal(&run_a, &run_b, path);
		again = print_run(&run_b, NULL);
		assert_string_equal(again, printed);
		free(text);
		free(canon);
		free(printed);
		free(again);
		count++;
	}
	closedir(d);
	assert_true(count >= 5);
}

/* Random runs print, parse back to the same run, and print the same text. */
static void test_text_random_runs_round_trip(void **state)
{
	static uint8_t buf[1024];

	for (unsigned int i = 0; i < 5000; i++) {
		struct sf_text_error err;
		char *text, *again;
		size_t len;
		int rc;

		if (i & 1) {
			random_run(&run_a);
		} else {
			size_t n = random_bytes(buf, sizeof(buf));

			decode_exact(buf, n, &run_a);
		}
		text = print_run(&run_a, &len);
		rc = sf_text_parse(text, len, &run_b, &err);
		if (rc)
			fail_msg("printed text does not parse: line %u: %s, seed %#llx\n%s",
				 err.line, err.msg, (unsigned long long)seed, text);
		assert_runs_equal(&run_a, &run_b, "parse(print(run))");
		again = print_run(&run_b, NULL);
		assert_string_equal(again, text);
		free(text);
		free(again);
	}
}

/* The parser's conveniences: comments, blank lines, CRLF, any field order,
 * numbers for names, hex, durations in units, missing optional fields. */
static void test_text_accepts_variants(void **state)
{
	const char *loose =
		"sockfuzz-trace v1 raw   # header comment\r\n"
		"\n"
		"   # indented comment\n"
		"globals pod_gateway=::ffff:127.0.0.101 monitoring=0x2\n"
		"fault bpf_ringbuf_output nth=0x10\n"
		"\tconnect  to=127.0.0.9:8080 waypoint from=127.0.0.5:40000 slot=1\n"
		"raw remote=[::1]:1 local=127.0.0.5:2 family=10 op=4 slot=0 args=0,close\n"
		"clock 2ms\n"
		"node_ip [fd00:5f::100]\n"
		"auth_answer 1";
	const char *canon =
		HDR_R "globals monitoring=2 node_ip=none pod_gateway=127.0.0.101\n"
		      "fault bpf_ringbuf_output nth=16\n"
		      "connect slot=1 from=127.0.0.5:40000 to=127.0.0.9:8080 waypoint\n"
		      "raw slot=0 op=active_established family=inet6 local=[::ffff:127.0.0.5]:2 "
		      "remote=[::1]:1 args=0,7,0,0 state=0\n"
		      "clock 2ms\n"
		      "node_ip fd00:5f::100\n"
		      "auth_answer deny\n";
	struct sf_text_error err;
	char *printed;

	if (sf_text_parse(loose, strlen(loose), &run_a, &err))
		fail_msg("line %u: %s", err.line, err.msg);
	printed = print_run(&run_a, NULL);
	assert_string_equal(printed, canon);
	free(printed);
	assert_int_equal(run_a.steps[2].value, 2000000);

	/* No globals line: the defaults. */
	assert_int_equal(sf_text_parse(HDR_L, strlen(HDR_L), &run_a, &err), 0);
	assert_empty_run(&run_a, "header only");
	/* The header without a newline. */
	assert_int_equal(sf_text_parse(HDR_L, strlen(HDR_L) - 1, &run_a, &err), 0);
	assert_empty_run(&run_a, "header without newline");
}

struct parse_case {
	const char *text;
	size_t len; /* 0: strlen */
	unsigned int line;
	const char *msg; /* the whole message */
};

#define EP	 "from=127.0.0.5:40000 to=127.0.0.9:8080"
#define RAW_EP	 "family=inet local=127.0.0.5:1 remote=127.0.0.9:2"
#define NUL_CASE HDR_L "close\0 slot=1\n"

static const struct parse_case parse_cases[] = {
	{"", 0, 1, "expected the header 'sockfuzz-trace v1 lifecycle|raw'"},
	{"# comment first\n" HDR_L, 0, 1, "expected the header 'sockfuzz-trace v1 lifecycle|raw'"},
	{"enrol 127.0.0.5\n", 0, 1, "expected the header 'sockfuzz-trace v1 lifecycle|raw'"},
	{"sockfuzz-trace\n", 0, 1, "missing the version (v1)"},
	{"sockfuzz-trace v2 lifecycle\n", 0, 1, "version 'v2' is not supported (this is v1)"},
	{"sockfuzz-trace v1\n", 0, 1, "missing the level (lifecycle or raw)"},
	{"sockfuzz-trace v1 fast\n", 0, 1, "unknown level 'fast' (lifecycle or raw)"},
	{"sockfuzz-trace v1 raw x\n", 0, 1, "unexpected 'x' after the header"},
	{HDR_L "\n# c\n\nconect slot=1\n", 0, 5, "unknown step 'conect'"},
	{HDR_L "slot=1\n", 0, 2, "unknown step 'slot='"},
	{HDR_L "raw slot=0 op=4 " RAW_EP "\n", 0, 2,
	 "a raw step needs the raw level (header: 'sockfuzz-trace v1 raw')"},
	{HDR_L "connect slot=1 from=127.0.0.5:40000\n", 0, 2, "connect: missing 'to='"},
	{HDR_L "connect " EP "\n", 0, 2, "connect: missing 'slot='"},
	{HDR_L "connect slot=16 " EP "\n", 0, 2, "connect: slot 16 out of range (0..15)"},
	{HDR_L "connect slot=x " EP "\n", 0, 2, "connect: bad slot 'x'"},
	{HDR_L "connect slot=1 slot=2 " EP "\n", 0, 2, "connect: 'slot' given twice"},
	{HDR_L "connect slot=1 " EP " waypoint waypoint\n", 0, 2,
	 "connect: 'waypoint' given twice"},
	{HDR_L "connect slot=1 " EP " port=3\n", 0, 2, "connect: unknown field 'port'"},
	{HDR_L "connect slot=1 " EP " fast\n", 0, 2, "connect: unexpected 'fast'"},
	{HDR_L "connect slot=1 from=127.0.0.5:1 to=[::1]:2\n", 0, 2,
	 "connect: from= and to= mix IPv4 and IPv6 (an IPv6 socket writes ::ffff:a.b.c.d)"},
	{HDR_L "enrol 127.0.0.256\n", 0, 2, "enrol: bad address '127.0.0.256'"},
	{HDR_L "enrol fd00::5f::5\n", 0, 2, "enrol: bad address 'fd00::5f::5'"},
	{HDR_L "enrol\n", 0, 2, "enrol: missing the pod address"},
	{HDR_L "unenrol none\n", 0, 2, "unenrol: bad address 'none'"},
	{HDR_L "listen slot=0 on=127.0.0.5\n", 0, 2, "listen: on=127.0.0.5: missing ':PORT'"},
	{HDR_L "listen slot=0 on=::1:80\n", 0, 2, "listen: on=::1:80: write [IPV6]:PORT"},
	{HDR_L "listen slot=0 on=[::1]80\n", 0, 2, "listen: on=[::1]80: write [IPV6]:PORT"},
	{HDR_L "listen slot=0 on=127.0.0.5:65536\n", 0, 2,
	 "listen: port 65536 out of range (0..65535)"},
	{HDR_L "listen slot=0 on=127.0.0.5:\n", 0, 2, "listen: bad port ''"},
	{HDR_L "accept slot=1\n", 0, 2, "accept: missing 'listener='"},
	{HDR_L "send slot=1 bytes=-1\n", 0, 2, "send: bad bytes '-1'"},
	{HDR_L "send slot=1 bytes=18446744073709551616\n", 0, 2,
	 "send: bad bytes '18446744073709551616'"},
	{HDR_L "waypoint slot=1 256\n", 0, 2, "waypoint: waypoint 256 out of range (0..255)"},
	{HDR_L "waypoint slot=1\n", 0, 2, "waypoint: missing on, off or a number"},
	{HDR_L "monitoring maybe\n", 0, 2, "monitoring: unknown monitoring 'maybe'"},
	{HDR_L "monitoring 4294967296\n", 0, 2,
	 "monitoring: monitoring 4294967296 out of range (0..4294967295)"},
	{HDR_L "node_ip\n", 0, 2, "node_ip: missing an address or none"},
	{HDR_L "auth_answer\n", 0, 2, "auth_answer: missing the verdict (allow, deny or a number)"},
	{HDR_L "xdp_verdict slot=1 maybe\n", 0, 2, "xdp_verdict: unknown verdict 'maybe'"},
	{HDR_L "clock 5m\n", 0, 2, "clock: bad duration '5m' (a number and ns, us, ms or s)"},
	{HDR_L "clock s\n", 0, 2, "clock: bad duration 's' (a number and ns, us, ms or s)"},
	{HDR_L "clock 18446744073709551615s\n", 0, 2,
	 "clock: duration 18446744073709551615s out of range"},
	{HDR_R "raw slot=0 op=bogus " RAW_EP "\n", 0, 2, "raw: unknown op 'bogus'"},
	{HDR_R "raw slot=0 op=4 family=inet local=127.0.0.5:1\n", 0, 2, "raw: missing 'remote='"},
	{HDR_R "raw slot=0 op=4 " RAW_EP " args=1,2,3,4,5\n", 0, 2,
	 "raw: args= takes at most 4 values"},
	{HDR_R "raw slot=0 op=4 " RAW_EP " args=1,,3\n", 0, 2, "raw: unknown arg ''"},
	{HDR_R "raw slot=0 op=4 " RAW_EP " state=4294967296\n", 0, 2,
	 "raw: state 4294967296 out of range (0..4294967295)"},
	{HDR_R "raw slot=0 op=4 family=2x local=127.0.0.5:1 remote=127.0.0.9:2\n", 0, 2,
	 "raw: unknown family '2x'"},
	{HDR_L "fault bpf_map_lookup_elem nth=0\n", 0, 2,
	 "fault: helper 'bpf_map_lookup_elem' cannot fail"},
	{HDR_L "fault bpf_nope nth=0\n", 0, 2, "fault: unknown helper 'bpf_nope'"},
	{HDR_L "fault bpf_map_update_elem\n", 0, 2, "fault: missing 'nth='"},
	{HDR_L "fault nth=1\n", 0, 2, "fault: missing the helper"},
	{HDR_L "fault bpf_map_update_elem nth=65536\n", 0, 2,
	 "fault: nth 65536 out of range (0..65535)"},
	{HDR_L "close slot=1\nfault bpf_map_update_elem nth=1\n", 0, 3,
	 "fault: must come before the first step"},
	{HDR_L "close slot=1\nglobals monitoring=on\n", 0, 3,
	 "globals: must come before the first step"},
	{HDR_L "globals\nglobals\n", 0, 3, "globals: given twice"},
	{HDR_L "globals node_ip=1.2.3\n", 0, 2, "globals: bad address '1.2.3'"},
	{HDR_L "globals speed=1\n", 0, 2, "globals: unknown field 'speed'"},
	{HDR_L "close slot=1 a b c d e f g h i j k l m n o\n", 0, 2,
	 "too many fields (at most 16)"},
	{HDR_L "close slot=11111111111111111111111111111111111111111111111111111111111111111111"
	       "111111111111111111111111111111111111\n",
	 0, 2, "'slot=1111111111111111111...' is too long"},
	{NUL_CASE, sizeof(NUL_CASE) - 1, 2, "NUL byte in the line"},
	{HDR_L "enrol \x01\xff\n", 0, 2,
	 "enrol: bad address '?"
	 "?'"},
};

static void test_text_errors_name_their_line(void **state)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		size_t len = c->len ? c->len : strlen(c->text);
		struct sf_text_error err;
		int rc = sf_text_parse(c->text, len, &run_a, &err);

		if (rc != -EINVAL || err.line != c->line || strcmp(err.msg, c->msg))
			fail_msg("case %zu: rc %d, line %u: '%s'; want line %u: '%s'", i, rc,
				 err.line, err.msg, c->line, c->msg);
	}
}

/* Limits: exactly SF_MAX_FAULTS and SF_MAX_STEPS parse; one more is an error
 * on the line that overflows. */
static void test_text_too_many_faults_and_steps(void **state)
{
	size_t cap = 64 * 1024, n;
	char *text = malloc(cap);
	struct sf_text_error err;

	assert_non_null(text);
	n = snprintf(text, cap, HDR_L);
	for (unsigned int i = 0; i < SF_MAX_FAULTS; i++)
		n += snprintf(text + n, cap - n, "fault bpf_map_update_elem nth=%u\n", i);
	assert_int_equal(sf_text_parse(text, n, &run_a, &err), 0);
	assert_int_equal(run_a.nfaults, SF_MAX_FAULTS);
	n += snprintf(text + n, cap - n, "fault bpf_map_update_elem nth=99\n");
	assert_int_equal(sf_text_parse(text, n, &run_a, &err), -EINVAL);
	assert_int_equal(err.line, SF_MAX_FAULTS + 2);
	assert_string_equal(err.msg, "fault: too many faults (at most 8)");

	n = snprintf(text, cap, HDR_L);
	for (unsigned int i = 0; i < SF_MAX_STEPS; i++)
		n += snprintf(text + n, cap - n, "close slot=%u\n", i % SF_NSLOTS);
	assert_int_equal(sf_text_parse(text, n, &run_a, &err), 0);
	assert_int_equal(run_a.nsteps, SF_MAX_STEPS);
	n += snprintf(text + n, cap - n, "close slot=0\n");
	assert_int_equal(sf_text_parse(text, n, &run_a, &err), -EINVAL);
	assert_int_equal(err.line, SF_MAX_STEPS + 2);
	assert_string_equal(err.msg, "too many steps (at most 256)");
	free(text);
}

/* Random lines and mutated valid text: never a crash; a success is in range
 * and round-trips, a failure names a line of the text. */
static void test_text_parser_survives_garbage(void **state)
{
	static const char alphabet[] = "sockfuzz-trace v1 lifecycle raw =:[]., #\n\t\r0123456789"
				       "abcdefx\x01\xff\x00";
	static char buf[2048];

	for (unsigned int i = 0; i < 20000; i++) {
		struct sf_text_error err;
		unsigned int lines = 1;
		size_t len;
		int rc;

		if (i % 3 == 0) {
			/* Alphabet soup after a valid header. */
			len = snprintf(buf, sizeof(buf), "%s", i & 1 ? HDR_L : HDR_R);
			for (size_t n = rnd_below(300); n--;)
				buf[len++] = alphabet[rnd_below(sizeof(alphabet) - 1)];
		} else {
			/* A printed run with a few bytes changed, cut or doubled. */
			char *t;
			size_t tl;

			random_run(&run_c);
			t = print_run(&run_c, &tl);
			len = tl < sizeof(buf) ? tl : sizeof(buf);
			memcpy(buf, t, len);
			free(t);
			for (unsigned int m = 1 + rnd_below(4); m--;) {
				size_t at = rnd_below(len + 1);

				switch (rnd_below(3)) {
				case 0:
					if (at < len)
						buf[at] = rnd_below(2)
								  ? (char)rnd()
								  : alphabet[rnd_below(
									    sizeof(alphabet) - 1)];
					break;
				case 1:
					len = at;
					break;
				default:
					if (len + 8 <= sizeof(buf)) {
						memmove(buf + at + 8, buf + at, len - at);
						memset(buf + at, alphabet[rnd_below(20)], 8);
						len += 8;
					}
				}
			}
		}
		{
			/* An exact-size copy, so ASan sees any overread. */
			char *copy = malloc(len ? len : 1);

			memcpy(copy, buf, len);
			rc = sf_text_parse(copy, len, &run_a, &err);
			free(copy);
		}
		for (size_t j = 0; j + 1 < len; j++)
			lines += buf[j] == '\n';
		if (rc) {
			assert_int_equal(rc, -EINVAL);
			assert_true(err.line >= 1 && err.line <= lines);
			assert_true(err.msg[0] != '\0');
			for (const char *c = err.msg; *c; c++)
				assert_true(*c >= 0x20 && *c < 0x7f);
			continue;
		}
		assert_run_in_range(&run_a, "parsed garbage");
		{
			char *t = print_run(&run_a, &len);

			assert_int_equal(sf_text_parse(t, len, &run_b, &err), 0);
			assert_runs_equal(&run_a, &run_b, "garbage round trip");
			free(t);
		}
	}
}

/* ------------------------------------------------------------------------ */
/* Names.                                                                    */

static void test_names_are_consistent(void **state)
{
	enum sf_kind k;

	for (unsigned int i = 0; i < SF_KIND__COUNT; i++) {
		assert_non_null(sf_kind_name(i));
		assert_true(sf_kind_lookup(sf_kind_name(i), &k));
		assert_int_equal(k, i);
	}
	assert_null(sf_kind_name(SF_KIND__COUNT));
	assert_string_equal(sf_kind_name(SF_CONNECT), "connect");
	assert_string_equal(sf_op_name(BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB), "active_established");
	assert_string_equal(sf_op_name(BPF_SOCK_OPS_STATE_CB), "state");
	assert_string_equal(sf_op_name(BPF_SOCK_OPS_WRITE_HDR_OPT_CB), "write_hdr_opt");
	assert_null(sf_op_name(16));
	assert_string_equal(sf_state_name(BPF_TCP_CLOSE), "close");
	assert_string_equal(sf_state_name(BPF_TCP_NEW_SYN_RECV), "new_syn_recv");
	assert_null(sf_state_name(0));
	assert_string_equal(sf_family_name(10), "inet6");

	/* Each fault helper is one host_fault__arm() takes, and nothing else is. */
	for (unsigned int h = 0; h < HOST_H__MAX; h++) {
		bool armable = host_fault__arm(h, 0, 0) != -EINVAL;

		assert_int_equal(sf_fault_helper_ok(h), armable);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_zero_and_short_are_empty_run),
		cmocka_unit_test(test_decode_level_byte_and_forced_level),
		cmocka_unit_test(test_decode_format_md_example),
		cmocka_unit_test(test_decode_random_in_range_and_encode_inverts),
		cmocka_unit_test(test_encode_inverts_decode_on_in_range_runs),
		cmocka_unit_test(test_decode_truncated_every_length),
		cmocka_unit_test(test_encode_respects_cap),
		cmocka_unit_test(test_text_examples_round_trip),
		cmocka_unit_test(test_text_random_runs_round_trip),
		cmocka_unit_test(test_text_accepts_variants),
		cmocka_unit_test(test_text_errors_name_their_line),
		cmocka_unit_test(test_text_too_many_faults_and_steps),
		cmocka_unit_test(test_text_parser_survives_garbage),
		cmocka_unit_test(test_names_are_consistent),
	};

	return cmocka_run_group_tests_name("input", tests, setup_rng, NULL);
}
