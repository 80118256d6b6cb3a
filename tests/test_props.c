// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_props.c: the properties (props/) and their reference model.
 *
 * 1. The registry: names, docs, switching by name.
 * 2. The model against SPEC §2-4, byte by byte.
 * 3. Each property's logic: an event goes through the driver twice, once
 *    with the journal the real program made (it must pass) and once with a
 *    journal shaped like a defect (it must fail, naming the property).
 * 4. The upstream defects of SPEC §9 (and the mutants the shipped corpus
 *    missed): one lifecycle input each, run by sf_exec. On the real core it
 *    must pass. With SOCKFUZZ_MUTANT=NNN set and the suite linked against
 *    mutant NNN of mutants/catalogue/, the input of NNN must fail, and fail
 *    with its property when that one alone is enabled; the other inputs are
 *    skipped. With SOCKFUZZ_DEFECT_TRACES=DIR set, each input is also written
 *    to DIR/NNN_name.trace in the text form, ready for corpus/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "bpf/host/host.h"
#include "sockops.h"
#include "run/exec.h"
#include "props/props_internal.h"
#include "input_build.h"
#include "lib/rng.h"

static struct prop_run *run;
static struct sf_input in;
static struct host_map *m_manage, *m_auth_res, *m_auth_req, *m_probe, *m_socket, *m_storage, *m_log;

static int group_setup(void **state)
{
	host_set_print(NULL);
	if (host_init())
		return -1;
	run = prop_run__new();
	m_manage = host_map__by_name("km_manage");
	m_auth_res = host_map__by_name("km_auth_res");
	m_auth_req = host_map__by_name("km_auth_req");
	m_probe = host_map__by_name("km_tcp_probe");
	m_socket = host_map__by_name("km_socket");
	m_storage = host_map__by_name("km_sockstorage");
	m_log = host_map__by_name("km_log");
	return run ? 0 : -1;
}

static int group_teardown(void **state)
{
	prop_enable("all", true);
	prop_run__free(run);
	host_fini();
	return 0;
}

/* ---- 1. the registry ---------------------------------------------------- */

/* True when SPEC (e.g. "§1, §8.1") names section SEC exactly. */
static bool names_section(const char *spec, const char *sec)
{
	size_t n = strlen(sec);

	for (const char *p = strstr(spec, sec); p; p = strstr(p + 1, sec))
		if (p[n] == '\0' || p[n] == ',')
			return true;
	return false;
}

/* Every property has a unique lower_snake sentence for a name, a doc and a
 * SPEC section, and every invariant of SPEC §8 is stated by one. */
static void test_registry_names_are_sentences(void **state)
{
	static const char *const section8[] = {"§8.1", "§8.2", "§8.3", "§8.4", "§8.5",
					       "§8.6", "§8.7", "§8.8", "§8.9", "§8.10"};

	assert_true(prop_count() >= 12);
	for (unsigned int i = 0; i < prop_count(); i++) {
		const struct prop_def *p = prop_at(i);

		assert_non_null(p->check);
		assert_true(strlen(p->doc) > 20);
		assert_non_null(p->spec);
		assert_true(strspn(p->name, "abcdefghijklmnopqrstuvwxyz_") == strlen(p->name));
		assert_ptr_equal(prop_find(p->name), p);
	}
	assert_null(prop_at(prop_count()));
	for (unsigned int s = 0; s < sizeof(section8) / sizeof(section8[0]); s++) {
		bool found = false;

		for (unsigned int i = 0; i < prop_count(); i++)
			found |= names_section(prop_at(i)->spec, section8[s]);
		if (!found)
			fail_msg("no property states %s", section8[s]);
	}
}

static void test_registry_switches_by_name(void **state)
{
	const struct prop_def *p = prop_find("close_clears_auth");

	assert_non_null(p);
	assert_true(prop_is_enabled(p));
	assert_int_equal(prop_enable("close_clears_auth", false), 0);
	assert_false(prop_is_enabled(p));
	assert_int_equal(prop_enable("no_such_property", false), -ENOENT);
	assert_int_equal(prop_enable("all", true), 0);
	assert_true(prop_is_enabled(p));
	assert_int_equal(prop_enable("all", false), 0);
	assert_false(prop_is_enabled(prop_find("returns_zero")));
	prop_enable("all", true);
}

/* ---- 2. the model ------------------------------------------------------- */

static struct host_sock *sock_new(__u32 family, struct sf_addr local, __u16 lport,
				  struct sf_addr remote, __u16 rport, __u32 state)
{
	struct host_sock *s = host_sock__new();
	bool v6 = family == INET6;

	assert_non_null(s);
	host_sock__set_addrs(s, family, v6 ? (void *)&local : &local.w[3], lport,
			     v6 ? (void *)&remote : &remote.w[3], rport);
	s->state = state;
	prop_run__sock_new(run, s);
	return s;
}

/* Start an empty run (globals as built into IN, in the host too, as the
 * executor sets them) with every property on. */
static void fresh(void)
{
	host_reset();
	host_global__set("enable_monitoring", &in.monitoring, sizeof(in.monitoring));
	host_global__set("node_ip", in.node_ip.w, sizeof(in.node_ip.w));
	host_global__set("pod_gateway", in.pod_gateway.w, sizeof(in.pod_gateway.w));
	prop_enable("all", true);
	prop_run__begin(run, &in);
}

