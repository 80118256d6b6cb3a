// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * convert.c: a kernel recording as a raw-level run (oracle.h).
 *
 * Each recorded callback becomes a raw step with its recorded context, after
 * a clock step to the time the program read and a tcp step with the counters
 * bpf_tcp_sock() showed, each only when it changed. Sockets are told apart by
 * their cookie and take a slot from their first callback to their last use.
 * The run's user-space actions go between the callbacks where they happened.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include "host.h"
#include "oracle.h"

struct conv {
	const struct sf_input *life;
	const struct orc_kernel_run *kr;
	struct sf_input *out;
	__u64 slot_cookie[SF_NSLOTS];
	struct sf_tcp slot_tcp[SF_NSLOTS];
	__u64 clock;
	struct {
		__u64 cookie;
		size_t last;
	} uses[ORC_MAX_RECS];
	size_t nuses;
	char *why;
	size_t why_len;
};

static int conv_fail(struct conv *c, const char *msg)
{
	snprintf(c->why, c->why_len, "%s", msg);
	return -E2BIG;
}

static struct sf_step *conv_add(struct conv *c, enum sf_kind kind)
{
	struct sf_step *st;

	if (c->out->nsteps == SF_MAX_STEPS)
		return NULL;
	st = &c->out->steps[c->out->nsteps++];
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	return st;
}

/* Where each socket is named last: a record index, or nrecs + an action index
 * for an action after its last callback. Computed once per conversion. */
static void find_last_uses(struct conv *c)
{
	const struct orc_kernel_run *kr = c->kr;

	c->nuses = 0;
	for (size_t i = 0; i < kr->nrecs + kr->nacts; i++) {
		__u64 cookie = i < kr->nrecs ? kr->recs[i].cookie : kr->acts[i - kr->nrecs].cookie;
		size_t u;

		for (u = 0; u < c->nuses && c->uses[u].cookie != cookie; u++)
			;
		if (u == c->nuses) {
			if (i >= kr->nrecs)
				continue; /* a socket the program never saw */
			c->uses[c->nuses++].cookie = cookie;
		}
		c->uses[u].last = i;
	}
}

static size_t last_use(const struct conv *c, __u64 cookie)
{
	for (size_t u = 0; u < c->nuses; u++)
		if (c->uses[u].cookie == cookie)
			return c->uses[u].last;
	return 0;
}

static int slot_of(const struct conv *c, __u64 cookie)
{
	for (int s = 0; s < SF_NSLOTS; s++)
		if (cookie && c->slot_cookie[s] == cookie)
			return s;
	return -1;
}

/* Free the slots whose socket is not named again after position POS. */
static void release(struct conv *c, size_t pos)
{
	for (int s = 0; s < SF_NSLOTS; s++)
		if (c->slot_cookie[s] && last_use(c, c->slot_cookie[s]) < pos)
			c->slot_cookie[s] = 0;
}

/* The clock to NOW (the recorded time of a callback or a connect hook's
 * write) unless it is there already. */
static int conv_clock(struct conv *c, __u64 now)
{
	struct sf_step *st;

	if (now == c->clock)
		return 0;
	if (now < c->clock)
		return conv_fail(c, "the recorded clock went backwards");
	st = conv_add(c, SF_CLOCK);
	if (!st)
		return conv_fail(c, "more than SF_MAX_STEPS steps");
	st->value = now - c->clock;
	c->clock = now;
	return 0;
}

/* ---- the user-space actions, one handler per kind of the step that made one ---- */

/* What the replay does for step LIFE's action, for the socket in SLOT (-1:
 * none). Returns 0 or -E2BIG. */
typedef int conv_handler(struct conv *c, const struct sf_step *life, int slot);

static int conv_put(struct conv *c, const struct sf_step *st, int slot)
{
	struct sf_step *out = conv_add(c, st->kind);

	if (!out)
		return conv_fail(c, "more than SF_MAX_STEPS steps");
	*out = *st;
	out->slot = slot < 0 ? 0 : slot;
	return 0;
}

