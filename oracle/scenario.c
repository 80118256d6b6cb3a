// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * scenario.c: random lifecycle runs for the oracle, from a seed.
 *
 * Only what the kernel can carry out on loopback in the sandbox: pods on
 * 127.0.0.5/.7/.9 and fd00:5f::5/::6/::9 (added to lo), a node and a gateway
 * that also connect as clients, an IPv4 listener and a dual-stack IPv6 one;
 * IPv4, IPv6 and IPv4-mapped clients, self-connects, port reuse, globals and
 * km_manage written mid-run, waypoints set after the connect. Every run's
 * recording fits one raw run (still_fits()): a random run is never "not
 * expressible", and orc_run() counts one that is as a failure.
 */
#include <assert.h>
#include <string.h>
#include <arpa/inet.h>
#include "host.h"
#include "oracle.h"
#include "lib/rng.h"
#include "input/steps.h"
#include "world/world.h"

/* The whole run follows from (seed, index): lib/rng.h's sequence. */
static bool rng_chance(struct sf_rng *r, unsigned int percent)
{
	return sf_rng_below(r, 100) < percent;
}

static struct sf_addr v4(const char *ip)
{
	return lo_addr4(inet_addr(ip));
}

static struct sf_addr v6(const char *ip)
{
	struct sf_addr a;

	inet_pton(AF_INET6, ip, a.w);
	return a;
}

/* Who can connect: pods, the node and the gateway, in both families. */
enum {
	PEER_POD_A,
	PEER_POD_B,
	PEER_POD_C,
	PEER_NODE,
	PEER_GW,
	PEER__N
};

static struct sf_addr peer_addr(unsigned int who, bool ipv6)
{
	static const char *const ip4[PEER__N] = {"127.0.0.5", "127.0.0.7", "127.0.0.9",
						 "127.0.0.100", "127.0.0.101"};
	static const char *const ip6[PEER__N] = {"fd00:5f::5", "fd00:5f::6", "fd00:5f::9",
						 "fd00:5f::100", "fd00:5f::101"};

	return ipv6 ? v6(ip6[who]) : v4(ip4[who]);
}

#define SLOT_L4	   0 /* IPv4 listener, 127.0.0.9 */
#define SLOT_L6	   1 /* dual-stack listener, on :: */
#define SLOT_FIRST 2 /* connection ends use 2..15 */

/* A step of KIND: one a lifecycle run may hold and the kernel driver carries
 * out (its registry row says so), zeroed but for its kind. */
static struct sf_step *add(struct orc_run *in, enum sf_kind kind)
{
	const struct sf_kind_def *def = sf_kind_def(kind);
	struct sf_step *st = &in->steps[in->nsteps++];

	assert(def && def->level == SF_LEVEL_LIFECYCLE && !def->kernel_none);
	assert(in->nsteps <= ORC_MAX_STEPS);
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	return st;
}

static void add_enrol(struct orc_run *in, struct sf_rng *r, enum sf_kind kind)
{
	bool ipv6 = rng_chance(r, 50);
	struct sf_step *st = add(in, kind);

	st->family = ipv6 ? SF_AF_INET6 : SF_AF_INET;
	st->local = peer_addr(sf_rng_below(r, 3), ipv6);
}

/* A global address: unset, a peer of either family, or one whose last word
 * is a pod's address of the other family (the shape of SPEC §9 defect (b):
 * fd00:5f::127.0.0.5 against an IPv4 pod, 0.0.0.5 against fd00:5f::5). */
static struct sf_addr global_addr(struct sf_rng *r, unsigned int who)
{
	struct sf_addr a;

	switch (sf_rng_below(r, 5)) {
	case 0:
		return (struct sf_addr){0};
	case 1:
		return peer_addr(who, false);
	case 2:
		return peer_addr(who, true);
	case 3:
		a = peer_addr(PEER_POD_A + sf_rng_below(r, 3), true);
		a.w[3] = peer_addr(PEER_POD_A + sf_rng_below(r, 3), false).w[3];
		return a;
	default:
		return lo_addr4(peer_addr(PEER_POD_A + sf_rng_below(r, 3), true).w[3]);
	}
}

/* A value of the pool KIND's registry row gives its VALUE field. */
static __u64 pool_value(struct sf_rng *r, enum sf_kind kind)
{
	const struct sf_pool *p = sf_kind_def(kind)->value;

	return p->v[sf_rng_below(r, p->n)];
}