/* §2, §3: the key is the local address; IPv4-mapped folds to the IPv4 key. */
static void test_model_manage_key(void **state)
{
	struct manager_key k4, kmapped, k6;
	struct sf_addr v6 = A6(0xfd00005f, 5);

	build_begin(&in);
	fresh();
	model_manage_key(sock_new(INET, A4(127, 0, 0, 5), 1, A4(127, 0, 0, 9), 2, 1), &k4);
	model_manage_key(sock_new(INET6, A4(127, 0, 0, 5), 1, A4(127, 0, 0, 9), 2, 1), &kmapped);
	model_manage_key(sock_new(INET6, v6, 1, A6(0xfd00005f, 9), 2, 1), &k6);
	assert_memory_equal(&k4, "\x7f\x00\x00\x05\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_memory_equal(&kmapped, &k4, 16);
	assert_memory_equal(&k6, &v6, 16);
}

/* §2: exactly 0.0.0.2 or ::2, ports 929 and 930; ::ffff:0.0.0.2 is not it. */
static void test_model_control_address(void **state)
{
	build_begin(&in);
	fresh();
	assert_int_equal(
		model_control_port(sock_new(INET, A4(127, 0, 0, 5), 1, A4(0, 0, 0, 2), 929, 2)),
		929);
	assert_int_equal(
		model_control_port(sock_new(INET6, A6(0xfd00005f, 5), 1, A6(0, 2), 930, 2)), 930);
	assert_int_equal(
		model_control_port(sock_new(INET6, A4(127, 0, 0, 5), 1, A4(0, 0, 0, 2), 929, 2)),
		0);
	assert_int_equal(
		model_control_port(sock_new(INET, A4(127, 0, 0, 5), 1, A4(0, 0, 0, 2), 928, 2)), 0);
	assert_int_equal(
		model_control_port(sock_new(INET, A4(127, 0, 0, 5), 1, A4(0, 0, 0, 3), 929, 2)), 0);
}

/* §3: one family only. An AF_INET peer matches a v4-mapped global; an IPv6
 * global with the same last word (upstream's node_ip[3]) does not. */
static void test_model_skip_is_same_family(void **state)
{
	static struct model m;
	struct sf_addr v6node = A6(0xfd00005f, 0x7f000006), v4node = A4(127, 0, 0, 6);
	struct sf_addr none = ANY6;
	struct host_sock *v4peer, *v6peer;

	build_begin(&in);
	fresh();
	v4peer = sock_new(INET, A4(127, 0, 0, 9), 8080, A4(127, 0, 0, 6), 40000, 1);
	v6peer = sock_new(INET6, A6(0xfd00005f, 9), 8080, v6node, 40000, 1);
	model_reset(&m, 1, v6node.w, none.w);
	assert_false(model_peer_is_skipped(&m, v4peer)); /* upstream's node_ip[3] would */
	assert_true(model_peer_is_skipped(&m, v6peer));
	model_reset(&m, 1, none.w, v4node.w);
	assert_true(model_peer_is_skipped(&m, v4peer));
	assert_false(model_peer_is_skipped(&m, v6peer));
	model_reset(&m, 1, none.w, none.w);
	assert_false(model_peer_is_skipped(&m, v4peer)); /* zero: unset */
}

/* §4: the reverse tuple has host-order ports and, for IPv4-mapped sockets, a
 * zero-padded IPv4 view; the forward tuple has network-order ports. */
static void test_model_tuples(void **state)
{
	struct bpf_sock_tuple rev, fwd;
	const __u8 want_rev[36] = {127, 0, 0, 5, 127, 0, 0, 9, 0x40, 0x9c, 0x90, 0x1f};
	const __u8 want_fwd[12] = {127, 0, 0, 9, 127, 0, 0, 5, 0x1f, 0x90, 0x9c, 0x40};
	struct host_sock *s;

	build_begin(&in);
	fresh();
	s = sock_new(INET6, A4(127, 0, 0, 9), 8080, A4(127, 0, 0, 5), 40000, 1);
	assert_int_equal(model_tuple(s, false, &rev), KM_TUPLE_IPV4);
	assert_memory_equal(&rev, want_rev, 36);
	s = sock_new(INET, A4(127, 0, 0, 9), 8080, A4(127, 0, 0, 5), 40000, 1);
	model_forward_tuple(s, &fwd);
	assert_memory_equal(&fwd, want_fwd, 12);
	assert_memory_equal((__u8 *)&fwd + 12, (__u8[24]){0}, 24);
}

/* ---- 3. each property's logic ------------------------------------------- */

#define FX_MAX 16

/* A journal to hand the driver, with room for the records it points at. */
static struct host_effect fx[FX_MAX];
static unsigned int nfx;
static __u8 fx_data[FX_MAX][sizeof(struct km_probe_rec)];

static struct host_effect *fx_add(enum host_effect_kind kind, struct host_map *map,
				  struct host_sock *s)
{
	struct host_effect *e = &fx[nfx++];

	*e = (struct host_effect){.kind = kind, .map = map, .sock = s};
	return e;
}

/* The event as the driver sees it. */
static struct sf_world_event event(struct host_sock *s, __u32 op, __u32 a0, __u32 a1)
{
	return (struct sf_world_event){.sock = s, .op = op, .args = {a0, a1}, .fired = true};
}

/* Run the real program for OP on S under the driver. */
static enum prop_res real(struct host_sock *s, __u32 op, __u32 a0, __u32 a1)
{
	struct sf_world_event ev = event(s, op, a0, a1);
	const struct host_effect *j;
	unsigned int n;
	bool overflow;

	prop_run__before(run, &ev);
	ev.ret = host_sock__fire(s, op, ev.args);
	j = host_journal(&n, &overflow);
	return prop_run__after(run, &ev, j, n, overflow);
}

/* The same event with the real program run, then its journal replaced by a
 * copy (records copied too) that TAMPER may change, as a defect would have
 * made it. */
static enum prop_res tampered(struct host_sock *s, __u32 op, __u32 a0, __u32 a1,
			      void (*tamper)(void))
{
	struct sf_world_event ev = event(s, op, a0, a1);
	const struct host_effect *j;
	unsigned int n;

	prop_run__before(run, &ev);
	ev.ret = host_sock__fire(s, op, ev.args);
	j = host_journal(&n, NULL);
	nfx = n;
	for (unsigned int i = 0; i < n; i++) {
		fx[i] = j[i];
		if (j[i].kind == HOST_FX_RING_SUBMIT) {
			memcpy(fx_data[i], j[i].data, j[i].size);
			fx[i].data = fx_data[i];
		}
	}
	tamper();
	return prop_run__after(run, &ev, fx, nfx, false);
}

/* An event with journal FX as if the program had made it, without running it. */
static enum prop_res fake(struct host_sock *s, __u32 op, __u32 a0, __u32 a1, int ret)
{
	struct sf_world_event ev = event(s, op, a0, a1);

	prop_run__before(run, &ev);
	ev.ret = ret;
	return prop_run__after(run, &ev, fx, nfx, false);
}

/* Only NAME checked from now on. */
static void only(const char *name)
{
	prop_enable("all", false);
	assert_int_equal(prop_enable(name, true), 0);
}

static void expect_failure(enum prop_res res, const char *prop, const char *text)
{
	const struct prop_def *failed;
	const char *diff;

	failed = prop_run__failure(run, &diff);
	if (res != PROP_FAIL || !failed || strcmp(failed->name, prop))
		fail_msg("want %s to fail, got result %d from %s:\n%s", prop, res,
			 failed ? failed->name : "none", diff);
	if (text && !strstr(diff, text))
		fail_msg("the diff of %s does not say \"%s\":\n%s", prop, text, diff);
}

/* Enrol POD through the real program (a control connect's op 3). */
static void enrol(__u32 family, struct sf_addr pod)
{
	struct sf_addr control = family == INET ? A4(0, 0, 0, 2) : A6(0, 2);
	struct host_sock *s = sock_new(family, pod, 33000, control, 929, BPF_TCP_SYN_SENT);

	assert_int_equal(real(s, BPF_SOCK_OPS_TCP_CONNECT_CB, 0, 0), PROP_PASS);
	host_sock__free(s);
}

/* The server side of a connection 127.0.0.5:40000 -> 127.0.0.9:8080, the
 * server enrolled; IPv4-mapped when MAPPED. */
static struct host_sock *server(bool mapped)
{
	enrol(INET, A4(127, 0, 0, 9));
	return sock_new(mapped ? INET6 : INET, A4(127, 0, 0, 9), 8080, A4(127, 0, 0, 5), 40000,
			BPF_TCP_SYN_RECV);
}

/* The upstream fold of §9a: the IPv4 view written over the IPv6 one in
 * place, bytes 12..35 left as they were. */
static void fold_in_place(struct bpf_sock_tuple *t, const struct host_sock *s)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->ipv6.saddr, s->remote_ip6, 16);
	memcpy(t->ipv6.daddr, s->local_ip6, 16);
	t->ipv6.sport = s->remote_port;
	t->ipv6.dport = s->local_port;
	t->ipv4.saddr = s->remote_ip6[3];
	t->ipv4.daddr = s->local_ip6[3];
	t->ipv4.sport = s->remote_port;
	t->ipv4.dport = s->local_port;
}

