// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * text_print.c: a run in the canonical text form (input/FORMAT.md, "Text
 * form"). Canonical: every field a kind uses is printed, in one order, names
 * before numbers, so text_parse.c reads it back to the same run and printing
 * that gives the same bytes.
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
 * for a raw step, dotted quad for an IPv4-mapped address unless AF_INET6. */
static bool step_v4(const struct sf_step *st, const struct sf_addr *a)
{
	if (st->kind == SF_RAW)
		return st->family != SF_AF_INET6 && sf_addr_is_v4mapped(a);
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

	fputs(sf_addr_is_zero(a) ? "none" : fmt_addr(buf, a, sf_addr_is_v4mapped(a)), out);
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

int sf_step_print(const struct sf_step *st, FILE *out)
{
	char buf[ADDR_STRLEN];

	if (st->kind >= SF_KIND__COUNT) {
		fprintf(out, "unknown step %u", st->kind);
		return -EINVAL;
	}
	fputs(sf_kinds[st->kind].name, out);

	switch (st->kind) {
	case SF_ENROL:
	case SF_UNENROL:
		fprintf(out, " %s", fmt_addr(buf, &st->local, st->family == SF_AF_INET));
		break;
	case SF_LISTEN:
		fprintf(out, " slot=%u", st->slot);
		print_endpoint(out, "on", st, &st->local, st->lport);
		break;
	case SF_CONNECT:
		fprintf(out, " slot=%u", st->slot);
		print_endpoint(out, "from", st, &st->local, st->lport);
		print_endpoint(out, "to", st, &st->remote, st->rport);
		if (st->flags & SF_F_WAYPOINT)
			fputs(" waypoint", out);
		break;
	case SF_ACCEPT:
		fprintf(out, " slot=%u listener=%u", st->slot, st->peer);
		break;
	case SF_SEND:
		fprintf(out, " slot=%u bytes=%" PRIu64, st->slot, (uint64_t)st->value);
		break;
	case SF_CLOSE:
	case SF_RESET:
	case SF_RELEASE:
		fprintf(out, " slot=%u", st->slot);
		break;
	case SF_WAYPOINT:
		fprintf(out, " slot=%u ", st->slot);
		print_onoff(out, st->value);
		break;
	case SF_MONITORING:
		fputc(' ', out);
		print_onoff(out, st->value);
		break;
	case SF_NODE_IP:
	case SF_POD_GATEWAY:
		fputc(' ', out);
		print_global(out, &st->local);
		break;
	case SF_XDP_VERDICT:
		fprintf(out, " slot=%u", st->slot);
		/* fall through */
	case SF_AUTH_ANSWER:
		fputc(' ', out);
		print_named(out, sf_verdict_name(st->value), st->value);
		break;
	case SF_CLOCK:
		fputc(' ', out);
		print_duration(out, st->value);
		break;
	case SF_RAW:
		fprintf(out, " slot=%u op=", st->slot);
		print_named(out, sf_op_name(st->op), st->op);
		fputs(" family=", out);
		print_named(out, sf_family_name(st->family), st->family);
		print_endpoint(out, "local", st, &st->local, st->lport);
		print_endpoint(out, "remote", st, &st->remote, st->rport);
		fprintf(out, " args=%u,%u,%u,%u state=", st->args[0], st->args[1], st->args[2],
			st->args[3]);
		print_named(out, sf_state_name(st->state), st->state);
		if (st->flags & SF_F_REQSOCK)
			fputs(" reqsock", out);
		if (st->flags & SF_F_NOTCP)
			fputs(" notcp", out);
		if (st->flags & SF_F_NEWSOCK)
			fputs(" newsock", out);
		break;
	case SF_TCP:
		fprintf(out,
			" slot=%u srtt=%u rtt_min=%u retrans=%u lost=%u received=%" PRIu64
			" acked=%" PRIu64,
			st->slot, st->tcp.srtt_us, st->tcp.rtt_min, st->tcp.total_retrans,
			st->tcp.lost_out, (uint64_t)st->tcp.bytes_received,
			(uint64_t)st->tcp.bytes_acked);
		break;
	}
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
