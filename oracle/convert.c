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
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include "host.h"
#include "oracle.h"
#include "probe.h"
#include "lib/words.h"

/* Sockets the recording names: a cookie's last use, in an open-addressed
 * table at least twice the callbacks' size (each callback names one socket);
 * a conversion uses (and clears) only what its recording needs. */
#define USES_CAP (2 * ORC_MAX_RECS)

struct conv {
	const struct orc_run *life;
	const struct orc_kernel_run *kr;
	orc_emit *emit;
	void *ctx;
	struct sf_step st; /* the step being made */
	__u64 slot_cookie[SF_NSLOTS];
	size_t slot_last[SF_NSLOTS]; /* where the slot's socket is named last */
	struct sf_tcp slot_tcp[SF_NSLOTS];
	__u64 clock;
	struct {
		__u64 cookie;
		size_t last;
		bool gone; /* user space closed it (close(2)): once its last use is past, it is over */
	} uses[USES_CAP];
	size_t ucap; /* the part of USES this conversion uses: a power of two */
	char *why;
	size_t why_len;
};

static int conv_fail(struct conv *c, int err, const char *msg)
{
	snprintf(c->why, c->why_len, "%s", msg);
	return err;
}

/* A new step of KIND, zeroed, to fill and pass on with conv_emit(). */
static struct sf_step *conv_add(struct conv *c, enum sf_kind kind)
{
	memset(&c->st, 0, sizeof(c->st));
	c->st.kind = kind;
	return &c->st;
}

static int conv_emit(struct conv *c)
{
	int err = c->emit(c->ctx, &c->st);

	return err ? conv_fail(c, err, "the replay stopped") : 0;
}

static size_t use_at(const struct conv *c, __u64 cookie)
{
	size_t h = orc_probe_home(cookie, c->ucap);

	while (c->uses[h].cookie && c->uses[h].cookie != cookie)
		h = orc_probe_next(h, c->ucap);
	return h;
}

/* Note that COOKIE is named at position POS; a socket is known from its
 * first callback on (FIRST: this is one), and an action for one not known
 * is never replayed. */
static void note_use(struct conv *c, __u64 cookie, size_t pos, bool first, bool gone)
{
	size_t u;

	if (!cookie)
		return;
	u = use_at(c, cookie);
	if (!c->uses[u].cookie && !first)
		return;
	c->uses[u].cookie = cookie;
	c->uses[u].last = pos;
	c->uses[u].gone |= gone; /* the callbacks of an orphan come after its close(2) */
}

/* Where each socket is named last, in the order orc_convert() makes the
 * steps (the same walk): 2i + 1 for callback i, 2i for an action replayed
 * just before it, 2 nrecs for one after the last callback; and whether user
 * space closed it. Computed once per conversion. */
static void find_last_uses(struct conv *c)
{
	const struct orc_kernel_run *kr = c->kr;
	size_t a = 0;

	c->ucap = orc_probe_cap(kr->nrecs, USES_CAP);
	memset(c->uses, 0, c->ucap * sizeof(c->uses[0]));
	for (size_t i = 0; i < kr->nrecs; i++) {
		const struct km_rec *r = &kr->recs[i];

		for (; a < kr->nacts && kr->acts[a].seq <= r->seq; a++) {
			__u64 cookie = kr->acts[a].cookie;

			if (cookie && cookie == r->cookie && !c->uses[use_at(c, cookie)].cookie)
				break; /* it follows the socket's first callback */
			note_use(c, cookie, 2 * i, false, kr->acts[a].what == ORC_ACT_CLOSE);
		}
		note_use(c, r->cookie, 2 * i + 1, true, false);
	}
	for (; a < kr->nacts; a++)
		note_use(c, kr->acts[a].cookie, 2 * kr->nrecs, false,
			 kr->acts[a].what == ORC_ACT_CLOSE);
}

static int slot_of(const struct conv *c, __u64 cookie)
{
	for (int s = 0; s < SF_NSLOTS; s++)
		if (cookie && c->slot_cookie[s] == cookie)
			return s;
	return -1;
}

/* Free the slots whose socket user space closed and which is not named at
 * position POS or after. Any other socket keeps its slot to the end, also
 * one TCP closed (a reset): until close(2) it stays in km_socket, and a new
 * socket in its slot would end it natively while the kernel's lives on. */
static void release(struct conv *c, size_t pos)
{
	for (int s = 0; s < SF_NSLOTS; s++)
		if (c->slot_cookie[s] && c->slot_last[s] < pos)
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
		return conv_fail(c, -EINVAL, "the recorded clock went backwards");
	st = conv_add(c, SF_CLOCK);
	st->value = now - c->clock;
	c->clock = now;
	return conv_emit(c);
}

/* ---- the user-space actions, one handler per kind of the step that made one ---- */

/* What the replay does for step LIFE's action, for the socket in SLOT (-1:
 * none). Returns 0 or -E2BIG. */
typedef int conv_handler(struct conv *c, const struct sf_step *life, int slot);