static struct host_sock *tamper_sock;

static void tamper_auth_leftovers(void)
{
	for (unsigned int i = 0; i < nfx; i++)
		if (fx[i].map == m_auth_req)
			fold_in_place(&((struct km_auth_req *)fx_data[i])->tuple, tamper_sock);
}

/* §9a in the request: the record of an IPv4-mapped server keeps IPv6 bytes. */
static void test_prop_tuples_canonical_catches_v4mapped_leftovers(void **state)
{
	struct host_sock *s;

	build_begin(&in);
	fresh();
	tamper_sock = s = server(true);
	only("tuples_canonical");
	expect_failure(
		tampered(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0, 0, tamper_auth_leftovers),
		"tuples_canonical", "bytes 12..35 are not zero");
}

/* §9a at the close: the delete misses the zero-padded key user space wrote. */
static void test_prop_close_clears_auth_catches_v4mapped_leftovers(void **state)
{
	struct bpf_sock_tuple clean, stale;
	__u32 allow = 0;
	struct host_sock *s;

	build_begin(&in);
	fresh();
	s = server(true);
	assert_int_equal(real(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0, 0), PROP_PASS);
	model_tuple(s, false, &clean);
	assert_int_equal(host_map__update(m_auth_res, &clean, &allow, BPF_ANY), 0);
	fold_in_place(&stale, s);
	only("close_clears_auth");
	nfx = 0;
	fx_add(HOST_FX_MAP_DELETE, m_auth_res, NULL)->key = &stale;
	fx[0].rc = -ENOENT;
	expect_failure(fake(s, BPF_SOCK_OPS_STATE_CB, BPF_TCP_LAST_ACK, BPF_TCP_CLOSE, 0),
		       "close_clears_auth", "still holds verdict 0");
}

/* §9b: an IPv6 node_ip whose last word is the AF_INET peer; the peer is not
 * skipped, so a passive establish without a request is a lost request. */
static void test_prop_auth_request_accounted_catches_crossfamily_skip(void **state)
{
	struct host_sock *s;

	build_begin(&in);
	in.node_ip = A6(0xfd00005f, 0x7f000005); /* last word 127.0.0.5, the peer */
	fresh();
	s = server(false);
	only("auth_request_accounted");
	nfx = 0; /* upstream: skipped, nothing done */
	expect_failure(fake(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0, 0, 0),
		       "auth_request_accounted", "0 auth requests");
	fresh();
	s = server(false);
	assert_int_equal(real(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0, 0), PROP_PASS);
}

static void tamper_network_ports(void)
{
	for (unsigned int i = 0; i < nfx; i++) {
		struct km_auth_req *r = (void *)fx_data[i];

		if (fx[i].map != m_auth_req)
			continue;
		r->tuple.ipv4.sport = __builtin_bswap16(r->tuple.ipv4.sport);
		r->tuple.ipv4.dport = __builtin_bswap16(r->tuple.ipv4.dport);
	}
}

/* §9c: network-order ports in the reverse tuple. */
static void test_prop_tuples_canonical_catches_network_order_ports(void **state)
{
	build_begin(&in);
	fresh();
	only("tuples_canonical");
	expect_failure(tampered(server(false), BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0, 0,
				tamper_network_ports),
		       "tuples_canonical", "* tuple:");
}

static void tamper_probe_poison(void)
{
	for (unsigned int i = 0; i < nfx; i++)
		if (fx[i].map == m_probe)
			((struct km_probe_rec *)fx_data[i])->reserved = 0xa5a5a5a5;
}

/* §9d: a probe record not zeroed: the ring's poison shows in a field the
 * program never writes. */
static void test_prop_tuples_canonical_catches_unzeroed_record(void **state)
{
	build_begin(&in);
	fresh();
	only("tuples_canonical");
	expect_failure(tampered(server(false), BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0, 0,
				tamper_probe_poison),
		       "tuples_canonical", "* reserved:");
}

