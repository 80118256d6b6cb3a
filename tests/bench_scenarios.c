// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_scenarios.c: the five seed scenarios in a loop on the optimised
 * flavour (no sanitizers), IPv4, IPv6 and IPv4-mapped, with host_reset()
 * between iterations. Prints events (program runs) per second and ns per
 * event. Wall time is read here only; the runtime has just its virtual clock.
 *
 * Usage: bench_scenarios [ITERATIONS]   (per family; default 1000000)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "host.h"
#include "sockops.h"

struct fam {
	const char *name;
	__u32 family;
	int af;
	const char *pod, *peer, *ctl;
};

static const struct fam fams[] = {
	{"v4", KM_AF_INET, AF_INET, "127.0.0.5", "127.0.0.9", "0.0.0.2"},
	{"v6", KM_AF_INET6, AF_INET6, "fd00::5", "fd00::9", "::2"},
	{"v4mapped", KM_AF_INET6, AF_INET6, "::ffff:127.0.0.5", "::ffff:127.0.0.9", "::2"},
};

struct addrs {
	__u8 pod[16], peer[16], ctl[16];
};

#define EVENTS_PER_ITERATION 6 /* enrol, passive, active, two closes, release */

static struct host_map *km_auth_req, *km_tcp_probe, *km_sockstorage, *km_socket, *km_auth_res;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct host_sock *sock(const struct fam *f, const __u8 *l, __u16 lport, const __u8 *r,
			      __u16 rport)
{
	struct host_sock *s = host_sock__new();

	if (!s) {
		fprintf(stderr, "bench: host_sock__new: %s\n", strerror(errno));
		exit(2);
	}
	host_sock__set_addrs(s, f->family, l, lport, r, rport);
	s->state = KM_TCP_ESTABLISHED;
	return s;
}

