// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * prog.c: load the sockops skeleton, attach it to a cgroup, reach its maps,
 * rings and globals.
 *
 * The only file that includes the generated skeleton (it embeds the object).
 * It names no program and uses none of the skeleton's named fields: it
 * attaches the object's SEC("sockops") program and finds maps by their ELF
 * names and globals by the BTF of their data section, so the production
 * build, core/'s recording build and the recording build of any program
 * under test (make PROG=, bpf/record/) share it, and a part of SPEC §6 that
 * a program lacks is simply absent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kernel_internal.h"
#include "sockops.skel.h"

#define PROG_MAX_RINGS 16 /* ring buffer maps of one object with a reader */

struct kern_prog {
	struct sockops *skel;
	struct bpf_link *link;
	struct bpf_map *maps[KERN_MAP__MAX];
	struct bpf_map *ring_maps[KERN_RING__MAX];
	struct {
		const struct bpf_map *map;
		struct kern_ring *ring;
	} readers[PROG_MAX_RINGS];
	unsigned int nreaders;
	/* globals, in the mmap of .data or .bss; NULL: the program has none */
	__u32 *monitoring, *log_level, *node_ip, *pod_gateway;
	__u32 log_level_default; /* as loaded: what a run starts from */
	__u64 *counters;
	unsigned int ncounters;
};

/* SPEC §6's names; the contract, not core/'s headers. */
static const char *const map_names[KERN_MAP__MAX] = {
	[KERN_MAP_MANAGE] = "km_manage",
	[KERN_MAP_SOCKSTORAGE] = "km_sockstorage",
	[KERN_MAP_SOCKET] = "km_socket",
	[KERN_MAP_AUTH_RES] = "km_auth_res",
};

static const char *const ring_names[KERN_RING__MAX] = {
	[KERN_RING_AUTH_REQ] = "km_auth_req",
	[KERN_RING_PROBE] = "km_tcp_probe",
	[KERN_RING_LOG] = "km_log",
};

void *kern_prog__global(const struct kern_prog *p, const char *name, size_t *size)
{
	struct bpf_object *obj = p->skel->obj;
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;

	if (!btf)
		return NULL;
	bpf_object__for_each_map(map, obj)
	{
		const char *sname = bpf_map__name(map) + strcspn(bpf_map__name(map), ".");
		const struct btf_type *sec;
		const struct btf_var_secinfo *vi;
		size_t len;
		__u8 *base;
		__s32 id;

		/* .rodata is frozen at load: not a global user space can write */
		if (!bpf_map__is_internal(map) ||
		    (strncmp(sname, ".data", 5) && strncmp(sname, ".bss", 4)))
			continue;
		id = btf__find_by_name_kind(btf, sname, BTF_KIND_DATASEC);
		base = (__u8 *)bpf_map__initial_value(map, &len);
		if (id < 0 || !base)
			continue;
		sec = btf__type_by_id(btf, id);
		vi = btf_var_secinfos(sec);
		for (int i = 0; i < btf_vlen(sec); i++, vi++) {
			const struct btf_type *var = btf__type_by_id(btf, vi->type);

			if (strcmp(btf__name_by_offset(btf, var->name_off), name) ||
			    vi->offset + vi->size > len)
				continue;
			if (size)
				*size = vi->size;
			return base + vi->offset;
		}
	}
	return NULL;
}

/* Global NAME when it has SIZE bytes (SPEC §6's), else NULL (with a warning
 * when it exists with another size: then it is not SPEC's global). */
static void *prog_global(const struct kern_prog *p, const char *name, size_t size)
{
	size_t have = 0;
	void *g = kern_prog__global(p, name, &have);

	if (g && have != size) {
		kern_warn("global %s has %zu bytes, not %zu: left alone\n", name, have, size);
		return NULL;
	}
	return g;
}

/* What user space reaches, found once after the load. */
static void prog_find_parts(struct kern_prog *p)
{
	struct bpf_object *obj = p->skel->obj;
	size_t size = 0;

	for (int i = 0; i < KERN_MAP__MAX; i++)
		p->maps[i] = bpf_object__find_map_by_name(obj, map_names[i]);
	for (int i = 0; i < KERN_RING__MAX; i++) {
		p->ring_maps[i] = bpf_object__find_map_by_name(obj, ring_names[i]);
		if (p->ring_maps[i] && bpf_map__type(p->ring_maps[i]) != BPF_MAP_TYPE_RINGBUF)
			p->ring_maps[i] = NULL;
	}
	p->monitoring = prog_global(p, "enable_monitoring", sizeof(__u32));
	p->log_level = prog_global(p, "log_level", sizeof(__u32));
	p->log_level_default = p->log_level ? *p->log_level : 0;
	p->node_ip = prog_global(p, "node_ip", 4 * sizeof(__u32));
	p->pod_gateway = prog_global(p, "pod_gateway", 4 * sizeof(__u32));
	p->counters = kern_prog__global(p, "km_counters", &size);
	p->ncounters = p->counters ? size / sizeof(__u64) : 0;
	if (p->ncounters > KM_CNT__MAX) /* the ones SPEC §7 names */
		p->ncounters = KM_CNT__MAX;
}