/* §9e: STATE_CB requested for an unmanaged socket. */
static void test_prop_unmanaged_never_observed_catches_state_cb(void **state)
{
	struct host_sock *s;

	build_begin(&in);
	fresh();
	s = sock_new(INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, BPF_TCP_ESTABLISHED);
	assert_int_equal(real(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, 0, 0), PROP_PASS);
	only("unmanaged_never_observed");
	nfx = 0;
	fx_add(HOST_FX_CB_FLAGS_SET, NULL, s)->arg = BPF_SOCK_OPS_STATE_CB_FLAG;
	expect_failure(fake(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, 0, 0, 0),
		       "unmanaged_never_observed", "1 STATE_CB requests");
	/* Switched off, it says nothing. */
	prop_run__begin(run, &in);
	prop_enable("unmanaged_never_observed", false);
	assert_int_equal(fake(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, 0, 0, 0), PROP_PASS);
}

/* §9f: the outbound establish creates storage (and reports from it). */
static void test_prop_probe_reports_catches_outbound_storage(void **state)
{
	struct host_sock *s;

	build_begin(&in);
	fresh();
	enrol(INET, A4(127, 0, 0, 5));
	s = sock_new(INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, BPF_TCP_ESTABLISHED);
	only("probe_reports_as_specified");
	nfx = 0;
	fx_add(HOST_FX_STORAGE_CREATE, m_storage, s);
	fx_add(HOST_FX_CB_FLAGS_SET, NULL, s)->arg = BPF_SOCK_OPS_STATE_CB_FLAG;
	expect_failure(fake(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, 0, 0, 0),
		       "probe_reports_as_specified", "1 storage creations where SPEC §5 wants 0");
	fresh();
	enrol(INET, A4(127, 0, 0, 5));
	s = sock_new(INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, BPF_TCP_ESTABLISHED);
	assert_int_equal(real(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, 0, 0), PROP_PASS);
}

/* §9g: a close that does not clean km_auth_res; also a close that ran no
 * program although the socket should have asked for STATE_CB. Only while
 * the run is kernel-producible. */
/* A server that asked for STATE_CB and whose verdict user space wrote. */
static struct host_sock *allowed_server(struct bpf_sock_tuple *key)
{
	struct host_sock *s;
	__u32 allow = 0;

	build_begin(&in);
	fresh();
	s = server(false);
	assert_int_equal(real(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0, 0), PROP_PASS);
	model_tuple(s, false, key);
	assert_int_equal(host_map__update(m_auth_res, key, &allow, BPF_ANY), 0);
	only("close_clears_auth");
	nfx = 0;
	return s;
}

static void test_prop_close_clears_auth_catches_missing_delete(void **state)
{
	struct bpf_sock_tuple key;
	struct sf_world_event silent;
	struct host_sock *s;

	s = allowed_server(&key);
	expect_failure(fake(s, BPF_SOCK_OPS_STATE_CB, BPF_TCP_LAST_ACK, BPF_TCP_CLOSE, 0),
		       "close_clears_auth", "still holds verdict");

	/* Closing without running the program: it should have asked. */
	s = allowed_server(&key);
	silent = (struct sf_world_event){
		.sock = s, .op = BPF_SOCK_OPS_STATE_CB, .args = {BPF_TCP_LAST_ACK, BPF_TCP_CLOSE}};
	expect_failure(prop_run__after(run, &silent, NULL, 0, false), "close_clears_auth",
		       "ran no program");

	/* After a raw step it does not apply. */
	s = allowed_server(&key);
	prop_run__at(run, 0, 0, false);
	assert_int_equal(fake(s, BPF_SOCK_OPS_STATE_CB, BPF_TCP_LAST_ACK, BPF_TCP_CLOSE, 0),
			 PROP_PASS);

	/* The real program cleans. */
	s = allowed_server(&key);
	prop_enable("all", true);
	assert_int_equal(real(s, BPF_SOCK_OPS_STATE_CB, BPF_TCP_LAST_ACK, BPF_TCP_CLOSE),
			 PROP_PASS);
	assert_null(host_map__lookup(m_auth_res, &key));
}

/* A close that forgets nothing, an establish that deletes a verdict, and a
 * program that writes one itself. */
static void test_prop_auth_verdicts_only_deleted_at_close(void **state)
{
	struct bpf_sock_tuple key;
	__u32 deny = 1;
	struct host_sock *s;

	build_begin(&in);
	fresh();
	s = server(false);
	model_tuple(s, false, &key);
	only("auth_verdicts_only_deleted_at_close");
	nfx = 0;
	expect_failure(fake(s, BPF_SOCK_OPS_STATE_CB, BPF_TCP_ESTABLISHED, BPF_TCP_CLOSE, 0),
		       "auth_verdicts_only_deleted_at_close", "0 km_auth_res deletes where 1");
	prop_run__begin(run, &in);
	fx_add(HOST_FX_MAP_DELETE, m_auth_res, NULL)->key = &key;
	expect_failure(fake(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0, 0, 0),
		       "auth_verdicts_only_deleted_at_close", "only a close");
	prop_run__begin(run, &in);
	nfx = 0;
	fx_add(HOST_FX_MAP_UPDATE, m_auth_res, NULL)->key = &key;
	fx[0].data = &deny;
	expect_failure(fake(s, BPF_SOCK_OPS_VOID, 0, 0, 0), "auth_verdicts_only_deleted_at_close",
		       "only user space and XDP");
}

static void test_prop_returns_zero(void **state)
{
	build_begin(&in);
	fresh();
	nfx = 0;
	expect_failure(fake(server(false), BPF_SOCK_OPS_VOID, 0, 0, 1), "returns_zero",
		       "returned 1");
}

/* Another family: no helper, no effect. */
static void test_prop_family_gate(void **state)
{
	struct host_sock *s;
	struct manager_key key = {0};
	__u32 zero = 0;

	build_begin(&in);
	fresh();
	s = sock_new(17, A4(0, 0, 0, 0), 1, A4(0, 0, 0, 2), 929, 0);
	assert_int_equal(real(s, BPF_SOCK_OPS_TCP_CONNECT_CB, 0, 0), PROP_PASS);
	host_map__update(m_manage, &key, &zero, BPF_ANY);
	nfx = 0;
	fx_add(HOST_FX_MAP_UPDATE, m_manage, NULL)->key = &key;
	fx[0].data = &zero;
	expect_failure(fake(s, BPF_SOCK_OPS_TCP_CONNECT_CB, 0, 0, 0), "family_gate", "family 17");
}

