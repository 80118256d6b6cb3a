// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * kdrive.c: carry out a lifecycle run with real sockets, under the recording
 * build, and collect what the kernel did (oracle.h): the program, the run
 * loop, the recording and the final observables. The steps' handlers are in
 * kdrive_steps.c, the run's addresses on lo in kdrive_net.c (kdrive.h).
 *
 * Runs inside a kern_sandbox: a private network namespace whose cgroup has
 * the recording program attached. Every wait is bounded, and ends as soon as
 * what it waits for has happened.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kdrive.h"
#include "input/steps.h"

/* A global of the recording build, through the mmapped data section. */
static void *kd_global(struct bpf_object *obj, const char *name)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
	{
		const struct btf_type *sec;
		const struct btf_var_secinfo *vi;
		size_t size;
		__u8 *base;
		__s32 id;

		if (!bpf_map__is_internal(map))
			continue;
		id = btf__find_by_name_kind(btf,
					    bpf_map__name(map) + strcspn(bpf_map__name(map), "."),
					    BTF_KIND_DATASEC);
		base = (__u8 *)bpf_map__initial_value(map, &size);
		if (id < 0 || !base)
			continue;
		sec = btf__type_by_id(btf, id);
		vi = btf_var_secinfos(sec);
		for (int i = 0; i < btf_vlen(sec); i++, vi++) {
			const struct btf_type *var = btf__type_by_id(btf, vi->type);

			if (!strcmp(btf__name_by_offset(btf, var->name_off), name))
				return base + vi->offset;
		}
	}
	return NULL;
}

struct orc_kernel *orc_kernel__open(const struct kern_sandbox *sb)
{
	struct orc_kernel *k = calloc(1, sizeof(*k));
	struct bpf_object *obj;
	struct bpf_map *rec;
	int err;

	if (!k)
		return NULL;
	for (int i = 0; i < SF_NSLOTS; i++)
		k->slots[i].fd = -1;
	k->sb = sb;
	k->prog = kern_prog__load();
	if (!k->prog)
		goto fail_errno;
	obj = kern_prog__object(k->prog);
	rec = bpf_object__find_map_by_name(obj, "km_record");
	k->seq = kd_global(obj, "km_record_seq");
	k->dropped = kd_global(obj, "km_record_dropped");
	if (!rec && !k->seq && !k->dropped) {
		/* The production object (core/ alone): the run records no
		 * callback; its final state is all there is to compare. */
		k->seq = &k->no_drops;
		k->dropped = &k->no_drops;
	} else if (!rec || !k->seq || !k->dropped) {
		fprintf(stderr, "oracle: the loaded object is neither the recording build nor "
				"the production object\n");
		errno = ENOENT;
		goto fail;
	} else {
		k->rec_ring = kern_ring__new(bpf_map__fd(rec), sizeof(struct km_rec));
		if (!k->rec_ring)
			goto fail_errno;
	}
	err = kern_prog__attach(k->prog, kern_sandbox__cgroup(sb));
	if (err) {
		errno = -err;
		goto fail;
	}
	return k;
fail_errno:
	fprintf(stderr, "oracle: cannot load the program: %s\n", strerror(errno));
fail:
	err = errno;
	orc_kernel__close(k);
	errno = err;
	return NULL;
}

void orc_kernel__close(struct orc_kernel *k)
{
	if (!k)
		return;
	for (int i = 0; i < SF_NSLOTS; i++)
		kd_close_slot(&k->slots[i]);
	kern_ring__free(k->rec_ring);
	kern_prog__destroy(k->prog);
	free(k);
}

/* ---- collecting the recording ---- */

/* Take the records the callbacks of step STEP wrote. They are written inside
 * the syscalls (loopback delivers in the same softirq), so nothing waits. */
static int kd_collect(struct orc_kernel *k, __u16 step, struct orc_kernel_run *out)
{
	const struct km_rec *recs;
	size_t cnt;
	int n;

	if (!k->rec_ring)
		return 0; /* the production object */
	n = kern_ring__poll(k->rec_ring, 0, 0);
	if (n < 0)
		return n;
	recs = kern_ring__records(k->rec_ring, &cnt);
	for (size_t i = 0; i < cnt; i++) {
		if (out->nrecs == ORC_MAX_RECS) {
			out->lost++;
			continue;
		}
		out->rec_step[out->nrecs] = step;
		out->recs[out->nrecs++] = recs[i];
	}
	kern_ring__clear(k->rec_ring);
	return 0;
}

int kd_take_auth_reqs(struct orc_kernel *k, struct orc_kernel_run *out)
{
	struct kern_ring *r = kern_prog__ring(k->prog, KERN_RING_AUTH_REQ);
	const struct km_auth_req *reqs;
	size_t cnt;
	int n = kern_ring__poll(r, 0, 0);

	if (n < 0)
		return n;
	reqs = kern_ring__records(r, &cnt);
	for (size_t i = 0; i < cnt && out->nauth_reqs < ORC_MAX_RING; i++)
		out->auth_reqs[out->nauth_reqs++] = reqs[i];
	kern_ring__clear(r);
	return 0;
}

/* ---- before and after a run ---- */

