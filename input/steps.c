// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * steps.c: the step-kind registry (steps.h), one row per kind.
 *
 * A row's code is its binary kind byte for ever: codes 1..15 are the
 * lifecycle kinds and 16..18 the raw ones of format v1; a new kind takes the
 * next free code, so no existing binary input changes meaning. Its text form
 * is listed field by field in the order the printer writes them.
 */
#include <stddef.h>
#include <string.h>
#include "input/input_internal.h"

/* Value syntaxes of the text form. */
static const struct sf_value_syntax vs_bytes = {SF_VS_NUMBER, "bytes", "bytes", ~0ull};
static const struct sf_value_syntax vs_waypoint = {SF_VS_ONOFF, "waypoint", "on, off or a number",
						   0xff};
static const struct sf_value_syntax vs_monitoring = {SF_VS_ONOFF, "monitoring",
						     "on, off or a number", 0xffffffff};
static const struct sf_value_syntax vs_verdict = {
	SF_VS_VERDICT, "verdict", "the verdict (allow, deny or a number)", 0xffffffff};
static const struct sf_value_syntax vs_manage = {SF_VS_NUMBER, "value", "value", 0xffffffff};
static const struct sf_value_syntax vs_free = {SF_VS_NUMBER, "free", "free", 0xffffffff};
static const struct sf_value_syntax vs_log_level = {SF_VS_NUMBER, "level", "the level", 0xffffffff};
static const struct sf_value_syntax vs_clock = {SF_VS_DURATION, "duration", "the duration", ~0ull};

#define T(t, k)                             \
	{                                   \
		.type = SF_TF_##t, .key = k \
	}
#define FLAG(k, bit)                                     \
	{                                                \
		.type = SF_TF_FLAG, .key = k, .arg = bit \
	}
#define VAL(k, vs)                                          \
	{                                                   \
		.type = SF_TF_VALUE, .key = k, .value = &vs \
	}
#define TCPF(k, member)                                                              \
	{                                                                            \
		.type = SF_TF_TCP, .key = k, .arg = offsetof(struct sf_tcp, member), \
		.size = sizeof(((struct sf_tcp *)0)->member)                         \
	}
#define END                       \
	{                         \
		.type = SF_TF_END \
	}

static const struct sf_text_field t_enrol[] = {T(ADDR, NULL), END};
static const struct sf_text_field t_listen[] = {T(SLOT, "slot"), T(LOCAL, "on"), END};
static const struct sf_text_field t_connect[] = {T(SLOT, "slot"), T(LOCAL, "from"), T(REMOTE, "to"),
						 FLAG("waypoint", SF_F_WAYPOINT), END};
static const struct sf_text_field t_accept[] = {T(SLOT, "slot"), T(PEER, "listener"), END};
static const struct sf_text_field t_send[] = {T(SLOT, "slot"), VAL("bytes", vs_bytes), END};
static const struct sf_text_field t_slot[] = {T(SLOT, "slot"), END};
static const struct sf_text_field t_waypoint[] = {T(SLOT, "slot"), VAL(NULL, vs_waypoint), END};
static const struct sf_text_field t_monitoring[] = {VAL(NULL, vs_monitoring), END};
static const struct sf_text_field t_global[] = {T(GLOBAL, NULL), END};
static const struct sf_text_field t_verdict[] = {VAL(NULL, vs_verdict), END};
static const struct sf_text_field t_xdp[] = {T(SLOT, "slot"), VAL(NULL, vs_verdict), END};
static const struct sf_text_field t_clock[] = {VAL(NULL, vs_clock), END};
static const struct sf_text_field t_log_level[] = {VAL(NULL, vs_log_level), END};
static const struct sf_text_field t_manage[] = {T(ADDR, NULL), VAL("value", vs_manage), END};
static const struct sf_text_field t_fill[] = {FLAG("auth_res", SF_F_AUTH_RES), VAL("free", vs_free),
					      END};
