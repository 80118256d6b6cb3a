// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * text_print.c: a run in the canonical text form (input/FORMAT.md, "Text
 * form"). Canonical: every field a kind uses is printed, in its row's order
 * (steps.h), names before numbers, so text_parse.c reads it back to the same
 * run and printing that gives the same bytes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include "bpf/host/host.h"
#include "input/input_internal.h"

#define ADDR_STRLEN 64

/* A in dotted quad (V4: its last word) or in IPv6 notation. */
static const char *fmt_addr(char *buf, const struct sf_addr *a, bool v4)
{
	if (!inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? (const void *)&a->w[3] : (const void *)a, buf,
		       ADDR_STRLEN))
		buf[0] = '\0';
	return buf;
}

/* How a step writes its addresses: dotted quad for an AF_INET lifecycle step;
 * for a step that gives its family (raw), dotted quad for an IPv4-mapped
 * address unless AF_INET6. */
static bool step_v4(const struct sf_step *st, const struct sf_addr *a)
{
	if (sf_kind_def(st->kind)->fields & SF_USE_ANY_FAMILY)
		return st->family != SF_AF_INET6 && lo_addr_is_v4mapped(a);
	return st->family == SF_AF_INET;
}

static void print_endpoint(FILE *out, const char *key, const struct sf_step *st,
			   const struct sf_addr *a, __u16 port)
{
	char buf[ADDR_STRLEN];
	bool v4 = step_v4(st, a);

	fprintf(out, " %s=%s%s%s:%u", key, v4 ? "" : "[", fmt_addr(buf, a, v4), v4 ? "" : "]",
		port);
}

static void print_global(FILE *out, const struct sf_addr *a)
{
	char buf[ADDR_STRLEN];

	fputs(lo_addr_is_zero(a) ? "none" : fmt_addr(buf, a, lo_addr_is_v4mapped(a)), out);
}

static void print_onoff(FILE *out, __u64 v)
{
	if (v <= 1)
		fputs(v ? "on" : "off", out);
	else
		fprintf(out, "%" PRIu64, (uint64_t)v);
}

static void print_named(FILE *out, const char *name, __u64 v)
{
	if (name)
		fputs(name, out);
	else
		fprintf(out, "%" PRIu64, (uint64_t)v);
}

/* Nanoseconds in the largest unit that divides them exactly. */
static void print_duration(FILE *out, __u64 ns)
{
	static const struct {
		__u64 div;
		const char *unit;
	} units[] = {{1000000000, "s"}, {1000000, "ms"}, {1000, "us"}};

	for (unsigned int i = 0; ns && i < 3; i++) {
		if (ns % units[i].div == 0) {
			fprintf(out, "%" PRIu64 "%s", (uint64_t)(ns / units[i].div), units[i].unit);
			return;
		}
	}
	fprintf(out, "%" PRIu64 "ns", (uint64_t)ns);
}

static int stream_result(FILE *out)
{
	return ferror(out) ? -(errno ? errno : EIO) : 0;
}

static void print_value(FILE *out, const struct sf_value_syntax *vs, __u64 v)
{
	switch (vs->style) {
	case SF_VS_ONOFF:
		print_onoff(out, v);
		break;
	case SF_VS_VERDICT:
		print_named(out, sf_verdict_name(v), v);
		break;
	case SF_VS_DURATION:
		print_duration(out, v);
		break;
	case SF_VS_NUMBER:
	default:
		fprintf(out, "%" PRIu64, (uint64_t)v);
		break;
	}
}

static void print_field(FILE *out, const struct sf_text_field *f, const struct sf_step *st)
{
	char buf[ADDR_STRLEN];

	switch (f->type) {
	case SF_TF_SLOT:
		fprintf(out, " %s=%u", f->key, st->slot);
		break;
	case SF_TF_PEER:
		fprintf(out, " %s=%u", f->key, st->peer);
		break;
	case SF_TF_ADDR:
		fprintf(out, " %s", fmt_addr(buf, &st->local, st->family == SF_AF_INET));
		break;
	case SF_TF_GLOBAL:
		fputc(' ', out);
		print_global(out, &st->local);
		break;
	case SF_TF_LOCAL:
		print_endpoint(out, f->key, st, &st->local, st->lport);
		break;
	case SF_TF_REMOTE:
		print_endpoint(out, f->key, st, &st->remote, st->rport);
		break;
	case SF_TF_FLAG:
		if (st->flags & f->arg)
			fprintf(out, " %s", f->key);
		break;
	case SF_TF_OP:
		fprintf(out, " %s=", f->key);
		print_named(out, sf_op_name(st->op), st->op);
		break;
	case SF_TF_FAMILY:
		fprintf(out, " %s=", f->key);
		print_named(out, sf_family_name(st->family), st->family);
		break;
	case SF_TF_ARGS:
		fprintf(out, " %s=%u,%u,%u,%u", f->key, st->args[0], st->args[1], st->args[2],
			st->args[3]);
		break;
	case SF_TF_STATE:
		fprintf(out, " %s=", f->key);
		print_named(out, sf_state_name(st->state), st->state);
		break;
	case SF_TF_VALUE:
		if (f->key)
			fprintf(out, " %s=", f->key);
		else
			fputc(' ', out);
		print_value(out, f->value, st->value);
		break;
	case SF_TF_TCP:
		fprintf(out, " %s=%" PRIu64, f->key, (uint64_t)sf_tcp_get(&st->tcp, f));
		break;
	case SF_TF_END:
		break;
	}
}

int sf_step_print(const struct sf_step *st, FILE *out)
{
	const struct sf_kind_def *k = sf_kind_def(st->kind);

	if (!k) {
		fprintf(out, "unknown step %u", st->kind);
		return -EINVAL;
	}
	fputs(k->name, out);
	for (const struct sf_text_field *f = k->text; f->type != SF_TF_END; f++)
		print_field(out, f, st);
	return stream_result(out);
}

int sf_text_print(const struct sf_input *in, FILE *out)
{
	unsigned int nsteps = in->nsteps < SF_MAX_STEPS ? in->nsteps : SF_MAX_STEPS;
	unsigned int nfaults = in->nfaults < SF_MAX_FAULTS ? in->nfaults : SF_MAX_FAULTS;
	int err;

	fprintf(out, "sockfuzz-trace v%u %s\n", SF_FORMAT_VERSION, sf_level_name(in->level));
	fputs("globals monitoring=", out);
	print_onoff(out, in->monitoring);
	fputs(" node_ip=", out);
	print_global(out, &in->node_ip);
	fputs(" pod_gateway=", out);
	print_global(out, &in->pod_gateway);
	fputc('\n', out);

	for (unsigned int i = 0; i < nfaults; i++)
		fprintf(out, "fault %s nth=%u\n", host_helper__name(in->faults[i].helper),
			in->faults[i].nth);

	for (unsigned int i = 0; i < nsteps; i++) {
		err = sf_step_print(&in->steps[i], out);
		fputc('\n', out);
		if (err)
			return err;
	}
	return stream_result(out);
}