/* Explicit ports: PORTS_PER_RUN per run (five connections, self-connects
 * and new ports for reuse stay below it) from PORT_BASE, PORT_RUNS runs apart. */
#define PORT_BASE     10000
#define PORTS_PER_RUN 16
#define PORT_RUNS     ((LO_EPHEMERAL_FIRST - PORT_BASE) / PORTS_PER_RUN)

/* The listeners' ports: a pair per run from LISTEN_BASE, LISTEN_RUNS runs
 * apart, below REFUSED_PORT, where nothing listens. Every child of a listener
 * shares its port, and the kernel checks a new listener's bind against each
 * socket on that port, time-wait ones too: with one pair for every run, the
 * listen(2) of a run took longer the more connections the namespace had seen. */
#define LISTEN_BASE  8080
#define LISTEN_RUNS  512
#define REFUSED_PORT 9999
_Static_assert(LISTEN_BASE + 2 * LISTEN_RUNS <= REFUSED_PORT && REFUSED_PORT < PORT_BASE,
	       "listener, refused and client ports apart");

/* What the generator keeps between connections. */
struct gen {
	struct sf_rng r;
	/* Explicit client ports, each used once but when reused on purpose:
	 * below the ephemeral range, and apart from the runs before it in a
	 * worker, whose time-wait sockets would otherwise need a new network
	 * namespace (kd_needs_netns()). */
	__u16 next_port, port_end;
	__u16 port4, port6; /* the IPv4 listener's and the dual-stack one's */
	bool large;	    /* a large run (orc_random__build()) */
	/* The last connection from an explicit port, for port reuse. */
	bool reusable;
	bool same_tuple_ok; /* no time-wait socket holds its four-tuple (it was reset) */
	bool flipped;	    /* its source port went to both listeners */
	bool fresh;	    /* the connect just added is no port reuse */
	struct sf_step last;
};

/* An explicit client port, or 0 (the kernel picks one) when the run has
 * used all of its own. */
static __u16 fixed_port(struct gen *g)
{
	return g->next_port < g->port_end ? g->next_port++ : 0;
}

/* A client's connect step in SLOT: IPv4 (to the IPv4 or the dual-stack
 * listener), native IPv6, or an IPv6 socket on IPv4-mapped addresses (to
 * either listener); from a pod, the node or the gateway, bound to an explicit
 * or an ephemeral port, or unbound; now and then the four-tuple or the port
 * of the last explicit-port connection again. */
static struct sf_step *add_connect(struct orc_run *in, struct gen *g, __u8 slot)
{
	struct sf_rng *r = &g->r;
	unsigned int kind = sf_rng_below(r, 100);
	bool ipv6 = kind < 30, mapped = !ipv6 && kind < 45;
	struct sf_step *st = add(in, SF_CONNECT);

	st->slot = slot;
	g->fresh = false;
	if (g->reusable && rng_chance(r, 10)) {
		/* Port reuse: the same source, to the same listener when no
		 * time-wait socket holds the tuple, else to the other listener
		 * once (an IPv4 or mapped client reaches both), else a new port. */
		*st = g->last;
		st->slot = slot;
		st->flags = 0;
		if (!g->same_tuple_ok && lo_addr_is_v4mapped(&st->remote) && !g->flipped) {
			st->rport = st->rport == g->port4 ? g->port6 : g->port4;
			g->flipped = true;
		} else if (!g->same_tuple_ok) {
			st->lport = fixed_port(g);
			g->flipped = false;
		}
	} else {
		g->fresh = true;
		st->family = ipv6 || mapped ? SF_AF_INET6 : SF_AF_INET;
		st->local = peer_addr(sf_rng_below(r, PEER__N), ipv6);
		st->remote = ipv6 ? v6("fd00:5f::9") : v4("127.0.0.9");
		st->rport = ipv6 || rng_chance(r, 50) ? g->port6 : g->port4;
		if (rng_chance(r, 5)) /* unbound: the kernel picks the source */
			st->local = ipv6 ? lo_any6 : v4("0.0.0.0");
		else if (rng_chance(r, 40))
			st->lport = fixed_port(g);
	}
	if (rng_chance(r, 30))
		st->flags |= SF_F_WAYPOINT;
	return st;
}

/* A socket connecting to its own address and port: a simultaneous open with
 * itself; then it may send to itself, and closes or resets. */