/* The destination is the step's one endpoint, LOCAL:LPORT, as for listen. */
static const struct sf_text_field t_orig_dst[] = {T(SLOT, "slot"), T(LOCAL, "to"),
						  VAL(NULL, vs_waypoint), END};
static const struct sf_text_field t_raw[] = {
	T(SLOT, "slot"),
	T(OP, "op"),
	T(FAMILY, "family"),
	T(LOCAL, "local"),
	T(REMOTE, "remote"),
	T(ARGS, "args"),
	T(STATE, "state"),
	FLAG("reqsock", SF_F_REQSOCK),
	FLAG("notcp", SF_F_NOTCP),
	FLAG("newsock", SF_F_NEWSOCK),
	END,
};
static const struct sf_text_field t_tcp[] = {
	T(SLOT, "slot"),
	TCPF("srtt", srtt_us),
	TCPF("rtt_min", rtt_min),
	TCPF("retrans", total_retrans),
	TCPF("lost", lost_out),
	TCPF("received", bytes_received),
	TCPF("acked", bytes_acked),
	END,
};

#define ENDPOINT      (SF_USE_FAMILY | SF_USE_LOCAL | SF_USE_LPORT)
#define LIFE	      SF_LEVEL_LIFECYCLE
#define RAW	      SF_LEVEL_RAW
#define NO_KERNEL_RAW "a raw event is a callback as recorded; no application makes one on demand"