/* Nothing to convert: the step's effects are the recorded callbacks (and the
 * close(2)s it made, which are actions of their own). */
static int conv_none(struct conv *c, const struct sf_step *life, int slot)
{
	return 0;
}

/* The step itself: what user space or XDP wrote (storage, globals, verdicts). */
static int conv_same(struct conv *c, const struct sf_step *life, int slot)
{
	return conv_put(c, life, slot);
}

/* A connect: the connect hook's storage write before it (connect_ns = now;
 * through a waypoint the original destination and via_waypoint, else the
 * wildcard of the connect's family, port 0, which writes nothing new into
 * fresh storage). */
static int conv_connect(struct conv *c, const struct sf_step *life, int slot)
{
	bool waypoint = life->flags & SF_F_WAYPOINT;
	struct sf_addr none = life->family == AF_INET ? lo_addr4(0) : lo_any6;
	const struct sf_step hook = {.kind = SF_ORIG_DST,
				     .family = life->family,
				     .local = waypoint ? life->remote : none,
				     .lport = waypoint ? life->rport : 0,
				     .value = waypoint};

	return conv_put(c, &hook, slot);
}

/* Every kind the kernel driver carries out has an entry (tests/test_steps.c);
 * the raw-level kinds have none (a lifecycle run holds none of them). */
static conv_handler *const conv_handlers[SF_KIND__COUNT] = {
	[SF_ENROL] = conv_none,	      [SF_UNENROL] = conv_none,	    [SF_LISTEN] = conv_none,
	[SF_CONNECT] = conv_connect,  [SF_ACCEPT] = conv_none,	    [SF_SEND] = conv_none,
	[SF_CLOSE] = conv_none,	      [SF_RESET] = conv_none,	    [SF_WAYPOINT] = conv_same,
	[SF_MONITORING] = conv_same,  [SF_NODE_IP] = conv_same,	    [SF_POD_GATEWAY] = conv_same,
	[SF_AUTH_ANSWER] = conv_same, [SF_XDP_VERDICT] = conv_same, [SF_CLOCK] = conv_none,
	[SF_MANAGE] = conv_same,      [SF_ORIG_DST] = conv_same,    [SF_LOG_LEVEL] = conv_same,
};

bool orc_convert__handles(enum sf_kind kind)
{
	return (unsigned int)kind < SF_KIND__COUNT && conv_handlers[kind];
}

/* A user-space action of the run, for the socket it names (or none). */
static int conv_action(struct conv *c, const struct orc_action *a)
{
	const struct sf_step *life = &c->life->steps[a->step];
	int slot = slot_of(c, a->cookie);
	struct sf_step *st;

	if (a->cookie && slot < 0)
		return 0; /* a socket that never reached the program: nothing to replay */
	if (a->now_ns && conv_clock(c, a->now_ns))
		return -E2BIG;		/* a connect hook stamps connect_ns with the time it ran */
	if (a->what == ORC_ACT_CLOSE) { /* close(2): what TCP does next is recorded */
		st = conv_add(c, SF_RELEASE);
		if (!st)
			return conv_fail(c, "more than SF_MAX_STEPS steps");
		st->slot = slot;
		return 0;
	}
	if (!orc_convert__handles(life->kind)) {
		snprintf(c->why, c->why_len, "step %u (%s): no conversion for its kind", a->step,
			 sf_kind_name(life->kind));
		return -EINVAL;
	}
	return conv_handlers[life->kind](c, life, slot);
}

/* Record R as a raw step, the clock at NOW first (R's time, or for a new
 * socket whose connect hook's write follows, that write's). */