static int kd_clear(struct orc_kernel *k, const struct sf_input *in)
{
	static const enum kern_map_id maps[] = {KERN_MAP_MANAGE, KERN_MAP_SOCKET,
						KERN_MAP_AUTH_RES};
	struct kern_addr a;
	int err;

	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		err = kern_map__clear(kern_prog__map(k->prog, maps[i])); /* count or -errno */
		if (err < 0) {
			fprintf(stderr, "oracle: clearing map %zu: %s\n", i, strerror(-err));
			return err;
		}
	}
	for (int i = 0; i < KERN_RING__MAX; i++) {
		err = kern_ring__drain(kern_prog__ring(k->prog, i));
		if (err) {
			fprintf(stderr, "oracle: draining ring %d: %s\n", i, strerror(-err));
			return err;
		}
	}
	err = k->rec_ring ? kern_ring__drain(k->rec_ring) : 0;
	if (err)
		return err;
	kern_prog__set_monitoring(k->prog, in->monitoring);
	kd_addr(&a, AF_INET6, &in->node_ip, 0);
	kern_prog__set_node_ip(k->prog, &a);
	kd_addr(&a, AF_INET6, &in->pod_gateway, 0);
	kern_prog__set_pod_gateway(k->prog, &a);
	kern_prog__reset_counters(k->prog);
	k->answered = 0;
	return 0;
}

static int kd_snapshot(struct orc_kernel *k, struct orc_kernel_run *out)
{
	struct bpf_map *manage = kern_prog__map(k->prog, KERN_MAP_MANAGE);
	struct bpf_map *auth = kern_prog__map(k->prog, KERN_MAP_AUTH_RES);
	struct bpf_map *sock = kern_prog__map(k->prog, KERN_MAP_SOCKET);
	struct kern_ring *probe = kern_prog__ring(k->prog, KERN_RING_PROBE);
	const struct km_probe_rec *recs;
	size_t cnt;
	int n;

	/* Taken, not only read: the next run starts from empty maps, and
	 * kd_clear() then finds them so at one syscall each (the sockets
	 * closed after this may still write, and kd_clear() removes that). */
	n = kern_map__take(manage, out->manage_keys, out->manage_vals, ORC_MAX_ENTRIES);
	if (n < 0)
		return n;
	out->nmanage = n;
	n = kern_map__take(auth, out->auth_keys, out->auth_vals, ORC_MAX_ENTRIES);
	if (n < 0)
		return n;
	out->nauth = n;
	n = kern_map__keys(sock, out->socket_keys, ORC_MAX_ENTRIES);
	if (n < 0)
		return n;
	out->nsocket = n;
	n = kd_take_auth_reqs(k, out);
	if (n < 0)
		return n;
	n = kern_ring__poll(probe, 0, 0);
	if (n < 0)
		return n;
	recs = kern_ring__records(probe, &cnt);
	for (size_t i = 0; i < cnt && out->nprobes < ORC_MAX_RING; i++)
		out->probes[out->nprobes++] = recs[i];
	kern_ring__clear(probe);
	for (int i = 0; i < KM_CNT__MAX; i++)
		out->counters[i] = kern_prog__counter(k->prog, i);
	return 0;
}

/* Whether the driver has a handler for every step of IN: a kind whose row has
 * .kernel_none has none, and the run fails before anything is done. */
static int kd_check(const struct orc_run *in)
{
	if (in->nsteps > ORC_MAX_STEPS) {
		fprintf(stderr, "oracle: a run of %u steps, more than ORC_MAX_STEPS\n", in->nsteps);
		return -E2BIG;
	}
	for (unsigned int i = 0; i < in->nsteps; i++) {
		const struct sf_kind_def *def = sf_kind_def(in->steps[i].kind);

		if (orc_kernel__handles(in->steps[i].kind))
			continue;
		fprintf(stderr, "oracle: step %u (%s): the kernel driver cannot carry it out: %s\n",
			i, def ? def->name : "?",
			def && def->kernel_none ? def->kernel_none : "it has no handler");
		return -EINVAL;
	}
	return 0;
}

int orc_kernel__run(struct orc_kernel *k, struct orc_run *in, struct orc_kernel_run *out)
{
	struct kern_addr extra[KD_MAX_EXTRA];
	size_t nextra;
	__u64 dropped = __atomic_load_n(k->dropped, __ATOMIC_RELAXED);
	int err = 0;

	err = kd_check(in);
	if (err)
		return err;
	/* Counts only: what lies past them is never read (half a megabyte a run). */
	out->nrecs = out->nacts = 0;
	out->lost = 0;
	out->nmanage = out->nauth = out->nsocket = out->nauth_reqs = out->nprobes = 0;
	/* A fresh namespace when the run binds fixed client ports which earlier
	 * runs' TIME_WAIT sockets may hold, or addresses lo lacks. Renewing it
	 * every time would cost more than the runs (namespaces die slowly). */
	if (kd_needs_netns(k, in, extra, &nextra)) {
		err = kern_sandbox__renew_netns(k->sb, extra, nextra);
		memset(k->used_ports, 0, sizeof(k->used_ports));
	}
	kd_ports_mark(k, in);
	if (!err)
		err = kd_clear(k, &in->head);
	if (err) {
		fprintf(stderr, "oracle: cannot reset the kernel's maps and rings: %s\n",
			strerror(-err));
		return err;
	}
	for (__u16 i = 0; i < in->nsteps; i++) {
		err = kd_step(k, i, &in->steps[i], out);
		if (!err)
			err = kd_collect(k, i, out);
		if (err) {
			fprintf(stderr, "oracle: step %u (%s): %s\n", i,
				sf_kind_name(in->steps[i].kind), strerror(-err));
			return err;
		}
	}
	/* Sockets still open are not closed here: their final state is part of
	 * the run. They close before the next run, outside any recording. */
	err = kd_snapshot(k, out);
	for (int i = 0; i < SF_NSLOTS; i++)
		kd_close(k, &k->slots[i], true);
	out->lost += __atomic_load_n(k->dropped, __ATOMIC_RELAXED) - dropped;
	return err;
}