static void add_self_connect(struct orc_run *in, struct gen *g, __u8 slot)
{
	struct sf_rng *r = &g->r;
	bool ipv6 = rng_chance(r, 40), mapped = !ipv6 && rng_chance(r, 30);
	struct sf_step *st = add(in, SF_CONNECT);

	st->slot = slot;
	st->family = ipv6 || mapped ? SF_AF_INET6 : SF_AF_INET;
	st->local = st->remote = peer_addr(sf_rng_below(r, 3), ipv6);
	st->lport = st->rport = g->next_port++;
	if (rng_chance(r, 30))
		st->flags |= SF_F_WAYPOINT;
	if (rng_chance(r, 40)) {
		st = add(in, SF_SEND);
		st->slot = slot;
		st->value = 1 + sf_rng_below(r, 4000);
	}
	add(in, rng_chance(r, 30) ? SF_RESET : SF_CLOSE)->slot = slot;
}

/* One connection between slots C (client) and S (server child): connect,
 * accept, maybe traffic, a waypoint change and user-space answers, then a
 * teardown from either side, or a reset. Returns whether it was made
 * (refused connects count as attempts only). */
static bool add_connection(struct orc_run *in, struct gen *g, __u8 c, __u8 s)
{
	struct sf_rng *r = &g->r;
	bool refused = rng_chance(r, 8), explicit_port;
	struct sf_step *st = add_connect(in, g, c), conn;
	__u8 first, second, listener;

	if (refused) {
		st->rport = REFUSED_PORT;
		return false;
	}
	conn = *st;
	explicit_port = st->lport != 0;
	/* FLIPPED goes with LAST: a connect that is not LAST's (a refused one,
	 * one from a port the kernel picks) leaves both as they are, or the
	 * next reuse would flip back to a tuple a time-wait socket holds. */
	if (explicit_port) {
		g->flipped = g->fresh ? false : g->flipped;
		g->last = *st;
	}
	/* An IPv4(-mapped) client reaches the IPv4 listener, anything on the
	 * dual-stack one's port that one. */
	listener = st->rport == g->port6 ? SLOT_L6 : SLOT_L4;
	st = add(in, SF_ACCEPT);
	st->slot = s;
	st->peer = listener;
	if (rng_chance(r, 50)) {
		st = add(in, SF_SEND);
		st->slot = rng_chance(r, 50) ? c : s;
		st->value = 1 + sf_rng_below(r, 4000);
	}
	if (rng_chance(r, 15)) {	       /* user space changes its mind after the connect */
		bool hook = rng_chance(r, 40); /* the whole connect hook's write */

		st = add(in, hook ? SF_ORIG_DST : SF_WAYPOINT);
		st->slot = rng_chance(r, 70) ? c : s;
		st->value = pool_value(r, SF_WAYPOINT);
		if (hook) {
			st->family = conn.family;
			st->local = conn.remote; /* the step's endpoint is the destination */
			st->lport = conn.rport;
		}
	}
	if (!g->large && rng_chance(r, 40)) /* a large run's km_auth_req has no consumer */
		add(in, SF_AUTH_ANSWER)->value = sf_rng_below(r, 2);
	if (rng_chance(r, 20)) {
		st = add(in, SF_XDP_VERDICT);
		st->slot = rng_chance(r, 50) ? c : s;
		st->value = sf_rng_below(r, 2);
	}
	g->reusable = explicit_port;
	if (rng_chance(r, 15)) {
		st = add(in, SF_RESET);
		st->slot = rng_chance(r, 50) ? c : s;
		g->same_tuple_ok = true; /* no time-wait after a reset */
		return true;
	}
	first = rng_chance(r, 50) ? c : s;
	second = first == c ? s : c;
	add(in, SF_CLOSE)->slot = first;
	add(in, SF_CLOSE)->slot = second;
	/* The first to close keeps a time-wait socket: a new SYN of the same
	 * four-tuple is refused by the client's own (connect() fails) and taken
	 * or answered with a challenge ACK by the server's, depending on how far
	 * the clock moved the initial sequence number: nothing a run can say. */
	g->same_tuple_ok = false;
	return true;
}

/* User space between connections: monitoring, enrolment (also unbound),
 * km_manage written directly, node_ip or pod_gateway changed, log_level. */