/* A connect that is not to the control address enrols nothing. */
static void test_prop_only_control_changes_manage(void **state)
{
	struct host_sock *s;
	struct manager_key key = {0};
	__u32 zero = 0;

	build_begin(&in);
	fresh();
	s = sock_new(INET, A4(127, 0, 0, 5), 40000, A4(0, 0, 0, 3), 929, BPF_TCP_SYN_SENT);
	assert_int_equal(real(s, BPF_SOCK_OPS_TCP_CONNECT_CB, 0, 0), PROP_PASS);
	key.ip4 = s->local_ip4;
	host_map__update(m_manage, &key, &zero, BPF_ANY);
	nfx = 0;
	fx_add(HOST_FX_MAP_UPDATE, m_manage, NULL)->key = &key;
	fx[0].data = &zero;
	expect_failure(fake(s, BPF_SOCK_OPS_TCP_CONNECT_CB, 0, 0, 0), "only_control_changes_manage",
		       "not a control connect");
}

/* A dropped report that no counter shows. */
static void test_prop_maps_bounded_catches_uncounted_drop(void **state)
{
	build_begin(&in);
	fresh();
	only("maps_bounded_no_partial_state");
	nfx = 0;
	fx_add(HOST_FX_RING_DROP, m_probe, NULL)->size = sizeof(struct km_probe_rec);
	expect_failure(fake(server(false), BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0, 0, 0),
		       "maps_bounded_no_partial_state", "probe reports dropped");
}

/* A waypoint socket under a forward tuple with host-order ports. */
static void test_prop_waypoint_catches_host_order_key(void **state)
{
	struct bpf_sock_tuple key;
	struct host_sock *s;
	struct sock_storage_data *st;

	build_begin(&in);
	fresh();
	enrol(INET, A4(127, 0, 0, 5));
	s = sock_new(INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, BPF_TCP_ESTABLISHED);
	st = host_sk_storage__get(m_storage, s, true);
	st->via_waypoint = 1;
	prop_run__user_storage(run, s, true);
	model_tuple(s, true, &key); /* host-order ports */
	only("waypoint_only_managed_outbound");
	nfx = 0;
	fx_add(HOST_FX_SOCKHASH_UPDATE, m_socket, s)->key = &key;
	expect_failure(fake(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, 0, 0, 0),
		       "waypoint_only_managed_outbound", "network-order ports");
	fresh();
	enrol(INET, A4(127, 0, 0, 5));
	s = sock_new(INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, BPF_TCP_ESTABLISHED);
	st = host_sk_storage__get(m_storage, s, true);
	st->via_waypoint = 1;
	prop_run__user_storage(run, s, true);
	assert_int_equal(real(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, 0, 0), PROP_PASS);
	model_forward_tuple(s, &key);
	assert_ptr_equal(host_sockhash__lookup(m_socket, &key), s);
}

/* A skipped peer gets an auth request. */
static void test_prop_skipped_peer_gets_nothing(void **state)
{
	struct km_auth_req req;
	struct host_sock *s;

	build_begin(&in);
	in.pod_gateway = A4(127, 0, 0, 5);
	fresh();
	s = server(false);
	model_auth_request(s, &req);
	only("skipped_peer_gets_nothing");
	nfx = 0;
	fx_add(HOST_FX_RING_SUBMIT, m_auth_req, NULL)->data = &req;
	fx[0].size = sizeof(req);
	expect_failure(fake(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0, 0, 0),
		       "skipped_peer_gets_nothing", "node_ip or pod_gateway");
	fresh();
	s = server(false);
	assert_int_equal(real(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0, 0), PROP_PASS);
}

/* The establish asks for more than STATE_CB. */
static void test_prop_state_cb_request_is_exact(void **state)
{
	struct host_sock *s;

	build_begin(&in);
	fresh();
	s = server(false);
	only("managed_establish_requests_state_cb");
	nfx = 0;
	fx_add(HOST_FX_CB_FLAGS_SET, NULL, s)->arg = BPF_SOCK_OPS_STATE_CB_FLAG | 0x80;
	expect_failure(fake(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0, 0, 0),
		       "managed_establish_requests_state_cb", "not exactly STATE_CB");
}

static void test_prop_deterministic(void **state)
{
	build_begin(&in);
	fresh();
	assert_int_equal(prop_run__end(run, 7, 7), PROP_PASS);
	assert_int_equal(prop_run__end(run, 7, 8), PROP_FAIL);
	expect_failure(PROP_FAIL, "deterministic", "different states");
}

/* An overflowing journal cannot be checked: an error, not a pass. */
static void test_prop_journal_overflow_is_an_error(void **state)
{
	struct sf_world_event ev;
	struct host_sock *s;
	const struct prop_def *failed;

	build_begin(&in);
	fresh();
	s = server(false);
	ev = event(s, BPF_SOCK_OPS_VOID, 0, 0);
	prop_run__before(run, &ev);
	assert_int_equal(prop_run__after(run, &ev, fx, 0, true), PROP_ERROR);
	failed = prop_run__failure(run, NULL);
	assert_non_null(failed);
	assert_true(failed->flags & PROP_F_JOURNAL);
}

/* The diff names the event and lists its journal. */
static void test_prop_failure_explains_the_event(void **state)
{
	const char *diff;

	test_prop_tuples_canonical_catches_network_order_ports(state);
	prop_run__failure(run, &diff);
	assert_non_null(strstr(diff, "passive_established"));
	assert_non_null(strstr(diff, "journal of the event:"));
	assert_non_null(strstr(diff, "ring_submit km_auth_req 40 bytes"));
	assert_non_null(strstr(diff, "want 127.0.0.5:40000 -> 127.0.0.9:8080"));
}

/* ---- storage and log ----------------------------------------------------- */

static struct host_sock *tamper_sock; /* whose storage a tamper writes */

static struct sock_storage_data *storage_of(struct host_sock *s)
{
	struct sock_storage_data *st = host_sk_storage__get(m_storage, s, false);

	assert_non_null(st);
	return st;
}

/* What mutant 052 does: op 4 stamps connect_ns with now. */
static void tamper_connect_ns(void)
{
	storage_of(tamper_sock)->connect_ns = host_clock__now();
}

/* A write to the original destination, which only the connect hook makes. */
static void tamper_sk_tuple(void)
{
	storage_of(tamper_sock)->sk_tuple.ipv4.dport ^= 1;
}