/* One iteration: the five seed scenarios. Returns the auth requests seen. */
static unsigned int iteration(const struct fam *f, const struct addrs *a, const __u8 rev[36])
{
	struct host_sock *ctl, *srv, *cli;
	unsigned int requests;
	__u8 *st;

	ctl = sock(f, a->pod, 40000, a->ctl, KM_CONTROL_PORT_ENROL);
	host_sock__fire(ctl, BPF_SOCK_OPS_TCP_CONNECT_CB, NULL);
	srv = sock(f, a->pod, 8080, a->peer, 50000);
	host_sock__fire(srv, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, NULL);
	cli = sock(f, a->pod, 40001, a->peer, 8080);
	st = host_sk_storage__get(km_sockstorage, cli, true);
	st[18] = 1; /* via_waypoint */
	host_sock__fire(cli, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	host_map__update(km_auth_res, rev, &(__u32){0}, BPF_ANY);
	host_clock__advance(1000);
	/* The applications close: the sockets leave km_socket, then TCP closes. */
	host_sock__release(srv);
	host_sock__release(cli);
	host_sock__set_state(srv, KM_TCP_CLOSE);
	host_sock__set_state(cli, KM_TCP_CLOSE);
	ctl->remote_port = KM_CONTROL_PORT_LEAVE;
	host_sock__fire(ctl, BPF_SOCK_OPS_TCP_CONNECT_CB, NULL);
	requests = host_map__count(km_auth_req);
	host_ring__drain(km_auth_req);
	host_ring__drain(km_tcp_probe);
	return requests;
}

/* The outcome the first iteration must have, so the loop measures real work. */
static int verify(const struct fam *f, const struct addrs *a, const __u8 rev[36])
{
	struct host_sock *ctl, *srv, *cli;
	__u8 *st;

	host_reset();
	ctl = sock(f, a->pod, 40000, a->ctl, KM_CONTROL_PORT_ENROL);
	host_sock__fire(ctl, BPF_SOCK_OPS_TCP_CONNECT_CB, NULL);
	srv = sock(f, a->pod, 8080, a->peer, 50000);
	host_sock__fire(srv, BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB, NULL);
	cli = sock(f, a->pod, 40001, a->peer, 8080);
	st = host_sk_storage__get(km_sockstorage, cli, true);
	st[18] = 1;
	host_sock__fire(cli, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB, NULL);
	if (host_map__count(km_auth_req) != 1 || host_map__count(km_tcp_probe) != 2 ||
	    host_map__count(km_socket) != 1 || srv->cb_flags != BPF_SOCK_OPS_STATE_CB_FLAG) {
		fprintf(stderr, "bench: %s: the scenarios did not run as expected\n", f->name);
		return -1;
	}
	host_map__update(km_auth_res, rev, &(__u32){0}, BPF_ANY);
	host_sock__release(srv);
	host_sock__release(cli);
	host_sock__set_state(srv, KM_TCP_CLOSE);
	host_sock__set_state(cli, KM_TCP_CLOSE);
	if (host_map__count(km_auth_res) != 0 || host_map__count(km_tcp_probe) != 4 ||
	    host_map__count(km_socket) != 0) {
		fprintf(stderr, "bench: %s: the closes did not run as expected\n", f->name);
		return -1;
	}
	return 0;
}

static void parse(const struct fam *f, const char *s, __u8 out[16])
{
	memset(out, 0, 16);
	if (inet_pton(f->af, s, out) != 1) {
		fprintf(stderr, "bench: bad address %s\n", s);
		exit(2);
	}
}

/* The server's reverse tuple (peer:50000 -> pod:8080, host-order ports). */
static void reverse_tuple(const struct fam *f, const struct addrs *a, __u8 t[36])
{
	__u16 sport = 50000, dport = 8080;
	bool v4 = f->family == KM_AF_INET || strchr(f->pod, '.');

	memset(t, 0, 36);
	if (v4) {
		memcpy(t, f->family == KM_AF_INET ? a->peer : a->peer + 12, 4);
		memcpy(t + 4, f->family == KM_AF_INET ? a->pod : a->pod + 12, 4);
		memcpy(t + 8, &sport, 2);
		memcpy(t + 10, &dport, 2);
	} else {
		memcpy(t, a->peer, 16);
		memcpy(t + 16, a->pod, 16);
		memcpy(t + 32, &sport, 2);
		memcpy(t + 34, &dport, 2);
	}
}

int main(int argc, char **argv)
{
	long iterations = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
	unsigned long long total_events = 0;
	double total_s = 0;
	int err;

	if (iterations <= 0) {
		fprintf(stderr, "Usage: %s [ITERATIONS]\n", argv[0]);
		return 2;
	}
	host_set_print(NULL);
	err = host_init();
	if (err) {
		fprintf(stderr, "bench: host_init: %s\n", strerror(-err));
		return 2;
	}
	km_auth_req = host_map__by_name("km_auth_req");
	km_tcp_probe = host_map__by_name("km_tcp_probe");
	km_sockstorage = host_map__by_name("km_sockstorage");
	km_socket = host_map__by_name("km_socket");
	km_auth_res = host_map__by_name("km_auth_res");
	if (!km_auth_req || !km_tcp_probe || !km_sockstorage || !km_socket || !km_auth_res) {
		fprintf(stderr, "bench: the program under test lacks a km_* map\n");
		return 2;
	}
	printf("bench-scenarios: %ld iterations per family, %d events each, host_reset between\n",
	       iterations, EVENTS_PER_ITERATION);
	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		const struct fam *f = &fams[i];
		unsigned long long requests = 0,
				   events = (unsigned long long)iterations * EVENTS_PER_ITERATION;
		struct addrs a;
		__u8 rev[36];
		double t0, dt;

		parse(f, f->pod, a.pod);
		parse(f, f->peer, a.peer);
		parse(f, f->ctl, a.ctl);
		reverse_tuple(f, &a, rev);
		if (verify(f, &a, rev))
			return 1;
		t0 = now_s();
		for (long n = 0; n < iterations; n++) {
			host_reset();
			requests += iteration(f, &a, rev);
		}
		dt = now_s() - t0;
		if (requests != (unsigned long long)iterations) {
			fprintf(stderr, "bench: %s: %llu auth requests in %ld iterations\n",
				f->name, requests, iterations);
			return 1;
		}
		printf("  %-9s %10.0f events/s  %7.1f ns/event  (%llu events in %.3f s)\n", f->name,
		       (double)events / dt, dt * 1e9 / (double)events, events, dt);
		total_events += events;
		total_s += dt;
	}
	printf("  %-9s %10.0f events/s  %7.1f ns/event\n", "all", (double)total_events / total_s,
	       total_s * 1e9 / (double)total_events);
	host_fini();
	return 0;
}