struct kern_prog *kern_prog__load(void)
{
	struct kern_prog *p = calloc(1, sizeof(*p));
	int err;

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
	prog_find_parts(p);
	/* The readers exist from the load on: a record is never missed. */
	for (int i = 0; i < KERN_RING__MAX; i++) {
		if (p->ring_maps[i] && !kern_prog__ring_of(p, p->ring_maps[i])) {
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
	if (!p)
		return;
	kern_prog__detach(p);
	for (unsigned int i = 0; i < p->nreaders; i++)
		kern_ring__free(p->readers[i].ring);
	sockops__destroy(p->skel);
	free(p);
}

void kern_prog__set_monitoring(struct kern_prog *p, __u32 enable)
{
	if (p->monitoring)
		*(volatile __u32 *)p->monitoring = enable;
}

void kern_prog__set_log_level(struct kern_prog *p, enum km_log_level level)
{
	if (p->log_level)
		*(volatile __u32 *)p->log_level = level;
}

void kern_prog__reset_log_level(struct kern_prog *p)
{
	if (p->log_level)
		*(volatile __u32 *)p->log_level = p->log_level_default;
}

/* A global address: IPv4 goes in IPv4-mapped (SPEC §3), NULL clears. */
static void prog_set_ip(__u32 *global, const struct kern_addr *a)
{
	struct in6_addr v6 = IN6ADDR_ANY_INIT;

	if (!global)
		return;
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
	prog_set_ip(p->node_ip, a);
}

void kern_prog__set_pod_gateway(struct kern_prog *p, const struct kern_addr *a)
{
	prog_set_ip(p->pod_gateway, a);
}

unsigned int kern_prog__ncounters(const struct kern_prog *p)
{
	return p->ncounters;
}

__u64 kern_prog__counter(const struct kern_prog *p, enum km_counter id)
{
	if ((unsigned int)id >= p->ncounters)
		return 0;
	/* The program adds atomically on other CPUs; read it whole. */
	return __atomic_load_n(&p->counters[id], __ATOMIC_RELAXED);
}

void kern_prog__reset_counters(struct kern_prog *p)
{
	for (unsigned int i = 0; i < p->ncounters; i++)
		__atomic_store_n(&p->counters[i], 0, __ATOMIC_RELAXED);
}

struct bpf_map *kern_prog__map(const struct kern_prog *p, enum kern_map_id id)
{
	if ((unsigned int)id >= KERN_MAP__MAX)
		return NULL;
	return p->maps[id];
}

struct kern_ring *kern_prog__ring_of(struct kern_prog *p, const struct bpf_map *map)
{
	unsigned int i;

	for (i = 0; i < p->nreaders; i++)
		if (p->readers[i].map == map)
			return p->readers[i].ring;
	if (!map || bpf_map__type(map) != BPF_MAP_TYPE_RINGBUF) {
		errno = EINVAL;
		return NULL;
	}
	if (p->nreaders == PROG_MAX_RINGS) {
		kern_warn("more than %d ring buffer maps read\n", PROG_MAX_RINGS);
		errno = E2BIG;
		return NULL;
	}
	p->readers[i].ring = kern_ring__new(bpf_map__fd(map), 0);
	if (!p->readers[i].ring)
		return NULL;
	p->readers[i].map = map;
	p->nreaders++;
	return p->readers[i].ring;
}

struct bpf_map *kern_prog__map_ring(const struct kern_prog *p, enum kern_ring_id id)
{
	return (unsigned int)id < KERN_RING__MAX ? p->ring_maps[id] : NULL;
}

struct kern_ring *kern_prog__ring(struct kern_prog *p, enum kern_ring_id id)
{
	if ((unsigned int)id >= KERN_RING__MAX || !p->ring_maps[id])
		return NULL;
	return kern_prog__ring_of(p, p->ring_maps[id]);
}