static int conv_put(struct conv *c, const struct sf_step *st, int slot)
{
	c->st = *st;
	c->st.slot = slot < 0 ? 0 : slot;
	return conv_emit(c);
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
	[SF_MANAGE] = conv_same,      [SF_ORIG_DST] = conv_same,    [SF_FILL] = conv_same,
	[SF_LOG_LEVEL] = conv_same,
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
	if (a->now_ns) {  /* a connect hook stamps connect_ns with the time it ran */
		int err = conv_clock(c, a->now_ns);

		if (err)
			return err;
	}
	if (a->what == ORC_ACT_CLOSE) { /* close(2): what TCP does next is recorded */
		st = conv_add(c, SF_RELEASE);
		st->slot = slot;
		return conv_emit(c);
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
	size_t u;
	int err;

	*fresh = slot < 0;
	if (slot < 0) {
		for (slot = 0; slot < SF_NSLOTS && c->slot_cookie[slot]; slot++)
			;
		if (slot == SF_NSLOTS)
			return conv_fail(c, -E2BIG, "more than SF_NSLOTS sockets alive at once");
		c->slot_cookie[slot] = r->cookie;
		u = use_at(c, r->cookie);
		c->slot_last[slot] = c->uses[u].gone ? c->uses[u].last : SIZE_MAX;
		memset(&c->slot_tcp[slot], 0, sizeof(c->slot_tcp[slot]));
	}
	err = conv_clock(c, now);
	if (err)
		return err;
	if ((r->flags & KM_REC_TCP) && memcmp(&tcp, &c->slot_tcp[slot], sizeof(tcp))) {
		st = conv_add(c, SF_TCP);
		st->slot = slot;
		st->tcp = tcp;
		c->slot_tcp[slot] = tcp;
		err = conv_emit(c);
		if (err)
			return err;
	}
	st = conv_add(c, SF_RAW);
	st->slot = slot;
	st->op = r->op;
	sf_copy4(st->args, r->args); /* every callback comes here */
	st->family = r->family;
	if (r->family == AF_INET6) {
		sf_copy4(st->local.w, r->local_ip6);
		sf_copy4(st->remote.w, r->remote_ip6);
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
	return conv_emit(c);
}

void orc_convert__head(const struct orc_run *life, struct sf_input *head)
{
	memset(head, 0, offsetof(struct sf_input, steps));
	head->version = SF_FORMAT_VERSION;
	head->level = SF_LEVEL_RAW;
	head->monitoring = life->head.monitoring;
	head->node_ip = life->head.node_ip;
	head->pod_gateway = life->head.pod_gateway;
}

int orc_convert(const struct orc_run *life, const struct orc_kernel_run *kr, orc_emit *emit,
		void *ctx, char *why, size_t why_len)
{
	static struct conv c; /* big; one conversion at a time */
	size_t a = 0;
	int err;

	memset(&c, 0, offsetof(struct conv, uses));
	c.life = life;
	c.kr = kr;
	c.emit = emit;
	c.ctx = ctx;
	c.clock = HOST_CLOCK_START;
	c.why = why;
	c.why_len = why_len;
	find_last_uses(&c);
	for (size_t i = 0; i < kr->nrecs; i++) {
		const struct km_rec *r = &kr->recs[i];
		bool fresh;
		__u64 now = r->now_ns;

		if (i && r->seq < kr->recs[i - 1].seq)
			return conv_fail(&c, -EINVAL, "callbacks recorded out of order");
		release(&c, 2 * i);
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

/* An emitter appending to a fuzz input. */
static int to_input(void *ctx, const struct sf_step *st)
{
	struct sf_input *in = ctx;

	if (in->nsteps == SF_MAX_STEPS)
		return -E2BIG;
	in->steps[in->nsteps++] = *st;
	return 0;
}

int orc_convert__input(const struct orc_run *life, const struct orc_kernel_run *kr,
		       struct sf_input *out, char *why, size_t why_len)
{
	int err;

	orc_convert__head(life, out);
	err = orc_convert(life, kr, to_input, out, why, why_len);
	if (err == -E2BIG && out->nsteps == SF_MAX_STEPS)
		snprintf(why, why_len, "more than SF_MAX_STEPS steps");
	return err;
}

void orc_run__from_input(struct orc_run *run, const struct sf_input *in)
{
	unsigned int n = in->nsteps < SF_MAX_STEPS ? in->nsteps : SF_MAX_STEPS;

	memcpy(&run->head, in, offsetof(struct sf_input, steps));
	run->head.nsteps = 0;
	memcpy(run->steps, in->steps, n * sizeof(in->steps[0]));
	run->nsteps = n;
}

bool orc_run__to_input(const struct orc_run *run, struct sf_input *in)
{
	if (run->nsteps > SF_MAX_STEPS)
		return false;
	memcpy(in, &run->head, offsetof(struct sf_input, steps));
	in->nsteps = (__u16)run->nsteps;
	memcpy(in->steps, run->steps, run->nsteps * sizeof(run->steps[0]));
	return true;
}