/* A managed client 127.0.0.5:40000 -> 127.0.0.9:8080 whose connect hook
 * stamped its storage's connect_ns, a millisecond before its op 4. */
static struct host_sock *stamped_client(void)
{
	struct host_sock *s;

	build_begin(&in);
	fresh();
	enrol(INET, A4(127, 0, 0, 5));
	s = sock_new(INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, BPF_TCP_ESTABLISHED);
	assert_non_null(host_sk_storage__get(m_storage, s, true));
	storage_of(s)->connect_ns = host_clock__now();
	prop_run__user_storage(run, s, false);
	host_clock__advance(1000000);
	tamper_sock = s;
	return s;
}

static void test_prop_storage_written_as_specified(void **state)
{
	struct host_sock *s = stamped_client();
	__u64 stamp = storage_of(s)->connect_ns;

	/* The real op 4 marks the storage and keeps the hook's stamp. */
	assert_int_equal(real(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, 0, 0), PROP_PASS);
	assert_true(storage_of(s)->connect_ns == stamp);
	assert_int_equal(storage_of(s)->direction, KM_DIR_OUTBOUND);
	assert_true(storage_of(s)->last_report_ns == host_clock__now());
	/* Op 4 overwriting connect_ns with now (mutant 052). */
	s = stamped_client();
	only("storage_written_as_specified");
	expect_failure(tampered(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, 0, 0, tamper_connect_ns),
		       "storage_written_as_specified",
		       "connect_ns went from 1000000000 to 1001000000");
	/* The original destination is never the program's. */
	s = stamped_client();
	only("storage_written_as_specified");
	expect_failure(tampered(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, 0, 0, tamper_sk_tuple),
		       "storage_written_as_specified", "never may");
	/* The passive establish creates storage and stamps connect_ns = now. */
	build_begin(&in);
	fresh();
	s = server(false);
	host_clock__advance(1000000);
	assert_int_equal(real(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0, 0), PROP_PASS);
	assert_true(storage_of(s)->connect_ns == host_clock__now());
	/* Monitoring off: the storage the hook wrote stays as it was. */
	s = stamped_client();
	in.monitoring = 0;
	host_global__set("enable_monitoring", &in.monitoring, sizeof(in.monitoring));
	prop_run__user_global(run, SF_GLOBAL_MONITORING);
	only("storage_written_as_specified");
	expect_failure(tampered(s, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, 0, 0, tamper_connect_ns),
		       "storage_written_as_specified", "connect_ns went from");
	in.monitoring = 1;
}

static void set_log_level(__u32 level)
{
	assert_int_equal(host_global__set("log_level", &level, sizeof(level)), 0);
	prop_run__user_global(run, SF_GLOBAL_LOG_LEVEL);
}

/* What mutant 053 does: the full probe ring's record at ERR. */
static void tamper_log_err(void)
{
	for (unsigned int i = 0; i < nfx; i++)
		if (fx[i].kind == HOST_FX_RING_SUBMIT && fx[i].map == m_log)
			((struct km_log_rec *)fx_data[i])->level = KM_LOG_ERR;
}

/* The enrolled server's passive establish, its probe report the run's
 * first ring reservation, which fails; log_level LEVEL. */
static struct host_sock *server_probe_ring_full(__u32 level)
{
	struct host_sock *s;

	build_begin(&in);
	build_fault(HOST_H_RINGBUF_RESERVE, 0);
	fresh();
	assert_int_equal(host_fault__arm(HOST_H_RINGBUF_RESERVE, 0, 0), 0);
	set_log_level(level);
	s = server(false);
	only("logs_as_specified");
	nfx = 0;
	return s;
}

static struct host_effect *fx_log(__u32 level, __u32 site)
{
	struct host_effect *e = fx_add(HOST_FX_RING_SUBMIT, m_log, NULL);
	struct km_log_rec rec = {.level = level, .site = site};

	memcpy(fx_data[nfx - 1], &rec, sizeof(rec));
	e->data = fx_data[nfx - 1];
	e->size = sizeof(rec);
	return e;
}

static void test_prop_logs_as_specified(void **state)
{
	const struct km_log_rec *rec;
	struct host_sock *s;
	__u32 len;

	/* WARN: the real program writes one WARN record of the full probe ring. */
	s = server_probe_ring_full(KM_LOG_WARN);
	prop_enable("all", true);
	assert_int_equal(real(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0, 0), PROP_PASS);
	rec = host_ring__peek(m_log, &len);
	assert_non_null(rec);
	assert_int_equal(rec->level, KM_LOG_WARN);
	assert_int_equal(rec->site, KM_LOG_PROBE_RING_FULL);
	/* The same record at ERR (mutant 053). */
	s = server_probe_ring_full(KM_LOG_WARN);
	expect_failure(tampered(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0, 0, tamper_log_err),
		       "logs_as_specified", "want level 1, site 7, arg 0; got level 0, site 7");
	/* At ERR (the default) nothing is due: the real program writes none ... */
	s = server_probe_ring_full(KM_LOG_ERR);
	assert_int_equal(real(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0, 0), PROP_PASS);
	assert_null(host_ring__peek(m_log, &len));
	/* ... and an ERR record of the full probe ring is one too many. */
	s = server_probe_ring_full(KM_LOG_ERR);
	fx_add(HOST_FX_RING_DROP, m_probe, NULL)->size = sizeof(struct km_probe_rec);
	fx_log(KM_LOG_ERR, KM_LOG_PROBE_RING_FULL);
	expect_failure(fake(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0, 0, 0), "logs_as_specified",
		       "no failed helper of the event calls for at log_level 0");
	/* A failed cb_flags_set is an error; its record missing fails. */
	s = server_probe_ring_full(KM_LOG_ERR);
	fx_add(HOST_FX_CB_FLAGS_SET, NULL, s)->rc = -EINVAL;
	expect_failure(fake(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0, 0, 0), "logs_as_specified",
		       "1 km_log records missing (log_level 0); the first due: level 0, site 3, arg"
		       " -22");
	/* A full log ring drops the record: that is accounted for. */
	s = server_probe_ring_full(KM_LOG_ERR);
	fx_add(HOST_FX_CB_FLAGS_SET, NULL, s)->rc = -EINVAL;
	fx_add(HOST_FX_RING_DROP, m_log, NULL)->size = sizeof(struct km_log_rec);
	assert_int_equal(fake(s, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, 0, 0, 0), PROP_PASS);
	/* The program has km_log and log_level: it applies. */
	assert_null(prop_not_applicable(prop_find("logs_as_specified")));
	prop_enable("all", true);
}

