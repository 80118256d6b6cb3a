// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * prog.c: load the sockops skeleton, attach it to a cgroup, reach its globals.
 *
 * The only file that includes the generated skeleton (it embeds the object).
 * It names no program: it attaches the object's SEC("sockops") program, so
 * the production build and the recording build (bpf/record/) share it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "kernel_internal.h"
#include "sockops.skel.h"

struct kern_prog {
	struct sockops *skel;
	struct bpf_link *link;
	struct kern_ring *rings[KERN_RING__MAX];
};

/* The globals as the skeleton lays them out; user space reaches them through
 * the mmap of .bss and .data, which the program reads on every run. */
_Static_assert(sizeof(((struct sockops__bss *)0)->km_counters) == KM_CNT__MAX * sizeof(__u64),
	       "km_counters has one slot per enum km_counter");

static struct bpf_map *prog_ring_map(const struct kern_prog *p, enum kern_ring_id id)
{
	switch (id) {
	case KERN_RING_AUTH_REQ:
		return p->skel->maps.km_auth_req;
	case KERN_RING_PROBE:
		return p->skel->maps.km_tcp_probe;
	case KERN_RING_LOG:
		return p->skel->maps.km_log;
	default:
		return NULL;
	}
}

static const size_t ring_rec_size[KERN_RING__MAX] = {
	[KERN_RING_AUTH_REQ] = sizeof(struct km_auth_req),
	[KERN_RING_PROBE] = sizeof(struct km_probe_rec),
	[KERN_RING_LOG] = sizeof(struct km_log_rec),
};

struct kern_prog *kern_prog__load(void)
{
	struct kern_prog *p = calloc(1, sizeof(*p));
	int err, i;

	if (!p)
		return NULL;
	p->skel = sockops__open();
	if (!p->skel) {
		err = -errno;
		kern_warn("cannot open the sockops object: %s\n", strerror(-err));
		goto fail;
	}
	err = sockops__load(p->skel);
	if (err) {
		kern_warn("cannot load the sockops object: %s\n", strerror(-err));
		goto fail;
	}
	for (i = 0; i < KERN_RING__MAX; i++) {
		p->rings[i] = kern_ring__new(bpf_map__fd(prog_ring_map(p, i)), ring_rec_size[i]);
		if (!p->rings[i]) {
			err = -errno;
			goto fail;
		}
	}
	return p;
fail:
	kern_prog__destroy(p);
	errno = -err;
	return NULL;
}

/* The object's sockops program (one per object, whatever its name). */
static struct bpf_program *prog_entry(const struct kern_prog *p)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, p->skel->obj) if (bpf_program__type(prog) ==
							     BPF_PROG_TYPE_SOCK_OPS) return prog;
	return NULL;
}

struct bpf_object *kern_prog__object(const struct kern_prog *p)
{
	return p->skel->obj;
}

int kern_prog__attach(struct kern_prog *p, const char *cgroup)
{
	struct bpf_link *link;
	int fd, err;

	if (p->link)
		return -EBUSY;
	if (!prog_entry(p))
		return -ENOENT;
	fd = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	link = bpf_program__attach_cgroup(prog_entry(p), fd);
	err = link ? 0 : -errno;
	/* The link holds its own reference to the cgroup. */
	close(fd);
	if (err) {
		kern_warn("cannot attach to %s: %s\n", cgroup, strerror(-err));
		return err;
	}
	p->link = link;
	return 0;
}

void kern_prog__detach(struct kern_prog *p)
{
	bpf_link__destroy(p->link);
	p->link = NULL;
}

void kern_prog__destroy(struct kern_prog *p)
{
	int i;

	if (!p)
		return;
	kern_prog__detach(p);
	for (i = 0; i < KERN_RING__MAX; i++)
		kern_ring__free(p->rings[i]);
	sockops__destroy(p->skel);
	free(p);
}

void kern_prog__set_monitoring(struct kern_prog *p, __u32 enable)
{
	p->skel->data->enable_monitoring = enable;
}

void kern_prog__set_log_level(struct kern_prog *p, enum km_log_level level)
{
	p->skel->bss->log_level = level;
}

/* A global address: IPv4 goes in IPv4-mapped (SPEC §3), NULL clears. */
static void prog_set_ip(__u32 global[4], const struct kern_addr *a)
{
	struct in6_addr v6 = IN6ADDR_ANY_INIT;

	if (a && a->sa.sa_family == AF_INET) {
		v6.s6_addr[10] = 0xff;
		v6.s6_addr[11] = 0xff;
		memcpy(&v6.s6_addr[12], &a->in4.sin_addr, 4);
	} else if (a) {
		v6 = a->in6.sin6_addr;
	}
	memcpy(global, &v6, sizeof(v6));
}

void kern_prog__set_node_ip(struct kern_prog *p, const struct kern_addr *a)
{
	prog_set_ip(p->skel->bss->node_ip, a);
}

void kern_prog__set_pod_gateway(struct kern_prog *p, const struct kern_addr *a)
{
	prog_set_ip(p->skel->bss->pod_gateway, a);
}

__u64 kern_prog__counter(const struct kern_prog *p, enum km_counter id)
{
	if ((unsigned int)id >= KM_CNT__MAX)
		return 0;
	/* The program adds atomically on other CPUs; read it whole. */
	return __atomic_load_n(&p->skel->bss->km_counters[id], __ATOMIC_RELAXED);
}

void kern_prog__reset_counters(struct kern_prog *p)
{
	for (int i = 0; i < KM_CNT__MAX; i++)
		__atomic_store_n(&p->skel->bss->km_counters[i], 0, __ATOMIC_RELAXED);
}

struct bpf_map *kern_prog__map(const struct kern_prog *p, enum kern_map_id id)
{
	switch (id) {
	case KERN_MAP_MANAGE:
		return p->skel->maps.km_manage;
	case KERN_MAP_SOCKSTORAGE:
		return p->skel->maps.km_sockstorage;
	case KERN_MAP_SOCKET:
		return p->skel->maps.km_socket;
	case KERN_MAP_AUTH_RES:
		return p->skel->maps.km_auth_res;
	default:
		return NULL;
	}
}

struct kern_ring *kern_prog__ring(struct kern_prog *p, enum kern_ring_id id)
{
	if ((unsigned int)id >= KERN_RING__MAX)
		return NULL;
	return p->rings[id];
}