static int conv_rec(struct conv *c, const struct km_rec *r, __u64 now, bool *fresh)
{
	int slot = slot_of(c, r->cookie);
	struct sf_tcp tcp = {r->srtt_us,  r->rtt_min,	     r->total_retrans,
			     r->lost_out, r->bytes_received, r->bytes_acked};
	struct sf_step *st;

	*fresh = slot < 0;
	if (slot < 0) {
		for (slot = 0; slot < SF_NSLOTS && c->slot_cookie[slot]; slot++)
			;
		if (slot == SF_NSLOTS)
			return conv_fail(c, "more than SF_NSLOTS sockets alive at once");
		c->slot_cookie[slot] = r->cookie;
		memset(&c->slot_tcp[slot], 0, sizeof(c->slot_tcp[slot]));
	}
	if (conv_clock(c, now))
		return -E2BIG;
	if ((r->flags & KM_REC_TCP) && memcmp(&tcp, &c->slot_tcp[slot], sizeof(tcp))) {
		st = conv_add(c, SF_TCP);
		if (!st)
			return conv_fail(c, "more than SF_MAX_STEPS steps");
		st->slot = slot;
		st->tcp = tcp;
		c->slot_tcp[slot] = tcp;
	}
	st = conv_add(c, SF_RAW);
	if (!st)
		return conv_fail(c, "more than SF_MAX_STEPS steps");
	st->slot = slot;
	st->op = r->op;
	memcpy(st->args, r->args, sizeof(st->args));
	st->family = r->family;
	if (r->family == AF_INET6) {
		memcpy(st->local.w, r->local_ip6, 16);
		memcpy(st->remote.w, r->remote_ip6, 16);
	} else {
		st->local = lo_addr4(r->local_ip4);
		st->remote = lo_addr4(r->remote_ip4);
	}
	st->lport = (__u16)r->local_port;
	st->rport = (__u16)ntohl(r->remote_port);
	st->state = r->state;
	st->flags = (*fresh ? SF_F_NEWSOCK : 0) |
		    (!(r->flags & KM_REC_FULLSOCK) ? SF_F_REQSOCK : 0) |
		    ((r->flags & KM_REC_FULLSOCK) && !(r->flags & KM_REC_TCP) ? SF_F_NOTCP : 0);
	return 0;
}

int orc_convert(const struct sf_input *life, const struct orc_kernel_run *kr, struct sf_input *out,
		char *why, size_t why_len)
{
	static struct conv c; /* big; one conversion at a time */
	size_t a = 0;
	int err;

	c = (struct conv){.life = life,
			  .kr = kr,
			  .out = out,
			  .clock = HOST_CLOCK_START,
			  .why = why,
			  .why_len = why_len};
	find_last_uses(&c);
	memset(out, 0, sizeof(*out));
	out->version = SF_FORMAT_VERSION;
	out->level = SF_LEVEL_RAW;
	out->monitoring = life->monitoring;
	out->node_ip = life->node_ip;
	out->pod_gateway = life->pod_gateway;
	for (size_t i = 0; i < kr->nrecs; i++) {
		const struct km_rec *r = &kr->recs[i];
		bool fresh;
		__u64 now = r->now_ns;

		if (i && r->seq < kr->recs[i - 1].seq)
			return conv_fail(&c, "callbacks recorded out of order");
		release(&c, i);
		/* Actions that came before this callback, except those for a socket
		 * not seen yet: they follow its first callback (a socket's storage
		 * is written after socket() and before connect(), and the callbacks
		 * before its establish do not read it). That callback (op 3, which
		 * reads no clock) replays at the time of the connect hook's write
		 * it then precedes, so that the write stamps the time it had. */
		for (; a < kr->nacts && kr->acts[a].seq <= r->seq; a++) {
			if (kr->acts[a].cookie && slot_of(&c, kr->acts[a].cookie) < 0 &&
			    kr->acts[a].cookie == r->cookie) {
				if (kr->acts[a].now_ns && kr->acts[a].now_ns >= c.clock &&
				    kr->acts[a].now_ns < now)
					now = kr->acts[a].now_ns;
				break;
			}
			err = conv_action(&c, &kr->acts[a]);
			if (err)
				return err;
		}
		err = conv_rec(&c, r, now, &fresh);
		if (err)
			return err;
	}
	for (; a < kr->nacts; a++) {
		err = conv_action(&c, &kr->acts[a]);
		if (err)
			return err;
	}
	return 0;
}