/* ---- 4. the defects, as inputs ------------------------------------------ */

struct defect {
	const char *id;	  /* mutants/catalogue/NNN-*.patch */
	const char *name; /* for the trace file */
	const char *prop; /* the property that catches it */
	void (*build)(void);
};

/* The server 127.0.0.9:8080 enrolled, listening in slot 0; a client from
 * 127.0.0.5:40000 in slot 1. */
static void enrolled_server(__u32 listen_family)
{
	build_enrol(INET, A4(127, 0, 0, 9));
	build_listen(0, listen_family, listen_family == INET ? A4(127, 0, 0, 9) : ANY6, 8080);
}

/* (a) §9a: an IPv6 listener on :: accepts an IPv4 client; its cleanup key
 * must be the zero-padded IPv4 tuple user space and XDP wrote. */
static void build_a(void)
{
	enrolled_server(INET6);
	build_connect(1, INET, A4(127, 0, 0, 5), 40001, A4(127, 0, 0, 9), 8080, 0);
	build_accept(2, 0);
	build_value(SF_AUTH_ANSWER, 0);
	build_slot(SF_XDP_VERDICT, 2, 1);
	build_slot(SF_RESET, 2, 0);
}

/* (b) §9b: node_ip is IPv6 with the client's IPv4 address as last word. */
static void build_b(void)
{
	in.node_ip = A6(0xfd00005f, 0x7f000005);
	enrolled_server(INET);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
}

/* (c) §9c: XDP writes host-order ports; the close must delete that key. */
static void build_c(void)
{
	enrolled_server(INET);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
	build_accept(2, 0);
	build_slot(SF_XDP_VERDICT, 2, 0);
	build_slot(SF_CLOSE, 1, 0);
	build_slot(SF_CLOSE, 2, 0);
}

/* (d) §9d: any report; the ring hands out poisoned memory. */
static void build_d(void)
{
	enrolled_server(INET);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
}