const struct sf_kind_def sf_kinds[SF_KIND__COUNT] = {
	[SF_ENROL] = {"enrol", 1, LIFE, SF_BY_APP, false, SF_USE_FAMILY | SF_USE_LOCAL, 0, NULL,
		      t_enrol, NULL, "control connect to 0.0.0.2/::2 port 929 from the address"},
	[SF_UNENROL] = {"unenrol", 2, LIFE, SF_BY_APP, false, SF_USE_FAMILY | SF_USE_LOCAL, 0, NULL,
			t_enrol, NULL, "the same on port 930"},
	[SF_LISTEN] = {"listen", 3, LIFE, SF_BY_APP, false, SF_USE_SLOT | ENDPOINT, 0, NULL,
		       t_listen, NULL,
		       "SLOT listens on LOCAL:LPORT (:: or 0.0.0.0 is the wildcard)"},
	[SF_CONNECT] = {"connect", 4, LIFE, SF_BY_APP, false,
			SF_USE_SLOT | SF_USE_FLAGS | ENDPOINT | SF_USE_REMOTE | SF_USE_RPORT,
			SF_F_WAYPOINT, NULL, t_connect, NULL,
			"SLOT connects from LOCAL:LPORT to REMOTE:RPORT"},
	[SF_ACCEPT] = {"accept", 5, LIFE, SF_BY_APP, false, SF_USE_SLOT | SF_USE_PEER, 0, NULL,
		       t_accept, NULL, "SLOT takes the oldest established child of listener PEER"},
	[SF_SEND] = {"send", 6, LIFE, SF_BY_APP, false, SF_USE_SLOT | SF_USE_VALUE, 0,
		     &sf_pool_bytes, t_send, NULL, "SLOT sends VALUE bytes to its peer"},
	[SF_CLOSE] = {"close", 7, LIFE, SF_BY_APP, false, SF_USE_SLOT, 0, NULL, t_slot, NULL,
		      "SLOT closes (FIN)"},
	[SF_RESET] = {"reset", 8, LIFE, SF_BY_APP, false, SF_USE_SLOT, 0, NULL, t_slot, NULL,
		      "SLOT aborts (RST)"},
	[SF_WAYPOINT] = {"waypoint", 9, LIFE, SF_BY_USER, false, SF_USE_SLOT | SF_USE_VALUE, 0,
			 &sf_pool_waypoint, t_waypoint, NULL,
			 "user space sets via_waypoint = VALUE in SLOT's storage"},
	[SF_MONITORING] = {"monitoring", 10, LIFE, SF_BY_USER, false, SF_USE_VALUE, 0,
			   &sf_pool_monitoring, t_monitoring, NULL, "enable_monitoring = VALUE"},
	[SF_NODE_IP] = {"node_ip", 11, LIFE, SF_BY_USER, false, SF_USE_LOCAL | SF_USE_GLOBAL, 0,
			NULL, t_global, NULL, "node_ip = the address (none: unset)"},
	[SF_POD_GATEWAY] = {"pod_gateway", 12, LIFE, SF_BY_USER, false,
			    SF_USE_LOCAL | SF_USE_GLOBAL, 0, NULL, t_global, NULL,
			    "pod_gateway = the address (none: unset)"},
	[SF_AUTH_ANSWER] = {"auth_answer", 13, LIFE, SF_BY_USER, false, SF_USE_VALUE, 0,
			    &sf_pool_verdict, t_verdict, NULL,
			    "user space answers the oldest auth request with VALUE"},
	[SF_XDP_VERDICT] = {"xdp_verdict", 14, LIFE, SF_BY_XDP, false, SF_USE_SLOT | SF_USE_VALUE,
			    0, &sf_pool_verdict, t_xdp, NULL,
			    "XDP caches VALUE for the first packet arriving at SLOT"},
	[SF_CLOCK] = {"clock", 15, LIFE, SF_BY_TIME, false, SF_USE_VALUE, 0, &sf_pool_clock,
		      t_clock, NULL, "the clock advances VALUE ns"},
	[SF_MANAGE] = {"manage", 19, LIFE, SF_BY_USER, false,
		       SF_USE_FAMILY | SF_USE_LOCAL | SF_USE_VALUE, 0, &sf_pool_manage, t_manage,
		       NULL, "user space writes km_manage[the address's key] = VALUE"},
	[SF_ORIG_DST] = {"orig_dst", 20, LIFE, SF_BY_USER, false,
			 SF_USE_SLOT | ENDPOINT | SF_USE_VALUE, 0, &sf_pool_waypoint, t_orig_dst,
			 NULL,
			 "user space writes SLOT's storage as a connect hook does: connect_ns = "
			 "now, original destination LOCAL:LPORT, via_waypoint = VALUE"},
	[SF_FILL] = {"fill", 21, LIFE, SF_BY_USER, false, SF_USE_FLAGS | SF_USE_VALUE,
		     SF_F_AUTH_RES, &sf_pool_free, t_fill, NULL,
		     "user space fills km_manage (auth_res: km_auth_res) with entries of its own "
		     "until VALUE are left free"},
	[SF_LOG_LEVEL] =
		{"log_level", 22, LIFE, SF_BY_USER, false, SF_USE_VALUE, 0, &sf_pool_log_level,
		 t_log_level, NULL,
		 "log_level = VALUE: records of level 0 ERR, 1 WARN, 2 INFO, 3 DEBUG up to it"
		 " are written"},
	[SF_RAW] = {"raw", 16, RAW, SF_BY_RECORD, true,
		    SF_USE_SLOT | SF_USE_FLAGS | SF_USE_OP | ENDPOINT | SF_USE_ANY_FAMILY |
			    SF_USE_REMOTE | SF_USE_RPORT | SF_USE_ARGS | SF_USE_STATE,
		    SF_F_REQSOCK | SF_F_NOTCP | SF_F_NEWSOCK, NULL, t_raw, NO_KERNEL_RAW,
		    "fire OP with ARGS on SLOT, its socket set up as the step says"},
	/* TCP counters are whatever a kernel had: they keep a run kernel-producible. */
	[SF_TCP] = {"tcp", 17, RAW, SF_BY_RECORD, false, SF_USE_SLOT | SF_USE_TCP, 0, NULL, t_tcp,
		    "counters come from a recording; no application sets them",
		    "SLOT's TCP counters become these (what bpf_tcp_sock() reads)"},
	[SF_RELEASE] = {"release", 18, RAW, SF_BY_RECORD, false, SF_USE_SLOT, 0, NULL, t_slot,
			"a recording's close(2); the lifecycle close is the kernel's",
			"user space closes SLOT's socket; nothing fires"},
};

const char *sf_kind_name(enum sf_kind kind)
{
	return (unsigned int)kind < SF_KIND__COUNT ? sf_kinds[kind].name : NULL;
}