static void add_user_steps(struct orc_run *in, struct gen *g)
{
	struct sf_rng *r = &g->r;
	struct sf_step *st;

	if (!g->large && rng_chance(r, 8)) /* a large run keeps monitoring on */
		add(in, SF_MONITORING)->value = rng_chance(r, 70);
	if (rng_chance(r, 6)) /* a large run keeps its pods enrolled */
		add_enrol(in, r, !g->large && rng_chance(r, 50) ? SF_UNENROL : SF_ENROL);
	if (rng_chance(r, 3)) { /* unbound: the source the kernel picks enrols */
		st = add(in, SF_ENROL);
		st->family = rng_chance(r, 50) ? SF_AF_INET6 : SF_AF_INET;
		st->local = st->family == SF_AF_INET6 ? lo_any6 : v4("0.0.0.0");
	}
	if (rng_chance(r, g->large ? 1 : 8)) { /* rarer in a large run: its pods stay managed */
		bool ipv6 = rng_chance(r, 40);

		st = add(in, SF_MANAGE);
		st->family = ipv6 ? SF_AF_INET6 : SF_AF_INET;
		st->local = peer_addr(sf_rng_below(r, PEER__N), ipv6);
		st->value = rng_chance(r, 80) ? pool_value(r, SF_MANAGE) : (__u32)sf_rng_next(r);
	}
	if (rng_chance(r, 6)) {
		bool node = rng_chance(r, 50);

		st = add(in, node ? SF_NODE_IP : SF_POD_GATEWAY);
		st->local = global_addr(r, node ? PEER_NODE : PEER_GW);
	}
	if (rng_chance(r, 4)) /* which failures the program logs */
		add(in, SF_LOG_LEVEL)->value = pool_value(r, SF_LOG_LEVEL);
}

/* ---- what the recording of a run will take ---- */

/* Room for one more turn of the build loop, at most. */
#define TURN_STEPS 20

static unsigned int counted_callbacks;

static bool count_callback(void *ctx, const struct sf_world_event *ev)
{
	counted_callbacks += ev->kind == SF_WEV_BEFORE;
	return true;
}

/*
 * The native expansion of the run being built, step by step as turns are
 * added: it fires what the kernel fires (orc_compare_expansion() checks it).
 * The recording fits one raw run (orc_convert()) when each callback's three
 * raw steps at most (clock, tcp, the callback) and each step's three more
 * (its own action and the close(2) of two sockets) stay within SF_MAX_STEPS.
 * Live sockets stay below SF_NSLOTS: connections end within their turn and
 * use two slots of the fourteen.
 */
/* The world the expansion runs in, made (and the host started) at first use. */
static struct sf_world *expansion_world(void)
{
	static struct sf_world *w;

	if (!w && (host_init() || !(w = sf_world__new(count_callback, NULL))))
		return NULL;
	return w;
}

static struct sf_world *expansion_begin(const struct orc_run *in)
{
	struct sf_world *w = expansion_world();

	if (!w)
		return NULL;
	host_set_print(NULL);
	counted_callbacks = 0;
	sf_world__begin(w, &in->head);
	return w;
}

/* Carry the steps of IN from FROM on out in W; whether the run still fits:
 * an ordinary run one fuzz input, a large one ORC_MAX_STEPS and ORC_MAX_RECS
 * (a turn's steps and callbacks to spare). */
static bool still_fits(struct sf_world *w, const struct orc_run *in, unsigned int from, bool large)
{
	for (unsigned int i = from; w && i < in->nsteps; i++)
		sf_world__step(w, &in->steps[i]);
	if (large)
		return w && in->nsteps + TURN_STEPS <= ORC_MAX_STEPS &&
		       counted_callbacks + 4 * TURN_STEPS <= ORC_MAX_RECS;
	return w && 3 * counted_callbacks + 3 * in->nsteps <= SF_MAX_STEPS;
}

/* Whether the program's map NAME can be filled and compared: the kernel
 * side holds ORC_MAX_ENTRIES entries of a map (a program's own sizes may be
 * larger: its fill is left out, the rng drawn all the same). */
static bool fillable(const char *name)
{
	const struct host_map *m = expansion_world() ? host_map__by_name(name) : NULL;

	return m && host_map__max_entries(m) <= ORC_MAX_ENTRIES;
}

/* The start of a large run: every pod enrolled in both families, then
 * km_manage filled but for up to three entries, which the node's and the
 * gateway's enrolments (four new keys) take and then find refused; and half
 * the time km_auth_res filled as well, so that XDP's and user space's
 * verdicts are refused too. */