/* (e) §9e: nobody is enrolled; the client establishes. */
static void build_e(void)
{
	build_listen(0, INET, A4(127, 0, 0, 9), 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
}

/* (f) §9f: a managed client without a waypoint, so without storage. */
static void build_f(void)
{
	build_enrol(INET, A4(127, 0, 0, 5));
	build_listen(0, INET, A4(127, 0, 0, 9), 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
}

/* (g) §9g: user space allows the connection; both ends close. */
static void build_g(void)
{
	enrolled_server(INET);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
	build_accept(2, 0);
	build_value(SF_AUTH_ANSWER, 0);
	build_slot(SF_CLOSE, 1, 0);
	build_slot(SF_CLOSE, 2, 0);
}

/* 022: the skip applies on the passive side only; a managed client whose
 * server is the node is still tracked. */
static void build_active_side_not_skipped(void)
{
	in.node_ip = A4(127, 0, 0, 9);
	build_enrol(INET, A4(127, 0, 0, 5));
	build_listen(0, INET, A4(127, 0, 0, 9), 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
}

/* 029: storage whose via_waypoint user space cleared; op 4 again (raw). */
static void build_waypoint_flag_cleared(void)
{
	build_enrol(INET, A4(127, 0, 0, 5));
	build_listen(0, INET, A4(127, 0, 0, 9), 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
	build_slot(SF_WAYPOINT, 1, 0);
	build_raw(1, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, INET, A4(127, 0, 0, 5), 40000,
		  A4(127, 0, 0, 9), 8080, BPF_TCP_ESTABLISHED, 0, 0, 0);
}

/* 032: the first reservation of the run (the server's report) fails. */
static void build_probe_drop(void)
{
	build_fault(HOST_H_RINGBUF_RESERVE, 0);
	enrolled_server(INET);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
}

/* 047: an IPv6 node_ip that shares only its last word with the IPv6 peer. */
static void build_v6_last_word(void)
{
	in.node_ip = A6(0xfd000001, 5);
	build_enrol(INET6, A6(0xfd00005f, 9));
	build_listen(0, INET6, A6(0xfd00005f, 9), 8080);
	build_connect(1, INET6, A6(0xfd00005f, 5), 40000, A6(0xfd00005f, 9), 8080, 0);
}

/* 052: a managed client; its op 4 comes a round trip after the connect hook's stamp. */
static void build_connect_ns_overwrite(void)
{
	build_enrol(INET, A4(127, 0, 0, 5));
	build_listen(0, INET, A4(127, 0, 0, 9), 8080);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
}

/* 053: log_level WARN; the server's report finds the probe ring full. */
static void build_probe_ring_full_logged(void)
{
	build_fault(HOST_H_RINGBUF_RESERVE, 0);
	build_value(SF_LOG_LEVEL, KM_LOG_WARN);
	enrolled_server(INET);
	build_connect(1, INET, A4(127, 0, 0, 5), 40000, A4(127, 0, 0, 9), 8080, 0);
}

static const struct defect defects[] = {
	{"001", "v4mapped_cleanup_leftovers", "close_clears_auth", build_a},
	{"002", "crossfamily_nodeip_skip", "auth_request_accounted", build_b},
	{"003", "reverse_ports_network_order", "tuples_canonical", build_c},
	{"004", "probe_record_not_zeroed", "tuples_canonical", build_d},
	{"005", "state_cb_unmanaged", "unmanaged_never_observed", build_e},
	{"006", "outbound_creates_storage", "probe_reports_as_specified", build_f},
	{"007", "close_keeps_auth", "close_clears_auth", build_g},
	{"022", "skip_on_active_side", "managed_establish_requests_state_cb",
	 build_active_side_not_skipped},
	{"029", "waypoint_ignores_flag", "waypoint_only_managed_outbound",
	 build_waypoint_flag_cleared},
	{"032", "probe_drop_not_counted", "maps_bounded_no_partial_state", build_probe_drop},
	{"047", "v6_skip_last_word", "auth_request_accounted", build_v6_last_word},
	{"052", "establish_overwrites_connect_ns", "storage_written_as_specified",
	 build_connect_ns_overwrite},
	{"053", "probe_ring_full_logged_err", "logs_as_specified", build_probe_ring_full_logged},
};

static const char *mutant; /* SOCKFUZZ_MUTANT */

static void write_trace(const struct defect *d)
{
	const char *dir = getenv("SOCKFUZZ_DEFECT_TRACES");
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s_%s.trace", dir, d->id, d->name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(sf_text_print(&in, f), 0);
	fclose(f);
}

static void run_defect(void **state)
{
	const struct defect *d = *state;
	struct sf_exec_opts opts = {.check_determinism = true};
	struct sf_result res;

	build_begin(&in);
	d->build();
	write_trace(d);
	prop_enable("all", true);
	if (!mutant) {
		if (sf_exec(&in, &opts, &res) != SF_EXEC_PASS)
			fail_msg("defect %s input fails on the real core: %s at step %u\n%s", d->id,
				 res.failure.prop, res.failure.step, res.failure.diff);
		assert_true(res.events > 0);
		return;
	}
	if (strcmp(mutant, d->id))
		skip();
	if (sf_exec(&in, &opts, &res) != SF_EXEC_FAIL)
		fail_msg("mutant %s survives its input with every property on", d->id);
	print_message("mutant %s: killed by %s at step %u, event %u\n", d->id, res.failure.prop,
		      res.failure.step, res.failure.event);
	assert_true(res.failure.step < res.steps);
	assert_true(res.failure.event <= res.events);
	assert_non_null(strstr(res.failure.diff, "journal of the event"));
	only(d->prop);
	if (sf_exec(&in, &opts, &res) != SF_EXEC_FAIL || strcmp(res.failure.prop, d->prop))
		fail_msg("mutant %s survives %s alone", d->id, d->prop);
	prop_enable("all", true);
}

#define DEFECT(i) cmocka_unit_test_prestate(run_defect, (void *)&defects[i])

/* The model's km_manage index against a plain list: random keys (so that
 * probe chains collide and wrap) enrolled and unenrolled in a seeded
 * order; after every 100 changes each key is found exactly when the list
 * has it (a delete must cut no chain). */
static void test_model_manage_index_survives_deletes(void **state)
{
	static struct model m;
	static struct manager_key keys[3000];
	static bool in[3000];
	static const __be32 none[4];
	struct host_sock sock = {0};
	struct sf_rng rng = {.s = 11};

	model_reset(&m, 1, none, none);
	memset(in, 0, sizeof(in));
	for (unsigned int j = 0; j < 3000; j++)
		for (unsigned int w = 0; w < 4; w++)
			keys[j].ip6[w] = (__u32)sf_rng_next(&rng);
	for (unsigned int op = 0; op < 20000; op++) {
		unsigned int k = sf_rng_below(&rng, 3000);
		struct model_expect e = {.mkey = keys[k],
					 .manage = in[k] && sf_rng_below(&rng, 2)
							   ? MODEL_MANAGE_DEL
							   : MODEL_MANAGE_SET};

		model_commit(&m, &sock, &e);
		in[k] = e.manage == MODEL_MANAGE_SET;
		if (op % 100)
			continue;
		for (unsigned int j = 0; j < 3000; j++)
			if (model_has_key(&m, &keys[j], NULL) != in[j])
				fail_msg("after op %u the index says key %u is %s", op, j,
					 in[j] ? "absent" : "present");
	}
}

int main(void)
{
	const struct CMUnitTest logic[] = {
		cmocka_unit_test(test_registry_names_are_sentences),
		cmocka_unit_test(test_registry_switches_by_name),
		cmocka_unit_test(test_model_manage_key),
		cmocka_unit_test(test_model_control_address),
		cmocka_unit_test(test_model_skip_is_same_family),
		cmocka_unit_test(test_model_tuples),
		cmocka_unit_test(test_prop_tuples_canonical_catches_v4mapped_leftovers),
		cmocka_unit_test(test_prop_close_clears_auth_catches_v4mapped_leftovers),
		cmocka_unit_test(test_prop_auth_request_accounted_catches_crossfamily_skip),
		cmocka_unit_test(test_prop_tuples_canonical_catches_network_order_ports),
		cmocka_unit_test(test_prop_tuples_canonical_catches_unzeroed_record),
		cmocka_unit_test(test_prop_unmanaged_never_observed_catches_state_cb),
		cmocka_unit_test(test_prop_probe_reports_catches_outbound_storage),
		cmocka_unit_test(test_prop_close_clears_auth_catches_missing_delete),
		cmocka_unit_test(test_prop_auth_verdicts_only_deleted_at_close),
		cmocka_unit_test(test_prop_returns_zero),
		cmocka_unit_test(test_prop_family_gate),
		cmocka_unit_test(test_prop_only_control_changes_manage),
		cmocka_unit_test(test_prop_maps_bounded_catches_uncounted_drop),
		cmocka_unit_test(test_prop_waypoint_catches_host_order_key),
		cmocka_unit_test(test_prop_skipped_peer_gets_nothing),
		cmocka_unit_test(test_prop_state_cb_request_is_exact),
		cmocka_unit_test(test_prop_deterministic),
		cmocka_unit_test(test_prop_journal_overflow_is_an_error),
		cmocka_unit_test(test_prop_failure_explains_the_event),
		cmocka_unit_test(test_prop_storage_written_as_specified),
		cmocka_unit_test(test_prop_logs_as_specified),
		cmocka_unit_test(test_model_manage_index_survives_deletes),
	};
	const struct CMUnitTest inputs[] = {
		DEFECT(0), DEFECT(1), DEFECT(2), DEFECT(3),  DEFECT(4),	 DEFECT(5),  DEFECT(6),
		DEFECT(7), DEFECT(8), DEFECT(9), DEFECT(10), DEFECT(11), DEFECT(12),
	};

	int failed = 0;

	_Static_assert(sizeof(defects) / sizeof(defects[0]) == 13, "one DEFECT() per defect");
	mutant = getenv("SOCKFUZZ_MUTANT");
	/* Linked against a mutant, only the inputs mean anything. */
	if (!mutant)
		failed = cmocka_run_group_tests_name("props", logic, group_setup, group_teardown);
	return failed + cmocka_run_group_tests_name("defects", inputs, group_setup, group_teardown);
}