bool sf_kind_lookup(const char *name, enum sf_kind *kind)
{
	for (unsigned int i = 0; i < SF_KIND__COUNT; i++) {
		if (!strcmp(sf_kinds[i].name, name)) {
			*kind = i;
			return true;
		}
	}
	return false;
}

bool sf_level_holds(enum sf_level level, enum sf_kind kind)
{
	return (unsigned int)kind < SF_KIND__COUNT && sf_kinds[kind].level <= level;
}

/* Per level: the kind of each code it holds (kind + 1; 0: none), and its
 * kinds in code order. Built once, on first use: the decoder's hot path then
 * costs one load per step. */
static struct {
	bool built;
	__u8 by_code[2][256];
	__u8 order[2][SF_KIND__COUNT];
	unsigned int n[2];
} codes;

static void build_codes(void)
{
	for (unsigned int level = 0; level < 2; level++) {
		for (unsigned int code = 1; code < 256; code++) {
			for (unsigned int k = 0; k < SF_KIND__COUNT; k++) {
				if (sf_kinds[k].code != code || sf_kinds[k].level > level)
					continue;
				codes.by_code[level][code] = k + 1;
				codes.order[level][codes.n[level]++] = k;
			}
		}
	}
	codes.built = true;
}

enum sf_kind sf_kind_of_code(__u8 code, enum sf_level level)
{
	unsigned int l = level == SF_LEVEL_RAW;

	if (!codes.built)
		build_codes();
	if (codes.by_code[l][code])
		return codes.by_code[l][code] - 1;
	return codes.order[l][(code - 1u) % codes.n[l]];
}

/* The binary fields of a row, in their order, as FORMAT.md names them. */
static void print_fields(FILE *out, const struct sf_kind_def *k)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} order[] = {
		{SF_USE_SLOT, "slot"},
		{SF_USE_PEER, "peer"},
		{SF_USE_FLAGS, "flags"},
		{SF_USE_FAMILY, "family"},
		{SF_USE_OP, "op (OP)"},
		{SF_USE_LOCAL, "local"},
		{SF_USE_LPORT, "lport"},
		{SF_USE_REMOTE, "remote"},
		{SF_USE_RPORT, "rport"},
		{SF_USE_ARGS, "args[0..3] (STATE each)"},
		{SF_USE_STATE, "state (STATE)"},
		{SF_USE_VALUE, "value"},
		{SF_USE_TCP, "srtt, rtt_min, retrans, lost (TCP32 "
			     "each), received, acked (BYTES each)"},
	};
	const char *sep = "";

	for (unsigned int i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(k->fields & order[i].bit))
			continue;
		fprintf(out, "%s%s", sep, order[i].name);
		sep = ", ";
		if (order[i].bit == SF_USE_FAMILY && (k->fields & SF_USE_ANY_FAMILY))
			fputs(" (FAMILY)", out);
		else if (order[i].bit == SF_USE_LOCAL && (k->fields & SF_USE_GLOBAL))
			fputs(" (global address)", out);
		else if (order[i].bit == SF_USE_VALUE && k->value)
			fprintf(out, " (%s)", k->value->name);
	}
}

int sf_steps__print_table(FILE *out)
{
	static const char *const by[] = {"application", "user space", "XDP", "time", "recording"};

	if (!codes.built)
		build_codes();
	fputs("| K | kind | level | by | kernel | fields after K, in order |\n", out);
	fputs("|---|---|---|---|---|---|\n", out);
	for (unsigned int i = 0; i < codes.n[SF_LEVEL_RAW]; i++) {
		const struct sf_kind_def *k = &sf_kinds[codes.order[SF_LEVEL_RAW][i]];

		fprintf(out, "| %u | %s | %s | %s | %s | ", k->code, k->name,
			sf_level_name(k->level), by[k->performer], k->kernel_none ? "no" : "yes");
		print_fields(out, k);
		fputs(" |\n", out);
	}
	return ferror(out) ? -1 : 0;
}