static void add_large_start(struct orc_run *in, struct gen *g)
{
	struct sf_rng *r = &g->r;
	struct sf_step *st;
	__u64 fill;

	for (unsigned int who = PEER_POD_A; who <= PEER_POD_C; who++) {
		for (int ipv6 = 0; ipv6 < 2; ipv6++) {
			st = add(in, SF_ENROL);
			st->family = ipv6 ? SF_AF_INET6 : SF_AF_INET;
			st->local = peer_addr(who, ipv6);
		}
	}
	fill = sf_rng_below(r, 4);
	if (fillable("km_manage"))
		add(in, SF_FILL)->value = fill;
	for (unsigned int who = PEER_NODE; who <= PEER_GW; who++) {
		for (int ipv6 = 0; ipv6 < 2; ipv6++) {
			st = add(in, SF_ENROL);
			st->family = ipv6 ? SF_AF_INET6 : SF_AF_INET;
			st->local = peer_addr(who, ipv6);
		}
	}
	if (rng_chance(r, 50)) {
		fill = sf_rng_below(r, 4);
		if (fillable("km_auth_res")) {
			st = add(in, SF_FILL);
			st->flags = SF_F_AUTH_RES;
			st->value = fill;
		}
	}
}

unsigned int orc_random__build(__u64 seed, unsigned int i, bool large, struct orc_run *out)
{
	struct gen g = {.r = {seed * 0x100000001b3ull ^ (i + 1) * 0x9e3779b97f4a7c15ull},
			.next_port = PORT_BASE + (i % PORT_RUNS) * PORTS_PER_RUN,
			.port4 = LISTEN_BASE + 2 * (i % LISTEN_RUNS),
			.port6 = LISTEN_BASE + 2 * (i % LISTEN_RUNS) + 1,
			.large = large};
	struct sf_rng *r = &g.r;
	unsigned int conns = 0, target = ORC_RANDOM_CONNECTIONS;
	struct sf_step *st;
	__u8 slot = SLOT_FIRST;
	struct sf_world *w;
	unsigned int carried;

	/* A turn takes one port at most: an ordinary run ends before the last. */
	g.port_end = g.next_port + PORTS_PER_RUN - 1;
	memset(&out->head, 0, sizeof(out->head));
	out->nsteps = 0;
	out->head.version = SF_FORMAT_VERSION;
	out->head.level = SF_LEVEL_LIFECYCLE;
	out->head.monitoring = large || rng_chance(r, 85);
	out->head.node_ip = global_addr(r, PEER_NODE);
	out->head.pod_gateway = global_addr(r, PEER_GW);

	if (large) {
		target = ORC_LARGE_CONNECTIONS - sf_rng_below(r, ORC_LARGE_CONNECTIONS / 8);
		add_large_start(out, &g);
	} else {
		for (unsigned int n = 1 + sf_rng_below(r, 4); n; n--)
			add_enrol(out, r, SF_ENROL);
	}
	st = add(out, SF_LISTEN);
	st->slot = SLOT_L4;
	st->family = SF_AF_INET;
	st->local = v4("127.0.0.9");
	st->lport = g.port4;
	st = add(out, SF_LISTEN);
	st->slot = SLOT_L6;
	st->family = SF_AF_INET6;
	st->lport = g.port6; /* on ::, dual stack */
	w = expansion_begin(out);
	carried = 0;

	/* Turns until TARGET connections, or until the next turn would make
	 * the run too big: a turn that does not fit is taken back. An ordinary
	 * run also ends with its explicit ports; a large one goes on with ports
	 * the kernel picks. */
	while (conns < target && (large || g.next_port < g.port_end)) {
		unsigned int before = out->nsteps;
		struct gen saved = g;
		bool made;

		add_user_steps(out, &g);
		if (g.next_port < g.port_end && rng_chance(r, 5)) {
			add_self_connect(out, &g, slot);
			made = false;
		} else {
			made = add_connection(out, &g, slot, slot + 1);
		}
		if (!still_fits(w, out, carried, large)) {
			out->nsteps = before;
			g = saved;
			break;
		}
		carried = out->nsteps;
		conns += made;
		slot = slot + 2 < SF_NSLOTS ? slot + 2 : SLOT_FIRST;
	}
	return conns;
}
